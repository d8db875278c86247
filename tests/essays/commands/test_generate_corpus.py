"""generate_corpus: a deterministic synthetic corpus from the real essays, and its removal."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from essays.models import Collection, Essay, Reference, Section
from essays.services.generated import (
    ESSAYS_PER_COLLECTION,
    Recombiner,
    source_essays,
)
from essays.services.generated import default_sources as sources
from tests.corpus import import_essays

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_index(tmp_path):
    """Removal drops essays from the search index: give each test an index of its own."""
    from haystack import connections

    info = connections.connections_info["default"]
    original = info["PATH"]
    info["PATH"] = str(tmp_path / "whoosh")
    connections.reload("default")
    yield
    info["PATH"] = original
    connections.reload("default")


def generate(*args: str) -> str:
    out = io.StringIO()
    call_command("generate_corpus", *args, stdout=out)
    return out.getvalue()


def texts(seed: int) -> list[tuple[str, list[str]]]:
    essays = Essay.objects.filter(collection__source_name=f"generate_corpus:seed={seed}")
    return [
        (essay.intro, [s.text for s in essay.sections.order_by("order")])
        for essay in essays.order_by("collection__title", "number")
    ]


def test_generates_n_essays_in_collections_of_fifty_with_real_outlines():
    generate("--essays", str(ESSAYS_PER_COLLECTION + 3), "--seed", "7", "--no-index")
    essays = Essay.objects.filter(collection__title__startswith="合成文集 7-")
    assert essays.count() == ESSAYS_PER_COLLECTION + 3
    assert Collection.objects.filter(title__startswith="合成文集 7-").count() == 2
    real = {essay.title: essay for essay in source_essays(sources())}
    for essay in essays.prefetch_related("sections", "references"):
        sections = list(essay.sections.all())
        base = [
            e
            for e in source_essays(sources())
            if e.title == essay.title and len(e.sections) == len(sections)
        ]
        assert base, "every generated essay keeps the outline of a real one"
        position = {s.pk: i for i, s in enumerate(sections)}
        parents = [position.get(s.parent_id) for s in sections]
        assert parents in [[s.parent for s in b.sections] for b in base]
        assert essay.title in real


def test_the_same_seed_gives_the_same_text_and_a_larger_n_extends_it():
    generate("--essays", "8", "--seed", "3", "--no-index")
    first = texts(3)
    generate("--remove", "--seed", "3")
    generate("--essays", "10", "--seed", "3", "--no-index")
    again = texts(3)
    assert again[:8] == first
    generate("--essays", "8", "--seed", "4", "--no-index")
    assert texts(4) != first


def test_generated_paragraphs_are_recombined_not_copied():
    real = source_essays(sources())
    real_paragraphs = {
        p for e in real for s in e.sections for p in s.text.split("\n") if len(p) > 40
    }
    recombiner = Recombiner(real)
    made = [recombiner.essay(seed=1, index=i, number=i + 1)[1] for i in range(20)]
    paragraphs = [p for e in made for s in e.sections for p in s.text.split("\n") if len(p) > 40]
    copied = sum(1 for p in paragraphs if p in real_paragraphs)
    assert paragraphs and copied / len(paragraphs) < 0.5


def test_no_history_unless_asked():
    generate("--essays", "3", "--seed", "1", "--no-index")
    ids = list(Essay.objects.values_list("pk", flat=True))
    assert not Essay.history.filter(id__in=ids).exists()
    assert not Section.history.filter(essay_id__in=ids).exists()
    generate("--essays", "2", "--seed", "2", "--no-index", "--history")
    made = Essay.objects.filter(collection__source_name="generate_corpus:seed=2")
    assert Essay.history.filter(id__in=made.values("pk")).count() == 2
    assert (
        Section.history.filter(essay_id__in=made.values("pk")).count()
        == Section.objects.filter(essay__in=made).count()
    )


def test_remove_deletes_only_generated_data():
    import_essays()
    real = (Essay.objects.count(), Section.objects.count(), Reference.objects.count())
    generate("--essays", "5", "--seed", "1", "--no-index", "--history")
    generate("--essays", "5", "--seed", "2", "--no-index")
    output = generate("--remove", "--seed", "1")
    assert "5 篇" in output
    assert Essay.objects.filter(collection__source_name="generate_corpus:seed=2").count() == 5
    generate("--remove")
    assert (Essay.objects.count(), Section.objects.count(), Reference.objects.count()) == real
    assert not Collection.objects.filter(source_name__startswith="generate_corpus:").exists()


def test_an_existing_seed_or_no_size_is_refused():
    generate("--essays", "2", "--seed", "9", "--no-index")
    with pytest.raises(CommandError, match="已有种子 9"):
        generate("--essays", "2", "--seed", "9", "--no-index")
    with pytest.raises(CommandError, match="--essays"):
        generate()
    with pytest.raises(CommandError, match="至少为 1"):
        generate("--essays", "0")
