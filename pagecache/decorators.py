"""What views use to let the page cache (:mod:`pagecache.middleware`) store their responses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponseBase

__all__ = ["MARK", "cacheable_page", "mark_cacheable"]

#: The attribute :func:`mark_cacheable` sets on a response.
MARK = "page_cacheable"


def mark_cacheable(response: HttpResponseBase) -> HttpResponseBase:
    """Mark ``response`` as the same for every anonymous reader until the content changes."""
    setattr(response, MARK, True)
    return response


def cacheable_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Decorate a view whose responses depend only on the URL, the language and the
    content: the page cache may store them (if they also pass its other checks)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return mark_cacheable(view(request, *args, **kwargs))

    return wrapper
