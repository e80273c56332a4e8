"""
Settings, read from the environment.

With no environment at all, the site runs embedded: SQLite in the project
folder, Celery tasks run in-process, email printed to the console. Production
sets DATABASE_URL, REDIS_URL, EMAIL_URL, DJANGO_SECRET_KEY, DJANGO_DEBUG=0 and
DJANGO_ALLOWED_HOSTS.
"""

import datetime
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env") if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DJANGO_DEBUG", default=True)
_INSECURE_KEY = "django-insecure-embedded-default-key-change-me-in-production-0123456789"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=_INSECURE_KEY if DEBUG else "")
if not SECRET_KEY:
    raise environ.ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SCOMM_SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "corsheaders",
    "axes",
    "simple_history",
    "core",
    "jurisdictions",
    "optouts",
    "correspondence",
    "reminders",
    "public",
    "scomm",
]

MIDDLEWARE = [
    # Outermost: every answer carries its request id, and every log line of it.
    "core.requestid.RequestIdMiddleware",
    # First: every answer, a 304 or a kept page too, carries its CORS headers.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the page cache: a kept copy the reader already holds is a 304.
    "public.conditional.NotModifiedMiddleware",
    # Before the session: a cached public page is served without touching the database.
    "core.pagecache.AnonymousPageCacheMiddleware",
    # Inside the page cache, so that a cached page is kept compressed. Django
    # pads compressed pages against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    # Inside compression: the public outputs' ETag is the digest of the plain body.
    "public.conditional.ValidatorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every answer to a signed-in user is theirs alone: Cache-Control: private.
    "core.cachecontrol.SignedInPrivateMiddleware",
    # Before anything reads a body: no files, nothing large, from a visitor not signed in.
    "core.ratelimit.AnonymousBodyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "scomm.middleware.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "scomm.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "scomm.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several writers (runserver, the in-process tasks) share one file.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Parameters bound by the server let psycopg prepare the statements a
    # connection runs again and again (every page's few queries): PostgreSQL
    # then plans each once per connection instead of once per request, which
    # costs more than running it for most of them. DATABASE_PREPARE_THRESHOLD=0
    # turns preparing off (a pooler in transaction mode older than PgBouncer 1.21).
    prepare_after = env.int("DATABASE_PREPARE_THRESHOLD", default=5)
    if prepare_after:
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options.setdefault("server_side_binding", True)
        options.setdefault("prepare_threshold", prepare_after)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in is rate-limited: five failures for one user name from one address
# lock that pair out for fifteen minutes.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("SCOMM_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client address, as every limit counts it (core/clientip.py): behind
# SCOMM_PROXY_COUNT proxies, the Nth address from the right of X-Forwarded-For.
SCOMM_PROXY_COUNT = env.int("SCOMM_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "core.clientip.client_ip"
AXES_VERBOSE = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("SCOMM_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("SCOMM_MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Frozen letters, attachments and exports: never served by the web server
# directly, only through views that check who may see them.
SCOMM_PRIVATE_MEDIA_ROOT = Path(
    env.str("SCOMM_PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "media-private"))
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Uploads: schedules and attachments are small documents.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
SCOMM_MAX_UPLOAD_BYTES = env.int("SCOMM_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
# A deployment schedule has a few thousand rows (the United States, about 3,200); an
# .xlsx may unpack to at most this much before openpyxl is let near it.
SCOMM_SCHEDULE_MAX_ROWS = env.int("SCOMM_SCHEDULE_MAX_ROWS", default=20_000)
SCOMM_SCHEDULE_MAX_UNZIPPED_BYTES = env.int(
    "SCOMM_SCHEDULE_MAX_UNZIPPED_BYTES", default=50 * 1024 * 1024
)
# No public form takes a file: a visitor who is not signed in may send no body
# over this size, multipart or not (core.ratelimit.AnonymousBodyMiddleware).
SCOMM_ANONYMOUS_MAX_BODY_BYTES = env.int("SCOMM_ANONYMOUS_MAX_BODY_BYTES", default=64 * 1024)

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="scomm <noreply@scomm.localhost>")
# Letters sent by email (correspondence.mail): from this address, with a reply
# address of the case's own at SCOMM_REPLY_DOMAIN; replies come by the
# receive_mail pipe or from the IMAP mailbox at SCOMM_IMAP_URL
# (imaps://user:password@host/INBOX), read every SCOMM_IMAP_POLL_SECONDS.
SCOMM_MAIL_FROM = env.str("SCOMM_MAIL_FROM", default=DEFAULT_FROM_EMAIL)
SCOMM_REPLY_DOMAIN = env.str("SCOMM_REPLY_DOMAIN", default="replies.scomm.localhost")
SCOMM_IMAP_URL = env.str("SCOMM_IMAP_URL", default="")
SCOMM_IMAP_POLL_SECONDS = env.int("SCOMM_IMAP_POLL_SECONDS", default=120)
# A received message over this size is held with its headers only.
SCOMM_MAIL_MAX_BYTES = env.int("SCOMM_MAIL_MAX_BYTES", default=25 * 1024 * 1024)
SCOMM_MAIL_MAX_HEADER_BYTES = env.int("SCOMM_MAIL_MAX_HEADER_BYTES", default=256 * 1024)

# Celery: with no REDIS_URL, tasks run in-process when they are queued, unless
# SCOMM_EMBEDDED_WORKER=1 (set by scripts/start): then they go through folders
# under SCOMM_EMBEDDED_WORKER_DIR to the worker with beat that scripts/start
# runs beside the site (manage.py embedded_worker), so that reminders, the
# digest and the export clean-up run on their schedule with no server and no cron.
REDIS_URL = env.str("REDIS_URL", default="")
SCOMM_EMBEDDED_WORKER = not REDIS_URL and env.bool("SCOMM_EMBEDDED_WORKER", default=False)
SCOMM_EMBEDDED_WORKER_DIR = Path(
    env.str("SCOMM_EMBEDDED_WORKER_DIR", default=str(BASE_DIR / ".cache" / "celery"))
)
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL and not SCOMM_EMBEDDED_WORKER
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = REDIS_URL or (
    "filesystem://localhost/" if SCOMM_EMBEDDED_WORKER else "memory://"
)
# No result backend: nothing reads a task's result (what a task did is in the
# database, the outbox's row says it is done), and a Redis result store that
# went away for 20 seconds left Celery beat unable to send anything until it
# was restarted.
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# The worker and beat wait for a broker that went away however long it takes.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Longer than any countdown (at most 10 minutes, correspondence.tasks), so that
# Redis never hands a waiting task out twice, and short enough that a task
# taken by a worker that was killed comes back within a quarter of an hour.
# What must be done at least once also goes through the outbox (core.outbox),
# which sends it again from the database: Redis needs no persistence.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 15 * 60}
if SCOMM_EMBEDDED_WORKER:
    # The site writes tasks into the folder the worker reads; both processes
    # create it, whichever starts first.
    (SCOMM_EMBEDDED_WORKER_DIR / "queue").mkdir(parents=True, exist_ok=True)
    (SCOMM_EMBEDDED_WORKER_DIR / "control").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(SCOMM_EMBEDDED_WORKER_DIR / "queue"),
        "data_folder_out": str(SCOMM_EMBEDDED_WORKER_DIR / "queue"),
        "control_folder": str(SCOMM_EMBEDDED_WORKER_DIR / "control"),
    }
# A task handed to the broker and not started after this long (a broker that
# restarted empty) is sent again by the outbox's sweep; one started and not
# done, after its time limit plus a minute (or after the second setting).
SCOMM_OUTBOX_AGAIN_AFTER_SECONDS = env.int("SCOMM_OUTBOX_AGAIN_AFTER_SECONDS", default=300)
SCOMM_OUTBOX_RUNNING_AGAIN_AFTER_SECONDS = (
    env.int("SCOMM_OUTBOX_RUNNING_AGAIN_AFTER_SECONDS")
    if env.str("SCOMM_OUTBOX_RUNNING_AGAIN_AFTER_SECONDS", default="")
    else None
)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Sends again what the outbox holds and the broker lost (core.outbox).
    "outbox-sweep": {
        "task": "core.tasks.outbox_sweep",
        "schedule": datetime.timedelta(seconds=env.int("SCOMM_OUTBOX_SWEEP_SECONDS", default=60)),
    },
    "remind-stalled-cases": {
        "task": "reminders.tasks.reminders_sweep",
        # Hourly; SCOMM_REMINDERS_SWEEP_SECONDS gives a shorter period (the
        # embedded worker's test sweeps every few seconds).
        "schedule": (
            datetime.timedelta(seconds=env.int("SCOMM_REMINDERS_SWEEP_SECONDS"))
            if env.str("SCOMM_REMINDERS_SWEEP_SECONDS", default="")
            else crontab(minute=15)
        ),
    },
    "reminders-daily-digest": {
        "task": "reminders.tasks.digest_send",
        "schedule": crontab(hour=7, minute=0),
    },
    # The overview's counts are kept with every change (optouts.tally); once a
    # day they are counted afresh, and a difference is logged.
    "recount-cases": {
        "task": "optouts.tasks.counts_rebuild",
        "schedule": crontab(hour=3, minute=45),
    },
    "expire-case-exports": {
        "task": "correspondence.tasks.exports_expire",
        "schedule": crontab(hour=3, minute=30),
    },
    "fetch-replies-mail": {
        "task": "correspondence.tasks.mail_fetch",
        "schedule": datetime.timedelta(seconds=SCOMM_IMAP_POLL_SECONDS),
    },
}
# Built case files (PDF or ZIP) are deleted after this many days.
SCOMM_EXPORT_KEEP_DAYS = env.int("SCOMM_EXPORT_KEEP_DAYS", default=7)

# Public pages kept for anonymous visitors (core/pagecache.py); 0 turns it off.
SCOMM_PAGE_CACHE_SECONDS = env.int("SCOMM_PAGE_CACHE_SECONDS", default=60)
# After a change, a worker builds the pages most visitors read first again
# (core/warm.py), so the first visitor after a change is served a kept copy.
# On with Redis, the cache the site and its workers share; the embedded
# default's cache is each process's own memory, and its tasks may run inside
# the request, where the writer would wait for the pages.
SCOMM_WARM_PAGES = env.bool("SCOMM_WARM_PAGES", default=bool(REDIS_URL))
SCOMM_WARM_PAGE_NAMES = (
    "home",
    "optouts:list",
    "jurisdictions:list",
    "public:map",
    "public:map_svg",
    "public:cases_csv",
)
# Which viewers may share a kept copy of a page that shows private data: the
# visibility rule of the cases, named here because core imports no app.
SCOMM_PAGE_SCOPE = "optouts.permissions.visibility_scope"

CACHES = {
    "default": (
        # Django's, with one Redis client per connection pool (core/cache.py).
        {"BACKEND": "core.cache.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# The limits' counters (core/ratelimit.py) must be the same for every process
# that serves requests. Redis is; with no Redis, a folder of files is, where
# the local-memory cache would give each process its own count.
if not REDIS_URL:
    CACHES["limits"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env.str("SCOMM_LIMITS_DIR", default=str(BASE_DIR / ".cache" / "limits")),
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
SCOMM_LIMITS_CACHE = "default" if REDIS_URL else "limits"
# A signed-in request reads its session from the cache (written through to the
# database, so a restart of Redis signs nobody out): one round trip to Redis
# instead of a query.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Security. In production (DEBUG off) cookies are secure and HSTS is on;
# SECURE_SSL_REDIRECT can be turned off behind a proxy that already redirects.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line names the request it belongs to (core.requestid), "-" outside one.
    "filters": {"request_id": {"()": "core.requestid.RequestIdFilter"}},
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "line",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "WARNING"},
        # Celery's loggers keep the level of the worker's --loglevel (INFO:
        # a line per task received and done). Tasks run in-process (tests, a
        # plain manage.py) say nothing of each task.
        **(
            {"celery.app.trace": {"level": "WARNING"}, "celery.worker": {"level": "WARNING"}}
            if CELERY_TASK_ALWAYS_EAGER
            else {}
        ),
    },
}

# Reasons for a change ("Deployment schedule of 2010-09-01, row 14") can be long.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True

# The public read-only API (public/api.py) and its OpenAPI schema at /api/schema/.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # Behind N proxies, the client is the Nth address from the right of X-Forwarded-For.
    "NUM_PROXIES": env.int("SCOMM_PROXY_COUNT", default=0),
}
# Other sites' pages may read the public outputs (the API and its schema, the
# feeds, the CSV, the calendars) from a browser: any origin, GET only, never
# with credentials, so a signed-in visitor's cookie is never used for them.
# Nothing else (pages, forms, anything signed in) has CORS headers.
CORS_URLS_REGEX = r"^/(api/|feeds/|cases\.csv$|calendar\.ics$|cases/[0-9]+/calendar\.ics$)"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
# Readers may revalidate their copy from a script (conditional GET).
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After"]
# Requests to the public API per client address ("120/minute"; empty: no limit).
# Counted in the cache, so shared by every web worker on the production stack.
SCOMM_API_RATE = env.str("SCOMM_API_RATE", default="120/minute")
# Following by email, counted in the same cache: requests from one client
# address, requests naming one email address, and confirmation emails sent
# to one address (a number per day). Empty or 0: no limit.
SCOMM_FOLLOW_RATE_PER_CLIENT = env.str("SCOMM_FOLLOW_RATE_PER_CLIENT", default="3/minute")
SCOMM_FOLLOW_RATE_PER_EMAIL = env.str("SCOMM_FOLLOW_RATE_PER_EMAIL", default="10/hour")
SCOMM_FOLLOW_CONFIRMATIONS_PER_DAY = env.int("SCOMM_FOLLOW_CONFIRMATIONS_PER_DAY", default=5)
SPECTACULAR_SETTINGS = {
    "TITLE": "scomm public API",
    "DESCRIPTION": (
        "Secure Communities opt-out requests, their public timeline events and the "
        "jurisdictions on ICE's deployment plan. Read-only; public fields only."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    # A case's stage and an event's from/to stages share one set of choices;
    # so do the precisions of every date of record.
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "optouts.models.Stage",
        "DatePrecisionEnum": "jurisdictions.models_agreements.DatePrecision",
    },
}
