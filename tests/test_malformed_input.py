"""Malformed input never gives 500 (issue 8, item 5).

Sent as an attacker would: Unicode digits that pass str.isdigit() ('²'), ids too large for
the database's integer columns, non-numeric list parameters, a 12 MB JSON body and deeply
nested JSON or rison to the REST API. The answer is the first page, a 404 like a missing
row, a 400 or a 413, on the portal's Vietnamese error page (JSON message on the API).
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.personnel.models import RankHistory
from app.security.models import PortalUser
from app.training.models import Module, TrainingNeed, TrainingPlan
from tests.conftest import DEMO_PASSWORD, csrf_token_from

BIG = "99999999999999999999"  # > 2**63 too: "integer out of range" on PostgreSQL
HUGE = "9" * 5000  # beyond int()'s 4,300-digit limit
NOT_FOUND = "Không tìm thấy trang hoặc bản ghi"
BAD_REQUEST = "Yêu cầu không hợp lệ"


@pytest.fixture
def app(app):
    """Errors render as they do in production (a 500 page, not a raised exception)."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


# --------------------------------------------------------------------------- the helper


@pytest.mark.parametrize(
    ("value", "bounds", "expected"),
    [
        ("42", {}, 42),
        ("0042", {}, 42),
        ("-3", {}, -3),
        (7, {}, 7),
        ("²", {}, None),  # str.isdigit() says yes, int() says no
        ("٣", {}, None),  # int() would read it as 3
        ("1_000", {}, None),
        (" 12", {}, None),
        ("12.0", {}, None),
        ("abc", {}, None),
        ("", {}, None),
        (None, {}, None),
        (True, {}, None),
        (HUGE, {}, None),
        ("0", {"min": 1}, None),
        ("4", {"min": 1, "max": 3}, None),
        ("3", {"min": 1, "max": 3}, 3),
        (str(2**31 - 1), {"max": 2**31 - 1}, 2**31 - 1),
        (str(2**31), {"max": 2**31 - 1}, None),
    ],
)
def test_parse_int_accepts_ascii_digits_within_bounds(value, bounds, expected):
    from app.text import parse_int

    assert parse_int(value, **bounds) == expected


def test_parse_id_is_a_positive_database_integer():
    from app.text import DB_INT_MAX, parse_id

    assert parse_id("1") == 1 and parse_id(str(DB_INT_MAX)) == DB_INT_MAX
    assert parse_id("0") is None and parse_id("-1") is None and parse_id(BIG) is None


# --------------------------------------------------------------------------- pages

# (user, url, expected status). {person} is a person with salary history.
PAGES = [
    ("admin", "/evaluation/progress/?page=²", 200),
    ("admin", "/training/progress/?page=²", 200),
    ("admin", "/lookup/person?page=²", 200),
    ("admin", "/accounts/bulk/?unit=²", 404),
    ("so", f"/accounts/bulk/?unit={BIG}", 404),
    ("admin", f"/personview/show/{BIG}", 404),
    ("admin", f"/personview/edit/{BIG}", 404),
    ("admin", f"/personview/show/{HUGE}", 404),
    ("admin", f"/personview/action/noop/{BIG}", 404),
    ("admin", f"/personview/list/?page_PersonView={BIG}", 200),
    ("admin", "/personview/list/?page_PersonView=abc", 200),
    ("admin", "/personview/list/?psize_PersonView=abc", 200),
    ("admin", "/personview/list/?page_PersonView=-5", 200),
    ("admin", f"/personview/list/?_flt_0_unit={BIG}", 200),
    ("admin", f"/rankhistoryview/list/?_flt_0_step={BIG}", 400),
    ("admin", "/personview/show/{person}?page_RankHistoryView=²", 200),
    ("admin", f"/unitview/show/{BIG}", 404),
    ("admin", f"/evaluation/{BIG}", 404),
    ("admin", f"/evaluation/{HUGE}", 404),
    ("admin", "/evaluation/٣", 404),
    ("admin", f"/evaluation/evidence/{BIG}", 404),
    ("admin", f"/evaluation/progress/?school={BIG}", 404),
    ("admin", f"/training/progress/?unit={BIG}", 404),
    ("admin", f"/training/plan/{BIG}", 404),
    ("admin", f"/users/show/{BIG}", 404),
    ("admin", f"/resetpassword/form?pk={BIG}", 404),
    ("admin", f"/roles/show/{BIG}", 404),
    ("admin", f"/groups/show/{BIG}", 404),
    ("admin", f"/groups/edit/{BIG}", 404),
]


def _person_with_history() -> int:
    return db.session.scalar(select(RankHistory.person_id).order_by(RankHistory.id).limit(1))


@pytest.mark.parametrize(("username", "url", "status"), PAGES)
def test_malformed_page_requests_never_fail(app, login_as, username, url, status):
    client = login_as(username)
    response = client.get(url.format(person=_person_with_history()))
    html = response.get_data(as_text=True)
    assert response.status_code == status, (url, response.status_code)
    if status == 404:
        assert NOT_FOUND in html
    elif status == 400:
        assert BAD_REQUEST in html


def test_unicode_digit_page_is_the_first_page(app, login_as):
    client = login_as("admin")
    first = client.get("/personview/list/").get_data(as_text=True)
    for url in ("/personview/list/?page_PersonView=²", f"/personview/list/?page_PersonView={BIG}"):
        html = client.get(url).get_data(as_text=True)
        rows = re.findall(r"/personview/show/(\d+)", html)
        assert rows and rows == re.findall(r"/personview/show/(\d+)", first)


# --------------------------------------------------------------------------- forms


def _person_id(username: str) -> int:
    return db.session.scalar(select(PortalUser.person_id).where(PortalUser.username == username))


def _csrf(client, url: str) -> str:
    return csrf_token_from(client.get(url).get_data(as_text=True))


def test_forged_level_key_with_unicode_digit_is_ignored(app, login_as):
    teacher = login_as("giaovien")
    token = _csrf(teacher, "/evaluation/mine")
    started = teacher.post("/evaluation/start", data={"csrf_token": token})
    pk = started.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    html = teacher.get(f"/evaluation/{pk}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    response = teacher.post(
        f"/evaluation/{pk}/save",
        data={
            "csrf_token": csrf_token_from(html),
            "version": version,
            "action": "save",
            "level_²": "1",
            "remove_link_²": "1",
            "reuse_1": BIG,
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert "Đã lưu bản nháp" in teacher.get(f"/evaluation/{pk}").get_data(as_text=True)


def test_forged_need_and_priority_fields(app, login_as):
    teacher = login_as("giaovien")
    module = db.session.scalar(select(Module).order_by(Module.code).limit(1))
    response = teacher.post(
        "/training/needs",
        data={
            "csrf_token": _csrf(teacher, "/training/needs"),
            "need_²": "1",
            f"need_{BIG}": "1",
            f"need_{module.id}": "1",
            f"priority_{module.id}": "abc",
            "free_1": "Dạy học trực tuyến",
            "free_priority_1": "²",
        },
    )
    assert response.status_code == 302
    needs = db.session.scalars(
        select(TrainingNeed).where(TrainingNeed.person_id == _person_id("giaovien"))
    )
    assert sorted((n.module_id, n.priority) for n in needs if n.module_id) == [(module.id, 2)]


def test_forged_plan_module_key_and_periods(app, login_as):
    teacher = login_as("giaovien")
    teacher.post(
        "/training/plan/start",
        data={"csrf_token": _csrf(teacher, "/training/plan")},
    )
    plan = db.session.scalar(
        select(TrainingPlan).where(TrainingPlan.person_id == _person_id("giaovien"))
    )
    response = teacher.post(
        f"/training/plan/{plan.id}/save",
        data={
            "csrf_token": _csrf(teacher, f"/training/plan/{plan.id}"),
            "version": str(plan.version_id),
            "action": "save",
            "module_²": "1",
            f"module_{BIG}": "1",
        },
    )
    assert response.status_code == 302


# --------------------------------------------------------------------------- REST API


def _jwt(client, username: str = "admin") -> dict[str, str]:
    response = client.post(
        "/api/v1/security/login",
        json={"username": username, "password": DEMO_PASSWORD, "provider": "db"},
    )
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


NESTED_JSON = b"[" * 100_000
API = [
    ("get", f"/api/v1/person/{BIG}", {}, 404),
    ("get", f"/api/v1/person/{HUGE}", {}, 404),
    ("put", f"/api/v1/person/{BIG}", {"json": {"full_name": "Nguyễn Văn A"}}, 404),
    ("delete", f"/api/v1/person/{BIG}", {}, 404),
    ("get", f"/api/v1/person/?q=(page:{BIG},page_size:10)", {}, 200),
    ("get", "/api/v1/person/?q=(page:-3,page_size:10)", {}, 200),
    ("get", f"/api/v1/person/?q=(filters:!((col:unit,opr:rel_o_m,value:{BIG})))", {}, 200),
    ("get", "/api/v1/person/?q=" + "(" * 3000, {}, 400),
    ("get", "/api/v1/person/?q=" + "!(" * 2000, {}, 400),
    ("get", "/api/v1/person/?q=" + "[" * 3000, {}, 400),
    ("post", "/api/v1/person/", {"data": NESTED_JSON, "content_type": "application/json"}, 400),
    (
        "post",
        "/api/v1/person/",
        {
            "data": b'{"full_name": "' + b"a" * (12 * 1024 * 1024) + b'"}',
            "content_type": "application/json",
        },
        413,
    ),
    (
        "put",
        "/api/v1/person/1",
        {
            "data": b'{"full_name": "' + b"a" * (2 * 1024 * 1024) + b'"}',
            "content_type": "application/json",
        },
        413,
    ),
]


@pytest.mark.parametrize("auth", ["jwt", "session"])
@pytest.mark.parametrize(("method", "url", "kwargs", "status"), API)
def test_malformed_api_requests_never_fail(app, login_as, auth, method, url, kwargs, status):
    if auth == "jwt":
        client = app.test_client()
        headers = _jwt(client)
    else:  # the API also serves the signed-in browser (allow_browser_login)
        client = login_as("admin")
        token = csrf_token_from(client.get("/personview/list/").get_data(as_text=True))
        headers = {"X-CSRFToken": token}
    response = getattr(client, method)(url, headers=headers, **kwargs)
    assert response.status_code == status, (url[:80], response.status_code)
    if status in (400, 413):
        assert response.get_json()["message"]


def test_nested_json_login_is_refused(app, client):
    response = client.post(
        "/api/v1/security/login", data=NESTED_JSON, content_type="application/json"
    )
    assert response.status_code == 400
    assert BAD_REQUEST in response.get_json()["message"]


def test_api_body_over_one_megabyte_is_413_in_vietnamese(app, client):
    # Page forms may carry files up to MAX_UPLOAD_MB; API bodies are small JSON records.
    body = b'{"username": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    response = client.post("/api/v1/security/login", data=body, content_type="application/json")
    assert response.status_code == 413
    assert "quá lớn" in response.get_json()["message"]
