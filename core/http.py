"""Request helpers every page uses."""


def is_htmx(request) -> bool:
    # A history restore (back button after hx-push-url) needs the whole page.
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")
