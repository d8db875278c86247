"""``/healthz``: is the portal able to serve, and is the search index complete and sound?

Checks, in order: the database answers; the live search index is present and readable;
its files match the checksums recorded when they were committed (``index_files``); the
index holds exactly as many documents as the database has essays; no change has waited
to be indexed longer than ``PORTAL_REINDEX_MAX_DELAY`` seconds (``reindex``); the shared
cache (Redis, when ``PORTAL_CACHE_URL`` is set) answers (``shared_cache``). JSON; 200
when every check passes, 503 otherwise, naming the checks that failed, each with a
Chinese ``error`` and, where an operator can repair it, the ``action`` that does, e.g.
``{"status": "fail", "failed": ["index_files"], "checks": {…, "index_files": {"ok":
false, "damaged": ["MAIN_….seg"], "error": "…", "action": "manage.py
rebuild_index_swapped"}}}``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from essays.models import Essay
from portal import shared_cache
from search import outbox
from search.backends import IndexUnavailable, get_backend

log = logging.getLogger(__name__)

#: The command that builds a complete new index and switches to it.
REBUILD = "manage.py rebuild_index_swapped"
#: The command that writes the changes waiting in the re-index outbox.
DRAIN = "manage.py reindex_pending"


def database_essay_count() -> int:
    """How many essays the database holds (raises DatabaseError when it is unreachable)."""
    return Essay.objects.count()


def index_document_count() -> int:
    """How many documents the live search index holds (raises IndexUnavailable)."""
    return get_backend().document_count()


def backend_checks() -> dict[str, dict[str, Any]]:
    """The search backend's own checks (whoosh: ``index_files``), as report entries."""
    checks = {}
    for check in get_backend().checks():
        entry: dict[str, Any] = {"ok": check.ok, **check.details}
        if not check.ok:
            entry["action"] = REBUILD
        checks[check.name] = entry
    return checks


def reindex_check() -> dict[str, Any]:
    """Whether changes wait to be written to the search index, and for how long."""
    limit = float(getattr(settings, "PORTAL_REINDEX_MAX_DELAY", 120))
    try:
        found = outbox.status()
    except DatabaseError:
        return {"ok": False, "error": "无法读取待更新索引的记录：数据库不可用。"}
    check: dict[str, Any] = {"pending": found.pending, "max_delay": limit}
    if found.oldest_seconds is None:
        return {"ok": True, **check}
    waited = round(found.oldest_seconds, 1)
    check["oldest_seconds"] = waited
    if found.oldest_seconds <= limit:  # unrounded: a change 40 ms old has waited, too
        return {"ok": True, **check}
    log.error("Health check: %s essays wait to be indexed, for %.0f s", found.pending, waited)
    return {
        "ok": False,
        **check,
        "error": f"有 {found.pending} 篇文章的修改尚未写入搜索索引，最早的已等待 {waited:.0f} 秒。",
        "action": DRAIN,
    }


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
        checks["index"] = {"ok": True, "documents": indexed, "backend": get_backend().name}
    except IndexUnavailable as error:
        log.error("Health check: search index unavailable: %s", error)
        checks["index"] = {"ok": False, "error": "搜索索引缺失或无法读取。", "action": REBUILD}
    if indexed is not None:
        checks.update(backend_checks())
    else:
        for name in get_backend().check_names:
            checks[name] = {"ok": False, "error": "搜索索引不可用，无法校验。", "action": REBUILD}
    if essays is None or indexed is None:
        checks["index_count"] = {"ok": False, "error": "无法比较：数据库或搜索索引不可用。"}
    elif essays != indexed:
        checks["index_count"] = {
            "ok": False,
            "error": f"搜索索引有 {indexed} 篇，数据库有 {essays} 篇：索引与数据库不一致。",
            "action": REBUILD,
        }
    else:
        checks["index_count"] = {"ok": True}
    checks["reindex"] = (
        reindex_check()
        if essays is not None
        else {"ok": False, "error": "数据库不可用，无法读取待更新索引的记录。"}
    )
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
