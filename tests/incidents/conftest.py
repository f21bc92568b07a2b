from tests.pages import as_user, scene  # noqa: F401  (fixtures of the page tests; a module's own wins)
