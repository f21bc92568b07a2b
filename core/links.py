"""Links that leave the site (e-mails): absolute, from the configured SITE_URL."""

from django.conf import settings


def absolute_url(path: str) -> str:
    """`path` ("/incidents/3/") on the public site; a URL that is already absolute stays as it is."""
    if not path or "://" in path:
        return path
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")
