from .models import Role
from .selectors import current_cell_for_request


def current_cell(request):
    """The cell switcher: every page knows the user's cells and the one in use."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    membership, memberships = current_cell_for_request(request)
    return {
        "current_membership": membership,
        "user_memberships": memberships,
        # The API writes (mentions from listening tools, log entries): its menu entry is for
        # those whose role lets them write somewhere; observers read in the app.
        "can_use_api": request.user.is_staff or any(m.has_role(Role.MEMBER) for m in memberships),
    }
