"""Panel1 Helpdesk settings: one module, configured by environment variables (12-factor).

Every variable is listed with its default and meaning in `.env.example`. The defaults make
`make run` work on a developer machine; production sets DEBUG=false, SECRET_KEY and
ALLOWED_HOSTS (and the HTTPS settings below follow DEBUG).
"""

import os
import re
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent

# A `.env` file in the project root (or ENV_FILE; empty = none) fills in variables that the
# real environment does not set: real environment variables always win.
_ENV_FILE = os.environ.get("ENV_FILE", str(BASE_DIR / ".env"))
if _ENV_FILE:
    load_dotenv(_ENV_FILE, override=False)
# `DEFAULT_FIRST_RESPONSE_TIME=60  # minutes`: a comment after a number or switch is allowed
# even where no .env parser removed it (docker --env-file, systemd EnvironmentFile).
_INLINE_COMMENT = re.compile(r"\s+#.*$")


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = _INLINE_COMMENT.sub("", os.environ.get(name) or "").strip()
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = _INLINE_COMMENT.sub("", os.environ.get(name) or "").strip()
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from exc


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
_DEV_SECRET = "dev-insecure-secret-key-change-me-in-production-0123456789abcdef"


def _machine_secret_key() -> str:
    """A random key kept in .data/secret_key, for a single machine without SECRET_KEY.

    Never a known value: a multi-machine deployment must set SECRET_KEY (the same on every
    machine), or sessions and signed links will not work across machines.
    """
    import secrets

    path = BASE_DIR / ".data" / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env("SECRET_KEY") or (_DEV_SECRET if DEBUG else _machine_secret_key())
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", "")
# Keys for secrets at rest (panel1.crypto), newest first; empty = derived from SECRET_KEY.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ".localhost,localhost,127.0.0.1,testserver")

# --- Applications -------------------------------------------------------------------------
SHARED_APPS = [
    "django_tenants",
    "panel1.tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "panel1.accounts",
    "django_q",
    "django.contrib.admin",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "anymail",
    "panel1.core",
    "panel1.plugins.platform",
    # Also a tenant app: the public schema's table is the platform's own audit log (tenants
    # created and deleted, platform sign-ins, platform admin actions).
    "panel1.audit",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "panel1.accounts",
    "django.contrib.admin",
    "django.contrib.sessions",
    "rest_framework.authtoken",
    "panel1.events",
    "panel1.audit",
    "panel1.privacy",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "panel1.security",
    "panel1.api",
    "tickets",
    "sla",
    "automation",
    "knowledgebase",
    "reports",
    "portal",
    "desk",
    "panel1.plugins",
]
# Django admin never shows a TOTP secret or its QR code (staff set up 2FA in the desk, /desk/2fa/);
# the views answer 403 before they look the device up.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True


def _plugin_apps() -> list[str]:
    """Django apps that installed plugins bring (entry-point group `panel1.plugin_apps`, read
    from package metadata without importing anything); their migrations run per tenant."""
    from importlib.metadata import entry_points

    return sorted({ep.value for ep in entry_points(group="panel1.plugin_apps")})


TENANT_APPS += [app for app in _plugin_apps() if app not in TENANT_APPS]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
# New tenants are cloned from a migrated template schema instead of replaying every migration.
TENANT_BASE_SCHEMA = "tenant_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
# migrate_schemas skips tenant schemas whose recorded migrations are already current.
GET_EXECUTOR_FUNCTION = "panel1.tenants.executor.get_executor"
# One `SET search_path` per tenant switch instead of one per cursor (it was half of all
# statements). Safe with django-tenants 4.0.1: its backend forgets the cached path on rollback()
# and savepoint_rollback(), the two ways PostgreSQL undoes a transactional SET
# (tests/core/test_search_path.py proves both).
TENANT_LIMIT_SET_CALLS = True
PUBLIC_SCHEMA_URLCONF = "panel1.urls_public"
ROOT_URLCONF = "panel1.urls_tenant"
PUBLIC_DOMAIN = env("PUBLIC_DOMAIN", "localhost")

MIDDLEWARE = [
    "panel1.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "panel1.core.headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "panel1.core.middleware.HealthCheckMiddleware",
    "panel1.tenants.middleware.TenantMiddleware",
    # Path, query and form input are cleaned here, once, before any view sees them.
    "panel1.core.middleware.InputNormalizationMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The language (user > switch > Accept-Language among the tenant's > tenant default) and
    # the time zone of the request; replaces Django's LocaleMiddleware (it needs the user).
    "panel1.i18n.middleware.LanguageMiddleware",
    "panel1.audit.context.AuditContextMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "panel1.security.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "panel1.core.context_processors.branding",
                "portal.access.portal_globals",
                "panel1.i18n.context_processors.languages",
            ],
        },
    },
]
WSGI_APPLICATION = "panel1.wsgi.application"

# --- Database -----------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/panel1")
# Persistent connections suit gunicorn's sync workers (one connection each). Django's
# development server starts a thread per request, each with its own connection: there the
# default is 0, or 50 parallel requests exhaust PostgreSQL's connections.
# The job cluster keeps its connections for 10 minutes: a per-minute tick over many tenants
# pays once per connection for loading every schema's table metadata into the server
# session (docs/scaling.md, "Jobs at 1,000 tenants"), so a connection should outlive ticks.
_THREADED_DEV_SERVER = "runserver" in sys.argv[1:2] and "--nothreading" not in sys.argv
_JOB_CLUSTER = "qcluster" in sys.argv[1:2]
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int(
            "DB_CONN_MAX_AGE", 0 if _THREADED_DEV_SERVER else 600 if _JOB_CLUSTER else 60
        ),
        conn_health_checks=True,
    )
}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DATABASES["default"].setdefault("TEST", {})["NAME"] = env(
    "TEST_DATABASE_NAME", "test_" + (DATABASES["default"].get("NAME") or "panel1")
)
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"

# --- i18n / time --------------------------------------------------------------------------
# The interface languages the installation ships (codes of Django's LANG_INFO, lowercase
# BCP 47: `pt-br`); each tenant offers all of them or the ones its admin picks, and picks its
# default among them (panel1.i18n). LANGUAGE_CODE is the default of new tenants and of pages
# outside any tenant; it must be one of LANGUAGES.
SHIPPED_LANGUAGES = "en,de,fr,es,pt-br,ar"


def _languages(codes: list[str]) -> list[tuple[str, str]]:
    from django.conf.locale import LANG_INFO

    languages = []
    for code in codes:
        code = code.strip().lower().replace("_", "-")
        if not code:
            continue
        if code not in LANG_INFO or "name" not in LANG_INFO[code]:
            raise ImproperlyConfigured(f"LANGUAGES: {code!r} is not a language Django knows")
        if code not in dict(languages):
            languages.append((code, LANG_INFO[code]["name"]))
    if not languages:
        raise ImproperlyConfigured("LANGUAGES must name at least one language")
    return languages


LANGUAGES = _languages(
    (_INLINE_COMMENT.sub("", env("LANGUAGES")).strip() or SHIPPED_LANGUAGES).split(",")
)
LANGUAGE_CODE = _INLINE_COMMENT.sub("", env("LANGUAGE_CODE", "en")).strip().lower() or "en"
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"LANGUAGE_CODE {LANGUAGE_CODE!r} is not one of LANGUAGES")
# One date format per locale everywhere (panel1/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["panel1.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / ".data" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / ".data" / "media")))
MEDIA_URL = "/media/"
# Files are stored under MEDIA_ROOT/tenants/<schema>/...; the schema is read on every call.
MULTITENANT_RELATIVE_MEDIA_ROOT = "tenants/%s"
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
ATTACHMENT_MAX_FILE_SIZE = env_int("ATTACHMENT_MAX_FILE_SIZE", 10 * 1024 * 1024)
ATTACHMENT_MAX_MESSAGE_SIZE = env_int("ATTACHMENT_MAX_MESSAGE_SIZE", 25 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# Malware scanning of stored files (tickets.scanning): "none" or "clamav" (clamd).
ATTACHMENT_SCANNER = env("ATTACHMENT_SCANNER", "none")
ATTACHMENT_SCAN_FAIL_OPEN = env_bool("ATTACHMENT_SCAN_FAIL_OPEN", False)
# Store every file "pending scan" and let the rescan job scan it (a slow scanner costs nothing).
ATTACHMENT_SCAN_ASYNC = env_bool("ATTACHMENT_SCAN_ASYNC", False)
CLAMD_SOCKET = env("CLAMD_SOCKET", "")
CLAMD_HOST = env("CLAMD_HOST", "127.0.0.1")
CLAMD_PORT = env_int("CLAMD_PORT", 3310)
CLAMD_TIMEOUT = env_int("CLAMD_TIMEOUT", 10)

# --- Cache --------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "panel1.cache.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "panel1_cache"}
    )
}
# Every cache key carries the current tenant's schema (django-tenants' key function).
CACHES["default"]["KEY_FUNCTION"] = "django_tenants.cache.make_key"
CACHES["default"]["REVERSE_KEY_FUNCTION"] = "django_tenants.cache.reverse_key"

# --- Sessions and security ----------------------------------------------------------------
SESSION_ENGINE = "panel1.core.sessions"  # database sessions, read by compiled SQL
SESSION_COOKIE_DOMAIN = None  # host-scoped: a session of one tenant never reaches another
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy and Permissions-Policy of every answer (panel1.core.headers); empty
# = the strict defaults there (no inline scripts).
CONTENT_SECURITY_POLICY = env("CONTENT_SECURITY_POLICY", "")
PERMISSIONS_POLICY = env("PERMISSIONS_POLICY", "")
_HTTPS = env_bool("HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _HTTPS
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("BEHIND_TLS_PROXY", _HTTPS):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# HSTS preload is a commitment for a domain and all its subdomains (tenants' custom domains
# included) that is slow to undo; operators opt in with SECURE_HSTS_PRELOAD=true.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# --- REST API -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "panel1.api.authentication.TenantTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Bounded (bytes, nesting) and cleaned (newlines, control characters) request bodies.
    "DEFAULT_PARSER_CLASSES": [
        "panel1.api.parsers.JSONParser",
        "panel1.api.parsers.FormParser",
        "panel1.api.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "panel1.api.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "panel1.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "panel1.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "panel1.api.throttling.UserRateThrottle",
        "panel1.api.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env("API_THROTTLE_USER", "1200/min"),
        "anon": env("API_THROTTLE_ANON", "120/min"),
    },
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%S.%fZ",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
API_MAX_JSON_BYTES = env_int("API_MAX_JSON_BYTES", 2 * 1024 * 1024)
API_MAX_JSON_DEPTH = env_int("API_MAX_JSON_DEPTH", 32)
SPECTACULAR_SETTINGS = {
    "TITLE": "Panel1 Helpdesk API",
    "DESCRIPTION": "Multi-tenant helpdesk REST API. The tenant is chosen by the request host.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "KbArticleStatusEnum": "knowledgebase.models.Status",
        "KbVisibilityEnum": "knowledgebase.models.Visibility",
        # One name for the priority choices wherever a field offers them (tickets, SLA).
        "PriorityEnum": "tickets.models.Priority",
        "TicketStatusEnum": "tickets.models.Status",
        "AgentStatusEnum": "tickets.models.AgentStatus",
        "ExportStatusEnum": "panel1.privacy.models.ExportStatus",
        "ErasureStatusEnum": "panel1.privacy.models.ErasureStatus",
        "PrivacyRequestSourceEnum": "panel1.privacy.models.Source",
    },
}

# --- Jobs (django-q2) ---------------------------------------------------------------------
Q_BROKER = env("Q_BROKER", "")
Q_CLUSTER = {
    "name": "panel1",
    "workers": env_int("Q_WORKERS", 2),
    "timeout": 120,
    "retry": 180,
    "max_attempts": 5,
    "queue_limit": 50,
    "bulk": 10,
    "catch_up": False,
    "ack_failures": True,
    "label": "Jobs",
    "sync": env_bool("Q_SYNC", False),
}
if Q_BROKER.startswith("redis://") or Q_BROKER.startswith("rediss://"):
    Q_CLUSTER["redis"] = Q_BROKER
else:
    Q_CLUSTER["orm"] = "default"
# The cluster is considered alive when its heartbeat ran within this many seconds.
JOBS_HEARTBEAT_MAX_AGE = env_int("JOBS_HEARTBEAT_MAX_AGE", 180)

# --- Email --------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(BASE_DIR / ".data" / "mail"))
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in os.environ.items()
    if key.startswith("ANYMAIL_") and value
}
DEFAULT_FROM_EMAIL = env("SUPPORT_FROM_EMAIL", "support@panel1.localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Product settings (the seed's variables) ----------------------------------------------
ENABLE_EMAIL_SENDING = env_bool("ENABLE_EMAIL_SENDING", True)
SUPPORT_FROM_EMAIL = DEFAULT_FROM_EMAIL
SUPPORT_REPLY_TO_EMAIL = env("SUPPORT_REPLY_TO_EMAIL", "")
# Email channel (tickets.email): inbound flood limit per sender, acknowledgement limits for
# senders never seen before, and the scheme of links in mail (default: https unless HTTPS=false).
# Inbound mail larger than this (bytes, as received) is refused before parsing in every path
# (webhook, pipe, IMAP); only its first EMAIL_INBOUND_MAX_BYTES are kept for staff to see.
EMAIL_INBOUND_MAX_BYTES = env_int("EMAIL_INBOUND_MAX_BYTES", 40 * 1024 * 1024)
EMAIL_INBOUND_SENDER_LIMIT = env_int("EMAIL_INBOUND_SENDER_LIMIT", 20)
EMAIL_INBOUND_SENDER_WINDOW = env_int("EMAIL_INBOUND_SENDER_WINDOW", 3600)
EMAIL_NEW_SENDER_ACK_PER_ADDRESS = env_int("EMAIL_NEW_SENDER_ACK_PER_ADDRESS", 3)
EMAIL_NEW_SENDER_ACK_LIMIT = env_int("EMAIL_NEW_SENDER_ACK_LIMIT", 100)
EMAIL_LINK_SCHEME = env("EMAIL_LINK_SCHEME", "")
# Port in absolute links (mail) when the site is served on a non-default one; scripts/serve
# (make run) sets it to the port it serves on.
SITE_PORT = env("SITE_PORT", "")
# authserv-id of the receiving MTA whose Authentication-Results header is trusted (SPF, DKIM,
# DMARC verdicts); empty = not checked. DMARC failures for known customers' domains are held.
EMAIL_TRUSTED_AUTHSERV_ID = env("EMAIL_TRUSTED_AUTHSERV_ID", "")
# Without a trusted Authentication-Results header: check SPF, DKIM and DMARC here (DNS lookups,
# only for mail claiming a known customer's domain; tickets.email.sender_auth).
EMAIL_VERIFY_SENDER = env_bool("EMAIL_VERIFY_SENDER", True)
EMAIL_AUTH_DNS_TIMEOUT = env_int("EMAIL_AUTH_DNS_TIMEOUT", 3)
# How many Received headers from the top our own MTAs wrote (the client is named in the last).
EMAIL_RECEIVED_TRUSTED_HOPS = env_int("EMAIL_RECEIVED_TRUSTED_HOPS", 1)
# Sign outbound notifications with the tenant's DKIM key, when it has one (SMTP setups).
EMAIL_DKIM_SIGNING = env_bool("EMAIL_DKIM_SIGNING", True)
KB_PUBLIC_ACCESS = env_bool("KB_PUBLIC_ACCESS", True)
KB_REQUIRE_AUTH = env_bool("KB_REQUIRE_AUTH", False)
DEFAULT_FIRST_RESPONSE_TIME = env_int("DEFAULT_FIRST_RESPONSE_TIME", 60)
DEFAULT_RESOLUTION_TIME = env_int("DEFAULT_RESOLUTION_TIME", 1440)
ENABLE_AUTO_RESPONSES = env_bool("ENABLE_AUTO_RESPONSES", True)
ENABLE_ESCALATIONS = env_bool("ENABLE_ESCALATIONS", True)
WEBHOOK_ALLOW_PRIVATE_NETWORKS = env_bool("WEBHOOK_ALLOW_PRIVATE_NETWORKS", False)
SLA_AT_RISK_RATIO = float(env("SLA_AT_RISK_RATIO", "0.8"))
# Work that a job redoes after a database crash (the after-commit event dispatch, the
# processing of a stored mail) commits without waiting for the disk flush; a crash within a
# fraction of a second repeats that work, its notifications and webhooks included, once.
# false: wait (one more disk sync per request and per mail).
ASYNC_COMMIT = env_bool("ASYNC_COMMIT", True)

# --- Reports ------------------------------------------------------------------------------
# Report answers are cached until the analytics job's next run (0 = off); periods with at
# least REPORTS_SUMMARY_MIN_TICKETS tickets and no filters read the day summaries, by whole
# weeks and four-week blocks where the range holds them (REPORTS_SUMMARY_BLOCKS; off: the day
# rows only, the same figures, slower; the benchmark compares the two).
REPORTS_CACHE_SECONDS = env_int("REPORTS_CACHE_SECONDS", 600)
REPORTS_SUMMARY_MIN_TICKETS = env_int("REPORTS_SUMMARY_MIN_TICKETS", 5000)
REPORTS_SUMMARY_BLOCKS = env_bool("REPORTS_SUMMARY_BLOCKS", True)

# --- Plugins (docs/plugins.md) -----------------------------------------------------------
# Extra plugin classes by dotted path, for development (installed plugins use the
# `panel1.plugins` entry-point group).
PANEL1_PLUGINS = env_list("PANEL1_PLUGINS", "")
# A synchronous hook slower than this counts as a failure.
PLUGIN_HOOK_TIME_BUDGET_MS = env_int("PLUGIN_HOOK_TIME_BUDGET_MS", 500)
# Failures (since it was enabled) after which a plugin is switched off for the tenant; 0 = never.
PLUGIN_MAX_FAILURES = env_int("PLUGIN_MAX_FAILURES", 5)
# Installed plugins `manage.py seed_demo` enables for the demo tenant.
PLUGINS_DEMO_ENABLED = env_list("PLUGINS_DEMO_ENABLED", "redaction,chat")

# --- Seed (manage.py seed_demo) -----------------------------------------------------------
DEMO_DOMAIN = env("DEMO_DOMAIN", "demo.localhost")
DEMO_ADMIN_EMAIL = env("DEMO_ADMIN_EMAIL", "admin@demo.test")
DEMO_PASSWORD = env("DEMO_PASSWORD", "demo-pass-2026")
DEMO_MODE = env_bool("DEMO_MODE", False)

# --- Logging ------------------------------------------------------------------------------
# Every line carries the tenant schema and the request (or job) id; LOG_FORMAT=json writes one
# JSON object per line for log shippers. Secrets are redacted by the filter (panel1.logs).
LOG_FORMAT = env("LOG_FORMAT", "text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "panel1.logs.ContextFilter"}},
    "formatters": {
        "text": {
            "()": "panel1.logs.TextFormatter",
            "format": "%(asctime)s %(levelname)s [%(schema)s %(request_id)s] %(name)s: %(message)s",
        },
        "json": {"()": "panel1.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # `make run` turns these down (request lines, task chatter) so the URLs and logins it
        # prints stay visible; `make run V=1` shows them.
        "django.server": {"level": env("REQUEST_LOG_LEVEL", "INFO")},
        "django-q": {"level": env("TASK_LOG_LEVEL", "INFO")},
    },
}
