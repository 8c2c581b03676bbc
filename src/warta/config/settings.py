"""Warta settings, read from environment variables with safe defaults.

Every setting a deployment may change is a ``WARTA_*`` variable; see docs/configuration.md.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "ya"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("WARTA_DATA_DIR", Path.cwd() / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The configured key, or one generated once and kept in the data dir (never in the repo)."""
    configured = os.environ.get("WARTA_SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("WARTA_DEBUG", False)
ALLOWED_HOSTS = env_list("WARTA_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("WARTA_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
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
    "warta.ui",
    "warta.accounts",
    "warta.audit",
    "warta.sop",
    "warta.workflow",
    "warta.newsroom",
    "warta.notify",
    "warta.site",
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
                "warta.newsroom.context.navigation",
                "warta.workflow.context.deviation_prompt",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite (WAL) under the data dir is the embedded default; PostgreSQL by URL in production.
DEFAULT_SQLITE_URL = f"sqlite:///{DATA_DIR / 'warta.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("WARTA_DATABASE_URL", DEFAULT_SQLITE_URL), conn_max_age=0
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
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
TASKS = {
    "default": {
        "BACKEND": os.environ.get("WARTA_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

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

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
# Uploaded media are private: no URL serves MEDIA_ROOT directly; views check who may see a file.
MEDIA_ROOT = DATA_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
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
if env_bool("WARTA_HTTPS", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("WARTA_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("WARTA_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = False

# --- Warta ----------------------------------------------------------------------------------
WARTA_SITE_URL = os.environ.get("WARTA_SITE_URL", "http://127.0.0.1:8000")
# Deadlines (working time): reminders when these percentages of a step's time standard are used
# up, and escalation one level up this long after the due time.
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
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
