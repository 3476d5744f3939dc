"""Accounts and roles: scoped account admin, assignable roles, bulk creation, resets, role UI."""

from __future__ import annotations

import io

import pytest
from flask_appbuilder.security.sqla.models import Role
from openpyxl import load_workbook

from app.extensions import db
from app.i18n_catalog import english_ui_words_in
from app.org.models import Unit
from app.personnel.models import Person
from app.security import account_admin, roles
from app.security.audit_models import AuditLog
from app.security.models import PortalUser
from app.security.passwords import policy_errors
from tests.conftest import csrf_token_from, login


def _user(username: str) -> PortalUser:
    db.session.expire_all()
    return db.session.query(PortalUser).filter_by(username=username).one()


def _role(name: str) -> Role:
    return db.session.query(Role).filter_by(name=name).one()


def _token(c, path: str = "/resetmypassword/form") -> str:
    return csrf_token_from(c.get(path).get_data(as_text=True))


def _snapshot(username: str) -> tuple:
    u = _user(username)
    return (
        u.password,
        u.active,
        u.session_stamp,
        u.must_change_password,
        u.unit_id,
        sorted(r.name for r in u.roles),
        u.first_name,
    )


def _a1_unit_id() -> int:
    return _user("nhansu").unit_id


def _a1_person_without_account(position: str = "giao_vien") -> Person:
    taken = {pid for (pid,) in db.session.query(PortalUser.person_id) if pid}
    return (
        db.session.query(Person)
        .filter(
            Person.unit_id == _a1_unit_id(),
            Person.position == position,
            Person.status == "active",
            Person.id.not_in(taken),
        )
        .order_by(Person.id)
        .first()
    )


def _school_unit_of(username: str) -> Unit:
    return _user(username).unit


def _audit_count() -> int:
    return db.session.query(AuditLog).count()


# -- scope of the account pages ------------------------------------------------------------------
@pytest.mark.parametrize("admin", ["so", "nhansu"])
def test_list_shows_only_accounts_in_scope(login_as, admin):
    c = login_as(admin)
    html = c.get("/users/list/?psize_UserDBModelView=100").get_data(as_text=True)
    assert "giaovien2" not in html  # province B
    assert ">admin<" not in html and ">bo<" not in html  # the ministry level
    assert "giaovien" in html and "hieutruong" in html
    assert english_ui_words_in(html) == []


def test_admin_sees_every_account(login_as):
    html = login_as("admin").get("/users/list/?psize_UserDBModelView=100").get_data(as_text=True)
    for name in ("giaovien2", "so", "nhansu", "bo"):
        assert name in html
    assert english_ui_words_in(html) == []


@pytest.mark.parametrize("admin", ["so", "nhansu"])
def test_out_of_scope_account_is_404_everywhere_and_unchanged(login_as, admin):
    c = login_as(admin)
    target = _user("giaovien2")
    before = _snapshot("giaovien2")
    token = _token(c)
    pk = target.id
    assert c.get(f"/users/show/{pk}").status_code == 404
    assert c.get(f"/users/edit/{pk}").status_code == 404
    assert (
        c.post(f"/users/edit/{pk}", data={"first_name": "X", "csrf_token": token}).status_code
        == 404
    )
    assert c.get(f"/resetpassword/form?pk={pk}").status_code == 404
    assert c.post(f"/resetpassword/form?pk={pk}", data={"csrf_token": token}).status_code == 404
    assert c.post(f"/users/disable/{pk}", data={"csrf_token": token}).status_code == 404
    assert c.post(f"/users/delete/{pk}", data={"csrf_token": token}).status_code in (403, 404)
    assert c.get(f"/users/action/resetpasswords/{pk}").status_code in (302, 403, 404)
    assert _snapshot("giaovien2") == before


def test_unit_admin_cannot_manage_higher_roles_in_scope(login_as):
    c = login_as("nhansu")
    token = _token(c)
    principal = _user("hieutruong")
    before = _snapshot("hieutruong")
    assert c.get(f"/users/show/{principal.id}").status_code == 200  # in scope: visible
    assert c.get(f"/users/edit/{principal.id}").status_code == 403
    assert (
        c.post(f"/resetpassword/form?pk={principal.id}", data={"csrf_token": token}).status_code
        == 403
    )
    assert c.post(f"/users/disable/{principal.id}", data={"csrf_token": token}).status_code == 403
    assert _snapshot("hieutruong") == before


def test_fab_reset_form_and_teacher_have_no_access(login_as):
    c = login_as("giaovien")
    pk = _user("totruong").id
    assert c.get(f"/resetpassword/form?pk={pk}").status_code == 403
    assert c.get("/users/list/").status_code == 403


# -- reset and disable -------------------------------------------------------------------------
def test_reset_shows_random_password_once_and_forces_change(app, login_as):
    victim = login_as("giaovien")
    c = login_as("so")
    pk = _user("giaovien").id
    page = c.get(f"/resetpassword/form?pk={pk}")
    assert page.status_code == 200
    token = csrf_token_from(page.get_data(as_text=True))
    response = c.post(f"/resetpassword/form?pk={pk}", data={"csrf_token": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    password = html.split('class="portal-password">', 1)[1].split("<", 1)[0]
    assert len(password) >= 12 and policy_errors(password, "giaovien") == []
    user = _user("giaovien")
    assert user.must_change_password
    assert password not in (user.password or "")
    # the teacher's old session ended; the new password works and forces the change
    assert victim.get("/users/userinfo/").status_code == 302
    fresh = app.test_client()
    assert login(fresh, "giaovien", password).status_code == 302
    forced = fresh.get("/users/userinfo/")
    assert forced.status_code == 302 and "/resetmypassword/" in forced.headers["Location"]
    actions = [a for (a,) in db.session.query(AuditLog.action).filter(AuditLog.row_id == str(pk))]
    assert "account_reset" in actions


def test_disable_ends_sessions_and_enable(app, login_as):
    victim = login_as("giaovien")
    assert victim.get("/users/userinfo/").status_code == 200
    c = login_as("nhansu")
    pk = _user("giaovien").id
    token = _token(c, f"/users/show/{pk}")
    assert c.post(f"/users/disable/{pk}", data={"csrf_token": token}).status_code == 302
    assert not _user("giaovien").active
    assert victim.get("/users/userinfo/").status_code == 302
    assert login(app.test_client(), "giaovien").status_code == 302  # refused → back to login
    actions = [a for (a,) in db.session.query(AuditLog.action).filter(AuditLog.row_id == str(pk))]
    assert "account_disable" in actions
    assert c.post(f"/users/enable/{pk}", data={"csrf_token": token}).status_code == 302
    assert _user("giaovien").active
    assert login_as("giaovien").get("/users/userinfo/").status_code == 200


def test_disable_needs_post_and_csrf(login_as):
    c = login_as("so")
    pk = _user("giaovien").id
    assert c.get(f"/users/disable/{pk}").status_code == 405
    assert c.post(f"/users/disable/{pk}").status_code == 400
    assert _user("giaovien").active


# -- creating accounts ---------------------------------------------------------------------------
def _add(c, **fields):
    token = _token(c, "/users/add")
    data = {"csrf_token": token, "active": "y", **fields}
    return c.post("/users/add", data=data, follow_redirects=True)


def test_nhansu_creates_teacher_account_in_school(login_as):
    c = login_as("nhansu")
    person = _a1_person_without_account()
    response = _add(
        c,
        username="gv.moi",
        first_name="Nguyễn Văn",
        last_name="Mới",
        unit=str(_a1_unit_id()),
        person=str(person.id),
        roles=str(_role(roles.GIAO_VIEN).id),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    password = html.split('class="portal-password">', 1)[1].split("<", 1)[0]
    assert policy_errors(password, "gv.moi") == []
    user = _user("gv.moi")
    assert user.must_change_password and user.person_id == person.id
    assert user.unit_id == _a1_unit_id() and user.email.endswith(".invalid")


@pytest.mark.parametrize(
    "role_name", [roles.ADMIN, roles.HIEU_TRUONG, roles.CHUYEN_VIEN_SO, roles.NHAN_SU]
)
def test_nhansu_cannot_give_wider_roles(login_as, role_name):
    c = login_as("nhansu")
    person = _a1_person_without_account()
    count = db.session.query(PortalUser).count()
    _add(
        c,
        username="thu.quyen",
        first_name="Thử",
        last_name="Quyền",
        unit=str(_a1_unit_id()),
        person=str(person.id),
        roles=str(_role(role_name).id),
    )
    db.session.expire_all()
    assert db.session.query(PortalUser).count() == count


def test_nhansu_roles_dropdown_lists_only_assignable(login_as):
    html = login_as("nhansu").get("/users/add").get_data(as_text=True)
    assert roles.GIAO_VIEN in html and roles.TO_TRUONG in html and roles.NHAN_VIEN in html
    select = html.split('name="roles"', 1)[1].split("</select>", 1)[0]
    assert roles.GIAO_VIEN in select and roles.NHAN_VIEN in select
    for wider in (roles.ADMIN, roles.HIEU_TRUONG, roles.NHAN_SU, roles.CHUYEN_VIEN_SO):
        assert wider not in select
    assert english_ui_words_in(html) == []


def test_teacher_account_needs_person_of_same_unit(login_as):
    c = login_as("so")
    count = db.session.query(PortalUser).count()
    # no personnel record
    _add(
        c,
        username="khong.hoso",
        first_name="Không",
        last_name="Hồ Sơ",
        unit=str(_a1_unit_id()),
        roles=str(_role(roles.GIAO_VIEN).id),
    )
    # a record of another school in the province
    other = (
        db.session.query(Person)
        .filter(
            Person.unit_id != _a1_unit_id(),
            Person.unit_id.in_(
                db.session.query(Unit.id).filter(Unit.path.startswith(_user("so").unit.path))
            ),
        )
        .first()
    )
    _add(
        c,
        username="sai.donvi",
        first_name="Sai",
        last_name="Đơn Vị",
        unit=str(_a1_unit_id()),
        person=str(other.id),
        roles=str(_role(roles.GIAO_VIEN).id),
    )
    db.session.expire_all()
    assert db.session.query(PortalUser).count() == count


def test_so_cannot_create_account_in_other_province(login_as):
    c = login_as("so")
    b_unit = _user("giaovien2").unit_id
    count = db.session.query(PortalUser).count()
    _add(
        c,
        username="ngoai.tinh",
        first_name="Ngoài",
        last_name="Tỉnh",
        unit=str(b_unit),
        roles=str(_role(roles.CHUYEN_VIEN_XA).id),
    )
    db.session.expire_all()
    assert db.session.query(PortalUser).count() == count


def test_nhansu_cannot_raise_a_teacher_to_principal(login_as):
    c = login_as("nhansu")
    teacher = _user("giaovien")
    before = _snapshot("giaovien")
    token = _token(c, f"/users/edit/{teacher.id}")
    c.post(
        f"/users/edit/{teacher.id}",
        data={
            "csrf_token": token,
            "first_name": teacher.first_name,
            "last_name": teacher.last_name,
            "email": teacher.email,
            "unit": str(teacher.unit_id),
            "person": str(teacher.person_id),
            "roles": [str(_role(roles.ADMIN).id)],
            "active": "y",
        },
    )
    assert _snapshot("giaovien") == before


# -- bulk creation -----------------------------------------------------------------------------
def _bulk(c, unit_id: int):
    token = _token(c)
    return c.post("/accounts/bulk/", data={"csrf_token": token, "unit": str(unit_id)})


def _sheet_rows(content: bytes) -> list[tuple]:
    ws = load_workbook(io.BytesIO(content)).active
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


def test_bulk_creates_accounts_for_staff_without_one(app, login_as):
    c = login_as("so")
    school = _a1_unit_id()
    without = {p.id for p in account_admin.bulk_candidates(db.session.get(Unit, school))}
    assert without
    page = c.get(f"/accounts/bulk/?unit={school}")
    assert page.status_code == 200 and english_ui_words_in(page.get_data(as_text=True)) == []
    response = _bulk(c, school)
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    rows = _sheet_rows(response.data)
    assert rows[0][5] == "Tên đăng nhập"
    body = rows[1:]
    assert len(body) == len(without)
    db.session.expire_all()
    created = db.session.query(PortalUser).filter(PortalUser.person_id.in_(without)).all()
    assert len(created) == len(without)
    by_name = {u.username: u for u in created}
    for row in body:
        username, password = row[5], row[6]
        user = by_name[username]
        assert username.isascii() and username == username.lower()
        assert len(password) >= 12 and policy_errors(password, username) == []
        assert user.must_change_password and user.unit_id == user.person.unit_id
        assert password not in user.password
        expected = account_admin.role_for_position(user.person.position)
        assert [r.name for r in user.roles] == [expected]
    # a password from the sheet logs in, and the change is forced
    username, password = body[0][5], body[0][6]
    fresh = app.test_client()
    assert login(fresh, username, password).status_code == 302
    assert "/resetmypassword/" in fresh.get("/").headers["Location"]
    assert db.session.query(AuditLog).filter_by(action="account_bulk_create").count() == 1
    assert db.session.query(AuditLog).filter_by(action="account_create").count() >= len(without)
    # a second run creates none
    count = db.session.query(PortalUser).count()
    again = _bulk(c, school)
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.query(PortalUser).count() == count


def test_bulk_by_nhansu_skips_principals(login_as):
    c = login_as("nhansu")
    response = _bulk(c, _a1_unit_id())
    assert response.status_code == 200
    names = [r[4] for r in _sheet_rows(response.data)[1:]]
    assert names and roles.HIEU_TRUONG not in names
    assert set(names) <= {roles.GIAO_VIEN, roles.NHAN_VIEN}


def test_bulk_outside_scope_is_404(login_as):
    c = login_as("nhansu")
    other_school = _user("giaovien2").unit_id
    count = db.session.query(PortalUser).count()
    assert _bulk(c, _user("so").unit_id).status_code == 404  # the province: above the school
    token = _token(c, "/accounts/bulk/")
    assert (
        c.post("/accounts/bulk/", data={"csrf_token": token, "unit": str(other_school)}).status_code
        == 404
    )
    assert c.post("/accounts/bulk/", data={"unit": str(_a1_unit_id())}).status_code == 400  # CSRF
    db.session.expire_all()
    assert db.session.query(PortalUser).count() == count


def test_bulk_failure_midway_writes_nothing(login_as, monkeypatch):
    c = login_as("so")
    count = db.session.query(PortalUser).count()
    audits = _audit_count()
    calls = {"n": 0}
    real = account_admin.hash_initial_password

    def failing(password):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return real(password)

    monkeypatch.setattr(account_admin, "hash_initial_password", failing)
    with pytest.raises(RuntimeError):
        _bulk(c, _a1_unit_id())
    db.session.rollback()
    db.session.expire_all()
    assert calls["n"] == 3
    assert db.session.query(PortalUser).count() == count
    assert _audit_count() == audits


def test_usernames_are_folded_and_unique():
    p = Person(full_name="Đặng Thị Ánh Nguyệt", code="CB-000123")
    assert account_admin.username_base(p) == "nguyetdta.cb000123"
    assert account_admin.role_for_position("pho_hieu_truong") == roles.HIEU_TRUONG
    assert account_admin.role_for_position("nhan_vien") == roles.NHAN_VIEN
    assert account_admin.role_for_position("to_truong") == roles.GIAO_VIEN


# -- my account --------------------------------------------------------------------------------
def test_my_account_shows_roles_and_unit(login_as):
    c = login_as("giaovien")
    response = c.get("/users/userinfo/")
    html = response.get_data(as_text=True)
    user = _user("giaovien")
    assert response.status_code == 200
    assert roles.GIAO_VIEN in html and user.unit.name in html and user.person.full_name in html
    assert "/resetmypassword/form" in html
    assert english_ui_words_in(html) == []


# -- roles ---------------------------------------------------------------------------------------
def test_role_list_and_show_are_vietnamese(login_as):
    c = login_as("admin")
    html = c.get("/roles/list/").get_data(as_text=True)
    assert english_ui_words_in(html) == []
    assert roles.BY_NAME[roles.NHAN_SU].description in html
    assert "can_list" not in html
    role = _role(roles.CHUYEN_VIEN_SO)
    show = c.get(f"/roles/show/{role.id}").get_data(as_text=True)
    assert "Xem danh sách" in show and "Xuất Excel" in show and "Xem CCCD và lương" in show
    assert "can_" not in show and "PersonView" not in show
    assert english_ui_words_in(show) == []


def test_catalogue_roles_cannot_be_edited_or_deleted(login_as):
    c = login_as("admin")
    role = _role(roles.GIAO_VIEN)
    before = sorted(pv.id for pv in role.permissions)
    response = c.get(f"/roles/edit/{role.id}", follow_redirects=True)
    assert "tạo vai trò mới thay vì sửa vai trò của danh mục" in response.get_data(as_text=True)
    token = _token(c)
    c.post(f"/roles/edit/{role.id}", data={"csrf_token": token, "name": "Giáo viên 2"})
    c.post(f"/roles/delete/{role.id}", data={"csrf_token": token})
    db.session.expire_all()
    role = _role(roles.GIAO_VIEN)
    assert sorted(pv.id for pv in role.permissions) == before


def test_admin_creates_a_new_role_and_non_admins_cannot(login_as):
    c = login_as("admin")
    token = _token(c, "/roles/add")
    c.post("/roles/add", data={"csrf_token": token, "name": "Thanh tra"})
    assert db.session.query(Role).filter_by(name="Thanh tra").count() == 1
    assert login_as("so").get("/roles/list/").status_code == 403


def test_so_edits_an_account_in_its_province(login_as):
    c = login_as("so")
    teacher = _user("giaovien")
    token = _token(c, f"/users/edit/{teacher.id}")
    response = c.post(
        f"/users/edit/{teacher.id}",
        data={
            "csrf_token": token,
            "first_name": "Nguyễn Thị",
            "last_name": teacher.last_name,
            "email": teacher.email,
            "unit": str(teacher.unit_id),
            "person": str(teacher.person_id),
            "roles": [str(_role(roles.TO_TRUONG).id)],
            "active": "y",
        },
    )
    assert response.status_code == 302
    user = _user("giaovien")
    assert user.first_name == "Nguyễn Thị"
    assert [r.name for r in user.roles] == [roles.TO_TRUONG]
    actions = {
        a for (a,) in db.session.query(AuditLog.action).filter(AuditLog.row_id == str(user.id))
    }
    assert {"update", "role_change"} <= actions


def test_new_role_can_be_edited_but_not_renamed_into_the_catalogue(login_as):
    c = login_as("admin")
    token = _token(c)
    c.post("/roles/add", data={"csrf_token": token, "name": "Thanh tra"})
    role = _role("Thanh tra")
    c.post(f"/roles/edit/{role.id}", data={"csrf_token": token, "name": roles.GIAO_VIEN})
    c.post(f"/roles/edit/{role.id}", data={"csrf_token": token, "name": "Thanh tra Sở"})
    db.session.expire_all()
    assert db.session.get(Role, role.id).name == "Thanh tra Sở"
    show = c.get(f"/roles/show/{role.id}").get_data(as_text=True)
    assert english_ui_words_in(show) == []


def test_copying_a_catalogue_role_makes_an_editable_new_role(login_as):
    c = login_as("admin")
    role = _role(roles.GIAO_VIEN)
    token = _token(c)
    c.post(
        "/roles/action_post",
        data={"csrf_token": token, "action": "copyrole", "rowid": [str(role.id)]},
    )
    db.session.expire_all()
    copy = _role(f"{roles.GIAO_VIEN} (bản sao)")
    assert sorted(pv.id for pv in copy.permissions) == sorted(pv.id for pv in role.permissions)
    assert not account_admin.is_catalogue_role(copy)
