"""Deny-by-default unit scope, path by path, for every demo role.

For each account we take one record inside its scope and one outside, and try
every read and write path: list, show, edit (GET and POST), delete, the mass
action, the REST API (GET/PUT/DELETE and a POST naming another province's unit),
related-field lookups, history tabs and the school records. Refusals must look
like a missing row (404) — and the database must be unchanged afterwards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from app.extensions import db
from app.org.models import School, Unit
from app.personnel.models import Assignment, Person
from app.security.models import PortalUser
from tests.conftest import csrf_token_from

ALL_SCOPE = ["admin", "bo"]
UNIT_SCOPE = ["so", "lanhdaoso", "xa", "hieutruong", "nhansu"]
SELF_SCOPE = ["totruong", "giaovien", "giaovien2"]
EVERY_ROLE = ALL_SCOPE + UNIT_SCOPE + SELF_SCOPE
WRITERS = ["admin", "so", "nhansu"]  # roles with add/edit/delete on Person


@dataclass
class Case:
    inside: Person
    outside: Person


def _user(username: str) -> PortalUser:
    return db.session.query(PortalUser).filter_by(username=username).one()


def _province_b_person() -> Person:
    b_path = db.session.query(Unit.path).filter(Unit.code == _other_province_code()).scalar()
    return (
        db.session.query(Person)
        .join(Unit, Person.unit_id == Unit.id)
        .filter(Unit.path.startswith(b_path))
        .order_by(Person.id)
        .first()
    )


def _other_province_code() -> str:
    b_user = _user("giaovien2")
    province = b_user.unit
    while province.kind != "province":
        province = province.parent
    return province.code


def _case(username: str) -> Case:
    user = _user(username)
    a1_person = (
        db.session.query(Person)
        .filter(
            Person.unit_id == _user("hieutruong").unit_id, Person.id != _user("giaovien").person_id
        )
        .order_by(Person.id)
        .first()
    )
    if username in ALL_SCOPE:
        return Case(inside=_province_b_person(), outside=None)  # type: ignore[arg-type]
    if username in UNIT_SCOPE:
        return Case(inside=a1_person, outside=_province_b_person())
    own = user.person
    other = a1_person if username != "giaovien2" else a1_person
    if other.id == own.id:
        other = db.session.query(Person).filter(Person.id != own.id).first()
    return Case(inside=own, outside=other)


def _snapshot(person_id: int) -> tuple:
    db.session.expire_all()
    p = db.session.get(Person, person_id)
    return (p.full_name, p.unit_id, p.version_id, p.status) if p else None


# -- reads -------------------------------------------------------------------------------


@pytest.mark.parametrize("username", UNIT_SCOPE + SELF_SCOPE)
def test_show_and_edit_pages_outside_scope_are_404(login_as, username):
    case = _case(username)
    c = login_as(username)
    for action in ("show", "edit"):
        status = c.get(f"/personview/{action}/{case.outside.id}").status_code
        # Without the permission: 403. With it, a row outside the scope is "not found".
        allowed = username in UNIT_SCOPE and (action == "show" or username in WRITERS)
        assert status == (404 if allowed else 403), (username, action, status)


@pytest.mark.parametrize("username", UNIT_SCOPE)
def test_show_inside_scope_works(login_as, username):
    case = _case(username)
    c = login_as(username)
    response = c.get(f"/personview/show/{case.inside.id}")
    assert response.status_code == 200
    assert case.inside.full_name in response.get_data(as_text=True)


@pytest.mark.parametrize("username", EVERY_ROLE)
def test_list_contains_only_rows_in_scope(login_as, username):
    case = _case(username)
    c = login_as(username)
    response = c.get("/personview/list/", query_string={"_flt_0_code": case.inside.code})
    if username in SELF_SCOPE:
        assert response.status_code == 403
        return
    assert case.inside.full_name in response.get_data(as_text=True)
    if case.outside is not None:
        html = c.get("/personview/list/", query_string={"_flt_0_code": case.outside.code}).get_data(
            as_text=True
        )
        assert case.outside.full_name not in html


def test_unknown_and_out_of_scope_ids_look_the_same(login_as):
    case = _case("so")
    c = login_as("so")
    missing = c.get("/personview/show/99999999")
    hidden = c.get(f"/personview/show/{case.outside.id}")
    assert missing.status_code == hidden.status_code == 404

    def body(r):  # the CSP nonce differs per response; nothing else may
        return re.sub(r'nonce="[^"]*"', "", r.get_data(as_text=True))

    assert body(missing) == body(hidden)


@pytest.mark.parametrize("username", EVERY_ROLE)
def test_api_get_outside_scope_is_404(login_as, username):
    case = _case(username)
    c = login_as(username)
    if case.outside is None:
        assert c.get(f"/api/v1/person/{case.inside.id}").status_code == 200
        return
    response = c.get(f"/api/v1/person/{case.outside.id}")
    assert response.status_code in ((403,) if username in SELF_SCOPE else (404,)), (
        response.status_code
    )
    listing = c.get(
        "/api/v1/person/",
        query_string={
            "q": f'(page_size:100,filters:!((col:code,opr:eq,value:"{case.outside.code}")))'
        },
    )
    if listing.status_code == 200:
        assert listing.get_json()["count"] == 0


@pytest.mark.parametrize("username", EVERY_ROLE)
def test_lookup_dropdowns_are_scoped(login_as, username):
    case = _case(username)
    c = login_as(username)
    results = c.get("/lookup/person", query_string={"q": case.inside.name_folded}).get_json()[
        "results"
    ]
    assert case.inside.id in {r["id"] for r in results}
    if case.outside is not None:
        results = c.get("/lookup/person", query_string={"q": case.outside.name_folded}).get_json()[
            "results"
        ]
        assert case.outside.id not in {r["id"] for r in results}


@pytest.mark.parametrize("username", ["so", "lanhdaoso", "hieutruong", "nhansu"])
def test_history_tab_rows_outside_scope_are_404(login_as, username):
    case = _case(username)
    assignment = db.session.query(Assignment).filter_by(person_id=case.outside.id).first()
    c = login_as(username)
    assert c.get(f"/assignmentview/show/{assignment.id}").status_code == 404


@pytest.mark.parametrize("username", ["so", "lanhdaoso", "xa", "hieutruong"])
def test_school_of_other_province_is_404(login_as, username):
    b_path = db.session.query(Unit.path).filter(Unit.code == _other_province_code()).scalar()
    school = (
        db.session.query(School)
        .join(Unit, School.unit_id == Unit.id)
        .filter(Unit.path.startswith(b_path))
        .first()
    )
    c = login_as(username)
    assert c.get(f"/schoolview/show/{school.id}").status_code == 404
    assert c.get(f"/api/v1/school/{school.id}").status_code == 404


def test_teacher_own_record_is_own(login_as):
    c = login_as("giaovien")
    html = c.get("/my-record/").get_data(as_text=True)
    assert _user("giaovien").person.full_name in html
    assert _case("giaovien").outside.full_name not in html


# -- writes ------------------------------------------------------------------------------


def _token(c) -> str:
    return csrf_token_from(c.get("/personview/list/").get_data(as_text=True))


@pytest.mark.parametrize("username", ["so", "nhansu"])
def test_edit_post_outside_scope_is_refused_and_nothing_changes(login_as, username):
    case = _case(username)
    before = _snapshot(case.outside.id)
    c = login_as(username)
    response = c.post(
        f"/personview/edit/{case.outside.id}",
        data={"csrf_token": _token(c), "full_name": "Bị Sửa Trái Phép", "code": case.outside.code},
    )
    assert response.status_code == 404
    assert _snapshot(case.outside.id) == before


@pytest.mark.parametrize("username", ["so", "nhansu"])
def test_delete_outside_scope_is_refused(login_as, username):
    case = _case(username)
    c = login_as(username)
    response = c.post(f"/personview/delete/{case.outside.id}", data={"csrf_token": _token(c)})
    assert response.status_code == 404
    assert _snapshot(case.outside.id) is not None


@pytest.mark.parametrize("username", ["so", "nhansu"])
def test_moving_a_record_into_another_province_is_refused(login_as, username):
    case = _case(username)
    before = _snapshot(case.inside.id)
    b_unit = _province_b_person().unit_id
    c = login_as(username)
    html = c.get(f"/personview/edit/{case.inside.id}").get_data(as_text=True)
    p = case.inside
    response = c.post(
        f"/personview/edit/{p.id}",
        data={
            "csrf_token": csrf_token_from(html),
            "code": p.code,
            "full_name": p.full_name,
            "birth_date": p.birth_date.strftime("%d/%m/%Y"),
            "sex": p.sex,
            "position": p.position,
            "employment_type": p.employment_type,
            "status": p.status,
            "unit": str(b_unit),
            "form_version": str(p.version_id),
        },
    )
    assert "nằm ngoài phạm vi của bạn" in response.get_data(as_text=True)
    assert _snapshot(case.inside.id) == before


@pytest.mark.parametrize("username", ["so", "nhansu"])
def test_mass_action_with_a_row_outside_scope_is_refused(login_as, username):
    case = _case(username)
    c = login_as(username)
    response = c.post(
        "/personview/action_post",
        data={
            "csrf_token": _token(c),
            "action": "export_xlsx",
            "rowid": [case.inside.id, case.outside.id],
        },
    )
    assert response.status_code == 404
    ok = c.post(
        "/personview/action_post",
        data={"csrf_token": _token(c), "action": "export_xlsx", "rowid": [case.inside.id]},
    )
    assert ok.status_code == 200
    assert ok.mimetype.endswith("spreadsheetml.sheet")


@pytest.mark.parametrize("username", ["so", "nhansu"])
def test_api_post_into_another_province_is_refused(login_as, username):
    b_unit = _province_b_person().unit_id
    c = login_as(username)
    before = db.session.query(Person).count()
    body = {
        "code": "APIOUT1",
        "full_name": "Người Ngoài Phạm Vi",
        "birth_date": "1990-01-01",
        "sex": "nu",
        "unit": b_unit,
        "position": "giao_vien",
        "employment_type": "vien_chuc",
        "status": "active",
    }
    response = c.post("/api/v1/person/", json=body, headers={"X-CSRFToken": _token(c)})
    assert response.status_code == 404, response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.query(Person).count() == before
    assert db.session.query(Person).filter_by(code="APIOUT1").count() == 0


@pytest.mark.parametrize("username", ["so", "nhansu"])
def test_api_put_and_delete_outside_scope_are_404(login_as, username):
    case = _case(username)
    before = _snapshot(case.outside.id)
    c = login_as(username)
    headers = {"X-CSRFToken": _token(c)}
    put = c.put(
        f"/api/v1/person/{case.outside.id}", json={"full_name": "Sửa Qua API"}, headers=headers
    )
    delete = c.delete(f"/api/v1/person/{case.outside.id}", headers=headers)
    assert put.status_code == 404
    assert delete.status_code == 404
    assert _snapshot(case.outside.id) == before


def test_api_put_moving_own_record_out_of_scope_is_refused(login_as):
    case = _case("so")
    before = _snapshot(case.inside.id)
    c = login_as("so")
    response = c.put(
        f"/api/v1/person/{case.inside.id}",
        json={"unit": _province_b_person().unit_id},
        headers={"X-CSRFToken": _token(c)},
    )
    assert response.status_code == 404
    assert _snapshot(case.inside.id) == before


def test_api_post_inside_scope_works(login_as):
    c = login_as("nhansu")
    body = {
        "code": "APIIN1",
        "full_name": "Người Trong Phạm Vi",
        "birth_date": "1990-01-01",
        "sex": "nu",
        "unit": _user("nhansu").unit_id,
        "position": "giao_vien",
        "employment_type": "vien_chuc",
        "status": "active",
    }
    response = c.post("/api/v1/person/", json=body, headers={"X-CSRFToken": _token(c)})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert (
        db.session.query(Person).filter_by(code="APIIN1").one().name_folded == "nguoi trong pham vi"
    )


def test_state_change_over_get_is_refused(login_as):
    case = _case("nhansu")
    c = login_as("nhansu")
    c.get(f"/personview/delete/{case.inside.id}")
    assert _snapshot(case.inside.id) is not None


def test_post_without_csrf_token_is_refused(login_as):
    case = _case("nhansu")
    c = login_as("nhansu")
    response = c.post(f"/personview/delete/{case.inside.id}")
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert _snapshot(case.inside.id) is not None


@pytest.mark.parametrize("username", ["xa", "totruong"])
def test_sensitive_fields_are_masked_for_roles_that_dont_need_them(login_as, username):
    c = login_as(username)
    if username == "xa":
        case = _case("xa")
        person = case.inside
        html = c.get(f"/personview/show/{person.id}").get_data(as_text=True)
        if person.national_id:
            assert person.national_id not in html
            assert person.national_id[-3:] in html
        api = c.get(f"/api/v1/person/{person.id}").get_json()["result"]
        assert api.get("national_id") in (None, "") or "•" in api["national_id"]
    else:
        # A group leader has no access to colleagues' records at all.
        assert c.get(f"/api/v1/person/{_case('totruong').outside.id}").status_code in (403, 404)


def test_sensitive_fields_visible_to_hr(login_as):
    person = (
        db.session.query(Person)
        .filter(Person.unit_id == _user("nhansu").unit_id, Person.national_id.isnot(None))
        .first()
    )
    c = login_as("nhansu")
    assert person.national_id in c.get(f"/personview/show/{person.id}").get_data(as_text=True)


def test_api_info_has_no_catalog_header_in_descriptions(login_as):
    c = login_as("admin")
    info = c.get("/api/v1/person/_info").get_json()
    text = str(info)
    assert "Content-Type" not in text and "Plural-Forms" not in text
    assert {f["name"]: f["description"] for f in info["add_columns"]}["full_name"] == ""
