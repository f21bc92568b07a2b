"""The OpenAPI schema says exactly what the server does: schemathesis over every operation (issue 10).

Every operation of /api/schema/ is called through the WSGI application with a
manager's token, on a cell with one of everything (tests/pages.py's scene), path
ids pointing at those real objects. Schemathesis generates valid and invalid
requests (its coverage phase, then random fuzzing) and checks every answer: no
5xx, only documented status codes and content types, bodies that match their
schemas, valid data accepted and invalid data refused. A fixed seed and a small
example budget keep it deterministic and within a minute or two.
"""

import json

import pytest
import schemathesis
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.config import SchemathesisConfig

from crisiscell.wsgi import application

from ..incidents.support import fast_password_hasher  # noqa: F401  (autouse)
from ..pages import scene  # noqa: F401  (fixture)

SEED = 20261202
MAX_EXAMPLES = 8


@pytest.fixture
def api_token(db, users):
    return Token.objects.create(user=users["manager"]).key


@pytest.fixture
def wsgi_in_the_test_transaction():
    """Calls go straight to the WSGI application, which closes "old" connections at each
    request's start and end; Django's test client switches that off, do the same."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def openapi_document() -> dict:
    """The schema /api/schema/ serves, generated without a request (no database needed at import)."""
    from drf_spectacular.generators import SchemaGenerator

    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), cls=DjangoJSONEncoder))


CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
        "checks": {"enabled": True},
    }
)
schema = schemathesis.openapi.from_dict(openapi_document(), config=CONFIG)
schema.app = application


def real_ids(case, ids: dict[str, int]) -> None:
    """Positive cases act on the scene's objects (random ids would only ever meet 404s)."""
    for name, value in ids.items():
        if name in (case.path_parameters or {}) and str(case.path_parameters[name]).isdigit():
            case.path_parameters[name] = value


@pytest.mark.django_db
@schema.parametrize()
# The fixtures hold the scene and the token for all the examples of one operation, on purpose.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_api_does_what_its_schema_says(case, api_token, scene, cell, incident, wsgi_in_the_test_transaction):  # noqa: F811
    real_ids(case, {"incident_pk": incident.pk, "cell_pk": cell.pk, "statement_pk": scene["live"]})
    case.call_and_validate(headers={"Authorization": f"Token {api_token}"})
