"""The haystack index of the whoosh engine: one document per essay.

Text fields use the jieba and gram analysers of :mod:`.analysis` (haystack's whoosh
backend would otherwise give them an English stemming analyser). Pinyin is not
indexed: a pinyin query is spelled out in the Chinese the index holds
(:mod:`.matching`). The engine registers this index itself
(:class:`.haystack.EssayUnifiedIndex`): haystack looks for ``search_indexes`` modules
in installed apps only.
"""

from __future__ import annotations

from haystack import indexes

from essays.models import Essay
from search.backends.whoosh.analysis import GramAnalyzer, JiebaAnalyzer
from search.documents import EssayText, essay_text, join_lines, reference_years


def _text(essay: Essay) -> EssayText:
    """The essay's searchable text, computed once per prepared instance."""
    cached = getattr(essay, "_search_text", None)
    if cached is None:
        cached = essay._search_text = essay_text(essay)
    return cached


class EssayIndex(indexes.SearchIndex, indexes.Indexable):
    """An essay with its title, keywords, intro, sections and references."""

    text = indexes.CharField(document=True, analyzer=JiebaAnalyzer(), stored=False)
    # No field boost: the index stores plain term frequencies, and the title and
    # heading weights are applied once, when scoring (search.backends.whoosh.matching).
    title = indexes.CharField(analyzer=JiebaAnalyzer(positions=False), stored=False)
    head = indexes.CharField(analyzer=JiebaAnalyzer(positions=False), stored=False)
    grams = indexes.CharField(analyzer=GramAnalyzer(), stored=False)
    topics = indexes.MultiValueField()
    years = indexes.MultiValueField(stored=False)

    def get_model(self):
        return Essay

    def index_queryset(self, using=None):
        return Essay.objects.prefetch_related("sections", "references", "topics")

    def prepare_text(self, obj):
        return join_lines(_text(obj).all)

    def prepare_title(self, obj):
        return join_lines(_text(obj).title)

    def prepare_head(self, obj):
        return join_lines(_text(obj).head)

    def prepare_grams(self, obj):
        return join_lines(_text(obj).all)

    def prepare_topics(self, obj):
        return sorted(topic.slug for topic in obj.topics.all())

    def prepare_years(self, obj):
        return [str(year) for year in reference_years(obj)]
