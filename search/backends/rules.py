"""The matching and ranking rules every search backend applies, in one place.

Both engines weigh fields, loosen unspaced queries, rank by closeness, spell pinyin
and correct homophone typos by these numbers, so the same query ranks the same way
whichever engine answers it (the shared suite in ``tests/search/backends`` checks it).
"""

from __future__ import annotations

import re

#: The field boosts, applied when scoring only (indexes store plain term frequencies).
TITLE_WEIGHT = 6.0
HEAD_WEIGHT = 3.0
#: An essay holding words of a loosened clause weighing more than this share matches it.
MOST_SHARE = 0.5
#: At most this many essays of the all-words tier (the best scored) are ranked by how
#: close the words stand (reading positions costs; the rest keep their score order).
CLOSENESS_CANDIDATES = 64
#: At most this many Chinese spellings are tried for one pinyin reading.
MAX_SPELLINGS = 64
#: A typed word is corrected to a homophone only when at most this share of its
#: characters differ (服物意识 → 服务意识: one of four).
MAX_CORRECTED_SHARE = 0.5
MAX_CORRECTED_LENGTH = 12
#: At most this many homophones are looked up in the index for one word.
MAX_CORRECTIONS_CHECKED = 16
#: BM25's term-frequency saturation and length normalisation.
K1 = 1.2
B = 0.75
#: A clause that is a year (2004) is also scored against the references' years.
YEAR = re.compile(r"^(19|20)\d\d$")
