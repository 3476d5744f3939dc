"""In a real browser: a teacher opens their own record, an administrator the people list.

Each test prints what the browser saw, so the CI log records it.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.conftest import DEMO_PASSWORD

HISTORY_TABS = [
    "Quá trình công tác",
    "Quá trình lương, hạng",
    "Trình độ đào tạo",
    "Khen thưởng, kỷ luật",
    "Xếp loại hằng năm",
]


def _expect():
    from playwright.sync_api import expect

    return expect


def sign_in(page, username: str) -> None:
    """Log in through the form at /login/, as a person would."""
    page.goto("/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form [type=submit]").first.click()
    try:
        page.wait_for_url(lambda url: "/login" not in url)
    except Exception as exc:  # say why, not just "timeout"
        flashes = page.locator(".alert").all_inner_texts()
        raise AssertionError(f"{username} could not log in; the page says {flashes}") from exc
    _expect()(page.locator("form.navbar-logout button")).to_be_attached()


def sign_out(page) -> None:
    """Log out as a person with an old /logout/ bookmark would: the page asks, they confirm.

    (A GET alone no longer logs out: see tests/test_logout.py.)
    """
    page.goto("/logout/")
    page.locator("#logout-confirm").click()
    _expect()(page.locator("form.navbar-logout")).to_have_count(0)


def label(text: str) -> re.Pattern:
    """A link's accessible name: the label, after the icon glyph FAB puts in front of it."""
    return re.compile(rf"^\W*{re.escape(text)}\s*$")


def menu_link(page, text: str):
    return page.locator(".navbar").get_by_role("link", name=label(text)).first


def open_menu(page, category: str, item: str) -> None:
    """Open a navbar category and click one of its items, both by their visible label."""
    menu_link(page, category).click()
    entry = menu_link(page, item)
    _expect()(entry).to_be_visible()
    entry.click()


def rows_of(page):
    return page.locator(
        ".table-responsive table.table-hover > tbody > tr, .table-responsive table.table-hover > tr"
    )


def record_count(page) -> int:
    """The 'Record Count: N' FAB prints beside the list (number formatted for vi)."""
    text = page.locator("div.pull-right:has(> strong)").first.inner_text()
    match = re.search(r"(\d[\d.,\s\u202f]*)\s*$", text)
    assert match, f"no record count in {text!r}"
    return int(re.sub(r"\D", "", match.group(1)))


def _person_of(app, username: str):
    from app.extensions import db
    from app.personnel.models import Person

    with app.app_context():
        user = app.appbuilder.sm.find_user(username=username)
        assert user is not None and user.person_id, f"{username} has no personnel record"
        person = db.session.get(Person, user.person_id)
        name = person.full_name
        db.session.remove()
        return name


def _accented_name(app) -> str:
    """A demo person whose name has diacritics, preferring one with 'Đ'."""
    from app.extensions import db
    from app.personnel.models import Person
    from app.text import fold

    with app.app_context():
        names = db.session.scalars(select(Person.full_name).order_by(Person.id).limit(500)).all()
        db.session.remove()
    accented = [n for n in names if fold(n) != n.lower()]
    assert accented, "the demo data has no accented names"
    with_d = [n for n in accented if "Đ" in n or "đ" in n]
    return (with_d or accented)[0]


def test_teacher_logs_in_and_opens_own_record(page, live_server, artifacts):
    expect = _expect()
    name = _person_of(live_server.app, "giaovien")

    sign_in(page, "giaovien")
    expect(menu_link(page, "Nhân sự")).to_be_visible()
    lang = page.locator("html").get_attribute("lang")
    logout = (page.locator("form.navbar-logout button").text_content() or "").strip()
    print(f"\n[browser] giaovien home: title={page.title()!r} lang={lang!r} logout={logout!r}")
    assert logout == "Đăng xuất", f"logout button is not Vietnamese: {logout!r}"

    open_menu(page, "Nhân sự", "Hồ sơ của tôi")
    page.wait_for_url("**/my-record/")
    heading = page.locator("h2").first
    expect(heading).to_contain_text("Hồ sơ của tôi")
    expect(heading).to_contain_text(name)
    tabs = page.locator("ul.nav-tabs")
    for tab in HISTORY_TABS:
        expect(tabs.get_by_role("link", name=tab, exact=True)).to_be_visible()
    # Switching tabs is client-side (bootstrap); the salary history pane becomes visible.
    tabs.get_by_role("link", name="Quá trình lương, hạng", exact=True).click()
    expect(page.locator("#t-rank")).to_be_visible()

    shot = artifacts / "giaovien-my-record.png"
    page.screenshot(path=str(shot), full_page=True)
    tab_labels = [t.strip() for t in tabs.locator("a").all_inner_texts()]
    print(f"[browser] /my-record/: heading={heading.inner_text()!r}")
    print(f"[browser] /my-record/: tabs={tab_labels}")
    print(f"[browser] screenshot: {shot}")


def test_user_menu_logs_out_with_one_click(page, live_server):
    expect = _expect()
    sign_in(page, "giaovien")
    page.locator(".navbar-right a.dropdown-toggle:has(.fa-user)").click()
    button = page.locator("form.navbar-logout button")
    expect(button).to_be_visible()
    button.click()
    expect(page.locator("form.navbar-logout")).to_have_count(0)
    page.goto("/my-record/")
    expect(page).to_have_url(re.compile(r"/login/"))


def test_admin_opens_people_list(page, live_server, artifacts):
    expect = _expect()
    sign_in(page, "admin")
    open_menu(page, "Nhân sự", "Hồ sơ nhân sự")
    page.wait_for_url("**/personview/list/**")
    expect(page.get_by_text("Danh sách hồ sơ nhân sự").first).to_be_visible()
    rows = rows_of(page)
    expect(rows.first).to_be_visible()
    shown, total = rows.count(), record_count(page)
    first = " | ".join(
        t.strip() for t in rows.first.locator("td:not(:has(a, input))").all_inner_texts()
    )
    print(f"\n[browser] admin /personview/list/: title={page.title()!r}")
    print(f"[browser] rows shown={shown} record count={total}; first row: {first}")
    assert shown > 0
    assert total >= shown

    page.screenshot(path=str(artifacts / "admin-people-list.png"), full_page=True)


def test_accent_free_search_finds_accented_name(page, live_server):
    from app.text import fold

    expect = _expect()
    name = _accented_name(live_server.app)
    query = fold(name)  # e.g. 'dang thi hoa' for 'Đặng Thị Hoa'
    assert query != name.lower()

    sign_in(page, "admin")
    page.goto("/personview/list/")
    total_before = record_count(page)
    # FAB's search widget: open the "Search" panel, add a filter on the name, type, submit.
    page.locator("#accordion1 a.accordion-toggle").click()
    form = page.locator("#filter_form")
    form.locator("button.dropdown-toggle").click()
    form.locator('a.filter[name="full_name"]').click()
    field = form.locator("table.filters .filter_val").last
    expect(field).to_be_visible()
    field.fill(query)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"_flt_\d+_full_name="))

    rows = rows_of(page)
    expect(rows.filter(has_text=name).first).to_be_visible()
    total_after = record_count(page)
    print(f"\n[browser] search {query!r} (folded) → {total_after} of {total_before} records")
    print(f"[browser] URL: {page.url}")
    found = rows.filter(has_text=name).first.locator("td:not(:has(a, input))").all_inner_texts()
    print(f"[browser] found: {' | '.join(t.strip() for t in found)}")
    assert 0 < total_after < total_before


@pytest.mark.parametrize("query", ["NGUYEN", "nguyễn"])
def test_search_by_url_filter_ignores_case_and_accents(page, live_server, query):
    """The URL FAB generates for the folded filter works on its own (bookmarkable)."""
    sign_in(page, "admin")
    page.goto(f"/personview/list/?_flt_0_full_name={query}")
    rows = rows_of(page)
    _expect()(rows.first).to_be_visible()
    names = rows.all_inner_texts()
    print(f"\n[browser] ?_flt_0_full_name={query} → {record_count(page)} records")
    assert all("Nguyễn" in n for n in names), names
