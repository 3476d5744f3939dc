"""Field-level hiding everywhere a record is drawn (issue 8, items 1 and 3).

- Every tab a show page embeds (FAB related views) obeys the viewer's permission to list
  that view, and its sensitive columns are masked like the record's own.
- A hidden column can't be used to sort or filter (pages and REST API): the order of the
  rows would give its values away. Refused with 400 and a Vietnamese message.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask_appbuilder import ModelView

from app.extensions import db
from app.personnel.models import Person, RankHistory
from app.security.fields import HIDDEN
from app.security.models import PortalUser
from app.security.scope import scope_for_user, scoped_query
from app.security.scoped_views import ScopedModelView
from tests.test_api_jwt_scope import bearer
from tests.test_scope_matrix import EVERY_ROLE

REFUSAL = "Không thể sắp xếp hoặc lọc theo trường"
XA_ROLE = "Chuyên viên xã/phường"


def _user(username: str) -> PortalUser:
    return db.session.query(PortalUser).filter_by(username=username).one()


def _granted(user: PortalUser) -> set[tuple[str, str]]:
    """(permission, view) pairs of the user's roles, read straight from FAB's tables."""
    return {
        (pv.permission.name, pv.view_menu.name) for role in user.roles for pv in role.permissions
    }


def _embedded_views(app) -> list[tuple[ModelView, list[ModelView]]]:
    """Every view whose show page embeds related views, with those views. (FAB's role view
    has related views too but draws its own show page, without them.)"""
    return [
        (view, list(view.get_init_inner_views()))
        for view in app.appbuilder.baseviews
        if isinstance(view, ScopedModelView) and view.get_init_inner_views()
    ]


def _parent_ids_with_rows(parent: ModelView, related: ModelView) -> set[int]:
    model = parent.datamodel.obj
    child = related.datamodel.obj
    fk = related.datamodel.get_related_fk(model)
    return {pk for (pk,) in db.session.query(model.id).select_from(child).join(getattr(child, fk))}


def _sample_row(parent: ModelView, related: list[ModelView], user: PortalUser):
    """The row in the user's scope with rows in the most tabs (sensitive tabs first)."""
    model = parent.datamodel.obj
    in_scope = {pk for (pk,) in scoped_query(model, scope_for_user(user)).with_entities(model.id)}
    if not in_scope:
        return None
    having = [(view, _parent_ids_with_rows(parent, view)) for view in related]

    def weight(pk: int) -> tuple[int, int, int]:
        with_rows = [view for view, ids in having if pk in ids]
        sensitive = sum(1 for view in with_rows if view.sensitive_columns)
        return sensitive, len(with_rows), -pk

    return db.session.get(model, max(in_scope, key=weight))


class _Table(HTMLParser):
    """Header texts and row cell texts of the tables in an HTML fragment."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            if tag == "th":
                self.headers.append(text)
            elif self._row is not None:
                self._row.append(text)
            self._cell = None
        elif tag == "tr" and self._row:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def column(self, label: str) -> list[str]:
        assert label in self.headers, (label, self.headers)
        index = self.headers.index(label)
        return [row[index] for row in self.rows]


def _tab(html: str, view_name: str) -> str | None:
    """The HTML of a show page's tab pane, None when the page has no such tab."""
    marker = f'<div id="{view_name}" class="tab-pane">'
    start = html.find(marker)
    if start < 0:
        return None
    end = html.find('class="tab-pane', start + len(marker))
    return html[start : end if end > 0 else len(html)]


def _raw_coefficients(person_id: int) -> set[str]:
    return {
        str(r.coefficient)
        for r in db.session.query(RankHistory).filter_by(person_id=person_id)
        if r.coefficient is not None
    }


def test_every_embedded_tab_follows_list_permission_and_field_visibility(app, login_as):
    embedded = _embedded_views(app)
    assert any(parent.__class__.__name__ == "PersonView" for parent, _ in embedded)
    for username in EVERY_ROLE:
        user = _user(username)
        granted = _granted(user)
        c = login_as(username)
        for parent, related in embedded:
            row = _sample_row(parent, related, user)
            if row is None:
                continue  # nothing of this kind in the user's scope: no page to draw
            response = c.get(f"/{parent.route_base.strip('/')}/show/{row.id}")
            if ("can_show", parent.class_permission_name) not in granted:
                assert response.status_code == 403, (username, parent)
                continue
            assert response.status_code == 200, (username, parent)
            _check_tabs(response.get_data(as_text=True), username, granted, row, related)


def _check_tabs(html: str, username: str, granted, row, related: list[ModelView]) -> None:
    for view in related:
        name = view.__class__.__name__
        may_list = ("can_list", view.class_permission_name) in granted
        pane = _tab(html, name)
        assert (f'href="#{name}"' in html) is may_list, (username, name)
        assert (pane is not None) is may_list, (username, name)
        if not view.sensitive_columns:
            continue
        sensitive_view = view.sensitive_permission_view or view.class_permission_name
        sees = ("can_see_sensitive", sensitive_view) in granted
        if pane is not None:
            table = _Table(pane)
            for column in [c for c in view.list_columns if c in view.sensitive_columns]:
                cells = [v for v in table.column(str(view.label_columns[column])) if v]
                assert cells, (username, name, column)
                assert (set(cells) == {str(HIDDEN)}) is not sees, (username, name, column, cells)
        if not sees and isinstance(row, Person):
            for value in _raw_coefficients(row.id):
                assert value not in html, (username, name, value)


def _person_with_rank_history(username: str) -> Person:
    scope = scope_for_user(_user(username))
    return (
        scoped_query(Person, scope)
        .filter(Person.rank_history.any(), Person.salary_coefficient.isnot(None))
        .order_by(Person.id)
        .first()
    )


def test_commune_officer_sees_no_salary_history_on_a_record(login_as):
    person = _person_with_rank_history("xa")
    c = login_as("xa")
    html = c.get(f"/personview/show/{person.id}").get_data(as_text=True)
    assert person.full_name in html
    assert "RankHistoryView" not in html
    assert "Quá trình lương, hạng" not in html
    for value in _raw_coefficients(person.id) | {str(person.salary_coefficient)}:
        assert value not in html
    assert c.get("/rankhistoryview/list/").status_code == 403


@pytest.fixture
def xa_lists_rank_history(app):
    """An adapted role: allowed to list salary history, still not to see salary."""
    sm = app.appbuilder.sm
    role = sm.find_role(XA_ROLE)
    for permission in ("can_list", "can_show"):
        sm.add_permission_role(role, sm.find_permission_view_menu(permission, "RankHistory"))
    db.session.commit()
    assert ("can_see_sensitive", "Person") not in _granted(_user("xa"))


def test_history_rows_are_masked_for_a_role_that_may_list_but_not_see(
    login_as, xa_lists_rank_history
):
    person = _person_with_rank_history("xa")
    history = db.session.query(RankHistory).filter_by(person_id=person.id).first()
    c = login_as("xa")
    hidden = [
        "Hạng/chức danh",
        "Bậc",
        "Hệ số",
        "Phụ cấp thâm niên vượt khung (%)",
        "Ngày hưởng",
    ]
    record = c.get(f"/personview/show/{person.id}").get_data(as_text=True)
    pane = _tab(record, "RankHistoryView")
    assert pane is not None
    listing = c.get(f"/rankhistoryview/list/?_flt_0_person={person.id}").get_data(as_text=True)
    for html in (pane, listing):
        table = _Table(html)
        assert table.rows
        for label in hidden:
            assert set(table.column(label)) == {str(HIDDEN)}, label
        for value in _raw_coefficients(person.id):
            assert value not in html
        assert history.effective_date.strftime("%d/%m/%Y") not in html
    detail = c.get(f"/rankhistoryview/show/{history.id}").get_data(as_text=True)
    assert detail.count(str(HIDDEN)) >= len(hidden)
    assert str(history.coefficient) not in detail
    assert history.effective_date.strftime("%d/%m/%Y") not in detail
    # The tab offers no sort link on a hidden column, the list's search form no filter.
    assert "_oc_RankHistoryView=coefficient" not in pane
    assert 'name="coefficient" class="filter"' not in listing
    assert 'name="decision_no" class="filter"' in listing
    # ... while HR, who may see salary, reads the same tab in clear.
    hr_person = _person_with_rank_history("nhansu")
    hr_html = login_as("nhansu").get(f"/personview/show/{hr_person.id}").get_data(as_text=True)
    assert set(_Table(_tab(hr_html, "RankHistoryView")).column("Hệ số")) == _raw_coefficients(
        hr_person.id
    )


# -- sorting and filtering by a hidden column -------------------------------------------


def _ids(html: str, view: str = "personview") -> list[int]:
    ids = [int(pk) for pk in re.findall(rf'href="/{view}/show/(\d+)', html)]
    return list(dict.fromkeys(ids))


@pytest.mark.parametrize(
    "query",
    [
        "_oc_PersonView=salary_coefficient&_od_PersonView=asc",
        "_oc_PersonView=salary_coefficient&_od_PersonView=desc",
        "_oc_PersonView=national_id&_od_PersonView=asc",
        "_oc_PersonView=salary_step_date&_od_PersonView=desc",
        "_flt_0_national_id=0",
        "_flt_2_salary_coefficient=3",
    ],
)
def test_sorting_or_filtering_people_by_a_hidden_column_is_refused(login_as, query):
    response = login_as("xa").get(f"/personview/list/?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert REFUSAL in html
    assert _ids(html) == []  # no rows, so no order to read
    # The same URL works for a role that may see the column.
    allowed = login_as("so").get(f"/personview/list/?{query}&psize_PersonView=100")
    assert allowed.status_code == 200
    ids = _ids(allowed.get_data(as_text=True))
    assert len(ids) == 100
    if "_oc_PersonView=salary_coefficient" in query:
        # The page holds the smallest (largest) coefficients in scope, in order; where the
        # rows without one go depends on the database.
        shown = [db.session.get(Person, pk).salary_coefficient for pk in ids]
        known = [v for v in shown if v is not None]
        in_scope = [
            p.salary_coefficient
            for p in scoped_query(Person, scope_for_user(_user("so")))
            if p.salary_coefficient is not None
        ]
        descending = query.endswith("desc")
        assert len(known) > 40
        assert known == sorted(in_scope, reverse=descending)[: len(known)]


def test_sorting_a_record_tab_by_a_hidden_column_is_refused(login_as, xa_lists_rank_history):
    person = _person_with_rank_history("xa")
    c = login_as("xa")
    url = f"/personview/show/{person.id}?_oc_RankHistoryView=coefficient&_od_RankHistoryView=asc"
    response = c.get(url)
    assert response.status_code == 400
    assert REFUSAL in response.get_data(as_text=True)
    listing = c.get("/rankhistoryview/list/?_flt_0_coefficient=3")
    assert listing.status_code == 400
    assert "«Hệ số»" in listing.get_data(as_text=True)
    hr = login_as("nhansu")
    assert (
        hr.get(url.replace(str(person.id), str(_person_with_rank_history("nhansu").id))).status_code
        == 200
    )


def test_unknown_sort_column_is_a_bad_request_not_a_server_error(login_as):
    c = login_as("so")
    for column in ("unit.name", "national_id ", "person.national_id"):
        response = c.get(
            "/personview/list/", query_string={"_oc_PersonView": column, "_od_PersonView": "asc"}
        )
        assert response.status_code == 400, column


# -- REST API with a real Bearer token --------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        "(order_column:salary_coefficient,order_direction:asc)",
        "(order_column:national_id,order_direction:desc)",
        "(filters:!((col:national_id,opr:sw,value:'0')))",
        "(filters:!((col:salary_coefficient,opr:gt,value:3)))",
    ],
)
def test_api_refuses_sorting_or_filtering_by_a_hidden_column(app, q):
    response = app.test_client().get(
        "/api/v1/person/", query_string={"q": q}, headers=bearer(app, "xa")
    )
    assert response.status_code == 400
    body = response.get_json()
    assert REFUSAL in body["message"]
    assert "result" not in body


def test_api_sorting_still_works_for_a_jwt_user(app):
    response = app.test_client().get(
        "/api/v1/person/",
        query_string={"q": "(order_column:birth_date,order_direction:desc,page_size:50)"},
        headers=bearer(app, "so"),
    )
    assert response.status_code == 200
    births = [row["birth_date"] for row in response.get_json()["result"]]
    assert len(births) == 50
    assert births == sorted(births, reverse=True)
