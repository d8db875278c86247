"""Property tests: /search/ and /api/search/ never fail on what a client can send.

Arbitrary Unicode, whoosh and portal query syntax, huge and empty queries, and junk
``page``, ``topic`` and ``page_size`` values: the answer is a 200 (results or an empty
result), or a 400/404 with a Chinese message — never a 500 or 503 — and it comes within
a bounded time. Runs are deterministic (set ``PORTAL_FUZZ_RANDOM=1`` to explore new
examples) and keep no example database in the work tree.
"""

from __future__ import annotations

import os
import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

#: Seconds one request may take at most (the slowest legitimate search is far below).
REQUEST_BUDGET = 5.0
CHINESE = re.compile(r"[\u4e00-\u9fff]")

FUZZ = settings(
    max_examples=100,
    deadline=None,  # timed below, per request, with a clearer message
    database=None,
    derandomize=not os.environ.get("PORTAL_FUZZ_RANDOM"),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SYNTAX = st.sampled_from(
    [
        *"\" “ ” ＂ - － OR ＯＲ | ｜ AND NOT * ? ~2 ^3 ( ) [ ] { } : title: text: \\ / '".split(),  # noqa: SIM905
        *"城乡 统筹 農村 农 劳动力 laodongli zhong 2003年 74.9% ＭＢＴＩ <script> &amp; % _ 𠀀".split(),  # noqa: SIM905
        *["\u3000", "\x00", "\t", "\n", "\u200b", "\ufeff", "e\u0301"],
    ]
)
QUERIES = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(SYNTAX, st.text(max_size=4)), max_size=40).map(" ".join),
    st.lists(SYNTAX, max_size=60).map("".join),
    st.text(min_size=190, max_size=210),  # either side of the length limit
    st.text(alphabet="城乡统筹农村劳动力转移服务 ", min_size=300, max_size=20_000),
    st.just(""),
    st.just("   "),
)
JUNK = st.one_of(
    st.none(),
    st.text(max_size=20),
    st.integers(min_value=-(10**6), max_value=10**40).map(str),
    st.sampled_from(
        ["0", "-1", "1", "2", "50", "51", "1e3", "1.5", "１", "٣", "²", " 3 ", "0x10", "1" * 5000]
    ),
)
TOPICS = st.one_of(
    st.none(),
    st.sampled_from(["chengxiang-tongchou", "fuwu-yishi", "laodongli-zhuanyi", "nope", "../"]),
    st.text(max_size=30),
)


def _params(**values: str | None) -> dict[str, str]:
    return {key: value for key, value in values.items() if value is not None}


def _timed_get(client, path: str, params: dict[str, str]):
    started = time.monotonic()
    response = client.get(path, params)
    elapsed = time.monotonic() - started
    assert elapsed < REQUEST_BUDGET, f"{path} {params!r} took {elapsed:.1f} s"
    return response


@FUZZ
@given(q=QUERIES, page=JUNK, topic=TOPICS)
def test_search_page_answers_every_input(client, corpus, q, page, topic):
    response = _timed_get(client, "/search/", _params(q=q, page=page, topic=topic))
    assert response.status_code in {200, 400, 404}, response.status_code
    body = response.content.decode("utf-8")
    if response.status_code != 200:
        assert CHINESE.search(body)
    else:
        assert "<h1" in body


@FUZZ
@given(q=QUERIES, page=JUNK, topic=TOPICS, page_size=JUNK)
def test_search_api_answers_every_input(client, corpus, q, page, topic, page_size):
    params = _params(q=q, page=page, topic=topic, page_size=page_size)
    response = _timed_get(client, "/api/search/", params)
    assert response.status_code in {200, 400, 404}, response.status_code
    data = response.json()
    if response.status_code == 200:
        assert isinstance(data["results"], list) and data["count"] >= len(data["results"])
        assert 1 <= len(data["results"]) + 1 <= 51
    else:
        assert CHINESE.search(data["error"]), data
