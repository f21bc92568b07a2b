"""Which visits of a relay's tracked link count as "opened", and how many visits an address may make.

E-mail security gateways and chat apps open links before the person does (to scan or to
preview them), and opened counts that they inflate mislead the cell about who read a
briefing. Not counted:
- HEAD requests (link checkers) and prefetches (Purpose / Sec-Purpose / X-Purpose / X-Moz);
- known scanner and preview user agents (and no user agent at all);
- a visit within SCANNER_DELAY of the e-mail leaving: gateways scan on arrival, people read later;
- more than one open per relay per OPEN_WINDOW (reloads, a link clicked twice).

Counting and limiting use django-ratelimit's `is_ratelimited` on the shared cache (Redis in
production). The app is not put in INSTALLED_APPS on purpose: its system check refuses the
file cache of a machine without Redis, where an approximate count is good enough.
"""

import re
from datetime import timedelta

from django.utils import timezone
from django_ratelimit.core import is_ratelimited

SCANNER_DELAY = timedelta(seconds=30)
OPEN_WINDOW = "1/30m"
# Per client address, on every method: a scanner storm or a token guesser gets 429.
ADDRESS_RATE = "30/m"

PREFETCH_HEADERS = ("HTTP_PURPOSE", "HTTP_SEC_PURPOSE", "HTTP_X_PURPOSE", "HTTP_X_MOZ")
SCANNER_AGENTS = re.compile(
    r"bot\b|bot/|spider|crawl|preview|scanner|python-|curl/|wget/|go-http-client|java/|okhttp|libwww|"
    r"httpclient|headless|barracuda|mimecast|proofpoint|symantec|messagelabs|trend ?micro|forcepoint|"
    r"sophos|fortinet|ironport|safelinks|ms-office|microsoft office|googleimageproxy|facebookexternalhit|"
    r"slack|whatsapp|telegram|discord|skypeuripreview|linkedin|twitterbot",
    re.IGNORECASE,
)


def address_limited(request) -> bool:
    """True when this address went over ADDRESS_RATE (counts this visit)."""
    return is_ratelimited(request, group="relays.tracked", key="ip", rate=ADDRESS_RATE, increment=True)


def not_an_open(request, delivery, now=None) -> str:
    """Why this visit is not a person opening the briefing, or "" when it is (and it is counted once)."""
    now = now or timezone.now()
    if request.method != "GET":
        return "method"
    if any(
        "prefetch" in request.META.get(h, "").lower() or "preview" in request.META.get(h, "").lower()
        for h in PREFETCH_HEADERS
    ):
        return "prefetch"
    agent = request.META.get("HTTP_USER_AGENT", "")
    if not agent.strip() or SCANNER_AGENTS.search(agent):
        return "scanner"
    if delivery.sent_at and now - delivery.sent_at < SCANNER_DELAY:
        return "too_soon"
    if is_ratelimited(
        request, group="relays.open", key=lambda _group, _request: delivery.token, rate=OPEN_WINDOW, increment=True
    ):
        return "repeat"
    return ""
