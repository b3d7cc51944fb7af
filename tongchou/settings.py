"""Settings from the environment: development defaults exist, production refuses to start without real keys."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TONGCHOU_VAR_DIR", BASE_DIR / "var"))

PRODUCTION = os.environ.get("TONGCHOU_ENV", "development") == "production"
DEBUG = os.environ.get("DJANGO_DEBUG", "0" if PRODUCTION else "1") == "1"

_DEV_SECRET = "dev-only-secret-key-not-for-production-0123456789abcdef"
# Development keys are fixed so a demo database stays readable across restarts; production must set its own.
_DEV_PII_KEY = "ZGV2LW9ubHktcGlpLWtleS1ub3QtZm9yLXByb2R1Y3Q"
_DEV_HASH_KEY = "ZGV2LW9ubHktaGFzaC1rZXktbm90LWZvci1wcm9kdWN0aW9uLXVzZQ"


def _env(name: str, dev_default: str) -> str:
    value = os.environ.get(name)
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set in production")
    return dev_default


SECRET_KEY = _env("SECRET_KEY", _DEV_SECRET)
# Personal-data keys: TONGCHOU_PII_KEYS is "id:key,id:key" (url-safe base64 of 32 bytes), the current one first.
PII_KEYS = _env("TONGCHOU_PII_KEYS", f"1:{_DEV_PII_KEY}")
PII_HASH_KEY = _env("TONGCHOU_HASH_KEY", _DEV_HASH_KEY)

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the Swagger UI files locally (no CDN)
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "apps.geo",
    "apps.accounts",
    "apps.people",
    "apps.common",
    "apps.demo",
    "apps.cases",
    "apps.epi",
    "apps.projects",
    "apps.indicators",
    "apps.prices",
    "apps.society",
    "apps.enterprises",
    "apps.venues",
    "apps.codes",
    "apps.quarantine",
    "apps.arrivals",
    "apps.screening",
    "apps.command",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "apps.common.middleware.SecurityHeadersMiddleware",  # CSP, Permissions-Policy, no-store (see its docstring)
    "apps.common.middleware.DatabaseRefusalMiddleware",  # a value the database refuses is a 400/409 page
]

ROOT_URLCONF = "tongchou.urls"
WSGI_APPLICATION = "tongchou.wsgi.application"
ASGI_APPLICATION = "tongchou.asgi.application"

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
                "django.template.context_processors.i18n",
                "apps.accounts.context.navigation",
            ],
            # `|shown` translates a service's message where a page shows it (apps.common.messages).
            "builtins": ["apps.common.templatetags.shown"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tongchou.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so two writers
    # queue instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["apps.accounts.backends.LockoutModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
LOCKOUT_THRESHOLD = int(os.environ.get("TONGCHOU_LOCKOUT_THRESHOLD", "5"))
LOCKOUT_MINUTES = int(os.environ.get("TONGCHOU_LOCKOUT_MINUTES", "15"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on a missing root before collectstatic
# Front-end packages come from the npm registry at setup (assets/package.json) and are served from here:
# never from a CDN at run time.
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor", BASE_DIR / "assets" / "node_modules")]
WHITENOISE_USE_FINDERS = True

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Tests (and TONGCHOU_TASKS_IMMEDIATE=1) run tasks in-process at enqueue time, so their effects are observable.
if os.environ.get("TONGCHOU_TASKS_IMMEDIATE") == "1" or "pytest" in sys.modules:
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Imports: files of at least this many rows are validated and encrypted on a pool of worker processes (one per
# core unless TONGCHOU_IMPORT_WORKERS says otherwise); files above TONGCHOU_IMPORT_BACKGROUND_ROWS rows run as
# a background job (202 and a job to poll) instead of one long request.
TONGCHOU_IMPORT_POOL_MIN_ROWS = int(os.environ.get("TONGCHOU_IMPORT_POOL_MIN_ROWS", "20000"))
TONGCHOU_IMPORT_WORKERS = int(os.environ.get("TONGCHOU_IMPORT_WORKERS", "0"))
TONGCHOU_IMPORT_BACKGROUND_ROWS = int(os.environ.get("TONGCHOU_IMPORT_BACKGROUND_ROWS", "20000"))

# Periodic jobs (name: (django-tasks task, when)); `manage.py run_scheduler` enqueues them, `db_worker` runs them.
# Times are local (Asia/Shanghai): codes and risk levels change at local midnight.
TONGCHOU_SCHEDULE: dict[str, tuple[str, str]] = {
    "codes_daily": ("apps.codes.tasks.recompute_all_codes", "daily 00:05"),
    "risk_daily": ("apps.cases.tasks.recompute_clusters_and_risk", "daily 00:10"),
    "projects_colours": ("apps.projects.tasks.refresh_project_colours", "daily 00:15"),
    "scans_purge": ("apps.venues.tasks.purge_old_scans", "daily 03:00"),
    "login_throttles_purge": ("apps.accounts.tasks.purge_login_throttles", "daily 03:20"),
    "scan_partitions": ("apps.venues.tasks.ensure_scan_partitions", "daily 02:30"),
    "hotline_escalation": ("apps.enterprises.tasks.escalate_overdue_tickets", "every 5m"),
    # A commitment counts from its planned date: put the due ones into effect soon after local midnight.
    "commitments_open": ("apps.enterprises.tasks.open_due_commitments", "every 10m"),
    "screening_escalation": ("apps.screening.tasks.escalate_overdue_work_items", "every 15m"),
    "screening_reconciliation": ("apps.screening.tasks.check_reconciliation", "daily 01:30"),
    "command_tasks_escalation": ("apps.command.tasks.escalate_overdue_tasks", "every 5m"),
    "command_digest": ("apps.command.tasks.send_notification_digests", "daily 07:30"),
    # 每日两次: the sweep runs after each check-in deadline (core.quarantine.CHECKIN_SLOTS, 12:00 and 20:00).
    "quarantine_missed_am": ("apps.quarantine.tasks.sweep_missed_checkins", "daily 12:05"),
    "quarantine_missed_pm": ("apps.quarantine.tasks.sweep_missed_checkins", "daily 20:05"),
    "quarantine_requests": ("apps.quarantine.tasks.escalate_late_requests", "every 5m"),
}

# Which scans raise an alert (core.scanalerts): a yellow code whose only reasons are these, at a venue in the
# person's home area (the residence code cut to `home_digits`: 12 = community), raises none — residents pass their
# own gate freely (对居民正常进出要宽松便捷). Red codes and fevers (the code rules' threshold) always alert.
TONGCHOU_SCAN_ALERTS = {
    "home_digits": int(os.environ.get("TONGCHOU_ALERT_HOME_DIGITS", "12")),
    "quiet_yellow_reasons": ["residence_high_risk", "residence_medium_risk"],
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
# Production is served over HTTPS only (behind a TLS-terminating proxy that sets X-Forwarded-Proto).
SECURE_SSL_REDIRECT = PRODUCTION and os.environ.get("TONGCHOU_SSL_REDIRECT", "1") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_HSTS_SECONDS = 31_536_000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

NAV_TITLE = _("Tongchou epidemic control and recovery")
