"""Logout is a POST with a CSRF token (issue 8, item 8).

`GET /logout/` used to log out, so an <img src="https://portal/logout/"> on any site ended
the session of whoever viewed it. A GET now only shows a confirmation form; the user menu
logs out with a POSTed form.
"""

from __future__ import annotations

import re

from app.extensions import db
from app.security.audit_models import AuditLog
from tests.conftest import csrf_token_from, login

USER = "giaovien"
PROTECTED = "/users/userinfo/"  # any page that needs a signed-in user


def _signed_in(client) -> bool:
    response = client.get(PROTECTED)
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
    return False


def _logouts() -> int:
    db.session.expire_all()
    return db.session.query(AuditLog).filter_by(action="logout", username=USER).count()


def test_get_logout_asks_and_keeps_the_session(app, client):
    login(client, USER)
    response = client.get("/logout/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Bạn có muốn đăng xuất khỏi cổng không?" in html
    form = re.search(r'<form method="post" action="/logout/">.*?</form>', html, re.S).group(0)
    assert 'name="csrf_token"' in form and 'id="logout-confirm"' in form
    assert _signed_in(client)
    assert _logouts() == 0


def test_cross_site_post_without_token_is_refused(app, client):
    login(client, USER)
    response = client.post("/logout/", data={})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    forged = client.post("/logout/", data={"csrf_token": "forged"})
    assert forged.status_code == 400
    assert _signed_in(client)
    assert _logouts() == 0


def test_post_with_token_logs_out_and_the_old_cookie_stops_working(app, client):
    login(client, USER)
    token = csrf_token_from(client.get("/logout/").get_data(as_text=True))
    stolen = client.get_cookie("session").value
    response = client.post("/logout/", data={"csrf_token": token})
    assert response.status_code == 302
    assert not _signed_in(client)
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert not _signed_in(replay)
    assert _logouts() == 1


def test_user_menu_logs_out_with_a_posted_form(app, client):
    login(client, USER)
    html = client.get("/").get_data(as_text=True)
    menu = re.search(
        r'<form method="post" action="/logout/" class="navbar-logout">.*?</form>', html, re.S
    )
    assert menu, "the user menu has no logout form"
    assert 'name="csrf_token"' in menu.group(0) and "Đăng xuất" in menu.group(0)
    assert 'href="/logout/"' not in html
    token = csrf_token_from(menu.group(0))
    assert client.post("/logout/", data={"csrf_token": token}).status_code == 302
    assert not _signed_in(client)


def test_logout_page_for_anonymous_goes_to_login(app, client):
    response = client.get("/logout/")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
