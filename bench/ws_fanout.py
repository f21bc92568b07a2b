"""Live-update fan-out benchmark (issue 4): commit → WebSocket receipt, against raw Redis pub/sub.

    .venv/bin/python bench/ws_fanout.py [--clients 100 500] [--burst 20] [--servers uvicorn daphne] [--runs 3]

For each run, N and server: start the ASGI server (one process) on a scratch
database and its own Redis db, connect N WebSocket clients to one incident
(token auth, spread over a few client processes), wait for every hello, then
commit a burst of K crisis-log entries from this process. Each client records
when each event arrives; every client must get every sequence number exactly
once, in order. Then the same N subscribers on a plain Redis pub/sub channel
(redis.asyncio, same client processes) receive K messages published at the same
moments relative to each other as the commits were: the raw floor of the same
machine, in the same run, for the same N.

Latency = receipt instant (client process, right when the frame is returned by
the socket) minus commit instant (an on_commit callback registered before the
change, so it runs first, right after COMMIT, before the broadcast). Both are
time.monotonic(), i.e. CLOCK_MONOTONIC: one clock for every process of the machine.

Everything runs on 127.0.0.1. Every process started here is stopped (SIGTERM,
then SIGKILL) and the scratch database dropped and the Redis db flushed, also
on Ctrl-C or an error; child processes also die with this one (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import shlex
import signal
import socket
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
THIS = Path(__file__).resolve()
BENCH_REDIS_DB = 9
DEFAULT_REDIS_URL = f"redis://127.0.0.1:6379/{BENCH_REDIS_DB}"
DEFAULT_PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_DB_PREFIX = "crisiscell_bench_"
SERVERS = ("uvicorn", "daphne")
# The channel layer of the server and of this process: the app's own settings, or one forced.
SETTINGS_BY_LAYER = {"app": "crisiscell.settings", "core": "bench.settings_core", "pubsub": "bench.settings_pubsub"}
# Goals of issue 4.
GOAL_P99_MS = 100.0
GOAL_P99_AT = 500
GOAL_RATIO = 5.0
STOP_GRACE_SECONDS = 5.0
LINE_LIMIT = 64 * 1024 * 1024  # a worker's results are one JSON line


# --------------------------------------------------------------------------- statistics


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list (nan when empty)."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def analyse(expected: list[int], t0_by_seq: dict[int, float], sockets: list[dict], n_expected_sockets: int) -> dict:
    """Delivery and latency of one case.

    `sockets`: one dict per connected socket, {"hello": seq or None, "seqs": [...], "times": [...]}.
    Sockets that never connected count as having lost everything.
    """
    expected_set = set(expected)
    latencies: list[float] = []
    last_receipt: dict[int, float] = {}
    first_receipt: dict[int, float] = {}
    lost = duplicates = unexpected = out_of_order = bad_hello = ok_sockets = 0
    for sock in sockets:
        seqs, times = sock["seqs"], sock["times"]
        if sock.get("hello") is not None and expected and sock["hello"] != expected[0] - 1:
            bad_hello += 1
        if seqs == expected:
            ok_sockets += 1
        seen: set[int] = set()
        in_order: list[int] = []
        for seq, t in zip(seqs, times, strict=True):
            if seq not in expected_set:
                unexpected += 1
                continue
            if seq in seen:
                duplicates += 1
                continue
            seen.add(seq)
            in_order.append(seq)
            latency = t - t0_by_seq[seq]
            latencies.append(latency * 1000)
            last_receipt[seq] = max(last_receipt.get(seq, -math.inf), latency * 1000)
            first_receipt[seq] = min(first_receipt.get(seq, math.inf), latency * 1000)
        lost += len(expected_set - seen)
        if in_order != sorted(in_order):
            out_of_order += 1
    lost += (n_expected_sockets - len(sockets)) * len(expected)
    latencies.sort()
    spans = sorted(last_receipt.values())
    return {
        "expected": n_expected_sockets * len(expected),
        "delivered": n_expected_sockets * len(expected) - lost,
        "lost": lost,
        "duplicates": duplicates,
        "unexpected": unexpected,
        "out_of_order_sockets": out_of_order,
        "bad_hello_sockets": bad_hello,
        "ok_sockets": ok_sockets,
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "max": latencies[-1] if latencies else math.nan,
        # Per event, commit → the last client has it; the median over the burst.
        "all_received_median": statistics.median(spans) if spans else math.nan,
        # Per event: [commit instant relative to the burst's first, first receipt, last receipt] in ms.
        "per_event": [
            [
                round((t0_by_seq[s] - t0_by_seq[expected[0]]) * 1000, 1),
                round(first_receipt[s], 1),
                round(last_receipt[s], 1),
            ]
            for s in expected
            if s in last_receipt
        ],
    }


# --------------------------------------------------------------------------- processes

_children: dict[int, str] = {}  # pid -> name: what the final safety net kills


def _guard_and_exec(argv: list[str]) -> None:
    """`_guard <parent pid> -- cmd...`: die with the parent (PR_SET_PDEATHSIG), then exec cmd."""
    parent = int(argv[0])
    command = argv[2:]
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl
        sys.exit(1)
    os.execv(command[0], command)  # noqa: S606 - our own argv, no shell


async def spawn(name: str, command: list[str], *, env: dict[str, str], log_path: Path, pipes: bool = False):
    """A child in its own process group, guarded to die with us; stderr (and stdout unless piped) to log_path."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("ab")
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(THIS),
            "_guard",
            str(os.getpid()),
            "--",
            *command,
            cwd=ROOT,
            env=env,
            stdin=asyncio.subprocess.PIPE if pipes else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE if pipes else log,
            stderr=log,
            start_new_session=True,
            limit=LINE_LIMIT,
        )
    finally:
        log.close()
    _children[proc.pid] = name
    return proc


def _killpg(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


async def stop(proc, grace: float = STOP_GRACE_SECONDS) -> None:
    """SIGTERM the process group, SIGKILL it after `grace` seconds (daphne may ignore SIGTERM after load)."""
    if proc.returncode is None:
        _killpg(proc.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), grace)
        except TimeoutError:
            _killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(proc.wait(), grace)
    _killpg(proc.pid, signal.SIGKILL)  # whatever it left behind in its group
    _children.pop(proc.pid, None)


def kill_all_children() -> None:
    """The safety net (finally, atexit): SIGKILL every group we started that may still run."""
    for pid in list(_children):
        _killpg(pid, signal.SIGKILL)
        _children.pop(pid, None)


def cpu_seconds(pgid: int) -> float:
    """utime + stime of every process of a process group (Linux /proc; uvicorn --workers has children)."""
    total, found = 0.0, False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
            found = True
    return total / os.sysconf("SC_CLK_TCK") if found else math.nan


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------- client worker (a process of its own)


def _emit(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


async def _open_ws_clients(spec: dict, records: list[dict], errors: list[str]) -> list:
    from websockets.asyncio.client import connect

    semaphore = asyncio.Semaphore(spec["concurrency"])
    sockets = []

    async def reader(ws, record):
        try:
            async for raw in ws:
                t = time.monotonic()
                frame = json.loads(raw)
                # Messages that waited behind the previous frame come as one batch
                # (messaging/fanout.py); each is received when its frame is.
                for message in frame["messages"] if frame.get("type") == "batch" else [frame]:
                    if message.get("type") == "event":
                        record["seqs"].append(message["event"]["seq"])
                        record["times"].append(t)
                    else:
                        record["other"] += 1
                record["frames"] += 1
        except Exception as error:  # the socket closed: visible in the results as lost events
            record["closed"] = repr(error)[:200]
        else:
            record["closed"] = "closed by the server"

    async def open_one(token: str):
        async with semaphore:
            try:
                ws = await connect(
                    spec["url"],
                    # The page's own origin, port included (realtime/origin.py).
                    origin=spec["url"].replace("ws://", "http://").split("/ws/")[0],
                    additional_headers={"Authorization": f"Token {token}"},
                    open_timeout=spec["timeout"],
                    compression="deflate" if spec["deflate"] else None,
                    max_queue=None,
                )
                hello = json.loads(await asyncio.wait_for(ws.recv(), spec["timeout"]))
                if hello.get("type") != "hello":
                    raise RuntimeError(f"first message is not a hello: {hello}")
            except Exception as error:
                errors.append(repr(error)[:300])
                return
            record = {"hello": hello["seq"], "seqs": [], "times": [], "other": 0, "frames": 0, "closed": None}
            records.append(record)
            sockets.append((ws, asyncio.get_running_loop().create_task(reader(ws, record))))

    await asyncio.gather(*(open_one(token) for token in spec["tokens"]))
    return sockets


async def _open_redis_subscribers(spec: dict, records: list[dict], errors: list[str]) -> list:
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(spec["url"], max_connections=spec["n"] + 8)
    semaphore = asyncio.Semaphore(spec["concurrency"])
    subscribers = []

    async def reader(pubsub, record):
        try:
            while True:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=None)
                if message is None:
                    continue
                t = time.monotonic()
                record["seqs"].append(json.loads(message["data"])["seq"])
                record["times"].append(t)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            record["closed"] = repr(error)[:200]

    async def open_one():
        async with semaphore:
            pubsub = client.pubsub()
            try:
                await pubsub.subscribe(spec["channel"])
                deadline = time.monotonic() + spec["timeout"]
                while True:  # the subscription's confirmation is this socket's "hello"
                    message = await pubsub.get_message(timeout=max(0.01, deadline - time.monotonic()))
                    if message is not None and message["type"] == "subscribe":
                        break
                    if time.monotonic() > deadline:
                        raise TimeoutError("no subscribe confirmation")
            except Exception as error:
                errors.append(repr(error)[:300])
                return
            record = {"hello": None, "seqs": [], "times": [], "other": 0, "closed": None}
            records.append(record)
            subscribers.append((pubsub, asyncio.get_running_loop().create_task(reader(pubsub, record))))

    await asyncio.gather(*(open_one() for _ in range(spec["n"])))
    subscribers.append((client, None))
    return subscribers


async def _close_all(handles: list, timeout: float = 10.0) -> None:
    async def close(handle, task):
        if task is not None:
            task.cancel()
        with contextlib.suppress(Exception):
            if hasattr(handle, "aclose"):
                await handle.aclose()
            else:
                await handle.close()

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*(close(h, t) for h, t in handles)), timeout)


async def _worker(spec: dict) -> None:
    """Connect, say "ready", then answer "start" / "collect" / "close" read on stdin."""
    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader(limit=LINE_LIMIT)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    records: list[dict] = []
    errors: list[str] = []
    started = time.monotonic()
    opener = _open_ws_clients if spec["mode"] == "ws" else _open_redis_subscribers
    handles = await opener(spec, records, errors)
    _emit(
        {
            "ready": len(records),
            "errors": errors[:5],
            "n_errors": len(errors),
            "connect_s": time.monotonic() - started,
            "hello_seqs": sorted({r["hello"] for r in records if r["hello"] is not None}),
        }
    )
    cpu_start = time.process_time()
    other_start = frames_start = 0
    try:
        while True:
            line = await stdin.readline()
            if not line:  # the coordinator is gone
                break
            command = json.loads(line)
            if command["cmd"] == "start":
                cpu_start = time.process_time()
                other_start = sum(r["other"] for r in records)
                frames_start = sum(r.get("frames", 0) for r in records)
            elif command["cmd"] == "collect":
                count, deadline = command["count"], time.monotonic() + command["timeout"]
                while time.monotonic() < deadline and any(len(r["seqs"]) < count for r in records):
                    await asyncio.sleep(0.02)
                await asyncio.sleep(command.get("grace", 0.3))  # room for a duplicate or a stray event
                _emit(
                    {
                        "results": [{k: r[k] for k in ("hello", "seqs", "times", "closed")} for r in records],
                        "other_messages": sum(r["other"] for r in records) - other_start,
                        "frames": sum(r.get("frames", 0) for r in records) - frames_start,
                        "cpu_s": time.process_time() - cpu_start,
                    }
                )
            elif command["cmd"] == "close":
                break
    finally:
        await _close_all(handles)


def worker_main(spec_json: str) -> None:
    spec = json.loads(spec_json)
    try:
        import uvloop
    except ImportError:
        asyncio.run(_worker(spec))
    else:  # the client side as fast as it can be: the server, not the clients, is measured
        uvloop.run(_worker(spec))


class Worker:
    """The coordinator's end of one client process."""

    def __init__(self, proc, name: str):
        self.proc, self.name = proc, name

    async def read(self, timeout: float) -> dict:
        try:
            line = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
        except TimeoutError:
            raise RuntimeError(f"{self.name}: no answer within {timeout:.0f} s") from None
        if not line:
            raise RuntimeError(f"{self.name} exited (code {self.proc.returncode}); see its log")
        return json.loads(line)

    async def send(self, command: dict) -> None:
        self.proc.stdin.write((json.dumps(command) + "\n").encode())
        await self.proc.stdin.drain()

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.send({"cmd": "close"})
            await asyncio.wait_for(self.proc.wait(), STOP_GRACE_SECONDS)
        await stop(self.proc)


def split(items: list, parts: int) -> list[list]:
    """`items` in `parts` nearly equal consecutive chunks (no empty chunk)."""
    parts = max(1, min(parts, len(items)))
    size, extra = divmod(len(items), parts)
    chunks, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        chunks.append(items[start:end])
        start = end
    return chunks


# --------------------------------------------------------------------------- the bench's Django side


@dataclass
class Fixtures:
    incident_id: int
    actor_id: int
    tokens: list[str]


@dataclass
class Context:
    """What the cases need. The bench's own main() builds it; the smoke test builds one on its test database."""

    database_url: str
    redis_url: str
    fixtures: Fixtures
    work_dir: Path
    client_procs: int = 2
    # Handshakes in flight per client process. daphne drops a handshake that the app has not
    # accepted within 5 s (--websocket_connect_timeout), which 50 in flight x 2 processes caused.
    connect_concurrency: int = 10
    settle_seconds: float = 2.0
    deliver_timeout: float = 30.0
    interval: float = 0.0
    deflate: bool = True
    # Diagnosis only (it slows the server down): py-spy's path; the server is sampled during each burst.
    py_spy: str | None = None
    server_env: dict[str, str] = field(default_factory=dict)
    # Extra command-line options per server (experiments: --server-arg "uvicorn=--loop asyncio").
    server_args: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # A key of SETTINGS_BY_LAYER for the server; None: the settings this process runs with
    # (the server must use the layer this process broadcasts with).
    layer: str | None = None


def create_fixtures(n_users: int) -> Fixtures:
    """A cell, `n_users` members with API tokens, one incident. Run with Django set up on the bench database."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from rest_framework.authtoken.models import Token

    from cells.models import Cell, Membership, Role
    from incidents import services

    user_model = get_user_model()
    tag = uuid.uuid4().hex[:8]
    with transaction.atomic():
        cell = Cell.objects.create(name=f"Bench cell {tag}")
        unusable = make_password(None)  # token auth only
        users = user_model.objects.bulk_create(
            [
                user_model(username=f"bench-{tag}-{i}", first_name="Bench", last_name=f"{i}", password=unusable)
                for i in range(n_users)
            ]
        )
        Membership.objects.bulk_create([Membership(cell=cell, user=user, role=Role.MEMBER) for user in users])
        tokens = Token.objects.bulk_create([Token(user=user, key=Token.generate_key()) for user in users])
    incident = services.incident_create(actor=users[0], cell=cell, title="Bench incident", severity=2)
    return Fixtures(incident_id=incident.pk, actor_id=users[0].pk, tokens=[token.key for token in tokens])


def fire_burst(incident_id: int, actor_id: int, k: int, interval: float) -> tuple[int, list[tuple[int, float]]]:
    """K crisis-log entries, each in its own transaction, as a member's request would make them.

    Returns the event seq before the burst and, per change, (seq after it, commit instant).
    The commit instant is taken by an on_commit callback registered before the change:
    callbacks run in registration order right after COMMIT, so it runs before the broadcast.
    """
    from django.contrib.auth import get_user_model
    from django.db import connections, transaction

    from incidents import services
    from incidents.models import Incident

    try:
        actor = get_user_model().objects.get(pk=actor_id)
        incident = Incident.objects.get(pk=incident_id)
        before = incident.event_seq
        commits = []
        for i in range(k):
            slot: dict[str, float] = {}
            with transaction.atomic():
                transaction.on_commit(lambda slot=slot: slot.__setitem__("t0", time.monotonic()))
                services.log_entry_add(actor=actor, incident=incident, text=f"Bench burst entry {i + 1}/{k}")
                seq = Incident.objects.values_list("event_seq", flat=True).get(pk=incident_id)
            commits.append((seq, slot["t0"]))
            if interval:
                time.sleep(interval)
        return before, commits
    finally:
        connections.close_all()  # this runs in a worker thread: leave no connection behind


# --------------------------------------------------------------------------- servers


def server_env(ctx: Context) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": ctx.database_url,
        "REDIS_URL": ctx.redis_url,
        "CELERY_BROKER_URL": ctx.redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "true",
        # Production settings (DEBUG off), minus TLS: everything is on 127.0.0.1.
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        # As deployed (the settings' default); this process's own "false" must not leak into it.
        "DATABASE_POOL": "true",
        # channels-redis says "... channels over capacity" at INFO: that is a silent drop we want to see.
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
        "EMAIL_URL": "consolemail://",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    if ctx.layer is not None:
        env["DJANGO_SETTINGS_MODULE"] = SETTINGS_BY_LAYER[ctx.layer]
    else:
        env.setdefault("DJANGO_SETTINGS_MODULE", "crisiscell.settings")
    env.update(ctx.server_env)
    return env


def server_command(kind: str, port: int, extra: tuple[str, ...] = ()) -> list[str]:
    return _server_command(kind, port) + list(extra)


def _server_command(kind: str, port: int) -> list[str]:
    if kind == "uvicorn":
        # As in Procfile.dev / the Dockerfile (uvloop + httptools; websockets-sansio; no
        # permessage-deflate), one process.
        return [
            sys.executable,
            "-m",
            "uvicorn",
            "crisiscell.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--lifespan",
            "off",
            "--no-access-log",
            "--log-level",
            "warning",
            "--timeout-graceful-shutdown",
            "3",
            "--ws-per-message-deflate",
            "false",
        ]
    if kind == "daphne":
        # -v 0: no access log, like uvicorn's --no-access-log.
        app = "crisiscell.asgi:application"
        return [sys.executable, "-m", "daphne", "-v", "0", "-b", "127.0.0.1", "-p", str(port), app]
    raise ValueError(f"unknown server {kind!r} (choose from {', '.join(SERVERS)})")


def _healthz(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - http://127.0.0.1 only
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


async def start_server(ctx: Context, kind: str, timeout: float = 60.0):
    """The server on a free port; returns (process, base URL, log path) once /healthz answers 200."""
    env = server_env(ctx)
    for attempt in range(3):  # another process may take the free port first
        port = free_port()
        log_path = ctx.work_dir / f"{kind}-{port}.log"
        extra = ctx.server_args.get(kind, ())
        proc = await spawn(kind, server_command(kind, port, extra), env=env, log_path=log_path)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and proc.returncode is None:
            if await asyncio.to_thread(_healthz, f"{url}/healthz") == 200:
                return proc, url, log_path
            await asyncio.sleep(0.2)
        await stop(proc)
        log = log_path.read_text(errors="replace")
        if "address already in use" not in log.lower() or attempt == 2:
            raise RuntimeError(f"{kind} did not become healthy. Its log ({log_path}):\n{log[-4000:]}")
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------- cases


async def start_workers(ctx: Context, mode: str, specs: list[dict], label: str) -> list[Worker]:
    workers = []
    for i, spec in enumerate(specs):
        spec = {**spec, "mode": mode, "concurrency": ctx.connect_concurrency, "timeout": 30.0}
        name = f"{label}-client{i}"
        proc = await spawn(
            name,
            [sys.executable, str(THIS), "_worker", json.dumps(spec)],
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            log_path=ctx.work_dir / f"{name}.log",
            pipes=True,
        )
        workers.append(Worker(proc, name))
    return workers


async def gather_ready(workers: list[Worker], timeout: float) -> tuple[int, list[str], float, set[int]]:
    answers = await asyncio.gather(*(w.read(timeout) for w in workers))
    ready = sum(a["ready"] for a in answers)
    errors = [e for a in answers for e in a["errors"]]
    hello = {s for a in answers for s in a["hello_seqs"]}
    return ready, errors, max(a["connect_s"] for a in answers), hello


async def collect(workers: list[Worker], count: int, timeout: float) -> tuple[list[dict], float, int, int]:
    for w in workers:
        await w.send({"cmd": "collect", "count": count, "timeout": timeout})
    answers = await asyncio.gather(*(w.read(timeout + 30) for w in workers))
    sockets = [s for a in answers for s in a["results"]]
    return (
        sockets,
        sum(a["cpu_s"] for a in answers),
        sum(a["other_messages"] for a in answers),
        sum(a.get("frames", 0) for a in answers),
    )


async def start_profiler(ctx: Context, pid: int, label: str):
    """py-spy record of the server during the burst (--py-spy): collapsed stacks in the work folder."""
    if not ctx.py_spy:
        return None
    output = ctx.work_dir / f"profile-{label}-{uuid.uuid4().hex[:6]}.txt"
    command = [ctx.py_spy, "record", "--pid", str(pid), "--rate", "500", "--format", "raw", "--output", str(output)]
    proc = await spawn("py-spy", command, env=dict(os.environ), log_path=ctx.work_dir / "py-spy.log")
    await asyncio.sleep(1.5)  # py-spy attaches
    print(f"    profile: {output}", flush=True)
    return proc


async def stop_profiler(proc) -> None:
    if proc.returncode is None:
        _killpg(proc.pid, signal.SIGINT)  # py-spy writes its output on SIGINT
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(proc.wait(), 20)
    await stop(proc)


def _connect_timeout(n: int) -> float:
    return 60.0 + 0.3 * n


async def run_ws_case(ctx: Context, server: str, n: int, k: int) -> dict:
    """N WebSocket clients on `server`, a burst of K committed changes; delivery and latency."""
    from asgiref.sync import sync_to_async

    proc, url, log_path = await start_server(ctx, server)
    workers: list[Worker] = []
    profiler = None
    try:
        ws_url = url.replace("http://", "ws://") + f"/ws/incidents/{ctx.fixtures.incident_id}/"
        tokens = [ctx.fixtures.tokens[i % len(ctx.fixtures.tokens)] for i in range(n)]
        specs = [{"url": ws_url, "tokens": chunk, "deflate": ctx.deflate} for chunk in split(tokens, ctx.client_procs)]
        workers = await start_workers(ctx, "ws", specs, server)
        ready, errors, connect_s, hello_seqs = await gather_ready(workers, _connect_timeout(n))
        # Presence broadcasts (debounced 0.5 s) of the connections: let them pass before the burst.
        await asyncio.sleep(ctx.settle_seconds)
        profiler = await start_profiler(ctx, proc.pid, f"{server}-{n}")
        for w in workers:
            await w.send({"cmd": "start"})
        cpu_before = cpu_seconds(proc.pid)
        loadavg = os.getloadavg()[0]
        before, commits = await sync_to_async(fire_burst, thread_sensitive=False)(
            ctx.fixtures.incident_id, ctx.fixtures.actor_id, k, ctx.interval
        )
        t0_by_seq: dict[int, float] = {}
        previous = before
        for seq, t0 in commits:
            for s in range(previous + 1, seq + 1):  # a change with several events: all at its commit
                t0_by_seq[s] = t0
            previous = seq
        expected = list(range(before + 1, previous + 1))
        sockets, client_cpu, other, frames = await collect(workers, len(expected), ctx.deliver_timeout)
        server_cpu = cpu_seconds(proc.pid) - cpu_before
    finally:
        if profiler is not None:
            await stop_profiler(profiler)
        await asyncio.gather(*(w.close() for w in workers))
        await stop(proc)
    log = log_path.read_text(errors="replace")
    result = analyse(expected, t0_by_seq, sockets, n)
    result.update(
        kind="ws",
        server=server,
        n=n,
        k=k,
        connected=ready,
        connect_errors=errors[:3],
        connect_s=connect_s,
        hello_seqs=sorted(hello_seqs),
        closed_early=sum(1 for s in sockets if s["closed"]),
        closed_reasons=sorted({s["closed"] for s in sockets if s["closed"]})[:5],
        other_messages_during_burst=other,
        # Frames the sockets received during the burst: K per socket without batching.
        frames_during_burst=frames,
        server_cpu_s=server_cpu,
        client_cpu_s=client_cpu,
        over_capacity_log_lines=log.count("over capacity"),
        server_log=str(log_path),
        loadavg=loadavg,
        burst_s=commits[-1][1] - commits[0][1] if commits else 0.0,
        # The commit instants relative to the first: the Redis baseline publishes on the same schedule.
        offsets=[t0 - commits[0][1] for _seq, t0 in commits],
    )
    return result


async def run_redis_case(ctx: Context, n: int, offsets: list[float]) -> dict:
    """The raw floor: N plain Redis pub/sub subscribers, K messages published on the burst's schedule."""
    import redis.asyncio as aioredis

    channel = f"crisiscell-bench:{uuid.uuid4().hex}"  # pub/sub ignores the db number: a channel of our own
    chunks = split(list(range(n)), ctx.client_procs)
    specs = [{"url": ctx.redis_url, "channel": channel, "n": len(chunk)} for chunk in chunks]
    workers = await start_workers(ctx, "redis", specs, "redis")
    publisher = aioredis.Redis.from_url(ctx.redis_url)
    try:
        ready, errors, connect_s, _hello = await gather_ready(workers, _connect_timeout(n))
        await asyncio.sleep(0.5)
        for w in workers:
            await w.send({"cmd": "start"})
        loadavg = os.getloadavg()[0]
        t0_by_seq: dict[int, float] = {}
        start = time.monotonic()
        for seq, offset in enumerate(offsets, start=1):
            delay = start + offset - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            t0_by_seq[seq] = time.monotonic()
            await publisher.publish(channel, json.dumps({"seq": seq, "type": "bench"}))
        expected = list(range(1, len(offsets) + 1))
        sockets, client_cpu, _other, _frames = await collect(workers, len(expected), ctx.deliver_timeout)
    finally:
        await asyncio.gather(*(w.close() for w in workers))
        await publisher.aclose()
    for sock in sockets:
        sock["hello"] = 0  # a subscription starts before message 1
    result = analyse(expected, t0_by_seq, sockets, n)
    result.update(
        kind="redis",
        n=n,
        k=len(offsets),
        connected=ready,
        connect_errors=errors[:3],
        connect_s=connect_s,
        client_cpu_s=client_cpu,
        loadavg=loadavg,
    )
    return result


# --------------------------------------------------------------------------- report


def fmt(value: float, digits: int = 1) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def case_line(ws: dict, rd: dict) -> str:
    ratio = ws["p99"] / rd["p99"] if rd["p99"] else math.nan
    return (
        f"{ws['server']:<8} N={ws['n']:<4} K={ws['k']:<3} delivered {ws['delivered']}/{ws['expected']}"
        f" (dup {ws['duplicates']}, out of order {ws['out_of_order_sockets']})"
        f"  ws p50 {fmt(ws['p50'])} p99 {fmt(ws['p99'])} max {fmt(ws['max'])} ms"
        f" | redis p50 {fmt(rd['p50'])} p99 {fmt(rd['p99'])} ms ({rd['delivered']}/{rd['expected']})"
        f" | ratio p99 {fmt(ratio, 2)}"
        f" | burst {ws['burst_s'] * 1000:.0f} ms, server CPU {ws['server_cpu_s']:.2f} s, clients CPU"
        f" {ws['client_cpu_s']:.2f} s, load {ws['loadavg']:.2f}"
    )


def summarise(pairs: list[tuple[dict, dict]], servers: list[str], clients: list[int]) -> tuple[str, dict]:
    """The table (median over runs, and the spread of p99) and the verdicts."""
    rows, summary = [], {}
    header = (
        "| server | N | runs | delivered/expected | p50 ms | p99 ms (median; min-max) | max ms |"
        " redis p50 ms | redis p99 ms | ratio p99 ws/redis (median; min-max) | server CPU µs/msg |"
        " frames/socket | load |"
    )
    rows.append(header)
    rows.append("|" + "---|" * 13)
    for server in servers:
        for n in clients:
            mine = [(w, r) for w, r in pairs if w["server"] == server and w["n"] == n]
            if not mine:
                continue
            ratios = [w["p99"] / r["p99"] for w, r in mine if r["p99"]]
            p99s = [w["p99"] for w, _ in mine]
            entry = {
                "runs": len(mine),
                "delivered": sum(w["delivered"] for w, _ in mine),
                "expected": sum(w["expected"] for w, _ in mine),
                "clean": all(
                    w["lost"] == 0
                    and w["duplicates"] == 0
                    and w["out_of_order_sockets"] == 0
                    and w["unexpected"] == 0
                    and w["bad_hello_sockets"] == 0
                    for w, _ in mine
                ),
                "p50": statistics.median(w["p50"] for w, _ in mine),
                "p99": statistics.median(p99s),
                "p99_min": min(p99s),
                "p99_max": max(p99s),
                "max": statistics.median(w["max"] for w, _ in mine),
                "redis_p50": statistics.median(r["p50"] for _, r in mine),
                "redis_p99": statistics.median(r["p99"] for _, r in mine),
                "ratio": statistics.median(ratios) if ratios else math.nan,
                "ratio_min": min(ratios) if ratios else math.nan,
                "ratio_max": max(ratios) if ratios else math.nan,
                # The fan-out's limiting resource, and far less noisy here than wall-clock latency.
                "cpu_us_per_msg": statistics.median(
                    1e6 * w["server_cpu_s"] / w["delivered"] if w["delivered"] else math.nan for w, _ in mine
                ),
                "frames_per_socket": statistics.median(
                    w["frames_during_burst"] / w["connected"]
                    if w.get("frames_during_burst") and w["connected"]
                    else math.nan
                    for w, _ in mine
                ),
                "load": statistics.median(w["loadavg"] for w, _ in mine),
            }
            summary[(server, n)] = entry
            rows.append(
                f"| {server} | {n} | {entry['runs']} | {entry['delivered']}/{entry['expected']} | {fmt(entry['p50'])}"
                f" | {fmt(entry['p99'])} ({fmt(entry['p99_min'])}-{fmt(entry['p99_max'])}) | {fmt(entry['max'])}"
                f" | {fmt(entry['redis_p50'])} | {fmt(entry['redis_p99'])}"
                f" | {fmt(entry['ratio'], 2)} ({fmt(entry['ratio_min'], 2)}-{fmt(entry['ratio_max'], 2)})"
                f" | {fmt(entry['cpu_us_per_msg'], 0)} | {fmt(entry['frames_per_socket'])} | {fmt(entry['load'], 2)} |"
            )
    lines = ["\n".join(rows), "", "Verdicts (medians over runs):"]
    verdicts = {}
    for server in servers:
        entries = {n: summary[(server, n)] for n in clients if (server, n) in summary}
        if not entries:
            continue
        clean = all(e["clean"] for e in entries.values())
        at_goal = entries.get(GOAL_P99_AT)
        p99_ok = None if at_goal is None else at_goal["p99"] <= GOAL_P99_MS
        ratio_ok = all(e["ratio"] <= GOAL_RATIO for e in entries.values())
        verdicts[server] = {"lossless": clean, "p99": p99_ok, "ratio": ratio_ok}
        p99_text = (
            "n/a (N=500 not run)" if p99_ok is None else f"{'PASS' if p99_ok else 'FAIL'} ({fmt(at_goal['p99'])} ms)"
        )
        ratio_text = ", ".join(f"N={n}: {fmt(e['ratio'], 2)}" for n, e in entries.items())
        lines.append(
            f"  {server}: p99 ≤ {GOAL_P99_MS:.0f} ms at {GOAL_P99_AT}: {p99_text};"
            f" 0 lost, none twice, in order: {'PASS' if clean else 'FAIL'};"
            f" p99 ≤ {GOAL_RATIO:.0f}x redis: {'PASS' if ratio_ok else 'FAIL'} ({ratio_text})"
        )
    # The choice: lossless first; then the lower median p99 at the largest N when the p99 ranges
    # of the runs do not overlap; when they do (noise), the lower server CPU per delivered message.
    largest = max(clients)
    candidates = sorted(
        (s for s in servers if (s, largest) in summary),
        key=lambda s: (not verdicts[s]["lossless"], summary[(s, largest)]["p99"]),
    )
    if len(candidates) > 1:
        best, runner_up = candidates[0], candidates[1]
        a, b = summary[(best, largest)], summary[(runner_up, largest)]
        by_p99 = f"median p99 at N={largest}: {best} {fmt(a['p99'])} ms, {runner_up} {fmt(b['p99'])} ms"
        by_cpu = (
            f"server CPU per message: {best} {fmt(a['cpu_us_per_msg'], 0)} µs,"
            f" {runner_up} {fmt(b['cpu_us_per_msg'], 0)} µs"
        )
        if verdicts[best]["lossless"] != verdicts[runner_up]["lossless"] or a["p99_max"] < b["p99_min"]:
            lines.append(f"\nChoice by these figures: {best} ({by_p99}, ranges apart; {by_cpu}).")
        else:
            best = min((best, runner_up), key=lambda s: summary[(s, largest)]["cpu_us_per_msg"])
            lines.append(f"\nChoice by these figures: {best}: the p99 ranges overlap ({by_p99}), so by {by_cpu}.")
    return "\n".join(lines), summary


def summarise_files(paths: list[Path]) -> int:
    """--from-json: the table and verdicts of the cases of several earlier runs together."""
    pairs = [(case["ws"], case["redis"]) for path in paths for case in json.loads(path.read_text())["cases"]]
    servers = [s for s in SERVERS if any(w["server"] == s for w, _ in pairs)]
    clients = sorted({w["n"] for w, _ in pairs})
    print(summarise(pairs, servers, clients)[0])
    return 0


# --------------------------------------------------------------------------- the bench's own setup and main


def _redis_db(url: str) -> int:
    path = urllib.parse.urlparse(url).path.strip("/")
    return int(path) if path else 0


def flush_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


def _pg_admin(admin_url: str):
    import psycopg

    return psycopg.connect(admin_url, autocommit=True, connect_timeout=5)


def create_pg_database(admin_url: str) -> str:
    """A scratch database crisiscell_bench_<pid>; leftovers of runs whose process is gone are dropped first."""
    from psycopg import sql

    name = f"{PG_DB_PREFIX}{os.getpid()}"
    with _pg_admin(admin_url) as conn:
        rows = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [PG_DB_PREFIX + "%"]).fetchall()
        for (existing,) in rows:
            pid = existing.removeprefix(PG_DB_PREFIX)
            if pid.isdigit() and not Path(f"/proc/{pid}").exists():
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(existing)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name


def drop_pg_database(admin_url: str, name: str) -> None:
    from psycopg import sql

    with _pg_admin(admin_url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def setup_django(database_url: str, redis_url: str, layer: str = "app") -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": SETTINGS_BY_LAYER[layer],
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "true",
            # This process opens one connection per burst; the pool would keep them past DROP DATABASE.
            "DATABASE_POOL": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


async def run_all(args, ctx: Context) -> tuple[list[tuple[dict, dict]], list[dict]]:
    pairs, failures = [], []
    deadline = time.monotonic() + args.max_minutes * 60
    for run in range(1, args.runs + 1):
        for n in args.clients:
            for server in args.servers:
                if time.monotonic() > deadline:
                    print(f"Stopping: over --max-minutes {args.max_minutes}.", flush=True)
                    return pairs, failures
                label = f"[run {run}/{args.runs}] {server} N={n} K={args.burst}"
                try:
                    ws = await run_ws_case(ctx, server, n, args.burst)
                    flush_redis(ctx.redis_url)  # no stale group members of the stopped server
                    rd = await run_redis_case(ctx, n, ws["offsets"])
                except Exception as error:
                    failures.append({"case": label, "error": repr(error)[:2000]})
                    print(f"{label}: FAILED {error!r}"[:3000], flush=True)
                    flush_redis(ctx.redis_url)
                    continue
                flush_redis(ctx.redis_url)
                ws["run"] = rd["run"] = run
                pairs.append((ws, rd))
                print(f"{label}: {case_line(ws, rd)}", flush=True)
                if ws["connected"] < n or ws["connect_errors"]:
                    print(f"    connect errors: {ws['connect_errors']}", flush=True)
                if ws["closed_early"]:
                    print(
                        f"    {ws['closed_early']} sockets closed during the case: {ws['closed_reasons']}", flush=True
                    )
                if ws["over_capacity_log_lines"]:
                    print(f"    channels-redis over capacity: {ws['over_capacity_log_lines']} lines", flush=True)
    return pairs, failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[100, 500], help="N values (default 100 500)")
    parser.add_argument("--burst", type=int, default=20, help="K changes per burst (default 20)")
    parser.add_argument("--servers", nargs="+", default=list(SERVERS), choices=SERVERS)
    parser.add_argument("--runs", type=int, default=1, help="repeat every case; medians are reported (default 1)")
    parser.add_argument("--interval", type=float, default=0.0, help="seconds between the burst's changes (default 0)")
    parser.add_argument("--client-procs", type=int, default=2, help="client processes per case (default 2)")
    parser.add_argument(
        "--connect-concurrency", type=int, default=10, help="handshakes in flight per client process (default 10)"
    )
    parser.add_argument("--no-deflate", action="store_true", help="clients do not offer permessage-deflate")
    parser.add_argument(
        "--layer",
        choices=sorted(SETTINGS_BY_LAYER),
        default="app",
        help="channel layer: app (crisiscell/settings.py as it is), core or pubsub (channels-redis's, forced)",
    )
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--pg-admin-url", default=DEFAULT_PG_ADMIN_URL, help="to create/drop the scratch database")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="a Redis db of the bench's own (flushed)")
    parser.add_argument(
        "--server-arg",
        action="append",
        default=[],
        metavar="SERVER=OPTIONS",
        help='extra options for one server, e.g. "uvicorn=--ws-per-message-deflate false" (repeatable)',
    )
    parser.add_argument(
        "--from-json",
        type=Path,
        nargs="+",
        metavar="FILE",
        help="run nothing: print the table and verdicts of earlier --json outputs, taken together",
    )
    parser.add_argument("--json", type=Path, help="write every case's figures there")
    parser.add_argument("--max-minutes", type=float, default=30.0, help="stop starting cases after this")
    parser.add_argument("--keep-logs", action="store_true", help="keep the server and client logs")
    parser.add_argument("--py-spy", help="path of py-spy: profile the server during each burst (implies --keep-logs)")
    args = parser.parse_args(argv)
    args.keep_logs = args.keep_logs or bool(args.py_spy)
    if args.from_json:
        return summarise_files(args.from_json)

    if _redis_db(args.redis_url) == 0:
        parser.error("--redis-url: give the bench a Redis db of its own (it is flushed), not db 0")
    hosts = {urllib.parse.urlparse(args.redis_url).hostname, urllib.parse.urlparse(args.pg_admin_url).hostname}
    if not hosts <= {"127.0.0.1", "localhost"}:
        parser.error("the bench talks to 127.0.0.1 only")
    if args.burst < 1 or min(args.clients) < 1 or args.runs < 1:
        parser.error("--burst, --clients and --runs must be positive")

    server_args: dict[str, tuple[str, ...]] = {}
    for item in args.server_arg:
        kind, sep, options = item.partition("=")
        if not sep or kind not in SERVERS:
            parser.error(f"--server-arg {item!r}: write SERVER=OPTIONS with SERVER in {', '.join(SERVERS)}")
        server_args[kind] = server_args.get(kind, ()) + tuple(shlex.split(options))

    work_dir = Path(tempfile.mkdtemp(prefix="crisiscell-bench-"))
    pg_name = None

    def on_sigterm(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    status = 1
    try:
        flush_redis(args.redis_url)
        if args.db == "postgres":
            pg_name = create_pg_database(args.pg_admin_url)
            admin = urllib.parse.urlparse(args.pg_admin_url)
            database_url = admin._replace(path="/" + pg_name).geturl()
        else:
            database_url = f"sqlite:///{work_dir / 'bench.sqlite3'}"
        setup_django(database_url, args.redis_url, args.layer)
        fixtures = create_fixtures(max(args.clients))
        ctx = Context(
            database_url=database_url,
            redis_url=args.redis_url,
            fixtures=fixtures,
            work_dir=work_dir,
            client_procs=args.client_procs,
            connect_concurrency=args.connect_concurrency,
            interval=args.interval,
            deflate=not args.no_deflate,
            py_spy=args.py_spy,
            server_args=server_args,
            layer=args.layer,
        )
        from django.conf import settings

        config = {
            "cpus": os.cpu_count(),
            "db": args.db,
            "layer": args.layer,
            "layer_backend": settings.CHANNEL_LAYERS["default"]["BACKEND"],
            "server_args": {kind: list(options) for kind, options in server_args.items()},
            "burst": args.burst,
            "interval": args.interval,
            "client_procs": args.client_procs,
            "deflate_offered": not args.no_deflate,
        }
        print(
            f"CrisisCell fan-out bench: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}, db {args.db}"
            f" ({pg_name or 'SQLite file'}), Redis {args.redis_url}, servers {' '.join(args.servers)}"
            f"{' ' + str(config['server_args']) if server_args else ''},"
            f" layer {args.layer} ({config['layer_backend']}),"
            f" N {' '.join(map(str, args.clients))}, K {args.burst}, interval {args.interval} s, runs {args.runs},"
            f" {args.client_procs} client processes, logs in {work_dir}",
            flush=True,
        )
        pairs, failures = asyncio.run(run_all(args, ctx))
        table, summary = summarise(pairs, args.servers, args.clients)
        print("\n" + table)
        for failure in failures:
            print(f"FAILED case: {failure['case']}: {failure['error'][:500]}")
        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "config": config,
                        "cases": [{"ws": w, "redis": r} for w, r in pairs],
                        "failures": failures,
                        "summary": [{"server": s, "n": n, **e} for (s, n), e in summary.items()],
                    },
                    indent=1,
                    default=str,
                )
            )
        status = 0 if pairs and not failures else 1
    except KeyboardInterrupt:
        print("\nInterrupted: cleaning up.", flush=True)
        status = 130
    finally:
        kill_all_children()
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        with contextlib.suppress(Exception):
            flush_redis(args.redis_url)
        if pg_name:
            try:
                drop_pg_database(args.pg_admin_url, pg_name)
            except Exception as error:
                print(f"Could not drop the scratch database {pg_name}: {error!r}", file=sys.stderr)
        if args.keep_logs:
            print(f"Logs kept in {work_dir}")
        else:
            import shutil

            shutil.rmtree(work_dir, ignore_errors=True)
    return status


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_guard":
        _guard_and_exec(sys.argv[2:])
    elif len(sys.argv) > 1 and sys.argv[1] == "_worker":
        worker_main(sys.argv[2])
    else:
        import atexit

        atexit.register(kill_all_children)
        sys.exit(main())
