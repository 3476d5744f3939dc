"""Account views: login (hardened), own password change, and the audit log.

- `AuthDBView` replaces FAB's: a Vietnamese message that is the same for every failure,
  a fresh session on login, `next` limited to paths of this app, logout (a CSRF-checked
  POST) ending sessions.
- `ResetMyPasswordView` replaces FAB's: asks for the current password (ASVS 6.2.3) and
  applies the portal's password policy; the page an account with must_change_password
  is sent to. Same class names as FAB's, so FAB's endpoints and permissions stay valid.
- `AuditLogView`: read-only, scoped list of the audit log (filters: user, unit, table,
  action, date). `audit_for(table, id)` + the `security/_audit.html` macro show the
  history of one record on that record's page.
"""

from __future__ import annotations

import json
import re
import unicodedata
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, request, session
from flask_appbuilder import AppBuilder, SimpleFormView, expose
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.security.decorators import no_cache
from flask_appbuilder.security.forms import LoginForm_db
from flask_appbuilder.security.views import AuthDBView as FabAuthDBView
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_user
from markupsafe import Markup, escape
from werkzeug.security import check_password_hash
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, ValidationError

from app.security import roles
from app.security.audit import audit_for  # noqa: F401  (re-exported for record pages)
from app.security.audit_models import AuditLog
from app.security.hardening import STAMP_KEY, end_session, start_session
from app.security.passwords import hash_password, policy_errors
from app.security.scoped_views import ScopedModelView

AUDIT_PERMISSION_VIEW = "AuditLog"
AUDIT_MENU = "AuditLog"
SECURITY_MENU = "Security"

ACTION_LABELS = {
    "create": _l("Thêm mới"),
    "update": _l("Sửa"),
    "delete": _l("Xóa"),
    "login": _l("Đăng nhập"),
    "login_failed": _l("Đăng nhập thất bại"),
    "lockout": _l("Tạm khóa tài khoản"),
    "logout": _l("Đăng xuất"),
    "password_change": _l("Đổi mật khẩu"),
    "role_change": _l("Đổi vai trò, quyền"),
    "account_create": _l("Tạo tài khoản"),
    "account_reset": _l("Đặt lại mật khẩu"),
    "account_disable": _l("Khóa tài khoản"),
    "account_bulk_create": _l("Tạo tài khoản hàng loạt"),
}


# -- redirects -----------------------------------------------------------------------------
def safe_next_url(url: str | None) -> str:
    """Only a path of this app (`/...`); anything else, e.g. `//evil.example`, goes home."""
    index = current_app.appbuilder.get_url_for_index
    if not url or not isinstance(url, str):
        return index
    if any(unicodedata.category(ch)[0] in "CZ" for ch in url) or "\\" in url:
        return index
    if not url.startswith("/") or url.startswith("//"):
        return index
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return index
    return url


# -- login ---------------------------------------------------------------------------------
def login_failed_message() -> str:
    config = current_app.config
    return _(
        "Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đang tạm khóa. "
        "Sau %(n)d lần nhập sai liên tiếp, tài khoản bị tạm khóa %(m)d phút.",
        n=int(config.get("LOGIN_MAX_FAILURES", 5)),
        m=int(config.get("LOGIN_LOCKOUT_MINUTES", 15)),
    )


class AuthDBView(FabAuthDBView):
    title = _l("Đăng nhập")
    invalid_login_message = _l("Tên đăng nhập hoặc mật khẩu không đúng.")

    @expose("/login/", methods=["GET", "POST"])
    @no_cache
    def login(self):
        next_url = safe_next_url(request.args.get("next"))
        if g.user is not None and g.user.is_authenticated:
            return redirect(next_url)
        form = LoginForm_db()
        if form.validate_on_submit():
            user = self.appbuilder.sm.auth_user_db(form.username.data, form.password.data)
            if not user:
                flash(login_failed_message(), "warning")
                return redirect(self.appbuilder.get_url_for_login_with(next_url))
            start_session(user)  # nothing of the pre-login session survives
            login_user(user, remember=False)
            return redirect(next_url)
        return self.render_template(
            self.login_template, title=self.title, form=form, appbuilder=self.appbuilder
        )

    @expose("/logout/", methods=["GET", "POST"])
    @no_cache
    def logout(self):
        """POST with csrf_token logs out (the user menu's button). A GET only asks: a link or
        an image on another site must not end the session (cross-site logout)."""
        user = self._get_authenticated_user()
        if request.method == "GET":
            if user is None:
                return redirect(self.appbuilder.get_url_for_login)
            return self.render_template(
                "security/logout.html", title=_("Đăng xuất"), appbuilder=self.appbuilder
            )
        end_session()
        if user is not None:
            self.appbuilder.sm.on_user_logout(user)
        return redirect(
            current_app.config.get("LOGOUT_REDIRECT_URL", self.appbuilder.get_url_for_index)
        )


# -- own password --------------------------------------------------------------------------
class ChangePasswordForm(DynamicForm):
    current_password = PasswordField(
        _l("Mật khẩu hiện tại"), validators=[DataRequired()], widget=BS3PasswordFieldWidget()
    )
    password = PasswordField(
        _l("Mật khẩu mới"),
        description=_l(
            "Ít nhất 8 ký tự, tối đa 128; nên dùng một cụm từ dễ nhớ. "
            "Không dùng mật khẩu phổ biến hoặc trùng tên đăng nhập."
        ),
        validators=[DataRequired()],
        widget=BS3PasswordFieldWidget(),
    )
    conf_password = PasswordField(
        _l("Nhập lại mật khẩu mới"),
        validators=[EqualTo("password", message=_l("Hai mật khẩu mới không khớp."))],
        widget=BS3PasswordFieldWidget(),
    )

    def validate_current_password(self, field) -> None:
        user = g.user
        if not user or not user.password or not check_password_hash(user.password, field.data):
            raise ValidationError(_("Mật khẩu hiện tại không đúng."))

    def validate_password(self, field) -> None:
        errors = policy_errors(field.data, getattr(g.user, "username", None))
        if field.data and self.current_password.data == field.data:
            errors.append(_("Mật khẩu mới phải khác mật khẩu hiện tại."))
        if errors:
            raise ValidationError(" ".join(errors))


class ResetMyPasswordView(SimpleFormView):
    """Change one's own password (also the forced change after a reset)."""

    route_base = "/resetmypassword"
    form = ChangePasswordForm
    form_title = _l("Đổi mật khẩu")
    redirect_url = "/"
    message = _l("Đã đổi mật khẩu. Các phiên đăng nhập khác của tài khoản đã kết thúc.")

    def form_get(self, form) -> None:
        if getattr(g.user, "must_change_password", False):
            flash(_("Bạn cần đổi mật khẩu trước khi tiếp tục sử dụng hệ thống."), "warning")

    def form_post(self, form):
        sm = self.appbuilder.sm
        user = sm.get_user_by_id(g.user.id)
        user.password = hash_password(form.password.data)  # rotates the session stamp
        user.must_change_password = False
        sm.session.commit()
        session[STAMP_KEY] = user.session_stamp  # this browser stays signed in
        flash(str(self.message), "info")
        return redirect(self.appbuilder.get_url_for_index)


# -- audit log -----------------------------------------------------------------------------
def format_audit_time(value) -> str:
    return format_datetime(value, "dd/MM/yyyy HH:mm:ss") if value else ""


def format_audit_action(value) -> str:
    return str(ACTION_LABELS.get(value, value or ""))


def _format_changes(value) -> Markup:
    try:
        changes = json.loads(value or "{}")
    except ValueError:
        return Markup(escape(value))
    if not changes:
        return Markup("")
    rows = []
    for field, pair in sorted(changes.items()):
        if isinstance(pair, list) and len(pair) == 2:
            before, after = pair
        else:
            before, after = "", pair
        rows.append(
            Markup("<tr><td>{}</td><td>{}</td><td>{}</td></tr>").format(
                field, _plain(before), _plain(after)
            )
        )
    head = Markup("<tr><th>{}</th><th>{}</th><th>{}</th></tr>").format(
        _("Trường dữ liệu"), _("Trước"), _("Sau")
    )
    return Markup('<table class="table table-condensed">{}{}</table>').format(
        head, Markup("").join(rows)
    )


_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _plain(value) -> str:
    """An audited value as people read it: dates dd/MM/yyyy, Có/Không, empty for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_l("Có")) if value else str(_l("Không"))
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    match = _ISO_DATE.match(str(value))
    if match:
        year, month, day = match.groups()
        return f"{day}/{month}/{year}"
    return str(value)


AUDIT_LABELS = {
    "at": _l("Thời điểm"),
    "username": _l("Tài khoản"),
    "user_id": _l("Mã tài khoản"),
    "unit": _l("Đơn vị"),
    "action": _l("Thao tác"),
    "table_name": _l("Bảng dữ liệu"),
    "row_id": _l("Mã bản ghi"),
    "changes": _l("Thay đổi (trước → sau)"),
    "ip": _l("Địa chỉ IP"),
}


class AuditLogView(ScopedModelView):
    """Nhật ký hệ thống: chỉ xem, trong phạm vi đơn vị của người xem."""

    model = AuditLog
    class_permission_name = AUDIT_PERMISSION_VIEW
    base_permissions = ["can_list", "can_show"]
    list_title = _l("Nhật ký hệ thống")
    show_title = _l("Chi tiết nhật ký")
    label_columns = AUDIT_LABELS
    list_columns = ["at", "username", "unit", "action", "table_name", "row_id", "ip"]
    show_columns = [
        "at",
        "username",
        "user_id",
        "unit",
        "action",
        "table_name",
        "row_id",
        "ip",
        "changes",
    ]
    search_columns = ["username", "unit", "table_name", "action", "at"]
    order_columns = ["at", "username", "action", "table_name"]
    base_order = ("at", "desc")
    formatters_columns = {
        "at": format_audit_time,
        "action": format_audit_action,
        "changes": _format_changes,
    }

    def __init__(self, **kwargs) -> None:
        from app.forms import ScopedRelationField
        from app.org.models import Unit

        self.search_form_extra_fields = {
            "unit": ScopedRelationField(AUDIT_LABELS["unit"], model=Unit, lookup_kind="unit"),
        }
        super().__init__(**kwargs)


# Unit administrators see the log of their subtree; the system admin role gets every view.
for _role in (roles.CHUYEN_VIEN_SO, roles.NHAN_SU):
    roles.extend(
        _role,
        {AUDIT_PERMISSION_VIEW: {"can_list", "can_show"}},
        menus=[SECURITY_MENU, AUDIT_MENU],
    )


def register(appbuilder: AppBuilder) -> None:
    from app.security import account_admin

    account_admin.register(appbuilder)
    appbuilder.add_view(
        AuditLogView,
        AUDIT_MENU,
        label=_l("Nhật ký hệ thống"),
        icon="fa-history",
        category=SECURITY_MENU,
        category_label=_l("Quản trị"),
        category_icon="fa-cogs",
    )
