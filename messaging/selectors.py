"""Reads for the live workspace."""

from types import SimpleNamespace

from django.utils import translation

from cells.models import Membership
from incidents import locks
from incidents.models import Incident
from notifications.selectors import notifications_for, unread_count

from . import presence


def socket_access(user, incident_id: int) -> int | None:
    """The incident's cell id when `user` may watch it live (any member of its cell), else None."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    cell_id = Incident.objects.filter(pk=incident_id).values_list("cell_id", flat=True).first()
    if cell_id is None or not Membership.objects.filter(user=user, cell_id=cell_id).exists():
        return None
    return cell_id


def cell_socket_access(user, cell_id: int) -> bool:
    """Whether `user` may follow the cell's incident list live (any member of the cell)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return Membership.objects.filter(user=user, cell_id=cell_id).exists()


def workspace_snapshot(incident_id: int) -> dict:
    """What a (re)connecting page needs besides the events: the last seq, who is here, who edits what."""
    return {
        "seq": Incident.objects.values_list("event_seq", flat=True).get(pk=incident_id),
        "presence": presence.viewers(incident_id),
        "locks": locks.active_locks(incident_id),
    }


def unread_badge(user, language: str) -> dict:
    """The badge and the toast of the newest, worded in the page's language."""
    newest = notifications_for(user).filter(read_at__isnull=True).first()
    with translation.override(language):
        latest = newest and {"id": newest.pk, "title": newest.shown_title, "link": newest.link}
    return {"count": unread_count(user), "latest": latest}


def socket_language(scope) -> str:
    """The language of the page that opened the socket: its language cookie, else the
    browser's Accept-Language, as Django's LocaleMiddleware decides for the page itself."""
    headers = dict(scope.get("headers", []))
    request = SimpleNamespace(
        COOKIES=scope.get("cookies", {}),
        META={"HTTP_ACCEPT_LANGUAGE": headers.get(b"accept-language", b"").decode("latin-1")},
    )
    return translation.get_language_from_request(request)
