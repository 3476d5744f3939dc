"""Table-driven tests of app.evaluation.rules against the framework files in app/data/frameworks.

The framework files are the data under test: parameters are loaded from them, never restated.
Expected results are written literally, from the regulation text:

- TT20/2018 Điều 10 (GV phổ thông; key criteria = Điều 5 = 3-7):
  Tốt: all >= Khá, >= 2/3 Tốt, 3-7 Tốt. Khá: all >= Đạt, >= 2/3 >= Khá, 3-7 >= Khá.
  Đạt: all >= Đạt. Otherwise Chưa đạt.
- TT14/2018 (HT phổ thông; key 1, 2, 4, 5, 6, 8, 10, 12, 13, 14): Tốt/Khá as TT20;
  Đạt: >= 2/3 of criteria >= Đạt and every key criterion >= Đạt.
- TT26/2018 (GV mầm non; key 1, 3, 4, 5, 6, 7, 8, 9): the TT20 pattern.
- TT25/2018 (HT mầm non; key 1, 4, 5, 6, 7, 9, 11, 13, 14, 15): Tốt/Khá as TT14; Đạt: all >= Đạt.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path

import pytest

from app.evaluation.rules import (
    BandRule,
    FrameworkError,
    Level,
    RatingParams,
    load_framework_file,
    min_count,
    missing_criteria,
    params_from_framework,
    parse_level,
    parse_threshold,
    rate,
    school_year_start,
    superior_due,
    validate_framework,
    weakest_criteria,
)

FRAMEWORK_DIR = Path(__file__).resolve().parent.parent / "app" / "data" / "frameworks"
FILES = {
    "TT20": "tt20_2018.yaml",
    "TT14": "tt14_2018.yaml",
    "TT26": "tt26_2018.yaml",
    "TT25": "tt25_2018.yaml",
}

T, K, D, C = Level.TOT, Level.KHA, Level.DAT, Level.CHUA_DAT


def framework(name: str) -> dict:
    return load_framework_file(FRAMEWORK_DIR / FILES[name])


def params(name: str) -> RatingParams:
    return params_from_framework(framework(name))


def levels(total: int, base: Level, **changes: list[int]) -> dict[int, Level]:
    """``total`` criteria at ``base``; ``tot=[..]``, ``kha=[..]``, ``dat=[..]``, ``chua_dat=[..]``
    put the listed criteria at that level."""
    result = dict.fromkeys(range(1, total + 1), base)
    for key, numbers in changes.items():
        for number in numbers:
            result[number] = Level[key.upper()]
    return result


# --------------------------------------------------------------------------- rating tables

# (case id, levels, expected level, a substring expected in one of the reasons or None)
TT20_CASES = [
    ("all-tot", levels(15, T), T, "15/15 tiêu chí đạt mức Tốt"),
    (
        "10-tot-incl-3-7-plus-5-kha",
        levels(15, K, tot=[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
        T,
        "10/15 tiêu chí đạt mức Tốt (cần ít nhất 10, tức 2/3)",
    ),
    (
        "only-9-tot-incl-3-7",
        levels(15, K, tot=[1, 2, 3, 4, 5, 6, 7, 8, 9]),
        K,
        "Chỉ 9/15 tiêu chí đạt mức Tốt, cần ít nhất 10 (2/3)",
    ),
    (
        "12-tot-but-criterion-5-kha",
        levels(15, K, tot=[1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13]),
        K,
        "Tiêu chí 5",
    ),
    (
        "14-tot-criterion-5-kha",
        levels(15, T, kha=[5]),
        K,
        "Tiêu chí 5 (then chốt) chưa đạt mức Tốt",
    ),
    ("14-tot-criterion-15-dat", levels(15, T, dat=[15]), K, "Tiêu chí 15 chưa đạt mức Khá"),
    (
        "10-tot-5-dat-non-key",
        levels(15, T, dat=[11, 12, 13, 14, 15]),
        K,
        "Các tiêu chí 11, 12, 13, 14, 15 chưa đạt mức Khá",
    ),
    ("criterion-1-not-key-in-tt20", levels(15, T, kha=[1]), T, None),
    ("all-kha", levels(15, K), K, "15/15 tiêu chí đạt mức Khá trở lên"),
    (
        "10-kha-incl-3-7-plus-5-dat",
        levels(15, D, kha=[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
        K,
        "10/15 tiêu chí đạt mức Khá trở lên (cần ít nhất 10, tức 2/3)",
    ),
    (
        "only-9-kha-incl-3-7",
        levels(15, D, kha=[1, 2, 3, 4, 5, 6, 7, 8, 9]),
        D,
        "Chỉ 9/15 tiêu chí đạt mức Khá trở lên, cần ít nhất 10 (2/3)",
    ),
    (
        "14-kha-criterion-4-dat",
        levels(15, K, dat=[4]),
        D,
        "Tiêu chí 4 (then chốt) chưa đạt mức Khá",
    ),
    (
        "14-tot-criterion-3-dat",
        levels(15, T, dat=[3]),
        D,
        "Tiêu chí 3 (then chốt) chưa đạt mức Khá",
    ),
    ("all-dat", levels(15, D), D, "Tất cả 15 tiêu chí đạt mức Đạt trở lên"),
    ("one-chua-dat-rest-tot", levels(15, T, chua_dat=[8]), C, "Tiêu chí 8 ở mức Chưa đạt"),
    ("key-chua-dat-rest-tot", levels(15, T, chua_dat=[5]), C, "Tiêu chí 5"),
    ("two-chua-dat", levels(15, D, chua_dat=[2, 14]), C, "Các tiêu chí 2, 14 ở mức Chưa đạt"),
    ("all-chua-dat", levels(15, C), C, None),
]

TT14_KEY = [1, 2, 4, 5, 6, 8, 10, 12, 13, 14]
TT14_CASES = [
    ("all-tot", levels(18, T), T, "18/18 tiêu chí đạt mức Tốt"),
    (
        "12-tot-incl-key-plus-6-kha",
        levels(18, K, tot=[*TT14_KEY, 3, 7]),
        T,
        "12/18 tiêu chí đạt mức Tốt (cần ít nhất 12, tức 2/3)",
    ),
    (
        "only-11-tot-incl-key",
        levels(18, K, tot=[*TT14_KEY, 3]),
        K,
        "Chỉ 11/18 tiêu chí đạt mức Tốt, cần ít nhất 12 (2/3)",
    ),
    ("17-tot-key-6-kha", levels(18, T, kha=[6]), K, "Tiêu chí 6 (then chốt) chưa đạt mức Tốt"),
    ("17-tot-non-key-3-kha", levels(18, T, kha=[3]), T, None),
    ("17-tot-non-key-18-dat", levels(18, T, dat=[18]), K, "Tiêu chí 18 chưa đạt mức Khá"),
    ("all-kha", levels(18, K), K, None),
    (
        "12-kha-incl-key-plus-6-dat",
        levels(18, D, kha=[*TT14_KEY, 3, 7]),
        K,
        "12/18 tiêu chí đạt mức Khá trở lên",
    ),
    (
        "only-11-kha-incl-key",
        levels(18, D, kha=[*TT14_KEY, 3]),
        D,
        "Chỉ 11/18 tiêu chí đạt mức Khá trở lên, cần ít nhất 12 (2/3)",
    ),
    ("17-kha-key-2-dat", levels(18, K, dat=[2]), D, "Tiêu chí 2 (then chốt) chưa đạt mức Khá"),
    ("all-dat", levels(18, D), D, "18/18 tiêu chí đạt mức Đạt trở lên"),
    (
        "12-dat-incl-key-6-non-key-chua-dat",
        levels(18, D, chua_dat=[9, 11, 15, 16, 17, 18]),
        D,
        "12/18 tiêu chí đạt mức Đạt trở lên (cần ít nhất 12, tức 2/3)",
    ),
    (
        "one-non-key-chua-dat-rest-tot-is-dat-unlike-tt20",
        levels(18, T, chua_dat=[18]),
        D,
        "Các tiêu chí then chốt 1, 2, 4, 5, 6, 8, 10, 12, 13, 14 đều đạt mức Đạt trở lên",
    ),
    (
        "only-11-dat-incl-key",
        levels(18, D, chua_dat=[3, 9, 11, 15, 16, 17, 18]),
        C,
        "Chỉ 11/18 tiêu chí đạt mức Đạt trở lên, cần ít nhất 12 (2/3)",
    ),
    (
        "key-13-chua-dat-17-others-tot",
        levels(18, T, chua_dat=[13]),
        C,
        "Tiêu chí 13 (then chốt) ở mức Chưa đạt",
    ),
    (
        "key-1-chua-dat-17-others-tot",
        levels(18, T, chua_dat=[1]),
        C,
        "Tiêu chí 1 (then chốt) ở mức Chưa đạt",
    ),
    ("all-chua-dat", levels(18, C), C, None),
]

TT26_KEY = [1, 3, 4, 5, 6, 7, 8, 9]
TT26_CASES = [
    ("all-tot", levels(15, T), T, None),
    ("10-tot-incl-key-plus-5-kha", levels(15, K, tot=[*TT26_KEY, 2, 10]), T, None),
    (
        "only-9-tot-incl-key",
        levels(15, K, tot=[*TT26_KEY, 2]),
        K,
        "Chỉ 9/15 tiêu chí đạt mức Tốt, cần ít nhất 10 (2/3)",
    ),
    ("key-1-kha-rest-tot", levels(15, T, kha=[1]), K, "Tiêu chí 1 (then chốt) chưa đạt mức Tốt"),
    ("key-9-kha-rest-tot", levels(15, T, kha=[9]), K, "Tiêu chí 9 (then chốt) chưa đạt mức Tốt"),
    ("non-key-2-kha-rest-tot", levels(15, T, kha=[2]), T, None),
    ("10-kha-incl-key-plus-5-dat", levels(15, D, kha=[*TT26_KEY, 2, 10]), K, None),
    ("only-9-kha-incl-key", levels(15, D, kha=[*TT26_KEY, 2]), D, None),
    ("key-9-dat-rest-kha", levels(15, K, dat=[9]), D, "Tiêu chí 9 (then chốt) chưa đạt mức Khá"),
    ("all-dat", levels(15, D), D, None),
    ("non-key-15-chua-dat-rest-tot", levels(15, T, chua_dat=[15]), C, "Tiêu chí 15 ở mức Chưa đạt"),
]

TT25_KEY = [1, 4, 5, 6, 7, 9, 11, 13, 14, 15]
TT25_CASES = [
    ("all-tot", levels(18, T), T, None),
    ("12-tot-incl-key-plus-6-kha", levels(18, K, tot=[*TT25_KEY, 2, 3]), T, None),
    (
        "only-11-tot-incl-key",
        levels(18, K, tot=[*TT25_KEY, 2]),
        K,
        "Chỉ 11/18 tiêu chí đạt mức Tốt, cần ít nhất 12 (2/3)",
    ),
    ("key-5-kha-rest-tot", levels(18, T, kha=[5]), K, "Tiêu chí 5 (then chốt) chưa đạt mức Tốt"),
    ("non-key-2-kha-rest-tot", levels(18, T, kha=[2]), T, None),
    ("12-kha-incl-key-plus-6-dat", levels(18, D, kha=[*TT25_KEY, 2, 3]), K, None),
    ("only-11-kha-incl-key", levels(18, D, kha=[*TT25_KEY, 2]), D, None),
    ("key-15-dat-rest-kha", levels(18, K, dat=[15]), D, "Tiêu chí 15 (then chốt) chưa đạt mức Khá"),
    ("all-dat", levels(18, D), D, None),
    (
        "non-key-18-chua-dat-rest-tot-unlike-tt14",
        levels(18, T, chua_dat=[18]),
        C,
        "Tiêu chí 18 ở mức Chưa đạt",
    ),
]


def _cases(name: str, table: list) -> list:
    return [
        pytest.param(name, lv, expected, reason, id=f"{name}-{cid}")
        for cid, lv, expected, reason in table
    ]


@pytest.mark.parametrize(
    ("name", "given", "expected", "reason"),
    _cases("TT20", TT20_CASES)
    + _cases("TT14", TT14_CASES)
    + _cases("TT26", TT26_CASES)
    + _cases("TT25", TT25_CASES),
)
def test_rate(name: str, given: Mapping[int, Level], expected: Level, reason: str | None) -> None:
    result = rate(params(name), given)
    assert result.level == expected, result.reasons
    assert result.label == expected.label
    assert result.reasons, "every result explains itself"
    if reason is not None:
        assert any(reason in text for text in result.reasons), result.reasons


def test_rate_checks_bands_from_tot_down_and_stops_at_the_one_reached() -> None:
    result = rate(params("TT20"), levels(15, K, dat=[4]))
    assert [(check.level, check.met) for check in result.checks] == [
        (T, False),
        (K, False),
        (D, True),
    ]
    assert result.reasons == (
        "Tiêu chí 4 (then chốt) chưa đạt mức Khá",
        "Tất cả 15 tiêu chí đạt mức Đạt trở lên",
    )


def test_rate_reasons_for_tot() -> None:
    result = rate(params("TT20"), levels(15, K, tot=[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))
    assert result.reasons == (
        "Tất cả 15 tiêu chí đạt mức Khá trở lên",
        "10/15 tiêu chí đạt mức Tốt (cần ít nhất 10, tức 2/3)",
        "Các tiêu chí then chốt 3, 4, 5, 6, 7 đều đạt mức Tốt",
    )


def test_rate_names_a_key_criterion_for_each_level_it_misses() -> None:
    # TT20, criterion 5 at Đạt: below Khá for "all >= Khá" and below Tốt as a key criterion.
    result = rate(params("TT20"), levels(15, T, dat=[5]))
    assert result.checks[0].reasons == (
        "Tiêu chí 5 chưa đạt mức Khá",
        "Tiêu chí 5 (then chốt) chưa đạt mức Tốt",
    )
    assert result.level == D


def test_rate_does_not_repeat_a_criterion_already_below_the_all_level() -> None:
    strict = RatingParams(
        criteria=(1, 2, 3),
        key_criteria=(1, 2),
        threshold=Fraction(2, 3),
        bands=(BandRule(T, all_at_least=T, key_at_least=T), BandRule(D, all_at_least=D)),
    )
    result = rate(strict, {1: K, 2: T, 3: K})
    assert result.checks[0].reasons == ("Các tiêu chí 1, 3 chưa đạt mức Tốt",)
    assert result.level == D


def test_rate_accepts_level_keys_and_labels() -> None:
    given = {n: "Tốt" for n in range(1, 16)}
    given[15] = "kha"
    assert rate(params("TT20"), given).level == T


def test_rate_refuses_missing_or_unknown_criteria() -> None:
    given = levels(15, T)
    del given[7]
    with pytest.raises(ValueError, match="Chưa đánh giá tiêu chí: 7"):
        rate(params("TT20"), given)
    with pytest.raises(ValueError, match="không có trong khung: 16"):
        rate(params("TT20"), {**levels(15, T), 16: T})


# --------------------------------------------------------------------------- parameters from files


@pytest.mark.parametrize(
    ("name", "code", "audience", "criteria", "key", "threshold_count", "dat_band"),
    [
        ("TT20", "TT20/2018", "giao_vien_pho_thong", 15, (3, 4, 5, 6, 7), 10, (D, None, None)),
        (
            "TT14",
            "TT14/2018",
            "hieu_truong_pho_thong",
            18,
            (1, 2, 4, 5, 6, 8, 10, 12, 13, 14),
            12,
            (None, D, D),
        ),
        (
            "TT26",
            "TT26/2018",
            "giao_vien_mam_non",
            15,
            (1, 3, 4, 5, 6, 7, 8, 9),
            10,
            (D, None, None),
        ),
        (
            "TT25",
            "TT25/2018",
            "hieu_truong_mam_non",
            18,
            (1, 4, 5, 6, 7, 9, 11, 13, 14, 15),
            12,
            (D, None, None),
        ),
    ],
)
def test_framework_files(name, code, audience, criteria, key, threshold_count, dat_band) -> None:
    data = framework(name)
    assert validate_framework(data) == []
    assert data["code"] == code
    assert data["audience"] == audience
    assert data["superior_period_years"] == 2
    got = params_from_framework(data)
    assert got.criteria == tuple(range(1, criteria + 1))
    assert got.key_criteria == key
    assert got.threshold == Fraction(2, 3)
    assert got.threshold_count == threshold_count
    assert [band.level for band in got.bands] == [T, K, D]
    tot, kha, dat = got.bands
    assert (tot.all_at_least, tot.threshold_at_least, tot.key_at_least) == (K, T, T)
    assert (kha.all_at_least, kha.threshold_at_least, kha.key_at_least) == (D, K, K)
    assert (dat.all_at_least, dat.threshold_at_least, dat.key_at_least) == dat_band


@pytest.mark.parametrize("name", FILES)
def test_every_criterion_carries_a_source_mark(name: str) -> None:
    for standard in framework(name)["standards"]:
        assert standard["source_status"] in ("VERIFIED", "VERIFIED-2nd", "FROM MEMORY")
        for criterion in standard["criteria"]:
            assert criterion["source_status"] in ("VERIFIED", "VERIFIED-2nd", "FROM MEMORY")


def test_unverified_names_are_marked_from_memory() -> None:
    # TT26 and TT25 criterion names were not read in any source.
    for name in ("TT26", "TT25"):
        marks = {c["source_status"] for s in framework(name)["standards"] for c in s["criteria"]}
        assert marks == {"FROM MEMORY"}, name
    tt14 = {
        c["number"]: c["source_status"]
        for s in framework("TT14")["standards"]
        for c in s["criteria"]
    }
    assert [n for n, mark in tt14.items() if mark == "VERIFIED"] == [1, 2, 4, 5]


def test_tt20_descriptors_present_for_every_level() -> None:
    for standard in framework("TT20")["standards"]:
        for criterion in standard["criteria"]:
            assert set(criterion["descriptors"]) == {"dat", "kha", "tot"}
            assert all(text.strip() for text in criterion["descriptors"].values())


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("total", "expected"),
    [(15, 10), (18, 12), (16, 11), (17, 12), (3, 2), (1, 1)],
)
def test_min_count_two_thirds(total: int, expected: int) -> None:
    assert min_count(Fraction(2, 3), total) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2/3", Fraction(2, 3)),
        (" 3 / 4 ", Fraction(3, 4)),
        (1, Fraction(1)),
        (Fraction(1, 2), Fraction(1, 2)),
    ],
)
def test_parse_threshold(value, expected) -> None:
    assert parse_threshold(value) == expected


@pytest.mark.parametrize("value", [0.66, "0.66", "2/0", "4/3", "0/3", True, None])
def test_parse_threshold_rejects(value) -> None:
    with pytest.raises(ValueError):
        parse_threshold(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("tot", T),
        ("TOT", T),
        ("Tốt", T),
        ("Khá", K),
        ("dat", D),
        ("Đạt", D),
        ("Chưa đạt", C),
        ("chua_dat", C),
        (2, K),
        (None, None),
        ("", None),
    ],
)
def test_parse_level(value, expected) -> None:
    assert parse_level(value) == expected


@pytest.mark.parametrize("value", ["gioi", 4, -1, True])
def test_parse_level_rejects(value) -> None:
    with pytest.raises(ValueError):
        parse_level(value)


def test_level_order_and_labels() -> None:
    assert C < D < K < T
    assert [int(level) for level in (C, D, K, T)] == [0, 1, 2, 3]
    assert [level.label for level in Level] == ["Chưa đạt", "Đạt", "Khá", "Tốt"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (levels(15, T), []),
        ({1: T, 2: None, 4: K}, [2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]),
        ({n: "" for n in range(1, 16)}, list(range(1, 16))),
        ({}, list(range(1, 16))),
    ],
)
def test_missing_criteria(given, expected) -> None:
    assert missing_criteria(params("TT20"), given) == expected


def test_missing_criteria_from_numbers() -> None:
    assert missing_criteria([3, 1, 2], {1: T}) == [2, 3]


@pytest.mark.parametrize(
    ("period", "first", "this", "due"),
    [
        (2, 2018, 2018, True),
        (2, 2018, 2019, False),
        (2, 2018, 2020, True),
        (2, 2018, 2025, False),
        (2, "2024-2025", "2025-2026", False),
        (2, "2024-2025", "2026-2027", True),
        (2, 2020, 2019, False),
        (1, 2020, 2023, True),
        (3, 2019, 2022, True),
        (3, 2019, 2021, False),
    ],
)
def test_superior_due(period, first, this, due) -> None:
    assert superior_due(period, first, this) is due


@pytest.mark.parametrize(
    ("period", "first", "this"), [(0, 2018, 2018), (2, "2024-2026", 2025), (2, 2018, "2025")]
)
def test_superior_due_rejects(period, first, this) -> None:
    with pytest.raises(ValueError):
        superior_due(period, first, this)


def test_school_year_start() -> None:
    assert school_year_start("2025-2026") == 2025
    assert school_year_start(2025) == 2025


@pytest.mark.parametrize(
    ("given", "n", "below", "expected"),
    [
        ({1: T, 2: D, 3: K, 4: D, 5: C}, 3, None, [5, 2, 4]),
        ({1: T, 2: D, 3: K, 4: D, 5: C}, 10, None, [5, 2, 4, 3, 1]),
        ({1: T, 2: D, 3: K, 4: D, 5: C}, 0, None, []),
        ({1: T, 2: T, 3: K}, 5, T, [3]),
        ({1: T, 2: T}, 5, T, []),
        ({3: K, 1: K, 2: K}, 2, None, [1, 2]),
        ({1: None, 2: D, 3: "kha"}, 5, None, [2, 3]),
    ],
)
def test_weakest_criteria(given, n, below, expected) -> None:
    assert weakest_criteria(given, n, below=below) == expected


# --------------------------------------------------------------------------- validation

NEW_FRAMEWORK_YAML = """\
code: "TT30/2026"
name: "Chuẩn nghề nghiệp giáo viên cơ sở giáo dục phổ thông (mới)"
audience: giao_vien_pho_thong
source_status: FROM MEMORY
school_years: {from: "2026-2027", to: null}
superior_period_years: 1
rating:
  key_criteria: [2]
  threshold: "2/3"
  bands:
    - {level: tot, all_at_least: kha, threshold_at_least: tot, key_at_least: tot}
    - {level: dat, all_at_least: dat}
standards:
  - number: 1
    name: "Tiêu chuẩn thử"
    criteria:
      - {number: 1, name: "Tiêu chí một", source_status: FROM MEMORY}
      - {number: 2, name: "Tiêu chí hai", source_status: FROM MEMORY}
      - {number: 3, name: "Tiêu chí ba", source_status: FROM MEMORY}
"""


def test_new_framework_through_a_file(tmp_path: Path) -> None:
    path = tmp_path / "tt30_2026.yaml"
    path.write_text(NEW_FRAMEWORK_YAML, encoding="utf-8")
    data = load_framework_file(path)
    assert validate_framework(data) == []
    got = params_from_framework(data)
    assert got.threshold_count == 2
    assert rate(got, {1: T, 2: T, 3: K}).level == T
    assert rate(got, {1: T, 2: K, 3: T}).level == D  # no Khá band in this framework
    assert rate(got, {1: T, 2: T, 3: C}).level == C


def test_no_key_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(NEW_FRAMEWORK_YAML.replace("- {number: 2,", "- {no: 2,"), encoding="utf-8")
    problems = validate_framework(load_framework_file(path))
    assert any('dùng khóa "number" thay cho "no"' in p for p in problems), problems


def test_load_framework_file_refuses_non_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(FrameworkError):
        load_framework_file(path)


def _broken(change) -> dict:
    data = copy.deepcopy(framework("TT20"))
    change(data)
    return data


def _set_band(index: int, field: str, value):
    def change(data):
        data["rating"]["bands"][index][field] = value

    return change


VALIDATION_CASES = [
    (
        "duplicate-criterion",
        lambda d: d["standards"][1]["criteria"][1].update(number=3),
        "Tiêu chí 3 bị trùng số thứ tự",
    ),
    (
        "gap-in-numbers",
        lambda d: d["standards"][4]["criteria"][1].update(number=16),
        "liên tục từ 1 đến 15",
    ),
    (
        "key-not-in-framework",
        lambda d: d["rating"].update(key_criteria=[3, 4, 5, 6, 7, 16]),
        "Tiêu chí then chốt 16 không có trong khung",
    ),
    (
        "key-duplicated",
        lambda d: d["rating"].update(key_criteria=[3, 3, 4]),
        "Tiêu chí then chốt bị liệt kê trùng: 3",
    ),
    ("band-unknown-level", _set_band(0, "level", "xuat_sac"), "level 'xuat_sac' không hợp lệ"),
    ("band-chua-dat", _set_band(2, "level", "chua_dat"), "level 'chua_dat' không hợp lệ"),
    ("band-twice", _set_band(1, "level", "tot"), "Mức Tốt được khai báo hai lần"),
    (
        "band-rule-unknown-level",
        _set_band(0, "key_at_least", "gioi"),
        "key_at_least = 'gioi' không phải mức hợp lệ",
    ),
    (
        "band-rule-unknown-field",
        _set_band(0, "most_at_least", "kha"),
        "trường không hợp lệ: most_at_least",
    ),
    (
        "band-without-conditions",
        _set_band(2, "all_at_least", None),
        "Mức Đạt: chưa có điều kiện nào",
    ),
    (
        "threshold-float",
        lambda d: d["rating"].update(threshold=0.67),
        'phải viết dạng phân số, ví dụ "2/3"',
    ),
    ("threshold-needed", lambda d: d["rating"].pop("threshold"), "chưa khai báo ngưỡng"),
    ("key-needed", lambda d: d["rating"].update(key_criteria=[]), "chưa có tiêu chí then chốt"),
    ("no-bands", lambda d: d["rating"].update(bands=[]), "chưa có mức nào"),
    ("no-rating", lambda d: d.pop("rating"), "Thiếu quy tắc xếp loại"),
    ("no-standards", lambda d: d.update(standards=[]), "chưa có tiêu chuẩn nào"),
    (
        "empty-standard",
        lambda d: d["standards"][0].update(criteria=[]),
        "Tiêu chuẩn 1: chưa có tiêu chí nào",
    ),
    (
        "duplicate-standard",
        lambda d: d["standards"][1].update(number=1),
        "Tiêu chuẩn 1 bị trùng số thứ tự",
    ),
    (
        "criterion-without-name",
        lambda d: d["standards"][0]["criteria"][0].update(name=" "),
        "Tiêu chí 1: thiếu tên",
    ),
    (
        "bad-descriptor-level",
        lambda d: d["standards"][0]["criteria"][0]["descriptors"].update(gioi="x"),
        "descriptors có mức không hợp lệ: gioi",
    ),
    (
        "bad-source-status",
        lambda d: d["standards"][0]["criteria"][0].update(source_status="CHẮC CHẮN"),
        "source_status 'CHẮC CHẮN' không hợp lệ",
    ),
    (
        "bad-audience",
        lambda d: d.update(audience="giao_vien"),
        "Đối tượng (audience) 'giao_vien' không hợp lệ",
    ),
    ("no-code", lambda d: d.update(code=""), "Thiếu Mã khung (code)"),
    (
        "bad-period",
        lambda d: d.update(superior_period_years=0),
        "superior_period_years) phải là số nguyên dương",
    ),
    (
        "bad-school-year",
        lambda d: d["school_years"].update(to="2025-2027"),
        "school_years.to = '2025-2027' không hợp lệ",
    ),
    (
        "reversed-school-years",
        lambda d: d["school_years"].update(to="2017-2018"),
        "Năm học kết thúc (school_years.to) trước",
    ),
]


@pytest.mark.parametrize(
    ("change", "problem"), [pytest.param(c, p, id=i) for i, c, p in VALIDATION_CASES]
)
def test_validate_framework_problems(change, problem: str) -> None:
    problems = validate_framework(_broken(change))
    assert any(problem in text for text in problems), problems


def test_validate_framework_not_a_mapping() -> None:
    assert validate_framework(["x"]) == ["Nội dung khung phải là một bảng khóa: giá trị (mapping)"]


def test_params_from_invalid_framework_raises_with_problems() -> None:
    data = _broken(lambda d: d["rating"].update(key_criteria=[99]))
    with pytest.raises(FrameworkError) as error:
        params_from_framework(data)
    assert "Tiêu chí then chốt 99 không có trong khung" in error.value.problems
