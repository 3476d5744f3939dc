"""Table-driven tests of app.personnel.rules.

Every expected value is written out literally, worked by hand from the regulation text
(NĐ 135/2020 Điều 3–4; TT 08/2013/TT-BNV; Luật Nhà giáo Điều 28(1) and NĐ 93/2026 Điều 20;
TT 20/2023 and TT 19/2023). Nothing here recomputes a rule. No database, no Flask app.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.personnel.rules import (
    DEFAULT_ROADMAP_PATH,
    StepCandidate,
    age_band,
    age_on,
    birth_date_from_year,
    due_for_step,
    interval_for_group,
    load_retirement_roadmap,
    meets_training_standard,
    next_salary_step,
    parse_retirement_roadmap,
    retirement_date,
    staffing_gap,
    staffing_norm,
)


@pytest.fixture(scope="module")
def roadmap():
    return load_retirement_roadmap(DEFAULT_ROADMAP_PATH)


# ---------------------------------------------------------------------------
# Retirement: NĐ 135/2020 Điều 4 roadmap, Điều 3 end-of-month rule
# ---------------------------------------------------------------------------

# (birth date, sex, expected retirement date, how the expectation was worked out)
RETIREMENT_CASES = [
    # Before the roadmap: the 60 / 55 age of Bộ luật Lao động 2012 was reached in 2020.
    (date(1960, 10, 20), "nam", date(2020, 10, 31), "60y reached 10/2020, before 2021"),
    (date(1960, 2, 15), "nam", date(2020, 2, 29), "60y reached 2/2020, leap February"),
    (date(1965, 12, 15), "nu", date(2020, 12, 31), "55y reached 12/2020, before 2021"),
    (date(1965, 2, 15), "nữ", date(2020, 2, 29), "55y reached 2/2020, leap February"),
    # Men, 2021 first row: 60y3m.
    (date(1961, 1, 10), "nam", date(2021, 4, 30), "1/1961 + 60y3m = 4/2021"),
    (date(1961, 9, 30), "nam", date(2021, 12, 31), "9/1961 + 60y3m = 12/2021, last of 2021"),
    (date(1961, 10, 1), "nam", date(2022, 4, 30), "10/1961: 60y3m = 1/2022 not 2021; 60y6m"),
    # Men, middle of the roadmap.
    (date(1963, 3, 15), "nam", date(2023, 12, 31), "3/1963 + 60y9m = 12/2023"),
    (date(1963, 5, 31), "nam", date(2024, 5, 31), "5/1963: 60y9m = 2/2024 not 2023; 61y"),
    (date(1966, 3, 15), "nam", date(2027, 12, 31), "3/1966 + 61y9m = 12/2027"),
    # Men, cap of 62 from 2028.
    (date(1966, 4, 1), "nam", date(2028, 4, 30), "4/1966: 61y9m = 1/2028 not 2027; 62y"),
    (date(1967, 2, 15), "nam", date(2029, 2, 28), "2/1967 + 62y = 2/2029, common February"),
    (date(1970, 2, 15), "nam", date(2032, 2, 29), "2/1970 + 62y = 2/2032, leap February"),
    # Women, 2021 first row: 55y4m.
    (date(1966, 1, 1), "nu", date(2021, 5, 31), "1/1966 + 55y4m = 5/2021"),
    (date(1966, 8, 15), "nu", date(2021, 12, 31), "8/1966 + 55y4m = 12/2021"),
    (date(1966, 9, 15), "nu", date(2022, 5, 31), "9/1966: 55y4m = 1/2022 not 2021; 55y8m"),
    # Women, middle of the roadmap.
    (date(1970, 6, 10), "nu", date(2027, 10, 31), "6/1970: 57y = 6/2027 not 2026; 57y4m"),
    (date(1972, 1, 31), "nu", date(2030, 5, 31), "1/1972: 58y = 1/2030 not 2029; 58y4m"),
    # Women, cap of 60 from 2035.
    (date(1975, 4, 30), "nu", date(2034, 12, 31), "4/1975 + 59y8m = 12/2034"),
    (date(1975, 5, 1), "nu", date(2035, 5, 31), "5/1975: 59y8m = 1/2035 not 2034; 60y"),
    (date(1976, 2, 29), "nu", date(2036, 2, 29), "born 29/2, 60y = 2/2036, leap February"),
]


@pytest.mark.parametrize(
    ("birth", "sex", "expected", "why"), RETIREMENT_CASES, ids=[c[3] for c in RETIREMENT_CASES]
)
def test_retirement_date(roadmap, birth, sex, expected, why):
    assert retirement_date(birth, sex, roadmap) == expected


def test_retirement_with_only_birth_year(roadmap):
    # Điều 3: 1 January is used; 1/1970 + 62y = 1/2032 (61y9m = 10/2031 is not in 2027).
    assert birth_date_from_year(1970) == date(1970, 1, 1)
    assert retirement_date(birth_date_from_year(1970), "nam", roadmap) == date(2032, 1, 31)


def test_retirement_rejects_unknown_sex(roadmap):
    with pytest.raises(ValueError):
        retirement_date(date(1970, 1, 1), "x", roadmap)


def test_roadmap_file_rows(roadmap):
    men = [r for r in roadmap if r.sex == "nam"]
    women = [r for r in roadmap if r.sex == "nu"]
    assert len(men) == 9 and len(women) == 16
    assert (men[1].year_from, men[1].years, men[1].months) == (2021, 60, 3)
    assert (men[-1].year_from, men[-1].year_to, men[-1].years) == (2028, None, 62)
    assert (women[-1].year_from, women[-1].year_to, women[-1].years) == (2035, None, 60)
    assert (men[0].year_from, men[0].year_to, men[0].years) == (None, 2020, 60)
    assert all(r.source_status for r in roadmap)


def test_parse_roadmap_text():
    text = (
        "year_of_retirement,sex,retirement_age_years,retirement_age_months,label,source_status\n"
        "2030+,nữ,58,0,58 tuổi,VERIFIED\n"
        "2029,nữ,57,6,57 tuổi 6 tháng,FROM MEMORY\n"
    )
    rows = parse_retirement_roadmap(text)
    assert [(r.year_from, r.year_to, r.sex, r.months) for r in rows] == [
        (2029, 2029, "nu", 6),
        (2030, None, "nu", 0),
    ]


# ---------------------------------------------------------------------------
# Salary steps: TT 08/2013/TT-BNV (36 / 24 months, delay, early, over-frame 5 % then +1 %)
# ---------------------------------------------------------------------------

A1 = ["2.34", "2.67", "3.00", "3.33", "3.66", "3.99", "4.32", "4.65", "4.98"]  # 9 steps
B = [
    "1.86",
    "2.06",
    "2.26",
    "2.46",
    "2.66",
    "2.86",
    "3.06",
    "3.26",
    "3.46",
    "3.66",
    "3.86",
    "4.06",
]  # 12 steps

# (step, scale, last date, interval, delay, early, over-frame %, kind, new step, coef, %, due)
STEP_CASES = [
    ("A1 36 months", 3, A1, date(2020, 9, 1), 36, 0, 0, 0, "step", 4, "3.33", 0, date(2023, 9, 1)),
    ("A1 delay 6", 3, A1, date(2020, 9, 1), 36, 6, 0, 0, "step", 4, "3.33", 0, date(2024, 3, 1)),
    ("A1 early 12", 3, A1, date(2020, 9, 1), 36, 0, 12, 0, "step", 4, "3.33", 0, date(2022, 9, 1)),
    (
        "A1 step 8 to 9",
        8,
        A1,
        date(2019, 1, 1),
        36,
        0,
        0,
        0,
        "step",
        9,
        "4.98",
        0,
        date(2022, 1, 1),
    ),
    ("B 24 months", 5, B, date(2022, 1, 15), 24, 0, 0, 0, "step", 6, "2.86", 0, date(2024, 1, 15)),
    ("B step 1", 1, B, date(2023, 7, 1), 24, 0, 0, 0, "step", 2, "2.06", 0, date(2025, 7, 1)),
    (
        "end of month",
        2,
        A1,
        date(2021, 8, 31),
        36,
        0,
        0,
        0,
        "step",
        3,
        "3.00",
        0,
        date(2024, 8, 31),
    ),
    (
        "into leap Feb",
        2,
        A1,
        date(2021, 5, 31),
        36,
        0,
        3,
        0,
        "step",
        3,
        "3.00",
        0,
        date(2024, 2, 29),
    ),
    (
        "A1 last -> 5%",
        9,
        A1,
        date(2021, 7, 1),
        36,
        0,
        0,
        0,
        "over_frame",
        9,
        "4.98",
        5,
        date(2024, 7, 1),
    ),
    (
        "5% -> 6%",
        9,
        A1,
        date(2024, 7, 1),
        36,
        0,
        0,
        5,
        "over_frame",
        9,
        "4.98",
        6,
        date(2025, 7, 1),
    ),
    (
        "7% delay 6",
        9,
        A1,
        date(2025, 7, 1),
        36,
        6,
        0,
        7,
        "over_frame",
        9,
        "4.98",
        8,
        date(2027, 1, 1),
    ),
    (
        "B last -> 5%",
        12,
        B,
        date(2023, 3, 1),
        24,
        0,
        0,
        0,
        "over_frame",
        12,
        "4.06",
        5,
        date(2025, 3, 1),
    ),
    (
        "B 5% -> 6%",
        12,
        B,
        date(2025, 3, 1),
        24,
        0,
        0,
        5,
        "over_frame",
        12,
        "4.06",
        6,
        date(2026, 3, 1),
    ),
]


@pytest.mark.parametrize(
    (
        "why",
        "step",
        "scale",
        "last",
        "interval",
        "delay",
        "early",
        "held",
        "kind",
        "new_step",
        "coef",
        "percent",
        "due",
    ),
    STEP_CASES,
    ids=[c[0] for c in STEP_CASES],
)
def test_next_salary_step(
    why, step, scale, last, interval, delay, early, held, kind, new_step, coef, percent, due
):
    result = next_salary_step(step, scale, last, interval, delay, early, over_frame_percent=held)
    assert (result.kind, result.step, result.coefficient) == (kind, new_step, Decimal(coef))
    assert (result.over_frame_percent, result.due_date) == (percent, due)


def test_early_raise_does_not_apply_over_frame():
    result = next_salary_step(9, A1, date(2021, 7, 1), 36, early_months=6)
    assert result.due_date == date(2024, 7, 1)
    assert result.over_frame_percent == 5
    assert "trước thời hạn" in result.note


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((0, A1, date(2020, 1, 1), 36), {}),
        ((10, A1, date(2020, 1, 1), 36), {}),
        ((3, A1, date(2020, 1, 1), 36), {"early_months": 13}),
        ((3, A1, date(2020, 1, 1), 36), {"delay_months": -1}),
        ((3, A1, date(2020, 1, 1), 0), {}),
        ((3, A1, date(2020, 1, 1), 36), {"over_frame_percent": 5}),
        ((1, [], date(2020, 1, 1), 36), {}),
    ],
)
def test_next_salary_step_rejects(args, kwargs):
    with pytest.raises(ValueError):
        next_salary_step(*args, **kwargs)


@pytest.mark.parametrize(
    ("group", "months"), [("A0", 36), ("A1", 36), ("A2.1", 36), ("A2.2", 36), ("B", 24), ("c", 24)]
)
def test_interval_for_group(group, months):
    assert interval_for_group(group) == months


def test_due_for_step_lists_the_period_in_date_order():
    people = [
        StepCandidate(1, 3, A1, date(2022, 9, 1), 36),  # due 1/9/2025
        StepCandidate(2, 5, B, date(2023, 2, 1), 24),  # due 1/2/2025
        StepCandidate(3, 3, A1, date(2023, 9, 1), 36),  # due 1/9/2026: outside
        StepCandidate(4, 9, A1, date(2021, 12, 31), 36),  # over-frame 5 % on 31/12/2024: overdue
        {  # due 1/9/2024 + 6 months delay = 1/3/2025 (mapping rows are accepted)
            "person_id": 5,
            "current_step": 2,
            "coefficients": A1,
            "last_step_date": date(2021, 9, 1),
            "interval_months": 36,
            "delay_months": 6,
        },
    ]
    due = due_for_step(people, date(2025, 1, 1), date(2025, 12, 31))
    assert [(d.person_id, d.result.due_date) for d in due] == [
        (2, date(2025, 2, 1)),
        (5, date(2025, 3, 1)),
        (1, date(2025, 9, 1)),
    ]
    with_overdue = due_for_step(people, date(2025, 1, 1), date(2025, 12, 31), include_overdue=True)
    assert [(d.person_id, d.overdue) for d in with_overdue] == [
        (4, True),
        (2, False),
        (5, False),
        (1, False),
    ]


def test_due_for_step_rejects_inverted_period():
    with pytest.raises(ValueError):
        due_for_step([], date(2025, 12, 31), date(2025, 1, 1))


# ---------------------------------------------------------------------------
# Training standard: Luật Nhà giáo Điều 28(1); exceptions NĐ 93/2026 Điều 20(2)
# ---------------------------------------------------------------------------

# (why, level, qualification, teacher_training, college_suffices, nvsp, ok, exception)
TRAINING_CASES = [
    ("MN CĐSP", "mn", "cao_dang_su_pham", False, False, False, True, False),
    ("MN CĐ sư phạm GDMN", "mn", "cao_dang", True, False, False, True, False),
    ("MN ĐHSP", "mn", "dai_hoc", True, False, False, True, False),
    ("MN CĐ not teacher training", "mn", "cao_dang", False, False, False, False, False),
    ("MN ĐH + NVSP, no NVSP route", "mn", "dai_hoc", False, False, True, False, False),
    ("MN trung cấp", "mn", "trung_cap", True, False, False, False, False),
    ("MN: subject exception n/a", "mn", "cao_dang", False, True, True, False, False),
    ("TH ĐHSP", "th", "dai_hoc", True, False, False, True, False),
    ("TH ĐH no NVSP", "th", "dai_hoc", False, False, False, False, False),
    ("TH ĐH + NVSP", "th", "dai_hoc", False, False, True, True, False),
    ("TH CĐSP", "th", "cao_dang_su_pham", False, False, False, False, False),
    ("TH CĐSP Ngoại ngữ TH", "th", "cao_dang_su_pham", False, True, False, True, True),
    ("THCS CĐSP Tin học", "thcs", "cao_dang_su_pham", True, True, False, True, True),
    ("THCS CĐSP Toán", "thcs", "cao_dang_su_pham", True, False, False, False, False),
    ("THPT CĐ + NVSP Công nghệ", "thpt", "cao_dang", False, True, True, True, True),
    ("THPT CĐ no NVSP Công nghệ", "thpt", "cao_dang", False, True, False, False, False),
    ("THPT trung cấp Âm nhạc", "thpt", "trung_cap", True, True, False, False, False),
    ("THPT ThS sư phạm", "thpt", "thac_si", True, False, False, True, False),
    ("THPT TS + NVSP", "thpt", "tien_si", False, False, True, True, False),
    ("THPT ĐHSP Mĩ thuật: standard", "thpt", "dai_hoc", True, True, False, True, False),
    ("rank given as number", "thcs", 30, True, False, False, True, False),
]


@pytest.mark.parametrize(
    ("why", "level", "qualification", "teacher_training", "suffices", "nvsp", "ok", "exception"),
    TRAINING_CASES,
    ids=[c[0] for c in TRAINING_CASES],
)
def test_meets_training_standard(
    why, level, qualification, teacher_training, suffices, nvsp, ok, exception
):
    check = meets_training_standard(
        level, qualification, teacher_training, suffices, nvsp_certificate=nvsp
    )
    assert (check.ok, check.exception_applied) == (ok, exception)
    assert check.reason.startswith("Đạt chuẩn" if ok else "Chưa đạt chuẩn")
    assert check.citation


def test_training_reasons_are_explicit():
    short = meets_training_standard("thcs", "dai_hoc", False)
    assert "không thuộc ngành đào tạo giáo viên" in short.reason
    assert "NVSP" in short.reason
    low = meets_training_standard("thpt", "cao_dang", True)
    assert "thấp hơn mức chuẩn" in low.reason
    exc = meets_training_standard("th", "cao_dang", True, True)
    assert "Điều 20(8)" in exc.reason
    assert exc.citation == "NĐ 93/2026/NĐ-CP Điều 20(2)"


@pytest.mark.parametrize(("level", "qualification"), [("dh", "dai_hoc"), ("th", "ky_su")])
def test_training_standard_rejects_unknown_codes(level, qualification):
    with pytest.raises(ValueError):
        meets_training_standard(level, qualification, True)


# ---------------------------------------------------------------------------
# Staffing norms: TT 20/2023 (TH, THCS, THPT) and TT 19/2023 (MN)
# ---------------------------------------------------------------------------

# (why, type, classes, pupils, region, sessions, special, exact, teachers, tpt, total)
NORM_CASES = [
    ("TH v1 2 buổi, no leftover", "th", {"th": 10}, {"th": 250}, 1, 2, "", "15.0", 15, 1, 16),
    # 280 − 10×25 = 30 leftover; 30 // 12 = 2.
    ("TH v1 2 buổi, 30 left", "th", {"th": 10}, {"th": 280}, 1, 2, "", "17.0", 17, 1, 18),
    # 12×1.2 = 14.4; 380 − 360 = 20; 20 // 15 = 1; 15.4 → 15.
    ("TH v2 1 buổi", "th", {"th": 12}, {"th": 380}, 2, 1, "", "15.4", 15, 1, 16),
    # 20×1.5 = 30; 716 − 700 = 16 < 17.
    ("TH v3 16 left < 17", "th", {"th": 20}, {"th": 716}, 3, 2, "", "30.0", 30, 1, 31),
    # 20×1.5 = 30; 734 − 700 = 34; 34 // 17 = 2.
    ("TH v3 34 left", "th", {"th": 20}, {"th": 734}, 3, 2, "", "32.0", 32, 1, 33),
    # Fewer pupils than the baseline: no deduction.
    ("TH v1 small classes", "th", {"th": 5}, {"th": 60}, 1, 2, "", "7.5", 7, 1, 8),
    # 8×1.9 = 15.2; 300 − 280 = 20; 20 // 17 = 1; 16.2 → 16.
    ("THCS v1", "thcs", {"thcs": 8}, {"thcs": 300}, 1, 2, "", "16.2", 16, 1, 17),
    # 30×1.9 = 57; 1400 − 1350 = 50; 50 // 22 = 2.
    ("THCS v3", "thcs", {"thcs": 30}, {"thcs": 1400}, 3, 2, "", "59.0", 59, 1, 60),
    # 10×1.9 = 19; 439 − 400 = 39; 39 // 20 = 1.
    ("THCS v2", "thcs", {"thcs": 10}, {"thcs": 439}, 2, 2, "", "20.0", 20, 1, 21),
    ("THCS PTDTNT 2.2", "thcs", {"thcs": 8}, {"thcs": 280}, 1, 2, "ptdtnt", "17.6", 17, 1, 18),
    ("THCS PTDTBT 2.2", "thcs", {"thcs": 5}, {"thcs": 150}, 1, 2, "ptdtbt", "11.0", 11, 1, 12),
    # 30×2.25 = 67.5; 1240 − 1200 = 40; 40 // 20 = 2; 69.5 → 69; no TPT Đội.
    ("THPT v2", "thpt", {"thpt": 30}, {"thpt": 1240}, 2, 2, "", "69.5", 69, 0, 69),
    # 12×2.25 = 27; 471 − 420 = 51; 51 // 17 = 3.
    ("THPT v1 51 left", "thpt", {"thpt": 12}, {"thpt": 471}, 1, 2, "", "30.0", 30, 0, 30),
    ("THPT PTDTNT 2.4", "thpt", {"thpt": 12}, {"thpt": 420}, 1, 2, "ptdtnt", "28.8", 28, 0, 28),
    ("THPT chuyên 3.1", "thpt", {"thpt": 30}, {"thpt": 1050}, 3, 2, "chuyen", "93.0", 93, 0, 93),
    # 2.5×3 + 2.2×6 = 7.5 + 13.2 = 20.7 → 20.
    ("MN", "mn", {"nhatre": 3, "maugiao": 6}, {}, 1, 2, "", "20.7", 20, 0, 20),
    ("MN mẫu giáo only", "mn", {"maugiao": 5}, {}, 2, 2, "", "11.0", 11, 0, 11),
    # TH 10×1.5 = 15 (300 = 10×30); THCS 8×1.9 = 15.2 (320 = 8×40); one TPT Đội.
    (
        "liên cấp TH-THCS v2",
        "lc_thcs",
        {"th": 10, "thcs": 8},
        {"th": 300, "thcs": 320},
        2,
        2,
        "",
        "30.2",
        30,
        1,
        31,
    ),
    # THCS 6×1.9 = 11.4 (+ (250 − 210) // 17 = 2); THPT 9×2.25 = 20.25 (+ 0).
    (
        "liên cấp THCS-THPT v1",
        "lc_thpt",
        {"thcs": 6, "thpt": 9},
        {"thcs": 250, "thpt": 300},
        1,
        2,
        "",
        "33.65",
        33,
        1,
        34,
    ),
]


@pytest.mark.parametrize(
    (
        "why",
        "school_type",
        "classes",
        "pupils",
        "region",
        "sessions",
        "special",
        "exact",
        "teachers",
        "tpt",
        "total",
    ),
    NORM_CASES,
    ids=[c[0] for c in NORM_CASES],
)
def test_staffing_norm(
    why, school_type, classes, pupils, region, sessions, special, exact, teachers, tpt, total
):
    norm = staffing_norm(school_type, classes, pupils, region, sessions, special)
    assert norm.exact == Decimal(exact)
    assert (norm.teachers, norm.tpt_doi, norm.total) == (teachers, tpt, total)


def test_staffing_norm_breakdown():
    norm = staffing_norm("th", {"th": 10}, {"th": 280}, 1, 2)
    (line,) = norm.lines
    assert (line.level, line.label, line.classes, line.pupils) == ("th", "Tiểu học", 10, 280)
    assert (line.ratio, line.by_classes) == (Decimal("1.5"), Decimal("15.0"))
    assert (line.leftover_pupils, line.extra_for_leftover) == (30, 2)
    assert staffing_gap(norm, 16) == -2
    assert staffing_gap(norm, 20) == 2


def test_staffing_norm_some_specialised_classes():
    # 10 lớp chuyên × 3.1 = 31; 20 other classes × 2.25 = 45; 1050 < 30 × 45.
    norm = staffing_norm(
        "thpt", {"thpt": 30}, {"thpt": 1050}, 3, 2, "chuyen", specialised_classes=10
    )
    assert (norm.exact, norm.total) == (Decimal("76.00"), 76)


def test_staffing_norm_gdtx_has_no_norm():
    norm = staffing_norm("gdtx", {}, {}, 1)
    assert (norm.total, norm.lines) == (0, ())
    assert norm.notes


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        (("th", {"th": 10}, {"th": 250}, 4, 2), {}),
        (("th", {"th": 10}, {"th": 250}, 1, 3), {}),
        (("truong", {}, {}, 1, 2), {}),
        (("th", {"th": -1}, {}, 1, 2), {}),
        (("thpt", {"thpt": 5}, {"thpt": 100}, 1, 2, "chuyen"), {"specialised_classes": 6}),
    ],
)
def test_staffing_norm_rejects(args, kwargs):
    with pytest.raises(ValueError):
        staffing_norm(*args, **kwargs)


# ---------------------------------------------------------------------------
# Age helpers for reports
# ---------------------------------------------------------------------------

AGE_CASES = [
    (date(1990, 6, 15), date(2025, 6, 14), 34, "30–39"),
    (date(1990, 6, 15), date(2025, 6, 15), 35, "30–39"),
    (date(1996, 1, 1), date(2025, 12, 31), 29, "Dưới 30"),
    (date(1975, 9, 5), date(2025, 9, 5), 50, "50–54"),
    (date(1970, 3, 1), date(2025, 9, 5), 55, "Từ 55 trở lên"),
    (date(1980, 2, 29), date(2025, 2, 28), 44, "40–49"),
]


@pytest.mark.parametrize(("birth", "on", "age", "band"), AGE_CASES)
def test_age_helpers(birth, on, age, band):
    assert age_on(birth, on) == age
    assert age_band(birth, on) == band
