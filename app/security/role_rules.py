"""Where a catalogue role may be placed, and where it carries authority (pure functions).

A role is only as powerful as its placement: a «Lãnh đạo Sở» account hung on a school must
not evaluate that school's teachers. The data lives in the role catalogue
(`app.security.roles.RoleDef`: ``unit_kinds``, ``needs_person``, ``positions``,
``evaluates_at``, ``approves_at``); these functions read it. No Flask, no database: callers
pass the account's unit kind and its linked record's position.

Problems are returned as codes with parameters; the caller turns them into Vietnamese text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from app.security.roles import RoleDef

# The codes of a placement problem, in the order they are checked.
UNIT_KIND = "unit_kind"  # the account's unit is not of a kind the role allows
PERSON_MISSING = "person_missing"  # the role needs a linked personnel record
PERSON_UNIT = "person_unit"  # the linked record belongs to another unit
POSITION = "position"  # the linked record's position does not fit the role

Power = Literal["evaluate", "approve"]


@dataclass(frozen=True)
class PlacementProblem:
    code: str
    role: str
    expected: tuple[str, ...] = ()  # unit kinds (UNIT_KIND) or positions (POSITION), sorted


def role_placement_problem(
    role: RoleDef,
    unit_kind: str | None,
    person_position: str | None,
    person_unit_matches: bool,
) -> PlacementProblem | None:
    """Why `role` may not be held by an account at a unit of `unit_kind`, or None if it may.

    `person_position` is the linked record's position (None: no record linked; a record
    always has one); `person_unit_matches` tells whether that record belongs to the
    account's unit.
    """
    linked = person_position is not None
    if role.unit_kinds is not None and unit_kind not in role.unit_kinds:
        return PlacementProblem(UNIT_KIND, role.name, tuple(sorted(role.unit_kinds)))
    if not linked:
        if role.needs_person or role.positions is not None:
            return PlacementProblem(PERSON_MISSING, role.name)
        return None
    if (role.needs_person or role.positions is not None) and not person_unit_matches:
        return PlacementProblem(PERSON_UNIT, role.name)
    if role.positions is not None and person_position not in role.positions:
        return PlacementProblem(POSITION, role.name, tuple(sorted(role.positions)))
    return None


def authority_kinds(role: RoleDef, power: Power) -> frozenset[str]:
    return role.evaluates_at if power == "evaluate" else role.approves_at


def holds_authority(
    roles: Iterable[RoleDef],
    power: Power,
    unit_kind: str | None,
    person_position: str | None,
    person_unit_matches: bool,
) -> bool:
    """Some role grants `power` at a unit of `unit_kind` and is placed as the catalogue allows.

    A role placed at the wrong kind of unit, or held by someone whose record does not fit it
    (accounts written before the placement rule existed), grants nothing.
    """
    return any(
        unit_kind in authority_kinds(role, power)
        and role_placement_problem(role, unit_kind, person_position, person_unit_matches) is None
        for role in roles
    )
