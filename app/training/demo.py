"""Demo BDTX data: the 2025-2026 questionnaire with responses, needs, plans in every state,
module results and yearly outcomes.

``load_training_demo()`` runs at the end of ``app.data.demo.load_demo`` (same transaction,
flushes only), after the evaluation demo made the cycle. Deterministic
(``random.Random(2031)``) and idempotent (does nothing when a questionnaire exists).

Fixed for the walk-through:

- ``giaovien`` has no survey response, no needs and no plan (the browser test does all three);
- at least six other teachers of school A1 answered the survey (so the school's report is
  shown), and A1 has plans in every state: draft, submitted, returned, approved, approved with
  results and a yearly outcome (written to the training history, source 'bdtx');
- ``hieutruong``'s own plan is submitted and waits for ``xa`` (the commune office);
- ``giaovien2`` (province B) has a submitted plan its principal can approve, never A1's.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, select

from app.extensions import db

SEED = 2031
QUESTIONNAIRE = {
    "title": "Khảo sát về chương trình bồi dưỡng thường xuyên năm học 2025-2026",
    "intro": (
        "Phiếu giúp nhà trường và cơ quan quản lý đánh giá chương trình BDTX năm học và "
        "xây dựng kế hoạch năm sau. Thời gian trả lời khoảng 5 phút."
    ),
    "sections": [
        (
            "Nội dung và tài liệu",
            [
                ("likert", "Nội dung các mô-đun phù hợp với nhu cầu công việc của tôi.", None),
                ("likert", "Tài liệu bồi dưỡng dễ hiểu, dễ áp dụng.", None),
                (
                    "multiple",
                    "Những nội dung tôi muốn được bồi dưỡng thêm:",
                    "Kiểm tra, đánh giá theo năng lực\nỨng dụng CNTT trong dạy học\n"
                    "Tư vấn tâm lý học sinh\nNgoại ngữ\nGiáo dục STEM",
                ),
            ],
        ),
        (
            "Hình thức và thời gian",
            [
                (
                    "single",
                    "Hình thức bồi dưỡng tôi thấy hiệu quả nhất:",
                    "Tập trung\nTừ xa (trực tuyến)\nKết hợp",
                ),
                ("number", "Số giờ mỗi tuần tôi có thể dành cho tự học:", None),
                ("likert", "Thời gian tổ chức bồi dưỡng hợp lý.", None),
            ],
        ),
        (
            "Ý kiến khác",
            [
                ("text", "Đề xuất của thầy/cô để chương trình BDTX năm sau tốt hơn:", None),
            ],
        ),
    ],
    "principal_question": (
        "likert",
        "Nhà trường được hỗ trợ đủ để tổ chức BDTX cho giáo viên.",
        None,
    ),
}
SUGGESTIONS_TEXT = (
    "Tăng thời lượng thực hành, giảm lý thuyết.",
    "Cần thêm ví dụ minh họa theo từng môn học.",
    "Tổ chức vào dịp hè để không ảnh hưởng giờ dạy.",
)
PLAN_WEIGHTS = ((None, 25), ("draft", 15), ("submitted", 20), ("returned", 5), ("approved", 35))


def _account(username: str):
    from app.security.models import PortalUser

    return db.session.scalar(select(PortalUser).where(PortalUser.username == username))


def _build_questionnaire(cycle):
    from app.training.models import Question, Questionnaire, SurveySection

    q = Questionnaire(
        cycle_id=cycle.id,
        version=1,
        title=QUESTIONNAIRE["title"],
        intro=QUESTIONNAIRE["intro"],
        active=True,
    )
    number = 0
    for s_no, (title, questions) in enumerate(QUESTIONNAIRE["sections"], start=1):
        section = SurveySection(number=s_no, title=title)
        q.sections.append(section)
        for kind, text, options in questions:
            number += 1
            q.questions.append(
                Question(
                    number=number,
                    text=text,
                    kind=kind,
                    options=options,
                    required=kind != "text",
                    audience="all",
                    section=section,
                )
            )
        if s_no == 2:
            kind, text, options = QUESTIONNAIRE["principal_question"]
            number += 1
            q.questions.append(
                Question(
                    number=number,
                    text=text,
                    kind=kind,
                    options=options,
                    required=True,
                    audience="principals",
                    section=section,
                )
            )
    db.session.add(q)
    db.session.flush()
    return q


def _answers(rng: random.Random, questions, principal: bool) -> list[dict]:
    rows = []
    for q in questions:
        if q.audience == "principals" and not principal:
            continue
        if q.kind == "likert":
            rows.append({"question_id": q.id, "option": "", "number": rng.choice((3, 4, 4, 5, 5))})
        elif q.kind == "single":
            rows.append({"question_id": q.id, "option": rng.choice(q.option_list)})
        elif q.kind == "multiple":
            for opt in rng.sample(q.option_list, k=rng.randint(1, 3)):
                rows.append({"question_id": q.id, "option": opt})
        elif q.kind == "number":
            rows.append({"question_id": q.id, "option": "", "number": rng.choice((2, 3, 4, 5, 6))})
        elif rng.random() < 0.4:
            rows.append({"question_id": q.id, "option": "", "text": rng.choice(SUGGESTIONS_TEXT)})
    return rows


def load_training_demo(today: date | None = None) -> None:
    from app.evaluation.models import Cycle
    from app.personnel.models import Person, TrainingCourse
    from app.training import services
    from app.training.models import (
        PlanItem,
        Questionnaire,
        SurveyAnswer,
        SurveyResponse,
        TrainingNeed,
        TrainingPlan,
    )

    if db.session.scalar(select(Questionnaire.id).limit(1)) is not None:
        return
    cycle = db.session.scalar(select(Cycle).order_by(Cycle.school_year.desc(), Cycle.id))
    if cycle is None:
        return
    services.load_catalogue()  # no-op when the reference loader already did it
    rng = random.Random(SEED)
    today = today or date.today()
    now = datetime.now().replace(microsecond=0)
    questionnaire = _build_questionnaire(cycle)
    programme = services.programme_for(cycle.school_year)
    rule = services.time_rule(programme)
    modules = services.active_modules()
    passed_module = next(lvl.code for lvl in services.result_levels("module") if lvl.passed)
    failed_module = next(lvl.code for lvl in services.result_levels("module") if not lvl.passed)
    passed_name = services.result_label(passed_module)[:64]
    by_id = {m.id: m for m in modules}
    history: list[tuple] = []
    year_levels = services.result_levels("year")
    year_passed = next(lvl.code for lvl in year_levels if lvl.passed)
    year_failed = next(lvl.code for lvl in year_levels if not lvl.passed)

    teacher = _account("giaovien")
    principal = _account("hieutruong")
    xa = _account("xa")
    teacher_b = _account("giaovien2")
    a1_unit = principal.unit_id if principal else None
    fixed = {
        teacher.person_id if teacher else None: "skip",
        principal.person_id if principal else None: "submitted",
        teacher_b.person_id if teacher_b else None: "submitted",
    }
    people = db.session.scalars(
        select(Person)
        .where(Person.status == "active", Person.position.in_(services.TRAINED_POSITIONS))
        .order_by(Person.id)
    ).all()
    from app.org.models import Unit

    unit_names = {uid: name[:255] for uid, name in db.session.execute(select(Unit.id, Unit.name))}
    responses: list[tuple[SurveyResponse, bool]] = []
    need_rows: list[dict] = []  # about 2,000 rows: inserted in bulk (core INSERT)
    a1_states: list[str] = ["draft", "submitted", "returned", "approved", "approved_done"]
    for person in people:
        state = fixed.get(person.id)
        if state == "skip":
            continue
        in_a1 = person.unit_id == a1_unit
        if state is None:
            if in_a1 and a1_states:
                state = a1_states.pop(0)
            else:
                state = rng.choices(
                    [s for s, _w in PLAN_WEIGHTS], weights=[w for _s, w in PLAN_WEIGHTS]
                )[0]
        principal_person = services.is_principal(person)
        # survey: everyone in A1 but the walk-through teacher, about 70% elsewhere
        if in_a1 or rng.random() < 0.7:
            response = SurveyResponse(
                person_id=person.id,
                cycle_id=cycle.id,
                questionnaire_id=questionnaire.id,
                unit_id=person.unit_id,
                submitted_at=now - timedelta(days=rng.randint(1, 20)),
            )
            db.session.add(response)
            responses.append((response, principal_person))
        if state is None:
            continue
        chosen = rng.sample(modules, k=3)
        for priority, module in enumerate(chosen, start=1):
            need_rows.append(
                {
                    "person_id": person.id,
                    "cycle_id": cycle.id,
                    "module_id": module.id,
                    "free_text": None,
                    "priority": priority,
                    "suggested": priority == 1,
                    "created_at": now,
                }
            )
        if rng.random() < 0.3:
            need_rows.append(
                {
                    "person_id": person.id,
                    "cycle_id": cycle.id,
                    "module_id": None,
                    "free_text": "Kỹ năng tổ chức hoạt động trải nghiệm cho học sinh",
                    "priority": 3,
                    "suggested": False,
                    "created_at": now,
                }
            )
        done = state == "approved_done" or (state == "approved" and rng.random() < 0.5)
        plan_state = "approved" if state == "approved_done" else state
        plan = TrainingPlan(
            person_id=person.id,
            cycle_id=cycle.id,
            programme_id=programme.id if programme else None,
            unit_id=person.unit_id,
            state=plan_state,
            created_at=now - timedelta(days=25),
        )
        if plan_state in ("submitted", "returned", "approved"):
            plan.submitted_at = now - timedelta(days=rng.randint(5, 15))
        if plan_state == "returned":
            plan.return_comment = "Bổ sung thời gian thực hiện cho từng mô-đun."
        if plan_state == "approved":
            approver = principal if not principal_person else xa
            plan.approved_at = now - timedelta(days=rng.randint(1, 4))
            plan.approver_id = approver.id if approver else None
            plan.approver_comment = "Đồng ý với kế hoạch."
        first_year = int(cycle.school_year[:4])
        for idx, module in enumerate(chosen[:2]):
            start = date(first_year + 1, 1 + 2 * idx, 5)
            plan.items.append(
                PlanItem(
                    module_id=module.id,
                    amount=services.default_amount(module, rule),
                    planned_start=start,
                    planned_end=start + timedelta(days=40),
                    form=rng.choice(("tap_trung", "tu_xa", "ket_hop")),
                )
            )
        db.session.add(plan)
        if done:
            failed = state != "approved_done" and rng.random() < 0.15
            for n, item in enumerate(plan.items):
                module = by_id[item.module_id]
                result = failed_module if failed and n == 1 else passed_module
                item.result = result
                item.periods_done = module.periods if result == passed_module else 8
                item.completed_at = now - timedelta(days=1)
                if result == passed_module:
                    course = TrainingCourse(
                        person_id=person.id,
                        name=f"BDTX {cycle.school_year} – {module.code}. {module.name}"[:255],
                        organiser=unit_names.get(person.unit_id),
                        start_date=item.planned_start,
                        end_date=item.planned_end,
                        periods=item.periods_done,
                        result=passed_name,
                        source="bdtx",
                    )
                    db.session.add(course)
                    history.append((item, course))
            plan.outcome = year_failed if failed else year_passed
            plan.outcome_at = now
            plan.outcome_by_id = plan.approver_id
    db.session.flush()
    for item, course in history:  # one flush gave every history row its id
        item.training_course_id = course.id
    questions = list(questionnaire.questions)
    rows = []
    for response, principal_person in responses:
        for row in _answers(rng, questions, principal_person):
            rows.append(
                {"response_id": response.id, "number": None, "text": None, **row}
                | {"number": Decimal(row["number"]) if row.get("number") is not None else None}
            )
    if rows:
        db.session.execute(insert(SurveyAnswer.__table__), rows)
    if need_rows:
        db.session.execute(insert(TrainingNeed.__table__), need_rows)
    db.session.flush()
