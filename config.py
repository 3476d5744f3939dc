"""Portal configuration. Every value can be overridden by an environment variable."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask_appbuilder.const import AUTH_DB

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", BASE_DIR / "instance"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """SECRET_KEY from the environment, else generated once into instance/ (never committed)."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Heroku-style URLs name the old driver; the portal uses psycopg 3.
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://") :]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return url
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{INSTANCE_DIR / 'portal.db'}"


APP_NAME = "Cổng quản lý đội ngũ nhà giáo"
APP_ICON = ""
APP_THEME = ""

SECRET_KEY = _secret_key()
SQLALCHEMY_DATABASE_URI = _database_url()
SQLALCHEMY_TRACK_MODIFICATIONS = False
SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
MAX_UPLOAD_MB = int(os.environ.get("MAX_UPLOAD_MB", "10"))
# Import caps (xlsx bombs, huge sheets).
IMPORT_MAX_MB = int(os.environ.get("IMPORT_MAX_MB", "20"))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "60000"))
# Request bodies: the largest file a screen accepts (evidence, import), plus 1 MB for the
# rest of the form; larger bodies are refused with 413 before they are read.
MAX_CONTENT_LENGTH = (max(MAX_UPLOAD_MB, IMPORT_MAX_MB) + 1) * 1024 * 1024
# REST API bodies are JSON records of a few kB: 1 MB is plenty.
API_MAX_CONTENT_LENGTH = 1024 * 1024
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD")
PORT = int(os.environ.get("PORT", "5000"))

# Schema is owned by Alembic; permissions and roles are synced by `flask portal sync`.
FAB_CREATE_DB = False
FAB_UPDATE_PERMS = False
FAB_ADD_SECURITY_VIEWS = True
FAB_ADD_SECURITY_API = False
FAB_API_SWAGGER_UI = True
FAB_API_MAX_PAGE_SIZE = 100
# scrypt N=2^15, r=8, p=3: OWASP's equivalent of its N=2^17 minimum at 32 MiB per login
# (reasoning in app/security/passwords.py).
FAB_PASSWORD_HASH_METHOD = os.environ.get("PASSWORD_HASH_METHOD", "scrypt:32768:8:3")
FAB_INDEX_VIEW = "app.views.HomeView"
FAB_SECURITY_MANAGER_CLASS = "app.security.manager.PortalSecurityManager"
FAB_BASE_TEMPLATE = "portal/baselayout.html"

AUTH_TYPE = AUTH_DB
AUTH_USER_REGISTRATION = False  # self-registration would need Google reCAPTCHA
AUTH_ROLE_ADMIN = "Quản trị hệ thống"
AUTH_ROLE_PUBLIC = "Public"

# Vietnamese first; the app catalog (translations/) overrides FAB's.
BABEL_DEFAULT_LOCALE = "vi"
BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
LANGUAGES = {
    "vi": {"flag": "vn", "name": "Tiếng Việt"},
    "en": {"flag": "gb", "name": "English"},
}

# CSRF on every state change (FAB does not install CSRFProtect itself).
WTF_CSRF_ENABLED = True
WTF_CSRF_TIME_LIMIT = None

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _env_bool("HTTPS", False)
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
PERMANENT_SESSION_LIFETIME = timedelta(hours=int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12")))
# Re-send the session cookie only when it changed. Refreshing it on every response let a
# slow static-file response carry an older cookie back over a newer one (losing the CSRF
# token a page had just stored); idle time is tracked inside the session instead.
SESSION_REFRESH_EACH_REQUEST = False
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
PREFERRED_URL_SCHEME = "https" if SESSION_COOKIE_SECURE else "http"

# Login throttling (FAB's limiter needs both flags) and lockout.
RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
AUTH_RATE_LIMITED = RATELIMIT_ENABLED
AUTH_RATE_LIMIT = os.environ.get("AUTH_RATE_LIMIT", "20 per minute")
# memory:// counts per process: with several gunicorn workers or servers use redis://.
RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
AUTH_ACCOUNT_RATE_LIMIT = os.environ.get("AUTH_ACCOUNT_RATE_LIMIT", "10 per minute")
# Number of reverse proxies in front of the app (X-Forwarded-For/-Proto are trusted that deep);
# 0 when the app faces clients directly. Rate limits and audit IPs depend on it.
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))
