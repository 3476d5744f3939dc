"""Evaluation workflow: frameworks into the database, cycles, state transitions and ratings.

Views and the API call these functions; they never change an evaluation's state themselves.

State machine (``models.STATES``; "not started" = no row)::

    draft ──submit──▶ submitted ──save levels──▶ evaluated ──finalise──▶ finalised (locked)
      ▲                   │  ▲                       │
      └──── returned ◀────┴──┼──────return───────────┘
                ──submit─────┘

- the owner edits and submits (self window), only while ``draft`` or ``returned``;
- the evaluator (``EvaluationAuthority``) sets levels, returns or finalises (superior window);
- a stale form (its version is not the row's) is refused; two submits give one submission
  (conditional ``UPDATE ... WHERE state IN (draft, returned) AND version_id = :seen``);
- where the framework's period says no superior evaluation is due this year the evaluator
  only confirms: the final result is the self-evaluation's, marked so.

Callers load the evaluation through ``app.security.scope.get_in_scope_or_404`` first; these
functions add the role-specific checks (owner, evaluator, subject-group leader).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.evaluation import rules
from app.evaluation.models import (
    DRAFT,
    EDITABLE_BY_OWNER,
    EVALUATED,
    FINALISED,
    RETURNED,
    REVIEWABLE,
    SUBMITTED,
    Criterion,
    CriterionRating,
    Cycle,
    CycleFramework,
    Evaluation,
    EvaluationAuthority,
    EvaluationEvent,
    Evidence,
    EvidenceLink,
    Framework,
    PeerOpinion,
    Standard,
)
from app.extensions import db
from app.formatting import format_date
from app.security import role_rules, roles
from app.security.scope import Scope, criterion, current_scope

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
FRAMEWORK_DIR = DATA_DIR / "frameworks"
AUTHORITY_FILE = DATA_DIR / "evaluation_authority.csv"

EVALUATED_POSITIONS = ("giao_vien", "to_truong", "hieu_truong", "pho_hieu_truong")
PRINCIPAL_POSITIONS = ("hieu_truong", "pho_hieu_truong")
WINDOWS = {
    "self": "tự đánh giá",
    "opinion": "lấy ý kiến đồng nghiệp",
    "superior": "đánh giá của cấp trên",
    "survey": "khảo sát",
    "plan": "lập kế hoạch bồi dưỡng",
}


class WorkflowError(Exception):
    """An action the workflow refuses; ``str()`` is a Vietnamese message for the user."""


class WindowClosed(WorkflowError):
    pass


class StaleEdit(WorkflowError):
    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or _(
                "Phiếu đánh giá đã được cập nhật ở nơi khác sau khi bạn mở trang. "
                "Thay đổi của bạn chưa được lưu; hãy tải lại trang và nhập lại."
            )
        )


def _flush_or_stale() -> None:
    """Write now; a concurrent save of the same evaluation (version check) is a stale edit."""
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise StaleEdit() from None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# --------------------------------------------------------------------------- frameworks


def framework_dict(framework: Framework) -> dict[str, Any]:
    """The framework as the rules module reads it, built from the database rows."""
    return {
        "code": framework.code,
        "name": framework.name,
        "audience": framework.audience,
        "source_status": framework.source_status,
        "superior_period_years": framework.superior_period_years,
        "school_years": {
            "from": f"{framework.year_from}-{framework.year_from + 1}",
            "to": f"{framework.year_to}-{framework.year_to + 1}" if framework.year_to else None,
        },
        "standards": [
            {
                "number": standard.number,
                "name": standard.name,
                "source_status": standard.source_status,
                "criteria": [
                    {
                        "number": c.number,
                        "name": c.name,
                        "source_status": c.source_status,
                        "descriptors": {"dat": c.desc_dat, "kha": c.desc_kha, "tot": c.desc_tot},
                    }
                    for c in standard.criteria
                ],
            }
            for standard in framework.standards
        ],
        "rating": framework.rating,
    }


def params_for(framework: Framework) -> rules.RatingParams:
    return rules.params_from_framework(framework_dict(framework))


def _year(value: Any) -> int | None:
    return None if value in (None, "") else rules.school_year_start(value)


def import_framework(data: Mapping[str, Any]) -> tuple[Framework, bool]:
    """Store a validated framework dict; returns (framework, created_new_version).

    Same code, not yet used by a submitted evaluation → replaced in place. Used (locked) →
    a new version; the old one stays for the evaluations that used it. Raises FrameworkError
    with the Vietnamese problems of an invalid dict.
    """
    problems = rules.validate_framework(data)
    if problems:
        raise rules.FrameworkError(problems)
    code = data["code"].strip()
    latest = db.session.scalars(
        select(Framework).where(Framework.code == code).order_by(Framework.version.desc())
    ).first()
    new_version = latest is not None and latest.locked
    if latest is None or new_version:
        framework = Framework(code=code, version=(latest.version + 1) if latest else 1)
        db.session.add(framework)
    else:
        framework = latest
        for standard in list(framework.standards):
            db.session.delete(standard)
        db.session.flush()
    years = data["school_years"]
    framework.name = data["name"].strip()
    framework.audience = data["audience"]
    framework.year_from = _year(years.get("from"))
    framework.year_to = _year(years.get("to"))
    framework.superior_period_years = data["superior_period_years"]
    framework.rating = _plain(data["rating"])
    framework.source_status = data.get("source_status")
    framework.source_note = data.get("source_note")
    framework.definition = _plain(data)
    framework.locked = False
    for s in data["standards"]:
        standard = Standard(
            framework=framework,
            number=s["number"],
            name=s["name"].strip(),
            description=s.get("description"),
            source_status=s.get("source_status"),
        )
        db.session.add(standard)
        for c in s["criteria"]:
            descriptors = c.get("descriptors") or {}
            db.session.add(
                Criterion(
                    framework=framework,
                    standard=standard,
                    number=c["number"],
                    name=c["name"].strip(),
                    desc_dat=descriptors.get("dat"),
                    desc_kha=descriptors.get("kha"),
                    desc_tot=descriptors.get("tot"),
                    source_status=c.get("source_status"),
                    descriptors_status=c.get("descriptors_status"),
                )
            )
    db.session.flush()
    return framework, new_version


def _plain(value: Any) -> Any:
    """JSON-safe copy of YAML data (dates become ISO strings)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def new_version(framework: Framework) -> Framework:
    """A new, unlocked copy of a framework (the way to change one already in use)."""
    data = framework_dict(framework)
    data["source_note"] = framework.source_note
    latest = db.session.scalar(
        select(func.max(Framework.version)).where(Framework.code == framework.code)
    )
    framework.locked = True  # force a new version even if nobody has used it yet
    db.session.flush()
    copy, _created = import_framework(data)
    copy.version = max(copy.version, (latest or 0) + 1)
    return copy


def load_authority(path: Path = AUTHORITY_FILE) -> None:
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    existing = {
        (a.position, a.school_type): a for a in db.session.scalars(select(EvaluationAuthority))
    }
    for row in rows:
        key = (row["position"].strip(), row["school_type"].strip())
        item = existing.get(key) or EvaluationAuthority(position=key[0], school_type=key[1])
        item.evaluator_unit_kind = row["evaluator_unit_kind"].strip()
        item.source_status = row.get("source_status", "").strip() or None
        db.session.add(item)


def load_frameworks(directory: Path = FRAMEWORK_DIR) -> None:
    """Idempotent: frameworks whose code is not in the database yet, and the authority table.

    Called from ``load_reference_data`` at every start-up; a framework already loaded (or
    edited by an administrator) is never overwritten from the file.
    """
    known = set(db.session.scalars(select(Framework.code)))
    authority_count = db.session.scalar(select(func.count(EvaluationAuthority.id)))
    files = sorted(directory.glob("*.yaml"))
    todo = []
    for path in files:
        data = rules.load_framework_file(path)
        if str(data.get("code", "")).strip() not in known:
            todo.append(data)
    if not todo and authority_count:
        return
    for data in todo:
        import_framework(data)
    load_authority()
    db.session.commit()


def lock_framework(framework_id: int) -> None:
    db.session.execute(
        update(Framework)
        .where(Framework.id == framework_id, Framework.locked.is_(False))
        .values(locked=True)
    )


# --------------------------------------------------------------------------- who and what


def school_of(person):
    return person.unit.school if person is not None and person.unit is not None else None


def audience_for(person) -> str | None:
    school = school_of(person)
    if school is None or person.position not in EVALUATED_POSITIONS:
        return None
    preschool = school.school_type == "mn"
    if person.position in PRINCIPAL_POSITIONS:
        return "hieu_truong_mam_non" if preschool else "hieu_truong_pho_thong"
    return "giao_vien_mam_non" if preschool else "giao_vien_pho_thong"


def applicable_cycle(person, today: dt.date | None = None) -> Cycle | None:
    """The latest cycle opened by an ancestor of the person's unit (the nearest opener wins)."""
    if person is None or person.unit is None:
        return None
    ancestors = [int(p) for p in person.unit.path.strip("/").split("/") if p.isdigit()]
    cycles = db.session.scalars(
        select(Cycle).where(Cycle.unit_id.in_(ancestors)).order_by(Cycle.school_year.desc())
    ).all()
    if not cycles:
        return None
    latest_year = cycles[0].school_year
    same_year = [c for c in cycles if c.school_year == latest_year]
    return max(same_year, key=lambda c: c.unit.path.count("/"))


def cycle_framework_for(person, cycle: Cycle) -> CycleFramework | None:
    audience = audience_for(person)
    if audience is None:
        return None
    for link in cycle.frameworks:
        if link.framework.audience == audience:
            return link
    return None


def authority_kind(person) -> str | None:
    school = school_of(person)
    if school is None:
        return None
    position = "giao_vien" if person.position == "to_truong" else person.position
    row = db.session.scalar(
        select(EvaluationAuthority).where(
            EvaluationAuthority.position == position,
            EvaluationAuthority.school_type == school.school_type,
        )
    )
    return row.evaluator_unit_kind if row else None


def evaluator_unit(person):
    """The unit whose staff evaluate this person (school, commune office or Sở), or None."""
    kind = authority_kind(person)
    if kind is None:
        return None
    unit = person.unit
    if kind == "school":
        return unit
    wanted = ("commune", "district") if kind == "commune" else ("province",)
    node = unit.parent
    while node is not None:
        if node.kind in wanted:
            return node
        node = node.parent
    return unit.parent if kind == "commune" else None


def is_owner(user, evaluation: Evaluation) -> bool:
    return getattr(user, "person_id", None) == evaluation.person_id


def holds_authority(user, power: role_rules.Power, unit) -> bool:
    """The user works at `unit` and holds a catalogue role carrying `power` ("evaluate" or
    "approve") at that kind of unit, placed as the catalogue allows: the unit alone is not
    enough (a «Lãnh đạo Sở» account hung on a school gets no rights there)."""
    if user is None or unit is None or getattr(user, "unit_id", None) != unit.id:
        return False
    person = getattr(user, "person", None)
    return role_rules.holds_authority(
        [roles.BY_NAME[r.name] for r in getattr(user, "roles", []) if r.name in roles.BY_NAME],
        power,
        unit.kind,
        person.position if person is not None else None,
        person is not None and person.unit_id == unit.id,
    )


def can_evaluate(user, evaluation: Evaluation) -> bool:
    """The user works in the unit the authority table names for the evaluated person, with a
    role that evaluates at that kind of unit."""
    if user is None or is_owner(user, evaluation) or getattr(user, "unit_id", None) is None:
        return False
    return holds_authority(user, "evaluate", evaluator_unit(evaluation.person))


# --------------------------------------------------------------------------- windows


def check_window(cycle: Cycle, name: str, today: dt.date | None = None) -> None:
    today = today or dt.date.today()
    start, end = cycle.window(name)
    if start is None or end is None or not (start <= today <= end):
        what = WINDOWS.get(name, name)
        if start is None or end is None:
            raise WindowClosed(
                _("Chu kỳ %(cycle)s chưa đặt thời hạn %(what)s.", cycle=cycle.name, what=what)
            )
        raise WindowClosed(
            _(
                "Ngoài thời hạn %(what)s: chỉ thực hiện được từ %(start)s đến %(end)s "
                "(hôm nay là %(today)s).",
                what=what,
                start=format_date(start),
                end=format_date(end),
                today=format_date(today),
            )
        )


def window_open(cycle: Cycle, name: str, today: dt.date | None = None) -> bool:
    try:
        check_window(cycle, name, today)
    except WindowClosed:
        return False
    return True


# --------------------------------------------------------------------------- evaluations


def _event(evaluation: Evaluation, user, action: str, before: str | None, detail=None) -> None:
    db.session.add(
        EvaluationEvent(
            evaluation_id=evaluation.id,
            user_id=getattr(user, "id", None),
            action=action,
            from_state=before,
            to_state=evaluation.state,
            detail=detail,
        )
    )


def start_evaluation(person, cycle: Cycle, user=None, today: dt.date | None = None) -> Evaluation:
    """The person's evaluation in the cycle, created as a draft if there is none yet."""
    link = cycle_framework_for(person, cycle)
    if link is None:
        raise WorkflowError(_("Chu kỳ này không có chuẩn đánh giá áp dụng cho chức vụ của bạn."))
    existing = db.session.scalar(
        select(Evaluation).where(
            Evaluation.person_id == person.id,
            Evaluation.cycle_id == cycle.id,
            Evaluation.framework_id == link.framework_id,
        )
    )
    if existing is not None:
        return existing
    check_window(cycle, "self", today)
    evaluation = Evaluation(
        person_id=person.id,
        cycle_id=cycle.id,
        framework_id=link.framework_id,
        unit_id=person.unit_id,
        superior_due=link.superior_due,
        state=DRAFT,
    )
    evaluation.ratings = [CriterionRating(criterion_id=c.id) for c in link.framework.criteria]
    db.session.add(evaluation)
    try:
        db.session.flush()
    except IntegrityError:  # a second tab started it at the same moment
        db.session.rollback()
        return db.session.scalar(
            select(Evaluation).where(
                Evaluation.person_id == person.id,
                Evaluation.cycle_id == cycle.id,
                Evaluation.framework_id == link.framework_id,
            )
        )
    _event(evaluation, user, "start", None)
    db.session.commit()
    return evaluation


def _check_version(evaluation: Evaluation, version: Any) -> None:
    if version is None or str(version) != str(evaluation.version_id):
        raise StaleEdit()


def levels_by_number(evaluation: Evaluation, which: str) -> dict[int, rules.Level | None]:
    attr = f"{which}_level"
    return {
        r.criterion.number: (None if getattr(r, attr) is None else rules.Level(getattr(r, attr)))
        for r in evaluation.ratings
    }


def compute(evaluation: Evaluation, which: str = "self") -> rules.RatingResult | None:
    """The rating of the self or superior levels, or None while a criterion has no level."""
    params = params_for(evaluation.framework)
    levels = levels_by_number(evaluation, which)
    if rules.missing_criteria(params, levels):
        return None
    return rules.rate(params, levels)


def _parse_levels(evaluation: Evaluation, posted: Mapping[int, Any]) -> dict[int, int | None]:
    """criterion id → level from a form; unknown criteria and values are refused."""
    known = {r.criterion_id for r in evaluation.ratings}
    out: dict[int, int | None] = {}
    for criterion_id, value in posted.items():
        if criterion_id not in known:
            raise WorkflowError(_("Tiêu chí không thuộc phiếu đánh giá này."))
        try:
            level = rules.parse_level(value)
        except ValueError:
            raise WorkflowError(_("Mức đánh giá không hợp lệ.")) from None
        out[criterion_id] = None if level is None else int(level)
    return out


def _owner_guard(evaluation: Evaluation, user) -> None:
    if not is_owner(user, evaluation):
        raise WorkflowError(_("Chỉ người được đánh giá mới sửa được phiếu tự đánh giá."))


def save_self(
    evaluation: Evaluation,
    user,
    levels: Mapping[int, Any],
    texts: Mapping[str, str | None],
    version: Any,
    today: dt.date | None = None,
    commit: bool = True,
) -> None:
    """Save the owner's draft: levels per criterion and the form-01 texts."""
    _owner_guard(evaluation, user)
    if evaluation.state not in EDITABLE_BY_OWNER:
        raise WorkflowError(
            _("Phiếu đã nộp nên không sửa được nữa, trừ khi cấp trên trả lại để bổ sung.")
        )
    _check_version(evaluation, version)
    check_window(evaluation.cycle, "self", today)
    parsed = _parse_levels(evaluation, levels)
    for rating in evaluation.ratings:
        if rating.criterion_id in parsed:
            rating.self_level = parsed[rating.criterion_id]
    for field in ("strengths", "weaknesses", "plan"):
        if field in texts:
            setattr(evaluation, field, (texts[field] or "").strip() or None)
    result = compute(evaluation, "self")
    evaluation.self_result = None if result is None else int(result.level)
    evaluation.self_reasons = None if result is None else list(result.reasons)
    evaluation.updated_at = _now()  # bumps the version even when only ratings changed
    _flush_or_stale()
    if commit:
        db.session.commit()


def submit(evaluation: Evaluation, user, version: Any, today: dt.date | None = None) -> bool:
    """Submit the owner's evaluation. True when this call submitted it; False when it had
    already been submitted (a second tab, a double click): one submission, never two."""
    _owner_guard(evaluation, user)
    if evaluation.state not in EDITABLE_BY_OWNER:
        if evaluation.state == SUBMITTED:
            return False
        raise WorkflowError(_("Phiếu đã được cấp trên đánh giá, không nộp lại được."))
    if str(version) != str(evaluation.version_id):
        raise StaleEdit()
    check_window(evaluation.cycle, "self", today)
    params = params_for(evaluation.framework)
    missing = rules.missing_criteria(params, levels_by_number(evaluation, "self"))
    if missing:
        raise WorkflowError(
            _(
                "Chưa chọn mức cho tiêu chí: %(numbers)s. Hãy chọn mức cho mọi tiêu chí rồi nộp.",
                numbers=", ".join(str(n) for n in missing),
            )
        )
    result = rules.rate(params, levels_by_number(evaluation, "self"))
    before = evaluation.state
    now = _now()
    changed = db.session.execute(
        update(Evaluation)
        .where(
            Evaluation.id == evaluation.id,
            Evaluation.state.in_(EDITABLE_BY_OWNER),
            Evaluation.version_id == evaluation.version_id,
        )
        .values(
            state=SUBMITTED,
            self_result=int(result.level),
            self_reasons=list(result.reasons),
            submitted_at=now,
            updated_at=now,
            version_id=Evaluation.version_id + 1,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        db.session.refresh(evaluation)
        if evaluation.state == SUBMITTED:
            return False
        raise StaleEdit()
    lock_framework(evaluation.framework_id)
    db.session.add(
        EvaluationEvent(
            evaluation_id=evaluation.id,
            user_id=getattr(user, "id", None),
            action="submit",
            from_state=before,
            to_state=SUBMITTED,
            detail={"self_result": int(result.level)},
        )
    )
    db.session.commit()
    db.session.refresh(evaluation)
    return True


def _evaluator_guard(evaluation: Evaluation, user, today: dt.date | None) -> None:
    if not can_evaluate(user, evaluation):
        raise WorkflowError(_("Bạn không phải cấp có thẩm quyền đánh giá người này."))
    check_window(evaluation.cycle, "superior", today)


def save_superior(
    evaluation: Evaluation,
    user,
    levels: Mapping[int, Any],
    comment: str | None,
    version: Any,
    today: dt.date | None = None,
) -> rules.RatingResult | None:
    """The evaluator's levels; the final result is computed (with reasons) once all are set."""
    _evaluator_guard(evaluation, user, today)
    if evaluation.state not in REVIEWABLE:
        raise WorkflowError(_("Phiếu chưa được nộp hoặc đã hoàn thành, không đánh giá được."))
    _check_version(evaluation, version)
    before = evaluation.state
    if evaluation.superior_due:
        parsed = _parse_levels(evaluation, levels)
        for rating in evaluation.ratings:
            if rating.criterion_id in parsed:
                rating.superior_level = parsed[rating.criterion_id]
        result = compute(evaluation, "superior")
    else:
        result = compute(evaluation, "self")
    evaluation.evaluator_comment = (comment or "").strip() or None
    evaluation.final_result = None if result is None else int(result.level)
    evaluation.final_reasons = None if result is None else list(result.reasons)
    evaluation.evaluator_id = user.id
    if result is not None:
        evaluation.state = EVALUATED
        evaluation.evaluated_at = _now()
    evaluation.updated_at = _now()
    _flush_or_stale()
    if evaluation.state != before:
        _event(evaluation, user, "evaluate", before, {"final_result": evaluation.final_result})
    db.session.commit()
    return result


def return_to_owner(
    evaluation: Evaluation, user, comment: str, version: Any, today: dt.date | None = None
) -> None:
    _evaluator_guard(evaluation, user, today)
    if evaluation.state not in REVIEWABLE:
        raise WorkflowError(_("Chỉ trả lại được phiếu đã nộp và chưa hoàn thành."))
    comment = (comment or "").strip()
    if not comment:
        raise WorkflowError(_("Hãy ghi lý do trả lại để người được đánh giá biết cần bổ sung gì."))
    _check_version(evaluation, version)
    before = evaluation.state
    evaluation.state = RETURNED
    evaluation.return_comment = comment
    evaluation.final_result = None
    evaluation.final_reasons = None
    evaluation.updated_at = _now()
    _flush_or_stale()
    _event(evaluation, user, "return", before, {"comment": comment})
    db.session.commit()


def finalise(evaluation: Evaluation, user, version: Any, today: dt.date | None = None) -> None:
    """Lock the evaluation with its final result; audited in the evaluation's history."""
    _evaluator_guard(evaluation, user, today)
    if evaluation.state == SUBMITTED and not evaluation.superior_due:
        save_superior(evaluation, user, {}, evaluation.evaluator_comment, version, today)
        version = evaluation.version_id
    if evaluation.state != EVALUATED:
        raise WorkflowError(_("Hãy đánh giá đủ mọi tiêu chí và lưu trước khi hoàn thành đánh giá."))
    _check_version(evaluation, version)
    before = evaluation.state
    evaluation.state = FINALISED
    evaluation.finalised_at = _now()
    evaluation.updated_at = _now()
    _flush_or_stale()
    _event(
        evaluation,
        user,
        "finalise",
        before,
        {
            "final_result": evaluation.final_result,
            "superior_levels": {
                str(r.criterion.number): r.superior_level for r in evaluation.ratings
            },
            "self_only": not evaluation.superior_due,
        },
    )
    db.session.commit()


# --------------------------------------------------------------------------- evidence


def attach_evidence(evaluation: Evaluation, user, criterion_id: int, evidence: Evidence) -> None:
    _owner_guard(evaluation, user)
    if evaluation.state not in EDITABLE_BY_OWNER:
        raise WorkflowError(_("Phiếu đã nộp nên không thêm minh chứng được."))
    if criterion_id not in {r.criterion_id for r in evaluation.ratings}:
        raise WorkflowError(_("Tiêu chí không thuộc phiếu đánh giá này."))
    if evidence.person_id != evaluation.person_id:
        raise WorkflowError(_("Minh chứng không thuộc về bạn."))
    exists = db.session.scalar(
        select(EvidenceLink.id).where(
            EvidenceLink.evaluation_id == evaluation.id,
            EvidenceLink.criterion_id == criterion_id,
            EvidenceLink.evidence_id == evidence.id,
        )
    )
    if exists is None:
        db.session.add(
            EvidenceLink(
                evaluation_id=evaluation.id, criterion_id=criterion_id, evidence_id=evidence.id
            )
        )
    db.session.commit()


def detach_evidence(evaluation: Evaluation, user, link_id: int) -> None:
    _owner_guard(evaluation, user)
    if evaluation.state not in EDITABLE_BY_OWNER:
        raise WorkflowError(_("Phiếu đã nộp nên không bớt minh chứng được."))
    link = db.session.get(EvidenceLink, link_id)
    if link is None or link.evaluation_id != evaluation.id:
        raise WorkflowError(_("Không tìm thấy minh chứng này trong phiếu."))
    db.session.delete(link)
    db.session.commit()


def evidence_by_criterion(evaluation: Evaluation) -> dict[int, list[EvidenceLink]]:
    out: dict[int, list[EvidenceLink]] = {}
    for link in evaluation.evidence_links:
        out.setdefault(link.criterion_id, []).append(link)
    return out


def reusable_evidence(person_id: int) -> list[Evidence]:
    """The person's earlier evidence (any year), newest first, for reuse without uploading."""
    from app.security.scope import scoped_query

    return (
        scoped_query(Evidence)
        .filter(Evidence.person_id == person_id)
        .order_by(Evidence.uploaded_at.desc())
        .limit(200)
        .all()
    )


# --------------------------------------------------------------------------- opinions


def _person_of(user):
    from app.personnel.models import Person

    person_id = getattr(user, "person_id", None)
    return db.session.get(Person, person_id) if person_id else None


def opinion_targets(user, scope: Scope | None = None) -> dict[str, list]:
    """Whom the user may give an opinion on, by kind.

    Built on the scope module: the author must be a signed-in person with a record
    (``current_scope().person_id``); targets are explicit checks on the author's own school
    (same unit) and subject group (same main subject). Returns ``{"member": [...], "group":
    [...], "staff": [...]}``: group colleagues, group colleagues the user may summarise as
    subject-group leader, and the school's principals (opinions of teachers and staff).
    """
    from app.personnel.models import Person

    scope = scope or current_scope()
    author = _person_of(user)
    out: dict[str, list] = {"member": [], "group": [], "staff": []}
    if author is None or scope.kind == "none" or scope.person_id != author.id:
        return out
    colleagues = db.session.scalars(
        select(Person)
        .where(
            Person.unit_id == author.unit_id,
            Person.status == "active",
            Person.id != author.id,
        )
        .order_by(Person.name_sort)
    ).all()
    group = [
        p
        for p in colleagues
        if p.position in ("giao_vien", "to_truong")
        and author.main_subject_id is not None
        and p.main_subject_id == author.main_subject_id
    ]
    if author.position in ("giao_vien", "to_truong"):
        out["member"] = group
    if _has_role(user, "TO_TRUONG") and author.position in ("giao_vien", "to_truong"):
        out["group"] = group
    if author.position not in PRINCIPAL_POSITIONS:
        out["staff"] = [p for p in colleagues if p.position in PRINCIPAL_POSITIONS]
    return out


def _has_role(user, constant: str) -> bool:
    from app.security import roles

    name = getattr(roles, constant)
    return any(r.name == name for r in getattr(user, "roles", []))


def can_give_opinion(user, target_id: int, kind: str) -> bool:
    return any(p.id == target_id for p in opinion_targets(user).get(kind, []))


def record_opinion(
    user,
    cycle: Cycle,
    target_id: int,
    kind: str,
    levels: Mapping[int, Any],
    overall: Any,
    comment: str | None,
    today: dt.date | None = None,
) -> PeerOpinion:
    """Create or replace the user's opinion of ``kind`` on a colleague (opinion window)."""
    if not can_give_opinion(user, target_id, kind):
        raise WorkflowError(_("Bạn không được ghi ý kiến cho người này."))
    check_window(cycle, "opinion", today)
    author = _person_of(user)
    clean: dict[str, int] = {}
    for number, value in levels.items():
        try:
            level = rules.parse_level(value)
        except ValueError:
            raise WorkflowError(_("Mức đánh giá không hợp lệ.")) from None
        if level is not None:
            clean[str(int(number))] = int(level)
    try:
        overall_level = rules.parse_level(overall)
    except ValueError:
        raise WorkflowError(_("Mức đánh giá không hợp lệ.")) from None
    opinion = db.session.scalar(
        select(PeerOpinion).where(
            PeerOpinion.cycle_id == cycle.id,
            PeerOpinion.person_id == target_id,
            PeerOpinion.author_person_id == author.id,
            PeerOpinion.kind == kind,
        )
    ) or PeerOpinion(cycle_id=cycle.id, person_id=target_id, author_person_id=author.id, kind=kind)
    opinion.levels = clean or None
    opinion.overall = None if overall_level is None else int(overall_level)
    opinion.comment = (comment or "").strip() or None
    db.session.add(opinion)
    db.session.commit()
    return opinion


@dataclass
class OpinionSummary:
    """Aggregate of the opinions on one person in one cycle: counts only, never authors."""

    count: int
    overall: dict[int, int]  # level → count
    per_criterion: dict[int, dict[int, int]]  # criterion number → level → count
    group_comments: list[str]

    @property
    def empty(self) -> bool:
        return self.count == 0


def opinion_summary(evaluation: Evaluation, with_comments: bool = False) -> OpinionSummary:
    """Aggregated opinions for an evaluation the caller has already loaded through the scope.

    Deliberately not through ``scoped_query(PeerOpinion)``: the evaluated person may not read
    a single opinion row, but may see this aggregate of the evaluation they can read.
    """
    rows = db.session.scalars(
        select(PeerOpinion).where(
            PeerOpinion.cycle_id == evaluation.cycle_id,
            PeerOpinion.person_id == evaluation.person_id,
        )
    ).all()
    overall: Counter = Counter()
    per: dict[int, Counter] = {}
    comments = []
    for row in rows:
        if row.overall is not None:
            overall[row.overall] += 1
        for number, level in (row.levels or {}).items():
            per.setdefault(int(number), Counter())[int(level)] += 1
        if with_comments and row.comment:
            comments.append(row.comment)
    return OpinionSummary(
        count=len(rows),
        overall=dict(overall),
        per_criterion={k: dict(v) for k, v in per.items()},
        group_comments=sorted(comments),
    )


# --------------------------------------------------------------------------- progress


@dataclass
class ProgressRow:
    school_id: int
    code: str
    name: str
    school_type: str
    staff: int
    not_started: int
    draft: int
    submitted: int
    evaluated: int
    finalised: int


def _progress_base(cycle: Cycle, scope: Scope | None):
    from app.personnel.models import Person

    crit = criterion(Person, scope)
    conditions = [Person.status == "active", Person.position.in_(EVALUATED_POSITIONS)]
    if crit is not None:
        conditions.append(crit)
    return conditions


def progress_by_school(
    cycle: Cycle,
    scope: Scope | None = None,
    school_type: str | None = None,
    name: str | None = None,
    limit: int = 500,
    offset: int = 0,
) -> list[ProgressRow]:
    """Counts per school of the scope: not started, draft (incl. returned), submitted,
    evaluated, finalised. One aggregate query through the scope's Person predicate."""
    from app.org.models import School
    from app.personnel.models import Person
    from app.text import fold

    ev_state = Evaluation.state

    def count_state(*states):
        return func.coalesce(func.sum(case((ev_state.in_(states), 1), else_=0)), 0)

    query = (
        select(
            School.id,
            School.code,
            School.name,
            School.school_type,
            func.count(Person.id),
            func.coalesce(func.sum(case((Evaluation.id.is_(None), 1), else_=0)), 0),
            count_state(DRAFT, RETURNED),
            count_state(SUBMITTED),
            count_state(EVALUATED),
            count_state(FINALISED),
        )
        .select_from(Person)
        .join(School, School.unit_id == Person.unit_id)
        .outerjoin(
            Evaluation, and_(Evaluation.person_id == Person.id, Evaluation.cycle_id == cycle.id)
        )
        .where(*_progress_base(cycle, scope))
        .group_by(School.id, School.code, School.name, School.school_type, School.name_folded)
        .order_by(School.name_folded, School.id)
        .limit(limit)
        .offset(offset)
    )
    if school_type:
        query = query.where(School.school_type == school_type)
    if name:
        query = query.where(School.name_folded.contains(fold(name)))
    return [ProgressRow(*row) for row in db.session.execute(query)]


def people_progress(cycle: Cycle, school, scope: Scope | None = None, state: str | None = None):
    """(person, evaluation or None) for the evaluated staff of one school in the scope."""
    from app.personnel.models import Person

    query = (
        select(Person, Evaluation)
        .outerjoin(
            Evaluation, and_(Evaluation.person_id == Person.id, Evaluation.cycle_id == cycle.id)
        )
        .where(Person.unit_id == school.unit_id, *_progress_base(cycle, scope))
        .order_by(Person.name_sort)
    )
    if state == "not_started":
        query = query.where(Evaluation.id.is_(None))
    elif state == DRAFT:
        query = query.where(Evaluation.state.in_((DRAFT, RETURNED)))
    elif state:
        query = query.where(Evaluation.state == state)
    return db.session.execute(query).all()


def visible_cycles(scope: Scope | None = None) -> list[Cycle]:
    from app.security.scope import scoped_query

    return scoped_query(Cycle, scope).order_by(Cycle.school_year.desc(), Cycle.id).all()
