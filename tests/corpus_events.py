"""A fixture recording the corpus events (``essays.signals.corpus_changed``) a test sends."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from essays.signals import CorpusBatch, corpus_changed


@dataclass
class Events:
    """The corpus events sent while a test runs; ``probe`` is called in each one."""

    seen: list[tuple[frozenset[int], str, CorpusBatch | None]] = field(default_factory=list)
    probes: list[Any] = field(default_factory=list)
    probe: Callable[[frozenset[int]], Any] | None = None

    def receive(self, sender: Any, essay_ids: frozenset[int], using: str, batch: Any, **kw):
        self.seen.append((essay_ids, using, batch))
        if self.probe is not None:
            self.probes.append(self.probe(essay_ids))

    @property
    def ids(self) -> list[set[int]]:
        return [set(ids) for ids, _, _ in self.seen]

    def clear(self) -> None:
        self.seen.clear()
        self.probes.clear()


@pytest.fixture
def events() -> Iterator[Events]:
    recorded = Events()
    corpus_changed.connect(recorded.receive, weak=False, dispatch_uid="test-corpus-events")
    yield recorded
    corpus_changed.disconnect(dispatch_uid="test-corpus-events")
