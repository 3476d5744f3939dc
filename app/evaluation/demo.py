"""Demo evaluation data: the 2025-2026 cycle with evaluations in every state and rating band.

``load_evaluation_demo()`` runs at the end of ``app.data.demo.load_demo`` (same transaction,
flushes only). Deterministic (``random.Random(2030)``) and idempotent (does nothing when a
cycle exists).

- The cycle "2025-2026" is opened by the Bộ. Its windows are relative to today (opened 30 days
  ago, self-evaluation and opinions open 30 more days, superior evaluation 60 more days), so
  the demo can be walked on any day. That is a demo choice: a real cycle has fixed dates.
- TT20, TT14 and TT26 have the superior evaluation due this year (note: "rút ngắn chu kỳ",
  a decision the opener records); TT25 follows its 2-year period from 2018-2019, so it is not
  due in 2025-2026 and its evaluations are self-evaluations the evaluator only confirms.
- Every active teacher, group leader, principal and vice-principal of both provinces gets an
  evaluation state drawn from: not started, draft, returned, submitted, evaluated, finalised;
  levels are drawn per target band (Tốt, Khá, Đạt, Chưa đạt) and rated by ``rules.rate``.
- Fixed for the walk-through: ``giaovien`` has NOT STARTED (the browser test starts it),
  ``totruong`` has a draft, at least five other A1 teachers have SUBMITTED (``hieutruong``
  evaluates them), ``hieutruong`` himself has submitted (``xa`` evaluates him), ``giaovien2``
  has submitted in province B.
- Opinions: A1 subject-group members on each other, the group leader's summaries, and staff
  opinions on the A1 principal. Evidence: links only (files would live in one UPLOAD_DIR).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select

from app.evaluation import rules, services
from app.evaluation.models import (
    DRAFT,
    EVALUATED,
    FINALISED,
    RETURNED,
    SUBMITTED,
    CriterionRating,
    Cycle,
    CycleFramework,
    Evaluation,
    EvaluationEvent,
    Evidence,
    EvidenceLink,
    Framework,
    PeerOpinion,
)
from app.extensions import db

SEED = 2030
SCHOOL_YEAR = "2025-2026"
STATE_WEIGHTS = (
    (None, 14),
    (DRAFT, 14),
    (RETURNED, 5),
    (SUBMITTED, 25),
    (EVALUATED, 14),
    (FINALISED, 28),
)
BAND_WEIGHTS = ((rules.Level.TOT, 36), (rules.Level.KHA, 38), (rules.Level.DAT, 20), (0, 6))
STRENGTHS = (
    "Nắm vững chương trình, chủ động đổi mới phương pháp dạy học.",
    "Tận tụy với học sinh, phối hợp tốt với cha mẹ học sinh.",
    "Ứng dụng công nghệ thông tin hiệu quả trong dạy học.",
)
WEAKNESSES = (
    "Khả năng sử dụng ngoại ngữ còn hạn chế.",
    "Chưa chủ động chia sẻ kinh nghiệm với đồng nghiệp.",
    "Kiểm tra, đánh giá theo hướng phát triển năng lực còn lúng túng.",
)
PLANS = (
    "Tham gia bồi dưỡng thường xuyên các mô-đun về kiểm tra, đánh giá; tự học tiếng Anh.",
    "Đăng ký chuyên đề sinh hoạt tổ chuyên môn; học khóa ứng dụng CNTT trong dạy học.",
)


def _levels_for(rng: random.Random, params: rules.RatingParams, band) -> dict[int, int]:
    """Levels that land in ``band`` (0 = Chưa đạt): the band's level everywhere, a few
    non-key criteria one level up, and for Chưa đạt one key criterion at Chưa đạt."""
    base = int(band) if band else int(rules.Level.DAT)
    levels = {n: base for n in params.criteria}
    others = [n for n in params.criteria if n not in params.key_criteria]
    for n in rng.sample(others, k=min(len(others), rng.randint(0, 3))):
        levels[n] = min(base + 1, int(rules.Level.TOT))
    if not band:
        target = rng.choice(params.key_criteria or params.criteria)
        levels[target] = int(rules.Level.CHUA_DAT)
    return levels


def _superior_from(rng: random.Random, levels: dict[int, int]) -> dict[int, int]:
    """The superior mostly agrees, sometimes one level lower on a criterion or two."""
    out = dict(levels)
    for n in rng.sample(sorted(out), k=rng.randint(0, 2)):
        out[n] = max(out[n] - 1, 0)
    return out


def _account_person(username: str):
    from app.security.models import PortalUser

    user = db.session.scalar(select(PortalUser).where(PortalUser.username == username))
    return (user.person_id if user else None), user


def load_evaluation_demo(today: date | None = None) -> None:
    from app.personnel.models import Person

    if db.session.scalar(select(Cycle.id).limit(1)) is not None:
        return
    db.session.flush()
    services.load_frameworks()  # no-op when the reference loader already did it
    rng = random.Random(SEED)
    today = today or date.today()
    from app.org.models import Unit

    ministry = db.session.scalar(select(Unit).where(Unit.kind == "ministry").order_by(Unit.id))
    cycle = Cycle(
        school_year=SCHOOL_YEAR,
        name="Đánh giá chuẩn nghề nghiệp năm học 2025-2026",
        unit=ministry,
        self_start=today - timedelta(days=30),
        self_end=today + timedelta(days=30),
        opinion_start=today - timedelta(days=30),
        opinion_end=today + timedelta(days=30),
        superior_start=today - timedelta(days=30),
        superior_end=today + timedelta(days=60),
        survey_start=today - timedelta(days=30),
        survey_end=today + timedelta(days=60),
        plan_start=today - timedelta(days=30),
        plan_end=today + timedelta(days=90),
        note="Dữ liệu mẫu: thời hạn tính theo ngày nạp dữ liệu để có thể thử mọi bước.",
    )
    db.session.add(cycle)
    frameworks = {
        f.audience: f
        for f in db.session.scalars(
            select(Framework).where(Framework.active.is_(True)).order_by(Framework.version)
        )
        if f.in_force(2025)
    }
    for audience, framework in frameworks.items():
        due = rules.superior_due(framework.superior_period_years, framework.year_from, 2025)
        note = None
        if audience != "hieu_truong_mam_non" and not due:
            due, note = True, "Rút ngắn chu kỳ: cấp trên đánh giá trong năm học này (dữ liệu mẫu)"
        cycle.frameworks.append(CycleFramework(framework=framework, superior_due=due, note=note))
    db.session.flush()
    links = {link.framework.audience: link for link in cycle.frameworks}
    params = {aud: services.params_for(link.framework) for aud, link in links.items()}
    criteria = {
        aud: {c.number: c.id for c in link.framework.criteria} for aud, link in links.items()
    }

    teacher_id, _teacher = _account_person("giaovien")
    leader_id, _leader = _account_person("totruong")
    principal_id, principal_user = _account_person("hieutruong")
    teacher_b_id, _tb = _account_person("giaovien2")
    fixed = {teacher_id: None, leader_id: DRAFT, principal_id: SUBMITTED, teacher_b_id: SUBMITTED}

    people = db.session.scalars(
        select(Person)
        .where(Person.status == "active", Person.position.in_(services.EVALUATED_POSITIONS))
        .order_by(Person.id)
    ).all()
    a1_unit = principal_user.unit_id if principal_user else None
    a1_submitted = 0
    now = datetime.now().replace(microsecond=0)
    evaluations: list[tuple[Evaluation, str]] = []
    rating_rows: list[tuple[Evaluation, list[dict]]] = []
    for person in people:
        audience = services.audience_for(person)
        if audience not in links:
            continue
        state = rng.choices([s for s, _w in STATE_WEIGHTS], weights=[w for _s, w in STATE_WEIGHTS])[
            0
        ]
        if person.id in fixed:
            state = fixed[person.id]
        elif (
            person.unit_id == a1_unit
            and person.position in ("giao_vien", "to_truong")
            and a1_submitted < 5
        ):
            state, a1_submitted = SUBMITTED, a1_submitted + 1
        if state is None:
            continue
        band = rng.choices([b for b, _w in BAND_WEIGHTS], weights=[w for _b, w in BAND_WEIGHTS])[0]
        p = params[audience]
        self_levels = _levels_for(rng, p, band)
        if state == DRAFT and rng.random() < 0.5:  # half-filled drafts
            for n in rng.sample(sorted(self_levels), k=len(self_levels) // 2):
                self_levels[n] = None
        link = links[audience]
        ev = Evaluation(
            person_id=person.id,
            cycle=cycle,
            framework_id=link.framework_id,
            unit_id=person.unit_id,
            superior_due=link.superior_due,
            state=state,
            strengths=rng.choice(STRENGTHS),
            weaknesses=rng.choice(WEAKNESSES),
            plan=rng.choice(PLANS),
            created_at=now - timedelta(days=20),
            updated_at=now - timedelta(days=rng.randint(0, 10)),
        )
        superior = _superior_from(rng, self_levels) if state in (EVALUATED, FINALISED) else {}
        rating_rows.append(
            (
                ev,
                [
                    {
                        "criterion_id": criterion_id,
                        "self_level": self_levels.get(number),
                        "superior_level": superior.get(number) if link.superior_due else None,
                    }
                    for number, criterion_id in criteria[audience].items()
                ],
            )
        )
        if state != DRAFT or None not in self_levels.values():
            result = rules.rate(p, self_levels) if None not in self_levels.values() else None
            if result is not None:
                ev.self_result = int(result.level)
                ev.self_reasons = list(result.reasons)
        if state in (SUBMITTED, EVALUATED, FINALISED, RETURNED):
            ev.submitted_at = now - timedelta(days=rng.randint(5, 15))
        if state == RETURNED:
            ev.return_comment = "Bổ sung minh chứng cho các tiêu chí 3 và 6."
        if state in (EVALUATED, FINALISED):
            final = rules.rate(p, superior if link.superior_due else self_levels)
            ev.final_result = int(final.level)
            ev.final_reasons = list(final.reasons)
            ev.evaluated_at = now - timedelta(days=rng.randint(1, 4))
            ev.evaluator_comment = "Đồng ý với kết quả tự đánh giá, cần phát huy điểm mạnh."
        if state == FINALISED:
            ev.finalised_at = now - timedelta(days=rng.randint(0, 1))
        db.session.add(ev)
        evaluations.append((ev, state))
    db.session.flush()
    # Seed rows in bulk (core INSERT): about 15,000 ratings would take seconds through the ORM.
    db.session.execute(
        insert(CriterionRating.__table__),
        [{"evaluation_id": ev.id, **row} for ev, rows in rating_rows for row in rows],
    )
    events: list[dict] = []

    used: set[int] = set()
    for ev, state in evaluations:
        if state in (SUBMITTED, EVALUATED, FINALISED):
            events.append(
                {
                    "evaluation_id": ev.id,
                    "action": "submit",
                    "from_state": DRAFT,
                    "to_state": SUBMITTED,
                    "at": ev.submitted_at,
                    "detail": None,
                }
            )
            used.add(ev.framework_id)
        if state == FINALISED:
            events.append(
                {
                    "evaluation_id": ev.id,
                    "action": "finalise",
                    "from_state": EVALUATED,
                    "to_state": FINALISED,
                    "at": ev.finalised_at,
                    "detail": {"final_result": ev.final_result},
                }
            )
        if ev.person.unit_id == a1_unit and state != DRAFT:
            first = min(criteria[services.audience_for(ev.person)].values())
            evidence = Evidence(
                person_id=ev.person_id,
                kind="link",
                title="Kế hoạch bài dạy minh họa (Google Drive)",
                url="https://drive.google.com/drive/folders/minh-chung-mau",
                school_year=SCHOOL_YEAR,
            )
            db.session.add(EvidenceLink(evaluation_id=ev.id, criterion_id=first, evidence=evidence))

    if events:
        db.session.execute(insert(EvaluationEvent.__table__), events)
    for framework_id in used:
        services.lock_framework(framework_id)
    _opinions(rng, cycle, a1_unit, leader_id, principal_id, params)
    db.session.flush()


def _opinions(rng, cycle, a1_unit, leader_id, principal_id, params) -> None:
    from app.personnel.models import Person

    if a1_unit is None:
        return
    staff = db.session.scalars(
        select(Person).where(Person.unit_id == a1_unit, Person.status == "active")
    ).all()
    leader = next((p for p in staff if p.id == leader_id), None)
    teachers = [p for p in staff if p.position in ("giao_vien", "to_truong")]
    if leader is not None:
        group = [
            p for p in teachers if p.main_subject_id == leader.main_subject_id and p is not leader
        ]
        numbers = params["giao_vien_pho_thong"].criteria
        for target in group:
            for author in [leader, *rng.sample(group, k=min(2, len(group)))]:
                if author is target:
                    continue
                kind = "group" if author is leader else "member"
                db.session.add(
                    PeerOpinion(
                        cycle_id=cycle.id,
                        person_id=target.id,
                        author_person_id=author.id,
                        kind=kind,
                        overall=rng.choice((2, 3)),
                        levels={str(n): rng.choice((1, 2, 3)) for n in numbers},
                        comment="Tổ chuyên môn thống nhất: hoàn thành tốt nhiệm vụ."
                        if kind == "group"
                        else None,
                    )
                )
    if principal_id is not None:
        for author in rng.sample(
            [p for p in staff if p.id != principal_id], k=min(6, len(staff) - 1)
        ):
            db.session.add(
                PeerOpinion(
                    cycle_id=cycle.id,
                    person_id=principal_id,
                    author_person_id=author.id,
                    kind="staff",
                    overall=rng.choice((2, 3, 3)),
                )
            )
