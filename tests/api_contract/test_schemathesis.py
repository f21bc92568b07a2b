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
from schemathesis.generation.modes import GenerationMode

from cells.models import Cell, Membership
from chat import services as chat
from crisiscell.wsgi import application
from facts.models import Fact
from incidents.models import Incident, LogEntry
from notifications.models import Notification
from reminders.models import ReminderNotice
from statements.models import StatementVersion
from tests.pages import build_scene
from tests.shared import SHARED, shared_fixture, users_of

from ..incidents.support import fast_password_hasher  # noqa: F401  (autouse)

pytestmark = [pytest.mark.django_db, SHARED]

SEED = 20261202
MAX_EXAMPLES = 5


@pytest.fixture
def wsgi_in_the_test_transaction():
    """Calls go straight to the WSGI application, which closes "old" connections at each
    request's start and end; Django's test client switches that off, do the same."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


# What schemathesis counts as accepting valid data (its default), and the operations that
# may also answer 400 to a request the schema allows, because of a rule no schema can state.
# Each 400 names the field and the rule (tests elsewhere check the wording).
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
RULES_NO_SCHEMA_STATES = {
    "wrong username or password": r"^/api/v1/auth/token/$",
    "no such user to add": r"^/api/v1/cells/\{cell_pk\}/members/$",
    "a move the workflow does not allow from the current level or status": r"/transition/$",
    # Texts are trimmed of Unicode blanks (U+0085 too), which JSON Schema's \\S does not know.
    "a reason or comment made of blank characters only": r"/versions/\{number\}/(reject|withdraw)/$",
    "a claim first seen before 1990 (a typo)": r"^/api/v1/incidents/\{incident_pk\}/claims/(\{id\}/)?$",
    "a fact already linked to the claim": r"^/api/v1/incidents/\{incident_pk\}/claims/\{id\}/facts/$",
    # Relays (issue 14): ids of relays or lists are typed by the schema, not which exist in the cell.
    "relays or lists given by ids that are not the cell's": (
        r"^/api/v1/(cells/\{cell_pk\}/relay-lists/(\{id\}/)?|incidents/\{incident_pk\}/briefings/)$"
    ),
    "consent given without its date, a blank name, a handle without a network": (
        r"^/api/v1/cells/\{cell_pk\}/relays/(\{id\}/)?$"
    ),
    "a relayed link the URL validator refuses": r"/deliveries/\{delivery_pk\}/relayed/$",
    # The response queue (issue 14): ids typed by the schema, not which exist; what a rule's kind needs.
    "a mention, template, assignee or copy that is not the cell's or the incident's": (
        r"^/api/v1/incidents/\{incident_pk\}/(queue/(\{id\}/(answer|assign|duplicates)/)?"
        r"|claims/\{claim_pk\}/mentions/)$"
    ),
    "a rule of kind terms without terms, of kind reach without a reach; a blank name": (
        r"^/api/v1/cells/\{cell_pk\}/queue-rules/(\{id\}/)?$"
    ),
    "a reason made of blank characters only; a reply neither from a template nor free": (
        r"^/api/v1/incidents/\{incident_pk\}/queue/\{id\}/(no-reply|escalate|answer)/$"
    ),
    # A playbook's content and a YAML file of playbooks: their rules (playbooks.schema) are
    # per line and per field, reported as such; the schema says "an object" / "text".
    "a playbook that playbooks.schema refuses": r"^/api/v1/cells/\{cell_pk\}/playbooks/(import/)?$",
    "a task move the workflow does not allow from the current status": r"/tasks/\{id\}/move/$",
    "a scenario that drills.schema refuses, or a scenario id of another cell": (
        r"^/api/v1/cells/\{cell_pk\}/(scenarios/(import/)?|drills/)$"
    ),
    "an on-call slot that ends before it starts, or outside 2000-2100": r"^/api/v1/cells/\{cell_pk\}/rota/$",
    "a watchlist name the cell already has": r"^/api/v1/cells/\{cell_pk\}/monitoring/watchlists/(\{id\}/)?$",
    "a feed or instance address the URL validator refuses": (
        r"^/api/v1/cells/\{cell_pk\}/monitoring/sources/(\{id\}/)?$"
    ),
    # Links: Django's URL validator also checks host name and label lengths, which
    # JSON Schema's "uri" format does not (a 64-letter top-level domain is refused).
    "a link the URL validator refuses": (
        r"^/api/v1/incidents/\{incident_pk\}/(claims/|claims/\{id\}/|log/|facts/|facts/\{id\}/sources/"
        r"|statements/\{statement_pk\}/versions/\{number\}/publish/)$"
    ),
}


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
        "operations": [
            {
                "include-path-regex": pattern,
                "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "400"]}},
            }
            for pattern in RULES_NO_SCHEMA_STATES.values()
        ],
    }
)
schema = schemathesis.openapi.from_dict(openapi_document(), config=CONFIG)
schema.app = application


class RealObjects:
    """Ids of the scene's objects, for the places the schema can only call "an integer".

    Positive cases (what the schema allows) act on real objects, as a client would:
    random ids would only ever meet 404s, and a reference to an object that does not
    exist is a 400 that no schema can state. Negative cases are left as generated.
    The objects are built once for the module (tests/shared.py); what each example
    writes is rolled back with its test.
    """

    def __init__(self, values: dict):
        self.values = values

    def path_id(self, path: str):
        """The object an `{id}` at the end of this path names."""
        for marker, key in [
            ("/chat/", "message"),
            ("/claims/", "claim"),
            ("/facts/", "fact"),
            ("/log/", "log"),
            ("/reminders/", "reminder"),
            ("/statements/", "statement"),
            ("/members/", "membership"),
            ("/notifications/", "notification"),
            ("/cells/", "cell"),
            ("/incidents/", "incident"),
        ]:
            if path.endswith(marker):
                return self.values[key]
        return None

    def apply(self, case) -> None:
        if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
            return
        v, path = self.values, case.operation.path
        fixed = {
            "incident_pk": v["incident"],
            "cell_pk": v["cell"],
            "statement_pk": v["live"],
            "number": 1,
            "target": f"fact:{v['fact']}",
            "id": self.path_id(path.rsplit("{id}", 1)[0]) if "{id}" in path else None,
        }
        for name in list(case.path_parameters or {}):
            if fixed.get(name) is not None:
                case.path_parameters[name] = fixed[name]
        if "cell" in (case.query or {}):
            case.query["cell"] = v["cell"]
        if isinstance(case.body, dict):
            references = {
                "cell": v["cell"],
                "owner": v["owner"],
                "assignee": v["owner"],
                "user": v["owner"],
                "corrects": v["log"],
                "fact": v["verified"],
                "cited_facts": [v["verified"]],
                "answers": [v["claim"]],
                "target": f"fact:{v['fact']}",
            }
            for name, value in references.items():
                if case.body.get(name) is not None:
                    case.body[name] = value
        if "If-Match" in (case.headers or {}):
            case.headers["If-Match"] = current_etag(path, case.path_parameters)


def current_etag(path: str, parameters: dict) -> str:
    if "/versions/" in path:
        return StatementVersion.objects.get(statement_id=parameters["statement_pk"], number=parameters["number"]).etag
    return Fact.objects.get(pk=parameters["id"]).etag


@shared_fixture
def contract_scene(people) -> dict:
    """The pages' scene plus what the API also names (a chat message, a notification, a membership,
    the first log entry) and the manager's token: built once, ids only."""
    cell, users = Cell.objects.get(pk=people.cell), users_of(people)
    incident = Incident.objects.get(pk=people.incident)
    scene = build_scene(cell, users, incident)
    member = users["member"]
    return {
        "cell": cell.pk,
        "incident": incident.pk,
        "fact": scene["fact"],
        "verified": scene["verified"],
        "claim": scene["claim"],
        "statement": scene["draft"],
        "live": scene["live"],
        "reminder": scene["reminder"],
        "membership": Membership.objects.get(cell=cell, user=member).pk,
        "log": LogEntry.objects.filter(incident=incident).order_by("seq").values_list("pk", flat=True).first(),
        "message": chat.chat_post(actor=member, incident=incident, text="Who checks batch 42?").pk,
        "notification": Notification.objects.create(
            user=users["manager"], cell=cell, incident=incident, kind=ReminderNotice.REMINDER, title="Review"
        ).pk,
        "owner": users["manager"].pk,
        "token": Token.objects.create(user=users["manager"]).key,
    }


@pytest.fixture
def real_objects(contract_scene):
    return RealObjects(contract_scene)


@schema.parametrize()
# The scene and the token serve all the examples of one operation (and of the module), on purpose.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_api_does_what_its_schema_says(case, real_objects, wsgi_in_the_test_transaction):
    real_objects.apply(case)
    case.call_and_validate(headers={"Authorization": f"Token {real_objects.values['token']}"})
