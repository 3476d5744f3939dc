"""The two documented ways to serve the portal, started for real (issue 8, item 9).

`python run.py` (the demo path, Werkzeug) and the README's production gunicorn command
each serve the Vietnamese login page, and neither names its version (nor Python's) in the
`Server` header: version strings only help someone matching the server to known holes.
"""

from __future__ import annotations

import http.client
import os
import re
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import DEMO_PASSWORD, _fresh_copy, _pg_drop

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 120  # migrations check, role sync and demo-data check on a 2-core box


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_listening(proc: subprocess.Popen, port: int, log: Path) -> None:
    """Poll the port until it accepts a connection; waiting on the process between tries
    (so a server that dies is reported at once, with its output)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            pass
        try:
            proc.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            continue
        output = log.read_text(errors="replace")
        pytest.fail(f"the server exited with {proc.returncode}:\n{output[-4000:]}")
    pytest.fail(f"the server did not listen on port {port} within {START_TIMEOUT_S} s")


def _get(port: int, path: str) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        headers = {k.lower(): v for k, v in response.getheaders()}
        return response.status, headers, response.read().decode()
    finally:
        conn.close()


@pytest.fixture
def server_env(template_database, tmp_path) -> Iterator[dict[str, str]]:
    """Environment for a server process on its own copy of the demo database."""
    url, pg_name = _fresh_copy(template_database, tmp_path)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "SECRET_KEY": "test-" + "0" * 32,
        "DEMO_PASSWORD": DEMO_PASSWORD,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "PYTHONUNBUFFERED": "1",
    }
    yield env
    if pg_name:
        _pg_drop(pg_name)


def _serve(command: list[str], env: dict[str, str], port: int, log: Path):
    """Start the server, GET /login/ once it listens, stop it; its output goes to `log`."""
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_until_listening(proc, port, log)
            return _get(port, "/login/")
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _assert_login_page_without_versions(status: int, headers: dict[str, str], body: str):
    assert status == 200
    assert 'name="username"' in body and 'name="password"' in body
    assert 'name="csrf_token"' in body and "Đăng nhập" in body
    server = headers.get("server", "")
    assert server, "no Server header at all"
    assert not re.search(r"\d", server), f"Server header names a version: {server!r}"
    assert "python" not in server.lower(), server


def test_run_py_serves_without_version_in_server_header(server_env, tmp_path):
    port = _free_port()
    env = {**server_env, "PORT": str(port), "HOST": "127.0.0.1"}
    status, headers, body = _serve([sys.executable, "run.py"], env, port, tmp_path / "run.log")
    _assert_login_page_without_versions(status, headers, body)
    assert headers["server"] == "Werkzeug"


def _readme_gunicorn_command(port: int) -> list[str]:
    """The README's production command, on one worker and a free local port."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    line = next(
        line.strip() for line in readme.splitlines() if line.strip().startswith("gunicorn ")
    )
    args = shlex.split(line)
    for flag, value in (("-w", "1"), ("-b", f"127.0.0.1:{port}")):
        assert flag in args, f"README's gunicorn command has no {flag}: {line}"
        args[args.index(flag) + 1] = value
    args[0] = str(Path(sys.executable).with_name("gunicorn"))
    return args


def test_readme_gunicorn_command_serves_without_version(server_env, tmp_path):
    port = _free_port()
    command = _readme_gunicorn_command(port)
    status, headers, body = _serve(command, server_env, port, tmp_path / "gunicorn.log")
    _assert_login_page_without_versions(status, headers, body)
    assert headers["server"] == "gunicorn"
