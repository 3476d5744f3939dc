"""Issue 8, item 2: a role placed at a unit where it gains powers.

The probe: as `so` (Chuyên viên Sở, province A), create an account with the role «Lãnh đạo
Sở» at a school; that account then finalised evaluations and approved plans there. Now the
account forms refuse the placement, and the evaluation and training services give no rights
to a role placed wrongly before the fix (rows written straight into the database here).
"""

from __future__ import annotations

import pytest
from flask import current_app
from flask_appbuilder.security.sqla.models import Role
from sqlalchemy import func, select

from app.evaluation import services as ev_services
from app.evaluation.models import REVIEWABLE, Evaluation, EvaluationEvent
from app.extensions import db
from app.org.models import Unit
from app.personnel.models import Person
from app.security import account_admin, roles
from app.security.models import PortalUser
from app.training import services as tr_services
from app.training.models import APPROVED, SUBMITTED, TrainingPlan
from tests.conftest import DEMO_PASSWORD, csrf_token_from

DEMO_USERS = (
    "admin",
    "bo",
    "so",
    "lanhdaoso",
    "xa",
    "hieutruong",
    "nhansu",
    "totruong",
    "giaovien",
    "giaovien2",
)


def _user(username: str) -> PortalUser | None:
    db.session.expire_all()
    return db.session.scalar(select(PortalUser).where(PortalUser.username == username))


def _role(name: str) -> Role:
    return db.session.scalar(select(Role).where(Role.name == name))


def _count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(PortalUser.id)))


def _a1() -> Unit:
    return _user("hieutruong").unit


def _a1_person(position: str) -> Person:
    taken = select(PortalUser.person_id).where(PortalUser.person_id.is_not(None))
    return db.session.scalar(
        select(Person)
        .where(
            Person.unit_id == _a1().id,
            Person.position == position,
            Person.status == "active",
            Person.id.not_in(taken),
        )
        .order_by(Person.id)
    )


def _post_add(client, **fields):
    token = csrf_token_from(client.get("/users/add").get_data(as_text=True))
    data = {"csrf_token": token, "active": "y", "first_name": "Thử", "last_name": "Nghiệm"}
    data.update(fields)
    return client.post("/users/add", data=data, follow_redirects=True)


def _post_edit(client, user: PortalUser, **fields):
    token = csrf_token_from(client.get(f"/users/edit/{user.id}").get_data(as_text=True))
    data = {
        "csrf_token": token,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "unit": str(user.unit_id),
        "person": str(user.person_id or ""),
        "roles": [str(r.id) for r in user.roles],
        "active": "y",
    }
    data.update(fields)
    return client.post(f"/users/edit/{user.id}", data=data, follow_redirects=True)


# --------------------------------------------------------------------------- the account rule


def test_so_cannot_create_a_lanh_dao_so_at_a_school(login_as):
    so = login_as("so")
    before = _count()
    school = _a1()
    for person in (None, _a1_person("hieu_truong")):  # with or without a principal's record
        fields = {
            "username": "ldso.truong",
            "unit": str(school.id),
            "roles": str(_role(roles.LANH_DAO_SO).id),
        }
        if person is not None:
            fields["person"] = str(person.id)
        response = _post_add(so, **fields)
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert (
            f"Vai trò «{roles.LANH_DAO_SO}» chỉ gán được cho tài khoản thuộc Sở GD&amp;ĐT, "
            f"còn «{school.name}» là Trường." in html
        )
        assert "Hãy chọn đơn vị đúng loại hoặc chọn vai trò khác." in html
        assert _count() == before
        assert _user("ldso.truong") is None


@pytest.mark.parametrize(
    ("role_name", "expected", "right_unit"),
    [
        (roles.CHUYEN_VIEN_SO, "Sở GD&amp;ĐT", lambda: _user("so").unit),
        (
            roles.CHUYEN_VIEN_XA,
            "Phòng VH-XH xã/phường hoặc Phòng GD&amp;ĐT (cũ, trước 2025)",
            lambda: _a1().parent,
        ),
    ],
)
def test_unit_roles_only_at_their_kind_of_unit(login_as, role_name, expected, right_unit):
    so = login_as("so")
    before = _count()
    role_id = str(_role(role_name).id)
    html = _post_add(so, username="sai.cho", unit=str(_a1().id), roles=role_id).get_data(
        as_text=True
    )
    assert f"Vai trò «{role_name}» chỉ gán được cho tài khoản thuộc {expected}" in html
    assert _count() == before
    # the same role at its own kind of unit is created as before
    response = _post_add(so, username="dung.cho", unit=str(right_unit().id), roles=role_id)
    assert 'class="portal-password"' in response.get_data(as_text=True)
    assert _count() == before + 1
    assert [r.name for r in _user("dung.cho").roles] == [role_name]


def test_principal_role_needs_a_principals_record(login_as):
    so = login_as("so")
    before = _count()
    teacher = _a1_person("giao_vien")
    html = _post_add(
        so,
        username="ht.gia",
        unit=str(_a1().id),
        person=str(teacher.id),
        roles=str(_role(roles.HIEU_TRUONG).id),
    ).get_data(as_text=True)
    assert (
        f"Vai trò «{roles.HIEU_TRUONG}» chỉ dành cho người có chức vụ Hiệu trưởng hoặc "
        f"Phó hiệu trưởng, còn hồ sơ «{teacher.full_name}» có chức vụ Giáo viên." in html
    )
    assert _count() == before


def test_group_leader_role_refused_for_a_staff_member(login_as):
    nhansu = login_as("nhansu")
    before = _count()
    staff = _a1_person("nhan_vien")
    html = _post_add(
        nhansu,
        username="tt.nhanvien",
        unit=str(_a1().id),
        person=str(staff.id),
        roles=str(_role(roles.TO_TRUONG).id),
    ).get_data(as_text=True)
    assert f"Vai trò «{roles.TO_TRUONG}» chỉ dành cho người có chức vụ" in html
    assert _count() == before


def test_editing_cannot_move_a_role_to_a_wrong_unit(login_as):
    so = login_as("so")
    leader = _user("lanhdaoso")
    before = (leader.unit_id, sorted(r.name for r in leader.roles))
    html = _post_edit(so, leader, unit=str(_a1().id)).get_data(as_text=True)
    assert f"Vai trò «{roles.LANH_DAO_SO}» chỉ gán được cho tài khoản thuộc Sở GD&amp;ĐT" in html
    leader = _user("lanhdaoso")
    assert (leader.unit_id, sorted(r.name for r in leader.roles)) == before
    # nor give a school account a Sở role where it sits
    teacher = _user("giaovien")
    html = _post_edit(so, teacher, roles=[str(_role(roles.LANH_DAO_SO).id)]).get_data(as_text=True)
    assert f"Vai trò «{roles.LANH_DAO_SO}» chỉ gán được" in html
    assert [r.name for r in _user("giaovien").roles] == [roles.GIAO_VIEN]


def test_every_demo_account_fits_the_catalogue(app):
    for username in DEMO_USERS:
        user = _user(username)
        assert (
            account_admin.placement_problem([r.name for r in user.roles], user.unit, user.person)
            is None
        ), username


# --------------------------------------------------------------------------- the rights check


def _legacy_account(username: str, role_name: str, unit: Unit, person: Person | None = None):
    """An account written before the placement rule existed (straight into the database)."""
    user = current_app.appbuilder.sm.add_user(
        username,
        "Cũ",
        "Sai chỗ",
        f"{username}@demo.edu.vn",
        _role(role_name),
        password=DEMO_PASSWORD,
    )
    user.unit_id = unit.id
    user.person_id = person.id if person is not None else None
    user.must_change_password = False
    db.session.commit()
    return username


def _a1_teacher_evaluation() -> Evaluation:
    return db.session.scalar(
        select(Evaluation)
        .join(Person, Person.id == Evaluation.person_id)
        .where(
            Person.unit_id == _a1().id,
            Person.position == "giao_vien",
            Evaluation.state.in_(REVIEWABLE),
        )
        .order_by(Evaluation.state.desc(), Evaluation.id)  # 'submitted' before 'evaluated'
    )


def _a1_teacher_plan(state: str) -> TrainingPlan:
    return db.session.scalar(
        select(TrainingPlan)
        .join(Person, Person.id == TrainingPlan.person_id)
        .where(
            Person.unit_id == _a1().id,
            Person.position.in_(("giao_vien", "to_truong")),
            TrainingPlan.state == state,
        )
        .order_by(TrainingPlan.id)
    )


def _snapshot_evaluation(pk: int) -> tuple:
    db.session.expire_all()
    ev = db.session.get(Evaluation, pk)
    events = db.session.scalar(
        select(func.count(EvaluationEvent.id)).where(EvaluationEvent.evaluation_id == pk)
    )
    return (
        ev.state,
        ev.final_result,
        ev.evaluator_id,
        ev.version_id,
        tuple(sorted((r.criterion_id, r.superior_level) for r in ev.ratings)),
        events,
    )


def _snapshot_plan(pk: int) -> tuple:
    db.session.expire_all()
    plan = db.session.get(TrainingPlan, pk)
    return (plan.state, plan.approver_id, plan.version_id, plan.outcome, plan.return_comment)


def _attack_evaluation(client, evaluation: Evaluation) -> list[int]:
    """Forged review posts: every criterion at Tốt, save then finalise, and a return."""
    token = csrf_token_from(client.get("/resetmypassword/form").get_data(as_text=True))
    levels = {f"sup_{r.criterion_id}": "tot" for r in evaluation.ratings}
    codes = []
    for action in ("finalise", "save", "return"):
        response = client.post(
            f"/evaluation/{evaluation.id}/review",
            data={
                "csrf_token": token,
                "version": str(evaluation.version_id),
                "action": action,
                "return_comment": "Bổ sung minh chứng",
                "evaluator_comment": "Đạt",
                **levels,
            },
        )
        codes.append(response.status_code)
    return codes


def _attack_plan(client, plan: TrainingPlan, action: str = "approve") -> int:
    token = csrf_token_from(client.get("/resetmypassword/form").get_data(as_text=True))
    return client.post(
        f"/training/plan/{plan.id}/review",
        data={
            "csrf_token": token,
            "version": str(plan.version_id),
            "action": action,
            "comment": "Đồng ý",
        },
    ).status_code


def test_lanh_dao_so_placed_at_a_school_cannot_evaluate_or_approve_there(app, login_as):
    client = login_as(_legacy_account("ldso.truonga1", roles.LANH_DAO_SO, _a1()))
    user = _user("ldso.truonga1")

    evaluation = _a1_teacher_evaluation()
    assert evaluation is not None and ev_services.evaluator_unit(evaluation.person).id == _a1().id
    before = _snapshot_evaluation(evaluation.id)
    page = client.get(f"/evaluation/{evaluation.id}")
    assert page.status_code == 200  # the school is in its scope: it may read
    assert 'id="ev-review-form"' not in page.get_data(as_text=True)
    assert all(code in (403, 404) for code in _attack_evaluation(client, evaluation))
    assert _snapshot_evaluation(evaluation.id) == before
    assert not ev_services.can_evaluate(user, db.session.get(Evaluation, evaluation.id))

    plan = _a1_teacher_plan(SUBMITTED)
    assert plan is not None and tr_services.approver_unit(plan.person).id == _a1().id
    before = _snapshot_plan(plan.id)
    assert f"/training/plan/{plan.id}" not in client.get("/training/approvals").get_data(
        as_text=True
    )
    assert _attack_plan(client, plan) in (403, 404)
    assert _attack_plan(client, plan, "return") in (403, 404)
    assert _snapshot_plan(plan.id) == before
    assert tr_services.pending_approvals(_user("ldso.truonga1")) == []

    approved = _a1_teacher_plan(APPROVED)  # the year's outcome is the approver's too
    token = csrf_token_from(client.get("/resetmypassword/form").get_data(as_text=True))
    before = _snapshot_plan(approved.id)
    response = client.post(
        f"/training/plan/{approved.id}/outcome", data={"csrf_token": token, "outcome": "ht"}
    )
    assert response.status_code in (403, 404)
    assert _snapshot_plan(approved.id) == before


@pytest.mark.parametrize(
    ("role_name", "position"),
    [
        (roles.HIEU_TRUONG, "giao_vien"),  # a principal's role on a teacher's record
        (roles.CHUYEN_VIEN_XA, None),  # a commune officer hung on the school
    ],
)
def test_other_misplaced_roles_get_no_rights_at_the_school(app, login_as, role_name, position):
    person = _a1_person(position) if position else None
    client = login_as(_legacy_account("sai.cho.cu", role_name, _a1(), person))
    evaluation = _a1_teacher_evaluation()
    before = _snapshot_evaluation(evaluation.id)
    assert all(code in (403, 404) for code in _attack_evaluation(client, evaluation))
    assert _snapshot_evaluation(evaluation.id) == before
    plan = _a1_teacher_plan(SUBMITTED)
    before = _snapshot_plan(plan.id)
    assert _attack_plan(client, plan) in (403, 404)
    assert _snapshot_plan(plan.id) == before


def _province_principals(model):
    """Rows of principals whose evaluator (and approver) is the Sở of province A (THPT)."""
    province = _user("so").unit
    rows = db.session.scalars(
        select(model)
        .join(Person, Person.id == model.person_id)
        .where(Person.position == "hieu_truong")
        .order_by(model.id)
    ).all()
    return [r for r in rows if ev_services.evaluator_unit(r.person) == province]


def test_documented_rights_of_the_demo_accounts_are_kept(app):
    """README "Vai trò và phạm vi": the principal evaluates teachers and approves their plans;
    Lãnh đạo Sở evaluates THPT principals and approves their plans; Chuyên viên Sở approves
    "như Lãnh đạo Sở" but evaluates nobody; the commune office evaluates its principals."""
    principal = _user("hieutruong")
    assert ev_services.can_evaluate(principal, _a1_teacher_evaluation())
    assert tr_services.can_approve(principal, _a1_teacher_plan(SUBMITTED))

    thpt_evaluation = _province_principals(Evaluation)[0]
    thpt_plan = next(p for p in _province_principals(TrainingPlan) if p.state == SUBMITTED)
    assert ev_services.can_evaluate(_user("lanhdaoso"), thpt_evaluation)
    assert not ev_services.can_evaluate(_user("so"), thpt_evaluation)
    for username in ("lanhdaoso", "so"):
        assert tr_services.can_approve(_user(username), thpt_plan), username
        assert thpt_plan in tr_services.pending_approvals(_user(username)), username

    a1_principal_evaluation = db.session.scalar(
        select(Evaluation).where(Evaluation.person_id == principal.person_id)
    )
    assert ev_services.can_evaluate(_user("xa"), a1_principal_evaluation)
    assert not ev_services.can_evaluate(_user("xa"), _a1_teacher_evaluation())
