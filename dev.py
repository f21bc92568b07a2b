#!/usr/bin/env python3
"""The two README commands, with nothing but Python installed:

    python3 dev.py run    # set up, load the demo cell, serve on http://127.0.0.1:8000 (PORT to change)
    python3 dev.py test   # set up, lint, run the whole test suite

Set-up is a virtualenv in .venv with the pinned requirements, reinstalled only
when a requirements file changes. Everything else is the settings' embedded
defaults (SQLite, in-memory channel layer, filesystem Celery broker), or
PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set.
"""

import hashlib
import os
import signal
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
REQUIREMENTS = [ROOT / "requirements.txt", ROOT / "requirements-dev.txt"]
STAMP = VENV / ".requirements.sha256"


def sh(*args, **kwargs) -> int:
    print("+", " ".join(str(a) for a in args), flush=True)
    return subprocess.call([str(a) for a in args], cwd=ROOT, **kwargs)


def ensure_venv() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by an older python3
        sys.exit(f"CrisisCell needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not PY.exists():
        print(f"Creating the virtualenv in {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in REQUIREMENTS)).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != digest:
        print("Installing the pinned dependencies (first run only) ...", flush=True)
        if sh(
            PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", ROOT / "requirements-dev.txt"
        ):
            sys.exit("pip install failed; see the messages above.")
        STAMP.write_text(digest)
    # var/ holds the SQLite files, the filesystem broker and collected static
    # files; WhiteNoise warns at every start if STATIC_ROOT does not exist.
    (ROOT / "var" / "staticfiles").mkdir(parents=True, exist_ok=True)


def serve_like_production(environ) -> None:
    """`run` serves as production does (DEBUG off: the app's own error pages, no
    technical 404 listing the URLs), unless DEBUG is set explicitly; CRISISCELL_LOCAL
    spares it what a fresh machine does not have: a SECRET_KEY (one is generated
    into var/), ALLOWED_HOSTS (localhost) and HTTPS (plain HTTP on this machine)."""
    if "DEBUG" not in environ:
        environ["DEBUG"] = "false"
    environ.setdefault("CRISISCELL_LOCAL", "true")


def run() -> int:
    ensure_venv()
    serve_like_production(os.environ)
    port = os.environ.get("PORT", "8000")
    if sh(PY, "manage.py", "migrate", "--no-input") or sh(PY, "manage.py", "load_demo"):
        return 1
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    mode = "debug (DEBUG is set)" if os.environ["DEBUG"].lower() in ("1", "true", "yes", "on") else "production-like"
    print(
        f"\n  CrisisCell is starting on  http://127.0.0.1:{port}/  ({mode}; DEBUG=true python3 dev.py run to debug)\n"
        "  Demo users: admin, manager, member, member2, observer; password: crisiscell-demo\n"
        "  Ctrl-C stops the web server, the Celery worker and beat.\n",
        flush=True,
    )
    # honcho runs web, worker and beat together and stops all of them on Ctrl-C.
    args = [str(BIN / "honcho"), "start", "--procfile", "Procfile.dev", "--port", port]
    print("+", " ".join(args), flush=True)
    # Ctrl-C and `kill` both stop everything, even when dev.py was started in the
    # background (where a shell makes it ignore SIGINT).
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupt)
    honcho = subprocess.Popen(args, cwd=ROOT, env=env)
    return wait_for_honcho(honcho)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def wait_for_honcho(honcho: subprocess.Popen) -> int:
    """Wait for honcho; on Ctrl-C let it stop its processes instead of killing it.

    A terminal's Ctrl-C reaches honcho too; a SIGINT or SIGTERM sent to dev.py
    alone is passed on. honcho then stops web, worker and beat (SIGKILL after 5 s), so
    nothing is left holding the port or the database for the next start.
    """
    interrupted_at = None
    while True:
        try:
            code = honcho.wait(timeout=1)
            return 0 if interrupted_at else code
        except subprocess.TimeoutExpired:
            if interrupted_at and time.monotonic() - interrupted_at > 20:
                honcho.kill()
        except KeyboardInterrupt:
            if interrupted_at is None:
                interrupted_at = time.monotonic()
                honcho.send_signal(signal.SIGINT)


def run_pytest(*args: str) -> int:
    code = sh(PY, "-m", "pytest", *args)
    # 5: no test selected (e.g. a path or -k that matches only the other run).
    # In CI both runs must run something: there it stays a failure.
    return 0 if code == 5 and os.environ.get("CI") != "true" else code


def check_layers(config: dict | None = None) -> int:
    """import-linter's contracts of pyproject.toml, on the apps that exist in this tree: an app
    named in the layers before it is written (playbooks...) must not break the check."""
    import tempfile
    import tomllib

    config = config or tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    config["root_packages"] = [name for name in config["root_packages"] if (ROOT / name / "__init__.py").exists()]
    lines = ["[importlinter]", "root_packages =", *(f"    {name}" for name in config["root_packages"])]
    for contract in config["contracts"]:
        lines.append(f"[importlinter:contract:{contract['id']}]")
        for key, value in contract.items():
            if key == "id":
                continue
            lines += (
                [f"{key} =", *(f"    {item}" for item in value)] if isinstance(value, list) else [f"{key} = {value}"]
            )
    with tempfile.NamedTemporaryFile("w", suffix=".ini", delete=False) as ini:
        ini.write("\n".join(lines) + "\n")
    try:
        return sh(BIN / "lint-imports", "--config", ini.name, "--no-cache", "--no-logo")
    finally:
        os.unlink(ini.name)


def test(pytest_args: list[str]) -> int:
    ensure_venv()
    if sh(BIN / "ruff", "check", ".") or sh(BIN / "ruff", "format", "--check", "."):
        print("Lint failed: `.venv/bin/ruff check --fix . && .venv/bin/ruff format .` fixes most of it.")
        return 1
    if check_layers():
        print('An import goes against the layers (pyproject.toml [tool.importlinter], README "Layers").')
        return 1
    if sh(PY, "manage.py", "makemigrations", "--check", "--dry-run", "--verbosity", "1"):
        print("Models and migrations differ: run `.venv/bin/python manage.py makemigrations`.")
        return 1
    # Browser tests run in their own pytest process: Playwright's sync API leaves
    # an asyncio loop running that breaks async tests collected after it.
    # The rest runs on every core (pytest-xdist; a database and a Redis db per
    # worker: tests/worker_env.py), a test file per worker at a time so that a
    # module's shared scene (tests/shared.py) is built once. TEST_WORKERS=0: one process.
    workers = os.environ.get("TEST_WORKERS", "auto")
    parallel = ["-n", workers, "--dist", "loadfile"] if workers != "0" else []
    code = run_pytest("-m", "not browser", *parallel, "--durations=10", *pytest_args)
    if code:
        return code
    return run_pytest("-m", "browser", *pytest_args)


def main() -> int:
    command, *rest = sys.argv[1:] or ["help"]
    if command == "run":
        return run()
    if command == "test":
        return test(rest)
    if command == "setup":
        ensure_venv()
        return 0
    print(__doc__)
    return 0 if command == "help" else 2


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # Ctrl-C during set-up: no traceback
        sys.exit(130)
