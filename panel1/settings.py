"""Panel1 Helpdesk settings: one module, configured by environment variables (12-factor).

Every variable is listed with its default and meaning in `.env.example`. The defaults make
`make run` work on a developer machine; production sets DEBUG=false, SECRET_KEY and
ALLOWED_HOSTS (and the HTTPS settings below follow DEBUG).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
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
    "panel1.api",
    "tickets",
    "sla",
    "automation",
    "knowledgebase",
    "portal",
    "desk",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
# New tenants are cloned from a migrated template schema instead of replaying every migration.
TENANT_BASE_SCHEMA = "tenant_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
# One `SET search_path` per tenant switch instead of one per cursor (it was half of all
# statements). Safe with django-tenants 4.0.1: its backend forgets the cached path on rollback()
# and savepoint_rollback(), the two ways PostgreSQL undoes a transactional SET
# (tests/core/test_search_path.py proves both).
TENANT_LIMIT_SET_CALLS = True
PUBLIC_SCHEMA_URLCONF = "panel1.urls_public"
ROOT_URLCONF = "panel1.urls_tenant"
PUBLIC_DOMAIN = env("PUBLIC_DOMAIN", "localhost")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "panel1.core.middleware.HealthCheckMiddleware",
    "panel1.tenants.middleware.TenantMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
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
            ],
        },
    },
]
WSGI_APPLICATION = "panel1.wsgi.application"

# --- Database -----------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/panel1")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
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
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
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

# --- Cache --------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "panel1_cache"}
    )
}
# Every cache key carries the current tenant's schema (django-tenants' key function).
CACHES["default"]["KEY_FUNCTION"] = "django_tenants.cache.make_key"
CACHES["default"]["REVERSE_KEY_FUNCTION"] = "django_tenants.cache.reverse_key"

# --- Sessions and security ----------------------------------------------------------------
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_DOMAIN = None  # host-scoped: a session of one tenant never reaches another
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
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
    "DEFAULT_PAGINATION_CLASS": "panel1.api.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "panel1.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env("API_THROTTLE_USER", "1200/min"),
        "anon": env("API_THROTTLE_ANON", "120/min"),
    },
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%S.%fZ",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
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
EMAIL_INBOUND_SENDER_LIMIT = env_int("EMAIL_INBOUND_SENDER_LIMIT", 20)
EMAIL_INBOUND_SENDER_WINDOW = env_int("EMAIL_INBOUND_SENDER_WINDOW", 3600)
EMAIL_NEW_SENDER_ACK_PER_ADDRESS = env_int("EMAIL_NEW_SENDER_ACK_PER_ADDRESS", 3)
EMAIL_NEW_SENDER_ACK_LIMIT = env_int("EMAIL_NEW_SENDER_ACK_LIMIT", 100)
EMAIL_LINK_SCHEME = env("EMAIL_LINK_SCHEME", "")
KB_PUBLIC_ACCESS = env_bool("KB_PUBLIC_ACCESS", True)
KB_REQUIRE_AUTH = env_bool("KB_REQUIRE_AUTH", False)
DEFAULT_FIRST_RESPONSE_TIME = env_int("DEFAULT_FIRST_RESPONSE_TIME", 240)
DEFAULT_RESOLUTION_TIME = env_int("DEFAULT_RESOLUTION_TIME", 2880)
ENABLE_AUTO_RESPONSES = env_bool("ENABLE_AUTO_RESPONSES", True)
ENABLE_ESCALATIONS = env_bool("ENABLE_ESCALATIONS", True)
WEBHOOK_ALLOW_PRIVATE_NETWORKS = env_bool("WEBHOOK_ALLOW_PRIVATE_NETWORKS", False)
SLA_AT_RISK_RATIO = float(env("SLA_AT_RISK_RATIO", "0.8"))

# --- Seed (manage.py seed_demo) -----------------------------------------------------------
DEMO_DOMAIN = env("DEMO_DOMAIN", "demo.localhost")
DEMO_ADMIN_EMAIL = env("DEMO_ADMIN_EMAIL", "admin@demo.test")
DEMO_PASSWORD = env("DEMO_PASSWORD", "demo-pass-2026")

# --- Logging ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
