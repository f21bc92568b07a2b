from .models import Membership

SESSION_KEY = "current_cell_id"


def memberships_of(user) -> list[Membership]:
    return list(Membership.objects.filter(user=user).select_related("cell").order_by("cell__name"))


def current_cell_for_request(request) -> tuple[Membership | None, list[Membership]]:
    """The membership of the cell the user works in now, and all their memberships.

    Cached on the request: the context processor and the views both need it.
    """
    cached = getattr(request, "_crisiscell_cells", None)
    if cached is not None:
        return cached
    memberships = memberships_of(request.user)
    wanted = request.session.get(SESSION_KEY)
    current = next((m for m in memberships if m.cell_id == wanted), memberships[0] if memberships else None)
    request._crisiscell_cells = (current, memberships)
    return request._crisiscell_cells
