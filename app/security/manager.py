"""FAB security manager of the portal: login throttling, lockout, sessions, password policy.

Login (AUTH_DB, both the /login/ form and POST /api/v1/security/login):
- Rate limits (Flask-Limiter, RATELIMIT_ENABLED + AUTH_RATE_LIMITED): AUTH_RATE_LIMIT per
  client IP and AUTH_ACCOUNT_RATE_LIMIT per submitted username, on POST. Storage is
  RATELIMIT_STORAGE_URI: `memory://` is per process, so with several app servers (or
  gunicorn workers) use a shared store, e.g. `redis://redis:6379/0`. Behind a reverse
  proxy, wrap the app in werkzeug's ProxyFix so the client IP is the real one.
- Lockout: LOGIN_MAX_FAILURES consecutive wrong passwords lock the account for
  LOGIN_LOCKOUT_MINUTES (`locked_until`); a successful login resets the counter.
- No user enumeration: an unknown user, a wrong password, a disabled and a locked account
  all get the same message and redirect, and the same work (one password-hash check of the
  configured cost, a user lookup by name and by e-mail, one audit row and a commit).
- Every attempt is audited (login, login_failed with the reason, lockout, logout).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from flask import current_app, request
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.utils import is_null_password
from werkzeug.security import check_password_hash

from app.security import audit, passwords
from app.security.account_admin import (
    PortalRoleModelView,
    PortalUserDBModelView,
    PortalUserInterface,
    ResetPasswordView,
)
from app.security.account_views import AuthDBView, ResetMyPasswordView
from app.security.audit_models import utcnow
from app.security.models import PortalUser
from app.security.permission_cache import PermissionCacheMixin

DEFAULT_ACCOUNT_RATE_LIMIT = "10 per minute"


def _submitted_username() -> str:
    name = request.form.get("username")
    if name is None and request.is_json:
        body = request.get_json(silent=True) or {}
        name = body.get("username") if isinstance(body, dict) else None
    return str(name or "").strip().casefold()


def account_rate_key() -> str:
    """Flask-Limiter key: the submitted username (hashed), else the client IP."""
    name = _submitted_username()
    if not name:
        return f"ip:{request.remote_addr}"
    return "account:" + hashlib.sha256(name.encode()).hexdigest()[:32]


class PortalSecurityManager(PermissionCacheMixin, SecurityManager):
    user_model = PortalUser
    # FAB's user-statistics chart loads Google Charts from the internet: not in a closed network.
    userstatschartview = None
    authdbview = AuthDBView
    resetmypasswordview = ResetMyPasswordView
    # Accounts and roles (app.security.account_admin): scoped user views, a Vietnamese
    # role view, and FAB's admin reset replaced by a scoped one with a random password.
    userdbmodelview = PortalUserDBModelView
    rolemodelview = PortalRoleModelView
    resetpasswordview = ResetPasswordView

    def __init__(self, appbuilder) -> None:
        super().__init__(appbuilder)
        # FAB gives its user views a plain SQLAInterface: accounts follow the unit scope.
        self.userdbmodelview.datamodel = PortalUserInterface(self.user_model)
        config = current_app.config
        config.setdefault("AUTH_ACCOUNT_RATE_LIMIT", DEFAULT_ACCOUNT_RATE_LIMIT)
        config.setdefault("LOGIN_MAX_FAILURES", 5)
        config.setdefault("LOGIN_LOCKOUT_MINUTES", 15)
        # The portal's own password policy on FAB's forms too (no composition rules).
        config.setdefault("FAB_PASSWORD_COMPLEXITY_ENABLED", True)
        config.setdefault("FAB_PASSWORD_COMPLEXITY_VALIDATOR", passwords.fab_password_validator)
        # A bare "scrypt" means FAB's N=2^15 r=8 p=1: use the documented cost instead.
        if config.get("FAB_PASSWORD_HASH_METHOD", "scrypt") == "scrypt":
            config["FAB_PASSWORD_HASH_METHOD"] = passwords.PASSWORD_HASH_METHOD

    # -- throttling -------------------------------------------------------------------------
    def register_views(self) -> None:
        super().register_views()
        if not self.is_auth_limited:
            return
        from flask_appbuilder.security.api import SecurityApi

        account_limit = current_app.config["AUTH_ACCOUNT_RATE_LIMIT"]
        blueprints = [self.auth_view.blueprint] if self.auth_view is not None else []
        for view in self.appbuilder.baseviews:
            if isinstance(view, SecurityApi) and view.blueprint is not None:
                # FAB leaves the API login unthrottled: give it the same per-IP limit.
                self.limiter.limit(self.auth_rate_limit, methods=["POST"])(view.blueprint)
                blueprints.append(view.blueprint)
        for blueprint in blueprints:
            self.limiter.limit(account_limit, key_func=account_rate_key, methods=["POST"])(
                blueprint
            )

    # -- authentication ---------------------------------------------------------------------
    def _refuse(self, password: str | None, username: str, user=None, reason: str = "") -> None:
        """A failed attempt that never reached the real hash: same cost as one that did."""
        passwords.dummy_check(password)
        audit.record("login_failed", user=user, username=username, changes={"reason": reason})
        self.session.commit()
        return None

    def auth_user_db(self, username, password):
        username = str(username or "").strip()[:128]
        if not username:
            passwords.dummy_check(password)
            return None
        user = self.find_user(username=username)
        by_email = self.find_user(email=username)  # always both look-ups: same work
        user = user or by_email
        now = utcnow()
        if user is None:
            return self._refuse(password, username, reason="unknown_user")
        _ = user.id  # load the row before the audit helper reads it
        if not user.is_active:
            return self._refuse(password, username, user, "disabled")
        if user.locked_until is not None and user.locked_until > now:
            return self._refuse(password, username, user, "locked")
        if is_null_password(password):
            return self._refuse(password, username, user, "empty_password")
        if not user.password or not check_password_hash(user.password, password):
            self._count_failure(user, username, now)
            return None
        self._record_success(user, password, now)
        return user

    def _count_failure(self, user: PortalUser, username: str, now: dt.datetime) -> None:
        config = current_app.config
        user.fail_login_count = (user.fail_login_count or 0) + 1
        audit.record("login_failed", user=user, username=username, changes={"reason": "password"})
        if user.fail_login_count >= int(config["LOGIN_MAX_FAILURES"]):
            user.locked_until = now + dt.timedelta(minutes=int(config["LOGIN_LOCKOUT_MINUTES"]))
            user.fail_login_count = 0
            audit.record(
                "lockout",
                user=user,
                changes={"locked_until": user.locked_until.isoformat(timespec="seconds")},
            )
        self.session.commit()
        self.on_user_login_failed(user)

    def _record_success(self, user: PortalUser, password: str, now: dt.datetime) -> None:
        user.fail_login_count = 0
        user.locked_until = None
        user.login_count = (user.login_count or 0) + 1
        user.last_login = dt.datetime.now()
        stamp = user.session_stamp
        if passwords.needs_rehash(user.password):
            user.password = passwords.hash_password(password)  # upgrade the stored cost
            user.session_stamp = stamp  # ... without ending the user's other sessions
        if not user.session_stamp:
            user.rotate_session_stamp()
        audit.record("login", user=user)
        self.session.commit()
        self.on_user_login(user)

    def on_user_logout(self, user) -> None:
        # Logging out ends every session of the account: a copied cookie stops working.
        user.rotate_session_stamp()
        audit.record("logout", user=user)
        self.session.commit()

    # -- passwords --------------------------------------------------------------------------
    def reset_password(self, userid, password) -> None:
        """Own change or an administrator's reset; a reset forces a change at next login."""
        from flask_login import current_user

        user = self.get_user_by_id(int(userid))
        user.password = passwords.hash_password(password)  # also rotates the session stamp
        acting_id = getattr(current_user, "id", None) if current_user else None
        user.must_change_password = acting_id != user.id
        self.update_user(user)
