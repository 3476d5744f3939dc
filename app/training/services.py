"""BDTX workflow: catalogue loading, survey responses and reports, needs, plans, results.

Views and the API call these functions. Callers load rows through ``app.security.scope``
first (``get_in_scope_or_404`` / ``scoped_query``); these functions add the role checks
(owner, approver) and the windows of the cycle (``survey`` and ``plan``, reusing
``app.evaluation.services.check_window``).

Plan states (``models.PLAN_STATES``; "not started" = no row)::

    draft ──submit──▶ submitted ──approve──▶ approved ──results──▶ outcome recorded
      ▲                   │
      └──── returned ◀────┘ (with a comment; the owner edits and submits again)

The approver is the unit that evaluates the person (``EvaluationAuthority``): the school's
principal for a teacher, the commune office or the Sở for a principal.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.evaluation import services as ev_services
from app.evaluation.models import FINALISED, Cycle, Evaluation
from app.extensions import db
from app.formatting import format_date, format_number
from app.security.scope import Scope, criterion
from app.text import parse_int
from app.training import rules
from app.training.models import (
    APPROVED,
    DRAFT,
    EDITABLE_BY_OWNER,
    RETURNED,
    SUBMITTED,
    Module,
    ModuleCriterion,
    PlanItem,
    Programme,
    Question,
    Questionnaire,
    ResultLevel,
    SurveyAnswer,
    SurveyResponse,
    SurveySection,
    TrainingNeed,
    TrainingPlan,
)

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "training"
PRINCIPAL_POSITIONS = ev_services.PRINCIPAL_POSITIONS
TRAINED_POSITIONS = ev_services.EVALUATED_POSITIONS
WorkflowError = ev_services.WorkflowError
WindowClosed = ev_services.WindowClosed
StaleEdit = ev_services.StaleEdit


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# --------------------------------------------------------------------------- catalogue


def _read(name: str) -> list[dict[str, str]]:
    from app.data.loader import read_csv

    return read_csv(name, DATA_DIR)


def _dec(value: str) -> Decimal | None:
    return Decimal(value) if value not in ("", None) else None


def _int(value: str) -> int | None:
    return int(value) if value not in ("", None) else None


def catalogue_loaded() -> bool:
    counts = (
        (Programme, len(_read("programmes.csv"))),
        (Module, len(_read("modules.csv"))),
        (ModuleCriterion, len(_read("module_criteria.csv"))),
        (ResultLevel, len(_read("result_levels.csv"))),
    )
    return all(
        (db.session.scalar(select(func.count()).select_from(model)) or 0) >= n
        for model, n in counts
    )


def load_catalogue() -> None:
    """Idempotent upsert of programmes, modules, the module ↔ criterion map and result levels
    from ``app/data/training``. A count comparison returns at once when all rows are there;
    rows an administrator added are kept."""
    if catalogue_loaded():
        return
    programmes = {(p.school_year, p.code): p for p in db.session.scalars(select(Programme)).all()}
    for row in _read("programmes.csv"):
        values = {
            "name": row["name"],
            "measure": row["measure"],
            "required_amount": _dec(row["required"]),
            "maximum_amount": _dec(row["maximum"]),
            "regulation": row["regulation"] or None,
            "source_status": row["source_status"],
        }
        obj = programmes.get((row["school_year"], row["code"]))
        if obj is None:
            db.session.add(Programme(school_year=row["school_year"], code=row["code"], **values))
        else:
            for key, value in values.items():
                setattr(obj, key, value)
    modules = {m.code: m for m in db.session.scalars(select(Module)).all()}
    for row in _read("modules.csv"):
        values = {
            "programme_code": row["programme"],
            "standard_group": row["standard_group"] or None,
            "name": row["name"],
            "name_en": row["name_en"] or None,
            "periods": int(row["periods"]),
            "periods_theory": _int(row["periods_theory"]),
            "periods_practice": _int(row["periods_practice"]),
            "audience": row["audience"],
            "source_status": row["source_status"],
        }
        obj = modules.get(row["code"])
        if obj is None:
            obj = Module(code=row["code"], **values)
            db.session.add(obj)
            modules[obj.code] = obj
        else:
            for key, value in values.items():
                setattr(obj, key, value)
    db.session.flush()
    existing = {
        (c.module_id, c.framework_code, c.criterion_number)
        for c in db.session.scalars(select(ModuleCriterion)).all()
    }
    for row in _read("module_criteria.csv"):
        module = modules[row["module_code"]]
        key = (module.id, row["framework_code"], int(row["criterion_number"]))
        if key not in existing:
            db.session.add(
                ModuleCriterion(
                    module_id=module.id,
                    framework_code=row["framework_code"],
                    criterion_number=int(row["criterion_number"]),
                    source_status=row["source_status"],
                )
            )
    levels = {r.code: r for r in db.session.scalars(select(ResultLevel)).all()}
    for row in _read("result_levels.csv"):
        values = {
            "kind": row["kind"],
            "name": row["name"],
            "passed": row["passed"].lower() in ("yes", "1", "true"),
            "ordering": int(row["ordering"]),
            "source_status": row["source_status"],
        }
        obj = levels.get(row["code"])
        if obj is None:
            db.session.add(ResultLevel(code=row["code"], **values))
        else:
            for key, value in values.items():
                setattr(obj, key, value)
    db.session.commit()


def programme_for(school_year: str, code: str = "03") -> Programme | None:
    """The programme of that school year, else of the latest earlier year that has one."""
    return db.session.scalar(
        select(Programme)
        .where(Programme.code == code, Programme.school_year <= school_year)
        .order_by(Programme.school_year.desc())
        .limit(1)
    )


def time_rule(programme: Programme | None) -> rules.TimeRule:
    if programme is None:
        return rules.TimeRule("periods", Decimal(40))
    return rules.TimeRule(programme.measure, programme.required_amount, programme.maximum_amount)


def result_levels(kind: str) -> list[ResultLevel]:
    return db.session.scalars(
        select(ResultLevel).where(ResultLevel.kind == kind).order_by(ResultLevel.ordering)
    ).all()


def result_label(code: str | None) -> str:
    if not code:
        return ""
    level = db.session.scalar(select(ResultLevel).where(ResultLevel.code == code))
    return level.name if level else code


def active_modules(programme_code: str = "03") -> list[Module]:
    return db.session.scalars(
        select(Module)
        .where(Module.active.is_(True), Module.programme_code == programme_code)
        .order_by(Module.code)
    ).all()


def module_map(framework_code: str) -> dict[str, list[int]]:
    rows = db.session.execute(
        select(Module.code, ModuleCriterion.criterion_number)
        .join(ModuleCriterion, ModuleCriterion.module_id == Module.id)
        .where(ModuleCriterion.framework_code == framework_code, Module.active.is_(True))
    )
    out: dict[str, list[int]] = defaultdict(list)
    for code, number in rows:
        out[code].append(number)
    return dict(out)


# --------------------------------------------------------------------------- who


def is_principal(person) -> bool:
    return person is not None and person.position in PRINCIPAL_POSITIONS


def audience_of(person) -> str:
    return "principals" if is_principal(person) else "teachers"


def current_cycle(person, today: dt.date | None = None) -> Cycle | None:
    return ev_services.applicable_cycle(person, today)


def approver_unit(person):
    """The unit that approves the person's plan: the one that evaluates them."""
    return ev_services.evaluator_unit(person)


def is_owner(user, row) -> bool:
    return getattr(user, "person_id", None) is not None and user.person_id == row.person_id


def can_approve(user, plan: TrainingPlan) -> bool:
    """The user works in the person's approver unit, with a role that approves there."""
    if user is None or is_owner(user, plan) or getattr(user, "unit_id", None) is None:
        return False
    return ev_services.holds_authority(user, "approve", approver_unit(plan.person))


# --------------------------------------------------------------------------- survey


def active_questionnaire(cycle: Cycle | None) -> Questionnaire | None:
    if cycle is None:
        return None
    return db.session.scalar(
        select(Questionnaire)
        .where(Questionnaire.cycle_id == cycle.id, Questionnaire.active.is_(True))
        .order_by(Questionnaire.version.desc())
        .limit(1)
    )


def questions_for(questionnaire: Questionnaire, person) -> list[Question]:
    audience = audience_of(person)
    return [q for q in questionnaire.questions if q.audience in ("all", audience)]


def has_responses(questionnaire_id: int | None) -> bool:
    if questionnaire_id is None:
        return False
    return (
        db.session.scalar(
            select(SurveyResponse.id).where(SurveyResponse.questionnaire_id == questionnaire_id)
        )
        is not None
    )


def copy_questionnaire(questionnaire: Questionnaire) -> Questionnaire:
    """A new version of the questionnaire (sections and questions copied); the original is
    kept with its responses and deactivated."""
    latest = db.session.scalar(
        select(func.max(Questionnaire.version)).where(
            Questionnaire.cycle_id == questionnaire.cycle_id
        )
    )
    copy = Questionnaire(
        cycle_id=questionnaire.cycle_id,
        version=(latest or 0) + 1,
        title=questionnaire.title,
        intro=questionnaire.intro,
        active=True,
        parent_id=questionnaire.id,
    )
    sections = {}
    for section in questionnaire.sections:
        sections[section.id] = SurveySection(number=section.number, title=section.title)
        copy.sections.append(sections[section.id])
    for q in questionnaire.questions:
        copy.questions.append(
            Question(
                number=q.number,
                text=q.text,
                kind=q.kind,
                options=q.options,
                required=q.required,
                audience=q.audience,
                section=sections.get(q.section_id),
            )
        )
    questionnaire.active = False
    db.session.add(copy)
    db.session.flush()
    return copy


@dataclass(frozen=True)
class Answer:
    question_id: int
    option: str = ""
    number: Decimal | None = None
    text: str | None = None


def parse_answers(
    questions: Sequence[Question], form: Mapping[str, Sequence[str]]
) -> tuple[list[Answer], dict[int, str]]:
    """Posted values (``q_<id>``, a list for multiple choice) → answers, and errors by
    question id (Vietnamese). A required question without an answer is an error."""
    from app.text import nfc

    answers: list[Answer] = []
    errors: dict[int, str] = {}
    for q in questions:
        raw = [v.strip() for v in form.get(f"q_{q.id}", []) if v and v.strip()]
        if not raw:
            if q.required:
                errors[q.id] = _("Câu hỏi bắt buộc: hãy trả lời.")
            continue
        if q.kind == "likert":
            if raw[0] not in {"1", "2", "3", "4", "5"}:
                errors[q.id] = _("Hãy chọn một mức từ 1 đến 5.")
                continue
            answers.append(Answer(q.id, number=Decimal(raw[0])))
        elif q.kind in ("single", "multiple"):
            allowed = q.option_list
            chosen = raw[:1] if q.kind == "single" else list(dict.fromkeys(raw))
            if any(c not in allowed for c in chosen):
                errors[q.id] = _("Lựa chọn không có trong danh sách.")
                continue
            answers.extend(Answer(q.id, option=c) for c in chosen)
        elif q.kind == "number":
            try:
                value = Decimal(raw[0].replace(",", "."))
            except InvalidOperation:
                errors[q.id] = _("Hãy nhập một số.")
                continue
            if not value.is_finite() or abs(value) >= Decimal("1e10"):
                errors[q.id] = _("Hãy nhập một số.")
                continue
            answers.append(Answer(q.id, number=value))
        else:
            answers.append(Answer(q.id, text=nfc(raw[0])[:5000]))
    return answers, errors


def response_for(person_id: int, cycle_id: int) -> SurveyResponse | None:
    return db.session.scalar(
        select(SurveyResponse).where(
            SurveyResponse.person_id == person_id, SurveyResponse.cycle_id == cycle_id
        )
    )


def submit_response(
    person,
    cycle: Cycle,
    questionnaire: Questionnaire,
    answers: Sequence[Answer],
    today: dt.date | None = None,
) -> tuple[SurveyResponse, bool]:
    """Store the person's answers; (response, created). One row per person and cycle: a
    second submit replaces the answers of the existing row. Two submits at the same moment
    meet the unique constraints (response; answer per question and option) or the row
    version; the loser retries as an update, so no duplicate is ever stored."""
    ev_services.check_window(cycle, "survey", today)
    person_id, cycle_id = person.id, cycle.id
    unit_id, questionnaire_id = person.unit_id, questionnaire.id
    for _attempt in range(4):
        try:
            response = db.session.scalar(
                select(SurveyResponse)
                .where(SurveyResponse.person_id == person_id, SurveyResponse.cycle_id == cycle_id)
                .with_for_update()
            )
            created = response is None
            if created:
                response = SurveyResponse(
                    person_id=person_id,
                    cycle_id=cycle_id,
                    questionnaire_id=questionnaire_id,
                    unit_id=unit_id,
                )
                db.session.add(response)
            else:
                response.questionnaire_id = questionnaire_id
                response.unit_id = unit_id
                response.updated_at = _now()
                response.answers.clear()
            db.session.flush()  # deletes of the old answers before the inserts
            for a in answers:
                response.answers.append(
                    SurveyAnswer(
                        question_id=a.question_id, option=a.option, number=a.number, text=a.text
                    )
                )
            db.session.commit()
            return response, created
        except (IntegrityError, StaleDataError):
            db.session.rollback()
    raise WorkflowError(_("Không lưu được phiếu khảo sát do có thao tác đồng thời. Hãy thử lại."))


@dataclass
class QuestionReport:
    question: Question
    answered: int = 0
    suppressed: bool = False
    counts: dict[str, int] = field(default_factory=dict)  # option or likert level → count
    mean: Decimal | None = None


@dataclass
class SurveyReport:
    questionnaire: Questionnaire
    respondents: int
    suppressed: bool
    threshold: int
    questions: list[QuestionReport]


def _response_filter(questionnaire: Questionnaire, scope: Scope | None, unit_ids=None):
    conditions = [SurveyResponse.questionnaire_id == questionnaire.id]
    crit = criterion(SurveyResponse, scope)
    if crit is not None:
        conditions.append(crit)
    if unit_ids is not None:
        conditions.append(SurveyResponse.unit_id.in_(unit_ids))
    return conditions


def survey_report(
    questionnaire: Questionnaire,
    scope: Scope | None = None,
    unit_ids=None,
    threshold: int = rules.MIN_GROUP_SIZE,
) -> SurveyReport:
    """Aggregates only, over the responses of the scope (optionally some units): nothing for
    a group of fewer than ``threshold`` respondents, nor for a question fewer answered."""
    conditions = _response_filter(questionnaire, scope, unit_ids)
    respondents = db.session.scalar(select(func.count(SurveyResponse.id)).where(*conditions)) or 0
    if rules.suppress(respondents, threshold):
        return SurveyReport(questionnaire, respondents, True, threshold, [])
    per_question = {
        qid: (n, mean)
        for qid, n, mean in db.session.execute(
            select(
                SurveyAnswer.question_id,
                func.count(distinct(SurveyAnswer.response_id)),
                func.avg(SurveyAnswer.number),
            )
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .where(*conditions)
            .group_by(SurveyAnswer.question_id)
        )
    }
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for qid, option, number, n in db.session.execute(
        select(SurveyAnswer.question_id, SurveyAnswer.option, SurveyAnswer.number, func.count())
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .join(Question, Question.id == SurveyAnswer.question_id)
        .where(*conditions, Question.kind.in_(("likert", "single", "multiple")))
        .group_by(SurveyAnswer.question_id, SurveyAnswer.option, SurveyAnswer.number)
    ):
        key = option if option else str(int(number)) if number is not None else ""
        counts[qid][key] = counts[qid].get(key, 0) + n
    reports = []
    for q in questionnaire.questions:
        answered, mean = per_question.get(q.id, (0, None))
        item = QuestionReport(q, answered)
        if rules.suppress(answered, threshold):
            item.suppressed = True
        else:
            if q.kind == "likert":
                item.counts = {str(k): counts[q.id].get(str(k), 0) for k in range(1, 6)}
            elif q.kind in ("single", "multiple"):
                item.counts = {o: counts[q.id].get(o, 0) for o in q.option_list}
            if q.kind in ("likert", "number") and mean is not None:
                item.mean = Decimal(str(mean)).quantize(Decimal("0.01"))
        reports.append(item)
    return SurveyReport(questionnaire, respondents, False, threshold, reports)


# --------------------------------------------------------------------------- needs


@dataclass(frozen=True)
class SuggestedModule:
    module: Module
    criterion_number: int
    level: Any
    source: str  # superior | self


def latest_evaluation(person) -> Evaluation | None:
    """The person's latest submitted (or later) evaluation."""
    return db.session.scalar(
        select(Evaluation)
        .join(Cycle, Cycle.id == Evaluation.cycle_id)
        .where(
            Evaluation.person_id == person.id,
            Evaluation.state.in_(("submitted", "evaluated", FINALISED)),
        )
        .order_by(Cycle.school_year.desc(), Evaluation.id.desc())
        .limit(1)
    )


def suggestions(person) -> tuple[Evaluation | None, list[SuggestedModule]]:
    evaluation = latest_evaluation(person)
    if evaluation is None:
        return None, []
    self_levels = {r.criterion.number: r.self_level for r in evaluation.ratings}
    superior = {
        r.criterion.number: r.superior_level
        for r in evaluation.ratings
        if r.superior_level is not None
    }
    levels = rules.effective_levels(self_levels, superior)
    mapping = module_map(evaluation.framework.code)
    found = rules.suggest_modules(levels, mapping)
    modules = {
        m.code: m
        for m in db.session.scalars(
            select(Module).where(Module.code.in_([s.module_code for s in found]))
        )
    }
    return evaluation, [
        SuggestedModule(
            modules[s.module_code],
            s.criterion_number,
            s.level,
            "superior" if s.criterion_number in superior else "self",
        )
        for s in found
        if s.module_code in modules
    ]


def needs_of(person_id: int, cycle_id: int) -> list[TrainingNeed]:
    return db.session.scalars(
        select(TrainingNeed)
        .where(TrainingNeed.person_id == person_id, TrainingNeed.cycle_id == cycle_id)
        .order_by(TrainingNeed.priority, TrainingNeed.id)
    ).all()


def save_needs(
    person,
    cycle: Cycle,
    modules: Mapping[int, Any],
    free: Sequence[tuple[str, int]],
    suggested_ids: Iterable[int] = (),
    today: dt.date | None = None,
) -> list[TrainingNeed]:
    """Replace the person's needs for the cycle: module id → priority, and free-text needs."""
    from app.text import nfc

    ev_services.check_window(cycle, "plan", today)
    known = {
        m.id
        for m in db.session.scalars(
            select(Module).where(Module.id.in_(list(modules)), Module.active.is_(True))
        )
    }
    suggested = set(suggested_ids)
    for need in needs_of(person.id, cycle.id):
        db.session.delete(need)
    db.session.flush()
    out = []
    for module_id, priority in modules.items():
        if module_id in known:
            out.append(
                TrainingNeed(
                    person_id=person.id,
                    cycle_id=cycle.id,
                    module_id=module_id,
                    priority=_priority(priority),
                    suggested=module_id in suggested,
                )
            )
    for text, priority in free:
        text = (nfc(text) or "").strip()
        if text:
            out.append(
                TrainingNeed(
                    person_id=person.id,
                    cycle_id=cycle.id,
                    free_text=text[:500],
                    priority=_priority(priority),
                )
            )
    db.session.add_all(out)
    db.session.commit()
    return out


def _priority(value: Any) -> int:
    """1 (high) to 3 (low); anything else posted is the default, 2."""
    return parse_int(value, min=1, max=3) or 2


# --------------------------------------------------------------------------- plans


def plan_of(person_id: int, cycle_id: int) -> TrainingPlan | None:
    return db.session.scalar(
        select(TrainingPlan).where(
            TrainingPlan.person_id == person_id, TrainingPlan.cycle_id == cycle_id
        )
    )


def start_plan(person, cycle: Cycle, today: dt.date | None = None) -> TrainingPlan:
    existing = plan_of(person.id, cycle.id)
    if existing is not None:
        return existing
    ev_services.check_window(cycle, "plan", today)
    programme = programme_for(cycle.school_year)
    plan = TrainingPlan(
        person_id=person.id,
        cycle_id=cycle.id,
        programme_id=programme.id if programme else None,
        unit_id=person.unit_id,
        state=DRAFT,
    )
    db.session.add(plan)
    try:
        db.session.flush()
    except IntegrityError:  # a second tab started it at the same moment
        db.session.rollback()
        return plan_of(person.id, cycle.id)
    # Needs already chosen as modules become the plan's first items.
    rule = time_rule(programme)
    for need in needs_of(person.id, cycle.id):
        if need.module_id is not None:
            plan.items.append(
                PlanItem(module_id=need.module_id, amount=default_amount(need.module, rule))
            )
    db.session.commit()
    return plan


def default_amount(module: Module, rule: rules.TimeRule) -> Decimal:
    return Decimal(module.periods) if rule.measure == "periods" else Decimal(1)


def deadline(cycle: Cycle) -> dt.date:
    return rules.plan_deadline(cycle.school_year, cycle.plan_end)


def window_open(cycle: Cycle, name: str, today: dt.date | None = None) -> bool:
    return ev_services.window_open(cycle, name, today)


def _check_version(row, version: Any) -> None:
    if version is None or str(version) != str(row.version_id):
        raise StaleEdit()


@dataclass(frozen=True)
class PostedItem:
    module_id: int
    amount: Decimal | None
    start: dt.date | None
    end: dt.date | None
    form: str | None


def save_plan(
    plan: TrainingPlan,
    user,
    items: Sequence[PostedItem],
    note: str | None,
    version: Any,
    today: dt.date | None = None,
) -> None:
    """The owner's draft: the plan's modules become exactly ``items``."""
    from app.text import nfc

    if not is_owner(user, plan):
        raise WorkflowError(_("Chỉ người lập kế hoạch mới sửa được kế hoạch này."))
    if plan.state not in EDITABLE_BY_OWNER:
        raise WorkflowError(_("Kế hoạch đã nộp: chỉ sửa được khi bị trả lại."))
    _check_version(plan, version)
    ev_services.check_window(plan.cycle, "plan", today)
    modules = {
        m.id: m
        for m in db.session.scalars(
            select(Module).where(
                Module.id.in_([i.module_id for i in items]), Module.active.is_(True)
            )
        )
    }
    rule = time_rule(plan.programme)
    wanted = {i.module_id: i for i in items if i.module_id in modules}
    for item in list(plan.items):
        if item.module_id not in wanted:
            plan.items.remove(item)
    current = {i.module_id: i for i in plan.items}
    for module_id, posted in wanted.items():
        item = current.get(module_id)
        if item is None:
            item = PlanItem(module_id=module_id)
            plan.items.append(item)
        item.amount = (
            posted.amount if posted.amount is not None else default_amount(modules[module_id], rule)
        )
        item.planned_start = posted.start
        item.planned_end = posted.end
        item.form = posted.form if posted.form in ("tap_trung", "tu_xa", "ket_hop") else None
    plan.note = (nfc(note) or "").strip() or None
    plan.updated_at = _now()
    db.session.flush()


def plan_problems(plan: TrainingPlan, today: dt.date | None = None) -> list[rules.Problem]:
    today = today or dt.date.today()
    cycle = plan.cycle
    items = [
        rules.PlannedModule(i.module.code, i.amount, i.planned_start, i.planned_end)
        for i in plan.items
    ]
    return rules.validate_plan(
        items,
        time_rule(plan.programme),
        cycle.school_year,
        today,
        cycle.plan_start,
        deadline(cycle),
    )


MEASURE_UNITS = {"periods": "tiết", "weeks": "tuần"}


def _amount(value: Any) -> str:
    value = Decimal(str(value))
    return format_number(value, 1) if value != value.to_integral() else str(int(value))


def problem_text(problem: rules.Problem) -> str:
    p = problem.params
    unit = MEASURE_UNITS.get(p.get("measure", ""), "")
    messages = {
        "no_modules": lambda: _("Kế hoạch chưa có mô-đun nào."),
        "duplicate": lambda: _("Mô-đun %(code)s được chọn hai lần.", code=p["code"]),
        "no_amount": lambda: _("Mô-đun %(code)s chưa có thời lượng.", code=p["code"]),
        "too_little": lambda: _(
            "Tổng thời lượng %(total)s %(unit)s chưa đủ mức yêu cầu của năm học "
            "(tối thiểu %(required)s %(unit)s).",
            total=_amount(p["total"]),
            required=_amount(p["required"]),
            unit=unit,
        ),
        "too_much": lambda: _(
            "Tổng thời lượng %(total)s %(unit)s vượt mức tối đa của năm học (%(maximum)s %(unit)s).",
            total=_amount(p["total"]),
            maximum=_amount(p["maximum"]),
            unit=unit,
        ),
        "end_before_start": lambda: _(
            "Mô-đun %(code)s: ngày kết thúc trước ngày bắt đầu.", code=p["code"]
        ),
        "outside_year": lambda: _(
            "Mô-đun %(code)s: thời gian phải nằm trong năm học (%(first)s – %(last)s).",
            code=p["code"],
            first=format_date(p["first"]),
            last=format_date(p["last"]),
        ),
        "window_not_open": lambda: _(
            "Chưa đến thời hạn lập kế hoạch (bắt đầu từ %(start)s).", start=format_date(p["start"])
        ),
        "window_closed": lambda: _(
            "Đã quá hạn nộp kế hoạch (hạn cuối %(deadline)s).", deadline=format_date(p["deadline"])
        ),
    }
    make = messages.get(problem.code)
    return make() if make else problem.code


def submit_plan(plan: TrainingPlan, user, version: Any, today: dt.date | None = None) -> None:
    if not is_owner(user, plan):
        raise WorkflowError(_("Chỉ người lập kế hoạch mới nộp được kế hoạch này."))
    if plan.state not in EDITABLE_BY_OWNER:
        raise WorkflowError(_("Kế hoạch đã được nộp trước đó."))
    _check_version(plan, version)
    problems = plan_problems(plan, today)
    if problems:
        raise WorkflowError(" ".join(problem_text(p) for p in problems))
    plan.state = SUBMITTED
    plan.submitted_at = _now()
    plan.return_comment = None
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise StaleEdit() from None


def _approver_guard(plan: TrainingPlan, user, version: Any) -> None:
    if not can_approve(user, plan):
        raise WorkflowError(_("Bạn không phải người duyệt kế hoạch này."))
    if plan.state != SUBMITTED:
        raise WorkflowError(_("Kế hoạch không ở trạng thái chờ duyệt."))
    _check_version(plan, version)


def approve_plan(plan: TrainingPlan, user, comment: str | None, version: Any) -> None:
    _approver_guard(plan, user, version)
    plan.state = APPROVED
    plan.approved_at = _now()
    plan.approver_id = user.id
    plan.approver_comment = (comment or "").strip() or None
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise StaleEdit() from None


def return_plan(plan: TrainingPlan, user, comment: str | None, version: Any) -> None:
    _approver_guard(plan, user, version)
    comment = (comment or "").strip()
    if not comment:
        raise WorkflowError(_("Hãy ghi lý do trả lại kế hoạch."))
    plan.state = RETURNED
    plan.return_comment = comment
    plan.approver_id = user.id
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise StaleEdit() from None


def can_record_results(user, plan: TrainingPlan) -> bool:
    return plan.state == APPROVED and (is_owner(user, plan) or can_approve(user, plan))


def record_result(
    item: PlanItem,
    user,
    result: str | None,
    periods_done: int | None,
    certificate=None,
) -> None:
    """Result of one module; a passing result is written to the person's training history
    (``TrainingCourse``, source 'bdtx'), a non-passing one removes it from there."""
    plan = item.plan
    if not can_record_results(user, plan):
        raise WorkflowError(_("Chỉ ghi được kết quả khi kế hoạch đã được duyệt."))
    codes = {lvl.code: lvl for lvl in result_levels("module")}
    if result and result not in codes:
        raise WorkflowError(_("Kết quả không hợp lệ."))
    if periods_done is not None and not (0 <= periods_done <= 1000):
        raise WorkflowError(_("Số tiết đã học không hợp lệ."))
    item.result = result or None
    item.periods_done = periods_done
    item.completed_at = _now() if result else None
    if certificate is not None:
        item.certificate = certificate
    _sync_history(item, codes.get(result) if result else None)
    if plan.outcome is not None and result is None:
        plan.outcome = None
    db.session.commit()


def _sync_history(item: PlanItem, level: ResultLevel | None) -> None:
    from app.personnel.models import TrainingCourse

    plan = item.plan
    course = (
        db.session.get(TrainingCourse, item.training_course_id) if item.training_course_id else None
    )
    if level is None or not level.passed:
        if course is not None:
            item.training_course_id = None
            db.session.delete(course)
        return
    module = item.module
    organiser = None
    if item.course is not None:
        organiser = item.course.provider or (item.course.unit.name if item.course.unit else None)
    values = {
        "name": f"BDTX {plan.cycle.school_year} – {module.code}. {module.name}"[:255],
        "organiser": (organiser or (plan.unit.name if plan.unit else None) or "")[:255] or None,
        "start_date": item.planned_start,
        "end_date": item.planned_end or (item.completed_at.date() if item.completed_at else None),
        "periods": item.periods_done,
        "result": level.name[:64],
    }
    if course is None:
        course = TrainingCourse(person_id=plan.person_id, **values)
        db.session.add(course)
    else:
        for key, value in values.items():
            setattr(course, key, value)
    course.source = "bdtx"
    db.session.flush()
    item.training_course_id = course.id


def suggested_outcome(plan: TrainingPlan) -> str | None:
    """The year's result code the module results give, or None while one is missing."""
    passed = [lvl.code for lvl in result_levels("module") if lvl.passed]
    rule = time_rule(plan.programme)
    done = rules.yearly_outcome(
        [(i.result, i.periods_done) for i in plan.items],
        passed,
        rule,
        rules.total_amount(rules.PlannedModule(i.module.code, i.amount) for i in plan.items),
    )
    if done is None:
        return None
    year = result_levels("year")
    pick = [lvl for lvl in year if lvl.passed == done]
    return pick[0].code if pick else None


def set_outcome(plan: TrainingPlan, user, code: str | None) -> None:
    if not can_approve(user, plan):
        raise WorkflowError(_("Chỉ người duyệt kế hoạch mới xác nhận kết quả năm."))
    if plan.state != APPROVED:
        raise WorkflowError(_("Kế hoạch chưa được duyệt."))
    if code and code not in {lvl.code for lvl in result_levels("year")}:
        raise WorkflowError(_("Kết quả không hợp lệ."))
    plan.outcome = code or None
    plan.outcome_by_id = user.id if code else None
    plan.outcome_at = _now() if code else None
    db.session.commit()


def pending_approvals(user, scope: Scope | None = None, limit: int = 500) -> list[TrainingPlan]:
    """Submitted plans in the scope whose approver is the user's unit."""
    from app.security.scope import scoped_query

    unit = getattr(user, "unit", None)
    if unit is None or not ev_services.holds_authority(user, "approve", unit):
        return []
    plans = (
        scoped_query(TrainingPlan, scope)
        .filter(TrainingPlan.state == SUBMITTED)
        .order_by(TrainingPlan.submitted_at, TrainingPlan.id)
        .limit(limit)
        .all()
    )
    return [p for p in plans if can_approve(user, p)]


# --------------------------------------------------------------------------- progress


@dataclass
class ProgressRow:
    unit_id: int
    code: str
    name: str
    staff: int
    survey_done: int
    needs: int
    plan_draft: int
    plan_submitted: int
    plan_approved: int
    completed: int


def progress(
    cycle: Cycle,
    scope: Scope | None = None,
    group: str = "school",
    limit: int = 500,
    offset: int = 0,
) -> list[ProgressRow]:
    """Counts per school (or per commune office) of the scope: staff, survey answered, needs
    proposed, plans in draft/returned, submitted, approved, year completed. One aggregate
    query through the scope's Person predicate."""
    from app.org.models import Unit
    from app.personnel.models import Person

    year_passed = select(ResultLevel.code).where(
        ResultLevel.kind == "year", ResultLevel.passed.is_(True)
    )
    has_needs = (
        select(TrainingNeed.id)
        .where(TrainingNeed.person_id == Person.id, TrainingNeed.cycle_id == cycle.id)
        .exists()
    )

    def count_if(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    school_unit = Unit
    if group == "commune":
        from sqlalchemy.orm import aliased

        school_unit = aliased(Unit)
        grouped = Unit
        join_on = grouped.id == school_unit.parent_id
    else:
        grouped = Unit
        join_on = None
    conditions = [Person.status == "active", Person.position.in_(TRAINED_POSITIONS)]
    crit = criterion(Person, scope)
    if crit is not None:
        conditions.append(crit)
    query = (
        select(
            grouped.id,
            grouped.code,
            grouped.name,
            func.count(Person.id),
            count_if(SurveyResponse.id.is_not(None)),
            count_if(has_needs),
            count_if(TrainingPlan.state.in_((DRAFT, RETURNED))),
            count_if(TrainingPlan.state == SUBMITTED),
            count_if(TrainingPlan.state == APPROVED),
            count_if(TrainingPlan.outcome.in_(year_passed)),
        )
        .select_from(Person)
        .join(school_unit, and_(school_unit.id == Person.unit_id, school_unit.kind == "school"))
        .outerjoin(
            SurveyResponse,
            and_(SurveyResponse.person_id == Person.id, SurveyResponse.cycle_id == cycle.id),
        )
        .outerjoin(
            TrainingPlan,
            and_(TrainingPlan.person_id == Person.id, TrainingPlan.cycle_id == cycle.id),
        )
        .where(*conditions)
        .group_by(grouped.id, grouped.code, grouped.name, grouped.name_sort)
        .order_by(grouped.name_sort, grouped.id)
        .limit(limit)
        .offset(offset)
    )
    if join_on is not None:
        query = query.join(grouped, join_on)
    return [ProgressRow(*row) for row in db.session.execute(query)]


def people_progress(cycle: Cycle, unit_id: int, scope: Scope | None = None):
    """(person, response id or None, needs count, plan or None) for one school's staff."""
    from app.personnel.models import Person

    needs = (
        select(func.count(TrainingNeed.id))
        .where(TrainingNeed.person_id == Person.id, TrainingNeed.cycle_id == cycle.id)
        .scalar_subquery()
    )
    conditions = [
        Person.unit_id == unit_id,
        Person.status == "active",
        Person.position.in_(TRAINED_POSITIONS),
    ]
    crit = criterion(Person, scope)
    if crit is not None:
        conditions.append(crit)
    query = (
        select(Person, SurveyResponse.id, needs, TrainingPlan)
        .outerjoin(
            SurveyResponse,
            and_(SurveyResponse.person_id == Person.id, SurveyResponse.cycle_id == cycle.id),
        )
        .outerjoin(
            TrainingPlan,
            and_(TrainingPlan.person_id == Person.id, TrainingPlan.cycle_id == cycle.id),
        )
        .where(*conditions)
        .order_by(Person.name_sort)
    )
    return db.session.execute(query).all()


def visible_cycles(scope: Scope | None = None) -> list[Cycle]:
    return ev_services.visible_cycles(scope)
