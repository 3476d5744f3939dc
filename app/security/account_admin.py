"""Account administration: scoped accounts, assignable roles, bulk creation, resets, roles UI.

Who manages accounts
--------------------
Accounts (`PortalUser`, ``__scope__ = "unit"``) go through the one scope mechanism: FAB's
user views use `ScopedInterface`, so list, show, edit, the single-row actions and the
admin reset only ever reach accounts whose unit lies in the admin's subtree; any other
account answers 404, exactly like one that does not exist.

Inside the scope, an admin manages an account only when every role it holds is one the
admin may assign (otherwise 403), and may only assign these roles:

=============================  ========================================================
admin's role                   may assign
=============================  ========================================================
Quản trị hệ thống              every role (catalogue and roles created in the UI)
Chuyên viên Sở                 every catalogue role of scope 'unit' or 'self', inside
                               its province: Lãnh đạo Sở, Chuyên viên Sở, Chuyên viên
                               xã/phường, Hiệu trưởng, Tổ trưởng chuyên môn, Cán bộ
                               nhân sự trường, Giáo viên, Nhân viên (never Quản trị hệ
                               thống or Lãnh đạo Bộ, whose scope is the whole country)
Cán bộ nhân sự trường          Giáo viên, Nhân viên, Tổ trưởng chuyên môn (school)
=============================  ========================================================

So a school's HR officer cannot touch the principal's account or its own, and creates
accounts only for the teachers and staff of the school; the principal's account is made
by the Sở (or by a bulk run of the Sở).

Rules for every account (`check_account`): a unit inside the admin's scope; at least one
role, all assignable; a linked personnel record of the same unit, which no other account
uses; and every catalogue role placed where the catalogue allows
(`app.security.role_rules.role_placement_problem`):

=============================  ========================================================
role                           unit kind; linked record
=============================  ========================================================
Quản trị hệ thống              any unit
Lãnh đạo Bộ                    the ministry (Bộ GD&ĐT)
Lãnh đạo Sở, Chuyên viên Sở    a Sở GD&ĐT
Chuyên viên xã/phường          a commune office (or a legacy Phòng GD&ĐT)
Hiệu trưởng                    a school; record of a principal or vice-principal there
Tổ trưởng chuyên môn           a school; record of a teacher there
Giáo viên, Nhân viên           a school; a record there
Cán bộ nhân sự trường          a school
=============================  ========================================================

So a Chuyên viên Sở cannot hang a «Lãnh đạo Sở» on a school to let it evaluate there; the
evaluation and training services also refuse rights to a role placed wrongly before.

Passwords
---------
Admin-created accounts, admin resets and bulk runs get a random password
(`random_password`: 14 characters from 55 unambiguous letters and digits, about 80 bits,
checked against the password policy) that is shown once (on screen, or in the bulk run's
Excel sheet, which is the answer to the POST itself) and never stored in clear. The
account must change it at the first login (`must_change_password`).

Initial passwords are hashed with ``INITIAL_PASSWORD_HASH_METHOD`` (default
``scrypt:4096:8:1``), cheaper than the cost for chosen passwords
(`app.security.passwords`): an 80-bit random secret cannot be guessed whatever the hash
cost, it lives only until the first login (which re-hashes it with the full cost and
then forces a change), and the full cost would make a commune-wide run of a few thousand
accounts take half an hour. A run is capped at ``BULK_ACCOUNT_LIMIT`` accounts (5,000).

Roles UI
--------
`PortalRoleModelView` replaces FAB's role view: the catalogue's name, scope and
description, the number of accounts and the permissions in Vietnamese. Catalogue roles
(synced from code at start-up) cannot be edited or deleted in the UI; an admin may create
new roles (which grant permissions but no scope: deny by default).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose
from flask_appbuilder.actions import action
from flask_appbuilder.fields import QuerySelectMultipleField
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget, Select2ManyWidget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access, permission_name
from flask_appbuilder.security.sqla.models import Role, assoc_user_role
from flask_appbuilder.security.views import RoleModelView, UserDBModelView
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from app.exchange.excel import workbook_bytes, xlsx_response
from app.extensions import db
from app.forms import ScopedRelationField, normalise_text
from app.org.choices import UNIT_KIND_LABELS, label_of
from app.org.models import Unit
from app.personnel.choices import POSITION_LABELS
from app.personnel.models import Person
from app.security import audit, role_rules, roles
from app.security.models import PortalUser
from app.security.passwords import hash_password, policy_errors
from app.security.scope import (
    ScopedInterface,
    ScopeError,
    current_scope,
    get_in_scope_or_404,
    person_in_scope,
    scoped_query,
    unit_in_scope,
)
from app.security.scoped_views import ScopedModelView
from app.text import fold, nfc, parse_id

USER_PERMISSION_VIEW = "UserDBModelView"  # FAB's name: its endpoints and self-service grants
ROLE_PERMISSION_VIEW = "RoleModelView"
RESET_PERMISSION_VIEW = "ResetPasswordView"
BULK_PERMISSION_VIEW = "AccountBulk"
SECURITY_MENU = "Security"
USERS_MENU = "List Users"
BULK_MENU = "AccountBulk"

INITIAL_PASSWORD_LENGTH = 14
# No look-alikes (0/O, 1/l/I) and no character that a spreadsheet reads as a formula.
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
DEFAULT_INITIAL_HASH_METHOD = "scrypt:4096:8:1"
DEFAULT_EMAIL_DOMAIN = "taikhoan.invalid"
BULK_ACCOUNT_LIMIT = 5000

# -- the assignable-roles table (see the module docstring) -----------------------------------
_PROVINCE_ROLES = frozenset(r.name for r in roles.CATALOGUE if r.scope in ("unit", "self"))
ASSIGNABLE: dict[str, frozenset[str] | None] = {
    roles.ADMIN: None,  # every role
    roles.CHUYEN_VIEN_SO: _PROVINCE_ROLES,
    roles.NHAN_SU: frozenset({roles.GIAO_VIEN, roles.NHAN_VIEN, roles.TO_TRUONG}),
}
ACCOUNT_MANAGERS = tuple(ASSIGNABLE)
POSITION_ROLES = {
    "hieu_truong": roles.HIEU_TRUONG,
    "pho_hieu_truong": roles.HIEU_TRUONG,
    "nhan_vien": roles.NHAN_VIEN,
}

SCOPE_LABELS = {
    "all": _l("Toàn quốc"),
    "unit": _l("Đơn vị của tài khoản và các đơn vị trực thuộc"),
    "self": _l("Hồ sơ của chính mình"),
    "none": _l("Không có phạm vi dữ liệu (vai trò tự tạo)"),
}
PERMISSION_LABELS = {
    "can_list": _l("Xem danh sách"),
    "can_show": _l("Xem chi tiết"),
    "can_add": _l("Thêm"),
    "can_edit": _l("Sửa"),
    "can_delete": _l("Xóa"),
    "can_info": _l("Xem mô tả API"),
    "can_get": _l("Đọc qua API"),
    "can_get_list": _l("Xem danh sách qua API"),
    "can_post": _l("Thêm qua API"),
    "can_put": _l("Sửa qua API"),
    "menu_access": _l("Truy cập menu"),
    "can_see_sensitive": _l("Xem CCCD và lương"),
    "export_xlsx": _l("Xuất Excel"),
    "can_index": _l("Mở trang"),
    "can_userinfo": _l("Xem tài khoản của mình"),
    "resetmypassword": _l("Đổi mật khẩu của mình"),
    "resetpasswords": _l("Đặt lại mật khẩu"),
    "userinfoedit": _l("Sửa thông tin của mình"),
    "can_this_form_get": _l("Mở biểu mẫu"),
    "can_this_form_post": _l("Gửi biểu mẫu"),
    "can_create": _l("Tạo"),
    "can_download": _l("Tải tệp"),
    "copyrole": _l("Sao chép vai trò"),
    "can_export": _l("Xuất dữ liệu"),
    "can_read": _l("Đọc"),
    "can_write": _l("Ghi"),
    "can_report": _l("Xem báo cáo"),
    "can_result": _l("Ghi kết quả"),
    "can_review": _l("Xem xét, duyệt"),
    "can_upload": _l("Tải tệp lên"),
    "copy_version": _l("Sao chép phiên bản"),
    "new_version": _l("Tạo phiên bản mới"),
}
# Views without a title or menu entry of their own.
VIEW_LABELS = {
    "MenuApi": _l("Trình đơn (API)"),
    "OpenApi": _l("Tài liệu API (OpenAPI)"),
    "SwaggerView": _l("Giao diện tài liệu API"),
    "ResetPasswordView": _l("Đặt lại mật khẩu tài khoản"),
    "LocaleView": _l("Chọn ngôn ngữ"),
    "Home": _l("Trang chủ"),
}
CATALOGUE_ROLE_MESSAGE = _l(
    "Vai trò này thuộc danh mục vai trò của hệ thống và được đồng bộ khi khởi động, "
    "nên không sửa hoặc xóa được ở đây. Hãy tạo vai trò mới thay vì sửa vai trò của danh mục."
)
NOT_MANAGEABLE_MESSAGE = _l(
    "Bạn không được quản lý tài khoản này: tài khoản có vai trò mà bạn không được cấp."
)


class AccountError(ValueError):
    """An account the rules refuse; the message is for the admin (Vietnamese)."""


# -- who may do what -----------------------------------------------------------------------
def _role_names(user: Any) -> set[str]:
    return {r.name for r in (getattr(user, "roles", None) or [])}


def _actor() -> Any:
    return g.user


def assignable_role_names(actor: Any | None = None) -> frozenset[str] | None:
    """Roles `actor` may give; None means every role (the system administrator)."""
    names = _role_names(actor if actor is not None else _actor())
    out: set[str] = set()
    for name in names:
        if name in ASSIGNABLE:
            allowed = ASSIGNABLE[name]
            if allowed is None:
                return None
            out |= allowed
    return frozenset(out)


def assignable_roles(actor: Any | None = None) -> list[Role]:
    query = db.session.query(Role).order_by(Role.name)
    allowed = assignable_role_names(actor)
    if allowed is not None:
        query = query.filter(Role.name.in_(sorted(allowed)))
    return query.all()


def can_manage(target: PortalUser, actor: Any | None = None) -> bool:
    """Every role of `target` is one the actor may assign (scope is checked by the query)."""
    allowed = assignable_role_names(actor)
    return allowed is None or _role_names(target) <= allowed


def managed_user_or_404(pk: Any) -> PortalUser:
    """The account, 404 outside the scope (like a missing one), 403 when its roles are above."""
    user = get_in_scope_or_404(PortalUser, pk)
    if not can_manage(user):
        abort(403, description=str(NOT_MANAGEABLE_MESSAGE))
    return user


def account_url(user: PortalUser) -> str:
    return url_for(f"{current_app.appbuilder.sm.user_view.endpoint}.show", pk=user.id)


def _unit_of(user: PortalUser) -> Unit | None:
    if user.unit is not None:
        return user.unit
    return db.session.get(Unit, user.unit_id) if user.unit_id else None


def _person_of(user: PortalUser) -> Person | None:
    if user.person is not None:
        return user.person
    return db.session.get(Person, user.person_id) if user.person_id else None


def check_account(user: PortalUser, actor: Any | None = None) -> None:
    """Raise AccountError (Vietnamese) unless `user` may be written by `actor`."""
    with db.session.no_autoflush:
        _check_account(user, actor)


def _check_account(user: PortalUser, actor: Any | None) -> None:
    unit = _unit_of(user)
    if unit is None:
        raise AccountError(_("Mỗi tài khoản phải thuộc một đơn vị. Hãy chọn đơn vị."))
    if not unit_in_scope(unit.id):
        raise AccountError(str(ScopeError()))
    names = _role_names(user)
    if not names:
        raise AccountError(_("Hãy chọn ít nhất một vai trò cho tài khoản."))
    allowed = assignable_role_names(actor)
    refused = sorted(names - allowed) if allowed is not None else []
    if refused:
        raise AccountError(_("Bạn không được cấp vai trò: %(roles)s.", roles=", ".join(refused)))
    person = _person_of(user)
    if person is not None:
        if not person_in_scope(person.id):
            raise AccountError(str(ScopeError()))
        if person.unit_id != unit.id:
            raise AccountError(
                _(
                    "Hồ sơ nhân sự liên kết phải thuộc cùng đơn vị với tài khoản (%(unit)s).",
                    unit=unit.name,
                )
            )
    problem = placement_problem(names, unit, person)
    if problem is not None:
        raise AccountError(placement_message(problem, unit, person))
        other = (
            db.session.query(PortalUser.username)
            .filter(PortalUser.person_id == person.id, PortalUser.id != (user.id or 0))
            .first()
        )
        if other is not None:
            raise AccountError(
                _("Hồ sơ này đã có tài khoản %(username)s.", username=other.username)
            )
    for column, label in (("username", _("Tên đăng nhập")), ("email", _("Thư điện tử"))):
        value = getattr(user, column)
        clash = (
            db.session.query(PortalUser.id)
            .filter(getattr(PortalUser, column) == value, PortalUser.id != (user.id or 0))
            .first()
        )
        if value and clash is not None:
            raise AccountError(
                _("%(field)s '%(value)s' đã được tài khoản khác sử dụng.", field=label, value=value)
            )


def placement_problem(
    role_names: Iterable[str], unit: Unit, person: Person | None
) -> role_rules.PlacementProblem | None:
    """The first catalogue role (by name) that may not be held at `unit` with `person`."""
    for name in sorted(role_names):
        role = roles.BY_NAME.get(name)
        if role is None:  # a role made in the UI: no scope, no authority, no placement rule
            continue
        problem = role_rules.role_placement_problem(
            role,
            unit.kind,
            person.position if person is not None else None,
            person is not None and person.unit_id == unit.id,
        )
        if problem is not None:
            return problem
    return None


def _either(labels: dict, codes: Iterable[str]) -> str:
    """'Trường hoặc Sở GD&ĐT', in the order of the label table."""
    wanted = set(codes)
    separator = " " + _("hoặc") + " "
    return separator.join(str(label) for code, label in labels.items() if code in wanted)


def placement_message(
    problem: role_rules.PlacementProblem, unit: Unit, person: Person | None
) -> str:
    if problem.code == role_rules.UNIT_KIND:
        return _(
            "Vai trò «%(role)s» chỉ gán được cho tài khoản thuộc %(expected)s, còn «%(unit)s» "
            "là %(kind)s. Hãy chọn đơn vị đúng loại hoặc chọn vai trò khác.",
            role=problem.role,
            expected=_either(UNIT_KIND_LABELS, problem.expected),
            unit=unit.name,
            kind=label_of(UNIT_KIND_LABELS, unit.kind),
        )
    if problem.code == role_rules.POSITION and person is not None:
        return _(
            "Vai trò «%(role)s» chỉ dành cho người có chức vụ %(expected)s, còn hồ sơ "
            "«%(person)s» có chức vụ %(position)s. Hãy liên kết đúng hồ sơ hoặc chọn vai trò khác.",
            role=problem.role,
            expected=_either(POSITION_LABELS, problem.expected),
            person=person.full_name,
            position=label_of(POSITION_LABELS, person.position),
        )
    if problem.code == role_rules.PERSON_UNIT:
        return _(
            "Hồ sơ nhân sự liên kết phải thuộc cùng đơn vị với tài khoản (%(unit)s).",
            unit=unit.name,
        )
    return _(
        "Tài khoản có vai trò %(roles)s phải liên kết với hồ sơ nhân sự của người dùng.",
        roles=problem.role,
    )


# -- passwords -----------------------------------------------------------------------------
def random_password(username: str | None = None) -> str:
    """A random initial password that passes the password policy."""
    while True:
        password = "".join(
            secrets.choice(PASSWORD_ALPHABET) for _ in range(INITIAL_PASSWORD_LENGTH)
        )
        if not policy_errors(password, username):
            return password


def hash_initial_password(password: str) -> str:
    method = current_app.config.get("INITIAL_PASSWORD_HASH_METHOD", DEFAULT_INITIAL_HASH_METHOD)
    salt = current_app.config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16)
    return generate_password_hash(password, method=method, salt_length=salt)


def set_initial_password(user: PortalUser) -> str:
    """Give `user` a fresh random password to change at next login; returns it (clear) once."""
    password = random_password(user.username)
    user.password = hash_initial_password(password)  # also ends the account's sessions
    user.must_change_password = True
    user.fail_login_count = 0
    user.locked_until = None
    return password


# -- bulk creation -------------------------------------------------------------------------
def role_for_position(position: str | None) -> str:
    return POSITION_ROLES.get(position or "", roles.GIAO_VIEN)


def split_name(full_name: str) -> tuple[str, str]:
    """FAB shows 'first last': first = họ + đệm, last = tên (Vietnamese order)."""
    head, _sep, given = nfc(full_name).rpartition(" ")
    return head, given


def username_base(person: Person) -> str:
    """'Nguyễn Văn An', CB000123 → 'annv.cb000123': given name, initials, record code."""
    parts = re.findall(r"[a-z0-9]+", fold(person.full_name))
    given = parts[-1] if parts else "gv"
    initials = "".join(p[0] for p in parts[:-1])
    code = "".join(re.findall(r"[a-z0-9]+", fold(person.code)))
    return f"{given}{initials}.{code}"[:60]


def _existing(column: Any, values: Iterable[str]) -> set[str]:
    values = sorted(set(values))
    found: set[str] = set()
    for i in range(0, len(values), 500):
        chunk = values[i : i + 500]
        found.update(v for (v,) in db.session.query(column).filter(column.in_(chunk)))
    return found


def bulk_candidates(unit: Unit) -> list[Person]:
    """Active staff of the schools under `unit` (in scope) who have no account yet."""
    schools = select(Unit.id).where(Unit.path.startswith(unit.path), Unit.kind == "school")
    with_account = select(PortalUser.person_id).where(PortalUser.person_id.is_not(None))
    return (
        scoped_query(Person)
        .filter(
            Person.unit_id.in_(schools),
            Person.status == "active",
            Person.id.not_in(with_account),
        )
        .order_by(Person.unit_id, Person.name_sort, Person.id)
        .all()
    )


def bulk_roles(
    people: list[Person], allowed: frozenset[str] | None
) -> tuple[list[tuple[Person, str]], list[Person]]:
    """Each person's role by position; skipped: roles the admin may not give, or that the
    catalogue does not allow at the person's unit (the same rule as `check_account`)."""
    kinds = dict(
        db.session.query(Unit.id, Unit.kind).filter(Unit.id.in_({p.unit_id for p in people}))
    )
    wanted: list[tuple[Person, str]] = []
    skipped: list[Person] = []
    for person in people:
        name = role_for_position(person.position)
        fits = (
            role_rules.role_placement_problem(
                roles.BY_NAME[name], kinds.get(person.unit_id), person.position, True
            )
            is None
        )
        if fits and (allowed is None or name in allowed):
            wanted.append((person, name))
        else:
            skipped.append(person)
    return wanted, skipped


@dataclass
class NewAccount:
    person: Person
    user: PortalUser
    role_name: str
    password: str


@dataclass
class BulkResult:
    unit: Unit
    created: list[NewAccount]
    skipped: list[Person]  # staff whose role the admin may not assign


def bulk_create(unit: Unit, actor: Any | None = None) -> BulkResult:
    """Create the accounts of `bulk_candidates(unit)` in one transaction (all or nothing)."""
    actor = actor if actor is not None else _actor()
    if not unit_in_scope(unit.id):
        raise ScopeError()
    wanted, skipped = bulk_roles(bulk_candidates(unit), assignable_role_names(actor))
    if len(wanted) > BULK_ACCOUNT_LIMIT:
        raise AccountError(
            _(
                "Một lần chỉ tạo được tối đa %(n)d tài khoản. "
                "Hãy tạo theo từng xã/phường hoặc từng trường.",
                n=BULK_ACCOUNT_LIMIT,
            )
        )
    role_rows = {
        r.name: r for r in db.session.query(Role).filter(Role.name.in_({r for _p, r in wanted}))
    }
    bases = {p.id: username_base(p) for p, _r in wanted}
    taken = _existing(PortalUser.username, bases.values())
    emails_taken = _existing(PortalUser.email, (p.email for p, _r in wanted if p.email))
    domain = current_app.config.get("ACCOUNT_EMAIL_DOMAIN", DEFAULT_EMAIL_DOMAIN)
    now = dt.datetime.now()
    created: list[NewAccount] = []
    try:
        for person, role_name in wanted:
            base = username = bases[person.id]
            n = 2
            # `taken` holds every existing base name; only suffixed ones need a look-up.
            while username in taken or (
                username != base
                and db.session.query(PortalUser.id).filter(PortalUser.username == username).first()
            ):
                username = f"{base}{n}"
                n += 1
            taken.add(username)
            email = (person.email or "").strip().lower()
            if not email or email in emails_taken:
                email = f"{username}@{domain}"
            emails_taken.add(email)
            first, last = split_name(person.full_name)
            user = PortalUser(
                first_name=first or last,
                last_name=last,
                username=username,
                email=email,
                active=True,
                unit_id=person.unit_id,
                person_id=person.id,
                created_on=now,
                changed_on=now,
                created_by_fk=getattr(actor, "id", None),
                changed_by_fk=getattr(actor, "id", None),
            )
            user.roles = [role_rows[role_name]]
            password = set_initial_password(user)
            db.session.add(user)
            created.append(NewAccount(person, user, role_name, password))
        db.session.flush()
        audit.record(
            "account_bulk_create",
            changes={
                "unit": unit.code,
                "created": len(created),
                "skipped": len(skipped),
            },
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return BulkResult(unit, created, skipped)


def password_sheet(result: BulkResult) -> bytes:
    headers = [
        _("STT"),
        _("Họ và tên"),
        _("Mã hồ sơ"),
        _("Đơn vị"),
        _("Vai trò"),
        _("Tên đăng nhập"),
        _("Mật khẩu ban đầu (phải đổi khi đăng nhập lần đầu)"),
    ]
    units = {
        u.id: u.name
        for u in db.session.query(Unit).filter(
            Unit.id.in_({a.person.unit_id for a in result.created})
        )
    }
    rows = (
        (
            i,
            a.person.full_name,
            a.person.code,
            units.get(a.person.unit_id, ""),
            a.role_name,
            a.user.username,
            a.password,
        )
        for i, a in enumerate(result.created, start=1)
    )
    return workbook_bytes(_("Tài khoản"), headers, rows)


# -- labels of permissions and views (role pages) --------------------------------------------
def _is_fab_default_title(title: Any) -> bool:
    return isinstance(title, str) and title.startswith(("List ", "Show ", "Add ", "Edit "))


def view_labels(appbuilder: AppBuilder) -> dict[str, str]:
    """Permission view-menu name → Vietnamese label: menu labels, then view titles."""
    cached = g.get("_portal_view_labels")
    if cached is None:
        cached = g._portal_view_labels = _view_labels(appbuilder)
    return cached


def _view_labels(appbuilder: AppBuilder) -> dict[str, str]:
    labels: dict[str, str] = {name: str(label) for name, label in VIEW_LABELS.items()}
    for view in appbuilder.baseviews:
        name = view.class_permission_name
        for attr in ("list_title", "form_title", "title", "chart_title"):
            title = getattr(view, attr, None)
            if title and not _is_fab_default_title(title):
                labels.setdefault(name, str(title))
                break
    for category in appbuilder.menu.get_list():
        labels[category.name] = str(category.label or category.name)
        for item in category.childs:
            if item.name != "-":
                labels.setdefault(item.name, str(item.label or item.name))
                view = getattr(item, "baseview", None)
                if view is not None:
                    labels[view.class_permission_name] = str(item.label or item.name)
    return labels


def permission_label(permission: str) -> str:
    label = PERMISSION_LABELS.get(permission)
    return str(label) if label is not None else permission


def grouped_permissions(role: Role, appbuilder: AppBuilder) -> list[tuple[str, list[str]]]:
    labels = view_labels(appbuilder)
    groups: dict[str, list[str]] = defaultdict(list)
    for pv in role.permissions:
        if pv.view_menu is None or pv.permission is None:
            continue
        groups[labels.get(pv.view_menu.name, pv.view_menu.name)].append(
            permission_label(pv.permission.name)
        )
    return sorted((k, sorted(v)) for k, v in groups.items())


def pv_label(pv: Any) -> str:
    labels = view_labels(current_app.appbuilder)
    view = labels.get(pv.view_menu.name, pv.view_menu.name) if pv.view_menu else ""
    return f"{permission_label(pv.permission.name) if pv.permission else ''} — {view}"


def is_catalogue_role(role: Role | str) -> bool:
    name = role if isinstance(role, str) else role.name
    sm = current_app.appbuilder.sm
    return name in roles.BY_NAME or name in (sm.auth_role_admin, sm.auth_role_public)


def user_counts() -> dict[int, int]:
    rows = db.session.execute(
        select(assoc_user_role.c.role_id, func.count(assoc_user_role.c.user_id)).group_by(
            assoc_user_role.c.role_id
        )
    )
    return {role_id: count for role_id, count in rows}


# -- views ---------------------------------------------------------------------------------
ACCOUNT_LABELS = {
    "username": _l("Tên đăng nhập"),
    "first_name": _l("Họ và đệm"),
    "last_name": _l("Tên"),
    "email": _l("Thư điện tử"),
    "active": _l("Đang hoạt động"),
    "roles": _l("Vai trò"),
    "unit": _l("Đơn vị"),
    "person": _l("Hồ sơ nhân sự"),
    "must_change_password": _l("Phải đổi mật khẩu"),
    "last_login": _l("Lần đăng nhập cuối"),
    "login_count": _l("Số lần đăng nhập"),
    "fail_login_count": _l("Số lần nhập sai"),
    "created_on": _l("Ngày tạo"),
    "changed_on": _l("Ngày sửa"),
}


class PortalUserInterface(ScopedInterface):
    """Accounts limited to the scope; roles (not unit data) are read without a unit filter."""

    def get_related_interface(self, col_name: str):
        if col_name in ("roles", "groups"):
            return SQLAInterface(self.get_related_model(col_name))
        return super().get_related_interface(col_name)

    def get_related_obj(self, col_name: str, value: Any):
        if col_name in ("roles", "groups"):
            return db.session.get(self.get_related_model(col_name), value)
        return super().get_related_obj(col_name, value)


def _roles_field() -> QuerySelectMultipleField:
    return QuerySelectMultipleField(
        ACCOUNT_LABELS["roles"],
        query_func=lambda: assignable_roles(),
        get_pk_func=lambda role: role.id,
        validators=[DataRequired(message=str(_l("Hãy chọn ít nhất một vai trò.")))],
        widget=Select2ManyWidget(),
        description=_l("Chỉ gồm các vai trò bạn được cấp."),
    )


def _account_form() -> dict[str, Any]:
    return {
        "first_name": StringField(
            ACCOUNT_LABELS["first_name"],
            [DataRequired(), Length(max=64)],
            filters=[normalise_text],
            widget=BS3TextFieldWidget(),
        ),
        "last_name": StringField(
            ACCOUNT_LABELS["last_name"],
            [DataRequired(), Length(max=64)],
            filters=[normalise_text],
            widget=BS3TextFieldWidget(),
        ),
        "email": StringField(
            ACCOUNT_LABELS["email"],
            [Optional(), Email(message=str(_l("Địa chỉ thư điện tử không hợp lệ.")))],
            description=_l("Để trống nếu người dùng chưa có; hệ thống tự đặt một địa chỉ nội bộ."),
            widget=BS3TextFieldWidget(),
        ),
        "unit": ScopedRelationField(
            ACCOUNT_LABELS["unit"], [DataRequired()], model=Unit, lookup_kind="unit"
        ),
        "person": ScopedRelationField(
            ACCOUNT_LABELS["person"],
            [Optional()],
            model=Person,
            lookup_kind="person",
            description=_l(
                "Bắt buộc với Giáo viên, Nhân viên, Tổ trưởng chuyên môn và Hiệu trưởng; "
                "hồ sơ phải cùng đơn vị với tài khoản."
            ),
        ),
        "roles": _roles_field(),
        "active": BooleanField(ACCOUNT_LABELS["active"], default=True),
    }


def _format_roles(roles_: Any) -> str:
    return ", ".join(sorted(r.name for r in roles_ or []))


def _format_bool(value: Any) -> str:
    return str(_("Có")) if value else str(_("Không"))


class PortalUserDBModelView(ScopedModelView, UserDBModelView):
    """Tài khoản: FAB's user views on the unit scope, with the assignable-roles rules."""

    class_permission_name = USER_PERMISSION_VIEW
    route_base = "/users"
    list_title = _l("Danh sách tài khoản")
    show_title = _l("Chi tiết tài khoản")
    add_title = _l("Tạo tài khoản")
    edit_title = _l("Sửa tài khoản")
    user_info_title = _l("Tài khoản của tôi")
    label_columns = ACCOUNT_LABELS
    description_columns: dict[str, Any] = {}
    list_columns = ["username", "first_name", "last_name", "unit", "roles", "active"]
    search_columns = ["username", "first_name", "last_name", "email", "active", "roles"]
    order_columns = ["username", "first_name", "last_name", "active"]
    add_columns = [
        "username",
        "first_name",
        "last_name",
        "email",
        "unit",
        "person",
        "roles",
        "active",
    ]
    edit_columns = ["first_name", "last_name", "email", "unit", "person", "roles", "active"]
    show_columns = [
        "username",
        "first_name",
        "last_name",
        "email",
        "unit",
        "person",
        "roles",
        "active",
        "must_change_password",
        "last_login",
        "login_count",
    ]
    validators_columns: dict[str, Any] = {}
    formatters_columns = {"roles": _format_roles, "active": _format_bool}
    show_template = "security/accounts/show.html"

    def __init__(self, **kwargs: Any) -> None:
        form = _account_form()
        self.add_form_extra_fields = {
            "username": StringField(
                ACCOUNT_LABELS["username"],
                [DataRequired(), Length(min=3, max=64)],
                description=_l("Chữ không dấu, số, dấu chấm, gạch ngang hoặc gạch dưới."),
                widget=BS3TextFieldWidget(),
            ),
            **form,
        }
        self.edit_form_extra_fields = dict(_account_form())
        super().__init__(**kwargs)
        # Accounts are disabled, never deleted (the audit log keeps naming them).
        self.base_permissions = [p for p in self.base_permissions if p != "can_delete"]

    # -- writes ----------------------------------------------------------------------------
    def _refuse(self, message: str) -> None:
        db.session.rollback()
        raise AccountError(message)

    def pre_add(self, item: PortalUser) -> None:
        item.username = (item.username or "").strip().lower()
        if not re.fullmatch(r"[a-z0-9._-]{3,64}", item.username):
            self._refuse(
                _("Tên đăng nhập chỉ gồm chữ không dấu, số, dấu chấm, gạch ngang, gạch dưới.")
            )
        if not item.email:
            domain = current_app.config.get("ACCOUNT_EMAIL_DOMAIN", DEFAULT_EMAIL_DOMAIN)
            item.email = f"{item.username}@{domain}"
        try:
            check_account(item)
        except AccountError as exc:
            self._refuse(str(exc))
        super().pre_add(item)  # the unit-scope write guard
        now = dt.datetime.now()
        item.created_on = item.changed_on = now
        item.created_by_fk = item.changed_by_fk = g.user.id
        g._new_account_password = set_initial_password(item)
        g._new_account = item

    def pre_update(self, item: PortalUser) -> None:
        if item.id == g.user.id and not item.active:
            self._refuse(_("Không thể tự khóa tài khoản của chính mình."))
        if not item.email:
            self._refuse(_("Hãy nhập thư điện tử."))
        try:
            check_account(item)
        except AccountError as exc:
            self._refuse(str(exc))
        super().pre_update(item)
        item.changed_on = dt.datetime.now()
        item.changed_by_fk = g.user.id

    def post_add_redirect(self):
        password = g.pop("_new_account_password", None)
        user = g.pop("_new_account", None)
        if password is None or user is None or user.id is None:
            return super().post_add_redirect()
        return self.render_template(
            "security/accounts/password.html",
            title=_("Tài khoản đã được tạo"),
            account=user,
            account_url=account_url(user),
            password=password,
            appbuilder=self.appbuilder,
        )

    # -- pages -----------------------------------------------------------------------------
    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        user = get_in_scope_or_404(PortalUser, pk)
        return self.render_template(
            self.show_template,
            title=self.show_title,
            account=user,
            manageable=can_manage(user) and user.id != g.user.id,
            role_defs=roles.BY_NAME,
            scope_labels=SCOPE_LABELS,
            labels=ACCOUNT_LABELS,
            appbuilder=self.appbuilder,
        )

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        managed_user_or_404(pk)
        return super().edit(pk)

    @expose("/disable/<pk>", methods=["POST"])
    @has_access
    @permission_name("edit")
    def disable(self, pk):
        return self._set_active(pk, False)

    @expose("/enable/<pk>", methods=["POST"])
    @has_access
    @permission_name("edit")
    def enable(self, pk):
        return self._set_active(pk, True)

    def _set_active(self, pk: Any, active: bool):
        user = managed_user_or_404(pk)
        if user.id == g.user.id:
            flash(_("Không thể tự khóa hoặc mở khóa tài khoản của chính mình."), "danger")
            return redirect(url_for(".show", pk=user.id))
        user.active = active  # disabling rotates the session stamp: its sessions end
        if active:
            user.fail_login_count = 0
            user.locked_until = None
        user.changed_on = dt.datetime.now()
        user.changed_by_fk = g.user.id
        db.session.commit()
        if active:
            flash(_("Đã mở khóa tài khoản %(u)s.", u=user.username), "success")
        else:
            flash(
                _(
                    "Đã khóa tài khoản %(u)s; các phiên đăng nhập của tài khoản đã kết thúc.",
                    u=user.username,
                ),
                "success",
            )
        return redirect(url_for(".show", pk=user.id))

    @expose("/userinfo/")
    @has_access
    def userinfo(self):
        user = db.session.get(PortalUser, g.user.id)  # one's own account, whatever the scope
        return self.render_template(
            "security/accounts/myaccount.html",
            title=self.user_info_title,
            account=user,
            role_defs=roles.BY_NAME,
            scope_labels=SCOPE_LABELS,
            labels=ACCOUNT_LABELS,
            has_own_record=self.appbuilder.sm.has_access("can_index", "OwnRecord"),
            appbuilder=self.appbuilder,
        )


class ResetPasswordView(BaseView):
    """The admin reset (FAB's /resetpassword/form?pk=), on the scope.

    By default a random password shown once; the admin may type one instead (checked
    against the password policy). Either way the user must change it at next login.
    """

    route_base = "/resetpassword"
    default_view = "this_form_get"

    def _confirm(self, user: PortalUser, errors: list[str] | None = None):
        return self.render_template(
            "security/accounts/reset_confirm.html",
            title=_("Đặt lại mật khẩu"),
            account=user,
            account_url=account_url(user),
            errors=errors or [],
            appbuilder=self.appbuilder,
        )

    @expose("/form", methods=["GET"])
    @has_access
    def this_form_get(self):
        return self._confirm(managed_user_or_404(request.args.get("pk")))

    @expose("/form", methods=["POST"])
    @has_access
    def this_form_post(self):
        user = managed_user_or_404(request.args.get("pk") or request.form.get("pk"))
        if user.id == g.user.id:
            flash(_("Hãy dùng chức năng Đổi mật khẩu cho tài khoản của chính mình."), "warning")
            return redirect(url_for("ResetMyPasswordView.this_form_get"))
        typed = request.form.get("password") or ""
        if typed:
            errors = policy_errors(typed, user.username)
            if typed != request.form.get("conf_password", ""):
                errors.append(_("Hai mật khẩu không khớp."))
            if errors:
                return self._confirm(user, errors)
            user.password = hash_password(typed)
            user.must_change_password = True
            user.fail_login_count = 0
            user.locked_until = None
            password = None
        else:
            password = set_initial_password(user)
        user.changed_on = dt.datetime.now()
        user.changed_by_fk = g.user.id
        db.session.commit()
        if password is None:
            flash(_("Đã đặt lại mật khẩu; người dùng phải đổi mật khẩu khi đăng nhập."), "success")
            return redirect(account_url(user))
        return self.render_template(
            "security/accounts/password.html",
            title=_("Đã đặt lại mật khẩu"),
            account=user,
            account_url=account_url(user),
            password=password,
            appbuilder=self.appbuilder,
        )


class AccountBulkView(BaseView):
    """Tạo tài khoản hàng loạt cho cán bộ chưa có tài khoản của một trường, xã hoặc tỉnh."""

    route_base = "/accounts/bulk"
    default_view = "index"
    class_permission_name = BULK_PERMISSION_VIEW

    def _unit(self, raw: str | None) -> Unit | None:
        raw = (raw or "").strip()
        if not raw:
            return None
        query = scoped_query(Unit)
        unit_id = parse_id(raw)  # a number is an id, anything else a unit code
        unit = (
            query.filter(Unit.id == unit_id).one_or_none()
            if unit_id is not None
            else query.filter(func.upper(Unit.code) == raw.upper()).one_or_none()
        )
        if unit is None:
            abort(404)
        return unit

    def _choices(self) -> list[Unit]:
        return (
            scoped_query(Unit)
            .filter(Unit.kind.in_(("province", "commune", "district", "school")))
            .order_by(Unit.path)
            .limit(300)
            .all()
        )

    @expose("/", methods=["GET"])
    @has_access
    def index(self):
        unit = self._unit(request.args.get("unit"))
        if unit is None and current_scope().unit_id is not None:
            unit = db.session.get(Unit, current_scope().unit_id)
        preview = None
        if unit is not None:
            wanted, skipped = bulk_roles(bulk_candidates(unit), assignable_role_names())
            counts: dict[str, int] = defaultdict(int)
            for _person, role in wanted:
                counts[role] += 1
            preview = {
                "counts": sorted(counts.items()),
                "total": sum(counts.values()),
                "skipped": len(skipped),
            }
        return self.render_template(
            "security/accounts/bulk.html",
            title=_("Tạo tài khoản hàng loạt"),
            unit=unit,
            preview=preview,
            choices=self._choices(),
            appbuilder=self.appbuilder,
        )

    @expose("/", methods=["POST"])
    @has_access
    def create(self):
        unit = self._unit(request.form.get("unit"))
        if unit is None:
            abort(404)
        try:
            result = bulk_create(unit)
        except (AccountError, ScopeError) as exc:
            flash(str(exc), "danger")
            return redirect(url_for(".index", unit=unit.id))
        if not result.created:
            flash(
                _("Không có cán bộ nào cần tạo tài khoản trong %(unit)s.", unit=unit.name), "info"
            )
            return redirect(url_for(".index", unit=unit.id))
        stamp = dt.date.today().strftime("%Y%m%d")
        return xlsx_response(
            f"tai-khoan-{fold(unit.code).replace(' ', '-')}-{stamp}.xlsx", password_sheet(result)
        )


def _role_or_none(pk: Any) -> Role | None:
    role_id = parse_id(pk)
    return db.session.get(Role, role_id) if role_id is not None else None


class PortalRoleModelView(RoleModelView):
    """Vai trò: catalogue roles read-only, in Vietnamese; new roles may be created."""

    class_permission_name = ROLE_PERMISSION_VIEW
    route_base = "/roles"
    list_title = _l("Danh sách vai trò")
    show_title = _l("Chi tiết vai trò")
    add_title = _l("Thêm vai trò")
    edit_title = _l("Sửa vai trò")
    label_columns = {"name": _l("Tên vai trò"), "permissions": _l("Quyền")}
    description_columns: dict[str, Any] = {}

    def __init__(self, **kwargs: Any) -> None:
        field = QuerySelectMultipleField(
            _l("Quyền"),
            query_func=lambda: db.session.query(
                current_app.appbuilder.sm.permissionview_model
            ).all(),
            get_pk_func=lambda pv: pv.id,
            get_label=pv_label,
            widget=Select2ManyWidget(),
        )
        self.add_form_extra_fields = {"permissions": field}
        self.edit_form_extra_fields = {"permissions": field}
        super().__init__(**kwargs)

    @expose("/list/")
    @has_access
    def list(self):
        counts = user_counts()
        rows = []
        for role in db.session.query(Role).order_by(Role.name):
            definition = roles.BY_NAME.get(role.name)
            rows.append(
                {
                    "role": role,
                    "scope": SCOPE_LABELS[definition.scope if definition else "none"],
                    "description": definition.description if definition else "",
                    "users": counts.get(role.id, 0),
                    "catalogue": is_catalogue_role(role),
                }
            )
        return self.render_template(
            "security/accounts/roles_list.html",
            title=self.list_title,
            rows=rows,
            can_add=self.appbuilder.sm.has_access("can_add", self.class_permission_name),
            appbuilder=self.appbuilder,
        )

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        role = _role_or_none(pk)
        if role is None:
            abort(404)
        definition = roles.BY_NAME.get(role.name)
        return self.render_template(
            "security/accounts/role_show.html",
            title=self.show_title,
            role=role,
            scope=SCOPE_LABELS[definition.scope if definition else "none"],
            description=definition.description if definition else "",
            users=user_counts().get(role.id, 0),
            catalogue=is_catalogue_role(role),
            permissions=grouped_permissions(role, self.appbuilder),
            appbuilder=self.appbuilder,
        )

    @action(
        "copyrole",
        _l("Sao chép vai trò"),
        _l("Sao chép các vai trò đã chọn thành vai trò mới?"),
        icon="fa-copy",
        single=False,
    )
    def copy_role(self, items):
        """A copy is a new (non-catalogue) role: the way to adapt a catalogue role."""
        self.update_redirect()
        for item in items if isinstance(items, list) else [items]:
            name = f"{item.name} (bản sao)"[:64]
            n = 2
            while db.session.query(Role.id).filter(Role.name == name).first():
                name = f"{item.name} (bản sao {n})"[:64]
                n += 1
            db.session.add(Role(name=name, permissions=list(item.permissions)))
        db.session.commit()
        flash(_("Đã sao chép vai trò."), "success")
        return redirect(self.get_redirect())

    def _catalogue_refusal(self, pk: Any):
        role = _role_or_none(pk)
        if role is None:
            abort(404)
        if is_catalogue_role(role):
            flash(str(CATALOGUE_ROLE_MESSAGE), "warning")
            return redirect(url_for(".show", pk=role.id))
        return None

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        return self._catalogue_refusal(pk) or super().edit(pk)

    @expose("/delete/<pk>", methods=["GET", "POST"])
    @has_access
    def delete(self, pk):
        return self._catalogue_refusal(pk) or super().delete(pk)

    def pre_add(self, item: Role) -> None:
        if is_catalogue_role(item.name):
            raise ValueError(str(CATALOGUE_ROLE_MESSAGE))

    def pre_update(self, item: Role) -> None:
        if is_catalogue_role(item.name):
            db.session.rollback()
            raise ValueError(str(CATALOGUE_ROLE_MESSAGE))

    def pre_delete(self, item: Role) -> None:
        if is_catalogue_role(item.name):
            raise ValueError(str(CATALOGUE_ROLE_MESSAGE))
        super().pre_delete(item)


# Unit administrators manage the accounts of their subtree (the admin role has every view).
for _role in (roles.CHUYEN_VIEN_SO, roles.NHAN_SU):
    roles.extend(
        _role,
        {
            USER_PERMISSION_VIEW: {"can_list", "can_show", "can_add", "can_edit"},
            RESET_PERMISSION_VIEW: {"can_this_form_get", "can_this_form_post"},
            BULK_PERMISSION_VIEW: {"can_index", "can_create"},
        },
        menus=[SECURITY_MENU, USERS_MENU, BULK_MENU],
    )


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view(
        AccountBulkView,
        BULK_MENU,
        label=_l("Tạo tài khoản hàng loạt"),
        icon="fa-users",
        category=SECURITY_MENU,
    )
