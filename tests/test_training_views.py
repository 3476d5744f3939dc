"""BDTX screens on the demo data: survey (one response, updates, suppression), needs and
suggestions, plans (validation, window, approval by the right unit), results into the
training history, and the unit scope on every new path (pages, API, export)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from flask_appbuilder.security.sqla.models import Role
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.evaluation.models import Cycle, Evaluation
from app.extensions import db
from app.personnel.models import Person, TrainingCourse
from app.security import roles
from app.security.models import PortalUser
from app.security.scope import ALL_SCOPE, Scope, scope_for_user, scoped_query
from app.training import services
from app.training.models import (
    APPROVED,
    RETURNED,
    SUBMITTED,
    Module,
    Question,
    Questionnaire,
    SurveyAnswer,
    SurveyResponse,
    TrainingNeed,
    TrainingPlan,
)
from tests.conftest import csrf_token_from

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _user(username: str) -> PortalUser:
    return db.session.scalar(select(PortalUser).where(PortalUser.username == username))


def _person(username: str) -> Person:
    return db.session.get(Person, _user(username).person_id)


def _cycle() -> Cycle:
    return db.session.scalar(select(Cycle).order_by(Cycle.school_year.desc()))


def _plan(username: str) -> TrainingPlan | None:
    return services.plan_of(_user(username).person_id, _cycle().id)


def _token(client, url: str = "/training/needs") -> str:
    return csrf_token_from(client.get(url).get_data(as_text=True))


def _survey_form(questionnaire: Questionnaire, person, likert: str = "4") -> dict:
    data: dict[str, object] = {}
    for q in services.questions_for(questionnaire, person):
        if q.kind == "likert":
            data[f"q_{q.id}"] = likert
        elif q.kind == "single":
            data[f"q_{q.id}"] = q.option_list[0]
        elif q.kind == "multiple":
            data[f"q_{q.id}"] = q.option_list[:2]
        elif q.kind == "number":
            data[f"q_{q.id}"] = "3,5"
        else:
            data[f"q_{q.id}"] = "Nhiều ví dụ thực hành hơn"
    return data


# --------------------------------------------------------------------------- survey


def test_survey_second_submit_updates_the_single_response(login_as):
    client = login_as("giaovien")
    person, cycle = _person("giaovien"), _cycle()
    questionnaire = services.active_questionnaire(cycle)
    assert services.response_for(person.id, cycle.id) is None
    form = _survey_form(questionnaire, person, likert="2")
    page = client.get("/training/survey")
    assert page.status_code == 200 and "Gửi phiếu khảo sát" in page.get_data(as_text=True)
    form["csrf_token"] = csrf_token_from(page.get_data(as_text=True))
    response = client.post("/training/survey", data=form)
    assert response.status_code == 302 and response.headers["Location"].endswith("/training/needs")
    form["csrf_token"] = _token(client, "/training/survey")
    form.update({k: "5" for k, v in list(form.items()) if v == "2"})
    assert client.post("/training/survey", data=form).status_code == 302
    db.session.expire_all()
    rows = db.session.scalars(
        select(SurveyResponse).where(
            SurveyResponse.person_id == person.id, SurveyResponse.cycle_id == cycle.id
        )
    ).all()
    assert len(rows) == 1
    likert = [a.number for a in rows[0].answers if a.question.kind == "likert"]
    assert likert and {int(v) for v in likert} == {5}  # answers replaced, not appended
    multiple = [a for a in rows[0].answers if a.question.kind == "multiple"]
    assert len(multiple) == 2
    assert "Bạn đã trả lời phiếu này" in client.get("/training/survey").get_data(as_text=True)


def test_survey_required_question_refused_and_nothing_stored(login_as):
    client = login_as("giaovien")
    person, cycle = _person("giaovien"), _cycle()
    form = _survey_form(services.active_questionnaire(cycle), person)
    first_required = next(q for q in services.active_questionnaire(cycle).questions if q.required)
    form.pop(f"q_{first_required.id}")
    form["csrf_token"] = _token(client, "/training/survey")
    page = client.post("/training/survey", data=form)
    assert page.status_code == 200
    assert "Câu hỏi bắt buộc" in page.get_data(as_text=True)
    assert services.response_for(person.id, cycle.id) is None


def test_concurrent_first_submits_never_duplicate(app, monkeypatch):
    """Two first submits at once: the second one's INSERT meets the unique constraint and
    retries as an update of the row the first one stored."""
    person, cycle = _person("giaovien"), _cycle()
    questionnaire = services.active_questionnaire(cycle)
    answers, errors = services.parse_answers(
        services.questions_for(questionnaire, person),
        {
            k: v if isinstance(v, list) else [v]
            for k, v in _survey_form(questionnaire, person).items()
        },
    )
    assert not errors
    services.submit_response(person, cycle, questionnaire, answers)  # "the other request"
    real_scalar = db.session.scalar
    calls = {"n": 0}

    def blind_first_lookup(statement, *args, **kwargs):
        if "tr_survey_response" in str(statement):
            calls["n"] += 1
            if calls["n"] == 1:
                return None  # this request did not see the other one's row yet
        return real_scalar(statement, *args, **kwargs)

    monkeypatch.setattr(db.session, "scalar", blind_first_lookup)
    response, created = services.submit_response(person, cycle, questionnaire, answers)
    monkeypatch.undo()
    assert created is False and calls["n"] >= 2
    count = db.session.scalar(
        select(func.count(SurveyResponse.id)).where(
            SurveyResponse.person_id == person.id, SurveyResponse.cycle_id == cycle.id
        )
    )
    assert count == 1
    per_question = db.session.execute(
        select(SurveyAnswer.question_id, SurveyAnswer.option, func.count())
        .where(SurveyAnswer.response_id == response.id)
        .group_by(SurveyAnswer.question_id, SurveyAnswer.option)
    ).all()
    assert all(n == 1 for _q, _o, n in per_question)


def test_survey_closed_window_refuses(login_as):
    cycle = _cycle()
    cycle.survey_end = dt.date.today() - dt.timedelta(days=1)
    db.session.commit()
    client = login_as("giaovien")
    person = _person("giaovien")
    form = _survey_form(services.active_questionnaire(cycle), person)
    form["csrf_token"] = _token(client, "/training/survey")
    page = client.post("/training/survey", data=form)
    assert "Ngoài thời hạn khảo sát" in page.get_data(as_text=True)
    assert services.response_for(person.id, cycle.id) is None


def test_survey_report_suppresses_small_groups(app):
    cycle = _cycle()
    questionnaire = services.active_questionnaire(cycle)
    principal = _user("hieutruong")
    scope = scope_for_user(principal)
    report = services.survey_report(questionnaire, scope)
    assert not report.suppressed and report.respondents >= 5
    assert all(item.answered >= 5 or item.suppressed for item in report.questions)
    likert = next(i for i in report.questions if i.question.kind == "likert")
    assert sum(likert.counts.values()) == likert.answered
    # a group of fewer than five: one school with 1..4 respondents, or the threshold raised
    small = db.session.execute(
        select(SurveyResponse.unit_id, func.count())
        .where(SurveyResponse.questionnaire_id == questionnaire.id)
        .group_by(SurveyResponse.unit_id)
        .having(func.count() < 5)
    ).first()
    if small is not None:
        hidden = services.survey_report(questionnaire, ALL_SCOPE, unit_ids=[small[0]])
        assert hidden.suppressed and hidden.questions == [] and hidden.respondents == small[1]
    raised = services.survey_report(questionnaire, scope, threshold=report.respondents + 1)
    assert raised.suppressed and raised.questions == []
    # a question answered by fewer than five (free text is optional) is hidden on its own
    free = next(i for i in report.questions if i.question.kind == "text")
    assert free.suppressed == (free.answered < 5)


def test_survey_report_page_hides_small_group_and_needs_permission(login_as):
    cycle = _cycle()
    questionnaire = services.active_questionnaire(cycle)
    # a unit of the principal's scope with fewer than five respondents: the school itself
    # after all but three answers are removed
    principal = _user("hieutruong")
    keep = db.session.scalars(
        select(SurveyResponse.id)
        .where(
            SurveyResponse.questionnaire_id == questionnaire.id,
            SurveyResponse.unit_id == principal.unit_id,
        )
        .order_by(SurveyResponse.id)
    ).all()
    for rid in keep[3:]:
        db.session.delete(db.session.get(SurveyResponse, rid))
    db.session.commit()
    client = login_as("hieutruong")
    html = client.get(f"/training/survey-report?unit={principal.unit_id}").get_data(as_text=True)
    assert 'id="tr-suppressed"' in html and "ít hơn 5" in html
    assert "trung bình" not in html
    teacher = login_as("giaovien")
    assert teacher.get("/training/survey-report").status_code in (302, 403)


def test_survey_report_of_another_province_unit_is_404(login_as):
    b_unit = _user("giaovien2").unit_id
    client = login_as("hieutruong")
    assert client.get(f"/training/survey-report?unit={b_unit}").status_code == 404


# --------------------------------------------------------------------------- needs


def test_suggestions_come_from_the_weakest_criteria(app):
    evaluation = db.session.scalar(
        select(Evaluation)
        .where(Evaluation.state.in_(("evaluated", "finalised")))
        .order_by(Evaluation.id)
        .limit(1)
    )
    person = evaluation.person
    latest, suggested = services.suggestions(person)
    assert latest is not None
    levels = {
        r.criterion.number: (r.superior_level if r.superior_level is not None else r.self_level)
        for r in latest.ratings
    }
    weak = sorted((lvl, n) for n, lvl in levels.items() if lvl is not None and lvl < 3)[:3]
    mapping = services.module_map(latest.framework.code)
    expected = [
        code for _l, n in weak for code in sorted(c for c, ns in mapping.items() if n in ns)
    ]
    assert [s.module.code for s in suggested] == list(dict.fromkeys(expected))


def test_needs_page_saves_modules_and_free_text(login_as):
    client = login_as("giaovien")
    person, cycle = _person("giaovien"), _cycle()
    m1, m2 = db.session.scalars(select(Module).order_by(Module.code).limit(2)).all()
    data = {
        "csrf_token": _token(client, "/training/needs"),
        f"need_{m1.id}": "1",
        f"priority_{m1.id}": "1",
        f"need_{m2.id}": "1",
        f"priority_{m2.id}": "3",
        "free_1": "Dạy học trực tuyến",
        "free_priority_1": "2",
        "action": "save",
    }
    assert client.post("/training/needs", data=data).status_code == 302
    # saving again replaces, never duplicates
    data["csrf_token"] = _token(client, "/training/needs")
    assert client.post("/training/needs", data=data).status_code == 302
    needs = services.needs_of(person.id, cycle.id)
    assert sorted((n.module_id, n.free_text, n.priority) for n in needs if n.module_id) == sorted(
        [(m1.id, None, 1), (m2.id, None, 3)]
    )
    assert [n.free_text for n in needs if n.module_id is None] == ["Dạy học trực tuyến"]


# --------------------------------------------------------------------------- plans


def _start_plan(client) -> TrainingPlan:
    response = client.post(
        "/training/plan/start", data={"csrf_token": _token(client, "/training/plan")}
    )
    assert response.status_code == 302
    return _plan("giaovien")


def _save(client, plan: TrainingPlan, modules: list[Module], action: str = "save", **extra):
    data = {
        "csrf_token": _token(client, f"/training/plan/{plan.id}"),
        "version": str(plan.version_id),
        "action": action,
        "note": "Học vào dịp hè",
    }
    for m in modules:
        data[f"module_{m.id}"] = "1"
        data[f"amount_{m.id}"] = str(extra.get("amount", m.periods))
    return client.post(f"/training/plan/{plan.id}/save", data=data)


def test_plan_validation_then_submit_and_principal_approves(login_as):
    teacher = login_as("giaovien")
    plan = _start_plan(teacher)
    modules = db.session.scalars(select(Module).order_by(Module.code).limit(2)).all()
    # one module of 20 periods: short of the 40 required for programme 03
    _save(teacher, plan, modules[:1], action="submit")
    db.session.expire_all()
    plan = _plan("giaovien")
    assert plan.state == "draft"
    page = teacher.get(f"/training/plan/{plan.id}").get_data(as_text=True)
    assert "chưa đủ mức yêu cầu" in page
    _save(teacher, plan, modules, action="submit")
    db.session.expire_all()
    plan = _plan("giaovien")
    assert plan.state == SUBMITTED and len(plan.items) == 2
    # another school's principal: the plan is outside the scope → 404 (show and review)
    b_principal = db.session.scalar(
        select(Person).where(
            Person.unit_id == _user("giaovien2").unit_id, Person.position == "hieu_truong"
        )
    )
    assert b_principal is None or b_principal.id != _person("hieutruong").id
    other = login_as("giaovien2")
    assert other.get(f"/training/plan/{plan.id}").status_code == 404
    principal = login_as("hieutruong")
    assert f"/training/plan/{plan.id}" in principal.get("/training/approvals").get_data(
        as_text=True
    )
    response = principal.post(
        f"/training/plan/{plan.id}/review",
        data={
            "csrf_token": _token(principal, f"/training/plan/{plan.id}"),
            "version": str(plan.version_id),
            "action": "approve",
            "comment": "Đồng ý",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert _plan("giaovien").state == APPROVED
    assert _plan("giaovien").approver_id == _user("hieutruong").id


def test_return_needs_a_comment_and_owner_resubmits(login_as):
    plan = _plan("giaovien2")
    assert plan.state == SUBMITTED
    b_principal_user = db.session.scalar(
        select(PortalUser).where(PortalUser.unit_id == plan.person.unit_id)
    )
    # nobody in B signs in here; use the service with province B's school as approver unit
    assert services.approver_unit(plan.person).id == plan.person.unit_id
    assert b_principal_user is None or b_principal_user.id != _user("hieutruong").id
    with pytest.raises(services.WorkflowError):
        services.return_plan(plan, _user("hieutruong"), "x", plan.version_id)  # not its approver
    # the school's principal (the approver needs the role and a principal's record there)
    b_principal = db.session.scalar(
        select(Person).where(
            Person.unit_id == plan.person.unit_id, Person.position == "hieu_truong"
        )
    )
    fake = type(
        "U",
        (),
        {
            "id": None,
            "unit_id": plan.person.unit_id,
            "person_id": None,
            "person": b_principal,
            "roles": [db.session.scalar(select(Role).where(Role.name == roles.HIEU_TRUONG))],
        },
    )()
    with pytest.raises(services.WorkflowError):
        services.return_plan(plan, fake, "  ", plan.version_id)
    services.return_plan(plan, fake, "Bổ sung thời gian", plan.version_id)
    assert plan.state == RETURNED and plan.return_comment == "Bổ sung thời gian"


def test_principal_of_another_school_cannot_approve(login_as):
    plan = _plan("giaovien2")
    principal = login_as("hieutruong")
    token = _token(principal, "/training/needs")
    for url in (
        f"/training/plan/{plan.id}",
        f"/training/plan/{plan.id}/review",
        f"/training/plan/{plan.id}/outcome",
    ):
        method = principal.get if url.endswith(str(plan.id)) else principal.post
        kwargs = (
            {}
            if method == principal.get
            else {
                "data": {"csrf_token": token, "action": "approve", "version": str(plan.version_id)}
            }
        )
        assert method(url, **kwargs).status_code == 404, url
    db.session.expire_all()
    assert _plan("giaovien2").state == SUBMITTED
    assert plan.id not in {p.id for p in services.pending_approvals(_user("hieutruong"))}


def test_principal_plan_goes_to_the_commune_office(login_as):
    plan = _plan("hieutruong")
    assert plan.state == SUBMITTED
    principal = login_as("hieutruong")
    token = _token(principal)
    refused = principal.post(
        f"/training/plan/{plan.id}/review",
        data={"csrf_token": token, "version": str(plan.version_id), "action": "approve"},
    )
    assert refused.status_code == 404  # nobody approves their own plan
    xa = login_as("xa")
    assert f"/training/plan/{plan.id}" in xa.get("/training/approvals").get_data(as_text=True)
    ok = xa.post(
        f"/training/plan/{plan.id}/review",
        data={
            "csrf_token": _token(xa, f"/training/plan/{plan.id}"),
            "version": str(plan.version_id),
            "action": "approve",
        },
    )
    assert ok.status_code == 302
    db.session.expire_all()
    assert _plan("hieutruong").state == APPROVED


def test_plan_after_the_deadline_is_refused(login_as):
    teacher = login_as("giaovien")
    plan = _start_plan(teacher)
    modules = db.session.scalars(select(Module).order_by(Module.code).limit(2)).all()
    _save(teacher, plan, modules)
    cycle = _cycle()
    cycle.plan_end = dt.date.today() - dt.timedelta(days=1)
    db.session.commit()
    response = _save(teacher, _plan("giaovien"), modules, action="submit")
    assert response.status_code == 302
    page = teacher.get(f"/training/plan/{plan.id}").get_data(as_text=True)
    assert "Ngoài thời hạn" in page
    db.session.expire_all()
    assert _plan("giaovien").state == "draft"
    problems = [p.code for p in services.plan_problems(_plan("giaovien"))]
    assert problems == ["window_closed"]


def test_results_with_certificate_reach_the_training_history(login_as, app):
    teacher = login_as("giaovien")
    plan = _start_plan(teacher)
    modules = db.session.scalars(select(Module).order_by(Module.code).limit(2)).all()
    _save(teacher, plan, modules, action="submit")
    db.session.expire_all()
    plan = _plan("giaovien")
    services.approve_plan(plan, _user("hieutruong"), None, plan.version_id)
    item = plan.items[0]
    response = teacher.post(
        f"/training/plan/{plan.id}/item/{item.id}",
        data={
            "csrf_token": _token(teacher, f"/training/plan/{plan.id}"),
            "result": "hoan_thanh",
            "periods_done": "20",
            "certificate": (io.BytesIO(PDF), "chung-nhan.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.expire_all()
    item = _plan("giaovien").items[0]
    assert item.result == "hoan_thanh" and item.certificate is not None
    history = db.session.get(TrainingCourse, item.training_course_id)
    assert history.source == "bdtx" and history.person_id == plan.person_id
    assert item.module.code in history.name and history.periods == 20
    # the certificate is downloadable by the owner, not by a teacher of another province
    assert teacher.get(f"/evaluation/evidence/{item.certificate_id}").status_code == 200
    assert (
        login_as("giaovien2").get(f"/evaluation/evidence/{item.certificate_id}").status_code == 404
    )
    # a forged file is refused and not stored
    bad = teacher.post(
        f"/training/plan/{plan.id}/item/{plan.items[1].id}",
        data={
            "csrf_token": _token(teacher, f"/training/plan/{plan.id}"),
            "result": "hoan_thanh",
            "periods_done": "20",
            "certificate": (io.BytesIO(b"not a pdf"), "gia.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 302
    db.session.expire_all()
    assert _plan("giaovien").items[1].result is None
    # second module passed → yearly outcome suggested, confirmed by the principal only
    plan = _plan("giaovien")
    services.record_result(plan.items[1], _user("giaovien"), "hoan_thanh", 20)
    assert services.suggested_outcome(plan) == "hoan_thanh_ke_hoach"
    with pytest.raises(services.WorkflowError):
        services.set_outcome(plan, _user("giaovien"), "hoan_thanh_ke_hoach")
    services.set_outcome(plan, _user("hieutruong"), "hoan_thanh_ke_hoach")
    # a failed module later removes it from the history again
    services.record_result(plan.items[0], _user("hieutruong"), "khong_hoan_thanh", 5)
    assert db.session.get(TrainingCourse, history.id) is None


# --------------------------------------------------------------------------- scope


def test_teacher_sees_only_own_rows(app):
    scope = scope_for_user(_user("giaovien2"))
    me = _user("giaovien2").person_id
    for model in (SurveyResponse, TrainingNeed, TrainingPlan):
        assert {row.person_id for row in scoped_query(model, scope)} <= {me}
    a1 = scope_for_user(_user("hieutruong"))
    unit_people = select(Person.id).where(Person.unit_id == _user("hieutruong").unit_id)
    assert (
        scoped_query(TrainingPlan, a1).count()
        == scoped_query(TrainingPlan).filter(TrainingPlan.person_id.in_(unit_people)).count()
    )
    assert scoped_query(SurveyResponse, Scope("none")).count() == 0


def test_teacher_cannot_open_another_teachers_plan(login_as):
    other_plan = db.session.scalar(
        select(TrainingPlan).where(TrainingPlan.person_id == _user("hieutruong").person_id)
    )
    client = login_as("giaovien")
    assert client.get(f"/training/plan/{other_plan.id}").status_code == 404
    token = _token(client)
    for path in ("save", "review", "outcome"):
        response = client.post(
            f"/training/plan/{other_plan.id}/{path}",
            data={"csrf_token": token, "version": str(other_plan.version_id), "action": "submit"},
        )
        assert response.status_code in (403, 404, 302), path
        if response.status_code == 302:  # no permission: FAB redirects to login/home
            assert "/training/plan/" not in response.headers["Location"]
    item = other_plan.items[0]
    response = client.post(
        f"/training/plan/{other_plan.id}/item/{item.id}",
        data={"csrf_token": token, "result": "hoan_thanh"},
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(TrainingPlan, other_plan.id).state == SUBMITTED


def test_api_is_scoped(login_as):
    a1_plan = db.session.scalar(
        select(TrainingPlan).where(TrainingPlan.person_id == _user("hieutruong").person_id)
    )
    b_plan = _plan("giaovien2")
    b = login_as("giaovien2")
    assert b.get(f"/api/v1/trainingplan/{a1_plan.id}").status_code == 404
    own = b.get(f"/api/v1/trainingplan/{b_plan.id}")
    assert own.status_code == 200 and own.get_json()["result"]["person"]["id"] == b_plan.person_id
    principal = login_as("hieutruong")
    listing = principal.get("/api/v1/trainingplan/?q=(page_size:100)").get_json()
    a1_people = set(
        db.session.scalars(select(Person.id).where(Person.unit_id == _user("hieutruong").unit_id))
    )
    assert listing["count"] > 0
    assert {r["person"]["id"] for r in listing["result"]} <= a1_people
    assert principal.get(f"/api/v1/trainingplan/{b_plan.id}").status_code == 404
    assert principal.get("/api/v1/trainingmodule/").get_json()["count"] == 15


def test_export_is_scoped(login_as):
    principal = login_as("hieutruong")
    response = principal.get("/training/progress/export")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    names = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    a1_names = set(
        db.session.scalars(
            select(Person.full_name).where(Person.unit_id == _user("hieutruong").unit_id)
        )
    )
    assert names and names <= a1_names
    b_unit = _user("giaovien2").unit_id
    assert principal.get(f"/training/progress/export?unit={b_unit}").status_code == 404
    assert principal.get(f"/training/progress/?unit={b_unit}").status_code == 404
    xa = login_as("xa")
    rows = list(
        load_workbook(io.BytesIO(xa.get("/training/progress/export").data)).active.iter_rows(
            min_row=2, values_only=True
        )
    )
    assert rows and all(int(r[2]) >= int(r[3]) for r in rows)  # staff ≥ surveyed
    assert login_as("giaovien").get("/training/progress/export").status_code in (302, 403)


def test_progress_counts_match_the_rows(login_as):
    xa_scope = scope_for_user(_user("xa"))
    rows = services.progress(_cycle(), xa_scope)
    total_plans = sum(r.plan_draft + r.plan_submitted + r.plan_approved for r in rows)
    in_scope = (
        scoped_query(TrainingPlan, xa_scope)
        .join(Person, Person.id == TrainingPlan.person_id)
        .filter(Person.status == "active", Person.position.in_(services.TRAINED_POSITIONS))
        .count()
    )
    assert total_plans == in_scope
    communes = services.progress(_cycle(), xa_scope, group="commune")
    assert sum(r.staff for r in communes) == sum(r.staff for r in rows)


# --------------------------------------------------------------------------- questionnaires


def test_answered_questionnaire_is_copied_not_changed(login_as):
    questionnaire = services.active_questionnaire(_cycle())
    question = questionnaire.questions[0]
    admin = login_as("admin")
    page = admin.get(f"/questionview/edit/{question.id}")
    token = csrf_token_from(page.get_data(as_text=True))
    admin.post(
        f"/questionview/edit/{question.id}",
        data={
            "csrf_token": token,
            "questionnaire": str(questionnaire.id),
            "number": "1",
            "text": "Đổi câu hỏi",
            "kind": "number",
            "audience": "all",
        },
    )
    db.session.expire_all()
    assert db.session.get(Question, question.id).text != "Đổi câu hỏi"
    admin.post(f"/questionview/delete/{question.id}", data={"csrf_token": token})
    assert db.session.get(Question, question.id) is not None
    response = admin.post(
        "/questionnaireview/action_post",
        data={"csrf_token": token, "action": "copy_version", "rowid": str(questionnaire.id)},
    )
    assert response.status_code == 302
    db.session.expire_all()
    copy = services.active_questionnaire(_cycle())
    assert copy.id != questionnaire.id and copy.version == 2 and copy.parent_id == questionnaire.id
    assert len(copy.questions) == len(questionnaire.questions)
    assert not db.session.get(Questionnaire, questionnaire.id).active
    # the new version has no answers yet: it may still be edited
    assert not services.has_responses(copy.id)


def test_province_b_cannot_touch_the_questionnaire_of_another_cycle_opener(login_as):
    questionnaire = services.active_questionnaire(_cycle())
    so = login_as("so")  # a Sở: the cycle was opened by the Bộ
    token = _token(so, "/questionnaireview/list/")
    response = so.post(
        "/questionnaireview/action_post",
        data={"csrf_token": token, "action": "copy_version", "rowid": str(questionnaire.id)},
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert services.active_questionnaire(_cycle()).id == questionnaire.id
