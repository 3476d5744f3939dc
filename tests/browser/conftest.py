"""Browser fixtures: a live portal on a fresh copy of the demo database, and Chromium.

- `live_server`: the app served by werkzeug on 127.0.0.1 and a free port, in a thread.
  `make_server` binds its socket in the constructor, so the server accepts connections
  before the thread starts: no polling, no sleeps.
- `browser`: Debian's /usr/bin/chromium, headless, launched by Playwright (which never
  downloads a browser of its own here).
- `page`: a Vietnamese-speaking page whose every request to a host other than the live
  server is blocked (route.abort) and recorded; the test fails at teardown if any was,
  and also if the page refused a script (Content-Security-Policy) or threw an uncaught
  JavaScript error, because then the UI a user gets is broken.

When chromium or Playwright is missing, the tests are skipped locally with the reason,
and fail loudly in CI (CI=true).
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from tests.conftest import _fresh_copy, _pg_drop, make_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Playwright's own default is 30 s; a page of this app on a 2-core CI machine takes < 2 s.
TIMEOUT_MS = 15_000
_CSP_HASH = re.compile(r"\('sha256-[^']*'\)|'nonce-[^']*'")


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(config, items):
    """Every test in this folder carries the `browser` marker (pytest -m 'not browser')."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def artifacts() -> Path:
    """test-artifacts/ at the repository root (gitignored): screenshots for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@dataclass
class LiveServer:
    url: str
    host: str
    port: int
    app: object


@pytest.fixture
def live_server(template_database, tmp_path) -> Iterator[LiveServer]:
    """The portal on its own copy of the demo database, served on 127.0.0.1:<free port>."""
    from app.extensions import db

    url, pg_name = _fresh_copy(template_database, tmp_path)
    application = make_app(url, tmp_path)
    server = make_server("127.0.0.1", 0, application, threaded=True)  # bound and listening
    port = server.server_port
    thread = threading.Thread(target=server.serve_forever, name=f"live-{port}", daemon=True)
    access_log = logging.getLogger("werkzeug")
    access_level = access_log.level
    access_log.setLevel(logging.WARNING)  # no line per static file in the test output
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", "127.0.0.1", port, application)
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        access_log.setLevel(access_level)
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
        if pg_name:
            _pg_drop(pg_name)


@pytest.fixture(scope="session")
def _playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - depends on the environment
        _unavailable(f"Playwright for Python is not installed ({exc}); pip install -e '.[test]'")
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"{CHROMIUM} is missing; apt-get install -y chromium")
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(_playwright):
    try:
        chromium = _playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
    except Exception as exc:
        _unavailable(f"{CHROMIUM} does not start under Playwright: {exc}")
    print(f"\n[browser] {CHROMIUM} {chromium.version}")
    yield chromium
    chromium.close()


@dataclass
class Guard:
    """Requests the page tried to make to hosts other than the app's."""

    allowed: str
    blocked: list[str] = field(default_factory=list)

    def handle(self, route) -> None:
        request_url = route.request.url
        parts = urlsplit(request_url)
        if parts.scheme in {"http", "https"} and parts.netloc == self.allowed:
            route.continue_()
        else:
            self.blocked.append(f"{route.request.method} {request_url}")
            route.abort("blockedbyclient")


@pytest.fixture
def page(browser, live_server, request):
    """A page on the live portal; any request to another host is blocked and fails the test."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    guard = Guard(allowed=f"{live_server.host}:{live_server.port}")
    context = browser.new_context(
        base_url=live_server.url,
        locale="vi-VN",
        extra_http_headers={"Accept-Language": "vi"},
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.route("**/*", guard.handle)
    console_errors: list[str] = []
    broken: list[str] = []  # scripts the page could not run: the UI is not what users get
    pg = context.new_page()

    def on_console(message) -> None:
        if message.type != "error":
            return
        console_errors.append(message.text)
        if "Content Security Policy" in message.text:
            broken.append(f"{pg.url}: {message.text}")

    pg.on("console", on_console)
    pg.on("pageerror", lambda exc: broken.append(f"{pg.url}: uncaught {exc}"))
    try:
        yield pg
    finally:
        failed = getattr(request.node, "rep_call", None)
        if failed is not None and failed.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            shot = ARTIFACTS / f"FAILED-{request.node.name}.png"
            try:
                pg.screenshot(path=str(shot), full_page=True)
                print(f"[browser] failure screenshot: {shot}")
            except Exception as exc:  # the page may be gone already
                print(f"[browser] no failure screenshot: {exc}")
        context.close()
        for message, times in Counter(_CSP_HASH.sub("", m) for m in console_errors).items():
            print(f"[browser] console error ×{times}: {message[:300]}")
        if guard.blocked:
            pytest.fail(
                "the page requested hosts other than the app's "
                f"({guard.allowed}); blocked:\n  " + "\n  ".join(guard.blocked),
                pytrace=False,
            )
        if broken:
            unique = list(dict.fromkeys(_CSP_HASH.sub("", m)[:300] for m in broken))
            pytest.fail(
                f"the page could not run {len(broken)} script(s) (CSP refusal or uncaught "
                "error), so its JavaScript UI is broken:\n  " + "\n  ".join(unique[:10]),
                pytrace=False,
            )
