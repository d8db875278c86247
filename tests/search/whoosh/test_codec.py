"""The codec's own posting reader gives what whoosh's matchers give, term for term."""

import random

import numpy as np
import pytest
from whoosh import fields
from whoosh import index as whoosh_index

from search.backends.whoosh import codec


def _whoosh_postings(leaf, fieldname, tbytes):
    """Document numbers, weights and positions through whoosh's own matcher (deleted
    documents included, as the codec reads them: the snapshot's live mask drops them)."""
    text = leaf.schema[fieldname].from_bytes(tbytes)
    matcher = leaf._terms.matcher(fieldname, tbytes, leaf.schema[fieldname].format)
    ids, weights, positions = [], [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        if leaf.schema[fieldname].format.supports("positions"):
            positions.append(list(matcher.value_as("positions")))
        matcher.next()
    return text, ids, weights, positions


def _compare_every_term(leaf, fieldnames) -> dict[str, int]:
    """Assert the codec reads every term of ``fieldnames`` as whoosh does; how many
    inlined and multi-block posting lists were compared."""
    seen = {"inlined": 0, "several blocks": 0}
    for (fieldname, tbytes), terminfo in leaf._terms.items():
        if fieldname not in fieldnames:
            continue
        text, ids, weights, positions = _whoosh_postings(leaf, fieldname, tbytes)
        seen["inlined"] += terminfo.is_inlined()
        seen["several blocks"] += len(ids) > 128  # whoosh's block holds 128 postings
        term_ids, term_weights, stored = codec.read_term(leaf, fieldname, text)
        assert term_ids.tolist() == ids and term_weights.tolist() == weights, text
        assert (stored is not None) == bool(positions), text  # kept for positions fields only
        if positions:  # every other document asked for: blocks without one are passed
            wanted = np.array(ids[::2], dtype=np.int64)
            expected = [
                (d, p) for d, plist in zip(ids[::2], positions[::2], strict=True) for p in plist
            ]
            # Read from the file, and from the positions kept when the postings were read.
            for docs, flat in (
                codec.read_positions(leaf, fieldname, text, wanted),
                codec.stored_positions(stored, wanted),
            ):
                assert list(zip(docs.tolist(), flat.tolist(), strict=True)) == expected, text
    return seen


def test_an_index_written_by_whoosh_itself_reads_the_same(tmp_path):
    """whoosh's own writer cuts long lists into blocks of 128 postings; the lists of
    one block and of several read as whoosh reads them. (whoosh 2.7.4 never inlines
    postings into the term info: its writer calls a method its term info lacks.)"""
    schema = fields.Schema(body=fields.TEXT(phrase=True), tag=fields.KEYWORD)
    ix = whoosh_index.create_in(str(tmp_path), schema)
    words = [f"w{n}" for n in range(40)]
    rng = random.Random(7)
    writer = ix.writer()
    for number in range(400):  # "w0" in every document: four blocks
        body = " ".join(["w0", *rng.choices(words, k=rng.randint(1, 30)), f"only{number}"])
        writer.add_document(body=body, tag=f"t{number % 3}")
    # Gaps of every size a pickle writes differently (under 256, under 65,536, more) and
    # more than 1,000 positions in one document (pickled in batches).
    filler = ["w1"] * 1500 + ["xx"] * 300 + ["w2"] + ["yy"] * 70_000 + ["w2", "w1"]
    writer.add_document(body=" ".join(filler), tag="long")
    writer.commit()
    with ix.searcher() as searcher:
        leaf = searcher.reader()
        seen = _compare_every_term(leaf, {"body", "tag"})
        long_document = leaf.doc_count_all() - 1
        _, w2 = codec.read_positions(leaf, "body", "w2", np.array([long_document]))
        _, w1 = codec.read_positions(leaf, "body", "w1", np.array([long_document]))
    assert seen["several blocks"] >= 1
    assert np.diff(w2).max() > 65_535 and len(w1) > 1_000  # the sizes meant were there


@pytest.mark.django_db
def test_the_portal_index_reads_the_same(corpus, search_index):
    searcher = search_index.searcher()
    try:
        for leaf, _ in searcher.reader().leaf_readers():
            _compare_every_term(leaf, {"text", "grams", "title"})
    finally:
        searcher.close()


@pytest.mark.django_db
def test_a_term_the_segment_lacks_reads_as_nothing(corpus, search_index):
    searcher = search_index.searcher()
    try:
        leaf = next(iter(searcher.reader().leaf_readers()))[0]
        ids, weights, stored = codec.read_term(leaf, "text", "没有这个词的文章")
        assert not len(ids) and not len(weights) and stored is None
        docs, flat = codec.read_positions(leaf, "text", "没有这个词的文章", np.array([0]))
        assert not len(docs) and not len(flat)
    finally:
        searcher.close()
