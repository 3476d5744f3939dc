"""The portal starts, the demo accounts log in, and pages render in Vietnamese."""

from __future__ import annotations

from tests.conftest import DEMO_PASSWORD, login

DEMO_USERS = [
    "admin",
    "bo",
    "so",
    "lanhdaoso",
    "xa",
    "hieutruong",
    "nhansu",
    "totruong",
    "giaovien",
    "giaovien2",
]


def test_home_page_is_vietnamese(client):
    page = client.get("/").get_data(as_text=True)
    assert "Cổng quản lý đội ngũ nhà giáo" in page
    assert 'lang="vi"' in page or "Đăng nhập" in page


def test_every_demo_account_logs_in(app):
    for username in DEMO_USERS:
        c = app.test_client()
        response = login(c, username)
        assert response.status_code == 302, username
        assert "/login" not in response.headers["Location"], username


def test_wrong_password_is_refused(client):
    response = login(client, "admin", DEMO_PASSWORD + "x")
    assert response.status_code in (200, 302)
    assert client.get("/users/list/").status_code in (302, 403)


def test_pages_declare_their_language(client):
    assert '<html lang="vi">' in client.get("/login/").get_data(as_text=True)


def test_no_google_charts_or_external_assets(login_as):
    import re

    c = login_as("admin")
    for url in ("/", "/personview/list/", "/login/"):
        html = c.get(url).get_data(as_text=True)
        sources = re.findall(r'(?:src|href)="([^"]*)"', html)
        external = [s for s in sources if re.match(r"^(?:[a-z]+:)?//", s, re.I)]
        assert external == [], (url, external)
        assert "google.load" not in html and "googleapis" not in html, url
    # FAB's user-statistics chart (Google Charts) is not registered at all.
    assert c.get("/userstatschartview/chart/").status_code == 404
