"""Settings for the test suite: the production module with test-friendly environment defaults."""

import os

os.environ.setdefault("ENV_FILE", "")  # a developer's .env must not change the suite
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdefghij")
os.environ.setdefault("HTTPS", "false")
os.environ.setdefault("Q_SYNC", "true")
os.environ.setdefault("WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true")
# No DNS here: inbound mail is not SPF/DKIM-checked; tests/email/test_sender_auth.py turns it
# on with a resolver that answers from a dict.
os.environ.setdefault("EMAIL_VERIFY_SENDER", "false")

from panel1.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
MEDIA_ROOT = BASE_DIR / ".data" / "test-media"  # noqa: F405
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    }
}
# Report answers are cached until the analytics job's next run; tests that change data
# between two reads without a run turn it on themselves (tests/reports/test_cache.py).
REPORTS_CACHE_SECONDS = 0
