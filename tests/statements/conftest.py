from tests.facts.helpers import api, english_and_fast_passwords  # noqa: F401  (fixtures)
from tests.pages import as_user, scene, shared_scene  # noqa: F401  (fixtures of the page tests)
