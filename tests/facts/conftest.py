from tests.facts.helpers import api, english_and_fast_passwords  # noqa: F401  (fixtures)
