"""BDTX rules as pure functions (no Flask, no database): what TT 17/2019, TT 19/2019 and
NĐ 93/2026 say, with the numbers passed in as data.

- :func:`suggest_modules`: the person's weakest criteria → the modules that develop them;
- :func:`validate_plan`: a personal plan meets the year's required time (periods or weeks,
  a property of the school year's programme) and is sent inside the plan window;
- :func:`suppress`: survey aggregates are shown only for groups of at least
  :data:`MIN_GROUP_SIZE` people;
- :func:`yearly_outcome`: the year's result from the results of the plan's modules.

Problems are returned as codes with parameters; the caller turns them into Vietnamese text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.evaluation.rules import Level, parse_level, weakest_criteria

MIN_GROUP_SIZE = 5  # no survey aggregate for a group smaller than this
SUGGESTION_COUNT = 3  # weakest criteria looked at
SUGGEST_BELOW = Level.TOT  # a criterion already at Tốt suggests no training
DEFAULT_DEADLINE = (5, 31)  # TT 19/2019: the personal plan is submitted before 31 May


# --------------------------------------------------------------------------- suggestions


@dataclass(frozen=True)
class Suggestion:
    module_code: str
    criterion_number: int
    level: Level


def effective_levels(
    self_levels: Mapping[int, Any], superior_levels: Mapping[int, Any] | None = None
) -> dict[int, Level | None]:
    """Per criterion: the superior's level where one was given, else the self-evaluation's."""
    superior_levels = superior_levels or {}
    out: dict[int, Level | None] = {}
    for number in sorted(set(self_levels) | set(superior_levels)):
        level = parse_level(superior_levels.get(number))
        if level is None:
            level = parse_level(self_levels.get(number))
        out[number] = level
    return out


def suggest_modules(
    levels: Mapping[int, Any],
    module_map: Mapping[str, Iterable[int]],
    n: int = SUGGESTION_COUNT,
    below: Level | None = SUGGEST_BELOW,
) -> list[Suggestion]:
    """Modules developing the ``n`` weakest criteria (lowest level first, ties by number);
    criteria at ``below`` or higher suggest nothing. One suggestion per module, in order."""
    by_criterion: dict[int, list[str]] = {}
    for code, numbers in module_map.items():
        for number in numbers:
            by_criterion.setdefault(int(number), []).append(code)
    parsed = {int(k): parse_level(v) for k, v in levels.items()}
    seen: set[str] = set()
    out: list[Suggestion] = []
    for number in weakest_criteria(parsed, n, below):
        for code in sorted(by_criterion.get(number, [])):
            if code not in seen:
                seen.add(code)
                out.append(Suggestion(code, number, parsed[number]))
    return out


# --------------------------------------------------------------------------- plan validation


@dataclass(frozen=True)
class TimeRule:
    """The year's time rule of programme 03: measure and bounds (None = no bound)."""

    measure: str  # periods | weeks
    required: Decimal | None = None
    maximum: Decimal | None = None


@dataclass(frozen=True)
class PlannedModule:
    code: str
    amount: Decimal
    start: dt.date | None = None
    end: dt.date | None = None


@dataclass(frozen=True)
class Problem:
    code: str
    params: dict[str, Any] = field(default_factory=dict)


def school_year_bounds(school_year: str) -> tuple[dt.date, dt.date]:
    """A school year "2025-2026" runs from 1 September 2025 to 31 August 2026."""
    start = int(school_year[:4])
    return dt.date(start, 9, 1), dt.date(start + 1, 8, 31)


def plan_deadline(school_year: str, plan_end: dt.date | None) -> dt.date:
    """The cycle's plan_end, else 31 May of the school year's second calendar year."""
    if plan_end is not None:
        return plan_end
    month, day = DEFAULT_DEADLINE
    return dt.date(int(school_year[:4]) + 1, month, day)


def total_amount(items: Iterable[PlannedModule]) -> Decimal:
    return sum((Decimal(str(i.amount or 0)) for i in items), Decimal(0))


def check_time(items: Sequence[PlannedModule], rule: TimeRule) -> list[Problem]:
    total = total_amount(items)
    problems = []
    if rule.required is not None and total < Decimal(str(rule.required)):
        problems.append(
            Problem(
                "too_little", {"total": total, "required": rule.required, "measure": rule.measure}
            )
        )
    if rule.maximum is not None and total > Decimal(str(rule.maximum)):
        problems.append(
            Problem("too_much", {"total": total, "maximum": rule.maximum, "measure": rule.measure})
        )
    return problems


def check_window(today: dt.date, start: dt.date | None, deadline: dt.date | None) -> list[Problem]:
    if start is not None and today < start:
        return [Problem("window_not_open", {"start": start})]
    if deadline is not None and today > deadline:
        return [Problem("window_closed", {"deadline": deadline})]
    return []


def validate_plan(
    items: Sequence[PlannedModule],
    rule: TimeRule,
    school_year: str,
    today: dt.date,
    window_start: dt.date | None,
    deadline: dt.date | None,
) -> list[Problem]:
    """Every reason a plan cannot be submitted today (empty list: it can)."""
    problems: list[Problem] = []
    if not items:
        problems.append(Problem("no_modules"))
    codes = [i.code for i in items]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        problems.append(Problem("duplicate", {"code": code}))
    for item in items:
        if item.amount is None or Decimal(str(item.amount)) <= 0:
            problems.append(Problem("no_amount", {"code": item.code}))
    problems.extend(check_time(items, rule))
    first, last = school_year_bounds(school_year)
    for item in items:
        if item.start and item.end and item.end < item.start:
            problems.append(Problem("end_before_start", {"code": item.code}))
        for day in (item.start, item.end):
            if day is not None and not (first <= day <= last):
                problems.append(
                    Problem("outside_year", {"code": item.code, "first": first, "last": last})
                )
                break
    problems.extend(check_window(today, window_start, deadline))
    return problems


# --------------------------------------------------------------------------- results


def yearly_outcome(
    item_results: Sequence[tuple[str | None, int | None]],
    passed_codes: Iterable[str],
    rule: TimeRule,
    planned_total: Decimal | int | None = None,
) -> bool | None:
    """Did the person complete the year's plan? None while a module has no result yet.

    Completed: every planned module has a passing result and, for a periods measure, the
    periods done reach the required amount (or the planned total when no minimum is set).
    """
    if not item_results or any(result is None for result, _done in item_results):
        return None
    passed = set(passed_codes)
    if not all(result in passed for result, _done in item_results):
        return False
    if rule.measure == "periods":
        needed = rule.required if rule.required is not None else planned_total
        done = sum((d or 0) for _r, d in item_results)
        if needed is not None and Decimal(done) < Decimal(str(needed)):
            return False
    return True


# --------------------------------------------------------------------------- survey


def suppress(count: int, threshold: int = MIN_GROUP_SIZE) -> bool:
    """True when a group is too small to show: fewer than ``threshold`` people answered."""
    return count < threshold


def likert_summary(values: Iterable[int]) -> dict[str, Any]:
    counts = {level: 0 for level in range(1, 6)}
    total = 0
    for v in values:
        if v in counts:
            counts[v] += 1
            total += 1
    mean = Decimal(sum(k * c for k, c in counts.items())) / total if total else None
    return {"counts": counts, "n": total, "mean": mean}
