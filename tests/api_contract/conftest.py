from tests.pages import scene  # noqa: F401  (fixture of the page tests)
