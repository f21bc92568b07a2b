"""Domain errors that the API and the pages turn into HTTP answers.

Services raise these (or Django's ValidationError / PermissionDenied / Http404);
`crisiscell.api.exception_handler` and the HTML views map them to 4xx.
"""


class Conflict(Exception):
    """Someone else changed the object first (HTTP 409). Nothing was written."""

    def __init__(self, message: str, *, current: dict | None = None):
        super().__init__(message)
        self.message = message
        self.current = current or {}
