"""Settings of the CCHC Index, read from the environment.

SQLite by default (``make run``); ``DATABASE_URL`` switches to PostgreSQL. Production (``DEBUG``
off) refuses to start without ``SECRET_KEY`` and ``ALLOWED_HOSTS``, and ``check --deploy`` is clean.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from cchc.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

# A fixed key is only for development: a random one per start would log everyone out, and a
# hard-coded one in production would let anyone forge sessions.
DEV_SECRET_KEY = "django-insecure-cchc-development-only-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured("The development SECRET_KEY cannot be used with DEBUG off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "units",
    "scoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cchc.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "units.middleware.SessionTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "units.two_factor.middleware.SecondFactorMiddleware",
    "scoring.audit.AuditOriginMiddleware",
    "units.middleware.TemporaryPasswordMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cchc.headers.NoStoreMiddleware",
    "cchc.security.RefusalLogMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its own response.
    "axes.middleware.AxesMiddleware",
]

# django-axes first: a locked-out username is refused before its password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "cchc.urls"

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
                "units.context_processors.roles",
            ],
        },
    },
]

WSGI_APPLICATION = "cchc.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Take the write lock when a transaction starts: two saves of one unit then wait for each
    # other instead of failing with "database is locked" (SQLite ignores SELECT … FOR UPDATE).
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Django's, with its too-short error in Vietnamese (its catalog lags behind Django 5.2).
    {"NAME": "units.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Vietnamese first. User-facing strings are written in Vietnamese in the code and templates, and
# locale/en holds their English translation, so the primary language never depends on a catalog.
LANGUAGE_CODE = "vi"
# Each language is named in itself, as a language switch should show it.
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
# Day-first date input in Vietnamese (Django's own vi locale has no input formats).
FORMAT_MODULE_PATH = ["cchc.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Private files (evidence, ledger documents, staged imports, task files): the "private" storage,
# never under MEDIA_ROOT and never at a URL; a view checks access and streams them. Code reaches
# them only through the storage API (scoring.models.evidence.private_storage), so where they
# live is this setting:
# - PRIVATE_STORAGE=filesystem (default): under PRIVATE_MEDIA_ROOT on this server's disk (one
#   server; back it up with the database).
# - PRIVATE_STORAGE=s3: in a bucket of any S3-compatible service, shared by every app server:
#   S3_BUCKET (required), S3_ENDPOINT_URL (empty for AWS; e.g. https://s3.example.vn for MinIO
#   or a provider), S3_REGION, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY (empty: boto3's own
#   chain, e.g. an instance role), S3_PREFIX (a folder in a shared bucket). Objects are written
#   private, never overwritten, and any signed URL lives S3_URL_SECONDS (none is handed out).
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private-media")))
PRIVATE_STORAGE = env_str("PRIVATE_STORAGE", "filesystem").strip().lower()
if PRIVATE_STORAGE == "filesystem":
    _private_storage = {"BACKEND": "cchc.storage.PrivateFileSystemStorage"}
elif PRIVATE_STORAGE == "s3":
    if not env_str("S3_BUCKET", "").strip():
        raise ImproperlyConfigured("PRIVATE_STORAGE=s3 needs S3_BUCKET.")
    _private_storage = {
        "BACKEND": "cchc.s3.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET", "").strip(),
            "endpoint_url": env_str("S3_ENDPOINT_URL", "").strip() or None,
            "region_name": env_str("S3_REGION", "").strip() or None,
            "access_key": env_str("S3_ACCESS_KEY_ID", "").strip() or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY", "").strip() or None,
            "location": env_str("S3_PREFIX", "").strip().strip("/"),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": env_int("S3_URL_SECONDS", 300),
            # S3 replaces an object of the same name by default; two ledger documents named
            # alike must both be kept, as on a disk.
            "file_overwrite": False,
        },
    }
else:
    raise ImproperlyConfigured(
        f"PRIVATE_STORAGE={PRIVATE_STORAGE!r}: expected 'filesystem' or 's3'."
    )
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
    "private": _private_storage,
}
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_MB", 20) * 1024 * 1024

# The cache, shared by every app server when there are several (CACHE_URL): redis://host:6379/0
# (or rediss://, unix://) for Redis, "db" for a table of the app's database (cchc_cache, made by
# `manage.py createcachetable`), empty for memory of one process (`make run`). Nothing depends on
# it for correctness: it holds drawn charts, whose keys are their inputs. Sessions are always in
# the database (Django's default), so a user signed in on one server is signed in on all.
CACHE_URL = env_str("CACHE_URL", "").strip()
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    _cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
elif CACHE_URL == "db":
    _cache = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cchc_cache"}
elif not CACHE_URL:
    _cache = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
else:
    raise ImproperlyConfigured(
        f"CACHE_URL={CACHE_URL!r}: expected redis://…, rediss://…, unix://…, 'db' or nothing."
    )
CACHES = {"default": {**_cache, "KEY_PREFIX": "cchc"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# A session lasts a working day. Should it end under someone typing, the entry pages keep
# their unsaved input in the browser and offer it back after the login.
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 12) * 3600

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Only behind a proxy that sets X-Forwarded-Proto itself; trusting it from any client
    # would let a plain-HTTP request pass for HTTPS.
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading binds the whole parent domain (often a province's gov.vn) to HTTPS for
        # good; that is the domain owner's decision, so the check's advice is silenced, not taken.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# The security log goes to stdout, or with SECURITY_LOG_FILE to that file (reopened when
# logrotate moves it); the console handler leaves its lines out so they are not printed twice.
SECURITY_LOG_FILE = env_str("SECURITY_LOG_FILE", "")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"security_json": {"()": "cchc.security.JsonFormatter"}},
    "filters": {"not_security": {"()": "cchc.security.NotSecurityFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["not_security"]},
        "security": (
            {
                "class": "logging.handlers.WatchedFileHandler",
                "filename": SECURITY_LOG_FILE,
                "encoding": "utf-8",
                "formatter": "security_json",
            }
            if SECURITY_LOG_FILE
            else {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "security_json",
            }
        ),
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Propagates (so test tools that listen at the root hear it); only its own handler prints it.
    "loggers": {"cchc.security": {"handlers": ["security"], "level": "INFO"}},
}

# A change's note in a leaf's history names documents, whose names run long: text, not 100 chars.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True


# --- Sign-in: throttling, passwords, sessions (issue 10) -------------------------------------
# Throttling (django-axes): five wrong passwords for one username from one address lock that
# pair for 15 minutes; the same person elsewhere, and other accounts at that address, are not
# affected. Attempts during the lock are refused unchecked and do not extend it, so the time
# left shown is exact. A success clears that pair's count. Locks are listed (and lifted) in
# the Django admin, or lifted with ``manage.py axes_reset_username <name>``. The address is
# REMOTE_ADDR (axes' default): behind a proxy, all users share it, and a lock still needs the
# username too.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "units.signin.lockout_response"
# Sessions end after SESSION_IDLE_MINUTES without a request, and SESSION_HOURS after the
# sign-in whatever the activity (units.middleware.SessionTimeoutMiddleware; the cookie's own
# age, SESSION_COOKIE_AGE above, is the same maximum).
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_MAX_SECONDS = SESSION_COOKIE_AGE
# Messages live in the server-side session, never in a cookie: one of them shows a new
# account's temporary password.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Second factor (issue 10) ----------------------------------------------------------------
# (section B)
# The name an authenticator app shows beside the account (a province may add its own, e.g.
# "Chỉ số CCHC Hà Tĩnh"). Wrong codes make the next try wait 1, 2, 4 … seconds (django-otp's
# throttling, per device), so a six-digit code cannot be guessed in any useful time.
OTP_TOTP_ISSUER = env_str("OTP_ISSUER", "Chỉ số CCHC")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# --- Content-Security-Policy and caching (issue 10) ------------------------------------------
# (section C)
# Only this site's own files run or style a page: no inline script, no inline style, no eval
# (htmx is told so by a meta tag on the page that loads it). Images may be data: URIs, which
# Bootstrap's CSS uses for its icons. Signed-in pages are never stored by a browser or a proxy
# (cchc.headers.NoStoreMiddleware).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Security log (issue 10) -----------------------------------------------------------------
# (section E)
# One JSON object a line on the "cchc.security" logger (see LOGGING and cchc/security.py):
# sign-ins, failures, lockouts, refused requests, imports, exports, account changes.
INSTALLED_APPS += ["cchc.security.SecurityLogConfig"]

# --- E-mail (issue 11) -----------------------------------------------------------------------
# Notifications are mailed through Django's e-mail framework. With EMAIL_HOST set they go out
# over SMTP (STARTTLS on port 587 unless EMAIL_USE_SSL or EMAIL_USE_TLS say otherwise);
# without one, nothing is needed to run the app: `make run` (DEBUG) prints each mail on the
# console, and production writes each as a file under EMAIL_FILE_PATH, where an administrator
# finds it, rather than losing it. EMAIL_BACKEND names any other backend.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", not EMAIL_USE_SSL)
if EMAIL_USE_SSL and EMAIL_USE_TLS:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL: set one of them, not both.")
EMAIL_PORT = env_int("EMAIL_PORT", 465 if EMAIL_USE_SSL else 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
# Mail is sent after the change it reports, in the same request: a mail server that does not
# answer must not hold the page for long.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "sent-mail"))
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.filebased.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Chỉ số CCHC <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in mail are absolute: the address people open the site at (scheme and host, no path).
# Production defaults to https:// and the first host of ALLOWED_HOSTS that names one host.
SITE_URL = env_str("SITE_URL", "").strip().rstrip("/")
if not SITE_URL:
    concrete = [h for h in ALLOWED_HOSTS if "*" not in h and not h.startswith(".")]
    if DEBUG:
        SITE_URL = "http://127.0.0.1:8000"
    elif concrete:
        SITE_URL = f"https://{concrete[0]}"
    else:
        raise ImproperlyConfigured("SITE_URL must be set: ALLOWED_HOSTS names no single host.")
_site = urlsplit(SITE_URL)
if _site.scheme not in ("http", "https") or not _site.netloc or _site.path or _site.query:
    raise ImproperlyConfigured(
        f"SITE_URL={SITE_URL!r}: expected the site's address, e.g. https://cchc.example.gov.vn"
    )

# --- Background tasks (issue 13) -------------------------------------------------------------
# Large exports and imports leave the request and run as tasks (django-tasks, the API Django 6
# adopts, with its database backend): the queue is a table of the app's own database, so one
# server needs no extra service and several app servers share one queue. `manage.py db_worker`
# runs them (`make run` starts one beside the web server). TASKS_BACKEND=immediate runs each
# task inside the request that asks for it (tests, or a machine that cannot run a worker).
INSTALLED_APPS += ["django_tasks", "django_tasks_db"]
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[env_str("TASKS_BACKEND", "database")]
    }
}
