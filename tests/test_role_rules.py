"""The placement rule of the role catalogue, table-driven (no app, no database).

Cases follow the catalogue's descriptions and the README's "Vai trò và phạm vi" table:
a Sở role sits at a Sở, a commune officer at a commune office (or a legacy Phòng GD&ĐT),
a principal at a school with a principal's record, and so on.
"""

from __future__ import annotations

import pytest

from app.security import role_rules, roles
from app.security.role_rules import (
    PERSON_MISSING,
    PERSON_UNIT,
    POSITION,
    UNIT_KIND,
    holds_authority,
    role_placement_problem,
)

R = roles.BY_NAME

# role, unit kind, linked record's position (None: no record), record of the same unit,
# expected problem code (None: allowed)
PLACEMENTS = [
    # Quản trị hệ thống: anywhere, with or without a record
    (roles.ADMIN, "ministry", None, False, None),
    (roles.ADMIN, "school", None, False, None),
    (roles.ADMIN, "school", "giao_vien", True, None),
    # Lãnh đạo Bộ: the ministry only
    (roles.BO, "ministry", None, False, None),
    (roles.BO, "province", None, False, UNIT_KIND),
    (roles.BO, "school", None, False, UNIT_KIND),
    # Lãnh đạo Sở, Chuyên viên Sở: a Sở
    (roles.LANH_DAO_SO, "province", None, False, None),
    (roles.LANH_DAO_SO, "school", None, False, UNIT_KIND),
    (roles.LANH_DAO_SO, "school", "hieu_truong", True, UNIT_KIND),
    (roles.LANH_DAO_SO, "commune", None, False, UNIT_KIND),
    (roles.LANH_DAO_SO, "ministry", None, False, UNIT_KIND),
    (roles.CHUYEN_VIEN_SO, "province", None, False, None),
    (roles.CHUYEN_VIEN_SO, "school", None, False, UNIT_KIND),
    (roles.CHUYEN_VIEN_SO, "district", None, False, UNIT_KIND),
    # Chuyên viên xã/phường: a commune office, or the legacy district office
    (roles.CHUYEN_VIEN_XA, "commune", None, False, None),
    (roles.CHUYEN_VIEN_XA, "district", None, False, None),
    (roles.CHUYEN_VIEN_XA, "province", None, False, UNIT_KIND),
    (roles.CHUYEN_VIEN_XA, "school", None, False, UNIT_KIND),
    # Hiệu trưởng: a school, linked to a principal's or vice-principal's record there
    (roles.HIEU_TRUONG, "school", "hieu_truong", True, None),
    (roles.HIEU_TRUONG, "school", "pho_hieu_truong", True, None),
    (roles.HIEU_TRUONG, "school", "giao_vien", True, POSITION),
    (roles.HIEU_TRUONG, "school", "nhan_vien", True, POSITION),
    (roles.HIEU_TRUONG, "school", None, False, PERSON_MISSING),
    (roles.HIEU_TRUONG, "school", "hieu_truong", False, PERSON_UNIT),
    (roles.HIEU_TRUONG, "commune", "hieu_truong", True, UNIT_KIND),
    (roles.HIEU_TRUONG, "province", None, False, UNIT_KIND),
    # Tổ trưởng chuyên môn: a school, a teacher's record there (the record may say giáo viên)
    (roles.TO_TRUONG, "school", "to_truong", True, None),
    (roles.TO_TRUONG, "school", "giao_vien", True, None),
    (roles.TO_TRUONG, "school", "nhan_vien", True, POSITION),
    (roles.TO_TRUONG, "school", "hieu_truong", True, POSITION),
    (roles.TO_TRUONG, "school", None, False, PERSON_MISSING),
    (roles.TO_TRUONG, "commune", "to_truong", True, UNIT_KIND),
    # Cán bộ nhân sự trường: a school, a record optional
    (roles.NHAN_SU, "school", None, False, None),
    (roles.NHAN_SU, "school", "nhan_vien", True, None),
    (roles.NHAN_SU, "province", None, False, UNIT_KIND),
    # Giáo viên, Nhân viên: a school, with a record there
    (roles.GIAO_VIEN, "school", "giao_vien", True, None),
    (roles.GIAO_VIEN, "school", None, False, PERSON_MISSING),
    (roles.GIAO_VIEN, "school", "giao_vien", False, PERSON_UNIT),
    (roles.GIAO_VIEN, "commune", "giao_vien", True, UNIT_KIND),
    (roles.NHAN_VIEN, "school", "nhan_vien", True, None),
    (roles.NHAN_VIEN, "school", None, False, PERSON_MISSING),
    (roles.NHAN_VIEN, "province", "nhan_vien", True, UNIT_KIND),
]


@pytest.mark.parametrize(("role", "kind", "position", "same_unit", "expected"), PLACEMENTS)
def test_role_placement(role, kind, position, same_unit, expected):
    problem = role_placement_problem(R[role], kind, position, same_unit)
    assert (problem.code if problem else None) == expected
    if problem is not None:
        assert problem.role == role


def test_problem_names_the_expected_unit_kinds_and_positions():
    problem = role_placement_problem(R[roles.LANH_DAO_SO], "school", None, False)
    assert problem == role_rules.PlacementProblem(UNIT_KIND, roles.LANH_DAO_SO, ("province",))
    problem = role_placement_problem(R[roles.CHUYEN_VIEN_XA], "school", None, False)
    assert problem.expected == ("commune", "district")
    problem = role_placement_problem(R[roles.HIEU_TRUONG], "school", "giao_vien", True)
    assert problem.expected == ("hieu_truong", "pho_hieu_truong")


def test_every_catalogue_role_declares_a_placement():
    """Deny by default: only the system administrator may sit anywhere."""
    for role in roles.CATALOGUE:
        assert (role.unit_kinds is None) == (role.name == roles.ADMIN), role.name
        assert role.evaluates_at <= (role.unit_kinds or frozenset()), role.name
        assert role.approves_at <= (role.unit_kinds or frozenset()), role.name


# roles held, power, unit kind, position, record of the same unit, expected
AUTHORITY = [
    # README: the principal evaluates teachers and approves their plans, at the school
    ([roles.HIEU_TRUONG], "evaluate", "school", "hieu_truong", True, True),
    ([roles.HIEU_TRUONG], "approve", "school", "pho_hieu_truong", True, True),
    ([roles.HIEU_TRUONG], "evaluate", "school", "giao_vien", True, False),  # not a principal
    ([roles.HIEU_TRUONG], "evaluate", "school", "hieu_truong", False, False),  # another school
    ([roles.HIEU_TRUONG], "approve", "school", None, False, False),
    # the commune office evaluates principals of MN/TH/THCS schools and approves their plans
    ([roles.CHUYEN_VIEN_XA], "evaluate", "commune", None, False, True),
    ([roles.CHUYEN_VIEN_XA], "approve", "district", None, False, True),
    ([roles.CHUYEN_VIEN_XA], "evaluate", "school", None, False, False),  # placed wrongly
    ([roles.CHUYEN_VIEN_XA], "evaluate", "province", None, False, False),
    # Lãnh đạo Sở evaluates THPT/GDTX principals and approves plans, at the Sở
    ([roles.LANH_DAO_SO], "evaluate", "province", None, False, True),
    ([roles.LANH_DAO_SO], "approve", "province", None, False, True),
    ([roles.LANH_DAO_SO], "evaluate", "school", None, False, False),  # the probe's account
    ([roles.LANH_DAO_SO], "approve", "school", "hieu_truong", True, False),
    # Chuyên viên Sở: training "như Lãnh đạo Sở", but no evaluation
    ([roles.CHUYEN_VIEN_SO], "evaluate", "province", None, False, False),
    ([roles.CHUYEN_VIEN_SO], "approve", "province", None, False, True),
    ([roles.CHUYEN_VIEN_SO], "approve", "school", None, False, False),
    # roles that neither evaluate nor approve, wherever they sit
    ([roles.ADMIN], "evaluate", "school", None, False, False),
    ([roles.ADMIN], "approve", "province", None, False, False),
    ([roles.BO], "evaluate", "ministry", None, False, False),
    ([roles.NHAN_SU], "approve", "school", None, False, False),
    ([roles.TO_TRUONG], "evaluate", "school", "to_truong", True, False),
    ([roles.GIAO_VIEN], "evaluate", "school", "giao_vien", True, False),
    ([roles.NHAN_VIEN], "approve", "school", "nhan_vien", True, False),
    ([], "evaluate", "school", None, False, False),
    # one fitting role is enough; a misplaced one adds nothing
    ([roles.NHAN_SU, roles.HIEU_TRUONG], "evaluate", "school", "hieu_truong", True, True),
    ([roles.LANH_DAO_SO, roles.GIAO_VIEN], "evaluate", "school", "giao_vien", True, False),
]


@pytest.mark.parametrize(("held", "power", "kind", "position", "same_unit", "expected"), AUTHORITY)
def test_authority(held, power, kind, position, same_unit, expected):
    assert holds_authority([R[n] for n in held], power, kind, position, same_unit) is expected
