"""Settings for benchmark servers: the portal's settings with the bench-only URLs added.

Only the benchmark starts gunicorn with ``DJANGO_SETTINGS_MODULE=bench.settings``; the
portal's own settings and URLs never include the bench views.
"""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
