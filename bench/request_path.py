"""Request-path benchmark (issue 12): reads, the workspace page, appends, verification, pagination.

    .venv/bin/python bench/request_path.py [--runs 3] [--json out.json]

On a scratch PostgreSQL database (created, migrated, dropped): the demo cell
(`load_demo`) with a fuller crisis log, a cell of the bench's own for the writes,
and an incident with a 100,000-entry log built in bulk (bench/bulk_log.py). Two
servers, each one uvicorn process started as Procfile.dev starts it (DEBUG off,
psycopg pool on): the application, and a raw ASGI app (bench/raw_app.py) that
answers the same requests with one query each. A load generator in its own
process (aiohttp, 32 clients) drives one server at a time, the application and
the raw app interleaved, for a few seconds per case; throughput, latency and the
server's CPU per request (/proc, its process group) are measured in the same
window. SQL statements per request are counted in this process (Django's test
client under CaptureQueriesContext, the same views and middleware). Then, one
request at a time: verification of the long log against reading its rows and
re-hashing them in plain Python, and its first and last pages.

Ratios are printed against the goals of issue 12. Nothing is asserted about
time: the figures go to bench/README.md. Every process started here dies with
this one; the scratch database is dropped in a `finally`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import io
import json
import math
import os
import signal
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import ws_fanout as procs  # process handling and the scratch database, shared with the fan-out bench

ROOT = procs.ROOT
THIS = Path(__file__).resolve()
LINE_LIMIT = procs.LINE_LIMIT
DEFAULT_PG_ADMIN_URL = procs.DEFAULT_PG_ADMIN_URL
# Not flushed: nothing is stored there (the channel layer is pub/sub; Celery runs eagerly).
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/11"
# Goals of issue 12: CrisisCell's throughput / the raw baseline's, at least; and time ratios, at most.
GOAL_READ = 1 / 5
GOAL_WORKSPACE = 1 / 10
GOAL_APPEND = 1 / 5
GOAL_VERIFY = 1.5
GOAL_LAST_PAGE = 2.0
PAGE_SIZE = 50
WORKSPACE_PAGE = "/incidents/{id}/"


# --------------------------------------------------------------------------- the load generator (its own process)


async def _client(session, base: str, target: dict, state: dict) -> None:
    """One of the clients: a request, its response read in full, the next one; until told to stop."""
    import aiohttp

    method, url = target["method"], base + target["path"]
    headers, body = target.get("headers", {}), target.get("body")
    data = json.dumps(body).encode() if body is not None else None
    while state["running"]:
        started = time.monotonic()
        try:
            async with session.request(method, url, headers=headers, data=data) as response:
                await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as error:
            status = repr(error)[:80]
        ended = time.monotonic()
        # Throughput: the responses completed in the window, whenever their request started.
        if state["counting"] and ended >= state["mark"]:
            state["latencies"].append(ended - started)
            state["statuses"][str(status)] = state["statuses"].get(str(status), 0) + 1


async def _load_worker() -> None:
    """Read commands on stdin: run (start clients), mark (start counting), stop (report), close."""
    import aiohttp

    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader(limit=LINE_LIMIT)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    # One connection per client, kept alive; no limit of aiohttp's own between them and the server.
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0, force_close=False), timeout=aiohttp.ClientTimeout(total=120)
    )
    state: dict = {"running": False, "counting": False, "mark": math.inf, "latencies": [], "statuses": {}}
    tasks: list[asyncio.Task] = []
    cpu_mark = time.process_time()
    procs._emit({"ready": True})
    try:
        while line := await stdin.readline():
            command = json.loads(line)
            if command["cmd"] == "run":
                state.update(running=True, counting=False, mark=math.inf, latencies=[], statuses={})
                targets = command["targets"]
                tasks = [
                    loop.create_task(_client(session, command["base"], targets[i % len(targets)], state))
                    for i in range(command["clients"])
                ]
            elif command["cmd"] == "mark":
                state.update(counting=True, mark=time.monotonic(), latencies=[], statuses={})
                cpu_mark = time.process_time()
            elif command["cmd"] == "stop":
                # A server slower than the window still gets one response counted (the window grows to it).
                deadline = time.monotonic() + 120
                while not state["latencies"] and time.monotonic() < deadline:
                    await asyncio.sleep(0.005)
                stopped = time.monotonic()
                state["counting"] = False
                state["running"] = False
                latencies = sorted(state["latencies"])
                statuses = dict(state["statuses"])
                procs._emit({"stopped": True})  # the coordinator reads the server's CPU now
                await asyncio.gather(*tasks, return_exceptions=True)  # the requests in flight end
                procs._emit(
                    {
                        "count": len(latencies),
                        "seconds": stopped - state["mark"],
                        "statuses": statuses,
                        "latencies_ms": [round(v * 1000, 2) for v in latencies],
                        "cpu_s": time.process_time() - cpu_mark,
                    }
                )
            elif command["cmd"] == "close":
                break
    finally:
        state["running"] = False
        await asyncio.gather(*tasks, return_exceptions=True)
        await session.close()


def load_worker_main() -> None:
    try:
        import uvloop
    except ImportError:
        asyncio.run(_load_worker())
    else:
        uvloop.run(_load_worker())


class LoadGenerator:
    """The coordinator's end of the load process(es)."""

    def __init__(self, workers: list[procs.Worker]):
        self.workers = workers

    @classmethod
    async def start(cls, work_dir: Path, processes: int) -> LoadGenerator:
        workers = []
        for i in range(processes):
            name = f"load{i}"
            proc = await procs.spawn(
                name,
                [sys.executable, str(THIS), "_load"],
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                log_path=work_dir / f"{name}.log",
                pipes=True,
            )
            workers.append(procs.Worker(proc, name))
        for worker in workers:
            await worker.read(60)
        return cls(workers)

    async def measure(
        self, server: Server, targets: list[dict], clients: int, warmup: float, duration: float, profile=None
    ) -> dict:
        """`clients` clients on `targets` (client i on target i mod len); figures of the window after warm-up."""
        shares = [len(chunk) for chunk in procs.split(list(range(clients)), len(self.workers))]
        for worker, share in zip(self.workers, shares, strict=False):
            await worker.send({"cmd": "run", "base": server.url, "targets": targets, "clients": share})
        await asyncio.sleep(warmup)
        profiler = await profile.start(server) if profile else None
        cpu_before, load = procs.cpu_seconds(server.proc.pid), os.getloadavg()[0]
        for worker in self.workers:
            await worker.send({"cmd": "mark"})
        await asyncio.sleep(duration)
        for worker in self.workers:
            await worker.send({"cmd": "stop"})
        await asyncio.gather(*(w.read(180) for w in self.workers))  # {"stopped": true}: the window is over
        cpu = procs.cpu_seconds(server.proc.pid) - cpu_before
        if profiler is not None:
            await profile.stop(profiler)
        answers = await asyncio.gather(*(w.read(180) for w in self.workers))
        count = sum(a["count"] for a in answers)
        seconds = max(a["seconds"] for a in answers)
        latencies = sorted(v for a in answers for v in a["latencies_ms"])
        statuses: dict[str, int] = {}
        for answer in answers:
            for status, n in answer["statuses"].items():
                statuses[status] = statuses.get(status, 0) + n
        ok = sum(n for status, n in statuses.items() if status.isdigit() and 200 <= int(status) < 300)
        return {
            "requests": count,
            "ok": ok,
            "statuses": statuses,
            "seconds": seconds,
            "rps": ok / seconds if seconds else math.nan,
            "p50_ms": procs.percentile(latencies, 50),
            "p99_ms": procs.percentile(latencies, 99),
            "server_cpu_ms_per_request": 1000 * cpu / count if count else math.nan,
            "client_cpu_s": sum(a["cpu_s"] for a in answers),
            "load": load,
        }

    async def close(self) -> None:
        await asyncio.gather(*(w.close() for w in self.workers))


# --------------------------------------------------------------------------- servers


@dataclass
class Server:
    name: str
    proc: object
    url: str
    log_path: Path


def server_env(database_url: str, redis_url: str, secret_key: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "RAW_DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "true",
        # Production settings (DEBUG off) minus TLS: everything is on 127.0.0.1.
        "DEBUG": "false",
        # The sessions this process makes for the workspace page are signed with it.
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_POOL": "true",  # as deployed; this process's own "false" must not leak into it
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        "EMAIL_URL": "consolemail://",
        "DJANGO_SETTINGS_MODULE": "crisiscell.settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def server_command(asgi_app: str, port: int) -> list[str]:
    """Procfile.dev's uvicorn options (fan-out bench's command), one process, for either app."""
    command = procs.server_command("uvicorn", port)
    command[command.index("crisiscell.asgi:application")] = asgi_app
    return command


async def start_server(name: str, asgi_app: str, health: str, env: dict, work_dir: Path) -> Server:
    for attempt in range(3):  # another process may take the free port first
        port = procs.free_port()
        log_path = work_dir / f"{name}-{port}.log"
        proc = await procs.spawn(name, server_command(asgi_app, port), env=env, log_path=log_path)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.returncode is None:
            if await asyncio.to_thread(procs._healthz, url + health) == 200:
                return Server(name, proc, url, log_path)
            await asyncio.sleep(0.2)
        await procs.stop(proc)
        log = log_path.read_text(errors="replace")
        if "address already in use" not in log.lower() or attempt == 2:
            raise RuntimeError(f"{name} did not become healthy. Its log ({log_path}):\n{log[-4000:]}")
    raise AssertionError("unreachable")


async def start_servers(ctx: Context) -> tuple[Server, Server]:
    env = {**server_env(ctx.database_url, ctx.redis_url, ctx.secret_key), **ctx.server_overrides}
    return await asyncio.gather(
        start_server("crisiscell", "crisiscell.asgi:application", "/healthz", env, ctx.work_dir),
        start_server("raw", "bench.raw_app:app", "/raw/healthz", env, ctx.work_dir),
    )


# --------------------------------------------------------------------------- data


@dataclass
class Scene:
    """Ids and credentials of what the cases use (plain values: the smoke test builds one on its test database)."""

    reads_incident: int  # the demo's rumour: facts, claims, statements, a fuller log
    read_token: str  # the demo manager's
    read_session: str
    write_token: str  # a manager of the bench's own cell, where the writes go
    write_session: str
    app_append_incidents: list[int]
    raw_append_incidents: list[int]
    big_incident: int | None
    builds: dict = field(default_factory=dict)


def _session_for(user) -> str:
    """A logged-in session (as after the login form) for the workspace page's requests."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def prepare(*, demo_log_entries: int, append_incidents: int, big_entries: int) -> Scene:
    """The demo cell with `demo_log_entries` more log entries, the bench's write cell, and the long log."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from bench.bulk_log import build_log
    from cells.models import Cell, Membership, Role
    from incidents import services
    from incidents.models import Incident

    builds = {}
    call_command("load_demo", stdout=io.StringIO())
    user_model = get_user_model()
    manager = user_model.objects.get(username="manager")
    rumour = Incident.objects.get(title__startswith="Rumeur")
    if demo_log_entries:
        # A cell's first hours: a full log page (50). No level changes: the rumour has a published holding
        # statement, whose review deadline a real level change would recompute.
        builds["demo"] = asdict(
            build_log(incident=rumour, entries=demo_log_entries, actor=manager, level_change_every=0)
        )
    tag = uuid.uuid4().hex[:6]
    writer = user_model.objects.create(
        username=f"bench-writer-{tag}", first_name="Bench", last_name="Writer", password=make_password(None)
    )
    cell = Cell.objects.create(name=f"Bench writes {tag}")
    Membership.objects.create(cell=cell, user=writer, role=Role.MANAGER)

    def incidents(label: str) -> list[int]:
        return [
            services.incident_create(actor=writer, cell=cell, title=f"{label} {i + 1}", severity=2).pk
            for i in range(append_incidents)
        ]

    app_ids, raw_ids = incidents("Appends (CrisisCell)"), incidents("Appends (raw)")
    big = None
    if big_entries:
        incident = services.incident_create(actor=writer, cell=cell, title="Long crisis log", severity=1)
        builds["big"] = asdict(build_log(incident=incident, entries=big_entries - 1, actor=writer))
        big = incident.pk
    return Scene(
        reads_incident=rumour.pk,
        read_token=Token.objects.get_or_create(user=manager)[0].key,
        read_session=_session_for(manager),
        write_token=Token.objects.create(user=writer).key,
        write_session=_session_for(writer),
        app_append_incidents=app_ids,
        raw_append_incidents=raw_ids,
        big_incident=big,
        builds=builds,
    )


# --------------------------------------------------------------------------- cases


def token(key: str) -> dict:
    return {"Authorization": f"Token {key}"}


def cookie(session: str) -> dict:
    return {"Cookie": f"sessionid={session}"}


@dataclass
class Case:
    name: str
    label: str
    goal: float
    app: list[dict]
    raw: list[dict]


def read_cases(scene: Scene) -> list[Case]:
    i, auth = scene.reads_incident, token(scene.read_token)

    def get(path, headers=auth):
        return [{"method": "GET", "path": path, "headers": headers}]

    return [
        Case("incidents", "GET /api/v1/incidents/", GOAL_READ, get("/api/v1/incidents/"), get("/raw/incidents")),
        Case(
            "detail",
            "GET /api/v1/incidents/{id}/",
            GOAL_READ,
            get(f"/api/v1/incidents/{i}/"),
            get(f"/raw/incidents/{i}"),
        ),
        Case(
            "log",
            f"GET .../log/?page_size={PAGE_SIZE}",
            GOAL_READ,
            get(f"/api/v1/incidents/{i}/log/?page_size={PAGE_SIZE}"),
            get(f"/raw/incidents/{i}/log?limit={PAGE_SIZE}"),
        ),
        Case(
            "facts", "GET .../facts/", GOAL_READ, get(f"/api/v1/incidents/{i}/facts/"), get(f"/raw/incidents/{i}/facts")
        ),
        Case(
            "statements",
            "GET .../statements/",
            GOAL_READ,
            get(f"/api/v1/incidents/{i}/statements/"),
            get(f"/raw/incidents/{i}/statements"),
        ),
        Case(
            "workspace",
            "the incident workspace page (HTML)",
            GOAL_WORKSPACE,
            get(WORKSPACE_PAGE.format(id=i), cookie(scene.read_session)),
            get(f"/raw/incidents/{i}/workspace"),
        ),
    ]


def append_case(scene: Scene, k: int) -> Case:
    """Appends spread over k incidents (client j on incident j mod k)."""
    auth = {**token(scene.write_token), "Content-Type": "application/json"}
    body = {"text": "Point de situation : volume stable, aucune nouvelle reprise presse.", "category": "information"}

    def posts(paths):
        return [{"method": "POST", "path": p, "headers": auth, "body": body} for p in paths]

    return Case(
        f"append_k{k}",
        f"POST a log entry, {k} incident{'s' if k > 1 else ''}",
        GOAL_APPEND,
        posts(f"/api/v1/incidents/{i}/log/" for i in scene.app_append_incidents[:k]),
        posts(f"/raw/incidents/{i}/log" for i in scene.raw_append_incidents[:k]),
    )


def probe(server: Server, targets: list[dict]) -> None:
    """Each target once: a case whose requests fail would measure the failure (401, 404...), not the path."""
    for target in targets:
        status, body = http(server.url + target["path"], target["method"], target.get("headers"), target.get("body"))
        if not 200 <= status < 300:
            raise RuntimeError(f"{server.name} {target['method']} {target['path']}: {status} {body[:300]!r}")


def http(url: str, method: str = "GET", headers: dict | None = None, body=None, timeout: float = 600):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})  # noqa: S310 - 127.0.0.1
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


# --------------------------------------------------------------------------- SQL statements per request


def in_process_request(target: dict):
    """A callable that makes `target`'s request through Django's test client, in this process."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    meta = {}
    for name, value in target.get("headers", {}).items():
        if name == "Cookie":
            client.cookies.load(value)
        elif name != "Content-Type":
            meta["HTTP_" + name.upper().replace("-", "_")] = value
    body = json.dumps(target["body"]) if "body" in target else None

    def call():
        if target["method"] == "GET":
            response = client.get(target["path"], **meta)
        else:
            response = client.post(target["path"], data=body, content_type="application/json", **meta)
        if response.status_code >= 300:
            raise RuntimeError(f"{target['method']} {target['path']}: {response.status_code} in process")
        return response

    return call


def count_statements(scene: Scene, cases: list[Case]) -> dict[str, dict]:
    """The SQL statements of one request of each case, in this process (Django's test client, same views).

    Each request runs once to warm caches (content types, translations), then once under
    CaptureQueriesContext, which also lists BEGIN and COMMIT. Savepoints (and their RELEASE)
    are counted apart: they are statements the server runs too.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for case in cases:
        call = in_process_request(case.app[0])
        call()
        with CaptureQueriesContext(connection) as captured:
            call()
        sqls = [q["sql"] for q in captured.captured_queries]
        kinds: dict[str, int] = {}
        for sql in sqls:
            word = sql.lstrip().split(None, 1)[0].upper()
            word = "SAVEPOINT" if word in ("SAVEPOINT", "RELEASE") else word
            kinds[word] = kinds.get(word, 0) + 1
        counts[case.name] = {"statements": len(sqls), "by_kind": kinds, "sql": sqls}
    return counts


def cprofile_cases(cases: list[Case], names: list[str], requests: int, out_dir: Path) -> dict[str, str]:
    """cProfile of `requests` in-process requests of each named case (deterministic: call counts, file:line).

    The test client's request path (no ASGI server, no thread hops): what Django, DRF, the
    app's code and the templates cost. The pstats files go to `out_dir`.
    """
    import cProfile
    import pstats

    outputs = {}
    for case in cases:
        if case.name not in names:
            continue
        call = in_process_request(case.app[0])
        call()
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(requests):
            call()
        profile.disable()
        path = out_dir / f"cprofile-{case.name}.pstats"
        profile.dump_stats(path)
        text = io.StringIO()
        stats = pstats.Stats(profile, stream=text)
        stats.sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(30)
        (out_dir / f"cprofile-{case.name}.txt").write_text(text.getvalue())
        outputs[case.name] = str(path)
    return outputs


# --------------------------------------------------------------------------- verification and pagination


def timed_requests(server: Server, url: str, headers: dict, repeat: int, warm: bool = True) -> dict:
    """`repeat` sequential requests (after one not counted, if `warm`): median and max time, server CPU each."""
    if warm:
        status, body = http(url, headers=headers)
        if status != 200:
            raise RuntimeError(f"{url}: {status} {body[:300]!r}")
    times = []
    cpu_before = procs.cpu_seconds(server.proc.pid)
    for _ in range(repeat):
        started = time.monotonic()
        status, body = http(url, headers=headers)
        times.append(time.monotonic() - started)
        if status != 200:
            raise RuntimeError(f"{url}: {status} {body[:300]!r}")
    cpu = procs.cpu_seconds(server.proc.pid) - cpu_before
    return {
        "median_ms": 1000 * statistics.median(times),
        "max_ms": 1000 * max(times),
        "server_cpu_ms": 1000 * cpu / repeat,
        "repeat": repeat,
        "body": json.loads(body) if body[:1] in (b"{", b"[") else None,
    }


def plain_rehash(database_url: str, incident_id: int) -> dict:
    """Read the rows with plain psycopg and re-hash them in plain Python (bench/plain_chain.py)."""
    import hashlib

    import psycopg

    from bench.plain_chain import HASHED_COLUMNS, canonical, rehash

    columns = ", ".join((*HASHED_COLUMNS, "prev_hash", "hash"))
    query = f"SELECT {columns} FROM incidents_logentry WHERE incident_id = %s ORDER BY seq"  # noqa: S608
    with psycopg.connect(database_url) as conn:
        started = time.monotonic()
        rows = conn.execute(query, [incident_id]).fetchall()
        read = time.monotonic() - started
        checked, broken = rehash(rows)
        total = time.monotonic() - started
    texts = [f"{row[-2]}\n{canonical(*row[:-2])}".encode() for row in rows]
    started = time.monotonic()
    for text in texts:
        hashlib.sha256(text).hexdigest()
    sha_only = time.monotonic() - started
    return {
        "seconds": total,
        "read_seconds": read,
        "sha256_only_seconds": sha_only,
        "checked": checked,
        "broken": broken,
    }


def verification(ctx: Context, server: Server, scene: Scene, repeat: int) -> dict:
    """The long log's verification: as the worker runs it (in this process), and the plain re-hash.

    Since issue 10 a web request only asks for a verification (POST .../log/verify/ -> 202) and a
    Celery worker runs it: the request's time is measured too, to show it does not grow with the
    log. The runs alternate, `repeat` times each, so that a change of the machine's load spreads over all.
    """
    from incidents.log_verification import verify_log
    from incidents.models import Incident

    incident = Incident.objects.get(pk=scene.big_incident)
    url = f"{server.url}/api/v1/incidents/{incident.pk}/log/verify/"
    ask_times, function_times, plain = [], [], []
    for _ in range(repeat):
        started = time.monotonic()
        status, body = http(url, method="POST", headers=token(scene.write_token))
        ask_times.append(time.monotonic() - started)
        if status != 202:
            raise RuntimeError(f"{url}: {status} {body[:300]!r}")
        started = time.monotonic()
        report = verify_log(incident.pk)
        function_times.append(time.monotonic() - started)
        plain.append(plain_rehash(ctx.database_url, incident.pk))
    return {
        "entries": incident.log_seq,
        "ask": {"median_ms": 1000 * statistics.median(ask_times), "status": status, "repeat": repeat},
        "function": {
            "median_ms": 1000 * statistics.median(function_times),
            "valid": report.valid,
            "checked": report.checked,
            "repeat": repeat,
        },
        "plain": {
            "median_ms": 1000 * statistics.median(p["seconds"] for p in plain),
            "read_ms": 1000 * statistics.median(p["read_seconds"] for p in plain),
            "sha256_only_ms": 1000 * statistics.median(p["sha256_only_seconds"] for p in plain),
            "checked": plain[0]["checked"],
            "valid": plain[0]["broken"] is None,
        },
    }


def drf_cursor(position: int) -> str:
    """A cursor as DRF's CursorPagination encodes one (base64 of `p=<position>`)."""
    return base64.b64encode(urllib.parse.urlencode({"p": position}).encode()).decode()


def pagination(server: Server, scene: Scene, repeat: int) -> dict:
    """First and last page of the long log: with page= now, and with cursor= once the API has it."""
    from incidents.models import Incident

    incident = Incident.objects.get(pk=scene.big_incident)
    base = f"{server.url}/api/v1/incidents/{incident.pk}/log/?page_size={PAGE_SIZE}"
    auth = token(scene.write_token)
    first = timed_requests(server, base, auth, repeat)
    result = {"entries": incident.log_seq}
    # The log is newest first: the last page holds seq 1..PAGE_SIZE.
    next_url = (first["body"] or {}).get("next") or ""
    if "cursor=" in next_url:
        # Keyset pagination on -seq: the cursor's position is the seq below which the page starts.
        last_url = f"{base}&cursor={urllib.parse.quote(drf_cursor(PAGE_SIZE + 1))}"
        last = timed_requests(server, last_url, auth, repeat)
        result["cursor"] = {"first": first, "last": last, "last_url": last_url}
        result["page"] = None
    else:
        last_page = math.ceil(incident.log_seq / PAGE_SIZE)
        last = timed_requests(server, f"{base}&page={last_page}", auth, repeat)
        result["page"] = {"first": first, "last": last}
        result["cursor"] = None
    seqs = [entry["seq"] for entry in (last["body"] or {}).get("results", [])]
    result["last_page_seqs"] = [min(seqs), max(seqs)] if seqs else None
    for mode in ("page", "cursor"):
        for key in ("first", "last"):
            if result[mode]:
                result[mode][key].pop("body", None)
    # The workspace page of the long log (its level history and log panel).
    page = timed_requests(
        server, f"{server.url}{WORKSPACE_PAGE.format(id=incident.pk)}", cookie(scene.write_session), repeat
    )
    page.pop("body", None)
    result["workspace"] = page
    return result


# --------------------------------------------------------------------------- profiles


class PySpy:
    """py-spy record of the application server during a case's measured window (--py-spy)."""

    def __init__(self, path: str, work_dir: Path, cases: list[str]):
        self.path, self.work_dir, self.cases = path, work_dir, set(cases)
        self.current: str | None = None
        self.outputs: dict[str, str] = {}

    def for_case(self, name: str, server: Server):
        return self if server.name == "crisiscell" and name in self.cases else None

    async def start(self, server: Server):
        output = self.work_dir / f"profile-{self.current}.txt"
        self.outputs[self.current] = str(output)
        # --gil: the samples of the thread that holds the GIL, i.e. where the server's Python CPU goes.
        command = [self.path, "record", "--pid", str(server.proc.pid), "--rate", "100", "--format", "raw"]
        command += ["--output", str(output), "--nonblocking", "--gil"]
        proc = await procs.spawn("py-spy", command, env=dict(os.environ), log_path=self.work_dir / "py-spy.log")
        await asyncio.sleep(1.0)  # py-spy attaches
        return proc

    async def stop(self, proc) -> None:
        await procs.stop_profiler(proc)


# --------------------------------------------------------------------------- the run


@dataclass
class Context:
    database_url: str
    redis_url: str
    secret_key: str
    work_dir: Path
    clients: int = 32
    load_processes: int = 1
    warmup: float = 1.0
    duration: float = 5.0
    runs: int = 1
    append_incidents: tuple[int, ...] = (1, 8)
    sequential_repeat: int = 10
    verify_repeat: int = 3
    py_spy: PySpy | None = None
    # --cprofile: in-process requests per profiled case (0: none).
    cprofile_requests: int = 0
    profile_cases: list[str] = field(default_factory=lambda: ["incidents", "workspace", "append_k1"])
    # Only these cases under load (None: all); every case's requests are still checked once (probe).
    measured_cases: set[str] | None = None
    # Extra environment of both servers (the smoke test: DEBUG on, which needs no collectstatic).
    server_overrides: dict[str, str] = field(default_factory=dict)


async def run_cases(ctx: Context, scene: Scene, app: Server, raw: Server) -> list[dict]:
    cases = read_cases(scene) + [append_case(scene, k) for k in ctx.append_incidents]
    for case in cases:
        probe(app, case.app)
        probe(raw, case.raw)
    load = await LoadGenerator.start(ctx.work_dir, ctx.load_processes)
    results = []
    try:
        measured = [c for c in cases if ctx.measured_cases is None or c.name in ctx.measured_cases]
        for run in range(1, ctx.runs + 1):
            for case in measured:
                # Alternate which server goes first, so that a drift of the machine's load spreads over both.
                order = [(app, case.app), (raw, case.raw)]
                if run % 2 == 0:
                    order.reverse()
                figures = {}
                for server, targets in order:
                    profile = ctx.py_spy.for_case(case.name, server) if ctx.py_spy and run == 1 else None
                    if profile:
                        profile.current = case.name
                    figures[server.name] = await load.measure(
                        server, targets, ctx.clients, ctx.warmup, ctx.duration, profile
                    )
                result = {"run": run, "case": case.name, "label": case.label, "goal": case.goal, **figures}
                results.append(result)
                print(case_line(result), flush=True)
    finally:
        await load.close()
    return results


def chains_valid(incident_ids: list[int]) -> dict[int, bool]:
    """After the appends: both the application's and the raw appends must have kept a valid chain."""
    from incidents import crisislog
    from incidents.models import Incident

    return {pk: crisislog.verify_chain(Incident.objects.get(pk=pk)).valid for pk in incident_ids}


async def run_bench(ctx: Context, scene: Scene) -> dict:
    from asgiref.sync import sync_to_async
    from django.db import connections

    app, raw = await start_servers(ctx)
    try:
        print(f"servers: crisiscell {app.url}, raw {raw.url}", flush=True)
        cases = await run_cases(ctx, scene, app, raw)

        def in_process():
            try:
                out = {}
                all_cases = [*read_cases(scene), append_case(scene, 1)]
                out["statements"] = count_statements(scene, all_cases)
                out["chains_valid"] = chains_valid(scene.app_append_incidents + scene.raw_append_incidents)
                if ctx.cprofile_requests:
                    out["cprofiles"] = cprofile_cases(all_cases, ctx.profile_cases, ctx.cprofile_requests, ctx.work_dir)
                if scene.big_incident:
                    out["verification"] = verification(ctx, app, scene, ctx.verify_repeat)
                    out["pagination"] = pagination(app, scene, ctx.sequential_repeat)
                return out
            finally:
                connections.close_all()

        # Django's ORM in a worker thread (the event loop's thread refuses it).
        extra = await sync_to_async(in_process, thread_sensitive=False)()
        return {"cases": cases, **extra, "builds": scene.builds}
    finally:
        await asyncio.gather(procs.stop(app.proc), procs.stop(raw.proc))


# --------------------------------------------------------------------------- report


def fmt(value, digits: int = 1) -> str:
    return procs.fmt(value, digits)


def div(a: float, b: float) -> float:
    return a / b if b else math.nan


def as_fraction(ratio: float) -> str:
    if ratio is None or math.isnan(ratio) or ratio <= 0:
        return "-"
    return f"1/{1 / ratio:.1f}" if ratio < 1 else f"{ratio:.2f}"


def case_line(result: dict) -> str:
    app, raw = result["crisiscell"], result["raw"]
    ratio = div(app["rps"], raw["rps"])
    bad = {s: n for s, n in {**app["statuses"], **raw["statuses"]}.items() if not s.startswith("2")}
    return (
        f"[run {result['run']}] {result['case']:<11} crisiscell {app['rps']:7.1f} req/s p50 {fmt(app['p50_ms'])}"
        f" p99 {fmt(app['p99_ms'])} ms cpu {fmt(app['server_cpu_ms_per_request'], 2)} ms/req"
        f" | raw {raw['rps']:7.1f} req/s p50 {fmt(raw['p50_ms'])} p99 {fmt(raw['p99_ms'])} ms"
        f" cpu {fmt(raw['server_cpu_ms_per_request'], 2)} ms/req | ratio {as_fraction(ratio)}"
        f" | load {app['load']:.2f}{' | NOT 2xx: ' + str(bad) if bad else ''}"
    )


def summarise(report: dict) -> tuple[str, dict]:
    """The tables (medians over runs) and the verdicts against issue 12's goals."""
    lines, verdicts = [], {}
    statements = report.get("statements", {})
    names = list(dict.fromkeys(r["case"] for r in report["cases"]))
    lines.append(
        "| request | CrisisCell req/s | p50 / p99 ms | server CPU ms/req | SQL statements (savepoints) |"
        " raw req/s | raw p50 / p99 ms | raw CPU ms/req | ratio (median; min-max) | goal | verdict |"
        " CPU ratio | load |"
    )
    lines.append("|" + "---|" * 13)
    summary = {}
    for name in names:
        mine = [r for r in report["cases"] if r["case"] == name]
        app = {k: statistics.median(r["crisiscell"][k] for r in mine) for k in ("rps", "p50_ms", "p99_ms")}
        app["cpu"] = statistics.median(r["crisiscell"]["server_cpu_ms_per_request"] for r in mine)
        raw = {k: statistics.median(r["raw"][k] for r in mine) for k in ("rps", "p50_ms", "p99_ms")}
        raw["cpu"] = statistics.median(r["raw"]["server_cpu_ms_per_request"] for r in mine)
        ratios = [div(r["crisiscell"]["rps"], r["raw"]["rps"]) for r in mine]
        ratio = statistics.median(ratios) if ratios else math.nan
        goal = mine[0]["goal"]
        passed = ratio >= goal
        verdicts[name] = passed
        count = statements.get(name) or statements.get("append_k1" if name.startswith("append") else name)
        sql = f"{count['statements']} ({count['by_kind'].get('SAVEPOINT', 0)})" if count else "-"
        load = statistics.median(r["crisiscell"]["load"] for r in mine)
        summary[name] = {"app": app, "raw": raw, "ratio": ratio, "ratios": ratios, "goal": goal, "pass": passed}
        lines.append(
            f"| {mine[0]['label']} | {fmt(app['rps'])} | {fmt(app['p50_ms'])} / {fmt(app['p99_ms'])}"
            f" | {fmt(app['cpu'], 2)} | {sql} | {fmt(raw['rps'])} | {fmt(raw['p50_ms'])} / {fmt(raw['p99_ms'])}"
            f" | {fmt(raw['cpu'], 2)} | {as_fraction(ratio)} ({as_fraction(min(ratios))}-{as_fraction(max(ratios))})"
            f" | ≥ {as_fraction(goal)} | {'PASS' if passed else 'FAIL'} | {as_fraction(div(raw['cpu'], app['cpu']))}"
            f" | {load:.2f} |"
        )
    lines.append(
        "\nratio: CrisisCell's throughput / the raw baseline's (medians of the runs). CPU ratio: the raw server's"
        " CPU per request / CrisisCell's (the database's CPU not included): steadier than throughput on a busy"
        " machine."
    )
    appends = sorted((n for n in summary if n.startswith("append_k")), key=lambda n: int(n.removeprefix("append_k")))
    if len(appends) > 1:
        one, many = summary[appends[0]], summary[appends[-1]]
        k = int(appends[-1].removeprefix("append_k"))
        lines.append(
            f"\nAppends on {k} incidents vs 1: CrisisCell x{fmt(div(many['app']['rps'], one['app']['rps']), 2)},"
            f" raw x{fmt(div(many['raw']['rps'], one['raw']['rps']), 2)} (1.0 = no gain from spreading over incidents;"
            " with 2 cores shared by server, database and load, CPU caps both)"
        )
    verify = report.get("verification")
    if verify:
        plain_ms, function_ms = verify["plain"]["median_ms"], verify["function"]["median_ms"]
        function_ratio = div(function_ms, plain_ms)
        verdicts["verify_function"] = function_ratio <= GOAL_VERIFY
        lines += [
            "",
            f"| verification of a {verify['entries']:,}-entry log | ms (median of {verify['function']['repeat']}) |"
            " ratio to plain re-hash | goal | verdict |",
            "|---|---|---|---|---|",
            f"| POST .../log/verify/ (asks; a worker runs it) | {fmt(verify['ask']['median_ms'], 0)} | | | |",
            f"| log_verification.verify_log(), the worker's job | {fmt(function_ms, 0)} | {fmt(function_ratio, 2)}x"
            f" | ≤ {GOAL_VERIFY}x | {'PASS' if verdicts['verify_function'] else 'FAIL'} |",
            f"| plain psycopg SELECT + re-hash in Python | {fmt(plain_ms, 0)} | 1 | | |",
            f"| … of which the SELECT | {fmt(verify['plain']['read_ms'], 0)} | | | |",
            f"| sha256 of the canonical texts alone | {fmt(verify['plain']['sha256_only_ms'], 0)} | | | |",
        ]
    pages = report.get("pagination")
    if pages:
        lines += [
            "",
            f"| a {pages['entries']:,}-entry log, one request at a time | median ms | max ms | server CPU ms/req |"
            " last / first | goal | verdict |",
            "|---|---|---|---|---|---|---|",
        ]
        for mode in ("page", "cursor"):
            figures = pages.get(mode)
            if not figures:
                continue
            ratio = div(figures["last"]["median_ms"], figures["first"]["median_ms"])
            verdicts[f"last_page_{mode}"] = ratio <= GOAL_LAST_PAGE
            for key in ("first", "last"):
                f = figures[key]
                extra = (
                    f" | {fmt(ratio, 2)}x | ≤ {GOAL_LAST_PAGE}x | {'PASS' if ratio <= GOAL_LAST_PAGE else 'FAIL'}"
                    if key == "last"
                    else " | | |"
                )
                lines.append(
                    f"| {key} page ({mode}=, page_size={PAGE_SIZE}) | {fmt(f['median_ms'])} | {fmt(f['max_ms'])}"
                    f" | {fmt(f['server_cpu_ms'], 1)}{extra} |"
                )
        if not pages.get("cursor"):
            lines.append("| (cursor=: not offered by the API yet) | | | | | | |")
        ws = pages["workspace"]
        lines.append(
            f"| the workspace page of that incident | {fmt(ws['median_ms'])} | {fmt(ws['max_ms'])}"
            f" | {fmt(ws['server_cpu_ms'], 1)} | | | |"
        )
    if report.get("chains_valid"):
        broken = [pk for pk, ok in report["chains_valid"].items() if not ok]
        lines.append(f"\nHash chains after the appends: {'all valid' if not broken else f'BROKEN: {broken}'}")
    return "\n".join(lines), {"summary": summary, "verdicts": verdicts}


# --------------------------------------------------------------------------- main


STATIC_ROOT = ROOT / "var" / "bench-static"


def setup_django(database_url: str, redis_url: str, secret_key: str) -> None:
    os.environ.update(
        {
            # As the server runs (DEBUG off), so that counts and sessions are the server's.
            "DEBUG": "false",
            "SECRET_KEY": secret_key,
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "SECURE_SSL_REDIRECT": "false",
            # load_demo's escalation e-mail: not on the bench's output.
            "EMAIL_URL": "dummymail://",
            # DEBUG off serves pages with the hashed names of collectstatic's manifest, as the Docker image does.
            "STATIC_ROOT": str(STATIC_ROOT),
        }
    )
    procs.setup_django(database_url, redis_url)
    collect_static()


def collect_static() -> None:
    """collectstatic into var/bench-static, unless its manifest is newer than static/ and the requirements."""
    from django.core.management import call_command

    manifest = STATIC_ROOT / "staticfiles.json"
    sources = [p for p in (ROOT / "static").rglob("*") if p.is_file()] + list(ROOT.glob("requirements*.txt"))
    if manifest.exists() and manifest.stat().st_mtime > max(p.stat().st_mtime for p in sources):
        return
    print("collectstatic (once, into var/bench-static)...", flush=True)
    call_command("collectstatic", interactive=False, verbosity=0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (default 32)")
    parser.add_argument("--load-processes", type=int, default=1, help="load generator processes (default 1)")
    parser.add_argument("--duration", type=float, default=5.0, help="measured seconds per case and server (default 5)")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of load before measuring (default 1)")
    parser.add_argument("--runs", type=int, default=1, help="every case R times, interleaved; medians (default 1)")
    parser.add_argument("--append-incidents", type=int, nargs="+", default=[1, 8], help="K values (default 1 8)")
    parser.add_argument("--demo-log-entries", type=int, default=200, help="added to the demo rumour's log (200)")
    parser.add_argument("--log-entries", type=int, default=100_000, help="the long log (default 100000; 0: none)")
    parser.add_argument("--repeat", type=int, default=10, help="sequential requests per page measurement (10)")
    parser.add_argument("--verify-repeat", type=int, default=3, help="verifications per measurement (3)")
    parser.add_argument("--pg-admin-url", default=DEFAULT_PG_ADMIN_URL, help="to create/drop the scratch database")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="the servers' channel layer (not flushed)")
    parser.add_argument("--json", type=Path, help="write every figure there")
    parser.add_argument("--from-json", type=Path, help="run nothing: print the tables of an earlier --json")
    parser.add_argument("--show-sql", action="store_true", help="print the SQL statements of each request")
    parser.add_argument("--py-spy", metavar="PATH", help="profile the application server with py-spy during cases")
    parser.add_argument(
        "--cprofile", type=int, default=0, metavar="N", help="cProfile N in-process requests of each profiled case"
    )
    parser.add_argument(
        "--profile-cases",
        nargs="+",
        default=["incidents", "workspace", "append_k1"],
        help="with --py-spy and --cprofile",
    )
    parser.add_argument(
        "--cases",
        nargs="+",
        metavar="NAME",
        help="measure only these cases under load (incidents detail log facts statements workspace append_kK)",
    )
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' logs (and profiles)")
    args = parser.parse_args(argv)
    if args.from_json:
        print(summarise(json.loads(args.from_json.read_text()))[0])
        return 0
    hosts = {urllib.parse.urlparse(u).hostname for u in (args.redis_url, args.pg_admin_url)}
    if not hosts <= {"127.0.0.1", "localhost"}:
        parser.error("the bench talks to 127.0.0.1 only")
    if max(args.append_incidents) > 64 or min(args.append_incidents) < 1 or args.runs < 1 or args.clients < 1:
        parser.error("--append-incidents in 1..64, --runs and --clients positive")

    work_dir = Path(tempfile.mkdtemp(prefix="crisiscell-request-bench-"))
    keep_logs = args.keep_logs or bool(args.py_spy) or bool(args.cprofile)
    pg_name = None

    def on_sigterm(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    status = 1
    try:
        pg_name = procs.create_pg_database(args.pg_admin_url)
        database_url = urllib.parse.urlparse(args.pg_admin_url)._replace(path="/" + pg_name).geturl()
        secret_key = "bench-only-" + uuid.uuid4().hex
        setup_django(database_url, args.redis_url, secret_key)
        started = time.monotonic()
        scene = prepare(
            demo_log_entries=args.demo_log_entries,
            append_incidents=max(args.append_incidents),
            big_entries=args.log_entries,
        )
        print(
            f"CrisisCell request-path bench: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}, database {pg_name},"
            f" {args.clients} clients in {args.load_processes} process(es), {args.warmup} s warm-up +"
            f" {args.duration} s per case and server, {args.runs} run(s); data ready in"
            f" {time.monotonic() - started:.1f} s ({json.dumps(scene.builds)}); logs in {work_dir}",
            flush=True,
        )
        ctx = Context(
            database_url=database_url,
            redis_url=args.redis_url,
            secret_key=secret_key,
            work_dir=work_dir,
            clients=args.clients,
            load_processes=args.load_processes,
            warmup=args.warmup,
            duration=args.duration,
            runs=args.runs,
            append_incidents=tuple(args.append_incidents),
            sequential_repeat=args.repeat,
            verify_repeat=args.verify_repeat,
            py_spy=PySpy(args.py_spy, work_dir, args.profile_cases) if args.py_spy else None,
            measured_cases=set(args.cases) if args.cases else None,
            cprofile_requests=args.cprofile,
            profile_cases=args.profile_cases,
        )
        report = asyncio.run(run_bench(ctx, scene))
        report["config"] = {
            "cpus": os.cpu_count(),
            "clients": args.clients,
            "load_processes": args.load_processes,
            "duration": args.duration,
            "warmup": args.warmup,
            "runs": args.runs,
            "append_incidents": args.append_incidents,
            "demo_log_entries": args.demo_log_entries,
            "log_entries": args.log_entries,
        }
        if ctx.py_spy:
            report["profiles"] = ctx.py_spy.outputs
        table, verdicts = summarise(report)
        report.update(verdicts)
        print("\n" + table)
        if args.show_sql:
            for name, count in report["statements"].items():
                print(f"\n{name}: {count['statements']} statements")
                for sql in count["sql"]:
                    print(f"  {sql[:300]}")
        if args.json:
            args.json.write_text(json.dumps(report, indent=1, default=str))
        status = 0
    except KeyboardInterrupt:
        print("\nInterrupted: cleaning up.", flush=True)
        status = 130
    finally:
        procs.kill_all_children()
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if pg_name:
            try:
                procs.drop_pg_database(args.pg_admin_url, pg_name)
            except Exception as error:
                print(f"Could not drop the scratch database {pg_name}: {error!r}", file=sys.stderr)
        if keep_logs:
            print(f"Logs kept in {work_dir}")
        else:
            import shutil

            shutil.rmtree(work_dir, ignore_errors=True)
    return status


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_load":
        load_worker_main()
    else:
        import atexit

        atexit.register(procs.kill_all_children)
        sys.exit(main())
