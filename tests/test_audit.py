"""Audit log: row changes with before/after, account and login events, append-only, scope."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from flask import g

from app.extensions import db
from app.personnel.models import Person
from app.security.audit import AuditLogIsAppendOnly, audit_for
from app.security.audit_models import AuditLog
from app.security.models import PortalUser
from app.security.scope import ALL_SCOPE
from tests.conftest import DEMO_PASSWORD, login, logout


def _user(username: str) -> PortalUser:
    return db.session.query(PortalUser).filter_by(username=username).one()


def _rows(**filters) -> list[AuditLog]:
    db.session.expire_all()
    return db.session.query(AuditLog).filter_by(**filters).order_by(AuditLog.id).all()


def _new_person(unit_id: int, code: str, national_id: str = "001234567890") -> Person:
    return Person(
        code=code,
        full_name="Nguyễn Văn Kiểm Tra",
        birth_date=dt.date(1990, 5, 17),
        sex="nam",
        unit_id=unit_id,
        national_id=national_id,
    )


@pytest.fixture
def as_actor(app):
    """Run ORM changes inside a request made by `username` (from IP 10.9.8.7)."""
    contexts = []

    def _enter(username: str | None, display: str | None = None):
        ctx = app.test_request_context("/", environ_base={"REMOTE_ADDR": "10.9.8.7"})
        ctx.push()
        contexts.append(ctx)
        if username:
            user = _user(username)
            g.audit_actor = (user.id, display or user.username, user.unit_id)
        return ctx

    yield _enter
    for ctx in reversed(contexts):
        ctx.pop()


def test_person_create_update_delete_have_before_and_after(app, as_actor):
    as_actor("nhansu")
    nhansu = _user("nhansu")
    person = _new_person(nhansu.unit_id, "KT-0001")
    db.session.add(person)
    db.session.commit()
    pid = str(person.id)

    created = _rows(table_name="person", row_id=pid)
    assert [r.action for r in created] == ["create"]
    row = created[0]
    assert (row.user_id, row.username, row.ip) == (nhansu.id, "nhansu", "10.9.8.7")
    assert row.unit_id == nhansu.unit_id
    changes = json.loads(row.changes)
    assert changes["full_name"] == [None, "Nguyễn Văn Kiểm Tra"]
    assert changes["birth_date"] == [None, "1990-05-17"]
    assert changes["national_id"] == [None, "*********890"]  # only the last 3 digits

    person.full_name = "Nguyễn Văn Đã Sửa"
    person.national_id = "001234567999"
    db.session.commit()
    update = _rows(table_name="person", row_id=pid, action="update")
    assert len(update) == 1
    changes = json.loads(update[0].changes)
    assert changes["full_name"] == ["Nguyễn Văn Kiểm Tra", "Nguyễn Văn Đã Sửa"]
    assert changes["national_id"] == ["*********890", "*********999"]
    assert "version_id" not in changes and "code" not in changes

    db.session.delete(person)
    db.session.commit()
    deleted = _rows(table_name="person", row_id=pid, action="delete")
    assert len(deleted) == 1
    assert json.loads(deleted[0].changes)["full_name"] == ["Nguyễn Văn Đã Sửa", None]
    # the record's history, newest first
    history = audit_for("person", pid, scope=ALL_SCOPE).all()
    assert [r.action for r in history] == ["delete", "update", "create"]


def test_history_row_gets_the_unit_of_its_person(app, as_actor):
    from app.personnel.models import AnnualRating

    as_actor("admin")
    person = db.session.query(Person).filter(Person.unit_id == _user("giaovien").unit_id).first()
    rating = AnnualRating(person_id=person.id, year=2099, result="tot", note="kiểm tra")
    db.session.add(rating)
    db.session.commit()
    rid = str(rating.id)
    rating.note = "đã sửa"
    db.session.commit()
    db.session.delete(rating)
    db.session.commit()
    rows = _rows(table_name="annual_rating", row_id=rid)
    assert [r.action for r in rows] == ["create", "update", "delete"]
    # the admin's own unit is the Bộ: every row is attributed to the person's unit instead
    assert {r.unit_id for r in rows} == {person.unit_id}
    assert json.loads(rows[1].changes) == {"note": ["kiểm tra", "đã sửa"]}


def test_audit_rows_share_the_transaction(app, as_actor):
    as_actor("nhansu")
    before = db.session.query(AuditLog).count()
    person = _new_person(_user("nhansu").unit_id, "KT-0002", "001234500000")
    db.session.add(person)
    db.session.flush()  # the audit row is written by this flush...
    assert db.session.query(AuditLog).count() == before + 1
    db.session.rollback()  # ...and goes away with the change
    assert db.session.query(AuditLog).count() == before
    assert db.session.query(Person).filter_by(code="KT-0002").count() == 0


def test_audit_log_is_append_only(app):
    row = db.session.query(AuditLog).first() or AuditLog(action="login")
    if row.id is None:
        db.session.add(row)
        db.session.commit()
    row.action = "logout"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditLog, row.id))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()


def test_login_and_failed_login_rows(app, client):
    start = db.session.query(AuditLog.id).order_by(AuditLog.id.desc()).limit(1).scalar() or 0
    login(client, "giaovien", "sai-mat-khau-123")
    login(client, "khong-co-ai", "sai-mat-khau-123")
    login(client, "giaovien", DEMO_PASSWORD)
    logout(client)
    rows = [r for r in _rows() if r.id > start]
    teacher = _user("giaovien")
    assert [(r.action, r.username) for r in rows] == [
        ("login_failed", "giaovien"),
        ("login_failed", "khong-co-ai"),
        ("login", "giaovien"),
        ("logout", "giaovien"),
    ]
    assert json.loads(rows[0].changes) == {"reason": "password"}
    assert json.loads(rows[1].changes) == {"reason": "unknown_user"}
    assert rows[1].user_id is None
    assert rows[2].user_id == teacher.id and rows[2].unit_id == teacher.unit_id
    assert rows[2].ip == "127.0.0.1"


def test_account_events(app, as_actor):
    sm = app.appbuilder.sm
    as_actor("admin")
    admin = _user("admin")
    role = sm.find_role("Giáo viên")
    new = sm.add_user(
        "gv.kiemtra", "Kiểm", "Tra", "gv.kiemtra@example.vn", role, password="một mật khẩu dài"
    )
    new.unit_id = _user("giaovien").unit_id
    db.session.commit()
    created = _rows(table_name="ab_user", row_id=str(new.id), action="account_create")
    assert len(created) == 1
    changes = json.loads(created[0].changes)
    assert changes["password"] == [None, "***"]
    assert changes["roles"] == [[], ["Giáo viên"]]
    assert created[0].user_id == admin.id

    new.roles = [sm.find_role("Hiệu trưởng")]
    db.session.commit()
    role_rows = _rows(table_name="ab_user", row_id=str(new.id), action="role_change")
    assert json.loads(role_rows[0].changes)["roles"] == [["Giáo viên"], ["Hiệu trưởng"]]

    sm.reset_password(new.id, "mật khẩu tạm thời mới")
    reset = _rows(table_name="ab_user", row_id=str(new.id), action="account_reset")
    assert len(reset) == 1 and json.loads(reset[0].changes)["password"] == ["***", "***"]
    assert _user("gv.kiemtra").must_change_password is True

    new = _user("gv.kiemtra")
    new.active = False
    db.session.commit()
    assert len(_rows(table_name="ab_user", row_id=str(new.id), action="account_disable")) == 1
    # login bookkeeping is not logged as an account change
    count = len(_rows(table_name="ab_user", row_id=str(new.id)))
    new = _user("gv.kiemtra")
    new.login_count = 7
    new.fail_login_count = 2
    db.session.commit()
    assert len(_rows(table_name="ab_user", row_id=str(new.id))) == count


def test_own_password_change_is_password_change(app, login_as):
    client = login_as("giaovien")
    page = client.get("/resetmypassword/form").get_data(as_text=True)
    from tests.conftest import csrf_token_from

    new = "cây bàng trước cổng trường 2026"
    client.post(
        "/resetmypassword/form",
        data={
            "current_password": DEMO_PASSWORD,
            "password": new,
            "conf_password": new,
            "csrf_token": csrf_token_from(page),
        },
    )
    teacher = _user("giaovien")
    rows = _rows(table_name="ab_user", row_id=str(teacher.id), action="password_change")
    assert len(rows) == 1 and rows[0].user_id == teacher.id


def _audit_row_for_unit(as_actor, person: Person, marker: str) -> AuditLog:
    as_actor("admin", display=marker)
    person.phone = "0900000000" if person.phone != "0900000000" else "0911111111"
    db.session.commit()
    row = _rows(table_name="person", row_id=str(person.id), action="update")[-1]
    assert row.username == marker
    return row


def test_audit_view_shows_only_the_viewers_scope(app, as_actor, login_as):
    province_b_unit = _user("giaovien2").unit_id
    person_a = db.session.query(Person).filter(Person.unit_id == _user("giaovien").unit_id).first()
    person_b = db.session.query(Person).filter(Person.unit_id == province_b_unit).first()
    row_a = _audit_row_for_unit(as_actor, person_a, "nguoi-sua-tinh-a")
    row_b = _audit_row_for_unit(as_actor, person_b, "nguoi-sua-tinh-b")
    assert row_a.unit_id == person_a.unit_id and row_b.unit_id == province_b_unit

    so = login_as("so")  # Chuyên viên Sở of province A
    page = so.get("/auditlogview/list/?psize_AuditLogView=100")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "nguoi-sua-tinh-a" in html
    assert "nguoi-sua-tinh-b" not in html
    assert so.get(f"/auditlogview/show/{row_a.id}").status_code == 200
    assert so.get(f"/auditlogview/show/{row_b.id}").status_code == 404
    # read-only: no edit or delete, even on a row in scope
    assert so.get(f"/auditlogview/edit/{row_a.id}").status_code in (302, 403)
    assert so.get(f"/auditlogview/delete/{row_a.id}").status_code in (302, 403, 405)
    assert db.session.get(AuditLog, row_a.id) is not None

    admin_html = login_as("admin").get("/auditlogview/list/?psize_AuditLogView=100")
    assert "nguoi-sua-tinh-b" in admin_html.get_data(as_text=True)
    # a teacher has no access to the log at all
    teacher = login_as("giaovien").get("/auditlogview/list/")
    assert teacher.status_code in (302, 403)


def test_audit_view_filters_by_table_and_user(app, as_actor, login_as):
    person = db.session.query(Person).filter(Person.unit_id == _user("giaovien").unit_id).first()
    _audit_row_for_unit(as_actor, person, "nguoi-loc-thu")
    admin = login_as("admin")
    html = admin.get(
        "/auditlogview/list/?_flt_0_username=nguoi-loc-thu&_flt_0_table_name=person"
    ).get_data(as_text=True)
    assert "nguoi-loc-thu" in html
    other = admin.get("/auditlogview/list/?_flt_0_table_name=ab_user").get_data(as_text=True)
    assert "nguoi-loc-thu" not in other


def test_audit_for_is_scoped(app, as_actor):
    from app.security.scope import Scope

    person_b = db.session.query(Person).filter(Person.unit_id == _user("giaovien2").unit_id).first()
    _audit_row_for_unit(as_actor, person_b, "nguoi-sua-b")
    so = _user("so")
    with app.test_request_context("/"):
        from flask_login import login_user

        login_user(so)
        g.pop("_portal_scope", None)
        g._portal_scope = Scope("unit", so.unit.id, so.unit.path)
        assert audit_for("person", person_b.id).count() == 0
    with app.test_request_context("/"):
        g.pop("_portal_scope", None)
        login_user(_user("admin"))
        assert audit_for("person", person_b.id).count() >= 1


def test_record_history_macro_renders(app, as_actor):
    from flask import render_template_string

    as_actor("nhansu")
    person = _new_person(_user("nhansu").unit_id, "KT-0003", "001234511111")
    db.session.add(person)
    db.session.commit()
    person.full_name = "Trần Thị Lịch Sử"
    db.session.commit()
    rows = audit_for("person", person.id, scope=ALL_SCOPE).all()
    html = render_template_string(
        '{% from "security/_audit.html" import audit_history %}{{ audit_history(rows) }}',
        rows=rows,
    )
    assert "Trần Thị Lịch Sử" in html and "Nguyễn Văn Kiểm Tra" in html
    assert "*********111" in html and "001234511111" not in html
    assert "Sửa" in html and "Thêm mới" in html
