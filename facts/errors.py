from crisiscell.errors import Conflict


class StaleRevision(Conflict):
    """The client edited an older revision than the stored one (the API answers 412).

    A Conflict, so that callers without preconditions (pages, tasks) treat it as one.
    """
