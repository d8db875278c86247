"""jieba: loaded once at start-up, cache in a directory the portal owns, user dictionary."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import jieba
from django.conf import settings

from essays.text.jieba_setup import USER_DICT, ensure_jieba, user_words


def test_initialised_at_start_up_with_the_apps_cache():
    # SearchConfig.ready() ran when Django set up: no lazy load on the first request.
    assert jieba.dt.initialized
    cache = Path(settings.JIEBA_CACHE_FILE)
    assert Path(jieba.dt.tmp_dir) == cache.parent
    assert jieba.dt.cache_file == cache.name
    assert cache.is_file()
    # Private like the rest of the data directory (portal/private_files.py).
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600


def test_ensure_jieba_is_idempotent():
    assert ensure_jieba() is ensure_jieba() is jieba.dt


def test_user_dictionary_words_are_single_words():
    words = user_words()
    assert {"城乡统筹", "劳动力转移", "服务意识", "恩格尔系数", "镇村一体化"} <= set(words)
    for word in ("恩格尔系数", "镇村一体化", "服务型政府", "劳动力转移"):
        assert word in jieba.lcut(f"关于{word}的研究"), word
    assert USER_DICT.is_file()


def test_a_fresh_process_loads_the_same_dictionary_without_touching_tmp(tmp_path):
    env = {
        **os.environ,
        "PORTAL_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "portal.test_settings",
        "TMPDIR": str(tmp_path / "tmp"),
    }
    (tmp_path / "tmp").mkdir()
    code = (
        "import django; django.setup(); import jieba; "
        "print(jieba.dt.initialized, '镇村一体化' in jieba.lcut('镇村一体化管理'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    assert out.stdout.split() == ["True", "True"]
    assert (tmp_path / "jieba.cache").is_file()
    assert not list((tmp_path / "tmp").glob("jieba*"))
