"""Portal tests get a search index directory of their own (the search app's fixture), and
the real corpus and an editor for the page cache's tests."""

from tests.essays.admin.conftest import editor, editor_client  # noqa: F401
from tests.search.conftest import corpus, corpus_snapshot, search_index  # noqa: F401
