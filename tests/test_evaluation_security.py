"""Evaluation screens under attack (issue 8): YAML alias bombs in a framework upload (item 6)
and evidence links that would redirect a principal anywhere (item 7)."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from app.evaluation import services
from app.evaluation.models import Evidence, Framework
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


# --------------------------------------------------------------------------- item 7


def _teacher_link_evidence(login_as, url: str) -> tuple[int, int]:
    """The teacher adds a link as evidence through the self-evaluation form."""
    teacher = login_as("giaovien")
    token = csrf_token_from(teacher.get("/evaluation/mine").get_data(as_text=True))
    started = teacher.post("/evaluation/start", data={"csrf_token": token})
    pk = int(started.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    html = teacher.get(f"/evaluation/{pk}").get_data(as_text=True)
    criterion_id = re.search(r'name="url_(\d+)"', html).group(1)
    response = teacher.post(
        f"/evaluation/{pk}/save",
        data={
            "csrf_token": csrf_token_from(html),
            "version": re.search(r'name="version" value="(\d+)"', html).group(1),
            "action": "save",
            f"url_{criterion_id}": url,
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    evidence = db.session.scalar(select(Evidence).where(Evidence.url == url))
    return pk, evidence.id


def test_principal_sees_the_address_before_leaving(app, login_as):
    url = "https://evil.example/phish?a=1&b=2"
    pk, evidence_id = _teacher_link_evidence(login_as, url)
    response = login_as("hieutruong").get(f"/evaluation/evidence/{evidence_id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Location" not in response.headers
    assert "Bạn sắp mở liên kết ngoài:" in html
    assert '<code class="ev-external-url">https://evil.example/phish?a=1&amp;b=2</code>' in html
    opener = re.search(r'<a [^>]*id="ev-external-open"[^>]*>', html).group(0)
    assert 'href="https://evil.example/phish?a=1&amp;b=2"' in opener
    assert 'rel="noopener noreferrer"' in opener
    assert f'href="/evaluation/{pk}"' in html  # back to the evaluation
    # The evaluation page itself links to this page, not straight to the address.
    form = login_as("hieutruong").get(f"/evaluation/{pk}").get_data(as_text=True)
    assert f'href="/evaluation/evidence/{evidence_id}"' in form
    assert 'href="https://evil.example' not in form


def test_non_web_address_is_shown_but_not_clickable(app, login_as):
    pk, evidence_id = _teacher_link_evidence(login_as, "https://example.org/ok")
    evidence = db.session.get(Evidence, evidence_id)
    evidence.url = "javascript:alert(document.cookie)"  # a row from before check_link
    db.session.commit()
    response = login_as("hieutruong").get(f"/evaluation/evidence/{evidence_id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Location" not in response.headers
    assert "javascript:alert(document.cookie)</code>" in html
    assert 'href="javascript:' not in html and 'id="ev-external-open"' not in html
    assert "không bắt đầu bằng http:// hoặc https://" in html


def test_link_evidence_of_another_province_is_404(app, login_as):
    _pk, evidence_id = _teacher_link_evidence(login_as, "https://example.org/doc")
    assert login_as("giaovien2").get(f"/evaluation/evidence/{evidence_id}").status_code == 404
