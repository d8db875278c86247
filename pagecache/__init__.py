"""The page cache: whole responses for anonymous readers, keyed by the content version.

:mod:`pagecache.middleware` stores and serves them, :mod:`pagecache.decorators` is what
views use to let it, :mod:`pagecache.content_version` is the token that changes with the
corpus (on every :data:`essays.signals.corpus_changed`, see :mod:`pagecache.apps`).
"""
