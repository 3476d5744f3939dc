"""Test fixtures: every test gets its own database, copied from a template built once.

SQLite by default; PostgreSQL when TEST_DATABASE_URL=postgresql+psycopg://... is set
(the template is a PostgreSQL template database, each test a CREATE DATABASE ... TEMPLATE).
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db

DEMO_PASSWORD = "giaovien-demo-2026"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
IS_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")


def _admin_engine():
    url = make_url(TEST_DATABASE_URL).set(database="postgres")
    return create_engine(url, isolation_level="AUTOCOMMIT")


def _pg_create(name: str, template: str | None = None) -> str:
    with _admin_engine().connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        suffix = f' TEMPLATE "{template}"' if template else ""
        conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
    return make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)


def _pg_drop(name: str) -> None:
    with _admin_engine().connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _base_name() -> str:
    return re.sub(r"\W", "_", make_url(TEST_DATABASE_URL).database or "portal_test")


def make_app(url: str, tmp: Path, **overrides):
    config = {
        "SQLALCHEMY_DATABASE_URI": url,
        "TESTING": True,
        "UPLOAD_DIR": str(tmp / "uploads"),
        "DEMO_PASSWORD": DEMO_PASSWORD,
        "SERVER_NAME": None,
        # Cheap hashing keeps ~1,000 test logins fast; production uses FAB's scrypt default.
        "FAB_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }
    config.update(overrides)
    return create_app(config)


def _build(url: str, tmp: Path, demo: bool) -> None:
    from app.cli import setup_database

    application = make_app(url, tmp)
    with application.app_context():
        setup_database(demo=demo, password=DEMO_PASSWORD)
        if url.startswith("sqlite"):
            db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def template_database(tmp_path_factory):
    """The demo data set, built once per run through the real start-up path."""
    tmp = tmp_path_factory.mktemp("template")
    if IS_POSTGRES:
        name = f"{_base_name()}_tmpl"
        url = _pg_create(name)
        _build(url, tmp, demo=True)
        yield name
        _pg_drop(name)
    else:
        path = tmp / "template.db"
        _build(f"sqlite:///{path}", tmp, demo=True)
        yield path


def _fresh_copy(template, tmp_path: Path):
    if IS_POSTGRES:
        name = f"{_base_name()}_{uuid.uuid4().hex[:10]}"
        return _pg_create(name, template=template), name
    path = tmp_path / "test.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}", None


def _restore(template, target) -> None:
    """Put the template's contents back into the shared app's database."""
    if IS_POSTGRES:
        _pg_create(target, template=template)
        return
    for suffix in ("-wal", "-shm"):  # a stale WAL would be replayed onto the fresh copy
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, target)


@pytest.fixture(scope="session")
def _shared_app(template_database, tmp_path_factory):
    """One app for the run; each test gets the database restored from the template.

    Building the app (FAB registers ~60 views) costs more than most tests, so the app is
    reused while the database is not: `app` restores it before every test.
    """
    tmp = tmp_path_factory.mktemp("shared")
    if IS_POSTGRES:
        target = f"{_base_name()}_shared"
        url = _pg_create(target, template=template_database)
    else:
        target = tmp / "shared.db"
        shutil.copyfile(template_database, target)
        url = f"sqlite:///{target}"
    application = make_app(url, tmp)
    yield application, target
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    if IS_POSTGRES:
        _pg_drop(target)


@pytest.fixture
def app(_shared_app, template_database, tmp_path):
    """The app on a fresh copy of the demo database, inside an app context."""
    application, target = _shared_app
    config = dict(application.config)
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
        _restore(template_database, target)
        upload_dir = tmp_path / "uploads"
        upload_dir.mkdir()
        application.config["UPLOAD_DIR"] = str(upload_dir)
        application.appbuilder.sm.limiter.reset()  # login throttling starts from zero
        try:
            yield application
        finally:
            db.session.remove()
            db.engine.dispose()
            application.config.clear()
            application.config.update(config)


@pytest.fixture
def empty_database_url(tmp_path):
    """A URL to a database with no tables at all (for migration tests)."""
    if IS_POSTGRES:
        name = f"{_base_name()}_{uuid.uuid4().hex[:10]}"
        url = _pg_create(name)
        yield url
        _pg_drop(name)
    else:
        yield f"sqlite:///{tmp_path / 'empty.db'}"


@pytest.fixture
def client(app):
    return app.test_client()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no csrf_token in page"
    return match.group(1) or match.group(2)


def login(client, username: str, password: str = DEMO_PASSWORD):
    page = client.get("/login/")
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(
        "/login/",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def logout(client):
    """Log out as the user menu does: a POST with the page's CSRF token."""
    page = client.get("/logout/")
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post("/logout/", data={"csrf_token": token}, follow_redirects=False)


@pytest.fixture
def login_as(app):
    """login_as('giaovien') → a test client signed in as that demo account."""

    def _login(username: str):
        c = app.test_client()
        response = login(c, username)
        assert response.status_code == 302, f"login failed for {username}"
        return c

    return _login
