"""Suggest an essay's topics from weighted keyword evidence in its jieba-segmented text."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from essays.importer.parsed import ParsedEssay
from essays.models import Topic
from essays.text.jieba_setup import ensure_jieba

#: A hit in the title, subtitle, keywords or a heading counts this many times.
HEADING_WEIGHT = 3
#: The least evidence (weighted keyword hits) for a topic to be suggested …
MIN_SCORE = 8.0
#: … and the least density, in evidence per thousand characters of text.
MIN_DENSITY = 3.0


@dataclass(frozen=True)
class TopicEvidence:
    """How strongly an essay's text speaks for one topic."""

    topic: Topic
    score: float
    density: float

    @property
    def suggested(self) -> bool:
        """Whether the evidence is enough to put the essay on the topic's shelf."""
        return self.score >= MIN_SCORE and self.density >= MIN_DENSITY


def topic_evidence(*, essay: ParsedEssay, topics: Iterable[Topic]) -> list[TopicEvidence]:
    """Weigh each topic's keywords against the essay's segmented text."""
    tokenizer = ensure_jieba()
    head = "\n".join(
        [essay.title if essay.has_own_title else "", essay.subtitle, " ".join(essay.keywords)]
        + [section.heading for section in essay.sections]
    )
    if essay.front_matter.get("abstract"):
        # A paper says what it is about in its abstract (the start of its intro): its
        # body, many times longer, would only dilute the evidence and cost segmenting.
        body = essay.intro
    else:
        body = "\n".join([essay.intro] + [section.text for section in essay.sections])
    head_counts = _ngram_counts(tokenizer.lcut(head))
    body_counts = _ngram_counts(tokenizer.lcut(body))
    length = max(1, len(head) + len(body))
    evidence = []
    for topic in topics:
        score = 0.0
        for keyword, weight in topic.keyword_weights.items():
            key = tuple(tokenizer.lcut(keyword))
            score += weight * (HEADING_WEIGHT * head_counts[key] + body_counts[key])
        evidence.append(TopicEvidence(topic=topic, score=score, density=score * 1000 / length))
    return evidence


def suggest_topics(*, essay: ParsedEssay, topics: Iterable[Topic]) -> list[Topic]:
    """The topics whose evidence in the essay is strong enough."""
    return [item.topic for item in topic_evidence(essay=essay, topics=topics) if item.suggested]


def _ngram_counts(tokens: list[str], longest: int = 4) -> Counter[tuple[str, ...]]:
    """Count every run of up to ``longest`` consecutive tokens, so a keyword that jieba
    splits into several tokens is still found where it stands on token boundaries."""
    counts: Counter[tuple[str, ...]] = Counter()
    for size in range(1, longest + 1):
        for start in range(len(tokens) - size + 1):
            counts[tuple(tokens[start : start + size])] += 1
    return counts
