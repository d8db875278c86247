"""Essay-by-essay expectations for fixtures/source/000 (提升服务意识 统筹城乡发展, 11 篇).

Every expectation below was written by reading the source file line by line and applying
essays/importer/MARKUP.md; line numbers ("L12") refer to the source file. Where MARKUP.md is
silent the test says so in a comment and records how a careful reader decides.

Outlines are lists of (level, number, heading, parent-index) tuples.
"""

import pytest

from tests.essays.importer.outline import all_paragraphs, outline, paras, parse_source

SOURCE_NAME = "000_66e2ff588f5fb02b.txt"
COLLECTION_TITLE = "提升服务意识 统筹城乡发展"


@pytest.fixture(scope="module")
def doc():
    return parse_source(SOURCE_NAME)


def essay(doc, number):
    found = [e for e in doc.essays if e.number == number]
    assert len(found) == 1, f"expected exactly one 篇{number}"
    return found[0]


def ref_tuple(r):
    return (r.label, r.kind, r.year, r.authors, r.title, r.publisher, r.place)


# --------------------------------------------------------------------------- document


def test_document_title_and_declared_count(doc):
    # L1 `提升服务意识 统筹城乡发展(共11篇)`
    assert doc.title == COLLECTION_TITLE
    assert doc.declared_count == 11


def test_exactly_eleven_essays_numbered_in_order(doc):
    assert [e.number for e in doc.essays] == list(range(1, 12))


@pytest.mark.parametrize(
    ("number", "title"),
    [
        (1, COLLECTION_TITLE),
        (2, COLLECTION_TITLE),
        (3, COLLECTION_TITLE),
        (4, "端正服务态度,提升服务意识"),  # L83
        (5, COLLECTION_TITLE),
        (6, COLLECTION_TITLE),
        (7, COLLECTION_TITLE),
        (8, "试析如何提升党政管理服务意识"),  # L188
        (9, COLLECTION_TITLE),
        (10, "提升办公室服务意识问题研究"),  # L214
        (11, COLLECTION_TITLE),
    ],
)
def test_essay_titles(doc, number, title):
    assert essay(doc, number).title == title


@pytest.mark.parametrize(
    ("number", "subtitle"),
    [
        (1, ""),
        (2, ""),
        # 篇3 has four `——` lines (L71, L74, L77, L82): all level-1 headings, no subtitle.
        (3, ""),
        (4, "人事部门应怎样提升服务意识"),  # L84, the only `——` line of 篇4
        (5, ""),
        (6, ""),
        (7, ""),
        (8, ""),
        (9, ""),
        (10, ""),
        (11, ""),
    ],
)
def test_essay_subtitles(doc, number, subtitle):
    assert essay(doc, number).subtitle == subtitle


@pytest.mark.parametrize(
    ("number", "keywords"),
    [
        (1, []),
        (2, ["劳动力", "转移", "城乡就业", "劳动力转移"]),  # L25 `关键词:a,b`
        (3, []),
        (4, []),
        (5, []),
        (6, []),
        (7, []),
        (8, ["党政管理", "服务意识", "提升", "策略"]),  # L189 `【关键词】a b c`
        (9, []),
        (10, []),
        (11, []),
    ],
)
def test_essay_keywords(doc, number, keywords):
    assert essay(doc, number).keywords == keywords


@pytest.mark.parametrize("number", range(1, 12))
def test_no_site_noise_in_any_essay(doc, number):
    e = essay(doc, number)
    text = e.full_text()
    for noise in ("推荐阅读", "下载文档", "相关文档", "最新文档", "合集下载", "百度文"):
        assert noise not in text
    for r in e.references:
        assert "推荐阅读" not in r.text


@pytest.mark.parametrize("number", range(1, 12))
def test_collection_title_line_not_repeated_as_text(doc, number):
    e = essay(doc, number)
    for p in all_paragraphs(e):
        assert p.strip() != COLLECTION_TITLE
        assert not p.strip().startswith(COLLECTION_TITLE + " 篇")
        # no line that is only a page number
        assert not p.strip().isdigit()
    for s in e.sections:
        assert s.heading != COLLECTION_TITLE


@pytest.mark.parametrize("number", range(1, 12))
def test_keywords_and_reference_lines_are_not_text(doc, number):
    e = essay(doc, number)
    for p in all_paragraphs(e):
        assert not p.startswith("关键词")
        assert not p.startswith("【关键词】")
        assert p not in ("参考文献", "【参考文献】")
        assert not p.startswith("[1]")


# --------------------------------------------------------------------------- 篇1


class TestEssay1:
    OUTLINE = [
        (1, "一", "加快发展现代农业", None),  # L6
        (1, "二", "统筹城乡发展,加快劳动力转移", None),  # L10, closing 。 dropped
        (2, "1", "要加强技能培训,提高综合素质,适应产业结构升级要求,增加就业能力", 1),  # L12
        (
            2,
            "2",
            "加快劳动力市场建设,提高农村劳动力的组织化、市场化水平,有效加快农村劳动力转移进程",
            1,
        ),
        (2, "3", "推动农业内部就业", 1),  # L14, rest of paragraph is text
        (2, "4", "招商引资,发展农产品加工企业,以加工促生产,增加就业岗位", 1),
        (2, "5", "加快农村社区建设", 1),  # L16
        (1, "三", "创新生活管理", None),  # L17
        (2, "1", "转变作风,深入基层,密切党与农民群众的血肉联系", 7),  # L20
        (2, "2", "倾听呼声,化解矛盾,着力解决好影响农村社会和谐稳定的突出问题", 7),  # L21-22
        (2, "3", "加强管理,强化调处,构建与农村和谐社会相适应的社会管理模式", 7),  # L23
    ]

    def test_outline(self, doc):
        assert outline(essay(doc, 1)) == self.OUTLINE

    def test_intro(self, doc):
        # L3 repeats the collection title and is noise; the intro is L4 and L5.
        p = paras(essay(doc, 1).intro)
        assert len(p) == 2
        assert p[0].startswith("城郊乡位于县城周边,随着我县城市框架的日益拉大")
        assert p[0].endswith("根据特殊的地理位置,我们乘势而上,务实重干,努力发展城郊型经济。")
        assert p[1].startswith("如何坚持“重在持续、重在提升、重在统筹、重在为民”的实践要领,")
        # a line ending in `:` is a complete lead-in, not a line broken mid-sentence
        assert p[1].endswith("结合我乡实际,我们需要做好以下工作:")

    def test_ordinal_leads_are_text(self, doc):
        # 首先/其次/第三 (L7-L9) never stand alone in 篇1: they stay text of section 一.
        p = paras(essay(doc, 1).sections[0].text)
        assert len(p) == 3
        assert p[0].startswith("首先,要提升发展意识。要正确认识“三农”现阶段的特征:")
        assert p[1].startswith("其次,要深化改革创新,提升发展水平。")
        assert p[2].startswith("第三,要提升领导水平。")
        assert p[2].endswith("便于在现在农业发展过程中为农民出主意、指方向、解难题。")

    def test_section_texts(self, doc):
        s = essay(doc, 1).sections
        assert s[1].text == (
            "我乡人地关系紧张,失地农民多,面临的矛盾和问题多,因此,必须统筹城乡发展,"
            "加快劳动力转移,缓解人地关系紧张的矛盾,才能消除潜在的各种隐患。"
        )
        assert s[2].text == ""
        assert s[3].text == ""
        assert s[4].text == (
            "大力推进农业结构调整,加快土地流转,以产业化带动特色农业和畜牧业发展,"
            "充分挖掘农业增长潜力,开辟农业内部就业渠道。"
        )
        assert s[5].text == ""
        assert s[6].text.startswith(
            "以社区服务管理的经营性服务提供就业岗位。一是市场化的生活服务。"
        )
        assert s[6].text.endswith("而且富裕劳动力也具有提供服务的能力。")
        p = paras(s[7].text)
        assert p[0] == (
            "当前,我乡经济发展正处于转型时期,创新社会管理,"
            "破解转型期农村社会关系复杂化和矛盾多样化的难题的当务之急。"
        )
        assert p[1].startswith("要坚持思想上尊重群众、感情上贴近群众、工作上依靠群众,")
        assert p[1].endswith("鉴于此,我们必须:")
        assert len(p) == 2
        assert s[8].text.startswith("要把农民群众满意不满意作为出发点和落脚点,")
        assert s[8].text.endswith("真正做到思想上尊重群众、感情上贴近群众、工作上依靠群众。")
        assert s[10].text.startswith("要进一步加强农村基层党组织建设。")
        assert s[10].text.endswith("建立、完善与之相适应的农村社会管理模式。")

    def test_line_broken_mid_word_is_joined(self, doc):
        # L21 stops at `处置方` (no closing punctuation), L22 continues `式和处理结果`.
        text = essay(doc, 1).sections[9].text
        assert "\n" not in text
        assert "处置方式和处理结果" in text
        assert text.startswith("要把积极化解社会矛盾作为加强和创新社会管理的突破口。")
        assert text.endswith("维护好他们对生活、对未来的美好预期。")

    def test_no_references(self, doc):
        assert essay(doc, 1).references == []


# --------------------------------------------------------------------------- 篇2


class TestEssay2:
    OUTLINE = [
        (1, "一", "统筹城乡就业有利于缓解农村就业压力", None),  # L27
        (1, "二", "统筹城乡就业有利于加快农村劳动力转移", None),  # L31
        (2, "1", "逐步建立城乡统一的劳动力市场, 实现进城务工农村劳动力的平等地位", 1),  # L32 `1、`
        (2, "2", "加强农村劳动力转移培训, 加快农村劳动力转移", 1),  # L34 `2. ` same style
        (2, "3", "加大各项政策落实力度, 促进农村劳动力转移", 1),
        (2, "4", "建立农村劳动力转移跟踪制度, 加快农村劳动力转移", 1),
        (1, "三", "农村劳动力转移的现状特点", None),  # L40
        (2, "1", "农村劳动力转移的规模日趋扩大", 6),
        (2, "2", "农村劳动力转移周期由短期向长期转变", 6),
        (2, "3", "农村劳动力转移方向感增强", 6),  # L45
        (3, "(1)", "由经济不发达地区向经济发达地区转移", 9),  # L46
        (3, "(2)", "人口稠密地区向人口稀疏地区转移", 9),  # L47
        (2, "4", "农村劳动力转移稳定性增强", 6),  # L48: style `1.` closes back to level 2
        (1, "四", "农村劳动力转移效益凸显", None),  # L50
        (2, "1", "农民增加收入的重要途径", 13),
        (2, "2", "促进了农业部门劳动生产率的增长", 13),
        (2, "3", "使大量资金由城镇流向农村, 弥补了农村经济发展的资金短缺问题", 13),
        (2, "4", "提高了农村劳动力的个人素质", 13),
        (2, "5", "推动了城市经济发展, 扩大了就业需求", 13),
    ]

    def test_outline(self, doc):
        assert outline(essay(doc, 2)) == self.OUTLINE

    def test_intro(self, doc):
        # L25 is the keywords line, not intro. MARKUP.md says nothing about the `, ` spacing
        # of this essay: the text is kept as printed.
        intro = essay(doc, 2).intro
        assert "\n" not in intro
        assert intro.startswith("党的十六大在规划全面建设小康社会的奋斗目标时, ")
        assert intro.endswith("推动了城乡就业一体化建设。")
        assert "关键词" not in intro

    def test_section_texts(self, doc):
        s = essay(doc, 2).sections
        p = paras(s[0].text)
        assert len(p) == 3
        assert p[0].startswith("统筹城乡就业一体化是指在社会主义市场经济条件下, ")
        assert p[2].endswith("充分享受城市化经济发展和社会文明的成果。")
        assert s[1].text == ""
        assert s[2].text.startswith(
            "各级政府及各有关部门, 要按照公平竟争、合理配置人力资源的原则, "
        )
        assert s[2].text.endswith("促进农村劳动力在城乡间的转移。")
        assert s[9].text == ""  # 三.3 has only its (1) (2) items
        assert s[11].text.startswith("中西部地区是农村劳动力的主要输出地区。")
        assert s[11].text.endswith("以上9省份合计占全部外出劳动力的71.3%。")
        assert s[13].text == ""
        assert s[15].text.startswith("农业劳动生产率=农业增加值/农业从业人员。")
        # the last section stops before `参考文献` (L61)
        assert s[18].text.endswith("刺激了就业市场, 扩大了就业需求。")
        assert "参考文献" not in s[18].text

    def test_ocr_spaced_digits_are_joined(self, doc):
        e = essay(doc, 2)
        text = e.full_text()
        assert "2003年" in text and "2 0 0 3年" not in text  # L46
        assert "600万" in text and "6 0 0万" not in text  # L42
        assert "27.5%" in text and "2 7.5%" not in text  # L46
        assert "71.3%" in text and "7 1.3%" not in text  # L47
        assert "我国农村剩余劳动力每年还将以600万人左右的速度递增。" in e.sections[7].text
        item1 = e.sections[10].text
        assert item1.startswith("东南沿海经济发达地区成为跨省流动的首选地区。")
        assert "2003年, 到广东就业的外出劳动力占外出劳动力总数的10.1%," in item1
        assert "上述6个地区合计吸纳农村外出劳动力的27.5%。" in item1

    def test_references(self, doc):
        refs = essay(doc, 2).references
        # label keeps the brackets, as number labels do ((一), (1)).
        # MARKUP.md: "for articles the journal name as publisher". [3] [5] [6] [7] [8] carry
        # no type letter but are plainly journal articles (`Title.Journal, year (issue)`), so a
        # careful reader still takes the journal name as publisher.
        assert [ref_tuple(r) for r in refs] == [
            (
                "[1]",
                "M",
                2002,
                "郑功成等",
                "中国社会保障制度变迁与评估",
                "中国人民大学出版社",
                "北京",
            ),
            ("[2]", "M", 2004, "郑功成", "关注民生", "人民出版社", "北京"),
            (
                "[3]",
                "",
                2004,
                "赵国栋",
                "我省农村剩余劳动力转移与城乡就业问题研究 (下)",
                "商丘师范学院报",
                "",
            ),
            ("[4]", "J", 2001, "罗斌殷善福", "论城乡就业统筹的必要性", "农业经济问题", ""),
            ("[5]", "", 2004, "寒冰", "城乡就业一体化的积极探索", "四川劳动保障", ""),
            (
                "[6]",
                "",
                2001,
                "罗斌王亚东",
                "中国城乡就业统筹及其实施障碍分析",
                "华中农业大学学报",
                "",
            ),
            ("[7]", "", 2006, "李元文", "对农村劳动力转移就业问题的思考", "发展论坛", ""),
            (
                "[8]",
                "",
                None,
                "徐震",
                "农村劳动力转移就业是促进农民增收的现实选择",
                "中共合肥市党校学报",
                "",
            ),
        ]
        # MARKUP.md does not say whether `text` repeats the label; it holds the entry.
        assert "郑功成等:中国社会保障制度变迁与评估[M].北京:中国人民大学出版社, 2002.11" in (
            refs[0].text
        )
        assert "徐震:农村劳动力转移就业是促进农民增收的现实选择.中共合肥市党校学报." in (
            refs[7].text
        )


# --------------------------------------------------------------------------- 篇3


class TestEssay3:
    # four `——` lines: all level-1 bullet headings with an empty number, no subtitle
    OUTLINE = [
        (1, "", "强化基础、提高质量、增强效益,做强现代农业", None),  # L71
        (1, "", "生态发展、规模发展、提升品味,做大特色产品加工业", None),  # L74
        (1, "", "以民为本、关注民情、改善民生,打造幸福榆树", None),  # L77
        (1, "", "集中力量、加强领导、城乡互动,建设“三化”统筹示范区", None),  # L82
    ]

    def test_outline(self, doc):
        assert outline(essay(doc, 3)) == self.OUTLINE

    def test_intro_is_empty(self, doc):
        assert essay(doc, 3).intro == ""

    def test_section_texts(self, doc):
        s = essay(doc, 3).sections
        p = paras(s[0].text)
        assert len(p) == 2
        assert p[0].startswith("农业发展是县域经济发展的基础和保障。")
        assert p[0].endswith("全市“三品”产品实现增收2.8亿元。")
        # an unnumbered lead sentence followed by text in the same paragraph is text
        assert p[1].startswith("加大组织创新力度,提高农业生产力水平。为破解一家一户")
        assert p[1].endswith("有力推动了榆树现代农业的深入发展。")
        p = paras(s[1].text)
        assert len(p) == 2
        assert p[1] == (
            "科技创新、打造品牌,提升企业竞争力。榆树市出台各项优惠政策,"
            "鼓励和引导企业与科研单位进行产学研对接、帮助建立科学管理体系、"
            "引进高端人才和现代企业经营模式等方式,打造了“榆树钱”、“吉久王”、"
            "“榆树大米”、“榆树干豆腐”、“蜀娇猪肉”、“绿邦猪肉”、“绿邦速冻玉米”"
            "等一批国家级和省级知名品牌。"
        )
        p = paras(s[2].text)
        assert len(p) == 4
        assert p[0].startswith("城镇化建设是经济发展的强大拉动力,是改善民生的一项重要举措。")
        assert p[3].startswith("和谐稳定程度大大提高。")
        assert p[3].endswith("探索实践了社会管理“四六”工作法。")
        # the last bullet ends the essay: a heading without text
        assert s[3].text == ""

    def test_no_references(self, doc):
        assert essay(doc, 3).references == []


# --------------------------------------------------------------------------- 篇4


class TestEssay4:
    # Ordinal leads stand alone here (L90 `首先要…。`, L93 `其次要…。`): every ordinal-led
    # paragraph with a short first sentence is a heading one level below the current one
    # (no numbered heading yet, so level 1), lead kept, number "".
    OUTLINE = [
        (1, "", "首先要具备强烈的服务意识、端正的服务态度和高超的服务技巧", None),  # L90
        (1, "", "其次要实行公开承诺制", None),  # L93
        (1, "", "再者,要充分利用内网和发达数据库技术", None),  # L95
        (1, "", "第四,要正确对待投诉,在学院内部全面建立申诉制度", None),  # L97
    ]

    def test_outline(self, doc):
        assert outline(essay(doc, 4)) == self.OUTLINE

    def test_intro(self, doc):
        # L85-L89; lines ending in `:` are complete and not joined to the next line.
        p = paras(essay(doc, 4).intro)
        assert len(p) == 5
        assert p[0].startswith("借用现代管理学的观点,人事部门主要面对的是内部客户,")
        assert p[0].endswith("内部客户服务是人事部门的最重要工作。服务范畴具体如下:")
        assert p[1].startswith("为高层管理层提供:人力资源规划;")
        assert p[2] == (
            "为一线部门:提供优秀人才;和部门一道实现人尽其能,岗位设置和人员相匹配;"
            "部门及工作人员绩效考核与反馈。"
        )
        assert p[3] == (
            "为员工提供:技能提升、潜能开发、激励关怀、职业生涯规划与发展。"
            "以实现员工与单位和谐发展,体现以人为本的目标。"
        )
        assert p[4] == "对于人事部门的工作人员如何做好内部客户服务,我们认为:"

    def test_section_texts(self, doc):
        s = essay(doc, 4).sections
        p = paras(s[0].text)
        assert len(p) == 2
        assert p[0].startswith("意识是基础和前提。没有服务意识,服务态度和服务技巧无从谈起。")
        # `其次,` / `再次,` inside a paragraph are not headings
        assert "其次,我们要加强沟通" in p[0]
        assert p[1].startswith("高超的服务技巧使坏事变好事,")
        assert p[1].endswith("想方设法为内部客户着想。")
        assert s[1].text.startswith("现在政府都在改进工作作风和提高工作效率。")
        assert s[1].text.endswith("但我们必须及时做出说明。")
        assert "\n" not in s[1].text
        # MARKUP.md lists no rule for the stray space in `网络 技术` (L96): kept as printed.
        assert s[2].text.endswith("或者寻求专业人士的帮助,购买专业的管理软件。")
        p = paras(s[3].text)
        assert len(p) == 2
        assert p[0].startswith("人事部门既要代表学院又要考虑广大职工的利益,容易成为矛盾的焦点。")
        assert p[1].endswith("我们的工作就会有大的进步。")

    def test_no_references(self, doc):
        assert essay(doc, 4).references == []


# --------------------------------------------------------------------------- 篇5


class TestEssay5:
    def test_no_headings(self, doc):
        assert outline(essay(doc, 5)) == []

    def test_intro_is_whole_essay(self, doc):
        p = paras(essay(doc, 5).intro)
        assert len(p) == 6  # L101-L106
        assert p[0] == (
            "以前我都觉得“为人民服务”这个对我们学生来说很空很大,"
            "可今天听了政法学院李芳教授讲党的宗旨,让我明白了为什么我们党要为人民服务,"
            "我们怎样为人民服务。"
        )
        assert p[1].startswith("李芳教授在课上问同学们有没有加入什么社团。")
        assert p[2].startswith("同样的,我们可以加入中国共产党,也可以不加入中国共产党,")
        # `第三个层面` inside the paragraph is not a heading
        assert p[3].startswith("我们党之所以要为人民服务,教授从三个层次进行了分析,")
        assert p[4].startswith("“圣人不积,既以为人,己愈有;既己与人,己愈多。”")
        assert p[5] == (
            "所以我主动联系了圣兵爱心社,把自己不用的书籍,衣物和日常用品捐给了需要的孩子。"
            "我想,我会继续向那些优秀的共产党员学习,坚持为人民服务,提升自己的人格素养。"
        )

    def test_no_references(self, doc):
        assert essay(doc, 5).references == []


# --------------------------------------------------------------------------- 篇6


class TestEssay6:
    # L108 `课程背景` is an unnumbered heading (level 1); the `◆` headings after it start again
    # at level 1; `第N模块` opens level 2, `1.` opens level 3.
    OUTLINE = [
        (1, "", "课程背景", None),  # 0  L108
        (1, "", "课程目标", None),  # 1  L112
        (1, "", "课程对象", None),  # 2  L116
        (1, "", "课程时间", None),  # 3  L118
        (1, "", "授课方式", None),  # 4  L120
        (1, "", "课程提要", None),  # 5  L122 `◆课程提要` (no space)
        (2, "第一模块", "树立优质客户服务意识:“增值服务---服务增值”", 5),  # 6  L123
        (3, "1", "优质客户服务的优势与重要性认知", 6),
        (3, "2", "因服务不良造成的客户流失给公司所带来的损失剖析", 6),
        (3, "3", "客户,公司和我们自己之间的关系剖析", 6),
        (3, "4", "如何成为一个全员客户服务者", 6),
        (3, "5", "如何通过客户服务,赢得对方与你的合作与配合?", 6),  # 11 `?` kept
        (2, "第二模块", "客户服务的不同层次与衡量标准—建立服务标准", 5),  # 12 L130
        (3, "1", "客户服务的不同层次(五大层次)", 12),
        (3, "2", "什么是客户服务的最高层次", 12),
        (3, "3", "什么是差劲的客户服务", 12),  # L133 `3..`
        (3, "4", "寻找差距与不足的源头", 12),
        (3, "5", "判定客户服务优劣的标准", 12),  # 17
        (2, "第三模块", "客户服务理念、行为与礼仪", 5),  # 18 L137
        (3, "1", "对客户的正确性认知", 18),
        (3, "2", "如何理解通过服务客户使公司赢利的厉害关系", 18),
        (3, "3", "哪些语言、行为是不符合客户服务要求的", 18),  # L140, glued `4.` split off
        (3, "4", "公司内外产生客户服务问题的“关键时刻”", 18),
        (3, "5", "必须建立的客户服务礼仪规范要点", 18),  # 23
        (2, "第四模块", "由态度,性格及沟通方式决定的客户服务偏好", 5),  # 24 glued in L142
        (3, "1", "客户服务偏好是提供优秀客户服务的前提", 24),
        (3, "2", "树立客户服务的积极态度", 24),
        (3, "3", "确认客户的性格特征", 24),
        (3, "4", "确认自己及客户的沟通方式", 24),
        (3, "5", "MBTI客户服务三维方法", 24),  # 29
        (2, "第五模块", "如何实现客户满意—并超越客户期望值", 5),  # 30 L150
        (3, "1", "5个超越客户期望值模型", 30),  # L151 `1.5个…` is item 1
        (3, "2", "如何在不增加额外成本的前提下实现超越客户期望值", 30),
        (3, "3", "客户服务中实现满意度的流程", 30),
        (3, "4", "如何满足客户需要的六大实用方法", 30),
        (3, "5", "成功客户服务,超越客户期望值的决定性因素", 30),  # 35
        (2, "第六模块", "关键客户服务技巧分享", 5),  # 36 glued in L156
        (3, "1", "客户服务中的八大积极态度", 36),
        (3, "2", "客户服务中的优质沟通技能", 36),
        (3, "3", "客户服务过程中的危杨处理方法剖析", 36),
        (3, "4", "五大高效的客户投诉处理与方法", 36),
        (3, "5", "四招实用的客户关系维持、巩固与固化方法", 36),  # 41
    ]

    def test_outline(self, doc):
        assert outline(essay(doc, 6)) == self.OUTLINE

    def test_intro_is_empty(self, doc):
        assert essay(doc, 6).intro == ""

    def test_course_background(self, doc):
        p = paras(essay(doc, 6).sections[0].text)
        assert len(p) == 3
        assert p[0] == (
            "美国营销管理教父科特勒说:“对待客户应该像对待一个你真心喜欢的恋人,"
            "好的客户服务实际就是一则成功的恋爱经。”"
        )
        assert p[1].startswith("在商品同质化、竞争白热化的市场经济环境中,")
        assert p[2].endswith("以确保达到提升服务意识、传播服务理念、提升服务水准的目标!")

    def test_bullet_section_texts(self, doc):
        s = essay(doc, 6).sections
        # `1提升学员…` (digit glued to text, no separator) is text of the current section
        p = paras(s[1].text)
        assert len(p) == 3
        assert p[0] == "1提升学员以客户为中心的全面服务意识与品质;"
        assert p[1] == "2使学员牢牢树立为顾客提供增值服务以赢取市场的正确观念;"
        assert p[2].startswith("3提高学员的人际素质与各项服务技能,")
        assert p[2].endswith("提升公司销售和利润。")
        assert s[2].text == "公司销售副总、销售经理、市场推广经理等中层以上营销管理者"
        assert s[3].text == "二天,12小时"
        assert s[4].text == "理论讲授 + 案例分析 + 情景模拟 + 小组分享讨论 + 讲师热点点评"
        assert s[5].text == ""
        assert s[6].text == ""

    def test_case_lines_are_text_of_current_item(self, doc):
        s = essay(doc, 6).sections
        assert s[11].text == "案例分析: 上海老凤祥银楼导购王娟的增值服务理念分享"  # L129
        assert s[17].text == "案例分析:上海波特曼大酒店的五星服务品质"  # L136
        # L142: the glued `第四模块 …` is split off, the case stays with 第三模块 item 5
        assert s[23].text == "案例:某酒楼品牌啤酒终端导购林小姐一句话损失500元的过错分析"
        assert s[24].text == ""
        assert s[29].text == "案例分析:沟通传递方式\n游戏:数字接龙"  # L148-L149
        # L156: the glued `第六模块:…` is split off
        assert s[35].text == ("案例: 为什么写字楼某IT公司80名员工不再购买快食林快餐店的午餐?")
        assert s[36].text == ""
        assert s[21].text == ""  # L140 item 3 has no text after the split
        assert s[41].text == ""

    def test_no_references(self, doc):
        assert essay(doc, 6).references == []


# --------------------------------------------------------------------------- 篇7


class TestEssay7:
    # `1 ` labels, dotted `2.1` / `2.1.1` add a level per depth. Items whose first sentence
    # is longer than 50 characters keep the number with an empty heading (2.2.3, 2.3.2,
    # 2.3.3, 3.1, 3.2, 3.3). MARKUP.md names 2.3.2 and 3.1-3.3; 2.2.3 (L179, 59 chars) and
    # 2.3.3 (L183, 88 chars) are single sentences over 50 characters exactly like 2.3.2, so
    # the same rule applies to them.
    OUTLINE = [
        (1, "1", "基本情况", None),  # 0  L163
        (1, "2", "加强农村基层医疗卫生的主要做法", None),  # 1  L165
        (2, "2.1", "全面部署, 逐步推进镇村卫生服务一体管理", 1),  # 2
        (3, "2.1.1", "实施镇村医疗卫生一体化管理背景", 2),
        (3, "2.1.2", "镇村卫生服务一体化管理过程", 2),
        (3, "2.1.3", "镇村医疗卫生一体化管理的内容", 2),  # 5
        (2, "2.2", "结合实际情况, 城乡统筹发展社区卫生服务", 1),  # 6
        (3, "2.2.1", "与镇村医疗卫生一体化管理有机结合", 6),
        (3, "2.2.2", "明确镇医院的社区卫生服务中心职责", 6),
        (3, "2.2.3", "", 6),  # 9
        (2, "2.3", "积极利用各方资源, 支持农村基层医疗卫生事业的发展", 1),  # 10
        (3, "2.3.1", "借助人大和政协的力量, 大力发展社区卫生服务", 10),
        (3, "2.3.2", "", 10),
        (3, "2.3.3", "", 10),  # 13
        (1, "3", "成效", None),  # 14 L184
        (2, "3.1", "", 14),
        (2, "3.2", "", 14),
        (2, "3.3", "", 14),  # 17
    ]

    def test_outline(self, doc):
        assert outline(essay(doc, 7)) == self.OUTLINE

    def test_intro_is_empty(self, doc):
        assert essay(doc, 7).intro == ""

    def test_section_texts(self, doc):
        s = essay(doc, 7).sections
        assert s[0].text.startswith(
            "中山市位于广东珠江三角洲中南部, 下设19个镇、5个区, 为不设县的地级市, "
        )
        assert s[0].text.endswith("就近提供公共卫生服务和基本医疗服务。")
        assert s[1].text == ""
        assert s[2].text == ""
        assert s[3].text.startswith("在上世纪80年代中期, 由于原有农村合作医疗制度的“名存实亡”, ")
        assert s[3].text.endswith("就成了迫切面临解决的问题。")
        # ordinal leads 第一/第二/… are text here: none stands alone
        p = paras(s[5].text)
        assert len(p) == 4
        assert p[0].startswith("第一, 从业人员的一体化管理。首先, ")
        assert p[1].startswith("第二, 基层医疗卫生机构作为镇医院医疗卫生服务的延伸, ")
        assert p[2].startswith(
            "第三, 镇医院按区域卫生规划合理统筹规划辖区内基层医疗卫生机构的设置, "
        )
        assert p[3].startswith("第四, 设备设施由镇医院统一进行更新配置, ")
        assert p[3].endswith("逐步缩小了与镇医院、市级医院间的差距。")
        assert s[7].text.startswith("考虑到中山市经济较发达, 城镇化进程快, 城乡差距小, ")
        assert s[7].text.endswith("转型为社区卫生服务机构。")
        assert s[8].text.startswith("镇医院的院长同时兼任社区卫生服务中心的主任, ")

    def test_long_first_sentence_is_text(self, doc):
        s = essay(doc, 7).sections
        assert s[9].text == (
            "社区卫生服务机构作为镇医院 (社区卫生服务中心) 的外派科室, "
            "在镇医院的统一协调和支持下负责完成各项社区卫生服务工作。"
        )
        assert s[12].text.startswith("通过与社保部门共同努力, 从2008年开始, ")
        assert s[12].text.endswith("引导群众到基层医疗卫生网点就医。")
        assert s[13].text.startswith("与民政、残联等部门合作, ")
        assert s[15].text.startswith("中山市已基本建成覆盖全市城乡的基本医疗卫生服务网络, ")
        assert s[15].text.endswith("在保障人民群众健康上发挥着越来越重要的作用。")
        assert s[16].text.startswith("全面实行了镇村卫生一体化管理, ")
        assert s[17].text == (
            "以镇医院作为主要的技术和资源支撑, 从而充分保障了基层医疗卫生机构的服务水平和质量, "
            "为实现“小病在社区, 大病到医院, 康复回社区”的理想就医模式打下了坚实的基础。"
            "在2008年, 中山市社区卫生服务机构门急诊人次数占全市总门诊人次数的比例已达到了74.9%。"
        )

    def test_no_references(self, doc):
        assert essay(doc, 7).references == []


# --------------------------------------------------------------------------- 篇8


class TestEssay8:
    OUTLINE = [
        (1, "一", "引言", None),  # L190
        (1, "二", "如何提升党政管理服务意识", None),  # L192
        (2, "1", "摒弃官僚主义思想", 1),
        (2, "2", "不断学习新的党政管理方式", 1),
        (2, "3", "在日常工作中强化服务意识", 1),
        (2, "4", "构建服务对象评价机制", 1),
        (1, "三", "结束语", None),  # L203
    ]

    def test_outline(self, doc):
        assert outline(essay(doc, 8)) == self.OUTLINE

    def test_intro_is_empty(self, doc):
        # only the keywords line stands before 一、引言, and it is not text
        assert essay(doc, 8).intro == ""

    def test_section_texts(self, doc):
        s = essay(doc, 8).sections
        assert s[0].text.startswith(
            "信息时代的到来使得社会形势不断发生变化,教育事业改革也不断深入。"
        )
        assert s[0].text.endswith("具有一定的实践价值和参考意义。")
        assert s[1].text.startswith("从目前来看,市委党校管理服务工作在整体上说是比较好的。")
        p = paras(s[4].text)
        assert len(p) == 2
        assert p[0].endswith("每一项细微的工作都是锻炼、强化管理人员服务意识的大好机会。")
        assert p[1].startswith("服务意识的具体体现就是工作人员的责任心,")
        assert s[6].text.endswith("为构建社会主义和谐社会奠定良好的群众基础!")
        assert "参考文献" not in s[6].text

    def test_references(self, doc):
        refs = essay(doc, 8).references
        assert [ref_tuple(r) for r in refs] == [
            ("[1]", "J", 2012, "王涛", "高等院校党政管理工作实施探析", "才智", ""),
        ]
        assert "高等院校党政管理工作实施探析[J].才智, 2012(01)." in refs[0].text


# --------------------------------------------------------------------------- 篇9


class TestEssay9:
    OUTLINE = [
        (1, "一", "工商政务信息公开存在的问题", None),  # L208
        (2, "(一)", "认识不够", 0),  # L210 heading + text in one paragraph
        (2, "(二)", "加工不够", 0),
        (2, "(三)", "利用不够", 0),
        (2, "(四)", "公开不够", 0),
    ]

    def test_outline(self, doc):
        assert outline(essay(doc, 9)) == self.OUTLINE

    def test_intro_is_empty(self, doc):
        assert essay(doc, 9).intro == ""

    def test_section_texts(self, doc):
        s = essay(doc, 9).sections
        assert s[0].text.startswith("工商政务信息公开,就是工商行政管理机关将履行职能过程中")
        assert s[0].text.endswith("工商政务信息公开还存在一些需要解决的问题。")
        assert s[1].text.startswith(
            "我国漫长的封建专制历史形成了行政机关信息独占、封闭行政的思维和官本位思想。"
        )
        assert s[1].text.endswith("未能全面和正确履行政务信息公开的义务和职责。")
        assert s[2].text.startswith("工商部门作为政府重要职能部门,")
        assert s[3].text.startswith("对信息资源的开发和利用缺乏科学认识,")
        assert s[4].text.startswith("工商政务信息公开缺乏统一标准,")
        assert s[4].text.endswith("查全率、查准率不理想。")

    def test_no_references(self, doc):
        assert essay(doc, 9).references == []


# --------------------------------------------------------------------------- 篇10


class TestEssay10:
    OUTLINE = [
        (1, "一", "以队伍建设为基础,提升办公室优质服务意识", None),  # L216
        (1, "二", "以制度建设为根本,提升办公室优质服务水平", None),  # L221
        (1, "三", "以提高业务能力为着力点,增强办公室优质服务能力", None),  # L227
    ]

    def test_outline(self, doc):
        assert outline(essay(doc, 10)) == self.OUTLINE

    def test_intro(self, doc):
        assert essay(doc, 10).intro == (
            "办公室作为公司各级单位和部门的运转中枢,是承上启下、联系左右、协调各方的桥梁和纽带,"
            "因此,加强办公室工作,提升服务意识就显得尤其重要。随着集团的快速发展,"
            "公司的生产能力和赢利能力都在不断提升,社会影响力和行业影响力也在持续扩大,"
            "做为公司董办、总办、党办三办合一的综合性办公室,提升服务意识,做好各项工作,意义重大。"
        )

    def test_section_texts(self, doc):
        s = essay(doc, 10).sections
        p = paras(s[0].text)
        assert len(p) == 4  # L217-L220; `一是…` / `二是…` are not headings
        assert p[0].startswith("公司办公室现有职工64人,其中45岁以下的52人,占总人数的78﹪;")
        assert p[1].startswith("一是加强思想建设,在政治上求强。")
        assert p[3].startswith("三是加强作风建设,在工作上求实。")
        assert p[3].endswith("努力树立办公室的新形象。")
        p = paras(s[1].text)
        assert len(p) == 5  # L222-L226
        assert p[1].startswith("但如何让这种积极的因素转化为长效机制?")
        assert p[4].endswith("真正做到奖优罚劣,褒勤惩懒。")
        p = paras(s[2].text)
        assert len(p) == 3  # L228-L230
        assert p[2].endswith("将日常督查结果作为年终考核评先评优的重要依据。")

    def test_page_numbers_inside_sentences_are_removed(self, doc):
        text = essay(doc, 10).full_text()
        assert "任何时期都能从讲政治的高度和角度来观察问题" in text  # L218 `任何时 1 期`
        assert "时 1 期" not in text
        assert "多讲一些职工愿意听、听得懂的话。" in text  # L220 `一些 2 职工`
        assert "我认为还需要加强制度建设。" in text  # L223 `还 3 需要`
        assert "坚持定期调度,及时总结工作," in text  # L226 `坚持 4 定期`
        assert "从基层工作汇报中概括经验信息," in text  # L229 `经 5 验`
        for n in "12345":
            assert f" {n} " not in text

    def test_no_references(self, doc):
        assert essay(doc, 10).references == []


# --------------------------------------------------------------------------- 篇11


class TestEssay11:
    OUTLINE = [
        (1, "一", "城乡公共文化服务的本质在“公益性”", None),  # 0  L232
        (2, "1", "政府主导, 供给主体多元", 0),
        (2, "2", "财政支撑, 社会力量参与", 0),
        (1, "二", "城乡公共文化服务供给标准遵循“基本性”原则", None),  # 3  L237
        (2, "1", "公共文化服务供给标准是发展的", 3),
        (2, "2", "各地应根据自身实际制定公共文化服务供给标准", 3),
        (2, "3", "要防止公共文化服务“过度福利化”", 3),
        (2, "4", "基本公共文化服务项目要依靠群众民主决策", 3),
        (1, "三", "城乡公共文化服务发展实现“均等化”", None),  # 8  L246
        (2, "1", "统筹城乡公共文化服务均等化是构建和谐社会的必然要求", 8),
        (2, "2", "城乡公共文化规划一体化是实现城乡公共文化服务均等化的前提", 8),
        (2, "3", "建立城乡统筹的公共财政体制是实现城乡公共文化服务均等化的基础", 8),
        (2, "4", "城乡文化互动融合是提高公共文化服务水平的有效途径", 8),
        (1, "四", "城乡居民获取基本公共文化服务实现“便利化”", None),  # 13 L255
        (2, "1", "社区公共文化场所、设施建设是城市居民便利享有公共文化服务的基础", 13),
        (2, "2", "农民集中居住是农村居民便利享有基本公共文化服务的前提", 13),
        (2, "3", "数字技术的广泛运用推动城乡公共文化服务便利化", 13),
    ]

    def test_outline(self, doc):
        assert outline(essay(doc, 11)) == self.OUTLINE

    def test_intro_is_empty(self, doc):
        assert essay(doc, 11).intro == ""

    def test_section_texts(self, doc):
        s = essay(doc, 11).sections
        assert s[0].text == ""
        assert s[1].text.startswith("凡公共服务, 政府必然是主导者, 公共文化服务也不例外。")
        assert s[1].text.endswith("构建公共文化服务“政府主导、多元供给”新格局。")
        # an in-text citation `[1]` is ordinary text
        assert "切实为群众提供更加丰富的公共文化服务项目和产品”。[1]当然, " in s[2].text
        assert s[6].text.endswith("需要与经济社会发展水平相适应。")
        assert s[11].text.startswith("公共财政是为满足社会公共需要, 以政府为主体进行的分配活动, ")
        # the closing paragraph L262 has no heading of its own: it stays with 四.3
        p = paras(s[16].text)
        assert len(p) == 2
        assert p[0].startswith("随着网络信息技术的广泛运用, 尤其是“云计算”的出现, ")
        assert p[0].endswith("这是网络技术无法替代的。")
        assert p[1].startswith("构建城乡一体的公共文化服务体系, ")
        assert p[1].endswith("公共文化服务体系必将得到建立、健全和完善。")
        assert "参考文献" not in s[16].text

    def test_references(self, doc):
        refs = essay(doc, 11).references
        # L264 `(1) (3) …`: the double label is kept as printed.
        assert [ref_tuple(r) for r in refs] == [
            (
                "(1) (3)",
                "Z",
                2012,
                "中共成都市委, 成都市人民政府",
                "关于深入开展国家公共文化服务体系示范区创建工作的实施意见 (成委发[2012]12号)",
                "",
                "",
            ),
        ]
        assert "推荐阅读" not in refs[0].text
        assert refs[0].text.rstrip().endswith("[Z].2012.")
