"""``/healthz``: is the portal able to serve, and is the search index complete?

Checks, in order: the database answers; the live search index is present and readable;
the index holds exactly as many documents as the database has essays; the shared cache
(Redis, when ``PORTAL_CACHE_URL`` is set) answers. JSON; 200 when
every check passes, 503 otherwise, naming the checks that failed, e.g.
``{"status": "fail", "checks": {"database": {"ok": true, "essays": 12}, "index":
{"ok": false, "error": "…"}, "index_count": {"ok": false, …}}}``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from haystack import connections

from essays.models import Essay
from portal import shared_cache
from search.backend import IndexUnavailable

log = logging.getLogger(__name__)


def database_essay_count() -> int:
    """How many essays the database holds (raises DatabaseError when it is unreachable)."""
    return Essay.objects.count()


def index_document_count() -> int:
    """How many documents the live search index holds (raises IndexUnavailable)."""
    backend = connections["default"].get_backend()
    with backend.searcher() as searcher:
        return searcher.doc_count()


def health_report() -> dict[str, Any]:
    """Every check with its outcome; ``status`` is "ok" only when all passed."""
    checks: dict[str, dict[str, Any]] = {}
    essays = indexed = None
    try:
        essays = database_essay_count()
        checks["database"] = {"ok": True, "essays": essays}
    except DatabaseError as error:
        log.error("Health check: database unavailable: %s", error)
        checks["database"] = {"ok": False, "error": "数据库无法连接。"}
    try:
        indexed = index_document_count()
        checks["index"] = {"ok": True, "documents": indexed}
    except IndexUnavailable as error:
        log.error("Health check: search index unavailable: %s", error)
        checks["index"] = {"ok": False, "error": "搜索索引缺失或无法读取。"}
    if essays is None or indexed is None:
        checks["index_count"] = {"ok": False, "error": "无法比较：数据库或搜索索引不可用。"}
    elif essays != indexed:
        checks["index_count"] = {
            "ok": False,
            "error": f"搜索索引有 {indexed} 篇，数据库有 {essays} 篇：索引与数据库不一致。",
        }
    else:
        checks["index_count"] = {"ok": True}
    checks["shared_cache"] = shared_cache.check()
    healthy = all(check["ok"] for check in checks.values())
    return {
        "status": "ok" if healthy else "fail",
        "failed": [name for name, check in checks.items() if not check["ok"]],
        "checks": checks,
    }


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """``GET /healthz``: 200 when healthy, 503 with the failed checks otherwise."""
    report = health_report()
    return JsonResponse(
        report,
        status=200 if report["status"] == "ok" else 503,
        json_dumps_params={"ensure_ascii": False},
    )
