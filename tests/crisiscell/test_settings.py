"""Production settings: `check --deploy` passes, and missing secrets stop the start-up.

Each case starts manage.py in a subprocess with a clean, production-like
environment: the settings module is read once per process, so this is the only
honest way to see what DEBUG=False really gives.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def production_env(tmp_path):
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "crisis.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://crisis.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "EMAIL_URL": "smtp://mail.example.org:25",
        "STATIC_ROOT": str(tmp_path / "static"),
    }


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_with_production_env(production_env):
    result = manage(production_env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_env_switches_the_hardening_on(production_env):
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) for k in ["
        "'DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', "
        "'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'ALLOWED_HOSTS']}))"
    )
    result = manage(production_env, "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "ALLOWED_HOSTS": ["crisis.example.org"],
    }


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(production_env, missing):
    del production_env[missing]
    result = manage(production_env, "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_the_developer_defaults_need_no_environment(tmp_path):
    """A fresh machine: no variable at all still starts (DEBUG on, SQLite, no Redis)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}
    result = manage(env, "check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_cookies_and_api(production_env):
    """Secure and HttpOnly session cookie; Secure CSRF cookie (live.js reads it: no HttpOnly);
    the browsable API (inline scripts, against the CSP) off; forwarded headers trusted from no one."""
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'session': [s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY], 'csrf': s.CSRF_COOKIE_SECURE,"
        "'renderers': s.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES'], 'proxies': s.TRUSTED_PROXIES,"
        "'pool': s.DATABASES['default']['OPTIONS'].get('pool', None)}))"
    )
    result = manage(production_env, "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["session"] == [True, True]
    assert values["csrf"] is True
    assert values["renderers"] == ["rest_framework.renderers.JSONRenderer"]
    assert values["proxies"] == []


def test_production_pool_size_comes_from_the_environment(production_env):
    production_env.update(
        DATABASE_URL="postgres://u:p@db.example.org:5432/crisiscell",
        DATABASE_POOL_MAX_SIZE="7",
        DATABASE_POOL_TIMEOUT="3",
    )
    code = "from django.conf import settings as s; print(s.DATABASES['default']['OPTIONS']['pool'])"
    result = manage(production_env, "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    assert "'max_size': 7" in result.stdout and "'timeout': 3.0" in result.stdout
