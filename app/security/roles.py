"""Role catalogue: Vietnamese role names, their scope and their FAB permission sets.

Kept in code and synced into FAB's tables at start-up (`sync_roles`), so a
catalogue role edited by hand is restored on the next start.

Each role also says where it may be placed (the kinds of unit, and for school staff the
position of the linked personnel record) and at which kinds of unit it carries the
authority to evaluate (superior evaluation) and to approve training plans. The rules that
read these fields are in `app.security.role_rules`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

READ = frozenset({"can_list", "can_show", "can_info"})
WRITE = READ | frozenset({"can_add", "can_edit", "can_delete"})
EXPORT = frozenset(
    {"export_xlsx"}
)  # the "Xuất Excel" mass action (FAB names action permissions bare)
SENSITIVE = frozenset({"can_see_sensitive"})  # national ID and salary (app.security.fields)
FIND_BY_ID_MENU = "FindByNationalId"  # search by CCCD, for roles that may see it

ADMIN = "Quản trị hệ thống"
BO = "Lãnh đạo Bộ"
LANH_DAO_SO = "Lãnh đạo Sở"
CHUYEN_VIEN_SO = "Chuyên viên Sở"
CHUYEN_VIEN_XA = "Chuyên viên xã/phường"
HIEU_TRUONG = "Hiệu trưởng"
TO_TRUONG = "Tổ trưởng chuyên môn"
NHAN_SU = "Cán bộ nhân sự trường"
GIAO_VIEN = "Giáo viên"
NHAN_VIEN = "Nhân viên"

# Permission names FAB gives its own views, needed by every signed-in user.
SELF_SERVICE = {
    "UserInfoEditView": {"can_this_form_get", "can_this_form_post"},
    "ResetMyPasswordView": {"can_this_form_get", "can_this_form_post"},
    "UserDBModelView": {"can_userinfo", "resetmypassword"},
    "LocaleView": {"can_index"},
    "Home": {"can_index"},
}

REFERENCE_VIEWS = ("EthnicGroup", "Subject", "QualificationLevel", "SalaryRank")
PERSON_HISTORY_VIEWS = (
    "Assignment",
    "RankHistory",
    "Qualification",
    "Certificate",
    "TrainingCourse",
    "AwardDiscipline",
    "AnnualRating",
)
PERSONNEL_MENUS = ("Personnel", "People")
ORG_MENUS = ("Organisation", "Units", "Schools")


# Unit kinds (app.org.models.UNIT_KINDS) and personnel positions (app.personnel.choices).
MINISTRY = frozenset({"ministry"})
PROVINCE = frozenset({"province"})
COMMUNE = frozenset({"commune", "district"})  # 'district': the legacy Phòng GD&ĐT
SCHOOL = frozenset({"school"})
PRINCIPAL_POSITIONS = frozenset({"hieu_truong", "pho_hieu_truong"})
TEACHER_POSITIONS = frozenset({"giao_vien", "to_truong"})


@dataclass(frozen=True)
class RoleDef:
    name: str
    scope: str  # 'all' | 'unit' | 'self'
    description: str
    permissions: dict[str, frozenset[str]] = field(default_factory=dict)
    menus: frozenset[str] = frozenset()
    all_permissions: bool = False
    unit_kinds: frozenset[str] | None = None  # where the role may be placed; None: anywhere
    needs_person: bool = False  # the account must be linked to a record of its unit
    positions: frozenset[str] | None = None  # the record's position; None: any
    evaluates_at: frozenset[str] = frozenset()  # unit kinds where it is the superior evaluator
    approves_at: frozenset[str] = frozenset()  # unit kinds where it approves training plans


def _perms(**views: Iterable[str]) -> dict[str, frozenset[str]]:
    return {name: frozenset(p) for name, p in views.items()}


def _history(perms: frozenset[str]) -> dict[str, frozenset[str]]:
    return {name: perms for name in PERSON_HISTORY_VIEWS}


def _reference_read() -> dict[str, frozenset[str]]:
    return {name: READ for name in REFERENCE_VIEWS}


def _merge(*dicts: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for d in dicts:
        for key, value in d.items():
            out.setdefault(key, set()).update(value)
    return {k: frozenset(v) for k, v in out.items()}


_ORG_READ = _perms(Unit=READ, School=READ)
_PERSONNEL_READ = _merge(_perms(Person=READ | EXPORT), _history(READ))
_PERSONNEL_WRITE = _merge(_perms(Person=WRITE | EXPORT | SENSITIVE), _history(WRITE))
_SENSITIVE = _perms(Person=SENSITIVE)
_OWN_RECORD = _perms(OwnRecord={"can_index"})

CATALOGUE: tuple[RoleDef, ...] = (
    RoleDef(ADMIN, "all", "Quản trị tài khoản, vai trò, đơn vị, danh mục", all_permissions=True),
    RoleDef(
        BO,
        "all",
        "Báo cáo, bảng điều khiển toàn quốc; khung chuẩn và chu kỳ đánh giá",
        _merge(_ORG_READ, _PERSONNEL_READ, _reference_read(), _SENSITIVE),
        frozenset(ORG_MENUS + PERSONNEL_MENUS),
        unit_kinds=MINISTRY,
    ),
    RoleDef(
        LANH_DAO_SO,
        "unit",
        "Báo cáo của tỉnh; đánh giá hiệu trưởng THPT",
        _merge(_ORG_READ, _PERSONNEL_READ, _reference_read(), _SENSITIVE),
        frozenset(ORG_MENUS + PERSONNEL_MENUS),
        unit_kinds=PROVINCE,
        evaluates_at=PROVINCE,
        approves_at=PROVINCE,
    ),
    RoleDef(
        CHUYEN_VIEN_SO,
        "unit",
        "Hồ sơ nhân sự, điều động, tuyển dụng, tài khoản trong tỉnh",
        _merge(_perms(Unit=WRITE, School=WRITE), _PERSONNEL_WRITE, _reference_read()),
        frozenset(ORG_MENUS + PERSONNEL_MENUS),
        unit_kinds=PROVINCE,
        approves_at=PROVINCE,  # README: approves plans "như Lãnh đạo Sở", never evaluates
    ),
    RoleDef(
        CHUYEN_VIEN_XA,
        "unit",
        "Báo cáo của xã/phường; đánh giá hiệu trưởng trường MN, TH, THCS",
        _merge(_ORG_READ, _perms(Person=READ), _reference_read()),
        frozenset(ORG_MENUS + PERSONNEL_MENUS),
        unit_kinds=COMMUNE,
        evaluates_at=COMMUNE,
        approves_at=COMMUNE,
    ),
    RoleDef(
        HIEU_TRUONG,
        "unit",
        "Đánh giá giáo viên, duyệt kế hoạch bồi dưỡng, báo cáo của trường",
        _merge(_ORG_READ, _PERSONNEL_READ, _reference_read(), _OWN_RECORD, _SENSITIVE),
        frozenset((*ORG_MENUS, *PERSONNEL_MENUS, "OwnRecord")),
        unit_kinds=SCHOOL,
        needs_person=True,
        positions=PRINCIPAL_POSITIONS,
        evaluates_at=SCHOOL,
        approves_at=SCHOOL,
    ),
    RoleDef(
        TO_TRUONG,
        "self",
        "Tổng hợp ý kiến đồng nghiệp trong tổ chuyên môn",
        _merge(_OWN_RECORD, _reference_read()),
        frozenset(("Personnel", "OwnRecord")),
        unit_kinds=SCHOOL,
        needs_person=True,
        # A group leader is a teacher whose record may still say "giáo viên".
        positions=TEACHER_POSITIONS,
    ),
    RoleDef(
        NHAN_SU,
        "unit",
        "Cập nhật hồ sơ nhân sự của trường, nhập dữ liệu, tạo tài khoản",
        _merge(_perms(School=READ | {"can_edit"}, Unit=READ), _PERSONNEL_WRITE, _reference_read()),
        frozenset(ORG_MENUS + PERSONNEL_MENUS),
        unit_kinds=SCHOOL,
    ),
    RoleDef(
        GIAO_VIEN,
        "self",
        "Hồ sơ của mình, tự đánh giá, khảo sát, nhu cầu và kế hoạch bồi dưỡng",
        _merge(_OWN_RECORD, _reference_read()),
        frozenset(("Personnel", "OwnRecord")),
        unit_kinds=SCHOOL,
        needs_person=True,
    ),
    RoleDef(
        NHAN_VIEN,
        "self",
        "Hồ sơ của mình, ý kiến về hiệu trưởng",
        _merge(_OWN_RECORD, _reference_read()),
        frozenset(("Personnel", "OwnRecord")),
        unit_kinds=SCHOOL,
        needs_person=True,
    ),
)

BY_NAME = {
    # Whoever may see national IDs gets the page that searches by one.
    r.name: replace(r, menus=r.menus | {FIND_BY_ID_MENU})
    if r.permissions.get("Person", frozenset()) >= SENSITIVE
    else r
    for r in CATALOGUE
}
_SCOPE_ORDER = {"none": 0, "self": 1, "unit": 2, "all": 3}


def scope_kind_for_roles(role_names: Iterable[str]) -> str:
    """The widest scope among the roles; unknown roles grant nothing (deny by default)."""
    best = "none"
    for name in role_names:
        role = BY_NAME.get(name)
        if role and _SCOPE_ORDER[role.scope] > _SCOPE_ORDER[best]:
            best = role.scope
    return best


def extend(
    role_name: str, permissions: dict[str, Iterable[str]], menus: Iterable[str] = ()
) -> None:
    """Let a domain package add its views' permissions to a catalogue role at import time."""
    role = BY_NAME[role_name]
    merged = _merge(role.permissions, {k: frozenset(v) for k, v in permissions.items()})
    BY_NAME[role_name] = replace(role, permissions=merged, menus=role.menus | frozenset(menus))


def grant(
    role_name: str, *permission_sets: dict[str, Iterable[str]], menus: Iterable[str] = ()
) -> None:
    """`extend` with several permission dicts merged, as domain view modules declare them."""
    merged: dict[str, set[str]] = {}
    for permissions in permission_sets:
        for view, names in permissions.items():
            merged.setdefault(view, set()).update(names)
    extend(role_name, merged, menus=menus)
