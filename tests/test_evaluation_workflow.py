"""Evaluation workflow through the web: draft → submit → return → resubmit → finalise, windows,
double submit, stale forms, scope on every new path, evidence uploads, progress and export."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.evaluation import services
from app.evaluation.models import (
    Cycle,
    Evaluation,
    EvaluationEvent,
    Evidence,
    Framework,
    PeerOpinion,
)
from app.extensions import db
from app.formatting import format_date
from app.personnel.models import Person
from app.security.models import PortalUser
from app.security.scope import Scope, criterion
from tests.conftest import DEMO_PASSWORD, csrf_token_from

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _token(client) -> str:
    """A valid CSRF token for the client's session (pages without a form have none)."""
    import hashlib
    import os

    from flask import current_app
    from itsdangerous import URLSafeTimedSerializer

    with client.session_transaction() as session:
        raw = session.setdefault("csrf_token", hashlib.sha1(os.urandom(64)).hexdigest())
    return URLSafeTimedSerializer(current_app.secret_key, salt="wtf-csrf-token").dumps(raw)


def _user(username: str) -> PortalUser:
    return db.session.scalar(select(PortalUser).where(PortalUser.username == username))


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def _start(client) -> int:
    token = csrf_token_from(_page(client, "/evaluation/mine"))
    response = client.post("/evaluation/start", data={"csrf_token": token})
    assert response.status_code == 302
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def _form(client, pk: int) -> tuple[str, str, str, list[int]]:
    html = _page(client, f"/evaluation/{pk}")
    version = re.search(r'name="version" value="(\d+)"', html)
    ids = sorted({int(x) for x in re.findall(r'name="level_(\d+)"', html)})
    return html, _token(client), version.group(1) if version else "", ids


def _save(client, pk: int, level: str = "kha", action: str = "save", version=None, **extra):
    html, token, current, ids = _form(client, pk)
    data = {"csrf_token": token, "version": version or current, "action": action}
    data.update({f"level_{cid}": level for cid in ids})
    data.update(extra)
    return client.post(f"/evaluation/{pk}/save", data=data, content_type="multipart/form-data")


def _review(client, pk: int, action: str, level: str | None = "tot", **extra):
    html = _page(client, f"/evaluation/{pk}")
    found = re.search(r'name="version" value="(\d+)"', html)
    version = found.group(1) if found else str(_evaluation(pk).version_id)
    data = {"csrf_token": _token(client), "version": version, "action": action}
    if level:
        data.update({f"sup_{cid}": level for cid in re.findall(r'name="sup_(\d+)"', html)})
    data.update(extra)
    return client.post(f"/evaluation/{pk}/review", data=data)


def _evaluation(pk: int) -> Evaluation:
    db.session.expire_all()
    return db.session.get(Evaluation, pk)


def _events(pk: int, action: str) -> int:
    return len(
        db.session.scalars(
            select(EvaluationEvent).where(
                EvaluationEvent.evaluation_id == pk, EvaluationEvent.action == action
            )
        ).all()
    )


def _flashes(client, pk: int) -> str:
    return _page(client, f"/evaluation/{pk}")


# --------------------------------------------------------------------------- workflow


def test_demo_has_every_state_and_band(app):
    evaluations = db.session.scalars(select(Evaluation)).all()
    assert {e.state for e in evaluations} >= set(
        ("draft", "submitted", "returned", "evaluated", "finalised")
    )
    assert {e.final_result for e in evaluations} >= {0, 1, 2, 3}
    giaovien = _user("giaovien")
    assert not any(e.person_id == giaovien.person_id for e in evaluations)  # not started
    a1 = _user("hieutruong").unit_id
    teachers = db.session.scalars(
        select(Evaluation).join(Person).where(Person.unit_id == a1, Evaluation.state == "submitted")
    ).all()
    assert len(teachers) >= 5


def test_full_workflow_with_rating_and_reasons(app, login_as):
    teacher = login_as("giaovien")
    principal = login_as("hieutruong")
    pk = _start(teacher)
    assert _evaluation(pk).state == "draft"

    assert _save(teacher, pk, "kha").status_code == 302
    html = _flashes(teacher, pk)
    assert "Đã lưu bản nháp" in html
    assert "15/15 tiêu chí đạt mức Khá trở lên" in html  # computed rating with reasons
    assert "Các tiêu chí then chốt 3, 4, 5, 6, 7 chưa đạt mức Tốt" in html
    assert _evaluation(pk).self_result == 2

    assert _save(teacher, pk, "kha", action="submit").status_code == 302
    ev = _evaluation(pk)
    assert ev.state == "submitted" and ev.submitted_at is not None
    assert _events(pk, "submit") == 1
    assert ev.framework.locked

    # Read-only once submitted.
    html = _page(teacher, f"/evaluation/{pk}")
    assert 'id="ev-self-form"' not in html
    _save_attempt = teacher.post(
        f"/evaluation/{pk}/save",
        data={"csrf_token": _token(teacher), "version": str(ev.version_id), "action": "save"},
    )
    assert _save_attempt.status_code == 302
    assert _evaluation(pk).state == "submitted"

    # The principal returns it; a comment is required.
    html = _page(principal, f"/evaluation/{pk}")
    assert 'id="ev-review-form"' in html
    _review(principal, pk, "return", level=None)
    assert _evaluation(pk).state == "submitted"
    _review(principal, pk, "return", level=None, return_comment="Bổ sung minh chứng tiêu chí 5")
    ev = _evaluation(pk)
    assert ev.state == "returned"
    assert "Bổ sung minh chứng tiêu chí 5" in _page(teacher, f"/evaluation/{pk}")

    # Resubmit with better levels.
    _save(teacher, pk, "tot", action="submit")
    ev = _evaluation(pk)
    assert ev.state == "submitted" and ev.self_result == 3
    assert _events(pk, "submit") == 2

    # The principal sets levels (one key criterion at Khá → Khá with the reason) and finalises.
    html = _page(principal, f"/evaluation/{pk}")
    ids = re.findall(r'name="sup_(\d+)"', html)
    data = {f"sup_{cid}": "tot" for cid in ids}
    key5 = next(r.criterion_id for r in ev.ratings if r.criterion.number == 5)
    data[f"sup_{key5}"] = "kha"
    response = _review(principal, pk, "save", level=None, **data)
    assert response.status_code == 302
    ev = _evaluation(pk)
    assert ev.state == "evaluated" and ev.final_result == 2
    assert any("Tiêu chí 5 (then chốt) chưa đạt mức Tốt" in r for r in ev.final_reasons)
    assert "Tiêu chí 5 (then chốt) chưa đạt mức Tốt" in _page(principal, f"/evaluation/{pk}")

    _review(principal, pk, "finalise", level=None, **data)
    ev = _evaluation(pk)
    assert ev.state == "finalised" and ev.finalised_at is not None
    assert _events(pk, "finalise") == 1

    # Locked: neither the owner nor the evaluator can change it.
    _save(teacher, pk, "chua_dat", version=str(ev.version_id))
    _review(principal, pk, "return", level=None, return_comment="x")
    ev = _evaluation(pk)
    assert ev.state == "finalised" and ev.final_result == 2
    assert all(r.self_level == 3 for r in ev.ratings)


def test_submit_needs_every_criterion(app, login_as):
    teacher = login_as("giaovien")
    pk = _start(teacher)
    html, token, version, ids = _form(teacher, pk)
    data = {"csrf_token": token, "version": version, "action": "submit"}
    data.update({f"level_{cid}": "dat" for cid in ids[:-1]})
    teacher.post(f"/evaluation/{pk}/save", data=data)
    assert _evaluation(pk).state == "draft"
    assert "Chưa chọn mức cho tiêu chí: 15" in _page(teacher, f"/evaluation/{pk}")


def test_outside_the_window_is_refused_with_dates(app, login_as):
    teacher = login_as("giaovien")
    cycle = db.session.scalar(select(Cycle))
    today = dt.date.today()
    cycle.self_start = today - dt.timedelta(days=40)
    cycle.self_end = today - dt.timedelta(days=1)
    db.session.commit()
    html = _page(teacher, "/evaluation/mine")
    assert format_date(cycle.self_start) in html and format_date(cycle.self_end) in html
    token = _token(teacher)
    teacher.post("/evaluation/start", data={"csrf_token": token})
    html = _page(teacher, "/evaluation/mine")
    assert "Ngoài thời hạn tự đánh giá" in html
    assert f"từ {format_date(cycle.self_start)} đến {format_date(cycle.self_end)}" in html
    assert (
        db.session.scalar(
            select(Evaluation).where(Evaluation.person_id == _user("giaovien").person_id)
        )
        is None
    )
    with pytest.raises(services.WindowClosed) as info:
        services.check_window(cycle, "self", today)
    assert format_date(cycle.self_end) in str(info.value)


def test_superior_window_refused(app, login_as):
    principal = login_as("hieutruong")
    a1 = _user("hieutruong").unit_id
    ev = db.session.scalar(
        select(Evaluation)
        .join(Person)
        .where(
            Person.unit_id == a1, Evaluation.state == "submitted", Person.position == "giao_vien"
        )
    )
    cycle = ev.cycle
    cycle.superior_start = dt.date.today() + dt.timedelta(days=3)
    db.session.commit()
    _review(principal, ev.id, "save")
    assert _evaluation(ev.id).state == "submitted"
    assert "Ngoài thời hạn đánh giá của cấp trên" in _page(principal, f"/evaluation/{ev.id}")


def test_double_submit_yields_one_submission(app, login_as):
    teacher = login_as("giaovien")
    second_tab = login_as("giaovien")
    pk = _start(teacher)
    _save(teacher, pk, "dat")
    html, token, version, ids = _form(teacher, pk)
    _html2, token2, version2, _ids = _form(second_tab, pk)
    data = {"version": version, "action": "submit", **{f"level_{c}": "dat" for c in ids}}
    first = teacher.post(f"/evaluation/{pk}/save", data={**data, "csrf_token": token})
    second = second_tab.post(f"/evaluation/{pk}/save", data={**data, "csrf_token": token2})
    assert first.status_code == second.status_code == 302
    assert _evaluation(pk).state == "submitted"
    assert _events(pk, "submit") == 1
    assert "một lần nộp duy nhất" in _page(second_tab, f"/evaluation/{pk}")
    # The service itself: a repeated submit returns False and records nothing.
    ev = _evaluation(pk)
    assert services.submit(ev, _user("giaovien"), ev.version_id) is False
    assert _events(pk, "submit") == 1


def test_stale_form_is_refused(app, login_as):
    teacher = login_as("giaovien")
    pk = _start(teacher)
    _html, token, old_version, ids = _form(teacher, pk)
    _save(teacher, pk, "tot")  # another tab saves first
    teacher.post(
        f"/evaluation/{pk}/save",
        data={
            "csrf_token": token,
            "version": old_version,
            "action": "save",
            **{f"level_{c}": "chua_dat" for c in ids},
        },
    )
    assert all(r.self_level == 3 for r in _evaluation(pk).ratings)
    assert "cập nhật ở nơi khác" in _page(teacher, f"/evaluation/{pk}")


def test_self_only_when_superior_not_due(app, login_as):
    """TT25 (preschool principals) is not due in 2025-2026: the evaluator only confirms."""
    ev = db.session.scalar(
        select(Evaluation)
        .join(Person)
        .where(
            Evaluation.superior_due.is_(False),
            Evaluation.state == "submitted",
            Person.position == "hieu_truong",  # a principal: the commune office evaluates
        )
    )
    assert ev is not None
    evaluator_unit = services.evaluator_unit(ev.person)
    assert evaluator_unit.kind == "commune"
    user = db.session.scalar(select(PortalUser).where(PortalUser.unit_id == evaluator_unit.id))
    if user is None:  # no demo account there: act as a commune officer of that unit
        user = _user("xa")
        user.unit_id = evaluator_unit.id
        db.session.commit()
        user = _user("xa")
    services.finalise(ev, user, ev.version_id)
    ev = _evaluation(ev.id)
    assert ev.state == "finalised" and ev.final_result == ev.self_result


# --------------------------------------------------------------------------- scope


def _other_principal(app) -> str:
    """A principal account of school B5 (province B)."""
    from app.security import roles

    sm = app.appbuilder.sm
    teacher_b = _user("giaovien2")
    person = db.session.scalar(
        select(Person).where(Person.unit_id == teacher_b.unit_id, Person.position == "hieu_truong")
    )
    user = sm.add_user(
        "hieutruong_b",
        "Hiệu",
        "trưởng B",
        "htb@demo.edu.vn",
        sm.find_role(roles.HIEU_TRUONG),
        password=DEMO_PASSWORD,
    )
    user.unit_id = teacher_b.unit_id
    user.person_id = person.id if person else None
    user.must_change_password = False
    db.session.commit()
    return "hieutruong_b"


def _uploaded_evaluation(login_as) -> tuple[int, int]:
    teacher = login_as("giaovien")
    pk = _start(teacher)
    html, token, version, ids = _form(teacher, pk)
    data = {"csrf_token": token, "version": version, "action": "save"}
    data.update({f"level_{cid}": "dat" for cid in ids})
    data[f"file_{ids[0]}"] = (io.BytesIO(PDF), "giao-an.pdf")
    response = teacher.post(f"/evaluation/{pk}/save", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    evidence = db.session.scalar(select(Evidence).where(Evidence.original_name == "giao-an.pdf"))
    assert evidence is not None
    return pk, evidence.id


def test_other_school_teacher_and_principal_get_404(app, login_as):
    pk, evidence_id = _uploaded_evaluation(login_as)
    owner = login_as("giaovien")
    assert owner.get(f"/evaluation/evidence/{evidence_id}").data == PDF
    assert login_as("hieutruong").get(f"/evaluation/evidence/{evidence_id}").status_code == 200
    other_principal = login_as(_other_principal(app))
    for client in (login_as("giaovien2"), other_principal, login_as("totruong")):
        assert client.get(f"/evaluation/{pk}").status_code == 404
        assert client.get(f"/evaluation/evidence/{evidence_id}").status_code == 404
        assert client.get(f"/api/v1/evaluation/{pk}").status_code == 404
        listing = client.get("/api/v1/evaluation/?q=(page_size:100)").get_json()
        assert pk not in listing["ids"]
        token = _token(client)
        assert (
            client.post(
                f"/evaluation/{pk}/save", data={"csrf_token": token, "action": "submit"}
            ).status_code
            == 404
        )
        review = client.post(
            f"/evaluation/{pk}/review", data={"csrf_token": token, "action": "return"}
        )
        # 404 for an evaluator out of scope; 403 for a role that never evaluates.
        assert review.status_code == (404 if client is other_principal else 403)
    assert _evaluation(pk).state == "draft"


def test_commune_office_sees_but_does_not_evaluate_teachers(app, login_as):
    a1 = _user("hieutruong").unit_id
    ev = db.session.scalar(
        select(Evaluation)
        .join(Person)
        .where(
            Person.unit_id == a1, Evaluation.state == "submitted", Person.position == "giao_vien"
        )
    )
    xa = login_as("xa")
    html = _page(xa, f"/evaluation/{ev.id}")
    assert 'id="ev-review-form"' not in html
    token = _token(xa)
    assert xa.post(f"/evaluation/{ev.id}/review", data={"csrf_token": token}).status_code == 404
    # ... but evaluates the A1 principal (THCS → commune office).
    own = db.session.scalar(
        select(Evaluation).where(Evaluation.person_id == _user("hieutruong").person_id)
    )
    assert 'id="ev-review-form"' in _page(xa, f"/evaluation/{own.id}")
    # The principal cannot evaluate himself.
    assert not services.can_evaluate(_user("hieutruong"), own)
    assert (
        login_as("lanhdaoso")
        .get(
            f"/evaluation/{db.session.scalar(select(Evaluation.id).where(Evaluation.person_id == _user('giaovien2').person_id))}"
        )
        .status_code
        == 404
    )


def test_opinions_scope_and_group_leader_checks(app, login_as):
    leader = _user("totruong")
    leader_person = db.session.get(Person, leader.person_id)
    a1 = leader.unit_id
    same_group = db.session.scalar(
        select(Person).where(
            Person.unit_id == a1,
            Person.main_subject_id == leader_person.main_subject_id,
            Person.position == "giao_vien",
            Person.status == "active",
        )
    )
    other_group = db.session.scalar(
        select(Person).where(
            Person.unit_id == a1,
            Person.main_subject_id != leader_person.main_subject_id,
            Person.position == "giao_vien",
            Person.status == "active",
        )
    )
    other_school = db.session.get(Person, _user("giaovien2").person_id)
    client = login_as("totruong")
    html = _page(client, "/evaluation/opinions/")
    assert same_group.full_name in html and other_group.full_name not in html
    page = _page(client, f"/evaluation/opinions/group/{same_group.id}")
    token = csrf_token_from(page)
    ok = client.post(
        f"/evaluation/opinions/group/{same_group.id}",
        data={"csrf_token": token, "overall": "kha", "comment": "Tổ thống nhất mức Khá"},
    )
    assert ok.status_code == 302
    for target in (other_group, other_school):
        for kind in ("group", "member"):
            assert client.get(f"/evaluation/opinions/{kind}/{target.id}").status_code == 404
            refused = client.post(
                f"/evaluation/opinions/{kind}/{target.id}",
                data={"csrf_token": token, "overall": "tot"},
            )
            assert refused.status_code == 404
    # A plain teacher cannot write the group's summary.
    teacher = login_as("giaovien")
    assert teacher.get(f"/evaluation/opinions/group/{same_group.id}").status_code == 404

    # Nobody reads opinions about themselves; self scope reads only what it wrote.
    about_leader = criterion(PeerOpinion, Scope("self", a1, None, same_group.id))
    rows = db.session.scalars(select(PeerOpinion).where(about_leader)).all()
    assert all(r.author_person_id == same_group.id for r in rows)
    principal = _user("hieutruong")
    unit_scope = Scope("unit", principal.unit_id, principal.unit.path, principal.person_id)
    rows = db.session.scalars(select(PeerOpinion).where(criterion(PeerOpinion, unit_scope))).all()
    assert rows and all(r.person_id != principal.person_id for r in rows)
    staff_on_principal = db.session.scalars(
        select(PeerOpinion).where(PeerOpinion.person_id == principal.person_id)
    ).all()
    assert staff_on_principal  # they exist, the principal just cannot read them
    # The evaluated teacher sees only the aggregate (counts), never the author.
    ev = db.session.scalar(select(Evaluation).where(Evaluation.person_id == same_group.id))
    if ev is not None:
        summary = services.opinion_summary(ev)
        assert summary.count >= 1 and summary.group_comments == []


# --------------------------------------------------------------------------- uploads


def _docx(part: str = "word/document.xml") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(part, "<x/>")
    return out.getvalue()


def _stored_files(app) -> list[Path]:
    root = Path(app.config["UPLOAD_DIR"]) / "evidence"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "Không nhận tệp có phần mở rộng"),
        ("anh.pdf", PNG, "Nội dung tệp không khớp với phần mở rộng .pdf"),
        ("bang.docx", _docx("xl/workbook.xml"), "không phải tài liệu Office hợp lệ"),
        ("rong.png", b"", "Tệp rỗng"),
    ],
)
def test_refused_uploads_write_nothing(app, login_as, name, content, message):
    teacher = login_as("giaovien")
    pk = _start(teacher)
    html, token, version, ids = _form(teacher, pk)
    data = {"csrf_token": token, "version": version, "action": "save"}
    data[f"file_{ids[0]}"] = (io.BytesIO(content), name)
    teacher.post(f"/evaluation/{pk}/save", data=data, content_type="multipart/form-data")
    assert message in _page(teacher, f"/evaluation/{pk}")
    assert _stored_files(app) == []
    assert db.session.scalar(select(Evidence).where(Evidence.original_name == name)) is None


def test_oversized_upload_is_refused(app, login_as):
    app.config["MAX_UPLOAD_MB"] = 1
    teacher = login_as("giaovien")
    pk = _start(teacher)
    html, token, version, ids = _form(teacher, pk)
    big = PDF + b"0" * (1024 * 1024 + 10)
    data = {"csrf_token": token, "version": version, "action": "save"}
    data[f"file_{ids[0]}"] = (io.BytesIO(big), "lon.pdf")
    teacher.post(f"/evaluation/{pk}/save", data=data, content_type="multipart/form-data")
    assert "Tệp quá lớn: tối đa 1 MB" in _page(teacher, f"/evaluation/{pk}")
    assert _stored_files(app) == []


def test_accepted_uploads_links_and_reuse(app, login_as):
    teacher = login_as("giaovien")
    pk = _start(teacher)
    html, token, version, ids = _form(teacher, pk)
    data = {"csrf_token": token, "version": version, "action": "save"}
    data[f"file_{ids[0]}"] = (io.BytesIO(_docx()), "Kế hoạch bài dạy.docx")
    data[f"file_{ids[1]}"] = (io.BytesIO(PNG), "anh.png")
    data[f"url_{ids[2]}"] = "https://drive.google.com/file/d/abc"
    data[f"url_{ids[3]}"] = "javascript:alert(1)"
    teacher.post(f"/evaluation/{pk}/save", data=data, content_type="multipart/form-data")
    files = _stored_files(app)
    assert len(files) == 2
    assert all(re.fullmatch(r"[0-9a-f]{32}\.(docx|png)", f.name) for f in files)
    html = _page(teacher, f"/evaluation/{pk}")
    assert "Kế hoạch bài dạy.docx" in html and "drive.google.com" in html
    assert "Đường dẫn không hợp lệ" in html
    # Reuse an earlier file for another criterion without uploading again.
    evidence = db.session.scalar(select(Evidence).where(Evidence.original_name == "anh.png"))
    html, token, version, ids = _form(teacher, pk)
    teacher.post(
        f"/evaluation/{pk}/save",
        data={
            "csrf_token": token,
            "version": version,
            "action": "save",
            f"reuse_{ids[4]}": str(evidence.id),
        },
    )
    links = [x for x in _evaluation(pk).evidence_links if x.evidence_id == evidence.id]
    assert len(links) == 2 and len(_stored_files(app)) == 2


# --------------------------------------------------------------------------- progress, export


def test_progress_and_export_are_scoped_and_neutralised(app, login_as):
    principal = _user("hieutruong")
    victim = db.session.scalar(
        select(Person).where(Person.unit_id == principal.unit_id, Person.position == "giao_vien")
    )
    victim.full_name = '=HYPERLINK("http://x")'
    db.session.commit()
    client = login_as("hieutruong")
    html = _page(client, "/evaluation/progress/")
    assert "Đã nộp" in html
    response = client.get("/evaluation/progress/export")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert all(v is None or isinstance(v, str) for v in values)
    assert '\'=HYPERLINK("http://x")' in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)
    b_person = db.session.get(Person, _user("giaovien2").person_id)
    assert b_person.full_name not in values

    so = login_as("so")
    sheet = load_workbook(io.BytesIO(so.get("/evaluation/progress/export").data)).active
    names = [row[1].value for row in sheet.iter_rows(min_row=2)]
    assert names and not any("Lào Cai" in (n or "") or "Bắc Hà" in (n or "") for n in names)
    assert login_as("giaovien").get("/evaluation/progress/").status_code == 403


# --------------------------------------------------------------------------- frameworks, cycles


def test_framework_upload_validates_and_versions(app, login_as):
    admin = login_as("admin")
    token = csrf_token_from(_page(admin, "/frameworkview/upload"))
    bad = b"code: X\nname: Y\naudience: sai\nsuperior_period_years: 0\n"
    html = admin.post(
        "/frameworkview/upload",
        data={"csrf_token": token, "file": (io.BytesIO(bad), "x.yaml")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "Tệp khung chưa hợp lệ" in html and "Đối tượng (audience)" in html
    source = Path(services.FRAMEWORK_DIR / "tt20_2018.yaml").read_bytes()
    response = admin.post(
        "/frameworkview/upload",
        data={"csrf_token": token, "file": (io.BytesIO(source), "tt20.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    versions = db.session.scalars(
        select(Framework.version).where(Framework.code == "TT20/2018")
    ).all()
    assert sorted(versions) == [1, 2]  # v1 is in use (locked): a new version, v1 untouched
    new = source.replace(b'code: "TT20/2018"', b'code: "TT30/2026"')
    admin.post(
        "/frameworkview/upload",
        data={"csrf_token": token, "file": (io.BytesIO(new), "tt30.yaml")},
        content_type="multipart/form-data",
    )
    tt30 = db.session.scalar(select(Framework).where(Framework.code == "TT30/2026"))
    assert tt30 is not None and len(tt30.criteria) == 15 and not tt30.locked
    assert login_as("giaovien").get("/frameworkview/upload").status_code == 403


def test_locked_framework_criteria_cannot_be_edited(app, login_as):
    admin = login_as("admin")
    framework = db.session.scalar(select(Framework).where(Framework.code == "TT20/2018"))
    assert framework.locked
    criterion_row = framework.criteria[0]
    html = _page(admin, f"/criterionview/edit/{criterion_row.id}")
    admin.post(
        f"/criterionview/edit/{criterion_row.id}",
        data={"csrf_token": csrf_token_from(html), "name": "Đổi tên"},
    )
    db.session.expire_all()
    assert db.session.get(type(criterion_row), criterion_row.id).name != "Đổi tên"


def test_cycle_opened_by_so_within_province_only(app, login_as):
    from app.org.models import Unit

    so = _user("so")
    other = db.session.scalar(select(Unit).where(Unit.kind == "province", Unit.id != so.unit_id))
    client = login_as("so")
    html = _page(client, "/cycleview/add")
    token = csrf_token_from(html)
    base = {
        "csrf_token": token,
        "school_year": "2026-2027",
        "name": "Chu kỳ thử",
        "self_start": "01/05/2027",
        "self_end": "31/05/2027",
        "opinion_start": "01/05/2027",
        "opinion_end": "31/05/2027",
        "superior_start": "01/06/2027",
        "superior_end": "30/06/2027",
    }
    client.post("/cycleview/add", data={**base, "unit": str(other.id)})
    assert db.session.scalar(select(Cycle).where(Cycle.name == "Chu kỳ thử")) is None
    client.post("/cycleview/add", data={**base, "unit": str(so.unit_id)})
    cycle = db.session.scalar(select(Cycle).where(Cycle.name == "Chu kỳ thử"))
    assert cycle is not None and cycle.unit_id == so.unit_id
    assert cycle.plan_end == dt.date(2027, 5, 31)
