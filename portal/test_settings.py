"""Settings for the test suite: the production settings with test-only defaults.

Environment values still win, so ``DATABASE_URL`` switches the suite to PostgreSQL.
The data directory defaults to a fresh temporary directory, never the real ``var/``.
"""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")
# The test client speaks plain http; tests that need HTTPS or the search rate limit
# switch them on themselves.
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("PORTAL_SEARCH_RATE_LIMIT", "0")
# No background re-index threads (they would read the database outside the test's
# transaction); tests that exercise them switch them on.
os.environ.setdefault("PORTAL_REINDEX_RETRY_SECONDS", "0")
if "PORTAL_DATA_DIR" not in os.environ:
    _data_dir = tempfile.mkdtemp(prefix="portal-test-")
    os.environ["PORTAL_DATA_DIR"] = _data_dir
    atexit.register(shutil.rmtree, _data_dir, ignore_errors=True)

from portal.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Pages render with plain static storage: the test run does not collectstatic, and
# whitenoise need not scan a STATIC_ROOT that does not exist.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
