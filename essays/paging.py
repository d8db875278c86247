"""Page-number parsing shared by the reading pages and the JSON API."""

from __future__ import annotations

import re
import unicodedata

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

_DIGITS = re.compile(r"[0-9]+")
#: Longer page numbers are past the last page of anything the portal holds.
MAX_PAGE_DIGITS = 9


class BadPage(Exception):
    """A page parameter that names no page; the message is for the user (Chinese)."""


def get_page(queryset: QuerySet, raw_page: str | None, *, per_page: int) -> Page:
    """The page ``raw_page`` (a query-string value, default 1) of ``queryset``.

    Full-width digits are accepted (``２`` is 2). Raises :class:`BadPage` with a Chinese
    message when the value is not a whole number, is below 1 or is past the last page.
    An empty queryset still has page 1, with no items.
    """
    text = unicodedata.normalize("NFKC", raw_page or "").strip() or "1"
    if not _DIGITS.fullmatch(text):
        raise BadPage("页码无效：页码必须是正整数。")
    if len(text.lstrip("0")) > MAX_PAGE_DIGITS:  # past any last page; int() has a limit
        raise BadPage("页码超出范围。")
    number = int(text.lstrip("0") or "0")
    if number < 1:
        raise BadPage("页码必须从 1 开始。")
    paginator = Paginator(queryset, per_page)
    if number > paginator.num_pages:
        raise BadPage(f"页码 {number} 超出范围：共 {paginator.num_pages} 页。")
    return paginator.page(number)
