"""Portal tests get a search index directory of their own (the search app's fixture), the
real corpus and an editor for the page cache's tests, and a real Redis for the shared caches."""

from tests.essays.admin.conftest import editor, editor_client  # noqa: F401
from tests.redis_server import redis_client, redis_url  # noqa: F401
from tests.search.conftest import corpus, corpus_snapshot, search_index  # noqa: F401
