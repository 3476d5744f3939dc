"""Login throttling and lockout, no user enumeration, sessions, headers, redirects, passwords."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.security import hardening, passwords
from app.security.audit_models import AuditLog, utcnow
from app.security.models import PortalUser
from tests.conftest import (
    DEMO_PASSWORD,
    _fresh_copy,
    csrf_token_from,
    login,
    logout,
    make_app,
)

USER = "giaovien"
PROTECTED = "/users/userinfo/"  # any page that needs a signed-in user


def _user(username: str = USER) -> PortalUser:
    db.session.expire_all()
    return db.session.query(PortalUser).filter_by(username=username).one()


def _signed_in(client) -> bool:
    response = client.get(PROTECTED)
    if response.status_code == 200:
        return True
    assert response.status_code == 302, response.status_code
    assert "/login/" in response.headers["Location"]
    return False


def _flash_page(client) -> str:
    return client.get("/login/").get_data(as_text=True)


def _normalised(html: str) -> str:
    html = re.sub(r'value="[^"]*"', 'value=""', html)
    return re.sub(r"nonce=\"[^\"]*\"", 'nonce=""', html)


@pytest.fixture
def custom_app(template_database, tmp_path):
    """Build an app with config overrides on a fresh copy of the demo database."""
    made = []

    def _make(**overrides):
        url, pg_name = _fresh_copy(template_database, tmp_path / f"c{len(made)}")
        application = make_app(url, tmp_path, **overrides)
        made.append((application, pg_name))
        return application

    (tmp_path / "c0").mkdir()
    (tmp_path / "c1").mkdir()
    yield _make
    from tests.conftest import _pg_drop

    for application, pg_name in made:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
        if pg_name:
            _pg_drop(pg_name)


# -- lockout ---------------------------------------------------------------------------------
def test_lockout_after_max_failures_with_vietnamese_message(app, client):
    max_failures = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(max_failures):
        assert login(client, USER, "sai-mat-khau-123").status_code == 302
    locked_until = _user().locked_until
    assert locked_until is not None and locked_until > utcnow()

    # Now even the right password is refused, with the generic Vietnamese message.
    response = login(client, USER, DEMO_PASSWORD)
    assert response.status_code == 302
    assert "/login/" in response.headers["Location"]
    page = _flash_page(client)
    assert "tạm khóa" in page
    assert f"{max_failures} lần nhập sai" in page
    assert not _signed_in(client)
    assert db.session.query(AuditLog).filter_by(action="lockout", username=USER).count() == 1

    # When the lock expires the account works again and the counter starts from zero.
    user = _user()
    user.locked_until = utcnow().replace(year=2000)
    db.session.commit()
    response = login(client, USER, DEMO_PASSWORD)
    assert response.headers["Location"].endswith("/")
    assert _signed_in(client)
    assert _user().fail_login_count == 0
    assert _user().locked_until is None


def test_successful_login_resets_failure_counter(app, client):
    max_failures = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(max_failures - 1):
        login(client, USER, "sai-mat-khau-123")
    assert _user().fail_login_count == max_failures - 1
    assert "/login/" not in login(client, USER, DEMO_PASSWORD).headers["Location"]
    assert _user().fail_login_count == 0
    logout(client)
    for _ in range(max_failures - 1):
        login(client, USER, "sai-mat-khau-123")
    assert _user().locked_until is None


# -- no user enumeration ---------------------------------------------------------------------
def test_no_user_enumeration_same_answer_and_same_work(app, monkeypatch):
    disabled, locked = _user("giaovien2"), _user("totruong")
    disabled.active = False
    locked.locked_until = utcnow().replace(year=2999)
    db.session.commit()

    calls = []
    real_check = passwords.check_password_hash

    def counting(stored, password):
        calls.append(stored.split("$", 1)[0])
        return real_check(stored, password)

    monkeypatch.setattr("app.security.manager.check_password_hash", counting)
    monkeypatch.setattr("app.security.passwords.check_password_hash", counting)

    cases = {
        "unknown": ("khong-ton-tai", "sai-mat-khau-123"),
        "wrong_password": (USER, "sai-mat-khau-123"),
        "disabled": ("giaovien2", DEMO_PASSWORD),
        "locked": ("totruong", DEMO_PASSWORD),
    }
    answers = {}
    for name, (username, password) in cases.items():
        client = app.test_client()
        client.get("/login/")
        calls.clear()
        before = db.session.query(AuditLog).count()
        response = login(client, username, password)
        # exactly one hash check of the configured cost, and one audit row, in every case
        assert calls == [app.config["FAB_PASSWORD_HASH_METHOD"]], name
        assert db.session.query(AuditLog).count() == before + 1, name
        answers[name] = (
            response.status_code,
            response.headers["Location"],
            _normalised(_flash_page(client)),
        )
    first = answers["unknown"]
    assert first[0] == 302
    for name, answer in answers.items():
        assert answer == first, name


# -- rate limits -----------------------------------------------------------------------------
def test_rate_limit_per_ip_answers_429_in_vietnamese(custom_app):
    application = custom_app(AUTH_RATE_LIMIT="3 per minute")
    with application.app_context():
        client = application.test_client()
        statuses = [login(client, f"nguoi{i}", "sai-mat-khau-123").status_code for i in range(4)]
        assert statuses[:3] == [302, 302, 302]
        assert statuses[3] == 429
        response = login(client, "nguoi9", "sai-mat-khau-123")
        assert response.status_code == 429
        assert "quá nhiều lần" in response.get_data(as_text=True)
        # another client address is not affected
        other = application.test_client()
        other.environ_base["REMOTE_ADDR"] = "10.1.2.3"
        assert login(other, "nguoi1", "sai-mat-khau-123").status_code == 302


def test_rate_limit_per_account_across_addresses(custom_app):
    application = custom_app(
        AUTH_RATE_LIMIT="100 per minute", AUTH_ACCOUNT_RATE_LIMIT="2 per minute"
    )
    with application.app_context():
        statuses = []
        for i in range(3):
            client = application.test_client()
            client.environ_base["REMOTE_ADDR"] = f"10.0.0.{i + 1}"
            statuses.append(login(client, USER, "sai-mat-khau-123").status_code)
        assert statuses == [302, 302, 429]
        client = application.test_client()
        client.environ_base["REMOTE_ADDR"] = "10.0.0.9"
        assert login(client, "hieutruong", DEMO_PASSWORD).status_code == 302


# -- sessions --------------------------------------------------------------------------------
def test_new_session_on_login(app, client):
    client.get("/login/")
    with client.session_transaction() as sess:
        sess["planted"] = "by-an-attacker"
    login(client, USER)
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess[hardening.STAMP_KEY] == _user().session_stamp
        assert sess.permanent


def test_replayed_cookie_after_logout_fails(app, client):
    login(client, USER)
    assert _signed_in(client)
    stolen = client.get_cookie("session").value
    logout(client)
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert not _signed_in(replay)
    assert db.session.query(AuditLog).filter_by(action="logout", username=USER).count() == 1


def _change_password(client, current: str, new: str):
    page = client.get("/resetmypassword/form")
    assert page.status_code == 200
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(
        "/resetmypassword/form",
        data={
            "current_password": current,
            "password": new,
            "conf_password": new,
            "csrf_token": token,
        },
    )


def test_password_change_ends_other_sessions(app, login_as):
    mine, other = login_as(USER), login_as(USER)
    old_cookie = mine.get_cookie("session").value
    response = _change_password(mine, DEMO_PASSWORD, "một câu rất dài khó đoán 2026")
    assert response.status_code == 302
    assert _signed_in(mine)  # the browser that changed it stays signed in
    assert not _signed_in(other)
    replay = app.test_client()
    replay.set_cookie("session", old_cookie)
    assert not _signed_in(replay)
    assert login(app.test_client(), USER, "một câu rất dài khó đoán 2026").status_code == 302
    assert (
        "/login/"
        not in login(app.test_client(), USER, "một câu rất dài khó đoán 2026").headers["Location"]
    )


def test_password_change_refuses_common_password_and_wrong_current(app, login_as):
    client = login_as(USER)
    before = _user().password
    page = _change_password(client, DEMO_PASSWORD, "anhyeuem123")
    assert page.status_code == 200
    assert "quá phổ biến" in page.get_data(as_text=True)
    page = _change_password(client, "khong-phai-mat-khau", "một câu rất dài khó đoán")
    assert "Mật khẩu hiện tại không đúng" in page.get_data(as_text=True)
    assert _user().password == before


def test_disabling_account_ends_its_session(app, login_as):
    client = login_as(USER)
    assert _signed_in(client)
    stamp = _user().session_stamp
    user = _user()
    user.active = False
    db.session.commit()
    assert _user().session_stamp != stamp
    assert not _signed_in(client)
    # re-enabling does not bring the old session back
    user = _user()
    user.active = True
    db.session.commit()
    assert not _signed_in(client)


def test_idle_timeout(app, login_as):
    client = login_as(USER)
    idle = app.config["SESSION_IDLE_MINUTES"] * 60
    with client.session_transaction() as sess:
        sess[hardening.SEEN_KEY] -= idle - 60  # still inside the idle window
    assert _signed_in(client)
    with client.session_transaction() as sess:
        sess[hardening.SEEN_KEY] -= idle + 1
    assert not _signed_in(client)


def test_absolute_timeout(app, login_as):
    client = login_as(USER)
    lifetime = int(app.permanent_session_lifetime.total_seconds())
    with client.session_transaction() as sess:
        sess[hardening.LOGIN_AT_KEY] -= lifetime + 1
    assert not _signed_in(client)


def test_must_change_password_forces_the_change(app):
    user = _user()
    user.must_change_password = True
    db.session.commit()
    client = app.test_client()
    login(client, USER)
    response = client.get(PROTECTED)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/resetmypassword/form")
    assert _change_password(client, DEMO_PASSWORD, "sông Hồng chảy qua Hà Nội").status_code == 302
    assert _user().must_change_password is False
    assert client.get(PROTECTED).status_code == 200


def test_admin_reset_forces_change_at_next_login(app, login_as):
    admin = login_as("admin")
    target = _user()
    page = admin.get(f"/resetpassword/form?pk={target.id}")
    token = csrf_token_from(page.get_data(as_text=True))
    weak = admin.post(
        f"/resetpassword/form?pk={target.id}",
        data={"password": USER, "conf_password": USER, "csrf_token": token},
    )
    assert "trùng với tên đăng nhập" in weak.get_data(as_text=True)
    new = "mật khẩu tạm thời dài 2026"
    admin.post(
        f"/resetpassword/form?pk={target.id}",
        data={"password": new, "conf_password": new, "csrf_token": token},
    )
    assert _user().must_change_password is True
    assert (
        db.session.query(AuditLog).filter_by(action="account_reset", row_id=str(target.id)).count()
        == 1
    )
    client = app.test_client()
    login(client, USER, new)
    assert client.get(PROTECTED).headers["Location"].endswith("/resetmypassword/form")


# -- cookies and headers ---------------------------------------------------------------------
def test_session_cookie_flags(app, client):
    response = login(client, USER)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    assert "Strict-Transport-Security" not in response.headers


def test_secure_cookie_and_hsts_when_https(custom_app):
    application = custom_app(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    with application.app_context():
        client = application.test_client()
        response = login(client, USER)
        assert "Secure" in response.headers["Set-Cookie"]
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_security_headers_and_csp_nonce(app, login_as):
    client = login_as("admin")
    response = client.get("/personview/list/")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert "'unsafe-inline'" not in script_src
    nonce = re.search(r"'nonce-([^']+)'", script_src).group(1)
    html = response.get_data(as_text=True)
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline, "expected FAB's inline scripts on a list page"
    for attrs in inline:
        assert f'nonce="{nonce}"' in attrs
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "no-store" in response.headers["Cache-Control"]
    # a second request gets another nonce
    again = client.get("/personview/list/").headers["Content-Security-Policy"]
    assert f"'nonce-{nonce}'" not in again
    static = client.get("/static/appbuilder/css/ab.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")
    assert static.headers["X-Content-Type-Options"] == "nosniff"


# -- redirects -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example/phish",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http:evil.example",
    ],
)
def test_login_redirect_refuses_other_sites(app, target):
    client = app.test_client()
    page = client.get("/login/", query_string={"next": target})
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post(
        "/login/",
        query_string={"next": target},
        data={"username": USER, "password": DEMO_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "evil" not in location and "javascript" not in location
    assert location in ("/", "http://localhost/")


def test_login_redirect_keeps_own_path(app):
    client = app.test_client()
    page = client.get("/login/", query_string={"next": "/personview/list/?page=2"})
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post(
        "/login/?next=/personview/list/%3Fpage%3D2",
        data={"username": USER, "password": DEMO_PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/personview/list/?page=2"


# -- password policy -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "password", ["matkhau123", "anhyeuem", "123456789", "iloveyou", "Password123", "QWERTYUIOP"]
)
def test_common_passwords_rejected(app, password):
    with app.test_request_context():
        errors = passwords.policy_errors(password, "nguoidung")
    assert any("phổ biến" in e for e in errors)


def test_password_policy_rules(app):
    with app.test_request_context():
        assert passwords.policy_errors("ngắn", "x")  # too short
        assert any("128" in e for e in passwords.policy_errors("a" * 129 + "b", "x"))
        assert passwords.policy_errors("nguyenvana2026", "NguyenVanA2026")
        # no composition rules: a long lower-case passphrase (64+ characters) is fine
        assert passwords.policy_errors("những ngày mưa ở hà nội " * 3, "x") == []
        assert passwords.policy_errors("x" * 128, "y") == []
    assert len(passwords.common_passwords()) > 3000


def test_hash_cost_is_the_documented_one(custom_app):
    # FAB's bare "scrypt" (N=2^15, r=8, p=1) is raised to the documented cost.
    application = custom_app(FAB_PASSWORD_HASH_METHOD="scrypt")
    assert passwords.PASSWORD_HASH_METHOD == "scrypt:32768:8:3"
    assert application.config["FAB_PASSWORD_HASH_METHOD"] == passwords.PASSWORD_HASH_METHOD
    with application.test_request_context():
        hashed = passwords.hash_password("một mật khẩu đủ dài")
        assert hashed.startswith("scrypt:32768:8:3$")
        assert passwords.needs_rehash("scrypt:32768:8:1$abc$def")
        assert not passwords.needs_rehash(hashed)
        assert passwords.dummy_hash().startswith("scrypt:32768:8:3$")


def test_login_rehashes_weaker_stored_hash(app, client):
    from werkzeug.security import generate_password_hash

    user = _user()
    user.password = generate_password_hash(DEMO_PASSWORD, method="pbkdf2:sha256:2000")
    db.session.commit()
    stamp = _user().session_stamp
    login(client, USER)
    assert _user().password.startswith(app.config["FAB_PASSWORD_HASH_METHOD"] + "$")
    assert _user().session_stamp == stamp


def test_api_login_shares_lockout(app, client):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        login(client, USER, "sai-mat-khau-123")
    response = app.test_client().post(
        "/api/v1/security/login",
        json={"username": USER, "password": DEMO_PASSWORD, "provider": "db"},
    )
    assert response.status_code == 401
    assert "access_token" not in response.get_data(as_text=True)
