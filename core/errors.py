"""Domain errors that the API and the pages turn into HTTP answers.

Services raise these (or Django's ValidationError / PermissionDenied / Http404);
`core.api.base.exception_handler` and the HTML views map them to 4xx.
"""


class Conflict(Exception):
    """Someone else changed the object first (HTTP 409). Nothing was written."""

    def __init__(self, message: str, *, current: dict | None = None):
        super().__init__(message)
        self.message = message
        self.current = current or {}


class StaleRevision(Conflict):
    """The client edited an older revision than the stored one (the API answers 412).

    A Conflict, so that callers without preconditions (pages, tasks) treat it as one.
    """
