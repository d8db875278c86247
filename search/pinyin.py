"""Toneless pinyin: reading Chinese text as syllables and splitting typed pinyin.

The index keeps one syllable per Chinese character (:mod:`search.analysis`); a query
such as ``laodongli`` or ``zhong shan shi`` is split into syllables and matched as a
phrase, so it finds every text that reads that way.  ``ü`` is written ``v``.
"""

from __future__ import annotations

import functools
import re

from pypinyin import Style, lazy_pinyin
from pypinyin.core import Pinyin

# Every toneless syllable pypinyin knows, minus the interjections m, n, ng, hm, hng, r
# (which would make Latin abbreviations such as MBTI look like pinyin).
_SYLLABLE_TEXT = """
a ai an ang ao ba bai ban bang bao bei ben beng bi bian biang biao bie bin bing bo bong
bu ca cai can cang cao ce cei cen ceng cha chai chan chang chao che chen cheng chi chong
chou chu chua chuai chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai
dan dang dao de dei den deng di dia dian diao die din ding diu dong dou du duan dui dun
duo e ei en eng er fa fan fang fei fen feng fiao fo fou fu ga gai gan gang gao ge gei
gen geng gong gou gu gua guai guan guang gui gun guo ha hai han hang hao he hei hen heng
hong hou hu hua huai huan huang hui hun huo ji jia jian jiang jiao jie jin jing jiong
jiu ju juan jue jun ka kai kan kang kao ke kei ken keng kong kou ku kua kuai kuan kuang
kui kun kuo la lai lan lang lao le lei len leng li lia lian liang liao lie lin ling liu
lo long lou lu luan lun luo lv lve ma mai man mang mao me mei men meng mi mian miao mie
min ming miu mo mou mu na nai nan nang nao ne nei nen neng ni nia nian niang niao nie
nin ning niu nong nou nu nuan nun nuo nv nve o ou pa pai pan pang pao pei pen peng pi
pian piao pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu quan
que qun ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo sa sai san sang sao
se sen seng sha shai shan shang shao she shei shen sheng shi shou shu shua shuai shuan
shuang shui shun shuo si song sou su suan sui sun suo ta tai tan tang tao te tei teng ti
tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo wong wu
xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin
ying yo yong you yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang
zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi
zong zou zu zuan zui zun zuo"""
SYLLABLES = frozenset(_SYLLABLE_TEXT.split())
_LONGEST = max(map(len, SYLLABLES))
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN_WORD = re.compile(r"^[a-zü]+$")
# A split into more syllables than this is not what anyone types.
MAX_SYLLABLES = 12
MAX_SPLITS = 8


class _WordCachedPinyin(Pinyin):
    """pypinyin's ``lazy_pinyin`` with each segmented word's reading cached.

    pypinyin splits a run into words (its phrase dictionary), then reads each word on
    its own; the reading of a word never depends on its neighbours, so caching it per
    word gives exactly ``lazy_pinyin``'s result, without converting the same words
    again for every essay indexed.
    """

    def __init__(self) -> None:
        super().__init__()
        self._word = functools.lru_cache(maxsize=65536)(self._read_word)

    def _read_word(self, word: str) -> tuple[str, ...]:
        readings = self._converter.convert(word, Style.NORMAL, False, "default", strict=True)
        return tuple(syllable for reading in readings for syllable in reading)

    def read(self, run: str) -> list[str]:
        """The toneless reading of ``run``, as ``lazy_pinyin(run)`` gives it."""
        return [syllable for word in self.seg(run) for syllable in self._word(word)]


_PINYIN = _WordCachedPinyin()


def han_syllables(run: str) -> list[str]:
    """The toneless syllables of a run of Chinese characters, one per character."""
    syllables = _PINYIN.read(run)
    if len(syllables) != len(run):  # pypinyin grouped something it could not read
        syllables = [lazy_pinyin(char)[0] for char in run]
    return [syllable.replace("ü", "v").lower() for syllable in syllables]


@functools.lru_cache(maxsize=1024)
def split_syllables(word: str) -> tuple[tuple[str, ...], ...]:
    """The ways ``word`` (lower-case Latin letters) reads as a run of syllables.

    ``xian`` gives ``(("xian",), ("xi", "an"))``; a word that is no pinyin gives ``()``.
    Splits with fewer syllables come first (ties: longer first syllables first); at most
    ``MAX_SPLITS`` of them, each of at most ``MAX_SYLLABLES`` syllables.

    The splits are found by dynamic programming from the end of the word, keeping only
    the best ``MAX_SPLITS`` splits of each suffix: the best splits of the whole word are
    a first syllable followed by one of the best splits of the rest, so nothing better
    is dropped, and the work is linear in the word's length however many ways it can be
    read (``xiaoxiao…`` reads in 4ⁿ ways; all of them were once built).
    """
    word = word.replace("ü", "v")
    if not word or not _LATIN_WORD.match(word) or len(word) > MAX_SYLLABLES * _LONGEST:
        return ()
    size = len(word)
    # best[i]: the best splits of word[i:], shortest first, none over MAX_SYLLABLES.
    best: list[list[tuple[str, ...]]] = [[] for _ in range(size + 1)]
    best[size] = [()]
    for start in range(size - 1, -1, -1):
        found: list[tuple[str, ...]] = []
        for end in range(min(size, start + _LONGEST), start, -1):
            head = word[start:end]
            if head in SYLLABLES:
                found.extend((head, *rest) for rest in best[end] if len(rest) < MAX_SYLLABLES)
        found.sort(key=len)  # stable: longer first syllables stay first among equals
        best[start] = found[:MAX_SPLITS]
    return tuple(best[0])


def is_pinyin(word: str) -> bool:
    """Whether ``word`` can be read as toneless pinyin."""
    return bool(split_syllables(word))


_TONE_MARKS = str.maketrans(
    {
        **dict.fromkeys("āáǎà", "a"),
        **dict.fromkeys("ēéěèế", "e"),
        **dict.fromkeys("ōóǒò", "o"),
        **dict.fromkeys("īíǐì", "i"),
        **dict.fromkeys("ūúǔù", "u"),
        **dict.fromkeys("üǖǘǚǜ", "v"),
        **dict.fromkeys("ńňǹ", "n"),
        "ḿ": "m",
    }
)


@functools.cache
def _characters_by_syllable() -> dict[str, str]:
    """Every character pypinyin can read, by each of its toneless readings (heteronyms too)."""
    from pypinyin.pinyin_dict import pinyin_dict

    table: dict[str, list[str]] = {}
    for codepoint, readings in pinyin_dict.items():
        char = chr(codepoint)
        for reading in dict.fromkeys(readings.translate(_TONE_MARKS).split(",")):
            if reading in SYLLABLES:
                table.setdefault(reading, []).append(char)
    return {syllable: "".join(chars) for syllable, chars in table.items()}


def characters_reading(syllable: str) -> str:
    """The characters that can be read as ``syllable`` (toneless, ``ü`` as ``v``)."""
    return _characters_by_syllable().get(syllable, "")
