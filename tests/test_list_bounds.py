"""Page size is capped on every list (issue 8, item 4): a forged psize/page_size must not
dump a whole table, and junk falls back to the default instead of a server error."""

from __future__ import annotations

import re

from app.extensions import db
from app.personnel.models import Person, RankHistory
from app.security.audit_models import AuditLog
from app.security.models import PortalUser
from app.security.scope import scope_for_user, scoped_query
from tests.test_api_jwt_scope import bearer

DEFAULT = 25  # ScopedModelView.page_size
CAP = 100


def _rows(html: str, view: str) -> int:
    return len(set(re.findall(rf'href="/{view}/show/(\d+)', html)))


def _count_rows(c, url: str, view: str) -> int:
    response = c.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return _rows(response.get_data(as_text=True), view)


def test_people_list_page_size_is_capped(login_as):
    c = login_as("so")  # 600 people in scope
    cases = {"-1": DEFAULT, "0": DEFAULT, "abc": DEFAULT, "100000": CAP, "101": CAP, "40": 40}
    for psize, expected in cases.items():
        url = f"/personview/list/?psize_PersonView={psize}"
        assert _count_rows(c, url, "personview") == expected, psize


def test_junk_page_number_shows_the_first_page(login_as):
    c = login_as("so")
    first = c.get("/personview/list/").get_data(as_text=True)
    for page in ("abc", "-3", "99999999999999999999999"):
        response = c.get(f"/personview/list/?page_PersonView={page}")
        assert response.status_code == 200, page
    junk = c.get("/personview/list/?page_PersonView=abc").get_data(as_text=True)
    assert re.findall(r'href="/personview/show/(\d+)', junk) == re.findall(
        r'href="/personview/show/(\d+)', first
    )


def test_history_list_and_record_tabs_are_capped(login_as):
    admin = login_as("admin")
    assert db.session.query(RankHistory).count() > CAP
    url = "/rankhistoryview/list/?psize_RankHistoryView={}"
    assert _count_rows(admin, url.format("100000"), "rankhistoryview") == CAP
    assert _count_rows(admin, url.format("-1"), "rankhistoryview") == 20  # the tab's default
    hr = login_as("nhansu")
    user = db.session.query(PortalUser).filter_by(username="nhansu").one()
    person = (
        db.session.query(Person)
        .filter(Person.unit_id == user.unit_id, Person.rank_history.any())
        .first()
    )
    for page in ("show", "edit"):
        junk = f"/personview/{page}/{person.id}?psize_RankHistoryView=abc&page_RankHistoryView=x"
        assert hr.get(junk).status_code == 200, page


def test_audit_log_page_size_is_capped(login_as):
    admin = db.session.query(PortalUser).filter_by(username="admin").one()
    db.session.add_all(
        AuditLog(action="login", username=f"nguoi-thu-{i}", user_id=admin.id, unit_id=admin.unit_id)
        for i in range(2 * CAP)
    )
    db.session.commit()
    c = login_as("admin")
    for psize, expected in (("100000", CAP), ("-1", DEFAULT), ("abc", DEFAULT)):
        url = f"/auditlogview/list/?psize_AuditLogView={psize}"
        assert _count_rows(c, url, "auditlogview") == expected, psize


def test_fab_admin_lists_are_capped_too(login_as):
    """FAB's own permission list (not a portal view) reads the page size the same way."""
    c = login_as("admin")
    html = c.get("/permissionviews/list/?psize_PermissionViewModelView=100000").get_data(
        as_text=True
    )
    table = html[html.index('<table class="table table-bordered') :]
    table = table[: table.index("</table>")]
    assert table.count("<tr") == CAP + 1  # and the header row
    assert c.get("/permissionviews/list/?psize_PermissionViewModelView=abc").status_code == 200


def test_api_page_size_is_capped(app):
    headers = bearer(app, "so")
    so = db.session.query(PortalUser).filter_by(username="so").one()
    in_scope = scoped_query(Person, scope_for_user(so)).count()
    assert in_scope > CAP
    cases = {
        "(page_size:100000)": CAP,
        "(page_size:-1)": CAP,
        "(page_size:101)": CAP,
        "(page_size:40)": 40,
        "()": 20,  # the API's default page
        "(page:-3,page_size:30)": 30,
    }
    for q, expected in cases.items():
        response = app.test_client().get("/api/v1/person/", query_string={"q": q}, headers=headers)
        assert response.status_code == 200, (q, response.get_data(as_text=True))
        body = response.get_json()
        assert body["count"] == in_scope, q
        assert len(body["result"]) == expected, q
