"""Fupin settings: one module, every knob from an environment variable.

With nothing set, Fupin runs on an embedded SQLite database under ``var/`` so that
``git clone`` → ``make run`` works on an office PC. Production sets ``DATABASE_URL``
(PostgreSQL). Booleans and integers are parsed strictly: a typo is an error, not a default.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no, on/off), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("FUPIN_DATA_DIR", PROJECT_DIR / "var"))
# Uploaded files (case attachments) live under the data directory; they are served only through views
# that check the reader's scope, never as static files.
MEDIA_ROOT = Path(os.environ.get("FUPIN_MEDIA_ROOT", DATA_DIR / "media"))

DEBUG = env_bool("FUPIN_DEBUG", False)


def _secret_key() -> str:
    key = os.environ.get("FUPIN_SECRET_KEY")
    if key:
        return key
    # No key configured: keep a random one in the data folder so sessions survive restarts
    # of a single-machine install without anyone having to invent a key.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("FUPIN_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("FUPIN_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "fupin.areas",
    "fupin.accounts",
    "fupin.audit",
    "fupin.registry",
    "fupin.assistance",
    "fupin.assessment",
    "fupin.monitoring",
    "fupin.demo",
    "fupin.jobs",
    "fupin.sheets",
    "fupin.quality",
    "fupin.documents",
    "fupin.standards",
    "fupin.identification",
    "fupin.credit",  # 扶贫小额信贷 (issue 15 #7)
    "fupin.projects",  # 项目资金 (issue 16)
    "fupin.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "fupin.accounts.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fupin.web.middleware.ChineseByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "fupin.accounts.middleware.IdleTimeoutMiddleware",
    "fupin.accounts.middleware.PasswordChangeRequiredMiddleware",
    "fupin.audit.middleware.AuditRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "fupin.urls"
WSGI_APPLICATION = "fupin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fupin.web.context_processors.fupin",
            ],
        },
    },
]

_default_sqlite = f"sqlite:///{DATA_DIR / 'fupin.sqlite3'}"
DATABASE_URL = os.environ.get("DATABASE_URL") or _default_sqlite
if DATABASE_URL.startswith("sqlite"):
    DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("FUPIN_DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while a background job writes; a busy timeout instead of
    # "database is locked" errors under a second writer.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The test database is a file (one per pytest-xdist worker: pytest-django adds the worker's
    # suffix), not SQLite's in-memory shared cache: there, a second thread writing gets "table is
    # locked" at once instead of waiting on the busy timeout, so tests of concurrent job threads
    # failed at random.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(DATA_DIR / "test.sqlite3")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The household area index carries extra columns (INCLUDE) for PostgreSQL's index-only scans; SQLite
# builds the same index without them, which is all W040 says.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "fupin.accounts.validators.LettersAndDigitsValidator"},
]
# Username/password checks refuse guesses once a username or an address is locked (fupin/accounts/lockout.py).
AUTHENTICATION_BACKENDS = ["fupin.accounts.backends.LockoutModelBackend"]
FUPIN_LOGIN_MAX_FAILURES = env_int("FUPIN_LOGIN_MAX_FAILURES", 5)  # per username; 0 turns it off
FUPIN_LOGIN_MAX_IP_FAILURES = env_int("FUPIN_LOGIN_MAX_IP_FAILURES", 20)  # per client address; 0: off
FUPIN_LOGIN_LOCK_MINUTES = env_int("FUPIN_LOGIN_LOCK_MINUTES", 15)  # the counting window and the lock
FUPIN_IDLE_MINUTES = env_int("FUPIN_IDLE_MINUTES", 30)  # idle signed-in sessions end; 0: never
SESSION_COOKIE_AGE = env_int("FUPIN_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("FUPIN_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy and Permissions-Policy: fupin/accounts/security.py (defaults there).
if os.environ.get("FUPIN_CONTENT_SECURITY_POLICY") is not None:
    FUPIN_CONTENT_SECURITY_POLICY = os.environ["FUPIN_CONTENT_SECURITY_POLICY"]

LANGUAGE_CODE = os.environ.get("FUPIN_LANGUAGE", "zh-hans")
# Follow the browser's Accept-Language instead of always starting in Chinese.
FUPIN_BROWSER_LANGUAGE = env_bool("FUPIN_BROWSER_LANGUAGE", False)
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("FUPIN_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Only needed for `collectstatic` behind a separate web server; WhiteNoise serves from the package.
STATIC_ROOT = Path(os.environ["FUPIN_STATIC_ROOT"]) if os.environ.get("FUPIN_STATIC_ROOT") else None
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve straight from the app folders (no collectstatic step needed for `make run`);
# everything is vendored, nothing is loaded from outside.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# The public county code of the installation (罗平县 in the demo); shown in headers, used by imports.
FUPIN_COUNTY_CODE = os.environ.get("FUPIN_COUNTY_CODE", "530324")
FUPIN_PAGE_SIZE = env_int("FUPIN_PAGE_SIZE", 20)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("FUPIN_LOG_LEVEL", "WARNING")},
}

FUPIN_NAME = _("扶贫信息系统")

# --- REST API (fupin/api) ----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "fupin.api.authentication.AreaTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "fupin.api.pagination.Pagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "fupin.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer",
                                 "rest_framework.renderers.BrowsableAPIRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Fupin API · 扶贫信息系统接口",
    "DESCRIPTION": "建档立卡数据接口：区划、贫困户、家庭成员、年度收入、状态历史。按账号的管辖区划限定范围。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc from the drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
# API tokens (fupin.accounts.tokens): a new one per sign-in, valid this many hours, then sign in again.
FUPIN_API_TOKEN_HOURS = env_int("FUPIN_API_TOKEN_HOURS", 12)
# Public notices (公示/公告) run at least this many days, first and last included (REFERENCE §3: 7).
NOTICE_MIN_DAYS = env_int("FUPIN_NOTICE_MIN_DAYS", 7)
# 防返贫监测 (issue 14, REFERENCE §7): a monitoring notice runs at least 5 days; the entry and
# risk-elimination procedures end within 15–20 working days; public holidays (ISO dates, comma-separated)
# are not working days; the public mobile application page takes this many reports per IP and hour.
MONITOR_NOTICE_MIN_DAYS = env_int("FUPIN_MONITOR_NOTICE_MIN_DAYS", 5)
MONITOR_LIMIT_DAYS = env_int("FUPIN_MONITOR_LIMIT_DAYS", 20)
HOLIDAYS = env_list("FUPIN_HOLIDAYS", "")
MONITOR_APPLY_PER_HOUR = env_int("FUPIN_MONITOR_APPLY_PER_HOUR", 5)
# Case attachments (photos, scanned signed forms): each at most this many megabytes.
ATTACHMENT_MAX_MB = env_int("FUPIN_ATTACHMENT_MAX_MB", 10)
# Under /api/ a refused CSRF check answers in the API's JSON error shape; elsewhere Django's page.
CSRF_FAILURE_VIEW = "fupin.api.errors.csrf_failure"
# JSON bodies above this are refused with 413 before parsing (Django's own limit, used by DRF too).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("FUPIN_MAX_BODY_BYTES", 2 * 1024 * 1024)

# --- Background jobs (fupin/jobs: imports, exports and the jobs of other domains) ------------------
# "thread": run in the web process (the embedded default: no extra service); "rq": queue on Redis
# (production; run `fupin worker`); "sync": run inside the request (tests, debugging).
REDIS_URL = os.environ.get("REDIS_URL", "")
FUPIN_JOBS = os.environ.get("FUPIN_JOBS", "rq" if REDIS_URL else "thread")
if FUPIN_JOBS not in ("thread", "rq", "sync"):
    raise ImproperlyConfigured(f"FUPIN_JOBS must be thread, rq or sync, got {FUPIN_JOBS!r}")
if FUPIN_JOBS == "rq" and not REDIS_URL:
    raise ImproperlyConfigured("FUPIN_JOBS=rq needs REDIS_URL (e.g. redis://127.0.0.1:6379/0)")
# Job progress and cancel flags: shared by the web workers and the job runner (Redis in production,
# files in the data folder otherwise, so that several web processes see the same progress).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "jobs": ({"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
              "KEY_PREFIX": "fupin"} if REDIS_URL else
             {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
              "LOCATION": str(DATA_DIR / "cache" / "jobs")}),
}
# Files of import/export jobs (uploads, error sheets, exports) are deleted after this many days.
FUPIN_JOB_FILE_DAYS = env_int("FUPIN_JOB_FILE_DAYS", 7)
# Unfinished background jobs (checks, imports, exports) one user may have at once; a further start
# from the pages is refused with a message (no job is created). Jobs older than two hours do not
# count: they were lost with a stopped worker (fupin.jobs.runner.unfinished_jobs).
FUPIN_MAX_JOBS_PER_USER = env_int("FUPIN_MAX_JOBS_PER_USER", 3)
# Largest sheet accepted for import (bytes).
FUPIN_MAX_UPLOAD_BYTES = env_int("FUPIN_MAX_UPLOAD_BYTES", 100 * 1024 * 1024)
# Limits checked before a sheet is read (fupin/sheets/reader.py, "Limits"), so that a small hostile file (a cell
# at XFD1048576, a zip bomb) cannot make the reader allocate gigabytes. A big county sheet has ~50,000
# member rows and ~60 columns; the demo county's export (41,633 rows × 54 columns) inflates to 106 MB.
FUPIN_SHEET_MAX_ROWS = env_int("FUPIN_SHEET_MAX_ROWS", 100_000)
FUPIN_SHEET_MAX_COLUMNS = env_int("FUPIN_SHEET_MAX_COLUMNS", 200)
FUPIN_SHEET_MAX_INFLATED_BYTES = env_int("FUPIN_SHEET_MAX_INFLATED_BYTES", 400 * 1024 * 1024)
# Background jobs run at once by the "thread" runner of one web process; more wait, queued.
FUPIN_MAX_CONCURRENT_JOBS = env_int("FUPIN_MAX_CONCURRENT_JOBS", 2)
# The 帮扶缺口 page computes at most this many counties' counts from the tables in a request (a county takes
# seconds at province scale); an area needing more (a city or the province on a new day, before the nightly
# `fupin gaps refresh`) shows its latest stored counts labelled with their date and refreshes in a job.
FUPIN_GAPS_INLINE_COUNTIES = env_int("FUPIN_GAPS_INLINE_COUNTIES", 2)
# Large read-only grouped queries (the rule preview over a million households) run in this many slices
# of household ids side by side, one connection and one core each (fupin.lib.slices); 1 turns it off.
# Below FUPIN_SLICE_MIN_ROWS households a single query is as fast.
FUPIN_QUERY_SLICES = env_int("FUPIN_QUERY_SLICES", min(os.cpu_count() or 1, 4))
FUPIN_SLICE_MIN_ROWS = env_int("FUPIN_SLICE_MIN_ROWS", 200_000)
