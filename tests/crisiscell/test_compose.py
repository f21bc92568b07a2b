"""docker-compose.yml and the Dockerfile stay consistent with the settings and the code.

Docker cannot run here, so this checks what can be checked without it: the
file parses, has the services and health checks, gives web/worker/beat every
variable the settings read, and runs modules that exist.
"""

import ast
import importlib
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")
ENV_READERS = {"str", "bool", "int", "float", "list", "dict", "json", "url", "db", "db_url", "cache", "email_url"}

# Variables the settings read that production must NOT set, with the reason.
NOT_FOR_PRODUCTION = {
    "TEST_DATABASE_NAME": "names the test database of a test run",
    "CELERY_BROKER_DIR": "folder of the filesystem broker, the developer default; production uses Redis",
    "CELERY_TASK_ALWAYS_EAGER": "runs tasks inside the web request; production has a worker",
    "PORT": "the port of `dev.py run`, for the developer's default SITE_URL; production sets SITE_URL",
    "CRISISCELL_LOCAL": "the plain-HTTP local run of `dev.py run`; production enforces HTTPS",
}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def settings_env_vars() -> set[str]:
    """Names passed to env.<reader>("NAME", ...) or env("NAME") in crisiscell/settings.py."""
    tree = ast.parse((ROOT / "crisiscell" / "settings.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        is_env_call = (isinstance(func, ast.Name) and func.id == "env") or (
            isinstance(func, ast.Attribute)
            and func.attr in ENV_READERS
            and isinstance(func.value, ast.Name)
            and func.value.id == "env"
        )
        first = node.args[0]
        if is_env_call and isinstance(first, ast.Constant) and isinstance(first.value, str):
            names.add(first.value)
    return names


def test_the_settings_parser_finds_the_variables():
    names = settings_env_vars()
    assert {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"} <= names
    # The exceptions above must not outlive the settings they excuse.
    assert set(NOT_FOR_PRODUCTION) <= names


def test_it_has_the_production_services(compose):
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(compose["services"])
    assert compose["services"]["postgres"]["image"].startswith("postgres:16")
    assert compose["services"]["redis"]["image"].startswith("redis:7")


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_services_get_every_setting_production_needs(compose, service):
    env = compose["services"][service]["environment"]
    needed = settings_env_vars() - set(NOT_FOR_PRODUCTION)
    assert sorted(needed - set(env)) == []
    assert sorted(set(env) & set(NOT_FOR_PRODUCTION)) == []
    # No typo: every variable given is one the settings read.
    assert sorted(set(env) - settings_env_vars()) == []
    # Compose wants strings; YAML would turn an unquoted True into a boolean.
    assert all(isinstance(value, str) for value in env.values()), env
    assert env["DEBUG"] == "False"
    for secret in ("SECRET_KEY", "ALLOWED_HOSTS"):
        assert ":?" in env[secret], f"{secret} must be required from the environment, never defaulted"
    assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:6379/")
    assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379/")


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_services_wait_for_healthy_postgres_and_redis_and_the_migration(compose, service):
    depends = compose["services"][service]["depends_on"]
    assert depends["postgres"]["condition"] == "service_healthy"
    assert depends["redis"]["condition"] == "service_healthy"
    assert depends["migrate"]["condition"] == "service_completed_successfully"


def test_the_migration_runs_once_before_the_app(compose):
    migrate = compose["services"]["migrate"]
    assert migrate["command"][:3] == ["python", "manage.py", "migrate"]
    assert migrate["restart"] == "no"
    assert "migrate" not in migrate["depends_on"]
    assert (ROOT / "manage.py").exists()


def test_health_checks(compose):
    services = compose["services"]

    def check(name):
        test = services[name]["healthcheck"]["test"]
        return " ".join(test) if isinstance(test, list) else test

    assert "pg_isready" in check("postgres")
    assert "redis-cli ping" in check("redis")
    assert "curl" in check("web") and "/healthz" in check("web")
    assert "inspect ping" in check("worker")


def test_data_lives_in_volumes(compose):
    services = compose["services"]
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "redisdata:/data" in services["redis"]["volumes"]
    beat_volume = services["beat"]["volumes"][0]
    schedule = services["beat"]["environment"]["CELERY_BEAT_SCHEDULE_FILENAME"]
    assert schedule.startswith(beat_volume.split(":")[1] + "/")
    assert {"pgdata", "redisdata", beat_volume.split(":")[0]} <= set(compose["volumes"])


def test_exactly_one_beat(compose):
    beat = compose["services"]["beat"]
    assert beat["deploy"]["replicas"] == 1
    assert beat["command"][:4] == ["celery", "-A", "crisiscell", "beat"]


def test_commands_run_modules_that_exist(compose):
    web = compose["services"]["web"]["command"]
    assert web[0] == "uvicorn"
    module, attribute = web[1].split(":")
    assert getattr(importlib.import_module(module), attribute) is not None
    assert "--workers=2" in web
    for service in ("worker", "beat"):
        command = compose["services"][service]["command"]
        app_module = command[command.index("-A") + 1]
        assert hasattr(importlib.import_module(app_module), "celery_app")
    assert compose["services"]["worker"]["command"][3] == "worker"


def test_dockerfile_builds_a_non_root_python_311_image():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", dockerfile, re.MULTILINE)
    assert "pip install -r requirements.txt" in dockerfile
    assert (ROOT / "requirements.txt").exists()
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", "var", ".git"} <= set(ignored)


def test_forwarded_headers_are_trusted_from_the_named_proxy_only(compose):
    """uvicorn believes no forwarded header (it would take X-Forwarded-For from anyone);
    the app believes them from the proxy service's fixed address only."""
    services = compose["services"]
    web = services["web"]["command"]
    assert "--no-proxy-headers" in web
    assert not any(arg.startswith("--forwarded-allow-ips") for arg in web)
    assert "ports" not in services["web"]
    proxy_address = services["proxy"]["networks"]["edge"]["ipv4_address"]
    assert services["web"]["environment"]["TRUSTED_PROXIES"] == proxy_address
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "--no-proxy-headers" in dockerfile and "forwarded-allow-ips" not in dockerfile
    assert "--no-proxy-headers" in (ROOT / "Procfile.dev").read_text()
