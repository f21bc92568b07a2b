from .local_http import local_http  # noqa: F401  (fixture: a real HTTP server for the connectors)
