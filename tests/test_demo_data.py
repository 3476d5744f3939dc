"""The demo data set: two provinces, ~30 schools, ~1,000 staff with histories and the demo accounts.

The `app` fixture's database was built through the real start-up path
(`setup_database(demo=True, password=DEMO_PASSWORD)`), so these tests check what users see.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from app.data.demo import load_demo
from app.extensions import db
from app.org.models import School, Unit
from app.personnel.models import (
    AnnualRating,
    Assignment,
    AwardDiscipline,
    Certificate,
    EthnicGroup,
    Person,
    Qualification,
    QualificationLevel,
    RankHistory,
    SalaryRank,
    Subject,
    TrainingCourse,
)
from app.personnel.rules import (
    StepCandidate,
    due_for_step,
    load_retirement_roadmap,
    meets_training_standard,
    retirement_date,
)
from app.security import roles
from app.security.models import PortalUser
from tests.conftest import DEMO_PASSWORD, make_app

HISTORY_MODELS = (
    Assignment,
    RankHistory,
    Qualification,
    Certificate,
    TrainingCourse,
    AwardDiscipline,
    AnnualRating,
)
RANK_LEVEL = {"Mầm non": "mn", "Tiểu học": "th", "THCS": "thcs", "THPT": "thpt"}


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _user(username: str) -> PortalUser:
    user = db.session.scalar(select(PortalUser).where(PortalUser.username == username))
    assert user is not None, username
    return user


def _province_of(unit: Unit) -> Unit:
    while unit.kind != "province":
        unit = unit.parent
    return unit


def _person_level(person: Person) -> str:
    school_type = person.unit.school.school_type
    return {
        "gdtx": "thpt",
        "lc_thcs": RANK_LEVEL.get(getattr(person.salary_rank, "school_level", ""), "thcs"),
    }.get(school_type, school_type)


# -- units and schools -------------------------------------------------------------------------


def test_two_provinces_with_communes_and_a_legacy_district(app):
    province_a = db.session.scalar(select(Unit).where(Unit.code == "S01"))
    province_b = db.session.scalar(select(Unit).where(Unit.code == "S13"))
    for province in (province_a, province_b):
        communes = [u for u in province.children if u.kind == "commune"]
        assert 3 <= len(communes) <= 6
        assert all(u.name.startswith("Phòng Văn hóa - Xã hội ") for u in communes)
        assert all(u.path.startswith(province.path) for u in communes)
    legacy = db.session.scalars(select(Unit).where(Unit.kind == "district")).all()
    assert len(legacy) == 1 and legacy[0].legacy is True
    assert legacy[0].path.startswith(province_a.path)


def test_about_thirty_schools_of_several_types_hung_correctly(app):
    schools = db.session.scalars(select(School)).all()
    assert 28 <= len(schools) <= 34
    types = Counter(s.school_type for s in schools)
    assert {"mn", "th", "thcs", "thpt", "lc_thcs", "gdtx"} <= set(types)
    assert Counter(s.ownership for s in schools)["cong_lap"] >= len(schools) - 2
    for school in schools:
        parent = school.unit.parent
        assert school.unit.kind == "school" and school.unit.code == school.code
        assert school.unit.path == f"{parent.path}{school.unit.id}/"
        if school.school_type in ("thpt", "gdtx"):
            assert parent.kind == "province", school.name
        else:
            assert parent.kind == "commune", school.name
        # Classes and pupils per level consistent with the type.
        levels = {
            "mn": school.classes_nhatre + school.classes_maugiao,
            "th": school.classes_th,
            "thcs": school.classes_thcs,
            "thpt": school.classes_thpt,
        }
        expected = {
            "mn": {"mn"},
            "th": {"th"},
            "thcs": {"thcs"},
            "thpt": {"thpt"},
            "lc_thcs": {"th", "thcs"},
            "gdtx": {"thpt"},
        }[school.school_type]
        assert {level for level, classes in levels.items() if classes > 0} == expected, school.name
        for pupils, classes in (
            (school.pupils_mn, levels["mn"]),
            (school.pupils_th, school.classes_th),
            (school.pupils_thcs, school.classes_thcs),
            (school.pupils_thpt, school.classes_thpt),
        ):
            assert (pupils > 0) == (classes > 0)
            if classes:
                assert 10 <= pupils / classes <= 50, school.name
    b_schools = [s for s in schools if _province_of(s.unit).code == "S13"]
    assert b_schools and all(s.region in (2, 3) for s in b_schools)
    assert any(s.disadvantaged for s in b_schools)


def test_school_a1_is_the_first_school_of_the_first_commune_of_province_a(app):
    a1 = db.session.scalar(select(School).where(School.code == "A1"))
    assert a1 is not None and a1.school_type in ("th", "thcs")
    commune = a1.unit.parent
    assert commune.kind == "commune" and commune.parent.code == "S01"
    first_commune = min(
        (u for u in commune.parent.children if u.kind == "commune"), key=lambda u: u.id
    )
    assert commune is first_commune


# -- people -------------------------------------------------------------------------------------


def test_about_a_thousand_people_with_a_realistic_spread(app):
    people = db.session.scalars(select(Person)).all()
    assert 900 <= len(people) <= 1100
    women = sum(p.sex == "nu" for p in people) / len(people)
    assert 0.6 <= women <= 0.8
    minority = sum(bool(p.ethnic_group and p.ethnic_group.is_minority) for p in people) / len(
        people
    )
    assert 0.15 <= minority <= 0.25
    today = date.today()
    ages = [(today - p.birth_date).days / 365.25 for p in people if p.status == "active"]
    assert min(ages) >= 22 and max(ages) < 62.5
    assert sum(a < 30 for a in ages) > 50 and sum(a >= 50 for a in ages) > 50
    statuses = Counter(p.status for p in people)
    assert (
        statuses["active"] > 0.9 * len(people) and statuses["retired"] and statuses["transferred"]
    )
    party = sum(p.party_member for p in people) / len(people)
    assert 0.2 <= party <= 0.4
    assert Counter(p.employment_type for p in people).most_common(1)[0][0] == "vien_chuc"
    assert sum(bool(p.phone) for p in people) > len(people) / 2
    assert 0 < sum(bool(p.email) for p in people) < len(people)
    # Minority names in province B, e.g. H'Mông 'Giàng A Sử'.
    mong = db.session.scalar(select(EthnicGroup).where(EthnicGroup.code == "08"))
    mong_names = [p.full_name for p in people if p.ethnic_group_id == mong.id]
    assert mong_names and any(" A " in name or " Seo " in name for name in mong_names)
    surnames = Counter(p.full_name.split()[0] for p in people)
    assert surnames.most_common(1)[0][0] == "Nguyễn"


def test_codes_and_national_ids_are_unique_and_well_formed(app):
    people = db.session.scalars(select(Person)).all()
    ids = [p.national_id for p in people]
    assert all(re.fullmatch(r"\d{12}", n) for n in ids)
    assert len(set(ids)) == len(ids)
    for person in people:
        sex_digit = int(person.national_id[3])
        assert sex_digit % 2 == (1 if person.sex == "nu" else 0)
        assert person.national_id[4:6] == f"{person.birth_date.year % 100:02d}"
    codes = [p.code for p in people]
    assert len(set(codes)) == len(codes) and all(re.fullmatch(r"CB\d{6}", c) for c in codes)


def test_every_school_has_its_leadership_and_staff(app):
    for school in db.session.scalars(select(School)):
        active = db.session.scalars(
            select(Person).where(Person.unit_id == school.unit_id, Person.status == "active")
        ).all()
        positions = Counter(p.position for p in active)
        assert positions["hieu_truong"] == 1, school.name
        assert 1 <= positions["pho_hieu_truong"] <= 2, school.name
        assert 1 <= positions["nhan_vien"] <= 2, school.name
        assert positions["giao_vien"] >= 8, school.name
        assert set(positions) <= {"hieu_truong", "pho_hieu_truong", "nhan_vien", "giao_vien"}


def test_salary_ranks_match_the_school_level_and_the_coefficient_table(app):
    teachers = db.session.scalars(
        select(Person).where(Person.position != "nhan_vien", Person.salary_rank_id.is_not(None))
    ).all()
    assert len(teachers) > 800
    for person in teachers:
        rank = person.salary_rank
        school_type = person.unit.school.school_type
        allowed = {
            "mn": {"Mầm non"},
            "th": {"Tiểu học"},
            "thcs": {"THCS"},
            "thpt": {"THPT"},
            "gdtx": {"THPT"},
            "lc_thcs": {"Tiểu học", "THCS"},
        }[school_type]
        assert rank.school_level in allowed, (person.code, rank.code)
        assert 1 <= person.salary_step <= len(rank.coefficient_list)
        assert float(person.salary_coefficient) == pytest.approx(
            rank.coefficient_list[person.salary_step - 1]
        )
        assert person.salary_step_date <= date.today()
    grades = Counter(p.salary_rank.title.rsplit(" ", 1)[-1] for p in teachers)
    assert grades["III"] and grades["II"] and grades["I"]


def test_some_people_are_due_or_overdue_for_a_salary_step(app):
    today = date.today()
    people = db.session.scalars(
        select(Person).where(Person.status == "active", Person.salary_rank_id.is_not(None))
    ).all()
    candidates = [
        StepCandidate(
            person_id=p.id,
            current_step=p.salary_step,
            coefficients=p.salary_rank.coefficient_list,
            last_step_date=p.salary_step_date,
            interval_months=p.salary_rank.step_interval_months,
        )
        for p in people
    ]
    overdue = [d for d in due_for_step(candidates, today, today, include_overdue=True) if d.overdue]
    assert 10 <= len(overdue) <= len(people) * 0.2
    within_three_years = sum((today - p.salary_step_date).days <= 3 * 366 for p in people)
    assert within_three_years >= 0.8 * len(people)


def test_some_teachers_fall_short_of_the_training_standard(app):
    teachers = db.session.scalars(
        select(Person).where(
            Person.status == "active",
            Person.position.in_(("giao_vien", "hieu_truong", "pho_hieu_truong")),
            Person.qualification_level_id.is_not(None),
        )
    ).all()
    short = Counter()
    for person in teachers:
        level = _person_level(person)
        subject = person.main_subject
        check = meets_training_standard(
            level,
            person.qualification_level.code,
            True,
            bool(subject and subject.college_suffices),
        )
        if not check.ok:
            short[level] += 1
    assert short["th"] > 0 and short["thcs"] > 0
    assert 0.03 * len(teachers) <= sum(short.values()) <= 0.2 * len(teachers)


def test_teachers_have_a_subject_of_their_level(app):
    by_code = {s.code: s for s in db.session.scalars(select(Subject))}
    teachers = db.session.scalars(select(Person).where(Person.position == "giao_vien")).all()
    assert all(p.main_subject_id is not None for p in teachers)
    mn = [p for p in teachers if p.unit.school.school_type == "mn"]
    assert mn and all(p.main_subject_id == by_code["GDMN"].id for p in mn)
    thpt_subjects = {p.main_subject.code for p in teachers if p.unit.school.school_type == "thpt"}
    assert {"TOAN", "NGU_VAN", "VAT_LI"} <= thpt_subjects and "GDMN" not in thpt_subjects


def test_no_active_person_is_past_retirement(app):
    roadmap = load_retirement_roadmap()
    today = date.today()
    for person in db.session.scalars(select(Person)):
        retires = retirement_date(person.birth_date, person.sex, roadmap)
        if person.status == "retired":
            assert retires < today, person.code
        else:
            assert retires > today, person.code


# -- histories ----------------------------------------------------------------------------------


@pytest.mark.parametrize("model", HISTORY_MODELS, ids=lambda m: m.__name__)
def test_every_history_table_has_plenty_of_rows(app, model):
    assert _count(model) >= 300


def test_histories_are_realistic(app):
    people = _count(Person)
    assert _count(Assignment, Assignment.end_date.is_(None)) >= 0.9 * people
    assert _count(Assignment, Assignment.end_date.is_not(None)) > 100
    assert _count(Assignment, Assignment.end_date < Assignment.start_date) == 0
    legacy = db.session.scalar(select(Unit).where(Unit.kind == "district"))
    assert _count(Assignment, Assignment.unit_id == legacy.id) > 0
    kinds = Counter(db.session.scalars(select(Certificate.kind)))
    assert {"llct", "qlnn", "ngoai_ngu", "tin_hoc"} <= set(kinds)
    awards = Counter(db.session.scalars(select(AwardDiscipline.kind)))
    assert awards["award"] > 300 and 0 < awards["discipline"] < 0.02 * people
    ratings = Counter(db.session.scalars(select(AnnualRating.result)))
    assert set(ratings) == {"htxs", "htt", "ht", "kht"}
    assert ratings["htt"] == max(ratings.values()) and ratings["kht"] < 0.05 * sum(ratings.values())
    years = set(db.session.scalars(select(AnnualRating.year)))
    assert years == {date.today().year - 3, date.today().year - 2, date.today().year - 1}
    per_person = Counter(db.session.scalars(select(RankHistory.person_id)))
    assert max(per_person.values()) <= 3
    levels = Counter(
        db.session.scalars(
            select(QualificationLevel.code).join(
                Qualification, Qualification.level_id == QualificationLevel.id
            )
        )
    )
    assert {"trung_cap", "cao_dang_su_pham", "dai_hoc", "thac_si"} <= set(levels)
    assert _count(SalaryRank) >= 12


# -- accounts -----------------------------------------------------------------------------------


def test_demo_accounts_have_their_roles_units_and_people(app):
    a1 = db.session.scalar(select(School).where(School.code == "A1"))
    expected = {
        "admin": (roles.ADMIN, "BGDDT"),
        "bo": (roles.BO, "BGDDT"),
        "so": (roles.CHUYEN_VIEN_SO, "S01"),
        "lanhdaoso": (roles.LANH_DAO_SO, "S01"),
        "xa": (roles.CHUYEN_VIEN_XA, a1.unit.parent.code),
        "hieutruong": (roles.HIEU_TRUONG, "A1"),
        "nhansu": (roles.NHAN_SU, "A1"),
        "totruong": (roles.TO_TRUONG, "A1"),
        "giaovien": (roles.GIAO_VIEN, "A1"),
    }
    for username, (role_name, unit_code) in expected.items():
        user = _user(username)
        assert [r.name for r in user.roles] == [role_name], username
        assert user.unit.code == unit_code, username
        assert user.active and user.must_change_password is False, username
        assert user.email == f"{username}@demo.edu.vn"
        assert check_password_hash(user.password, DEMO_PASSWORD), username

    principal = _user("hieutruong").person
    assert principal.position == "hieu_truong" and principal.unit_id == a1.unit_id
    leader, teacher = _user("totruong").person, _user("giaovien").person
    for person in (leader, teacher):
        assert person.position == "giao_vien" and person.unit_id == a1.unit_id
        assert person.status == "active"
    assert leader.id != teacher.id
    assert _user("giaovien").first_name + " " + _user("giaovien").last_name == teacher.full_name

    teacher2 = _user("giaovien2")
    assert [r.name for r in teacher2.roles] == [roles.GIAO_VIEN]
    assert teacher2.person.position == "giao_vien" and teacher2.person.status == "active"
    assert teacher2.unit_id == teacher2.person.unit_id
    assert _province_of(teacher2.person.unit).code == "S13"


def test_load_demo_is_idempotent(app):
    before = {
        model.__name__: _count(model)
        for model in (Person, Unit, School, PortalUser, *HISTORY_MODELS)
    }
    assert load_demo("another-password-2026") is None
    assert load_demo(None) is None
    after = {
        model.__name__: _count(model)
        for model in (Person, Unit, School, PortalUser, *HISTORY_MODELS)
    }
    assert after == before
    assert check_password_hash(_user("admin").password, DEMO_PASSWORD)


def test_a_fresh_load_is_deterministic_and_generates_a_password(empty_database_url, tmp_path, app):
    reference = db.session.execute(
        select(Person.code, Person.full_name, Person.national_id, Person.birth_date).order_by(
            Person.code
        )
    ).all()
    fresh = make_app(empty_database_url, tmp_path / "fresh")
    with fresh.app_context():
        from app.cli import setup_database

        password = setup_database(demo=True, password=None)
        assert isinstance(password, str) and len(password) >= 12
        assert check_password_hash(_user("giaovien").password, password)
        rows = db.session.execute(
            select(Person.code, Person.full_name, Person.national_id, Person.birth_date).order_by(
                Person.code
            )
        ).all()
        db.session.remove()
        db.engine.dispose()
    assert rows == reference
