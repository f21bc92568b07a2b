from .selectors import current_cell_for_request


def current_cell(request):
    """The cell switcher: every page knows the user's cells and the one in use."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    membership, memberships = current_cell_for_request(request)
    return {"current_membership": membership, "user_memberships": memberships}
