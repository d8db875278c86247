"""Portal tests get a search index directory of their own (the search app's fixture)."""

from tests.search.conftest import search_index  # noqa: F401
