"""CrisisCell settings: one module, driven by the environment.

Embedded defaults (no variable set) give a self-contained developer setup:
SQLite, the in-memory channel layer and a filesystem Celery broker. Setting
DATABASE_URL / REDIS_URL switches to PostgreSQL and Redis; DEBUG=False switches
on the production hardening that `manage.py check --deploy` expects.
"""

import os
from pathlib import Path
from urllib.parse import urlparse

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# Three ways to run:
# - production (DEBUG=False, the default of the Docker image): SECRET_KEY and
#   ALLOWED_HOSTS are required (ImproperlyConfigured otherwise), HTTPS is enforced;
# - local (`python3 dev.py run` sets CRISISCELL_LOCAL=true and DEBUG=false unless
#   DEBUG is set): it serves like production (the app's own error pages, no
#   technical 404), but on this machine only, over plain HTTP, with a key that is
#   generated into var/ on first use and static files served from the source tree;
# - debug (DEBUG=true, what manage.py and the tests get with no variable at all).
DEBUG = env.bool("DEBUG", default=True)
LOCAL_RUN = env.bool("CRISISCELL_LOCAL", default=False) and not DEBUG
LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]"]


def local_secret_key(path: Path) -> str:
    """A random key kept in var/ (created once, readable by its owner only): sessions survive a restart."""
    import secrets

    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as file:
        file.write(secrets.token_urlsafe(64))
    return path.read_text().strip()


if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[*LOCAL_HOSTS, "testserver"])
elif LOCAL_RUN:
    SECRET_KEY = env.str("SECRET_KEY", default="") or local_secret_key(VAR_DIR / "secret-key")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=LOCAL_HOSTS)
else:
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
# Plain HTTP on this machine: no HTTPS redirect, no HSTS, no Secure-only cookies.
PLAIN_HTTP = DEBUG or LOCAL_RUN
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "axes",
    # The shared kernel (imports no app): errors, API helpers, transitions, template filters, registries.
    "core",
    # The transport of the live pages (broadcast after commit, socket auth): knows no domain.
    "realtime",
    "accounts",
    "cells",
    "incidents",
    # Facts, claims, statements and their review cadence (issue 3).
    "notifications",
    "facts",
    "statements",
    "reminders",
    # The live workspace: WebSockets, presence (issue 4); the event stream and edit locks are incidents'.
    "messaging",
    # The incident chat (issue 4), its own app since issue 11.
    "chat",
    # The cell's relays, distribution lists and briefings (issue 14).
    "relays",
    # Monitoring (veille): mentions, watchlists, weak signals (issue 13).
    "monitoring",
    # The response queue: mentions to answer, SLA, approved wording, rumours tied to mentions (issue 14).
    "response_queue",
    # Preparedness: playbooks, tasks, activation of the cell, drills (issue 15).
    "playbooks",
    "drills",
    # The incident page and what gathers several apps: above every domain app (issue 11).
    "workspace",
]

MIDDLEWARE = [
    # First: REMOTE_ADDR is the real client, X-Forwarded-* only from TRUSTED_PROXIES.
    "core.client_ip.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, which reads the body: 413 over the endpoint's cap, 400 for a non-UTF-8 form.
    "crisiscell.body_limits.RequestBodyLimitMiddleware",
    "crisiscell.error_pages.MethodNotAllowedPageMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "crisiscell.no_store.NoStoreMiddleware",
    "accounts.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A refused in-place (HTMX) form gets a short message to show beside it.
    "crisiscell.htmx_errors.HtmxErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into a 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crisiscell.urls"
# Threads that run the requests' synchronous work under ASGI, reused from one request to
# the next (crisiscell/asgi_handler.py). Measured under uvicorn, 32 clients, an API read
# (bench/README.md): 8 threads 2.3 ms CPU and 227 req/s, 16: 2.5 ms and 167 req/s, 32: 2.6 ms
# and 191 req/s: more threads only fight over the GIL (and the database pool's connections).
ASGI_REQUEST_THREADS = env.int("ASGI_REQUEST_THREADS", default=8)
ASGI_APPLICATION = "crisiscell.asgi.application"
WSGI_APPLICATION = "crisiscell.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cells.context_processors.current_cell",
                "notifications.context_processors.unread_notifications",
            ],
            # The kernel's generic filters (when, quoted, duration...) in every template, as Django's own.
            "builtins": ["core.templatetags.core_tags"],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'crisiscell.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) write to the same file: WAL lets
    # readers run beside a writer, IMMEDIATE takes the write lock up front so
    # two writers queue instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so that test servers and workers started as
    # subprocesses see the same test database.
    DATABASES["default"]["TEST"] = {
        "NAME": str(VAR_DIR / env.str("TEST_DATABASE_NAME", default="test-crisiscell.sqlite3"))
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # CONN_MAX_AGE > 0 leaks connections under ASGI (Django #33497); psycopg's
    # pool gives the reuse without the leak.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Size it for the threads of one server process that may query at once (one per
    # concurrent request); a request that finds it empty waits DATABASE_POOL_TIMEOUT
    # seconds, then fails. Error pages give theirs back (crisiscell/asgi_handler.py).
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = (
        {
            "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
            "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=10),
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
        }
        if env.bool("DATABASE_POOL", default=True)
        else False
    )
    if env.str("TEST_DATABASE_NAME", default=""):
        # Lets several test runs share one server without sharing a test database.
        DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    # A locked-out address, then a locked-out username (django-axes), before any password check.
    "core.lockout.AddressLockoutBackend",
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "incidents:list"
LOGOUT_REDIRECT_URL = "login"

# Brute-force protection, shared by every way in (core/lockout.py): a username
# is locked after AXES_FAILURE_LIMIT failures from anywhere (django-axes, in the
# database), a client address after LOGIN_IP_FAILURE_LIMIT failures for any usernames
# or tokens (in the shared cache). Both for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
LOGIN_IP_FAILURE_LIMIT = env.int("LOGIN_IP_FAILURE_LIMIT", default=50)
LOGIN_IP_COOLOFF_SECONDS = int(AXES_COOLOFF_TIME * 3600)
# An API token's user is remembered this long in the shared cache (accounts/api_tokens.py:
# forgotten at once when the token or the user changes); 0: read from the database each time.
API_TOKEN_CACHE_SECONDS = env.int("API_TOKEN_CACHE_SECONDS", default=60)
# Addresses (or networks) of the reverse proxies whose X-Forwarded-For/-Proto are
# believed (core/client_ip.py). None by default: every header is the client's word.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
# axes.W006 warns that a lockout by username alone can be dodged by changing address:
# the per-address lockout is ours (core/lockout.py), with its own limit.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# --- Internationalisation --------------------------------------------------------
LANGUAGE_CODE = "fr"  # the first users are French-speaking cells
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"  # storage and server side; users see their own zone
USE_TZ = True
DEFAULT_USER_TIMEZONE = env.str("DEFAULT_USER_TIMEZONE", default="Europe/Paris")

# --- Static files ------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
# A local run serves the files straight from the source tree (no collectstatic).
WHITENOISE_USE_FINDERS = LOCAL_RUN
WHITENOISE_AUTOREFRESH = LOCAL_RUN
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if PLAIN_HTTP
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Redis, channels, Celery -----------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")

# The cache holds counters that every server process must share (API throttles,
# the per-address lockout): Redis when configured, else files in var/ (the
# local processes of `dev.py run` share them), never per-process memory.
CACHES = {
    "default": (
        # Django's RedisCache, reusing its redis-py client (core/cache.py).
        {"BACKEND": "core.cache.ReusingRedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "cache")}
    )
}
CACHES["default"]["KEY_PREFIX"] = env.str("CACHE_KEY_PREFIX", default="crisiscell")
# Rendered panels of the workspace, in each process's memory (incidents/panel_views.py):
# keyed by the incident's event sequence, which every change bumps, so nothing is ever
# invalidated, an old key just ages out. Memory, not Redis: a hit must cost less than
# the rendering it saves, and every process fills its own in a few requests.
CACHES["panels"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "crisiscell-panels",
    "TIMEOUT": 600,
    "OPTIONS": {"MAX_ENTRIES": 300},
}


def channel_layer_prefix(redis_url: str) -> str:
    """Pub/sub channels ignore Redis db numbers: without a prefix of its own, a
    deployment (or a test run) on db 1 would hear the one on db 0."""
    path = urlparse(redis_url).path.strip("/")
    return f"crisiscell.db{int(path) if path.isdigit() else 0}."


if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # The pub/sub layer: measured at half the server CPU per socket message
            # of channels-redis's default (list-based) layer (bench/README.md).
            # Delivery is at most once, like the default layer past its capacity:
            # the numbered event stream and the pong's seq let pages recover a gap.
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                # redis-py 8's pool fails at once when full; the default 100 is
                # too small for a cell's worth of sockets per process.
                "hosts": [{"address": REDIS_URL, "max_connections": 1000}],
                "prefix": env.str("CHANNEL_LAYER_PREFIX", default=channel_layer_prefix(REDIS_URL)),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_BROKER_DIR = Path(env.str("CELERY_BROKER_DIR", default=str(VAR_DIR / "broker")))
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    # kombu's filesystem transport: a broker that needs no server, for the
    # embedded default. Both directories are the same so producer and worker meet.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR),
        "data_folder_out": str(CELERY_BROKER_DIR),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        # The exchange tables; kombu's default is ./control, inside the checkout.
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # Tasks are short; a lost worker's task is redelivered after this delay.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    # Signed checkpoints of the logs that moved, outside the database (incidents/anchoring.py).
    "anchor-crisis-logs": {
        "task": "incidents.tasks.anchor_crisis_logs",
        "schedule": env.int("CRISIS_LOG_ANCHOR_INTERVAL_SECONDS", default=300),
    },
    "verify-crisis-logs": {
        "task": "incidents.tasks.verify_all_log_chains",
        "schedule": env.int("LOG_VERIFY_INTERVAL_SECONDS", default=3600),
    },
    # Due reminders (holding statements to review, versions waiting, claims unanswered).
    "process-due-reminders": {
        "task": "reminders.tasks.process_due_reminders",
        "schedule": 60,
    },
    # Presence of sockets whose server process died; lapsed edit locks.
    "purge-stale-presence": {
        "task": "messaging.tasks.purge_stale_presence_and_locks",
        "schedule": 300,
    },
    # New mentions through the cells' queue rules; overdue queue items remind (issue 14).
    "scan-mentions-for-the-queue": {
        "task": "response_queue.tasks.scan_mentions",
        "schedule": 30,
    },
    "match-relayed-mentions": {
        "task": "relays.tasks.match_relayed_mentions",
        "schedule": 60,
    },
    "remind-overdue-queue-items": {
        "task": "response_queue.tasks.process_overdue_items",
        "schedule": 60,
    },
    # Briefing e-mails to relays that the after-commit task did not send.
    "send-pending-briefings": {
        "task": "relays.tasks.send_pending_briefings",
        "schedule": 60,
    },
    # RSS/Atom feeds and Mastodon sources that are due (each has its own interval).
    "poll-monitoring-sources": {
        "task": "monitoring.tasks.poll_due_sources",
        "schedule": 30,
    },
    # Full-text documents of the mentions ingested (backs up the after-batch task).
    "index-mention-search": {
        "task": "monitoring.tasks.index_search_documents",
        "schedule": 10,
    },
    # Weak signals of the watchlists that had mentions (backs up the after-batch check).
    "evaluate-watchlists": {
        "task": "monitoring.tasks.evaluate_recent_watchlists",
        "schedule": 60,
    },
    # Playbooks (issue 15): overdue tasks, members who have not answered an activation, digests of open tasks.
    "process-due-task-reminders": {"task": "playbooks.tasks.process_due_task_reminders", "schedule": 60},
    "process-due-acknowledgements": {"task": "playbooks.tasks.process_due_acknowledgements", "schedule": 60},
    "process-due-digests": {"task": "playbooks.tasks.process_due_digests", "schedule": 60},
    # Drills: scripted injects, delivered within a second or two of their planned time.
    "deliver-due-injects": {"task": "drills.tasks.deliver_due_injects", "schedule": 1.0},
    # Notification e-mails that the after-commit task did not send.
    "send-pending-notification-emails": {
        "task": "notifications.tasks.send_pending_emails",
        "schedule": 60,
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = env.str("CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celerybeat-schedule"))

# --- Crisis-log anchoring (incidents/anchoring.py) ---------------------------------------
# The Ed25519 key that signs checkpoints: never in the database. Base64 of the 32-byte
# seed in CRISIS_LOG_SIGNING_KEY, or a file (generated on first use when missing).
CRISIS_LOG_SIGNING_KEY = env.str("CRISIS_LOG_SIGNING_KEY", default="")
CRISIS_LOG_SIGNING_KEY_FILE = env.str("CRISIS_LOG_SIGNING_KEY_FILE", default=str(VAR_DIR / "crisis-log-signing.key"))
# Where checkpoints go, outside the database; the first readable sink is what verification reads.
CRISIS_LOG_ANCHOR_SINKS = env.list("CRISIS_LOG_ANCHOR_SINKS", default=["incidents.anchoring.FileSink"])
CRISIS_LOG_ANCHOR_FILE = env.str("CRISIS_LOG_ANCHOR_FILE", default=str(VAR_DIR / "crisis-log-anchors.jsonl"))

# --- E-mail -------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="CrisisCell <crisiscell@localhost>")
# Where bounces of the relays' briefing e-mails go (the envelope sender; the From header stays
# DEFAULT_FROM_EMAIL): a mailbox piped into `manage.py process_bounces`. Empty: DEFAULT_FROM_EMAIL.
BRIEFING_BOUNCE_ADDRESS = env.str("BRIEFING_BOUNCE_ADDRESS", default="")
# The public address of the site: e-mails link to it (a path alone is no link in a
# mail reader). Developers get the dev server's; production names its host.
SITE_URL = env.str("SITE_URL", default="")
if not SITE_URL:
    if DEBUG:
        SITE_URL = f"http://127.0.0.1:{env.str('PORT', default='8000')}"
    elif ALLOWED_HOSTS and ALLOWED_HOSTS[0].replace("-", "").replace(".", "").isalnum():
        SITE_URL = f"https://{ALLOWED_HOSTS[0]}"
    else:
        raise environ.ImproperlyConfigured("Set SITE_URL, the public address that e-mails link to.")

# --- REST API -----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "crisiscell.token_auth.LockoutTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.base.Pagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"token": env.str("TOKEN_THROTTLE_RATE", default="20/min")},
    # The throttles' client is REMOTE_ADDR, never a client-sent X-Forwarded-For
    # (core.client_ip puts the real client there, behind TRUSTED_PROXIES).
    "NUM_PROXIES": 0,
    # JSON only (the token endpoint also takes a form): one body format, the one the schema
    # describes; a multipart form cannot carry the nested fields and read "" as "not sent".
    "DEFAULT_PARSER_CLASSES": ["crisiscell.json_parser.SafeJSONParser"],
    # The browsable API only while debugging: JSON is the API; its HTML pages need inline scripts.
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    ],
    "EXCEPTION_HANDLER": "core.api.base.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CrisisCell API",
    "DESCRIPTION": "Crisis cell coordination: cells, incidents, escalation and the crisis log.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI served from our own static files: no CDN, and CSP stays 'self'.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "crisiscell.schema_hooks.numeric_path_ids",
        "crisiscell.schema_hooks.documented_errors",
        "crisiscell.schema_hooks.closed_request_bodies",
    ],
    "ENUM_NAME_OVERRIDES": {
        "LevelEnum": "incidents.models.Level",
        "RoleEnum": "cells.models.Role",
        "LogKindEnum": "incidents.log_kinds.choices",
        "FactStatusEnum": "facts.models.FactStatus",
        "SourceKindEnum": "facts.models.SourceKind",
        "MentionSourceKindEnum": "monitoring.models.SourceKind",
        "ClaimStatusEnum": "facts.models.ClaimStatus",
        "ClaimRelationEnum": "facts.models.ClaimRelation",
        "StatementKindEnum": "statements.models.StatementKind",
        "AudienceEnum": "statements.models.Audience",
        "VersionStatusEnum": "statements.models.VersionStatus",
        "ReminderKindEnum": "reminders.models.ReminderKind",
        "ReminderStatusEnum": "reminders.models.ReminderStatus",
        "NotificationKindEnum": "notifications.registry.kind_choices",
        "RelayKindEnum": "relays.models.RelayKind",
        "ConsentEnum": "relays.models.Consent",
        "DeliveryStatusEnum": "relays.models.DeliveryStatus",
        "SkipReasonEnum": "relays.models.SkipReason",
        "RelayAnswerEnum": "relays.models.Answer",
        "QueueItemStateEnum": "response_queue.models.ItemState",
        "QueueRuleKindEnum": "response_queue.models.RuleKind",
        "TaskStatusEnum": "playbooks.models.TaskStatus",
        "DrillStatusEnum": "drills.models.DrillStatus",
        "InjectKindEnum": "drills.models.InjectKind",
        "InjectStatusEnum": "drills.models.InjectStatus",
    },
}

# --- Request limits (crisiscell/body_limits.py, crisiscell/json_parser.py) ---------------
REQUEST_BODY_LIMIT_DEFAULT = env.int("REQUEST_BODY_LIMIT_DEFAULT", default=128 * 1024)
# Per URL name: credentials are small.
REQUEST_BODY_LIMITS = {
    "api-token": 8 * 1024,
    "login": 8 * 1024,
    "admin:login": 8 * 1024,
    # 10,000 mentions per batch (monitoring/ingest.py): ~2.5 kB each at most in practice.
    "monitoring-mention-batch": 32 * 1024 * 1024,
    # A listening tool's export (monitoring/imports.py keeps files up to 20 MB).
    "monitoring:import-new": 21 * 1024 * 1024,
}
# Django's own cap (a 400 page) must never come first.
DATA_UPLOAD_MAX_MEMORY_SIZE = max(REQUEST_BODY_LIMIT_DEFAULT, *REQUEST_BODY_LIMITS.values())
API_JSON_MAX_DEPTH = 32

# --- Security -------------------------------------------------------------------------
CSRF_FAILURE_VIEW = "crisiscell.error_pages.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not PLAIN_HTTP
# Not HttpOnly: live.js reads it to send X-CSRFToken (Django: HttpOnly gives a CSRF token no protection).
CSRF_COOKIE_SECURE = not PLAIN_HTTP
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not PLAIN_HTTP)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if PLAIN_HTTP else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not PLAIN_HTTP
SECURE_HSTS_PRELOAD = not PLAIN_HTTP
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# /healthz is probed over plain HTTP by the orchestrator, inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# django-csp: scripts and styles from our own origin only; no inline script,
# so a mention that slipped through escaping still could not run.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Monitoring's connectors fetch the URLs a cell admin types (feeds, a Mastodon instance):
# addresses in the server's own network (loopback, private ranges, link-local) are refused
# unless their host name is listed here (a feed on the intranet).
MONITORING_FETCH_PRIVATE_HOSTS = env.list("MONITORING_FETCH_PRIVATE_HOSTS", default=[])
