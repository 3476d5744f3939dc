"""BDTX rules, table-driven: suggestions from the module ↔ criterion map in app/data/training,
plan validation (required time per the year's measure, window, timing), yearly outcome and
survey small-group suppression."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from app.evaluation.rules import Level
from app.training import rules

DATA = Path(__file__).resolve().parents[1] / "app" / "data" / "training"


def _csv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _tt20_map() -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for row in _csv("module_criteria.csv"):
        if row["framework_code"] == "TT20/2018":
            out.setdefault(row["module_code"], []).append(int(row["criterion_number"]))
    return out


T, K, D, C = Level.TOT, Level.KHA, Level.DAT, Level.CHUA_DAT


def _levels(**overrides: Level) -> dict[int, Level]:
    base = dict.fromkeys(range(1, 16), T)
    base.update({int(k[1:]): v for k, v in overrides.items()})
    return base


# --------------------------------------------------------------------------- data files


def test_catalogue_files_keep_the_source_marks():
    modules = _csv("modules.csv")
    assert [m["code"] for m in modules] == [f"GVPT {n:02d}" for n in range(1, 16)]
    assert all(m["source_status"] for m in modules)
    assert "FROM MEMORY" in modules[0]["source_status"]  # Vietnamese names are from memory
    assert "INFERRED" in modules[14]["source_status"]  # GVPT 15 was never seen
    assert {int(m["periods"]) for m in modules} == {20}
    assert len(_tt20_map()) == 15


def test_programmes_make_the_measure_a_property_of_the_year():
    rows = {(r["school_year"], r["code"]): r for r in _csv("programmes.csv")}
    assert {rows[("2025-2026", c)]["measure"] for c in ("01", "02", "03")} == {"periods"}
    assert sum(int(rows[("2025-2026", c)]["required"]) for c in ("01", "02", "03")) == 120
    assert rows[("2026-2027", "03")]["measure"] == "weeks"
    assert rows[("2026-2027", "03")]["maximum"] == "3"


def test_result_levels_are_data_with_both_kinds():
    levels = _csv("result_levels.csv")
    kinds = {(r["kind"], r["passed"]) for r in levels}
    assert kinds == {("module", "yes"), ("module", "no"), ("year", "yes"), ("year", "no")}
    assert all("FROM MEMORY" in r["source_status"] for r in levels)


# --------------------------------------------------------------------------- suggestions

SUGGESTION_CASES = [
    # (levels, expected module codes in order)
    ("all at Tốt: nothing to suggest", _levels(), []),
    ("one weak criterion", _levels(c5=D), ["GVPT 05"]),
    ("lowest first", _levels(c9=K, c2=C, c14=D), ["GVPT 02", "GVPT 14", "GVPT 09"]),
    ("ties by criterion number", _levels(c11=K, c4=K, c7=K), ["GVPT 04", "GVPT 07", "GVPT 11"]),
    (
        "only the three weakest",
        _levels(c1=D, c3=D, c6=K, c8=C, c15=K),
        ["GVPT 08", "GVPT 01", "GVPT 03"],
    ),
    ("Khá counts as weak, Tốt never", _levels(c12=K), ["GVPT 12"]),
    ("unrated criteria are skipped", {1: None, 2: D, 3: T}, ["GVPT 02"]),
]


@pytest.mark.parametrize(
    ("levels", "expected"), [c[1:] for c in SUGGESTION_CASES], ids=[c[0] for c in SUGGESTION_CASES]
)
def test_suggest_modules_from_the_data_map(levels, expected):
    found = rules.suggest_modules(levels, _tt20_map())
    assert [s.module_code for s in found] == expected
    for s in found:
        assert s.criterion_number in _tt20_map()[s.module_code]
        assert s.level == levels[s.criterion_number]


def test_suggestions_without_a_map_for_the_framework():
    assert rules.suggest_modules(_levels(c1=C), {}) == []


def test_module_developing_two_weak_criteria_is_suggested_once():
    found = rules.suggest_modules({1: C, 2: D}, {"X": [1, 2], "Y": [2]})
    assert [(s.module_code, s.criterion_number) for s in found] == [("X", 1), ("Y", 2)]


@pytest.mark.parametrize(
    ("self_levels", "superior", "expected"),
    [
        ({1: "tot", 2: "kha"}, {}, {1: T, 2: K}),
        ({1: "tot", 2: "kha"}, {1: "dat"}, {1: D, 2: K}),  # the superior's level wins
        ({1: None, 2: "kha"}, {1: None}, {1: None, 2: K}),
        ({1: "tot"}, {2: "chua_dat"}, {1: T, 2: C}),
    ],
)
def test_effective_levels_prefer_the_superior(self_levels, superior, expected):
    assert rules.effective_levels(self_levels, superior) == expected


def test_superior_levels_change_the_suggestion():
    mapping = _tt20_map()
    self_levels = _levels(c3=K)
    superior = {6: C}
    found = rules.suggest_modules(rules.effective_levels(self_levels, superior), mapping)
    assert [s.module_code for s in found] == ["GVPT 06", "GVPT 03"]


# --------------------------------------------------------------------------- plan validation

PERIODS_40 = rules.TimeRule("periods", Decimal(40))
WEEKS_3 = rules.TimeRule("weeks", Decimal(1), Decimal(3))
YEAR = "2025-2026"
OPEN = dt.date(2026, 3, 1)
DEADLINE = dt.date(2026, 5, 31)


def _m(code: str, amount, start=None, end=None) -> rules.PlannedModule:
    return rules.PlannedModule(code, Decimal(str(amount)), start, end)


PLAN_CASES = [
    ("40 periods: two modules of 20", PERIODS_40, [_m("A", 20), _m("B", 20)], OPEN, []),
    ("more than required is fine", PERIODS_40, [_m("A", 20), _m("B", 20), _m("C", 20)], OPEN, []),
    ("one module of 20 is short", PERIODS_40, [_m("A", 20)], OPEN, ["too_little"]),
    ("no module", PERIODS_40, [], OPEN, ["no_modules", "too_little"]),
    ("duplicate module", PERIODS_40, [_m("A", 20), _m("A", 20)], OPEN, ["duplicate"]),
    ("zero amount", PERIODS_40, [_m("A", 40), _m("B", 0)], OPEN, ["no_amount"]),
    ("weeks: 2 of at most 3", WEEKS_3, [_m("A", 1), _m("B", 1)], OPEN, []),
    ("weeks: 3 exactly", WEEKS_3, [_m("A", 1.5), _m("B", 1.5)], OPEN, []),
    ("weeks: more than 3", WEEKS_3, [_m("A", 2), _m("B", 2)], OPEN, ["too_much"]),
    ("weeks: below the minimum", WEEKS_3, [_m("A", 0.5)], OPEN, ["too_little"]),
    ("on the deadline day", PERIODS_40, [_m("A", 40)], DEADLINE, []),
    (
        "the day after the deadline",
        PERIODS_40,
        [_m("A", 40)],
        DEADLINE + dt.timedelta(1),
        ["window_closed"],
    ),
    (
        "before the window opens",
        PERIODS_40,
        [_m("A", 40)],
        dt.date(2026, 1, 31),
        ["window_not_open"],
    ),
    (
        "end before start",
        PERIODS_40,
        [_m("A", 40, dt.date(2026, 3, 10), dt.date(2026, 3, 1))],
        OPEN,
        ["end_before_start"],
    ),
    (
        "timing outside the school year",
        PERIODS_40,
        [_m("A", 40, dt.date(2026, 9, 10), dt.date(2026, 10, 1))],
        OPEN,
        ["outside_year"],
    ),
]


@pytest.mark.parametrize(
    ("rule", "items", "today", "expected"),
    [c[1:] for c in PLAN_CASES],
    ids=[c[0] for c in PLAN_CASES],
)
def test_validate_plan(rule, items, today, expected):
    problems = rules.validate_plan(items, rule, YEAR, today, dt.date(2026, 2, 1), DEADLINE)
    assert [p.code for p in problems] == expected


def test_required_time_reports_the_numbers():
    (problem,) = rules.check_time([_m("A", 20)], PERIODS_40)
    assert problem.params == {"total": Decimal(20), "required": Decimal(40), "measure": "periods"}


@pytest.mark.parametrize(
    ("plan_end", "expected"),
    [(None, dt.date(2026, 5, 31)), (dt.date(2026, 6, 15), dt.date(2026, 6, 15))],
)
def test_deadline_defaults_to_31_may(plan_end, expected):
    assert rules.plan_deadline(YEAR, plan_end) == expected


def test_school_year_bounds():
    assert rules.school_year_bounds(YEAR) == (dt.date(2025, 9, 1), dt.date(2026, 8, 31))


# --------------------------------------------------------------------------- outcome, suppression


@pytest.mark.parametrize(
    ("results", "rule", "expected"),
    [
        ([("hoan_thanh", 20), ("hoan_thanh", 20)], PERIODS_40, True),
        ([("hoan_thanh", 20), (None, None)], PERIODS_40, None),
        ([("hoan_thanh", 20), ("khong_hoan_thanh", 8)], PERIODS_40, False),
        ([("hoan_thanh", 20), ("hoan_thanh", 10)], PERIODS_40, False),  # periods short
        ([("hoan_thanh", None)], WEEKS_3, True),
        ([], PERIODS_40, None),
    ],
)
def test_yearly_outcome(results, rule, expected):
    assert rules.yearly_outcome(results, ["hoan_thanh"], rule) is expected


@pytest.mark.parametrize(
    ("count", "hidden"), [(0, True), (1, True), (4, True), (5, False), (40, False)]
)
def test_small_groups_are_suppressed(count, hidden):
    assert rules.MIN_GROUP_SIZE == 5
    assert rules.suppress(count) is hidden


def test_likert_summary():
    summary = rules.likert_summary([5, 4, 4, 3, 9])
    assert summary["n"] == 4
    assert summary["counts"] == {1: 0, 2: 0, 3: 1, 4: 2, 5: 1}
    assert summary["mean"] == Decimal(4)
