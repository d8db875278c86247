"""Essays test fixtures: the corpus events a test sends."""

from tests.corpus_events import events  # noqa: F401
