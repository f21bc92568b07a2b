from .selectors import current_cell_for_request


def current_cell(request):
    """The cell switcher: every page knows the user's cells and the one in use."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    membership, memberships = current_cell_for_request(request)
    # The top bar's unread badge comes along with the cell switcher. Its own
    # processor belongs in settings.TEMPLATES; it is chained here while that file
    # is being changed by the live-workspace work (move it there then).
    from notifications.context_processors import unread_notifications

    return {"current_membership": membership, "user_memberships": memberships, **unread_notifications(request)}
