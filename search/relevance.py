"""A relevance test set for the bundled corpus, and the figures it is judged by.

Each case is a query and the essays a reader would want for it, judged by reading the
texts in ``fixtures/source/``.  Essays are named ``<source prefix>#<篇 number>``:
``000#11`` is 篇11 of ``000_….txt``.  ``first`` lists the essays that may rightly come
first.  The metrics:

- recall: share of the relevant essays that are found;
- precision: share of the found essays that are relevant;
- MRR: mean of 1 / rank of the first relevant essay;
- top-1: share of queries whose first result is one of ``first``;
- top-3: share of queries with one of ``first`` among the first three results.

:data:`CASES` are the original set (spaced words, operators, pinyin); :data:`UNSPACED`
are unspaced multi-concept queries; :data:`LACKING` are queries that must find nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from essays.models import Essay


@dataclass(frozen=True)
class Case:
    query: str
    relevant: frozenset[str]
    first: frozenset[str]
    note: str = ""


def _case(query: str, relevant: str, first: str | None = None, note: str = "") -> Case:
    rel = frozenset(relevant.split())
    return Case(query, rel, frozenset((first or relevant).split()), note)


CASES: list[Case] = [
    _case("劳动力转移", "000#2 000#1", "000#2", "篇2 is about it; 篇1 has a section on it"),
    _case("转移劳动力", "000#2 000#1", "000#2", "word order of a compound"),
    _case("城乡统筹", "000#11 000#7 000#3 000#2 000#1", "000#11 000#7", "also 统筹城乡"),
    _case("統籌城鄉", "000#11 000#7 000#3 000#2 000#1", "000#11 000#2", "traditional"),
    _case("服务意识", "000#8 000#4 000#10 000#6 003#1", "000#8 000#4"),
    _case("恩格尔系数", "000#11"),
    _case("公共文化服务", "000#11"),
    _case("公共文化服务体系", "000#11"),
    _case("均等化", "000#11"),
    _case("服务型政府", "003#1"),
    _case("学习型", "003#1", note="000#8 and 000#10 mention it in passing"),
    _case("党政管理", "000#8"),
    _case("办公室", "000#10"),
    _case("客户服务", "000#6 000#4", "000#6"),
    _case("MBTI", "000#6"),
    _case("mbti", "000#6", note="case folding"),
    _case("ＭＢＴＩ", "000#6", note="full width"),
    _case("人事部门", "000#4"),
    _case("为人民服务", "000#5 000#8"),
    _case("政务信息公开", "000#9"),
    _case("藕", "000#1", note="one character (莲藕)"),
    _case("74.9%", "000#7"),
    _case("2003年", "000#2", note="OCR-spaced in the source: 2 0 0 3年"),
    _case("中山市", "000#7"),
    _case("医疗卫生", "000#7"),
    _case("镇村一体化", "000#7", note="镇村卫生服务一体化"),
    _case("乡镇卫生院", "000#7"),
    _case("农民工", "000#2"),
    _case("投诉", "000#4 000#6"),
    _case("小康", "000#2 000#11"),
    _case("公益性", "000#11 000#7", "000#11"),
    _case("服务态度", "000#4 000#10", "000#4"),
    _case("现代农业", "000#1 000#3"),
    _case("失地农民", "000#1"),
    _case("统筹城乡 就业", "000#2 000#1", "000#2", "AND"),
    _case("服务意识 -城乡", "000#8 000#4 000#10 003#1", "000#8 000#4", "exclusion"),
    _case("恩格尔系数 OR 藕", "000#11 000#1", note="OR"),
    _case('"农村劳动力转移"', "000#2", note="phrase"),
    _case("客户 服务 礼仪", "000#6"),
    _case("laodongli", "000#2 000#1", "000#2 000#1", "pinyin of 劳动力"),
    _case("zhong shan shi", "000#7", note="pinyin of 中山市"),
    _case("gongyixing", "000#11 000#7", "000#11", "pinyin of 公益性"),
]

#: Unspaced queries of two or more concepts, as readers type them: no essay need hold
#: the whole string, but one is plainly about all of it (judged by reading the texts).
#: Every one must put a rightful essay in the first three.
UNSPACED: list[Case] = [
    _case("人事部门服务态度", "000#4", note="人事部门 ×11, 服务态度 ×10"),
    _case("农村医疗卫生改革", "000#7"),
    _case("农民工培训", "000#2"),
    _case("失地农民就业", "000#1"),
    _case("成都城乡统筹", "000#11", note="成都 ×23"),
    _case("党政机关服务意识", "000#8"),
    _case("农民工社会保障制度", "000#2"),
    _case("学习型政府建设路径", "003#1", note="路径 occurs nowhere"),
    _case("农村劳动力转移培训", "000#2", note="a heading of 篇2"),
    _case("公共文化服务均等化", "000#11"),
    _case("客户投诉处理方法", "000#6"),
    _case("客户服务礼仪规范", "000#6"),
    _case("政务信息公开问题", "000#9"),
    _case("工商信息公开", "000#9"),
    _case("办公室优质服务", "000#10"),
    _case("办公室队伍建设", "000#10"),
    _case("服务型政府职能转变", "003#1"),
    _case("政府服务品牌", "003#1"),
    _case("公务员创造力", "003#1"),
    _case("现代农业特色产品加工", "000#3 000#1", "000#3"),
    _case("榆树民生", "000#3"),
    _case("农村社区建设管理", "000#1"),
    _case("农村和谐社会管理", "000#1"),
    _case("农民增收途径", "000#2"),
    _case("城乡统一劳动力市场", "000#2"),
    _case("社区卫生服务中心职责", "000#7"),
    _case("村医培训", "000#7"),
    _case("公共财政体制均等化", "000#11"),
    _case("数字技术公共文化", "000#11"),
    _case("农民集中居住文化服务", "000#11"),
    _case("党政管理官僚主义", "000#8"),
    _case("服务对象评价机制", "000#8"),
    _case("申诉制度投诉", "000#4"),
    _case("客户期望值满意度", "000#6"),
    _case("为人民服务宗旨", "000#5"),
    _case("恩格尔系数小康", "000#11"),
    _case("镇村医疗卫生一体化管理", "000#7"),
    _case("服务态度投诉", "000#4"),
    _case("如何提升党政管理服务意识", "000#8", note="如何: a word that carries no meaning"),
    _case("政府服务滞后的问题", "003#1", note="的, 问题: no meaning on their own"),
]

#: Queries whose words no essay holds (or holds only in passing with the main word
#: missing): they must answer nothing.
LACKING: list[str] = [
    "量子计算",
    "区块链金融",
    "人工智能伦理",
    "疫情防控",
    "股票证券",
    "航天卫星",
    "如何研究",
    "怎样研究问题",
]


def essay_key(essay: Essay) -> str:
    """``<source prefix>#<number>`` for an essay, as the cases name them."""
    return f"{essay.collection.source_name.split('_', 1)[0]}#{essay.number}"


@dataclass
class CaseResult:
    case: Case
    ranked: list[str]

    @property
    def found_relevant(self) -> int:
        return len(self.case.relevant & set(self.ranked))

    @property
    def recall(self) -> float:
        return self.found_relevant / len(self.case.relevant)

    @property
    def precision(self) -> float:
        return self.found_relevant / len(self.ranked) if self.ranked else 0.0

    @property
    def reciprocal_rank(self) -> float:
        for rank, key in enumerate(self.ranked, start=1):
            if key in self.case.relevant:
                return 1 / rank
        return 0.0

    @property
    def top1(self) -> bool:
        return bool(self.ranked) and self.ranked[0] in self.case.first

    @property
    def top3(self) -> bool:
        return bool(self.case.first & set(self.ranked[:3]))


def evaluate(cases: list[Case] | None = None) -> list[CaseResult]:
    """Run every case through the search and collect the ranked essay keys."""
    from search.services import search_essays

    keys = {e.pk: essay_key(e) for e in Essay.objects.select_related("collection")}
    return [
        CaseResult(case, [keys[hit.essay_id] for hit in search_essays(case.query).hits])
        for case in (cases or CASES)
    ]


def summary(results: list[CaseResult]) -> dict[str, float]:
    """Mean recall, precision, MRR, top-1 and top-3 over the cases."""
    n = len(results) or 1
    return {
        "queries": len(results),
        "recall": sum(r.recall for r in results) / n,
        "precision": sum(r.precision for r in results) / n,
        "mrr": sum(r.reciprocal_rank for r in results) / n,
        "top1": sum(r.top1 for r in results) / n,
        "top3": sum(r.top3 for r in results) / n,
    }
