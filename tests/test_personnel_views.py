"""Personnel records through the generated views: list, accent-free search, show with history
tabs, add and edit with Vietnamese errors, stale forms, dd/MM/yyyy dates."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.org.models import Unit
from app.personnel.models import Person
from tests.conftest import csrf_token_from

VALID = {
    "code": "CBTEST01",
    "full_name": "  Trần   Văn   Cường ",
    "birth_date": "05/09/1990",
    "sex": "nam",
    "position": "giao_vien",
    "employment_type": "vien_chuc",
    "status": "active",
    "national_id": "001090099999",
    "start_date": "01/09/2012",
}


def _unit_id(code: str) -> int:
    return db.session.query(Unit.id).filter(Unit.code == code).scalar()


def _form(client, url: str) -> tuple[str, str]:
    page = client.get(url)
    assert page.status_code == 200, url
    html = page.get_data(as_text=True)
    return html, csrf_token_from(html)


def _errors(html: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", e).strip() for e in re.findall(r'alert-danger">(.*?)</div>', html, re.S)
    ]


def test_people_list_is_sorted_paginated_and_vietnamese(login_as):
    c = login_as("admin")
    html = c.get("/personview/list/").get_data(as_text=True)
    assert "Danh sách hồ sơ nhân sự" in html
    assert "Họ và tên" in html and "Ngày sinh" in html
    # Dates show as dd/MM/yyyy, never ISO.
    assert re.search(r">\s*\d{2}/\d{2}/\d{4}\s*<", html)
    assert not re.search(r">\s*\d{4}-\d{2}-\d{2}\s*<", html)
    # 25 rows per page out of about a thousand records.
    assert html.count('name="rowid"') == 25 or html.count("/personview/show/") >= 25


@pytest.mark.parametrize("query", ["dang", "DANG", "đặng", "Đặng"])
def test_search_ignores_accents_and_case(login_as, query):
    c = login_as("admin")
    html = c.get("/personview/list/", query_string={"_flt_0_full_name": query}).get_data(
        as_text=True
    )
    names = set(re.findall(r"Đặng [^<]+", html))
    assert names, f"no 'Đặng …' found for {query!r}"
    expected = db.session.query(Person).filter(Person.name_folded.like("%dang%")).count()
    assert expected > 0


def test_full_name_search_without_accents_finds_accented_name(login_as):
    person = db.session.query(Person).filter(Person.full_name.like("Nguyễn Văn%")).first()
    assert person is not None
    folded = person.name_folded  # e.g. 'nguyen van an'
    c = login_as("admin")
    html = c.get("/personview/list/", query_string={"_flt_0_full_name": folded.upper()}).get_data(
        as_text=True
    )
    assert person.full_name in html


def test_show_page_has_every_history_tab(login_as):
    person = db.session.query(Person).filter(Person.assignments.any()).first()
    c = login_as("admin")
    html = c.get(f"/personview/show/{person.id}").get_data(as_text=True)
    for tab in (
        "Quá trình công tác",
        "Quá trình lương, hạng",
        "Trình độ đào tạo",
        "Chứng chỉ (LLCT, QLNN, ngoại ngữ, tin học)",
        "Đào tạo, bồi dưỡng",
        "Khen thưởng, kỷ luật",
        "Đánh giá, xếp loại viên chức hằng năm",
    ):
        assert tab in html, tab
    assert person.full_name in html


def test_add_person_normalises_and_saves(login_as):
    c = login_as("nhansu")
    _, token = _form(c, "/personview/add")
    data = {**VALID, "csrf_token": token, "unit": str(_unit_id("A1"))}
    response = c.post("/personview/add", data=data)
    assert response.status_code == 302
    person = db.session.query(Person).filter_by(code="CBTEST01").one()
    assert person.full_name == "Trần Văn Cường"
    assert person.name_folded == "tran van cuong"
    assert person.national_id == "001090099999"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("national_id", "12345", "Số CCCD phải gồm đúng 12 chữ số"),
        ("national_id", "00109009999a", "Số CCCD phải gồm đúng 12 chữ số"),
        ("birth_date", "31/02/1990", "không hợp lệ. Hãy nhập theo dạng ngày/tháng/năm"),
        ("birth_date", "01/01/2010", "Ngày sinh không hợp lý"),
        ("birth_date", "01/01/2090", "Ngày sinh không được ở tương lai"),
        ("start_date", "01/01/2099", "không được ở tương lai"),
        ("full_name", "   ", "Trường này là bắt buộc"),
        ("email", "khong-phai-email", "Địa chỉ thư điện tử không hợp lệ"),
    ],
)
def test_bad_input_gets_vietnamese_error_and_nothing_is_written(login_as, field, value, message):
    c = login_as("nhansu")
    before = db.session.query(Person).count()
    _, token = _form(c, "/personview/add")
    data = {**VALID, "csrf_token": token, "unit": str(_unit_id("A1")), field: value}
    response = c.post("/personview/add", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert any(message in e for e in _errors(html)), _errors(html)
    db.session.expire_all()
    assert db.session.query(Person).count() == before


def test_duplicate_national_id_is_refused(login_as):
    other = db.session.query(Person).filter(Person.national_id.isnot(None)).first()
    c = login_as("admin")
    _, token = _form(c, "/personview/add")
    data = {
        **VALID,
        "csrf_token": token,
        "unit": str(_unit_id("A1")),
        "national_id": other.national_id,
    }
    html = c.post("/personview/add", data=data).get_data(as_text=True)
    assert any("Số CCCD này đã có trong một hồ sơ khác" in e for e in _errors(html))
    assert db.session.query(Person).filter_by(code="CBTEST01").count() == 0


def _edit_data(person: Person, token: str, version: str, **changes) -> dict:
    data = {
        **VALID,
        "csrf_token": token,
        "code": person.code,
        "national_id": person.national_id or "",
        "birth_date": person.birth_date.strftime("%d/%m/%Y"),
        "start_date": person.start_date.strftime("%d/%m/%Y") if person.start_date else "",
        "unit": str(person.unit_id),
        "form_version": version,
    }
    data.update(changes)
    return data


def test_edit_saves_and_stale_form_is_refused_keeping_newer_data(login_as):
    a1 = _unit_id("A1")
    person = (
        db.session.query(Person).filter(Person.unit_id == a1, Person.status == "active").first()
    )
    c = login_as("nhansu")
    html, token = _form(c, f"/personview/edit/{person.id}")
    version = re.search(r'id="form_version"[^>]*value="(\d+)"', html).group(1)
    # First save from the form succeeds.
    first = c.post(
        f"/personview/edit/{person.id}",
        data=_edit_data(person, token, version, full_name="Tên Mới Một"),
    )
    assert first.status_code == 302
    # A second tab opened at the same version is now stale.
    stale = c.post(
        f"/personview/edit/{person.id}",
        data=_edit_data(person, token, version, full_name="Tên Cũ Ghi Đè"),
        follow_redirects=True,
    )
    assert "Bản ghi đã được người khác cập nhật" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Person, person.id).full_name == "Tên Mới Một"


def test_add_school_creates_its_unit_under_the_chosen_parent(login_as):
    commune = db.session.query(Unit).filter(Unit.kind == "commune").first()
    c = login_as("admin")
    _, token = _form(c, "/schoolview/add")
    data = {
        "csrf_token": token,
        "code": "ZTEST",
        "name": "Trường Tiểu học Thử Nghiệm",
        "parent": str(commune.id),
        "school_type": "th",
        "ownership": "cong_lap",
        "region": "2",
        "sessions_per_day": "2",
        "classes_th": "10",
        "pupils_th": "320",
    }
    response = c.post("/schoolview/add", data=data)
    assert response.status_code == 302, _errors(response.get_data(as_text=True))
    unit = db.session.query(Unit).filter_by(code="ZTEST").one()
    assert unit.kind == "school"
    assert unit.parent_id == commune.id
    assert unit.path == f"{commune.path}{unit.id}/"
    assert unit.school.pupils_th == 320


def test_own_record_shows_history_tabs_for_teacher(login_as):
    c = login_as("giaovien")
    html = c.get("/my-record/").get_data(as_text=True)
    from app.security.models import PortalUser

    user = db.session.query(PortalUser).filter_by(username="giaovien").one()
    assert user.person.full_name in html
    assert "Quá trình công tác" in html and "Xếp loại hằng năm" in html


def test_lookup_is_accent_free_and_scoped(login_as):
    c = login_as("so")
    data = c.get("/lookup/school", query_string={"q": "cau giay"}).get_json()
    texts = [r["text"] for r in data["results"]]
    assert any("Cầu Giấy" in t for t in texts)
    # Province A's staff never see province B's schools in a dropdown.
    b_schools = c.get("/lookup/school", query_string={"q": ""}).get_json()["results"]
    from app.org.models import School

    ids = {r["id"] for r in b_schools}
    b_ids = {
        s.id
        for s in db.session.query(School).join(Unit, School.unit_id == Unit.id)
        if not s.unit.path.startswith(
            db.session.query(Unit.path).filter(Unit.code == "S01").scalar()
        )
    }
    assert ids and not ids & b_ids


def test_history_row_added_from_the_record_tab(login_as):
    from app.personnel.models import Assignment
    from app.security.models import PortalUser

    hr = db.session.query(PortalUser).filter_by(username="nhansu").one()
    person = db.session.query(Person).filter_by(unit_id=hr.unit_id).first()
    before = db.session.query(Assignment).filter_by(person_id=person.id).count()
    c = login_as("nhansu")
    # The tab's "add" link filters on the person, so the form has no person field.
    html, token = _form(c, f"/assignmentview/add?_flt_0_person={person.id}")
    assert 'name="person"' not in html
    response = c.post(
        f"/assignmentview/add?_flt_0_person={person.id}",
        data={
            "csrf_token": token,
            "unit": str(hr.unit_id),
            "position": "giao_vien",
            "start_date": "01/09/2020",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.query(Assignment).filter_by(person_id=person.id).count() == before + 1


def test_history_tab_for_a_person_outside_scope_is_refused(login_as):
    from app.security.models import PortalUser

    b_teacher = db.session.query(PortalUser).filter_by(username="giaovien2").one().person_id
    c = login_as("nhansu")
    response = c.get(f"/assignmentview/add?_flt_0_person={b_teacher}")
    html = response.get_data(as_text=True)
    # The filter names a person the account cannot see: nothing of theirs is offered.
    assert db.session.get(Person, b_teacher).full_name not in html


@pytest.mark.parametrize("username", ["nhansu", "so"])
def test_reference_dropdowns_are_offered_to_unit_staff(login_as, username):
    # Reference catalogues are 'public' in the scope: every signed-in form can offer them.
    html = login_as(username).get("/personview/add").get_data(as_text=True)
    assert ">Kinh<" in html and ">Tày<" in html


def test_admin_sees_reference_data_with_source_marks(login_as):
    html = login_as("admin").get("/ethnicgroupview/list/").get_data(as_text=True)
    assert "Danh mục dân tộc" in html
    assert "VERIFIED" in html and "FROM MEMORY" in html


def test_empty_and_boolean_values_show_in_vietnamese(login_as):
    person = db.session.query(Person).filter(Person.phone.is_(None)).first()
    html = login_as("admin").get(f"/personview/show/{person.id}").get_data(as_text=True)
    assert not re.search(r">\s*None\s*<", html)
    assert "True" not in html and "False" not in html


def test_record_page_shows_its_change_history_to_hr(login_as):
    a1 = _unit_id("A1")
    person = (
        db.session.query(Person).filter(Person.unit_id == a1, Person.status == "active").first()
    )
    c = login_as("nhansu")
    html, token = _form(c, f"/personview/edit/{person.id}")
    version = re.search(r'id="form_version"[^>]*value="(\d+)"', html).group(1)
    c.post(
        f"/personview/edit/{person.id}",
        data=_edit_data(person, token, version, full_name="Tên Sau Sửa"),
    )
    page = c.get(f"/personview/show/{person.id}").get_data(as_text=True)
    assert "Lịch sử thay đổi hồ sơ" in page
    assert "Tên Sau Sửa" in page and person.full_name in page  # before and after
    # Leaders without access to the audit log see the record without its history.
    assert "Lịch sử thay đổi hồ sơ" not in login_as("lanhdaoso").get(
        f"/personview/show/{person.id}"
    ).get_data(as_text=True)


def test_search_by_national_id_is_a_post_within_scope(login_as):
    from app.security.models import PortalUser

    hr = db.session.query(PortalUser).filter_by(username="nhansu").one()
    own = (
        db.session.query(Person)
        .filter(Person.unit_id == hr.unit_id, Person.national_id.isnot(None))
        .first()
    )
    b_teacher = db.session.query(PortalUser).filter_by(username="giaovien2").one().person
    c = login_as("nhansu")
    html, token = _form(c, "/people/find-by-id/")
    found = c.post(
        "/people/find-by-id/", data={"csrf_token": token, "national_id": own.national_id}
    )
    assert found.status_code == 302
    assert found.headers["Location"].endswith(f"/personview/show/{own.id}")
    assert own.national_id not in found.headers["Location"]
    other = c.post(
        "/people/find-by-id/", data={"csrf_token": token, "national_id": b_teacher.national_id}
    )
    assert "Không tìm thấy hồ sơ có số CCCD này trong phạm vi của bạn" in other.get_data(
        as_text=True
    )
    # A query string is never used for the search.
    assert c.get(f"/people/find-by-id/?national_id={own.national_id}").status_code == 200
    # Roles that may not see national IDs can't search by them either.
    assert login_as("xa").get("/people/find-by-id/").status_code == 403
