"""Evaluation screens under attack (issue 8): YAML alias bombs in a framework upload (item 6)
and evidence links that would redirect a principal anywhere (item 7)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.evaluation import services
from app.evaluation.models import Framework
from app.extensions import db
from tests.conftest import csrf_token_from


def _alias_bomb() -> bytes:
    """A valid framework plus six levels of ten aliases each: 10^6 strings once expanded."""
    source = (services.FRAMEWORK_DIR / "tt20_2018.yaml").read_text(encoding="utf-8")
    source = source.replace('code: "TT20/2018"', 'code: "TT99/2026"')
    lines = ["notes:", '  l0: &l0 ["ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha"]']
    for level in range(1, 6):
        refs = ", ".join([f"*l{level - 1}"] * 10)
        lines.append(f"  l{level}: &l{level} [{refs}]")
    return (source + "\n" + "\n".join(lines) + "\n").encode()


def _frameworks() -> int:
    return db.session.scalar(select(func.count(Framework.id)))


def test_framework_upload_refuses_yaml_aliases(app, login_as):
    admin = login_as("admin")
    token = csrf_token_from(admin.get("/frameworkview/upload").get_data(as_text=True))
    before = _frameworks()
    response = admin.post(
        "/frameworkview/upload",
        data={"csrf_token": token, "file": (io.BytesIO(_alias_bomb()), "bomb.yaml")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Tệp khung chưa hợp lệ" in html
    assert "neo hoặc tham chiếu YAML (&amp; hoặc *)" in html
    db.session.expire_all()
    assert _frameworks() == before
    assert db.session.scalar(select(Framework).where(Framework.code == "TT99/2026")) is None


def test_framework_without_aliases_still_uploads(app, login_as):
    admin = login_as("admin")
    token = csrf_token_from(admin.get("/frameworkview/upload").get_data(as_text=True))
    plain = _alias_bomb().split(b"\nnotes:")[0]
    response = admin.post(
        "/frameworkview/upload",
        data={"csrf_token": token, "file": (io.BytesIO(plain), "tt99.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Framework).where(Framework.code == "TT99/2026")) is not None


def test_loader_names_the_line_of_the_first_anchor():
    from app.evaluation import rules

    with pytest.raises(rules.AliasNotAllowed) as refused:
        rules.load_framework_yaml("code: X\nlevels: &l [1, 2]\nagain: *l\n")
    assert refused.value.line == 2
    assert rules.load_framework_yaml("code: X\nlevels: [1, 2]\n") == {
        "code": "X",
        "levels": [1, 2],
    }
