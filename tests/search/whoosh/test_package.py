"""The whoosh engine is one package: nothing else imports whoosh, and indexes written
before the move still open."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
#: Where whoosh may be imported: the engine's package (and tests of its internals).
ALLOWED = (ROOT / "search" / "backends" / "whoosh", ROOT / "tests")


def _imports_whoosh(path: Path) -> list[int]:
    """The lines of ``path`` that import whoosh (at any depth: a function's import too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        else:
            continue
        if any(name == "whoosh" or name.startswith("whoosh.") for name in names):
            lines.append(node.lineno)
    return lines


def test_no_module_outside_the_whoosh_package_imports_whoosh():
    sources = [
        path
        for path in ROOT.rglob("*.py")
        if ".venv" not in path.parts
        and "node_modules" not in path.parts
        and not any(path.is_relative_to(allowed) for allowed in ALLOWED)
    ]
    assert any(path.parts[-2:] == ("search", "services.py") for path in sources)
    offenders = {
        str(path.relative_to(ROOT)): lines for path in sources if (lines := _imports_whoosh(path))
    }
    assert offenders == {}


def test_the_shared_text_helpers_import_no_search_engine():
    """The PostgreSQL backend builds its documents from the same terms, without whoosh."""
    assert _imports_whoosh(ROOT / "search" / "analysis.py") == []


@pytest.mark.parametrize("name", ["JiebaTokenizer", "GramTokenizer", "PinyinTokenizer"])
def test_a_schema_pickled_with_the_tokenizers_old_path_still_loads(name):
    """An index written before the move names its tokenizers by ``search.analysis`` in
    its pickled schema (whoosh pickles it with protocol 2): it must still open."""
    from whoosh.fields import TEXT, Schema

    from search.backends.whoosh import analysis

    tokenizer = getattr(analysis, name)()
    schema = Schema(text=TEXT(analyzer=tokenizer))
    new = pickle.dumps(schema, 2)
    assert b"search.backends.whoosh.analysis" in new
    old = new.replace(b"search.backends.whoosh.analysis", b"search.analysis")
    loaded = pickle.loads(old)
    assert type(loaded["text"].analyzer) is type(tokenizer)
    assert [t.text for t in loaded["text"].analyzer("城乡统筹")] == [
        t.text for t in tokenizer("城乡统筹")
    ]
