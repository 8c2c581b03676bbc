"""Warta settings, read from environment variables with safe defaults.

Every setting a deployment may change is a ``WARTA_*`` variable; see docs/configuration.md.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from csp import constants as csp_constants
from django.core.exceptions import ImproperlyConfigured

from warta.config import datadir, storage
from warta.media.limits import DEFAULT_MAX_PHOTO_MB, DEFAULT_MAX_VIDEO_MB
from warta.worktime.zone import TIME_ZONE_NAME


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "ya"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent.parent
# Read only: importing the settings creates no directory and writes no file. The `warta` command
# creates the data dir, and `warta setup` (outside production also serve/web/worker) the secret
# key file, before Django starts (warta.config.datadir).
DATA_DIR = datadir.data_dir()
# Production: behind HTTPS (see docs/deployment.md). There a missing secret key is an error.
WARTA_HTTPS = datadir.behind_https()


def _secret_key() -> str:
    """WARTA_SECRET_KEY, else the key kept in the data dir (never in the repository)."""
    key = datadir.configured_secret_key(DATA_DIR)
    if key:
        return key
    if WARTA_HTTPS:
        raise ImproperlyConfigured(
            "Warta has no secret key: set WARTA_SECRET_KEY (a long random value) or run "
            f"`warta setup` to generate {DATA_DIR / datadir.SECRET_KEY_FILE}."
        )
    # A trial or test process started outside `warta setup`/`serve`: a key of its own, so
    # nothing signed by it outlives the process.
    return secrets.token_urlsafe(50)


SECRET_KEY = _secret_key()
DEBUG = env_bool("WARTA_DEBUG", False)
ALLOWED_HOSTS = env_list("WARTA_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("WARTA_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # The Django admin, as Warta's admin site: staff with the second factor, from allowed networks.
    "warta.accounts.apps.WartaAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_tasks",
    "django_tasks_db",
    "django_prose_editor",
    "axes",
    # Object permissions from one policy module (warta.policy); its template tags.
    "rules",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "warta.ui",
    "warta.accounts",
    "warta.audit",
    "warta.sop",
    "warta.worktime",
    "warta.workflow",
    "warta.media",
    "warta.newsroom",
    "warta.publishing",
    "warta.notify",
    "warta.maintenance",
    "warta.site",
    "warta.search",
    "warta.demo",
]

MIDDLEWARE = [
    # Pre-rendered public pages are answered from their files before anything else runs
    # (warta.site.pages; docs/performance.md "Public pages").
    "warta.site.middleware.PublicPagesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Pages answer GET, HEAD and POST only; other methods get 405 before any view runs.
    "warta.ui.methods.PageMethodsMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Indonesian unless chosen otherwise with the ID/EN switch (not from Accept-Language).
    "warta.ui.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle sign-out, the admin's network limit and the second factor on every request (see
    # "Sign-in security" below).
    "warta.accounts.middleware.SignInSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "warta.config.urls"
WSGI_APPLICATION = "warta.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "warta.ui.context.identity",
            ],
        },
    },
]
# Every form field on Warta's pages: `{{ form.x.as_field_group }}` renders ui/field.html.
FORM_RENDERER = "warta.ui.forms.WartaFormRenderer"

# --- Database -------------------------------------------------------------------------------
# SQLite (WAL) under the data dir is the embedded default; PostgreSQL by URL in production.
DEFAULT_SQLITE_URL = f"sqlite:///{DATA_DIR / 'warta.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("WARTA_DATABASE_URL", DEFAULT_SQLITE_URL), conn_max_age=0
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, with the writers of one process queueing for the write lock in turn.
    DATABASES["default"]["ENGINE"] = "warta.config.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE makes every transaction take the write lock at BEGIN, so two concurrent
        # transitions serialise instead of failing with "database is locked" on upgrade.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=20000;"
        ),
    }
    # A file, not the in-memory default: concurrency tests need real WAL locking between threads.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-warta.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background work ------------------------------------------------------------------------
# "media" holds the long work (renditions, video transcoding) so that it never waits in front of
# a deadline alert or a mail; `warta serve` runs one worker per queue.
TASK_QUEUES = ["default", "media"]
TASKS = {
    "default": {
        "BACKEND": os.environ.get("WARTA_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": TASK_QUEUES,
    }
}


def _retention_days(name: str, default: str) -> int:
    """A whole number of days, 0 or more; anything else stops the start with a clear message."""
    raw = os.environ.get(name, default)
    try:
        days = int(raw)
    except ValueError:
        days = -1
    if days < 0:
        raise ImproperlyConfigured(
            f"{name} must be a whole number of days, 0 or more; it is {raw!r}."
        )
    return days


# How long by-products are kept (docs/performance.md, "What is kept and for how long"): sent
# e-mails (the audit trail records each sending); finished task results and, as long, handled
# step alerts (the bookkeeping of finished background work); in-app notifications (0: for
# ever). The worker prunes them every night at 02:00 WIB; `warta prune [--dry-run]` at once.
WARTA_MAIL_RETENTION_DAYS = _retention_days("WARTA_MAIL_RETENTION_DAYS", "30")
WARTA_TASK_RESULT_RETENTION_DAYS = _retention_days("WARTA_TASK_RESULT_RETENTION_DAYS", "7")
WARTA_NOTIFICATION_RETENTION_DAYS = _retention_days("WARTA_NOTIFICATION_RETENTION_DAYS", "365")

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "ui:login"
LOGIN_REDIRECT_URL = "newsroom:inbox"
LOGOUT_REDIRECT_URL = "ui:login"
AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out account or address before the password is checked (django-axes).
    # It needs the request, so Django's test client uses force_login, never login().
    "axes.backends.AxesStandaloneBackend",
    # Who may do what (user.has_perm("…", obj)): the predicates in warta.policy.
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- Sign-in security -----------------------------------------------------------------------
# docs/security.md explains each of these. Addresses: comma-separated IPs or CIDR networks.
# Proxies whose X-Forwarded-For is believed (nginx in front of Warta, e.g. 127.0.0.1).
WARTA_TRUSTED_PROXIES = env_list("WARTA_TRUSTED_PROXIES")
# The Django admin answers only from these networks (empty: from anywhere).
WARTA_ADMIN_NETWORKS = env_list("WARTA_ADMIN_NETWORKS")
# SOP role codes whose holders (and Plh) must use a second factor, like administrators do.
WARTA_OTP_REQUIRED_ROLES = env_list("WARTA_OTP_REQUIRED_ROLES")
# Signed out after this many minutes without activity (shared office PCs). The requests of
# these URL names (periodic polls) are not activity.
WARTA_SESSION_IDLE_MINUTES = int(os.environ.get("WARTA_SESSION_IDLE_MINUTES", "30"))
WARTA_SESSION_PASSIVE_VIEWS = ["notify:count"]
SESSION_COOKIE_AGE = 12 * 60 * 60  # at most a long working day, however active
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Lockout (django-axes): after this many failed sign-ins to one account, or from one address
# (higher: a whole office may share one address), sign-in is refused for the cool-off time.
AXES_FAILURE_LIMIT = int(os.environ.get("WARTA_LOGIN_FAILURE_LIMIT", "5"))
WARTA_LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("WARTA_LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = int(os.environ.get("WARTA_LOGIN_LOCKOUT_MINUTES", "15")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_HANDLER = "warta.accounts.auth.SignInAttemptHandler"
AXES_CLIENT_IP_CALLABLE = "warta.accounts.client.client_ip"
AXES_LOCKOUT_CALLABLE = "warta.accounts.auth.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False
OTP_TOTP_ISSUER = "Warta"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = TIME_ZONE_NAME
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / datadir.STATIC_DIR
MEDIA_URL = "/media/"
# Uploaded media are private: no URL serves MEDIA_ROOT directly; views check who may see a file.
MEDIA_ROOT = DATA_DIR / "media"
# Files above 5 MB are streamed to a temporary file, not held in memory. The form fields besides
# the files may total 10 MB. Each file's own limit is a media setting (below); the web server's
# limit for a whole request body in warta.serve (docs/deployment.md).
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Media limits (docs/media.md). Photos and videos are checked by their content against these.
WARTA_MEDIA_MAX_PHOTO_MB = int(os.environ.get("WARTA_MEDIA_MAX_PHOTO_MB", DEFAULT_MAX_PHOTO_MB))
WARTA_MEDIA_MAX_VIDEO_MB = int(os.environ.get("WARTA_MEDIA_MAX_VIDEO_MB", DEFAULT_MAX_VIDEO_MB))
# Refused by the size a photo's header declares, before any pixel is decoded.
WARTA_MEDIA_MAX_MEGAPIXELS = int(os.environ.get("WARTA_MEDIA_MAX_MEGAPIXELS", "100"))
# Resumable uploads: where their parts wait (a local folder whatever the storage), and how long
# an unfinished one is kept before it is deleted.
WARTA_UPLOAD_DIR = Path(os.environ.get("WARTA_UPLOAD_DIR", str(DATA_DIR / "uploads")))
WARTA_UPLOAD_EXPIRE_HOURS = float(os.environ.get("WARTA_UPLOAD_EXPIRE_HOURS", "24"))
# The most one request of a resumable upload may carry (the browser sends 5 MB chunks).
WARTA_UPLOAD_CHUNK_MB = int(os.environ.get("WARTA_UPLOAD_CHUNK_MB", "8"))
# Written into the public renditions' XMP as dc:rights (empty: nothing is written).
WARTA_MEDIA_RIGHTS = os.environ.get("WARTA_MEDIA_RIGHTS", "")
# Media on local disk, or in an S3-compatible bucket with WARTA_S3_BUCKET (config/storage.py;
# docs/deployment.md "Media files"): how files leave local storage (WARTA_MEDIA_ACCEL: through
# Python, nginx's X-Accel-Redirect or X-Sendfile) and how long a signed URL stays valid.
_media = storage.media_settings_from_env(os.environ)
WARTA_MEDIA_ACCEL = _media["WARTA_MEDIA_ACCEL"]
WARTA_MEDIA_ACCEL_PREFIX = _media["WARTA_MEDIA_ACCEL_PREFIX"]
WARTA_MEDIA_URL_SECONDS = _media["WARTA_MEDIA_URL_SECONDS"]
STORAGES = {
    **storage.storages_from_env(os.environ),
    # Pre-rendered public pages (warta.site.pages), served by Warta's first middleware or nginx.
    "public_pages": storage.public_pages_storage(os.environ, DATA_DIR),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Security -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
if WARTA_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("WARTA_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("WARTA_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading binds every subdomain of the institution's domain to HTTPS in browsers for
    # months and is hard to undo: the domain's owner opts in with WARTA_HSTS_PRELOAD=true.
    # Until then `check --deploy` is told this is deliberate (security.W021).
    SECURE_HSTS_PRELOAD = env_bool("WARTA_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- Content-Security-Policy ----------------------------------------------------------------
# On every response (django-csp). Scripts and styles come only from Warta's own static files:
# no inline script, style or event handler anywhere, so no 'unsafe-inline'. The one inline
# script a page may carry is the rich-text editor's import map, which gets this response's
# nonce (the nonce appears in the header only on pages that render one). The editor (Tiptap)
# also injects one fixed <style> of ProseMirror's base rules: it is allowed by its hash, which
# tests/test_csp.py recomputes from the installed django-prose-editor. WARTA_MEDIA_HOST names
# an object-storage host that serves media directly, e.g. https://media.example.go.id.
PROSE_EDITOR_STYLE_HASH = "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"
WARTA_MEDIA_HOST = os.environ.get("WARTA_MEDIA_HOST", "").strip().rstrip("/")
_CSP_MEDIA = ["'self'", *([WARTA_MEDIA_HOST] if WARTA_MEDIA_HOST else [])]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", csp_constants.NONCE],
        "style-src": ["'self'", PROSE_EDITOR_STYLE_HASH],
        "img-src": [*_CSP_MEDIA, "data:"],
        "media-src": _CSP_MEDIA,
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}

# --- Warta ----------------------------------------------------------------------------------
# Where `warta serve` listens (its --host/--port override these for the processes it starts).
WARTA_HOST = os.environ.get("WARTA_HOST", "127.0.0.1")
WARTA_PORT = int(os.environ.get("WARTA_PORT", "8000"))


def site_url_for(host: str, port: int) -> str:
    """The address of a server listening on ``host``:``port``, for links when none is set."""
    host = host.strip().strip("[]")
    if host in {"", "0.0.0.0", "::"}:  # every interface: the machine itself is one of them
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}" + ("" if port == 80 else f":{port}")


# The public address used in e-mail links and stored website URLs; set it in production.
WARTA_SITE_URL = os.environ.get("WARTA_SITE_URL") or site_url_for(WARTA_HOST, WARTA_PORT)
# Deadlines (working time): reminders when these percentages of a step's time standard are used
# up, and escalation one level up this long after the due time.
# The code of the SOP new news items run under, when more than one active SOP starts with
# writing a news item (``uses: newsroom.edit`` on its first step); empty: the only such SOP.
WARTA_NEWSROOM_SOP = os.environ.get("WARTA_NEWSROOM_SOP", "").strip()
WARTA_REMINDER_PERCENTS = os.environ.get("WARTA_REMINDER_PERCENTS", "50,90")
WARTA_ESCALATE_AFTER = os.environ.get("WARTA_ESCALATE_AFTER", "1h")
# The institution's identity on the public website and in feeds.
WARTA_INSTITUTION_NAME = os.environ.get("WARTA_INSTITUTION_NAME", "Politeknik Imigrasi")
WARTA_INSTITUTION_PARENT = os.environ.get(
    "WARTA_INSTITUTION_PARENT", "Kementerian Hukum dan Hak Asasi Manusia Republik Indonesia"
)
WARTA_SITE_DESCRIPTION = os.environ.get(
    "WARTA_SITE_DESCRIPTION", "Berita dan informasi kegiatan resmi Politeknik Imigrasi."
)
WARTA_TWITTER_SITE = os.environ.get("WARTA_TWITTER_SITE", "")  # e.g. @poltekim
# The most articles one sitemap part lists (the protocol allows 50,000; warta.site.sitemaps).
WARTA_SITEMAP_PART_SIZE = int(os.environ.get("WARTA_SITEMAP_PART_SIZE", "5000"))

# --- E-mail ---------------------------------------------------------------------------------
# Sent by the task worker from the notify outbox; a transition never waits for the mail server.
EMAIL_BACKEND = os.environ.get(
    "WARTA_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("WARTA_EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("WARTA_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("WARTA_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("WARTA_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("WARTA_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("WARTA_EMAIL_STARTTLS", False)
EMAIL_USE_SSL = env_bool("WARTA_EMAIL_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("WARTA_EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("WARTA_EMAIL_FROM", "Warta <warta@localhost>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("WARTA_LOG_LEVEL", "INFO")},
    # libvips reports every step it takes at INFO.
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "pyvips": {"level": "WARNING"},
        # httpx logs every request URL at INFO; some platform URLs carry tokens.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}

# --- Publishing channels (docs/channels.md) ------------------------------------------------
# Fernet keys for the channel accounts' credentials, newest first (comma-separated); empty: a
# key derived from SECRET_KEY (trials only).
WARTA_CHANNEL_KEYS = env_list("WARTA_CHANNEL_KEY")
# How long one publishing attempt may run before it counts as interrupted (the worker died):
# then the record goes to "needs checking" and Warta asks the platform before sending again.
WARTA_PUBLISH_LEASE_SECONDS = int(os.environ.get("WARTA_PUBLISH_LEASE_SECONDS", "900"))
# Retries of a failure that sent nothing: the first after this many seconds, doubling each time
# up to an hour, at most WARTA_PUBLISH_MAX_ATTEMPTS attempts in all.
WARTA_PUBLISH_RETRY_SECONDS = float(os.environ.get("WARTA_PUBLISH_RETRY_SECONDS", "30"))
WARTA_PUBLISH_MAX_ATTEMPTS = int(os.environ.get("WARTA_PUBLISH_MAX_ATTEMPTS", "8"))
# Seconds one request to a platform may take.
WARTA_PUBLISH_TIMEOUT = float(os.environ.get("WARTA_PUBLISH_TIMEOUT", "60"))
# Warn this many days before a channel account's token expires.
WARTA_TOKEN_WARNING_DAYS = int(os.environ.get("WARTA_TOKEN_WARNING_DAYS", "14"))
