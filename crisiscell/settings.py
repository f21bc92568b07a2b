"""CrisisCell settings: one module, driven by the environment.

Embedded defaults (no variable set) give a self-contained developer setup:
SQLite, the in-memory channel layer and a filesystem Celery broker. Setting
DATABASE_URL / REDIS_URL switches to PostgreSQL and Redis; DEBUG=False switches
on the production hardening that `manage.py check --deploy` expects.
"""

from pathlib import Path
from urllib.parse import urlparse

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# Secrets come from the environment only: with DEBUG off, a missing
# SECRET_KEY or ALLOWED_HOSTS stops the start-up (ImproperlyConfigured)
# instead of running with a guessable key or refusing every request.
DEBUG = env.bool("DEBUG", default=True)
if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
else:
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
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
    "accounts",
    "cells",
    "incidents",
    # Facts, claims, statements and their review cadence (issue 3).
    "notifications",
    "facts",
    "statements",
    "reminders",
    # The live workspace: event stream, WebSockets, chat, presence, edit locks (issue 4).
    "messaging",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A refused in-place (HTMX) form gets a short message to show beside it.
    "crisiscell.htmx_errors.HtmxErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into a 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crisiscell.urls"
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
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = env.bool("DATABASE_POOL", default=True)
    if env.str("TEST_DATABASE_NAME", default=""):
        # Lets several test runs share one server without sharing a test database.
        DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username/IP before any password check.
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

# Brute-force protection on the login form and the token endpoint.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

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
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Redis, channels, Celery -----------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")


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
    # Notification e-mails that the after-commit task did not send.
    "send-pending-notification-emails": {
        "task": "notifications.tasks.send_pending_emails",
        "schedule": 60,
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = env.str("CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celerybeat-schedule"))

# --- E-mail -------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="CrisisCell <crisiscell@localhost>")
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
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "crisiscell.api.Pagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"token": env.str("TOKEN_THROTTLE_RATE", default="20/min")},
    "EXCEPTION_HANDLER": "crisiscell.api.exception_handler",
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
    "ENUM_NAME_OVERRIDES": {
        "LevelEnum": "incidents.models.Level",
        "RoleEnum": "cells.models.Role",
        "LogKindEnum": "incidents.models.LogKind",
        "FactStatusEnum": "facts.models.FactStatus",
        "SourceKindEnum": "facts.models.SourceKind",
        "ClaimStatusEnum": "facts.models.ClaimStatus",
        "ClaimRelationEnum": "facts.models.ClaimRelation",
        "StatementKindEnum": "statements.models.StatementKind",
        "AudienceEnum": "statements.models.Audience",
        "VersionStatusEnum": "statements.models.VersionStatus",
        "ReminderKindEnum": "reminders.models.ReminderKind",
        "ReminderStatusEnum": "reminders.models.ReminderStatus",
        "NotificationKindEnum": "notifications.models.NotificationKind",
    },
}

# --- Security -------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
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
