"""Screens of the professional-standard evaluation (TEMIS job).

- /evaluation/mine: the signed-in person's evaluation in the current cycle (start it);
- /evaluation/<id>: one page for everything about one evaluation: the owner's self-evaluation
  form (levels, evidence files and links, form-01 texts, draft/submit), the evaluator's levels,
  return and finalise, the computed rating with its reasons, aggregated opinions;
- /evaluation/evidence/<id>: evidence download, through the scope;
- /evaluation/opinions/: colleagues' opinions (subject group, group leader's summary, staff on
  the principal);
- /evaluation/progress/: counts per school and per person, filters, Excel export;
- generated views: frameworks (with YAML upload and new versions), standards, criteria, cycles,
  and a list of evaluations.

Every row is loaded through ``app.security.scope``; role-specific checks (owner, evaluator,
group leader) are in ``app.evaluation.services``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml
from flask import abort, flash, redirect, request, send_file, url_for
from flask_appbuilder import AppBuilder, BaseView, action, expose, has_access
from flask_appbuilder.fields import QuerySelectField
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.evaluation import rules, services, storage
from app.evaluation.models import (
    DRAFT,
    EDITABLE_BY_OWNER,
    EVALUATED,
    FINALISED,
    RETURNED,
    REVIEWABLE,
    SUBMITTED,
    Criterion,
    Cycle,
    CycleFramework,
    Evaluation,
    Evidence,
    Framework,
    Standard,
)
from app.exchange.excel import workbook_bytes, xlsx_response
from app.extensions import db
from app.forms import ViDateField
from app.org.choices import SCHOOL_TYPE_LABELS, label_of
from app.org.models import School, Unit
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

LEVEL_LABELS = {
    0: _l("Chưa đạt"),
    1: _l("Đạt"),
    2: _l("Khá"),
    3: _l("Tốt"),
}
STATE_LABELS = {
    "not_started": _l("Chưa bắt đầu"),
    DRAFT: _l("Đang soạn"),
    SUBMITTED: _l("Đã nộp"),
    RETURNED: _l("Bị trả lại"),
    EVALUATED: _l("Cấp trên đã đánh giá"),
    FINALISED: _l("Đã hoàn thành"),
}
AUDIENCE_LABELS = {
    "giao_vien_pho_thong": _l("Giáo viên cơ sở giáo dục phổ thông"),
    "hieu_truong_pho_thong": _l("Hiệu trưởng cơ sở giáo dục phổ thông"),
    "giao_vien_mam_non": _l("Giáo viên mầm non"),
    "hieu_truong_mam_non": _l("Hiệu trưởng cơ sở giáo dục mầm non"),
}
OPINION_KIND_LABELS = {
    "member": _l("Ý kiến của thành viên tổ chuyên môn"),
    "group": _l("Ý kiến tổng hợp của tổ chuyên môn (tổ trưởng ghi)"),
    "staff": _l("Ý kiến của giáo viên, nhân viên về hiệu trưởng"),
}


LEVEL_CHOICES = [(int(level), level.key, LEVEL_LABELS[int(level)]) for level in rules.Level]


def level_label(value: Any) -> str:
    return "" if value is None else str(LEVEL_LABELS.get(int(value), value))


def state_label(value: Any) -> str:
    return str(STATE_LABELS.get(value, value or ""))


def _today() -> dt.date:
    return dt.date.today()


def _posted_levels(prefix: str) -> dict[int, str]:
    out = {}
    for key, value in request.form.items():
        criterion_id = parse_id(key[len(prefix) :]) if key.startswith(prefix) else None
        if criterion_id is not None:
            out[criterion_id] = value
    return out


def _user_person() -> Person | None:
    person_id = getattr(current_user, "person_id", None)
    return get_in_scope_or_404(Person, person_id) if person_id else None


# --------------------------------------------------------------------------- the form


class EvaluationFormView(BaseView):
    """Self-evaluation, superior evaluation and evidence of one evaluation."""

    route_base = "/evaluation"
    class_permission_name = "EvaluationForm"
    default_view = "mine"
    method_permission_name = {
        "mine": "read",
        "show": "read",
        "download": "read",
        "start": "write",
        "save": "write",
        "review": "review",
    }

    @expose("/mine")
    @has_access
    def mine(self):
        person = _user_person()
        if person is None:
            flash(
                _("Tài khoản của bạn chưa gắn với hồ sơ cán bộ nên không tự đánh giá được."),
                "warning",
            )
            return redirect(url_for("EvaluationProgressView.index"))
        cycle = services.applicable_cycle(person)
        link = services.cycle_framework_for(person, cycle) if cycle else None
        evaluation = None
        if cycle and link:
            evaluation = (
                scoped_query(Evaluation)
                .filter(
                    Evaluation.person_id == person.id,
                    Evaluation.cycle_id == cycle.id,
                    Evaluation.framework_id == link.framework_id,
                )
                .one_or_none()
            )
        if evaluation is not None:
            return redirect(url_for("EvaluationFormView.show", pk=evaluation.id))
        earlier = (
            scoped_query(Evaluation)
            .filter(Evaluation.person_id == person.id)
            .order_by(Evaluation.id.desc())
            .all()
        )
        return self.render_template(
            "evaluation/mine.html",
            title=_("Tự đánh giá theo chuẩn nghề nghiệp"),
            person=person,
            cycle=cycle,
            link=link,
            earlier=earlier,
            window_open=bool(cycle and services.window_open(cycle, "self")),
            state_label=state_label,
            level_label=level_label,
        )

    @expose("/start", methods=["POST"])
    @has_access
    def start(self):
        person = _user_person()
        if person is None:
            abort(404)
        cycle = services.applicable_cycle(person)
        if cycle is None:
            flash(_("Chưa có chu kỳ đánh giá nào áp dụng cho đơn vị của bạn."), "warning")
            return redirect(url_for("EvaluationFormView.mine"))
        try:
            evaluation = services.start_evaluation(person, cycle, current_user)
        except services.WorkflowError as exc:
            flash(str(exc), "danger")
            return redirect(url_for("EvaluationFormView.mine"))
        return redirect(url_for("EvaluationFormView.show", pk=evaluation.id))

    @expose("/<int:pk>")
    @has_access
    def show(self, pk: int):
        evaluation = get_in_scope_or_404(Evaluation, pk)
        return self._render(evaluation)

    def _render(self, evaluation: Evaluation):
        owner = services.is_owner(current_user, evaluation)
        evaluator = services.can_evaluate(
            current_user, evaluation
        ) and self.appbuilder.sm.has_access("can_review", self.class_permission_name)
        framework = evaluation.framework
        ratings = {r.criterion_id: r for r in evaluation.ratings}
        self_result = services.compute(evaluation, "self")
        superior_result = (
            services.compute(evaluation, "superior") if evaluation.superior_due else None
        )
        summary = services.opinion_summary(evaluation, with_comments=evaluator)
        return self.render_template(
            "evaluation/form.html",
            title=_("Phiếu đánh giá theo chuẩn nghề nghiệp"),
            ev=evaluation,
            framework=framework,
            standards=framework.standards,
            ratings=ratings,
            evidence=services.evidence_by_criterion(evaluation),
            reusable=services.reusable_evidence(evaluation.person_id) if owner else [],
            owner=owner,
            can_edit=owner and evaluation.state in EDITABLE_BY_OWNER,
            evaluator=evaluator,
            can_review=evaluator and evaluation.state in REVIEWABLE,
            self_window=services.window_open(evaluation.cycle, "self"),
            superior_window=services.window_open(evaluation.cycle, "superior"),
            self_result=self_result,
            superior_result=superior_result,
            summary=summary,
            levels=LEVEL_CHOICES,
            level_label=level_label,
            state_label=state_label,
            max_mb=storage.max_bytes() // (1024 * 1024),
            accept=",".join(f".{ext}" for ext in storage.KINDS),
            from_memory=any(c.from_memory for c in framework.criteria),
        )

    @expose("/<int:pk>/save", methods=["POST"])
    @has_access
    def save(self, pk: int):
        evaluation = get_in_scope_or_404(Evaluation, pk)
        if not services.is_owner(current_user, evaluation):
            abort(404)
        version = request.form.get("version")
        want_submit = request.form.get("action") == "submit"
        errors: list[str] = []
        if want_submit and evaluation.state == SUBMITTED:  # a second tab, a double click
            flash(_("Phiếu đã được nộp trước đó (một lần nộp duy nhất)."), "info")
            return redirect(url_for("EvaluationFormView.show", pk=pk))
        try:
            services.save_self(
                evaluation,
                current_user,
                _posted_levels("level_"),
                {f: request.form.get(f) for f in ("strengths", "weaknesses", "plan")},
                version,
                commit=False,
            )
            errors = self._save_evidence(evaluation)
            db.session.commit()
        except services.WorkflowError as exc:
            db.session.rollback()
            if isinstance(exc, services.StaleEdit) and evaluation.state == SUBMITTED:
                flash(_("Phiếu đã được nộp trước đó (một lần nộp duy nhất)."), "info")
            else:
                flash(str(exc), "danger")
            return redirect(url_for("EvaluationFormView.show", pk=pk))
        for message in errors:
            flash(message, "danger")
        if want_submit and not errors:
            try:
                if services.submit(evaluation, current_user, evaluation.version_id):
                    flash(_("Đã nộp phiếu tự đánh giá."), "success")
                else:
                    flash(_("Phiếu đã được nộp trước đó (một lần nộp duy nhất)."), "info")
            except services.WorkflowError as exc:
                flash(str(exc), "danger")
        elif not errors:
            flash(_("Đã lưu bản nháp."), "success")
        return redirect(url_for("EvaluationFormView.show", pk=pk))

    def _save_evidence(self, evaluation: Evaluation) -> list[str]:
        """Files, links, reuse and removals posted with the form; errors are returned, a
        refused file is never stored."""
        errors: list[str] = []
        criteria = {r.criterion_id: r.criterion for r in evaluation.ratings}
        year = evaluation.cycle.school_year
        stored: list[str] = []
        for criterion_id, criterion in criteria.items():
            upload = request.files.get(f"file_{criterion_id}")
            if upload is not None and upload.filename:
                try:
                    saved = storage.save_upload(upload.stream, upload.filename)
                except storage.UploadError as exc:
                    errors.append(
                        _("Tiêu chí %(n)s: %(error)s", n=criterion.number, error=str(exc))
                    )
                else:
                    stored.append(saved.stored_name)
                    self._link(
                        evaluation,
                        criterion_id,
                        Evidence(
                            person_id=evaluation.person_id,
                            kind="file",
                            title=saved.original_name,
                            stored_name=saved.stored_name,
                            original_name=saved.original_name,
                            mime=saved.mime,
                            size=saved.size,
                            sha256=saved.sha256,
                            school_year=year,
                        ),
                    )
            url = (request.form.get(f"url_{criterion_id}") or "").strip()
            if url:
                try:
                    url = storage.check_link(url)
                except storage.UploadError as exc:
                    errors.append(
                        _("Tiêu chí %(n)s: %(error)s", n=criterion.number, error=str(exc))
                    )
                else:
                    title = (request.form.get(f"url_title_{criterion_id}") or "").strip()
                    self._link(
                        evaluation,
                        criterion_id,
                        Evidence(
                            person_id=evaluation.person_id,
                            kind="link",
                            title=(title or url)[:255],
                            url=url,
                            school_year=year,
                        ),
                    )
            reuse = parse_id(request.form.get(f"reuse_{criterion_id}"))
            if reuse is not None:
                item = get_in_scope_or_404(Evidence, reuse)
                if item.person_id != evaluation.person_id:
                    abort(404)
                self._link(evaluation, criterion_id, item)
        for key in request.form:
            link_id = parse_id(key[12:]) if key.startswith("remove_link_") else None
            if link_id is not None:
                link = next((x for x in evaluation.evidence_links if x.id == link_id), None)
                if link is not None:
                    db.session.delete(link)
        return errors

    @staticmethod
    def _link(evaluation: Evaluation, criterion_id: int, evidence: Evidence) -> None:
        from app.evaluation.models import EvidenceLink

        if evidence.id is None:
            db.session.add(evidence)
            db.session.flush()
        if any(
            x.criterion_id == criterion_id and x.evidence_id == evidence.id
            for x in evaluation.evidence_links
        ):
            return
        evaluation.evidence_links.append(
            EvidenceLink(criterion_id=criterion_id, evidence_id=evidence.id)
        )

    @expose("/<int:pk>/review", methods=["POST"])
    @has_access
    def review(self, pk: int):
        evaluation = get_in_scope_or_404(Evaluation, pk)
        if not services.can_evaluate(current_user, evaluation):
            abort(404)
        version = request.form.get("version")
        what = request.form.get("action", "save")
        try:
            if what == "return":
                services.return_to_owner(
                    evaluation, current_user, request.form.get("return_comment", ""), version
                )
                flash(_("Đã trả lại phiếu kèm nhận xét."), "success")
            else:
                result = None
                if evaluation.state in REVIEWABLE:
                    result = services.save_superior(
                        evaluation,
                        current_user,
                        _posted_levels("sup_"),
                        request.form.get("evaluator_comment"),
                        version,
                    )
                if what == "finalise":
                    services.finalise(evaluation, current_user, evaluation.version_id)
                    flash(_("Đã hoàn thành đánh giá; phiếu đã được khóa."), "success")
                elif result is None:
                    flash(
                        _("Đã lưu. Hãy chọn mức cho mọi tiêu chí để có kết quả xếp loại."), "info"
                    )
                else:
                    flash(
                        _("Đã lưu. Kết quả xếp loại: %(level)s.", level=result.level.label),
                        "success",
                    )
        except services.WorkflowError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        return redirect(url_for("EvaluationFormView.show", pk=pk))

    @expose("/evidence/<int:pk>")
    @has_access
    def download(self, pk: int):
        item = get_in_scope_or_404(Evidence, pk)
        if item.kind == "link":
            return self._external_link(item)
        try:
            path = storage.path_of(item.stored_name)
        except FileNotFoundError:
            abort(404)
        if not path.exists():
            abort(404)
        return send_file(
            path,
            mimetype=item.mime or "application/octet-stream",
            as_attachment=True,
            download_name=item.original_name or path.name,
            max_age=0,
        )

    def _external_link(self, item: Evidence):
        """A page naming the address, never a redirect: the teacher typed it, and whoever
        opens the evidence (a principal) sees where it leads before choosing to go there."""
        from app.evaluation.models import EvidenceLink

        try:
            storage.check_link(item.url)
            clickable = True
        except storage.UploadError:  # older rows: only http(s) addresses become links
            clickable = False
        used = (
            scoped_query(EvidenceLink)
            .filter(EvidenceLink.evidence_id == item.id)
            .order_by(EvidenceLink.evaluation_id.desc())
            .first()
        )
        return self.render_template(
            "evaluation/external_link.html",
            title=_("Liên kết ngoài"),
            evidence=item,
            url=item.url or "",
            clickable=clickable,
            back=url_for("EvaluationFormView.show", pk=used.evaluation_id) if used else None,
        )


# --------------------------------------------------------------------------- opinions


class PeerOpinionView(BaseView):
    route_base = "/evaluation/opinions"
    class_permission_name = "PeerOpinionForm"
    default_view = "index"
    method_permission_name = {"index": "read", "edit": "write"}

    def _cycle(self):
        person = _user_person()
        return person, (services.applicable_cycle(person) if person else None)

    @expose("/")
    @has_access
    def index(self):
        from app.evaluation.models import PeerOpinion

        person, cycle = self._cycle()
        targets = services.opinion_targets(current_user)
        given = set()
        if cycle is not None:
            given = {
                (o.person_id, o.kind)
                for o in scoped_query(PeerOpinion).filter(PeerOpinion.cycle_id == cycle.id)
            }
        return self.render_template(
            "evaluation/opinions.html",
            title=_("Ý kiến đồng nghiệp"),
            cycle=cycle,
            targets=targets,
            given=given,
            kind_labels=OPINION_KIND_LABELS,
            position_label=lambda v: label_of(POSITION_LABELS, v),
            window_open=bool(cycle and services.window_open(cycle, "opinion")),
        )

    @expose("/<kind>/<int:person_id>", methods=["GET", "POST"])
    @has_access
    def edit(self, kind: str, person_id: int):
        from app.evaluation.models import PeerOpinion

        me, cycle = self._cycle()
        if cycle is None or kind not in OPINION_KIND_LABELS:
            abort(404)
        if not services.can_give_opinion(current_user, person_id, kind):
            abort(404)
        target = db.session.get(Person, person_id)
        link = services.cycle_framework_for(target, cycle)
        if request.method == "POST":
            try:
                services.record_opinion(
                    current_user,
                    cycle,
                    person_id,
                    kind,
                    {
                        c.number: request.form.get(f"level_{c.number}")
                        for c in (link.framework.criteria if link else [])
                    },
                    request.form.get("overall"),
                    request.form.get("comment"),
                )
                flash(_("Đã ghi ý kiến."), "success")
                return redirect(url_for("PeerOpinionView.index"))
            except services.WorkflowError as exc:
                flash(str(exc), "danger")
        existing = (
            scoped_query(PeerOpinion)
            .filter(
                PeerOpinion.cycle_id == cycle.id,
                PeerOpinion.person_id == person_id,
                PeerOpinion.kind == kind,
                PeerOpinion.author_person_id == me.id,
            )
            .one_or_none()
        )
        return self.render_template(
            "evaluation/opinion_form.html",
            title=OPINION_KIND_LABELS[kind],
            target=target,
            kind=kind,
            cycle=cycle,
            criteria=link.framework.criteria if link else [],
            opinion=existing,
            levels=LEVEL_CHOICES,
        )


# --------------------------------------------------------------------------- progress


class EvaluationProgressView(BaseView):
    route_base = "/evaluation/progress"
    class_permission_name = "EvaluationProgress"
    default_view = "index"
    method_permission_name = {"index": "read", "export": "export"}
    PAGE = 200

    def _filters(self):
        cycles = services.visible_cycles()
        wanted = request.args.get("cycle", "")
        cycle = next((c for c in cycles if str(c.id) == wanted), cycles[0] if cycles else None)
        school = None
        if request.args.get("school"):
            school = get_in_scope_or_404(School, request.args["school"])
        scope = current_scope()
        if school is None and scope.kind == "unit":
            unit = db.session.get(Unit, scope.unit_id)
            if unit is not None and unit.kind == "school" and unit.school is not None:
                school = unit.school
        school_type = request.args.get("school_type") or None
        if school_type not in SCHOOL_TYPE_LABELS:
            school_type = None
        state = request.args.get("state") or None
        if state not in STATE_LABELS:
            state = None
        page = parse_int(request.args.get("page"), min=1, max=DB_INT_MAX) or 1
        return (
            cycles,
            cycle,
            school,
            school_type,
            (request.args.get("q") or "").strip(),
            state,
            page,
        )

    @expose("/")
    @has_access
    def index(self):
        cycles, cycle, school, school_type, q, state, page = self._filters()
        rows, people = [], []
        if cycle is not None:
            if school is not None:
                people = services.people_progress(cycle, school, state=state)
            else:
                rows = services.progress_by_school(
                    cycle,
                    school_type=school_type,
                    name=q,
                    limit=self.PAGE + 1,
                    offset=(page - 1) * self.PAGE,
                )
        more = len(rows) > self.PAGE
        rows = rows[: self.PAGE]
        totals = {
            key: sum(getattr(r, key) for r in rows)
            for key in ("staff", "not_started", "draft", "submitted", "evaluated", "finalised")
        }
        return self.render_template(
            "evaluation/progress.html",
            title=_("Tiến độ đánh giá chuẩn nghề nghiệp"),
            cycles=cycles,
            cycle=cycle,
            school=school,
            school_type=school_type,
            q=q,
            state=state,
            page=page,
            more=more,
            rows=rows,
            totals=totals,
            people=people,
            state_labels=STATE_LABELS,
            state_label=state_label,
            level_label=level_label,
            school_types=SCHOOL_TYPE_LABELS,
            type_label=lambda v: label_of(SCHOOL_TYPE_LABELS, v),
            position_label=lambda v: label_of(POSITION_LABELS, v),
        )

    @expose("/export")
    @has_access
    def export(self):
        cycles, cycle, school, school_type, q, state, _page = self._filters()
        if cycle is None:
            abort(404)
        if school is not None:
            title = "Can bo"
            header = [
                _("Mã cán bộ"),
                _("Họ và tên"),
                _("Chức vụ"),
                _("Trạng thái"),
                _("Tự đánh giá"),
                _("Kết quả cuối cùng"),
            ]
            body = [
                [
                    person.code,
                    person.full_name,
                    label_of(POSITION_LABELS, person.position),
                    state_label(ev.state if ev else "not_started"),
                    level_label(ev.self_result) if ev else "",
                    level_label(ev.final_result) if ev else "",
                ]
                for person, ev in services.people_progress(cycle, school, state=state)
            ]
        else:
            title = "Truong"
            header = [
                _("Mã trường"),
                _("Tên trường"),
                _("Cấp học"),
                _("Số người phải đánh giá"),
                _("Chưa bắt đầu"),
                _("Đang soạn"),
                _("Đã nộp"),
                _("Cấp trên đã đánh giá"),
                _("Đã hoàn thành"),
            ]
            body = [
                [
                    r.code,
                    r.name,
                    label_of(SCHOOL_TYPE_LABELS, r.school_type),
                    r.staff,
                    r.not_started,
                    r.draft,
                    r.submitted,
                    r.evaluated,
                    r.finalised,
                ]
                for r in services.progress_by_school(
                    cycle, school_type=school_type, name=q, limit=100_000
                )
            ]
        content = workbook_bytes(title, [str(h) for h in header], body)
        return xlsx_response(f"tien-do-danh-gia-{cycle.school_year}.xlsx", content)


# --------------------------------------------------------------------------- generated views


def _locked_guard(framework: Framework | None) -> None:
    if framework is not None and framework.locked:
        db.session.rollback()
        raise services.WorkflowError(
            _(
                "Khung %(code)s đã được dùng trong phiếu đánh giá đã nộp nên không sửa, xóa được. "
                "Hãy tạo phiên bản mới của khung.",
                code=framework.code,
            )
        )


class FrameworkView(ScopedModelView):
    model = Framework
    list_title = _l("Khung chuẩn nghề nghiệp")
    show_title = edit_title = add_title = _l("Khung chuẩn nghề nghiệp")
    label_columns = {
        "code": _l("Mã khung"),
        "version": _l("Phiên bản"),
        "name": _l("Tên chuẩn"),
        "audience": _l("Đối tượng"),
        "year_from": _l("Áp dụng từ năm học (năm bắt đầu)"),
        "year_to": _l("Áp dụng đến năm học (năm bắt đầu)"),
        "school_years": _l("Năm học áp dụng"),
        "superior_period_years": _l("Chu kỳ cấp trên đánh giá (năm)"),
        "source_status": _l("Mức xác minh nguồn"),
        "source_note": _l("Ghi chú nguồn"),
        "locked": _l("Đã dùng (khóa)"),
        "active": _l("Đang dùng"),
        "standards": _l("Tiêu chuẩn"),
    }
    list_columns = ["code", "version", "name", "audience", "school_years", "locked", "active"]
    show_columns = [
        "code",
        "version",
        "name",
        "audience",
        "school_years",
        "superior_period_years",
        "source_status",
        "source_note",
        "locked",
        "active",
    ]
    edit_columns = ["name", "year_to", "source_note", "active"]
    base_permissions = ["can_list", "can_show", "can_edit", "can_upload"]
    formatters_columns = {
        "audience": lambda v: str(AUDIENCE_LABELS.get(v, v)),
    }
    base_order = ("code", "asc")

    def pre_update(self, item):
        super().pre_update(item)  # name, end year, note and "in use" only: never destructive

    @expose("/upload", methods=["GET", "POST"])
    @has_access
    def upload(self):
        problems: list[str] = []
        if request.method == "POST":
            upload = request.files.get("file")
            try:
                raw = (upload.stream.read(2 * 1024 * 1024 + 1) if upload else b"") or b""
                if len(raw) > 2 * 1024 * 1024:
                    raise rules.FrameworkError([_("Tệp khung quá lớn (tối đa 2 MB).")])
                try:
                    data = rules.load_framework_yaml(raw.decode("utf-8"))
                except rules.AliasNotAllowed as exc:
                    raise rules.FrameworkError(
                        [
                            _(
                                "Dòng %(line)d dùng neo hoặc tham chiếu YAML (& hoặc *). "
                                "Tệp khung không được dùng neo, tham chiếu: hãy viết đầy đủ "
                                "từng giá trị tại chỗ rồi nạp lại.",
                                line=exc.line,
                            )
                        ]
                    ) from None
                except (UnicodeDecodeError, yaml.YAMLError) as exc:
                    raise rules.FrameworkError(
                        [_("Không đọc được tệp YAML (UTF-8): %(error)s", error=str(exc)[:300])]
                    ) from None
                framework, new = services.import_framework(data)
                db.session.commit()
                if new:
                    flash(
                        _(
                            "Khung %(code)s đang được dùng nên đã tạo phiên bản mới %(version)s.",
                            code=framework.code,
                            version=framework.version,
                        ),
                        "success",
                    )
                else:
                    flash(_("Đã nạp khung %(code)s.", code=framework.code), "success")
                return redirect(url_for("FrameworkView.show", pk=framework.id))
            except rules.FrameworkError as exc:
                db.session.rollback()
                problems = exc.problems
        return self.render_template(
            "evaluation/framework_upload.html",
            title=_("Nạp khung chuẩn từ tệp YAML"),
            problems=problems,
        )

    @action(
        "new_version",
        _l("Tạo phiên bản mới"),
        _l("Tạo phiên bản mới của khung đã chọn?"),
        "fa-copy",
        multiple=False,
    )
    def new_version(self, item):
        if isinstance(item, list):
            item = item[0]
        copy = services.new_version(item)
        db.session.commit()
        flash(_("Đã tạo phiên bản %(version)s.", version=copy.version), "success")
        return redirect(url_for("FrameworkView.show", pk=copy.id))


class StandardView(ScopedModelView):
    model = Standard
    list_title = show_title = edit_title = add_title = _l("Tiêu chuẩn")
    label_columns = {
        "framework": _l("Khung"),
        "number": _l("Số"),
        "name": _l("Tên tiêu chuẩn"),
        "description": _l("Mô tả"),
        "source_status": _l("Mức xác minh nguồn"),
    }
    list_columns = ["framework", "number", "name", "source_status"]
    show_columns = ["framework", "number", "name", "description", "source_status"]
    edit_columns = ["name", "description", "source_status"]
    base_permissions = ["can_list", "can_show", "can_edit"]
    base_order = ("number", "asc")

    def pre_update(self, item):
        _locked_guard(item.framework)
        super().pre_update(item)


class CriterionView(ScopedModelView):
    model = Criterion
    list_title = show_title = edit_title = add_title = _l("Tiêu chí")
    label_columns = {
        "framework": _l("Khung"),
        "standard": _l("Tiêu chuẩn"),
        "number": _l("Số"),
        "name": _l("Tên tiêu chí"),
        "desc_dat": _l("Mức Đạt"),
        "desc_kha": _l("Mức Khá"),
        "desc_tot": _l("Mức Tốt"),
        "source_status": _l("Mức xác minh nguồn"),
        "descriptors_status": _l("Mức xác minh mô tả"),
    }
    list_columns = ["framework", "number", "name", "source_status", "descriptors_status"]
    show_columns = [
        "framework",
        "standard",
        "number",
        "name",
        "desc_dat",
        "desc_kha",
        "desc_tot",
        "source_status",
        "descriptors_status",
    ]
    edit_columns = [
        "name",
        "desc_dat",
        "desc_kha",
        "desc_tot",
        "source_status",
        "descriptors_status",
    ]
    search_columns = ["framework", "name", "source_status"]
    base_permissions = ["can_list", "can_show", "can_edit"]
    base_order = ("number", "asc")

    def pre_update(self, item):
        _locked_guard(item.framework)
        super().pre_update(item)


def _cycle_units():
    return scoped_query(Unit).filter(Unit.kind.in_(("ministry", "province"))).order_by(Unit.path)


_DATE_PAIRS = ("self", "opinion", "superior", "survey", "plan")
CYCLE_LABELS = {
    "school_year": _l("Năm học"),
    "name": _l("Tên chu kỳ"),
    "unit": _l("Đơn vị mở chu kỳ"),
    "self_start": _l("Tự đánh giá từ ngày"),
    "self_end": _l("Tự đánh giá đến ngày"),
    "opinion_start": _l("Lấy ý kiến từ ngày"),
    "opinion_end": _l("Lấy ý kiến đến ngày"),
    "superior_start": _l("Cấp trên đánh giá từ ngày"),
    "superior_end": _l("Cấp trên đánh giá đến ngày"),
    "survey_start": _l("Khảo sát từ ngày"),
    "survey_end": _l("Khảo sát đến ngày"),
    "plan_start": _l("Lập kế hoạch từ ngày"),
    "plan_end": _l("Lập kế hoạch đến ngày"),
    "note": _l("Ghi chú"),
    "frameworks": _l("Khung chuẩn áp dụng"),
    "form_version": _l("Phiên bản"),
}


class CycleFrameworkView(ScopedModelView):
    model = CycleFramework
    list_title = show_title = edit_title = add_title = _l("Khung áp dụng trong chu kỳ")
    label_columns = {
        "cycle": _l("Chu kỳ"),
        "framework": _l("Khung"),
        "superior_due": _l("Cấp trên đánh giá năm nay"),
        "note": _l("Ghi chú (ví dụ: rút ngắn chu kỳ)"),
    }
    list_columns = ["cycle", "framework", "superior_due", "note"]
    show_columns = list_columns
    edit_columns = ["superior_due", "note"]
    base_permissions = ["can_list", "can_show", "can_edit"]

    def pre_update(self, item):
        if not unit_in_scope(item.cycle.unit_id):
            db.session.rollback()
            abort(404)
        super().pre_update(item)


class CycleView(ScopedModelView):
    model = Cycle
    list_title = _l("Chu kỳ đánh giá")
    show_title = add_title = edit_title = _l("Chu kỳ đánh giá")
    label_columns = CYCLE_LABELS
    list_columns = ["school_year", "name", "unit", "self_start", "self_end", "superior_end"]
    add_columns = [
        "school_year",
        "name",
        "unit",
        *[f"{w}_{e}" for w in _DATE_PAIRS for e in ("start", "end")],
        "note",
    ]
    edit_columns = [c for c in add_columns if c != "school_year"] + ["form_version"]
    show_columns = [c for c in add_columns] + ["frameworks"]
    related_views = [CycleFrameworkView]
    base_order = ("school_year", "desc")
    add_form_extra_fields = {
        "school_year": StringField(
            CYCLE_LABELS["school_year"],
            [DataRequired(), Regexp(r"^\d{4}-\d{4}$", message=_l("Năm học viết dạng 2025-2026."))],
        ),
        "name": StringField(CYCLE_LABELS["name"], [DataRequired(), Length(max=255)]),
        "unit": QuerySelectField(
            CYCLE_LABELS["unit"],
            [DataRequired()],
            query_func=lambda: _cycle_units().all(),
            get_pk_func=lambda unit: unit.id,
            get_label=lambda unit: unit.name,
        ),
        **{
            f"{w}_{e}": ViDateField(
                CYCLE_LABELS[f"{w}_{e}"],
                [DataRequired()] if w in ("self", "opinion", "superior") else [Optional()],
            )
            for w in _DATE_PAIRS
            for e in ("start", "end")
        },
        "note": TextAreaField(CYCLE_LABELS["note"], [Optional()]),
    }
    edit_form_extra_fields = {
        **{k: v for k, v in add_form_extra_fields.items() if k != "school_year"},
        "form_version": HiddenField(),
    }

    def prefill_form(self, form, pk):
        item = self.datamodel.get(pk)
        if item is not None and "form_version" in form:
            form.form_version.data = item.version_id

    def _cycle_guard(self, item: Cycle) -> None:
        unit = item.unit or (db.session.get(Unit, item.unit_id) if item.unit_id else None)
        if unit is None or unit.kind not in ("ministry", "province") or not unit_in_scope(unit.id):
            db.session.rollback()
            abort(404)
        for window in _DATE_PAIRS:
            start, end = item.window(window)
            if start and end and end < start:
                db.session.rollback()
                raise services.WorkflowError(
                    _("%(label)s phải sau ngày bắt đầu.", label=CYCLE_LABELS[f"{window}_end"])
                )
        if item.plan_end is None:
            item.plan_end = dt.date(item.start_year + 1, 5, 31)  # the personal plan: by 31 May

    def pre_add(self, item):
        self._cycle_guard(item)
        super().pre_add(item)

    def post_add(self, item):
        year = item.start_year
        for framework in db.session.query(Framework).filter(Framework.active.is_(True)):
            if framework.in_force(year):
                item.frameworks.append(
                    CycleFramework(
                        framework=framework,
                        superior_due=rules.superior_due(
                            framework.superior_period_years, framework.year_from, year
                        ),
                    )
                )
        db.session.commit()

    def pre_update(self, item):
        self._cycle_guard(item)
        super().pre_update(item)

    def pre_delete(self, item):
        self._cycle_guard(item)
        if db.session.query(Evaluation.id).filter(Evaluation.cycle_id == item.id).first():
            raise services.WorkflowError(_("Chu kỳ đã có phiếu đánh giá nên không xóa được."))
        super().pre_delete(item)


class EvaluationListView(ScopedModelView):
    model = Evaluation
    list_title = show_title = _l("Danh sách phiếu đánh giá")
    label_columns = {
        "person": _l("Cán bộ"),
        "cycle": _l("Chu kỳ"),
        "framework": _l("Khung"),
        "state": _l("Trạng thái"),
        "self_result": _l("Tự đánh giá"),
        "final_result": _l("Kết quả cuối cùng"),
        "superior_due": _l("Cấp trên đánh giá năm nay"),
        "submitted_at": _l("Ngày nộp"),
    }
    list_columns = ["person", "cycle", "framework", "state", "self_result", "final_result"]
    show_columns = [*list_columns, "superior_due", "submitted_at"]
    search_columns = ["state", "cycle", "framework"]
    base_permissions = ["can_list", "can_show"]
    formatters_columns = {
        "state": state_label,
        "self_result": level_label,
        "final_result": level_label,
    }
    base_order = ("id", "desc")
    class_permission_name = "EvaluationList"


class EvaluationApi(ScopedModelRestApi):
    resource_name = "evaluation"
    model = Evaluation
    class_permission_name = "EvaluationList"
    include_route_methods = {"get", "get_list", "info"}
    list_columns = [
        "id",
        "person.id",
        "cycle.id",
        "framework.id",
        "state",
        "self_result",
        "final_result",
        "superior_due",
    ]
    show_columns = [*list_columns, "self_reasons", "final_reasons", "version_id"]
    label_columns = {
        "id": _l("Mã số"),
        "person.id": _l("Cán bộ"),
        "cycle.id": _l("Chu kỳ"),
        "framework.id": _l("Khung"),
        "state": _l("Trạng thái"),
        "self_result": _l("Tự đánh giá"),
        "final_result": _l("Kết quả cuối cùng"),
        "superior_due": _l("Cấp trên đánh giá năm nay"),
        "self_reasons": _l("Lý do (tự đánh giá)"),
        "final_reasons": _l("Lý do (kết quả cuối cùng)"),
        "version_id": _l("Phiên bản"),
    }


# --------------------------------------------------------------------------- roles

_FORM_SELF = {"EvaluationForm": {"can_read", "can_write"}}
_FORM_REVIEW = {"EvaluationForm": {"can_read", "can_review"}}
_LIST = {"EvaluationList": {"can_list", "can_show", "can_info"}}
_PROGRESS = {"EvaluationProgress": {"can_read", "can_export"}}
_OPINIONS = {"PeerOpinionForm": {"can_read", "can_write"}}
_CYCLES = {
    "Cycle": {"can_list", "can_show", "can_add", "can_edit", "can_delete"},
    "CycleFramework": {"can_list", "can_show", "can_edit"},
}
_FRAMEWORK_READ = {
    "Framework": {"can_list", "can_show"},
    "Standard": {"can_list", "can_show"},
    "Criterion": {"can_list", "can_show"},
}
_MENU_SELF = ("Evaluation", "MyEvaluation", "Opinions")
_MENU_REVIEW = ("Evaluation", "EvaluationProgress", "Evaluations")


_grant = roles.grant


_grant(roles.GIAO_VIEN, _FORM_SELF, _OPINIONS, _LIST, menus=_MENU_SELF)
_grant(roles.TO_TRUONG, _FORM_SELF, _OPINIONS, _LIST, menus=_MENU_SELF)
_grant(
    roles.NHAN_VIEN, _OPINIONS, {"EvaluationForm": {"can_read"}}, menus=("Evaluation", "Opinions")
)
_grant(
    roles.HIEU_TRUONG,
    _FORM_SELF,
    _FORM_REVIEW,
    _LIST,
    _PROGRESS,
    menus=_MENU_REVIEW + ("MyEvaluation",),
)
_grant(roles.CHUYEN_VIEN_XA, _FORM_REVIEW, _LIST, _PROGRESS, menus=_MENU_REVIEW)
_grant(roles.LANH_DAO_SO, _FORM_REVIEW, _LIST, _PROGRESS, _CYCLES, menus=_MENU_REVIEW + ("Cycles",))
_grant(
    roles.CHUYEN_VIEN_SO,
    {"EvaluationForm": {"can_read"}},
    _LIST,
    _PROGRESS,
    _CYCLES,
    menus=_MENU_REVIEW + ("Cycles",),
)
_grant(
    roles.BO,
    {"EvaluationForm": {"can_read"}},
    _LIST,
    _PROGRESS,
    _CYCLES,
    _FRAMEWORK_READ,
    menus=_MENU_REVIEW + ("Cycles", "Frameworks"),
)


def register(appbuilder: AppBuilder) -> None:
    category = "Evaluation"
    category_label = _l("Đánh giá chuẩn nghề nghiệp")
    icon = "fa-check-square-o"
    appbuilder.add_view(
        EvaluationFormView,
        "MyEvaluation",
        href="/evaluation/mine",
        label=_l("Tự đánh giá của tôi"),
        icon="fa-pencil-square-o",
        category=category,
        category_label=category_label,
        category_icon=icon,
    )
    appbuilder.add_view(
        PeerOpinionView,
        "Opinions",
        href="/evaluation/opinions/",
        label=_l("Ý kiến đồng nghiệp"),
        icon="fa-comments",
        category=category,
    )
    appbuilder.add_view(
        EvaluationProgressView,
        "EvaluationProgress",
        href="/evaluation/progress/",
        label=_l("Tiến độ đánh giá"),
        icon="fa-tasks",
        category=category,
    )
    appbuilder.add_view(
        EvaluationListView,
        "Evaluations",
        label=_l("Danh sách phiếu đánh giá"),
        icon="fa-list",
        category=category,
    )
    appbuilder.add_view(
        CycleView, "Cycles", label=_l("Chu kỳ đánh giá"), icon="fa-calendar", category=category
    )
    appbuilder.add_view_no_menu(CycleFrameworkView)
    appbuilder.add_view(
        FrameworkView,
        "Frameworks",
        label=_l("Khung chuẩn nghề nghiệp"),
        icon="fa-book",
        category=category,
    )
    appbuilder.add_view(
        StandardView, "Standards", label=_l("Tiêu chuẩn"), icon="fa-bookmark", category=category
    )
    appbuilder.add_view(
        CriterionView, "Criteria", label=_l("Tiêu chí"), icon="fa-list-ol", category=category
    )
    appbuilder.add_api(EvaluationApi)
