"""Real processes for integration and browser tests: the ASGI server and a Celery worker.

They run as subprocesses pointed at the test database, so a test talks to them
exactly as a browser or an API client would (real HTTP, and later WebSockets:
this is why pytest-django's WSGI `live_server` is not used). The test must use
`django_db(transaction=True)`: what it writes has to be committed for the
subprocess to see it, and what the subprocess writes is read back from the
same database.
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection
from kombu import pools

ROOT = Path(__file__).resolve().parents[2]
STOP_GRACE_SECONDS = 10


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url_for_subprocess() -> str:
    """DATABASE_URL of the database this test process uses (the test database, once created)."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        name = str(db["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            raise RuntimeError("A server subprocess needs a file test database, not an in-memory one.")
        return f"sqlite:///{Path(name).resolve()}"
    if db["ENGINE"] == "django.db.backends.postgresql":
        user = urllib.parse.quote(db.get("USER") or "", safe="")
        password = urllib.parse.quote(db.get("PASSWORD") or "", safe="")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = db.get("HOST") or "127.0.0.1"
        if host.startswith("/"):  # a Unix socket folder: django-environ reads it URL-encoded
            host = urllib.parse.quote(host, safe="")
        port = f":{db['PORT']}" if db.get("PORT") else ""
        return f"postgres://{credentials}{host}{port}/{urllib.parse.quote(db['NAME'], safe='')}"
    raise RuntimeError(f"No DATABASE_URL form for {db['ENGINE']}")


def subprocess_env(tmp_dir: Path, **overrides: str) -> dict[str, str]:
    """Environment for a server or worker: this machine's, plus the test database."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_subprocess(),
        "PYTHONUNBUFFERED": "1",
        # Keep the developer's own broker folder and beat schedule out of it.
        "CELERY_BROKER_DIR": str(tmp_dir / "broker"),
        "CELERY_BEAT_SCHEDULE_FILENAME": str(tmp_dir / "celerybeat-schedule"),
        "EMAIL_URL": "consolemail://",
        # The test's own crisis-log checkpoints (incident ids repeat across test databases).
        "CRISIS_LOG_ANCHOR_FILE": str(tmp_dir / "crisis-log-anchors.jsonl"),
    }
    # The test process's licence to call the ORM beside Playwright's event loop
    # (tests/browser/conftest.py) is not for the servers.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(overrides)
    return env


@dataclass
class Process:
    """A subprocess in its own process group, its output in a log file."""

    name: str
    args: list[str]
    log_path: Path
    popen: subprocess.Popen = field(repr=False)

    def log(self, tail: int | None = None) -> str:
        """Its output so far (the last `tail` characters if given)."""
        try:
            text = self.log_path.read_text(errors="replace")
            return text[-tail:] if tail else text
        except FileNotFoundError:
            return ""

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, grace: float = STOP_GRACE_SECONDS) -> int:
        """SIGTERM the group, then SIGKILL it if it is still there after `grace` seconds."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=grace)
        # Children (uvicorn workers) may outlive a leader that exited first.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        return self.popen.returncode


def spawn(name: str, args: list[str], env: dict[str, str], log_path: Path) -> Process:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        popen = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() reaches every child
        )
    return Process(name=name, args=args, log_path=log_path, popen=popen)


def http(
    method: str,
    url: str,
    *,
    token: str | None = None,
    body: dict | None = None,
    timeout: float = 30,
) -> tuple[int, dict | str]:
    """One JSON request with the standard library; returns (status, decoded body)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - http://127.0.0.1 only
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


@dataclass
class AsgiServer:
    url: str
    process: Process

    def stop(self) -> int:
        return self.process.stop()


def start_asgi_server(tmp_dir: Path, *, workers: int = 1, timeout: float = 60, **env_overrides: str) -> AsgiServer:
    """uvicorn crisiscell.asgi:application on a free port against the test database.

    Returns once GET /healthz answers 200. Celery tasks run eagerly inside the
    server (no worker needed; the e-mail goes to the server's log), unless
    CELERY_TASK_ALWAYS_EAGER=false is passed. DEBUG is on so that static files
    are served without collectstatic (pass DEBUG="false", CRISISCELL_LOCAL="true"
    for the production code paths with static files still served).
    """
    env = subprocess_env(tmp_dir, **{"DEBUG": "true", "CELERY_TASK_ALWAYS_EAGER": "true", **env_overrides})
    last_error = ""
    for attempt in range(3):  # another process may take the free port before uvicorn binds it
        port = free_port()
        args = [
            sys.executable,
            "-m",
            "uvicorn",
            "crisiscell.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--lifespan",
            "off",
            "--no-access-log",
            # As deployed: forwarded headers are the app's to judge (core/client_ip.py).
            "--no-proxy-headers",
            "--timeout-graceful-shutdown",
            "5",
        ]
        process = spawn("uvicorn", args, env, tmp_dir / f"uvicorn-{port}-{attempt}.log")
        server = AsgiServer(url=f"http://127.0.0.1:{port}", process=process)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.alive():
            try:
                status, body = http("GET", f"{server.url}/healthz", timeout=5)
            except OSError:
                status, body = 0, ""
            if status == 200:
                return server
            last_error = f"/healthz answered {status}: {body}" if status else "not listening yet"
            time.sleep(0.1)
        server.stop()
        if "address already in use" not in process.log().lower():
            break
    raise RuntimeError(f"uvicorn did not become healthy ({last_error}). Its log:\n{process.log(8000)}")


@contextlib.contextmanager
def celery_app_using(broker_url: str, queue: str):
    """Point this process's Celery app at `broker_url` and route every task to `queue`.

    A queue of its own keeps this test's tasks away from any other worker on
    the same Redis (another engineer's run, a developer's `dev.py run`).
    """
    from crisiscell.celery import app

    saved = {key: app.conf[key] for key in ("broker_url", "task_default_queue", "task_routes")}
    # Celery reads CELERY_BROKER_URL from the environment before its configuration.
    saved_env = os.environ.get("CELERY_BROKER_URL")

    def reset_cached_connections():
        # Celery caches the connection pool, the producer pool and the router.
        app._pool = None
        app.amqp._producer_pool = None
        for cached in ("router", "queues", "default_queue"):
            app.amqp.__dict__.pop(cached, None)
        app.amqp.flush_routes()

    os.environ["CELERY_BROKER_URL"] = broker_url
    app.conf.broker_url = broker_url
    app.conf.task_default_queue = queue
    app.conf.task_routes = {"*": {"queue": queue}}
    reset_cached_connections()
    try:
        assert app.conf.broker_url == broker_url
        yield app
    finally:
        with contextlib.suppress(Exception):
            app.pool.force_close_all()
        # kombu also keeps the pool in a global registry per URL: drop it, or the next
        # test that points the app at this URL acquires from a closed pool.
        pools.reset()
        for key, value in saved.items():
            app.conf[key] = value
        if saved_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env
        reset_cached_connections()


def start_celery_worker(
    tmp_dir: Path, *, broker_url: str, queue: str, name: str, timeout: float = 60, **env_overrides: str
) -> Process:
    """`celery -A crisiscell worker --pool=solo` consuming `queue`; returns once it answers a ping.

    Call it inside `celery_app_using(broker_url, queue)`: the ping goes through this process's app.
    """
    from crisiscell.celery import app

    env = subprocess_env(
        tmp_dir, CELERY_BROKER_URL=broker_url, REDIS_URL=broker_url, CELERY_TASK_ALWAYS_EAGER="false", **env_overrides
    )
    args = [
        str(Path(sys.executable).with_name("celery")),
        "-A",
        "crisiscell",
        "worker",
        "--pool=solo",
        "--loglevel=INFO",
        "--without-mingle",
        "--without-gossip",
        "--queues",
        queue,
        "--hostname",
        name,
    ]
    process = spawn("celery worker", args, env, tmp_dir / f"worker-{name}.log")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.alive():
        if app.control.ping(destination=[name], timeout=1.0):
            return process
    process.stop()
    raise RuntimeError(f"The Celery worker did not answer a ping. Its log:\n{process.log(8000)}")
