"""Screens of continuous training (BDTX).

- /training/: the signed-in person's steps this year: survey → needs → plan → results;
- /training/survey: the year's questionnaire (one response per person and cycle);
- /training/needs: suggested modules from the weakest criteria, chosen needs with priority;
- /training/plan/<id>: one page for a plan: the owner's draft and submit, the approver's
  approve / return, module results with certificate upload, the year's outcome;
- /training/approvals: plans waiting for the signed-in approver;
- /training/progress/ (+ /export): counts per school or commune office, people of a school;
- /training/survey-report: aggregates only, none for a group smaller than five;
- generated views: programmes, modules (with their criteria), result levels, courses and
  enrolments, questionnaires (sections, questions, "copy to a new version"), plans;
- read-only API: /api/v1/trainingplan/, /api/v1/trainingmodule/.

Every row is loaded through ``app.security.scope``; role checks (owner, approver) are in
``app.training.services``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, action, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectField
from wtforms.validators import DataRequired

from app.evaluation import storage
from app.evaluation.models import Cycle, Evidence
from app.exchange.excel import workbook_bytes, xlsx_response
from app.extensions import db
from app.forms import ViDateField
from app.org.models import Unit
from app.personnel.choices import POSITION_LABELS
from app.personnel.models import Person
from app.security import roles
from app.security.scope import (
    current_scope,
    get_in_scope_or_404,
    scoped_query,
    unit_in_scope,
)
from app.security.scoped_views import ScopedModelRestApi, ScopedModelView
from app.text import DB_INT_MAX, parse_id, parse_int
from app.training import rules, services
from app.training.models import (
    APPROVED,
    DRAFT,
    EDITABLE_BY_OWNER,
    RETURNED,
    SUBMITTED,
    Course,
    Enrolment,
    Module,
    ModuleCriterion,
    Programme,
    Question,
    Questionnaire,
    ResultLevel,
    SurveySection,
    TrainingPlan,
)

STATE_LABELS = {
    "not_started": _l("Chưa lập"),
    DRAFT: _l("Đang soạn"),
    SUBMITTED: _l("Chờ duyệt"),
    RETURNED: _l("Bị trả lại"),
    APPROVED: _l("Đã duyệt"),
}
MEASURE_LABELS = {"periods": _l("Tiết"), "weeks": _l("Tuần")}
FORM_LABELS = {"tap_trung": _l("Tập trung"), "tu_xa": _l("Từ xa"), "ket_hop": _l("Kết hợp")}
KIND_LABELS = {
    "likert": _l("Thang đo 1–5"),
    "single": _l("Chọn một"),
    "multiple": _l("Chọn nhiều"),
    "number": _l("Số"),
    "text": _l("Trả lời tự do"),
}
AUDIENCE_LABELS = {
    "all": _l("Tất cả"),
    "teachers": _l("Giáo viên"),
    "principals": _l("Cán bộ quản lý"),
}
PRIORITY_LABELS = {1: _l("Cao"), 2: _l("Trung bình"), 3: _l("Thấp")}
LEVEL_LABELS = {0: _l("Chưa đạt"), 1: _l("Đạt"), 2: _l("Khá"), 3: _l("Tốt")}
LIKERT_LABELS = {
    "1": _l("1 – Hoàn toàn không đồng ý"),
    "2": _l("2 – Không đồng ý"),
    "3": _l("3 – Phân vân"),
    "4": _l("4 – Đồng ý"),
    "5": _l("5 – Hoàn toàn đồng ý"),
}


def state_label(value: Any) -> str:
    return str(STATE_LABELS.get(value or "not_started", value or ""))


def _label(mapping: dict) -> Any:
    return lambda v: str(mapping.get(v, v if v is not None else ""))


def _yes_no(value: Any) -> str:
    return str(_l("Có")) if value else str(_l("Không"))


def _user_person() -> Person | None:
    person_id = getattr(current_user, "person_id", None)
    return get_in_scope_or_404(Person, person_id) if person_id else None


def _parse_date(text: str | None) -> dt.date | None:
    text = (text or "").strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _parse_amount(text: str | None) -> Decimal | None:
    text = (text or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() and Decimal(0) <= value < Decimal(10000) else None


def _amount(value: Any) -> str:
    if value is None:
        return ""
    value = Decimal(str(value))
    return str(int(value)) if value == value.to_integral() else str(value).replace(".", ",")


# --------------------------------------------------------------------------- the person's pages


class TrainingView(BaseView):
    """Survey, needs, plan and results of the signed-in person; approvals and reports."""

    route_base = "/training"
    class_permission_name = "Training"
    default_view = "index"
    method_permission_name = {
        "index": "read",
        "survey": "write",
        "needs": "write",
        "plan_mine": "write",
        "plan_start": "write",
        "plan_show": "read",
        "plan_save": "write",
        "plan_review": "review",
        "item_result": "result",
        "outcome": "review",
        "approvals": "review",
        "progress": "report",
        "export": "export",
        "survey_report": "report",
    }

    def _person_cycle(self):
        person = _user_person()
        if person is None:
            return None, None
        return person, services.current_cycle(person)

    def _no_person(self):
        flash(
            _("Tài khoản của bạn chưa gắn với hồ sơ cán bộ nên không có kế hoạch bồi dưỡng."),
            "warning",
        )
        if self.appbuilder.sm.has_access("can_report", self.class_permission_name):
            return redirect(url_for("TrainingView.progress"))
        return redirect(self.appbuilder.get_url_for_index)

    # -- overview ---------------------------------------------------------------------
    @expose("/")
    @has_access
    def index(self):
        person, cycle = self._person_cycle()
        if person is None:
            return self._no_person()
        response = plan = None
        needs = []
        if cycle is not None:
            response = services.response_for(person.id, cycle.id)
            needs = services.needs_of(person.id, cycle.id)
            plan = services.plan_of(person.id, cycle.id)
        history = (
            scoped_query(TrainingPlan)
            .filter(TrainingPlan.person_id == person.id)
            .order_by(TrainingPlan.id.desc())
            .all()
        )
        return self.render_template(
            "training/index.html",
            title=_("Bồi dưỡng thường xuyên của tôi"),
            person=person,
            cycle=cycle,
            response=response,
            needs=needs,
            plan=plan,
            history=history,
            questionnaire=services.active_questionnaire(cycle),
            survey_open=bool(cycle and services.window_open(cycle, "survey")),
            plan_open=bool(cycle and services.window_open(cycle, "plan")),
            deadline=services.deadline(cycle) if cycle else None,
            state_label=state_label,
            result_label=services.result_label,
        )

    # -- survey -----------------------------------------------------------------------
    @expose("/survey", methods=["GET", "POST"])
    @has_access
    def survey(self):
        person, cycle = self._person_cycle()
        if person is None:
            return self._no_person()
        questionnaire = services.active_questionnaire(cycle)
        if cycle is None or questionnaire is None:
            flash(_("Chưa có phiếu khảo sát cho năm học này."), "info")
            return redirect(url_for("TrainingView.index"))
        questions = services.questions_for(questionnaire, person)
        response = services.response_for(person.id, cycle.id)
        errors: dict[int, str] = {}
        values: dict[int, list[str]] = {}
        if response is not None:
            for a in response.answers:
                value = a.option or (a.text or "") or _amount(a.number)
                values.setdefault(a.question_id, []).append(value)
        window = services.window_open(cycle, "survey")
        if request.method == "POST":
            posted = {k: request.form.getlist(k) for k in request.form if k.startswith("q_")}
            values = {
                q.id: [v for v in posted.get(f"q_{q.id}", []) if v.strip()] for q in questions
            }
            answers, errors = services.parse_answers(questions, posted)
            if errors:
                flash(_("Phiếu còn câu chưa hợp lệ; hãy xem các câu được đánh dấu."), "danger")
            else:
                try:
                    _resp, created = services.submit_response(person, cycle, questionnaire, answers)
                except services.WorkflowError as exc:
                    flash(str(exc), "danger")
                else:
                    flash(
                        _("Đã gửi phiếu khảo sát.")
                        if created
                        else _("Đã cập nhật phiếu khảo sát của bạn."),
                        "success",
                    )
                    return redirect(url_for("TrainingView.needs"))
        sections = []
        by_section: dict[Any, list[Question]] = {}
        for q in questions:
            by_section.setdefault(q.section_id, []).append(q)
        for section in questionnaire.sections:
            if section.id in by_section:
                sections.append((section, by_section[section.id]))
        if None in by_section:
            sections.append((None, by_section[None]))
        return self.render_template(
            "training/survey.html",
            title=questionnaire.title,
            questionnaire=questionnaire,
            cycle=cycle,
            sections=sections,
            response=response,
            values=values,
            errors=errors,
            window_open=window,
            likert=LIKERT_LABELS,
        )

    # -- needs ------------------------------------------------------------------------
    @expose("/needs", methods=["GET", "POST"])
    @has_access
    def needs(self):
        person, cycle = self._person_cycle()
        if person is None:
            return self._no_person()
        if cycle is None:
            flash(_("Chưa có chu kỳ nào áp dụng cho đơn vị của bạn."), "info")
            return redirect(url_for("TrainingView.index"))
        evaluation, suggested = services.suggestions(person)
        if request.method == "POST":
            chosen: dict[int, str | None] = {}  # module id → posted priority
            for key in request.form:
                module_id = parse_id(key[5:]) if key.startswith("need_") else None
                if module_id is not None:
                    chosen[module_id] = request.form.get(f"priority_{module_id}")
            free = [
                (request.form.get(f"free_{i}", ""), request.form.get(f"free_priority_{i}", "2"))
                for i in range(1, 4)
            ]
            try:
                services.save_needs(
                    person, cycle, chosen, free, suggested_ids=[s.module.id for s in suggested]
                )
            except services.WorkflowError as exc:
                flash(str(exc), "danger")
            else:
                flash(_("Đã lưu nhu cầu bồi dưỡng."), "success")
                if request.form.get("action") == "plan":
                    return redirect(url_for("TrainingView.plan_mine"))
                return redirect(url_for("TrainingView.needs"))
        current = services.needs_of(person.id, cycle.id)
        chosen_modules = {n.module_id: n.priority for n in current if n.module_id}
        free_needs = [n for n in current if n.module_id is None]
        return self.render_template(
            "training/needs.html",
            title=_("Nhu cầu bồi dưỡng"),
            cycle=cycle,
            evaluation=evaluation,
            suggested=suggested,
            suggested_ids={s.module.id for s in suggested},
            modules=services.active_modules(),
            chosen=chosen_modules,
            free_needs=free_needs,
            priorities=PRIORITY_LABELS,
            level_label=lambda v: str(LEVEL_LABELS.get(int(v), v)) if v is not None else "",
            window_open=services.window_open(cycle, "plan"),
        )

    # -- plan -------------------------------------------------------------------------
    @expose("/plan")
    @has_access
    def plan_mine(self):
        person, cycle = self._person_cycle()
        if person is None:
            return self._no_person()
        plan = services.plan_of(person.id, cycle.id) if cycle else None
        if plan is not None:
            return redirect(url_for("TrainingView.plan_show", pk=plan.id))
        return self.render_template(
            "training/plan_start.html",
            title=_("Kế hoạch bồi dưỡng cá nhân"),
            cycle=cycle,
            deadline=services.deadline(cycle) if cycle else None,
            window_open=bool(cycle and services.window_open(cycle, "plan")),
        )

    @expose("/plan/start", methods=["POST"])
    @has_access
    def plan_start(self):
        person, cycle = self._person_cycle()
        if person is None or cycle is None:
            abort(404)
        try:
            plan = services.start_plan(person, cycle)
        except services.WorkflowError as exc:
            flash(str(exc), "danger")
            return redirect(url_for("TrainingView.plan_mine"))
        return redirect(url_for("TrainingView.plan_show", pk=plan.id))

    @expose("/plan/<int:pk>")
    @has_access
    def plan_show(self, pk: int):
        plan = get_in_scope_or_404(TrainingPlan, pk)
        owner = services.is_owner(current_user, plan)
        approver = services.can_approve(current_user, plan) and self.appbuilder.sm.has_access(
            "can_review", self.class_permission_name
        )
        rule = services.time_rule(plan.programme)
        can_edit = owner and plan.state in EDITABLE_BY_OWNER
        items = {i.module_id: i for i in plan.items}
        needs = {n.module_id: n for n in services.needs_of(plan.person_id, plan.cycle_id)}
        problems = (
            [services.problem_text(p) for p in services.plan_problems(plan)] if can_edit else []
        )
        return self.render_template(
            "training/plan.html",
            title=_("Kế hoạch bồi dưỡng cá nhân"),
            plan=plan,
            owner=owner,
            approver=approver,
            can_edit=can_edit,
            can_results=services.can_record_results(current_user, plan),
            modules=services.active_modules() if can_edit else [i.module for i in plan.items],
            items=items,
            needs=needs,
            rule=rule,
            measure_label=str(MEASURE_LABELS.get(rule.measure, rule.measure)).lower(),
            total=rules.total_amount(
                rules.PlannedModule(i.module.code, i.amount) for i in plan.items
            ),
            problems=problems,
            deadline=services.deadline(plan.cycle),
            window_open=services.window_open(plan.cycle, "plan"),
            module_levels=services.result_levels("module"),
            year_levels=services.result_levels("year"),
            suggested_outcome=services.suggested_outcome(plan) if plan.state == APPROVED else None,
            forms=FORM_LABELS,
            state_label=state_label,
            result_label=services.result_label,
            amount=_amount,
            max_mb=storage.max_bytes() // (1024 * 1024),
            accept=",".join(f".{ext}" for ext in storage.KINDS),
            can_download=self.appbuilder.sm.has_access("can_read", "EvaluationForm"),
        )

    @expose("/plan/<int:pk>/save", methods=["POST"])
    @has_access
    def plan_save(self, pk: int):
        plan = get_in_scope_or_404(TrainingPlan, pk)
        if not services.is_owner(current_user, plan):
            abort(404)
        posted = []
        for key in request.form:
            module_id = parse_id(key[7:]) if key.startswith("module_") else None
            if module_id is not None:
                posted.append(
                    services.PostedItem(
                        module_id,
                        _parse_amount(request.form.get(f"amount_{module_id}")),
                        _parse_date(request.form.get(f"start_{module_id}")),
                        _parse_date(request.form.get(f"end_{module_id}")),
                        request.form.get(f"form_{module_id}") or None,
                    )
                )
        try:
            services.save_plan(
                plan, current_user, posted, request.form.get("note"), request.form.get("version")
            )
            db.session.commit()
        except services.WorkflowError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return redirect(url_for("TrainingView.plan_show", pk=pk))
        if request.form.get("action") == "submit":
            try:
                services.submit_plan(plan, current_user, plan.version_id)
            except services.WorkflowError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
            else:
                flash(_("Đã nộp kế hoạch để duyệt."), "success")
        else:
            flash(_("Đã lưu bản nháp kế hoạch."), "success")
        return redirect(url_for("TrainingView.plan_show", pk=pk))

    @expose("/plan/<int:pk>/review", methods=["POST"])
    @has_access
    def plan_review(self, pk: int):
        plan = get_in_scope_or_404(TrainingPlan, pk)
        if not services.can_approve(current_user, plan):
            abort(404)
        version = request.form.get("version")
        try:
            if request.form.get("action") == "return":
                services.return_plan(plan, current_user, request.form.get("comment"), version)
                flash(_("Đã trả lại kế hoạch kèm nhận xét."), "success")
            else:
                services.approve_plan(plan, current_user, request.form.get("comment"), version)
                flash(_("Đã duyệt kế hoạch."), "success")
        except services.WorkflowError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        return redirect(url_for("TrainingView.plan_show", pk=pk))

    @expose("/plan/<int:pk>/item/<int:item_id>", methods=["POST"])
    @has_access
    def item_result(self, pk: int, item_id: int):
        plan = get_in_scope_or_404(TrainingPlan, pk)
        item = next((i for i in plan.items if i.id == item_id), None)
        if item is None or not services.can_record_results(current_user, plan):
            abort(404)
        periods = parse_int((request.form.get("periods_done") or "").strip(), min=0)
        certificate = None
        upload = request.files.get("certificate")
        try:
            if upload is not None and upload.filename:
                try:
                    saved = storage.save_upload(upload.stream, upload.filename)
                except storage.UploadError as exc:
                    raise services.WorkflowError(str(exc)) from None
                certificate = Evidence(
                    person_id=plan.person_id,
                    kind="file",
                    title=_("Chứng nhận %(code)s", code=item.module.code),
                    stored_name=saved.stored_name,
                    original_name=saved.original_name,
                    mime=saved.mime,
                    size=saved.size,
                    sha256=saved.sha256,
                    school_year=plan.cycle.school_year,
                )
                db.session.add(certificate)
            services.record_result(
                item, current_user, request.form.get("result") or None, periods, certificate
            )
            flash(_("Đã ghi kết quả mô-đun %(code)s.", code=item.module.code), "success")
        except services.WorkflowError as exc:
            db.session.rollback()
            if certificate is not None:
                storage.delete_stored(certificate.stored_name)
            flash(str(exc), "danger")
        return redirect(url_for("TrainingView.plan_show", pk=pk))

    @expose("/plan/<int:pk>/outcome", methods=["POST"])
    @has_access
    def outcome(self, pk: int):
        plan = get_in_scope_or_404(TrainingPlan, pk)
        if not services.can_approve(current_user, plan):
            abort(404)
        try:
            services.set_outcome(plan, current_user, request.form.get("outcome") or None)
            flash(_("Đã ghi kết quả bồi dưỡng của năm học."), "success")
        except services.WorkflowError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        return redirect(url_for("TrainingView.plan_show", pk=pk))

    # -- approvals --------------------------------------------------------------------
    @expose("/approvals")
    @has_access
    def approvals(self):
        return self.render_template(
            "training/approvals.html",
            title=_("Kế hoạch chờ duyệt"),
            plans=services.pending_approvals(current_user),
            state_label=state_label,
            position_label=_label(POSITION_LABELS),
        )

    # -- progress ---------------------------------------------------------------------
    def _filters(self):
        cycles = services.visible_cycles()
        wanted = request.args.get("cycle", "")
        cycle = next((c for c in cycles if str(c.id) == wanted), cycles[0] if cycles else None)
        school = None
        if request.args.get("unit"):
            unit = get_in_scope_or_404(Unit, request.args["unit"])
            if unit.kind != "school" or unit.school is None:
                abort(404)
            school = unit.school
        scope = current_scope()
        if school is None and scope.kind == "unit":
            unit = db.session.get(Unit, scope.unit_id)
            if unit is not None and unit.kind == "school" and unit.school is not None:
                school = unit.school
        group = "commune" if request.args.get("group") == "commune" else "school"
        page = parse_int(request.args.get("page"), min=1, max=DB_INT_MAX) or 1
        return cycles, cycle, school, group, page

    @expose("/progress/")
    @has_access
    def progress(self):
        cycles, cycle, school, group, page = self._filters()
        rows, people, totals = [], [], None
        size = 200
        if cycle is not None and school is not None:
            people = services.people_progress(cycle, school.unit_id)
        elif cycle is not None:
            rows = services.progress(cycle, group=group, limit=size + 1, offset=(page - 1) * size)
            totals = {
                k: sum(getattr(r, k) for r in rows[:size])
                for k in (
                    "staff",
                    "survey_done",
                    "needs",
                    "plan_draft",
                    "plan_submitted",
                    "plan_approved",
                    "completed",
                )
            }
        return self.render_template(
            "training/progress.html",
            title=_("Tiến độ bồi dưỡng thường xuyên"),
            cycles=cycles,
            cycle=cycle,
            school=school,
            group=group,
            rows=rows[:size],
            more=len(rows) > size,
            page=page,
            totals=totals,
            people=people,
            state_label=state_label,
            result_label=services.result_label,
            position_label=_label(POSITION_LABELS),
        )

    @expose("/progress/export")
    @has_access
    def export(self):
        cycles, cycle, school, group, _page = self._filters()
        if cycle is None:
            abort(404)
        if school is not None:
            headers = [
                _("Mã cán bộ"),
                _("Họ và tên"),
                _("Chức vụ"),
                _("Đã khảo sát"),
                _("Số nhu cầu"),
                _("Kế hoạch"),
                _("Kết quả năm"),
            ]
            rows = [
                (
                    person.code,
                    person.full_name,
                    _label(POSITION_LABELS)(person.position),
                    response_id is not None,
                    needs,
                    state_label(plan.state if plan else None),
                    services.result_label(plan.outcome) if plan else "",
                )
                for person, response_id, needs, plan in services.people_progress(
                    cycle, school.unit_id
                )
            ]
            name = f"bdtx-{school.code}-{cycle.school_year}.xlsx"
        else:
            headers = [
                _("Mã đơn vị"),
                _("Đơn vị"),
                _("Số người"),
                _("Đã khảo sát"),
                _("Đã đề xuất nhu cầu"),
                _("Kế hoạch đang soạn"),
                _("Kế hoạch chờ duyệt"),
                _("Kế hoạch đã duyệt"),
                _("Hoàn thành kế hoạch"),
            ]
            rows = [
                (
                    r.code,
                    r.name,
                    r.staff,
                    r.survey_done,
                    r.needs,
                    r.plan_draft,
                    r.plan_submitted,
                    r.plan_approved,
                    r.completed,
                )
                for r in services.progress(cycle, group=group, limit=100_000)
            ]
            name = f"bdtx-{cycle.school_year}.xlsx"
        content = workbook_bytes(str(_("Tiến độ BDTX")), [str(h) for h in headers], rows)
        return xlsx_response(name, content)

    # -- survey report ----------------------------------------------------------------
    @expose("/survey-report")
    @has_access
    def survey_report(self):
        cycles = services.visible_cycles()
        wanted = request.args.get("cycle", "")
        cycle = next((c for c in cycles if str(c.id) == wanted), cycles[0] if cycles else None)
        questionnaires = (
            scoped_query(Questionnaire)
            .filter(Questionnaire.cycle_id == cycle.id)
            .order_by(Questionnaire.version.desc())
            .all()
            if cycle
            else []
        )
        wanted_q = request.args.get("questionnaire", "")
        questionnaire = next(
            (q for q in questionnaires if str(q.id) == wanted_q),
            questionnaires[0] if questionnaires else None,
        )
        unit = None
        if request.args.get("unit"):
            unit = get_in_scope_or_404(Unit, request.args["unit"])
        report = None
        if questionnaire is not None:
            report = services.survey_report(
                questionnaire,
                unit_ids=select(Unit.id).where(Unit.path.startswith(unit.path)) if unit else None,
            )
        return self.render_template(
            "training/survey_report.html",
            title=_("Kết quả khảo sát chương trình BDTX"),
            cycles=cycles,
            cycle=cycle,
            questionnaires=questionnaires,
            questionnaire=questionnaire,
            unit=unit,
            units=_report_units(),
            report=report,
            kinds=KIND_LABELS,
            likert=LIKERT_LABELS,
        )


def _report_units(limit: int = 300):
    """Communes and schools of the scope to narrow the survey report to (bounded list)."""
    return (
        scoped_query(Unit)
        .filter(Unit.kind.in_(("province", "commune", "school")))
        .order_by(Unit.path)
        .limit(limit)
        .all()
    )


# --------------------------------------------------------------------------- catalogue views


class ProgrammeView(ScopedModelView):
    model = Programme
    list_title = show_title = edit_title = add_title = _l("Chương trình bồi dưỡng")
    label_columns = {
        "school_year": _l("Năm học"),
        "code": _l("Chương trình"),
        "name": _l("Tên chương trình"),
        "measure": _l("Đơn vị thời lượng"),
        "required_amount": _l("Thời lượng tối thiểu"),
        "maximum_amount": _l("Thời lượng tối đa"),
        "regulation": _l("Văn bản"),
        "source_status": _l("Mức xác minh nguồn"),
    }
    list_columns = ["school_year", "code", "name", "measure", "required_amount", "maximum_amount"]
    show_columns = [*list_columns, "regulation", "source_status"]
    add_columns = edit_columns = show_columns
    search_columns = ["school_year", "code", "measure"]
    base_order = ("school_year", "desc")
    formatters_columns = {
        "measure": _label(MEASURE_LABELS),
        "required_amount": _amount,
        "maximum_amount": _amount,
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "measure": SelectField(
            _l("Đơn vị thời lượng"),
            choices=[(k, v) for k, v in MEASURE_LABELS.items()],
            validators=[DataRequired()],
        )
    }


class ModuleCriterionView(ScopedModelView):
    model = ModuleCriterion
    list_title = show_title = edit_title = add_title = _l("Tiêu chí mô-đun phát triển")
    label_columns = {
        "module": _l("Mô-đun"),
        "framework_code": _l("Mã khung chuẩn"),
        "criterion_number": _l("Tiêu chí số"),
        "source_status": _l("Mức xác minh nguồn"),
    }
    list_columns = ["module", "framework_code", "criterion_number", "source_status"]
    show_columns = add_columns = edit_columns = list_columns


class ModuleView(ScopedModelView):
    model = Module
    list_title = show_title = edit_title = add_title = _l("Mô-đun bồi dưỡng")
    label_columns = {
        "code": _l("Mã mô-đun"),
        "programme_code": _l("Chương trình"),
        "standard_group": _l("Nhóm năng lực"),
        "name": _l("Tên mô-đun"),
        "name_en": _l("Tên tiếng Anh"),
        "periods": _l("Số tiết"),
        "periods_theory": _l("Lý thuyết"),
        "periods_practice": _l("Thực hành"),
        "audience": _l("Đối tượng"),
        "source_status": _l("Mức xác minh nguồn"),
        "active": _l("Đang dùng"),
        "criteria": _l("Tiêu chí phát triển"),
    }
    list_columns = ["code", "name", "periods", "audience", "source_status", "active"]
    show_columns = [
        "code",
        "programme_code",
        "standard_group",
        "name",
        "name_en",
        "periods",
        "periods_theory",
        "periods_practice",
        "audience",
        "criteria",
        "source_status",
        "active",
    ]
    add_columns = edit_columns = [c for c in show_columns if c != "criteria"]
    search_columns = ["code", "name", "source_status"]
    related_views = [ModuleCriterionView]
    base_order = ("code", "asc")
    formatters_columns = {"active": _yes_no}


class ResultLevelView(ScopedModelView):
    model = ResultLevel
    list_title = show_title = edit_title = add_title = _l("Mức kết quả bồi dưỡng")
    label_columns = {
        "code": _l("Mã"),
        "kind": _l("Áp dụng cho"),
        "name": _l("Tên mức"),
        "passed": _l("Được tính là hoàn thành"),
        "ordering": _l("Thứ tự"),
        "source_status": _l("Mức xác minh nguồn"),
    }
    list_columns = ["code", "kind", "name", "passed", "ordering", "source_status"]
    show_columns = add_columns = edit_columns = list_columns
    formatters_columns = {
        "passed": _yes_no,
        "kind": _label({"module": _l("Mô-đun"), "year": _l("Năm học")}),
    }
    base_order = ("ordering", "asc")


def _unit_guard(item, unit_id: int | None) -> None:
    if unit_id is None or not unit_in_scope(unit_id):
        db.session.rollback()
        abort(404)


def _course_units():
    return (
        scoped_query(Unit)
        .filter(Unit.kind.in_(("ministry", "province", "commune", "school")))
        .order_by(Unit.path)
    )


class EnrolmentView(ScopedModelView):
    model = Enrolment
    list_title = show_title = edit_title = add_title = _l("Học viên ghi danh")
    label_columns = {
        "course": _l("Lớp bồi dưỡng"),
        "person": _l("Cán bộ"),
        "enrolled_at": _l("Ngày ghi danh"),
        "note": _l("Ghi chú"),
    }
    list_columns = ["course", "person", "enrolled_at"]
    show_columns = [*list_columns, "note"]
    add_columns = edit_columns = ["course", "person", "note"]

    def _course_guard(self, item):
        course = item.course or (db.session.get(Course, item.course_id) if item.course_id else None)
        if course is None or not unit_in_scope(course.unit_id):
            db.session.rollback()
            abort(404)

    def pre_add(self, item):
        self._course_guard(item)
        super().pre_add(item)

    def pre_update(self, item):
        self._course_guard(item)
        super().pre_update(item)


class CourseView(ScopedModelView):
    model = Course
    list_title = show_title = edit_title = add_title = _l("Lớp bồi dưỡng")
    label_columns = {
        "module": _l("Mô-đun"),
        "unit": _l("Đơn vị tổ chức"),
        "school_year": _l("Năm học"),
        "name": _l("Tên lớp"),
        "start_date": _l("Từ ngày"),
        "end_date": _l("Đến ngày"),
        "form": _l("Hình thức"),
        "provider": _l("Cơ sở bồi dưỡng"),
        "capacity": _l("Số học viên tối đa"),
        "note": _l("Ghi chú"),
    }
    list_columns = ["name", "module", "unit", "start_date", "end_date", "form"]
    show_columns = [
        "school_year",
        "name",
        "module",
        "unit",
        "start_date",
        "end_date",
        "form",
        "provider",
        "capacity",
        "note",
    ]
    add_columns = edit_columns = show_columns
    search_columns = ["school_year", "name", "module", "form"]
    related_views = [EnrolmentView]
    base_order = ("start_date", "desc")
    formatters_columns = {"form": _label(FORM_LABELS)}
    add_form_extra_fields = edit_form_extra_fields = {
        "form": SelectField(
            _l("Hình thức"), choices=list(FORM_LABELS.items()), validators=[DataRequired()]
        ),
        "start_date": ViDateField(_l("Từ ngày")),
        "end_date": ViDateField(_l("Đến ngày")),
    }

    def _course_guard(self, item):
        unit_id = item.unit.id if item.unit is not None else item.unit_id
        _unit_guard(item, unit_id)
        if item.start_date and item.end_date and item.end_date < item.start_date:
            db.session.rollback()
            raise services.WorkflowError(_("Ngày kết thúc phải sau ngày bắt đầu."))

    def pre_add(self, item):
        self._course_guard(item)
        super().pre_add(item)

    def pre_update(self, item):
        self._course_guard(item)
        # the unit before the edit must be writable too
        super().pre_update(item)

    def pre_delete(self, item):
        _unit_guard(item, item.unit_id)
        super().pre_delete(item)


# --------------------------------------------------------------------------- questionnaires


def _questionnaire_guard(questionnaire: Questionnaire | None, destructive: bool = True) -> None:
    """Writes need the cycle's opener in scope; an answered questionnaire is never changed."""
    if questionnaire is None:
        db.session.rollback()
        abort(404)
    cycle = questionnaire.cycle or db.session.get(Cycle, questionnaire.cycle_id)
    if cycle is None or not unit_in_scope(cycle.unit_id):
        db.session.rollback()
        abort(404)
    if destructive and services.has_responses(questionnaire.id):
        db.session.rollback()
        raise services.WorkflowError(
            _(
                "Phiếu khảo sát đã có người trả lời nên không sửa, xóa được. "
                "Hãy dùng “Sao chép thành phiên bản mới”."
            )
        )


class QuestionView(ScopedModelView):
    model = Question
    list_title = show_title = edit_title = add_title = _l("Câu hỏi khảo sát")
    label_columns = {
        "questionnaire": _l("Phiếu khảo sát"),
        "section": _l("Phần"),
        "number": _l("Số thứ tự"),
        "text": _l("Nội dung câu hỏi"),
        "kind": _l("Loại câu hỏi"),
        "options": _l("Các lựa chọn (mỗi dòng một lựa chọn)"),
        "required": _l("Bắt buộc"),
        "audience": _l("Đối tượng"),
    }
    list_columns = ["number", "text", "kind", "required", "audience", "section"]
    show_columns = [
        "questionnaire",
        "section",
        "number",
        "text",
        "kind",
        "options",
        "required",
        "audience",
    ]
    add_columns = edit_columns = show_columns
    base_order = ("number", "asc")
    formatters_columns = {
        "kind": _label(KIND_LABELS),
        "audience": _label(AUDIENCE_LABELS),
        "required": _yes_no,
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "kind": SelectField(
            _l("Loại câu hỏi"), choices=list(KIND_LABELS.items()), validators=[DataRequired()]
        ),
        "audience": SelectField(
            _l("Đối tượng"), choices=list(AUDIENCE_LABELS.items()), validators=[DataRequired()]
        ),
    }

    def _guard_question(self, item):
        questionnaire = item.questionnaire or (
            db.session.get(Questionnaire, item.questionnaire_id) if item.questionnaire_id else None
        )
        _questionnaire_guard(questionnaire)
        if item.kind in ("single", "multiple") and not item.option_list:
            db.session.rollback()
            raise services.WorkflowError(_("Câu hỏi lựa chọn cần ít nhất một lựa chọn."))
        if item.section is not None and item.section.questionnaire_id != questionnaire.id:
            db.session.rollback()
            raise services.WorkflowError(_("Phần đã chọn thuộc phiếu khảo sát khác."))

    def pre_add(self, item):
        self._guard_question(item)
        super().pre_add(item)

    def pre_update(self, item):
        self._guard_question(item)
        super().pre_update(item)

    def pre_delete(self, item):
        _questionnaire_guard(item.questionnaire)
        super().pre_delete(item)


class SurveySectionView(ScopedModelView):
    model = SurveySection
    list_title = show_title = edit_title = add_title = _l("Phần của phiếu khảo sát")
    label_columns = {
        "questionnaire": _l("Phiếu khảo sát"),
        "number": _l("Số thứ tự"),
        "title": _l("Tên phần"),
    }
    list_columns = ["questionnaire", "number", "title"]
    show_columns = add_columns = edit_columns = list_columns
    base_order = ("number", "asc")

    def _guard_section(self, item):
        _questionnaire_guard(
            item.questionnaire
            or (
                db.session.get(Questionnaire, item.questionnaire_id)
                if item.questionnaire_id
                else None
            )
        )

    def pre_add(self, item):
        self._guard_section(item)
        super().pre_add(item)

    def pre_update(self, item):
        self._guard_section(item)
        super().pre_update(item)

    def pre_delete(self, item):
        self._guard_section(item)
        super().pre_delete(item)


class QuestionnaireView(ScopedModelView):
    model = Questionnaire
    list_title = show_title = edit_title = add_title = _l("Phiếu khảo sát BDTX")
    label_columns = {
        "cycle": _l("Chu kỳ"),
        "version": _l("Phiên bản"),
        "title": _l("Tên phiếu"),
        "intro": _l("Lời dẫn"),
        "active": _l("Đang dùng"),
        "parent": _l("Sao chép từ"),
        "created_at": _l("Ngày tạo"),
    }
    list_columns = ["cycle", "title", "version", "active"]
    show_columns = ["cycle", "title", "version", "intro", "active", "parent", "created_at"]
    add_columns = ["cycle", "title", "intro", "active"]
    edit_columns = ["title", "intro", "active"]
    related_views = [SurveySectionView, QuestionView]
    base_order = ("id", "desc")
    formatters_columns = {"active": _yes_no}

    def pre_add(self, item):
        item.version = 1 + (
            db.session.query(db.func.max(Questionnaire.version))
            .filter(Questionnaire.cycle_id == (item.cycle.id if item.cycle else item.cycle_id))
            .scalar()
            or 0
        )
        _questionnaire_guard(item, destructive=False)
        super().pre_add(item)

    def pre_update(self, item):
        # title, intro and the active flag never change what an answer meant
        _questionnaire_guard(item, destructive=False)
        super().pre_update(item)

    def pre_delete(self, item):
        _questionnaire_guard(item)
        super().pre_delete(item)

    @action(
        "copy_version",
        _l("Sao chép thành phiên bản mới"),
        _l("Sao chép phiếu đã chọn thành phiên bản mới (phiếu cũ giữ nguyên các câu trả lời)?"),
        "fa-copy",
        multiple=False,
    )
    def copy_version(self, item):
        if isinstance(item, list):
            item = item[0]
        _questionnaire_guard(item, destructive=False)
        copy = services.copy_questionnaire(item)
        db.session.commit()
        flash(_("Đã tạo phiên bản %(version)s.", version=copy.version), "success")
        return redirect(url_for("QuestionnaireView.show", pk=copy.id))


class TrainingPlanListView(ScopedModelView):
    model = TrainingPlan
    class_permission_name = "TrainingPlanList"
    list_title = show_title = _l("Danh sách kế hoạch bồi dưỡng")
    label_columns = {
        "person": _l("Cán bộ"),
        "cycle": _l("Chu kỳ"),
        "unit": _l("Đơn vị"),
        "state": _l("Trạng thái"),
        "submitted_at": _l("Ngày nộp"),
        "approved_at": _l("Ngày duyệt"),
        "outcome": _l("Kết quả năm"),
    }
    list_columns = ["person", "cycle", "unit", "state", "submitted_at", "outcome"]
    show_columns = [*list_columns, "approved_at"]
    search_columns = ["state", "cycle"]
    base_permissions = ["can_list", "can_show"]
    base_order = ("id", "desc")
    formatters_columns = {"state": state_label, "outcome": lambda v: services.result_label(v)}


class TrainingPlanApi(ScopedModelRestApi):
    resource_name = "trainingplan"
    model = TrainingPlan
    class_permission_name = "TrainingPlanList"
    include_route_methods = {"get", "get_list", "info"}
    list_columns = ["id", "person.id", "cycle.id", "unit.id", "state", "outcome"]
    show_columns = [*list_columns, "submitted_at", "approved_at", "version_id"]
    label_columns = {
        "id": _l("Mã số"),
        "person.id": _l("Cán bộ"),
        "cycle.id": _l("Chu kỳ"),
        "unit.id": _l("Đơn vị"),
        "state": _l("Trạng thái"),
        "outcome": _l("Kết quả năm"),
        "submitted_at": _l("Ngày nộp"),
        "approved_at": _l("Ngày duyệt"),
        "version_id": _l("Phiên bản"),
    }


class ModuleApi(ScopedModelRestApi):
    resource_name = "trainingmodule"
    model = Module
    class_permission_name = "Module"
    include_route_methods = {"get", "get_list", "info"}
    list_columns = ["id", "code", "name", "periods", "audience", "source_status", "active"]
    show_columns = list_columns
    label_columns = {
        "id": _l("Mã số"),
        "code": _l("Mã mô-đun"),
        "name": _l("Tên mô-đun"),
        "periods": _l("Số tiết"),
        "audience": _l("Đối tượng"),
        "source_status": _l("Mức xác minh nguồn"),
        "active": _l("Đang dùng"),
    }


# --------------------------------------------------------------------------- roles

_READ = {"can_list", "can_show"}
_CRUD = {"can_list", "can_show", "can_add", "can_edit", "can_delete"}
_CATALOGUE_READ = {"Programme": _READ, "Module": _READ | {"can_info"}, "ResultLevel": _READ}
_PLANS = {"TrainingPlanList": _READ | {"can_info"}}
_SELF = {"Training": {"can_read", "can_write", "can_result"}}
_REVIEW = {"Training": {"can_read", "can_review", "can_result", "can_report", "can_export"}}
_REPORT = {"Training": {"can_read", "can_report", "can_export"}}
_COURSES = {"Course": _CRUD, "Enrolment": _CRUD}
_COURSES_READ = {"Course": _READ, "Enrolment": _READ}
_QUESTIONNAIRES = {
    "Questionnaire": _CRUD | {"copy_version"},
    "SurveySection": _CRUD,
    "Question": _CRUD,
}
_MENU_SELF = ("Training", "MyTraining")
_MENU_REVIEW = ("Training", "TrainingApprovals", "TrainingProgress", "SurveyReport", "Plans")
_MENU_CATALOGUE = ("Programmes", "Modules", "Courses")


_grant = roles.grant


for _role in (roles.GIAO_VIEN, roles.TO_TRUONG):
    _grant(_role, _SELF, _PLANS, _CATALOGUE_READ, _COURSES_READ, menus=_MENU_SELF + ("Modules",))
_grant(
    roles.HIEU_TRUONG,
    _SELF,
    _REVIEW,
    _PLANS,
    _CATALOGUE_READ,
    _COURSES,
    menus=_MENU_SELF + _MENU_REVIEW + _MENU_CATALOGUE,
)
for _role in (roles.CHUYEN_VIEN_XA, roles.LANH_DAO_SO, roles.CHUYEN_VIEN_SO):
    _grant(_role, _REVIEW, _PLANS, _CATALOGUE_READ, _COURSES, menus=_MENU_REVIEW + _MENU_CATALOGUE)
for _role in (roles.LANH_DAO_SO, roles.CHUYEN_VIEN_SO):
    _grant(_role, _QUESTIONNAIRES, menus=("Questionnaires",))
_grant(
    roles.BO,
    _REPORT,
    _PLANS,
    _CATALOGUE_READ,
    _COURSES_READ,
    _QUESTIONNAIRES,
    menus=("Training", "TrainingProgress", "SurveyReport", "Plans", "Questionnaires")
    + _MENU_CATALOGUE,
)
_grant(roles.NHAN_SU, _REPORT, _PLANS, menus=("Training", "TrainingProgress", "Plans"))


def register(appbuilder: AppBuilder) -> None:
    category = "Training"
    category_label = _l("Bồi dưỡng thường xuyên")
    icon = "fa-graduation-cap"
    appbuilder.add_view(
        TrainingView,
        "MyTraining",
        href="/training/",
        label=_l("Bồi dưỡng của tôi"),
        icon="fa-user",
        category=category,
        category_label=category_label,
        category_icon=icon,
    )
    appbuilder.add_link(
        "TrainingApprovals",
        href="/training/approvals",
        label=_l("Kế hoạch chờ duyệt"),
        icon="fa-check",
        category=category,
    )
    appbuilder.add_link(
        "TrainingProgress",
        href="/training/progress/",
        label=_l("Tiến độ bồi dưỡng"),
        icon="fa-tasks",
        category=category,
    )
    appbuilder.add_link(
        "SurveyReport",
        href="/training/survey-report",
        label=_l("Kết quả khảo sát"),
        icon="fa-bar-chart",
        category=category,
    )
    appbuilder.add_view(
        TrainingPlanListView,
        "Plans",
        label=_l("Danh sách kế hoạch"),
        icon="fa-list",
        category=category,
    )
    appbuilder.add_view(
        QuestionnaireView,
        "Questionnaires",
        label=_l("Phiếu khảo sát"),
        icon="fa-question-circle",
        category=category,
    )
    appbuilder.add_view_no_menu(SurveySectionView)
    appbuilder.add_view_no_menu(QuestionView)
    appbuilder.add_view(
        ProgrammeView,
        "Programmes",
        label=_l("Chương trình bồi dưỡng"),
        icon="fa-book",
        category=category,
    )
    appbuilder.add_view(
        ModuleView, "Modules", label=_l("Mô-đun bồi dưỡng"), icon="fa-cubes", category=category
    )
    appbuilder.add_view_no_menu(ModuleCriterionView)
    appbuilder.add_view(
        ResultLevelView,
        "ResultLevels",
        label=_l("Mức kết quả"),
        icon="fa-flag-checkered",
        category=category,
    )
    appbuilder.add_view(
        CourseView, "Courses", label=_l("Lớp bồi dưỡng"), icon="fa-calendar", category=category
    )
    appbuilder.add_view_no_menu(EnrolmentView)
    appbuilder.add_api(TrainingPlanApi)
    appbuilder.add_api(ModuleApi)
