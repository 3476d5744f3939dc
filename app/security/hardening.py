"""Security headers and session hardening on top of FAB (OWASP ASVS 5.0 level 2).

Headers (every response):
- Content-Security-Policy: scripts only from the app itself or an inline block carrying
  this request's nonce. FAB 5.3's templates mark their inline <script> blocks with
  `nonce="{{ baselib.get_nonce() }}"`, which calls `csp_nonce()` when Jinja defines it:
  `init_app` makes it a Jinja global (one random nonce per request). `frame-ancestors 'none'`.
- X-Content-Type-Options: nosniff; Referrer-Policy: same-origin; X-Frame-Options: DENY.
- Strict-Transport-Security when the app is configured for HTTPS (HTTPS=1 sets
  SESSION_COOKIE_SECURE) or the request arrived over HTTPS.
- Cache-Control: no-store on every dynamic page and API answer (they carry personal data);
  static files keep their normal caching.

Sessions (every request of a signed-in browser session):
- the session must carry the account's current `session_stamp`; logout, a password
  change and disabling the account change the stamp, so older cookies stop working;
- idle timeout SESSION_IDLE_MINUTES since the last request, absolute timeout
  PERMANENT_SESSION_LIFETIME since the login;
- an account with must_change_password only reaches the password-change page (and logout).
"""

from __future__ import annotations

import secrets
import time

from flask import (
    Flask,
    Response,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, logout_user

# Session keys set at login (see PortalAuthDBView.login).
STAMP_KEY = "_portal_stamp"
LOGIN_AT_KEY = "_portal_login_at"
SEEN_KEY = "_portal_seen"
SESSION_KEYS = (STAMP_KEY, LOGIN_AT_KEY, SEEN_KEY)
# Flask-Login's own key: present only for browser sessions, not for JWT API calls.
USER_ID_KEY = "_user_id"
PASSWORD_ENDPOINT = "ResetMyPasswordView.this_form_get"
# Endpoints a user who must change the password can still reach.
ALLOWED_WHILE_CHANGING = frozenset(
    {
        "ResetMyPasswordView.this_form_get",
        "ResetMyPasswordView.this_form_post",
        "AuthDBView.logout",
        "AuthDBView.login",
        "LocaleView.index",
        "static",
        "appbuilder.static",
    }
)


def csp_nonce() -> str:
    nonce = g.get("csp_nonce")
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(16)
    return nonce


def _https() -> bool:
    return bool(current_app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


def _is_static() -> bool:
    return request.endpoint in ("static", "appbuilder.static") or request.path.startswith(
        "/static/"
    )


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        f"script-src 'self' 'nonce-{csp_nonce()}'; font-src 'self' data:; connect-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'",
    )
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if _https():
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if not _is_static():
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
        headers.add("Vary", "Cookie")
    return response


# -- sessions ------------------------------------------------------------------------------
def start_session(user) -> None:
    """A fresh session for a new login: nothing of the anonymous session survives but the locale."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    now = int(time.time())
    session[STAMP_KEY] = user.session_stamp
    session[LOGIN_AT_KEY] = now
    session[SEEN_KEY] = now
    session.permanent = True  # cookie lifetime = PERMANENT_SESSION_LIFETIME


def end_session() -> None:
    locale = session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale


def _expired(now: int) -> bool:
    idle = int(current_app.config.get("SESSION_IDLE_MINUTES", 30)) * 60
    absolute = current_app.permanent_session_lifetime.total_seconds()
    seen = session.get(SEEN_KEY)
    login_at = session.get(LOGIN_AT_KEY)
    if not isinstance(seen, int) or not isinstance(login_at, int):
        return True
    return now - seen > idle or now - login_at > absolute


def _refuse_session():
    end_session()
    if request.path.startswith("/api/"):
        return jsonify({"message": _("Phiên làm việc đã hết hạn. Hãy đăng nhập lại.")}), 401
    flash(_("Phiên làm việc đã kết thúc. Hãy đăng nhập lại."), "warning")
    return redirect(url_for("AuthDBView.login"))


def _check_session():
    from app.security.audit import set_actor

    if _is_static() or USER_ID_KEY not in session:
        return None
    user = current_user._get_current_object()
    if user is None or not getattr(user, "is_authenticated", False):
        # Unknown or disabled account (FAB's loader refuses inactive users).
        return _refuse_session()
    now = int(time.time())
    stamp = session.get(STAMP_KEY)
    if not stamp or stamp != user.session_stamp or _expired(now):
        return _refuse_session()
    if now - session.get(SEEN_KEY, 0) >= 30:  # avoid re-sending the cookie on every request
        session[SEEN_KEY] = now
    set_actor(user)
    if user.must_change_password and request.endpoint not in ALLOWED_WHILE_CHANGING:
        if request.path.startswith("/api/"):
            return jsonify({"message": _("Bạn cần đổi mật khẩu trước khi tiếp tục.")}), 403
        return redirect(url_for(PASSWORD_ENDPOINT))
    return None


def init_app(app: Flask) -> None:
    app.before_request(_check_session)
    app.after_request(_security_headers)
    # A Jinja global, not a context processor: FAB's baselib macros are imported without
    # context, so only globals are visible to `get_nonce()`.
    app.jinja_env.globals["csp_nonce"] = csp_nonce
