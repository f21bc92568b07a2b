"""The OpenAPI schema: generated without a warning, served, and saying what the API really does."""

import io

import pytest
import yaml
from django.core.management import call_command

from tests.incidents.support import fast_password_hasher  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema() -> dict:
    out = io.StringIO()
    # --validate checks it against the OpenAPI 3 meta-schema; --fail-on-warn
    # turns any guess drf-spectacular had to make into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    return yaml.safe_load(out.getvalue())


def test_schema_generates_without_warnings(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "CrisisCell API"


def test_every_documented_endpoint_is_there(schema):
    paths = schema["paths"]
    for path, methods in {
        "/api/v1/auth/token/": {"post"},
        "/api/v1/incidents/": {"get", "post"},
        "/api/v1/incidents/{id}/": {"get", "patch"},
        "/api/v1/incidents/{id}/transition/": {"post"},
        "/api/v1/incidents/{incident_pk}/log/": {"get", "post"},
        "/api/v1/incidents/{incident_pk}/log/{id}/": {"get"},
        "/api/v1/incidents/{incident_pk}/log/verify/": {"get"},
        "/api/v1/cells/": {"get"},
        "/api/v1/cells/{id}/": {"get"},
        "/api/v1/cells/{cell_pk}/members/": {"get", "post"},
        "/api/v1/cells/{cell_pk}/members/{id}/": {"get", "patch", "delete"},
    }.items():
        assert path in paths, path
        assert methods <= set(paths[path]), (path, set(paths[path]))


def test_no_put_and_no_change_to_the_log(schema):
    paths = schema["paths"]
    assert set(paths["/api/v1/incidents/{id}/"]) - {"parameters"} == {"get", "patch"}
    assert set(paths["/api/v1/incidents/{incident_pk}/log/{id}/"]) - {"parameters"} == {"get"}


def test_transition_documents_its_request_and_its_409(schema):
    operation = schema["paths"]["/api/v1/incidents/{id}/transition/"]["post"]
    assert {"200", "400", "403", "404", "409"} <= set(operation["responses"])
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Incident")
    request_ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    request = schema["components"]["schemas"][request_ref.rsplit("/", 1)[1]]
    assert set(request["required"]) == {"to", "reason"}
    assert {"to", "reason", "expected_level"} <= set(request["properties"])


def test_verify_documents_its_answer(schema):
    operation = schema["paths"]["/api/v1/incidents/{incident_pk}/log/verify/"]["get"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    report = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert {"valid", "checked", "first_broken"} <= set(report["properties"])
    assert report["properties"]["first_broken"]["nullable"] is True
    # Not paginated.
    assert "page" not in {p["name"] for p in operation.get("parameters", [])}


def test_component_field_names(schema):
    components = schema["components"]["schemas"]
    assert {
        "id",
        "cell",
        "title",
        "description",
        "crisis_type",
        "severity",
        "level",
        "owner",
        "is_exercise",
        "created_at",
        "updated_at",
    } <= set(components["Incident"]["properties"])
    assert {
        "id",
        "incident",
        "kind",
        "category",
        "text",
        "source_url",
        "corrects",
        "actor",
        "created_at",
        "hash",
    } <= set(components["LogEntry"]["properties"])
    # Read-only in the API: the level moves only through /transition/.
    assert components["Incident"]["properties"]["level"]["readOnly"] is True
    assert "level" not in components["PatchedIncidentRequest"]["properties"]


def test_path_parameters_are_integers(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                # Edit locks are named "fact:<id>" / "statement:<id>": the one string in a path.
                if parameter["in"] == "path" and not path.endswith("/locks/{target}/"):
                    assert parameter["schema"]["type"] == "integer", (path, method, parameter["name"])


def test_list_parameters(schema):
    parameters = {p["name"] for p in schema["paths"]["/api/v1/incidents/"]["get"]["parameters"]}
    assert {"page", "page_size", "level", "cell", "crisis_type", "ordering"} <= parameters


def test_token_endpoint_needs_no_authentication(schema):
    operation = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert operation.get("security", [{}]) in ([{}], [])
    assert {"200", "400", "429"} <= set(operation["responses"])


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/", "/api/docs/?script="])
def test_schema_and_docs_are_served(client, users, url):
    client.force_login(users["member"])
    response = client.get(url)
    assert response.status_code == 200


def test_docs_load_swagger_from_our_own_static_files(client, users):
    client.force_login(users["member"])
    page = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn" not in page.lower()
