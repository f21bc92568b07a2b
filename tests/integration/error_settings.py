"""Settings for a test server that can also fail on purpose (see error_urls.py)."""

from crisiscell.settings import *  # noqa: F403

ROOT_URLCONF = "tests.integration.error_urls"
