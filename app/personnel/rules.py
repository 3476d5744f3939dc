"""Personnel rules (ePMIS): pure functions of what the regulations say.

No Flask, no database, no file read at import time. Regulation parameters are the
module-level tables below (each cited, with the source mark of /work/shared/domain:
VERIFIED, VERIFIED-2nd or FROM MEMORY) or rows parsed from ``app/data`` CSV files and
passed in by the caller. Every public function names the article it implements.

Exported:

- retirement: :func:`parse_retirement_roadmap`, :func:`load_retirement_roadmap`,
  :func:`retirement_date`, :func:`birth_date_from_year`;
- salary steps: :func:`interval_for_group`, :func:`next_salary_step`, :func:`due_for_step`;
- training standard: :func:`qualification_rank`, :func:`meets_training_standard`;
- staffing norms: :func:`staffing_norm`, :func:`staffing_gap`;
- reports: :func:`age_on`, :func:`age_band`.
"""

from __future__ import annotations

import calendar
import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

# ---------------------------------------------------------------------------
# Regulation parameters ("versioned data"). Change them here or in app/data, never inline.
# ---------------------------------------------------------------------------

#: The CSV holding the NĐ 135/2020 roadmap. Only a path: nothing is read at import time.
DEFAULT_ROADMAP_PATH = Path(__file__).resolve().parent.parent / "data" / "retirement_roadmap.csv"

#: Sex codes as stored on Person.sex ("nam"/"nu"); the CSV writes "nữ".
SEX_ALIASES: dict[str, str] = {"nam": "nam", "nu": "nu", "nữ": "nu", "male": "nam", "female": "nu"}

#: Regular step interval in months by salary group of NĐ 204/2004.
#: 36 months for titles paid at A0 (cao đẳng) and above, 24 for loại B and below.
#: Numbers VERIFIED indirectly (viên chức conversion rules, Pháp điển); the rule itself
#: (TT 08/2013/TT-BNV, sđ TT 03/2021/TT-BNV) FROM MEMORY.
STEP_INTERVAL_BY_GROUP: dict[str, int] = {
    "A0": 36,
    "A1": 36,
    "A2.1": 36,
    "A2.2": 36,
    "A3.1": 36,
    "A3.2": 36,
    "B": 24,
    "C": 24,
}

#: Over-frame seniority allowance (phụ cấp thâm niên vượt khung), TT 08/2013/TT-BNV
#: (FROM MEMORY): 5 % after holding the last step for the regular interval (36 / 24 months),
#: then +1 % for every further 12 months.
OVER_FRAME_FIRST_PERCENT = 5
OVER_FRAME_YEARLY_INCREMENT = 1
OVER_FRAME_INTERVAL_MONTHS = 12

#: Early raise (nâng bậc lương trước thời hạn) is at most 12 months (TT 08/2013, FROM MEMORY).
MAX_EARLY_MONTHS = 12

#: Trình độ đào tạo ranks; mirrors app/data/qualification_levels.csv (rank is an app convention).
QUALIFICATION_RANKS: dict[str, int] = {
    "trung_cap": 10,
    "cao_dang": 20,
    "cao_dang_su_pham": 25,
    "dai_hoc": 30,
    "thac_si": 40,
    "tien_si": 50,
}
#: Qualification codes that are in a teacher-training field by definition.
TEACHER_TRAINING_CODES: frozenset[str] = frozenset({"cao_dang_su_pham"})
COLLEGE_RANK = QUALIFICATION_RANKS["cao_dang"]
BACHELOR_RANK = QUALIFICATION_RANKS["dai_hoc"]


@dataclass(frozen=True)
class TrainingRequirement:
    """One level's trình độ chuẩn: minimum rank and whether an NVSP certificate may
    replace a degree in a teacher-training field."""

    min_rank: int
    nvsp_allowed: bool
    label: str
    citation: str


#: Luật Nhà giáo 2025 Điều 28(1) (formerly Luật Giáo dục 2019 Điều 72), VERIFIED indirectly
#: (hạng III requirements of TT 01–04/2021; the statute text itself was not read).
#: GDTX follows the THPT rule: FROM MEMORY, not verified.
TRAINING_STANDARDS: dict[str, TrainingRequirement] = {
    "mn": TrainingRequirement(
        COLLEGE_RANK,
        False,
        "bằng cao đẳng sư phạm (giáo dục mầm non) trở lên",
        "Luật Nhà giáo Điều 28(1)",
    ),
    "th": TrainingRequirement(
        BACHELOR_RANK,
        True,
        "bằng cử nhân ngành đào tạo giáo viên, hoặc cử nhân chuyên ngành phù hợp "
        "và chứng chỉ bồi dưỡng nghiệp vụ sư phạm",
        "Luật Nhà giáo Điều 28(1)",
    ),
    "thcs": TrainingRequirement(
        BACHELOR_RANK,
        True,
        "bằng cử nhân ngành đào tạo giáo viên, hoặc cử nhân chuyên ngành phù hợp "
        "và chứng chỉ bồi dưỡng nghiệp vụ sư phạm",
        "Luật Nhà giáo Điều 28(1)",
    ),
    "thpt": TrainingRequirement(
        BACHELOR_RANK,
        True,
        "bằng cử nhân ngành đào tạo giáo viên, hoặc cử nhân chuyên ngành phù hợp "
        "và chứng chỉ bồi dưỡng nghiệp vụ sư phạm",
        "Luật Nhà giáo Điều 28(1)",
    ),
    "gdtx": TrainingRequirement(
        BACHELOR_RANK,
        True,
        "bằng cử nhân ngành đào tạo giáo viên, hoặc cử nhân chuyên ngành phù hợp "
        "và chứng chỉ bồi dưỡng nghiệp vụ sư phạm",
        "Luật Nhà giáo Điều 28(1) (áp dụng như THPT, chưa xác minh)",
    ),
}

#: NĐ 93/2026/NĐ-CP Điều 20(2), VERIFIED-2nd (Pháp điển copy): for Mĩ thuật, Âm nhạc,
#: Nghệ thuật, Ngoại ngữ cấp tiểu học, Tin học and Công nghệ in general-education, GDTX and
#: special schools, "cao đẳng trở lên thuộc ngành đào tạo giáo viên phù hợp, hoặc cao đẳng
#: trở lên ngành phù hợp và chứng chỉ bồi dưỡng NVSP". Điều 20(8): the teacher must then
#: train up to the Điều 28(1) standard after recruitment.
COLLEGE_EXCEPTION = TrainingRequirement(
    COLLEGE_RANK,
    True,
    "bằng cao đẳng trở lên ngành đào tạo giáo viên phù hợp với môn học, hoặc cao đẳng "
    "trở lên ngành phù hợp và chứng chỉ bồi dưỡng nghiệp vụ sư phạm",
    "NĐ 93/2026/NĐ-CP Điều 20(2)",
)
COLLEGE_EXCEPTION_LEVELS: frozenset[str] = frozenset({"th", "thcs", "thpt", "gdtx"})

#: Teachers per class, TT 20/2023/TT-BGDĐT (general education) and TT 19/2023/TT-BGDĐT
#: (preschool), VERIFIED (Pháp điển). Values are maxima ("tối đa").
TH_RATIO_BY_SESSIONS: dict[int, Decimal] = {2: Decimal("1.5"), 1: Decimal("1.2")}
THCS_RATIO: dict[str, Decimal] = {
    "": Decimal("1.9"),
    "ptdtnt": Decimal("2.2"),
    "ptdtbt": Decimal("2.2"),
    "khuyet_tat": Decimal("2.2"),
}
THPT_RATIO: dict[str, Decimal] = {"": Decimal("2.25"), "ptdtnt": Decimal("2.4")}
THPT_SPECIALISED_CLASS_RATIO = Decimal("3.1")  # lớp chuyên
MN_RATIO: dict[str, Decimal] = {"nhatre": Decimal("2.5"), "maugiao": Decimal("2.2")}

#: Class-size baseline (pupils per class) by region, TT 20/2023 (VERIFIED).
#: Vùng 1 has the smallest classes (mountainous / disadvantaged areas).
CLASS_SIZE_BASELINE: dict[str, dict[int, int]] = {
    "th": {1: 25, 2: 30, 3: 35},
    "thcs": {1: 35, 2: 40, 3: 45},
    "thpt": {1: 35, 2: 40, 3: 45},
}
#: One extra teacher per this many leftover pupils, by region, TT 20/2023 (VERIFIED).
LEFTOVER_PUPILS_PER_TEACHER: dict[str, dict[int, int]] = {
    "th": {1: 12, 2: 15, 3: 17},
    "thcs": {1: 17, 2: 20, 3: 22},
    "thpt": {1: 17, 2: 20, 3: 22},
}
#: Tổng phụ trách Đội: one per school that has TH or THCS classes (TT 20/2023, VERIFIED).
TPT_DOI_LEVELS: frozenset[str] = frozenset({"th", "thcs"})

#: School type (org.models.SCHOOL_TYPES) → levels whose classes count.
SCHOOL_TYPE_LEVELS: dict[str, tuple[str, ...]] = {
    "mn": ("nhatre", "maugiao"),
    "th": ("th",),
    "thcs": ("thcs",),
    "thpt": ("thpt",),
    "lc_thcs": ("th", "thcs"),
    "lc_thpt": ("th", "thcs", "thpt"),
    "gdtx": (),
}
LEVEL_LABELS: dict[str, str] = {
    "nhatre": "Nhóm trẻ",
    "maugiao": "Lớp mẫu giáo",
    "th": "Tiểu học",
    "thcs": "THCS",
    "thpt": "THPT",
}

#: Age bands used by reports (inclusive bounds; None = open end). App convention.
AGE_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 29, "Dưới 30"),
    (30, 39, "30–39"),
    (40, 49, "40–49"),
    (50, 54, "50–54"),
    (55, None, "Từ 55 trở lên"),
)


# ---------------------------------------------------------------------------
# Date helpers
# ---------------------------------------------------------------------------


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(start: date, months: int) -> date:
    """``start`` moved by ``months`` calendar months; the day is clamped to the month's end."""
    index = start.year * 12 + (start.month - 1) + months
    year, month0 = divmod(index, 12)
    day = min(start.day, calendar.monthrange(year, month0 + 1)[1])
    return date(year, month0 + 1, day)


def age_on(birth_date: date, on_date: date) -> int:
    """Age in completed years on ``on_date``."""
    before_birthday = (on_date.month, on_date.day) < (birth_date.month, birth_date.day)
    return on_date.year - birth_date.year - (1 if before_birthday else 0)


def age_band(
    birth_date: date,
    on_date: date,
    bands: Sequence[tuple[int, int | None, str]] = AGE_BANDS,
) -> str:
    """The report age band (Vietnamese label) of a person on ``on_date``.

    Bands are an app convention for the age-structure breakdowns of workforce reports
    (and the TDI age component); no regulation fixes them.
    """
    age = age_on(birth_date, on_date)
    for low, high, label in bands:
        if age >= low and (high is None or age <= high):
            return label
    raise ValueError(f"age {age} is outside every band")


# ---------------------------------------------------------------------------
# Retirement (NĐ 135/2020/NĐ-CP)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RetirementRow:
    """One row of the roadmap: the retirement age for people who retire in years
    ``year_from``..``year_to`` (None = open end)."""

    year_from: int | None
    year_to: int | None
    sex: str
    years: int
    months: int
    label: str
    source_status: str

    @property
    def age_months(self) -> int:
        return self.years * 12 + self.months

    def covers(self, year: int) -> bool:
        return (self.year_from is None or year >= self.year_from) and (
            self.year_to is None or year <= self.year_to
        )


RetirementRoadmap = tuple[RetirementRow, ...]


def _parse_year_range(text: str) -> tuple[int | None, int | None]:
    text = text.strip()
    if text.endswith("+"):
        return int(text[:-1]), None
    if text.startswith("-"):
        return None, int(text[1:])
    return int(text), int(text)


def parse_retirement_roadmap(text: str) -> RetirementRoadmap:
    """Parse the roadmap CSV text (``app/data/retirement_roadmap.csv``).

    ``year_of_retirement`` is ``2021`` (one year), ``2028+`` (that year and later) or
    ``-2020`` (up to that year). Rows come back per sex in ascending year order.
    """
    rows: list[RetirementRow] = []
    for record in csv.DictReader(io.StringIO(text)):
        year_from, year_to = _parse_year_range(record["year_of_retirement"])
        sex = SEX_ALIASES.get(record["sex"].strip().lower())
        if sex is None:
            raise ValueError(f"unknown sex in roadmap: {record['sex']!r}")
        rows.append(
            RetirementRow(
                year_from=year_from,
                year_to=year_to,
                sex=sex,
                years=int(record["retirement_age_years"]),
                months=int(record["retirement_age_months"]),
                label=record.get("label", "") or "",
                source_status=record.get("source_status", "") or "",
            )
        )
    rows.sort(key=lambda r: (r.sex, r.year_from if r.year_from is not None else -1))
    return tuple(rows)


def load_retirement_roadmap(path: str | Path = DEFAULT_ROADMAP_PATH) -> RetirementRoadmap:
    """Read and parse the roadmap CSV (UTF-8). Called explicitly, never at import time."""
    return parse_retirement_roadmap(Path(path).read_text(encoding="utf-8-sig"))


def birth_date_from_year(year: int) -> date:
    """NĐ 135/2020 Điều 3: when only the birth year is known, 1 January of that year is used."""
    return date(year, 1, 1)


def retirement_date(birth_date: date, sex: str, roadmap: RetirementRoadmap) -> date:
    """Retirement date under NĐ 135/2020/NĐ-CP Điều 3 and Điều 4 (Bộ luật Lao động 2019 Điều 169).

    - Điều 4: the retirement age depends on the YEAR OF RETIREMENT: men 60 years 3 months in
      2021, +3 months a year, 62 from 2028; women 55 years 4 months in 2021, +4 months a year,
      60 from 2035.
    - Điều 3: the retirement moment is the end of the last day of the month in which the
      person reaches that age (the day of birth does not matter).

    The roadmap is keyed by the year of retirement, so the answer is the first row (in year
    order) whose age, added to the birth date, lands inside that row's own year range. The age
    grows 3 or 4 months a year while the calendar grows 12, so such a row always exists; when
    two match (e.g. a man born 9/1961 reaches 60y3m in 12/2021 and 60y6m in 3/2022), the person
    reached the earlier age first and retires then. People who reached the pre-2021 age
    (60 / 55, Bộ luật Lao động 2012) before 1/1/2021 match the ``-2020`` row.
    """
    key = SEX_ALIASES.get(sex.strip().lower())
    if key is None:
        raise ValueError(f"unknown sex: {sex!r}")
    rows = [row for row in roadmap if row.sex == key]
    if not rows:
        raise ValueError(f"the roadmap has no rows for sex {key!r}")
    for row in rows:
        reached = add_months(date(birth_date.year, birth_date.month, 1), row.age_months)
        if row.covers(reached.year):
            return _last_day(reached.year, reached.month)
    raise ValueError(f"the roadmap does not cover a person born {birth_date.isoformat()}")


# ---------------------------------------------------------------------------
# Salary steps (TT 08/2013/TT-BNV, sđ TT 03/2021/TT-BNV; NĐ 204/2004/NĐ-CP)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StepResult:
    """The next regular salary raise: a step, or the over-frame seniority allowance."""

    kind: str  # "step" | "over_frame"
    step: int
    coefficient: Decimal
    over_frame_percent: int
    due_date: date
    note: str = ""


def interval_for_group(salary_group: str) -> int:
    """Months between regular steps for a salary group of NĐ 204/2004.

    TT 08/2013/TT-BNV Điều 2 (FROM MEMORY; numbers VERIFIED indirectly): 36 months for
    titles requiring cao đẳng or higher (A0 and above), 24 months for loại B and below.
    """
    try:
        return STEP_INTERVAL_BY_GROUP[salary_group.strip().upper()]
    except KeyError:
        raise ValueError(f"unknown salary group: {salary_group!r}") from None


def _decimal(value: Decimal | float | str) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def next_salary_step(
    current_step: int,
    coefficients: Sequence[Decimal | float | str],
    last_step_date: date,
    interval_months: int,
    delay_months: int = 0,
    early_months: int = 0,
    *,
    over_frame_percent: int = 0,
) -> StepResult:
    """The next regular raise under TT 08/2013/TT-BNV (sđ TT 03/2021/TT-BNV), FROM MEMORY.

    - Below the last step: the next step falls ``interval_months`` (36, or 24 for loại B)
      after ``last_step_date``, pushed back by ``delay_months`` (kéo dài: incomplete tasks,
      discipline) and brought forward by ``early_months`` (nâng lương trước thời hạn,
      at most 12 months).
    - On the last step (Điều 4, phụ cấp thâm niên vượt khung): 5 % once the last step has
      been held for the same interval (36 / 24 months), then +1 % every 12 months.
      ``last_step_date`` is then the date of the last step or of the last over-frame raise,
      ``over_frame_percent`` the allowance held now. Delays apply; an early raise does not
      (it exists only for regular steps), so ``early_months`` is ignored with a note.

    ``current_step`` is 1-based; ``coefficients`` lists the scale, step 1 first.
    """
    n_steps = len(coefficients)
    if n_steps == 0:
        raise ValueError("empty coefficient scale")
    if not 1 <= current_step <= n_steps:
        raise ValueError(f"step {current_step} is outside the scale 1..{n_steps}")
    if interval_months <= 0:
        raise ValueError("interval_months must be positive")
    if delay_months < 0 or early_months < 0:
        raise ValueError("delay_months and early_months cannot be negative")
    if early_months > MAX_EARLY_MONTHS:
        raise ValueError(f"an early raise is at most {MAX_EARLY_MONTHS} months")
    if over_frame_percent and current_step != n_steps:
        raise ValueError("only the last step carries an over-frame allowance")

    if current_step < n_steps:
        months = interval_months + delay_months - early_months
        return StepResult(
            kind="step",
            step=current_step + 1,
            coefficient=_decimal(coefficients[current_step]),
            over_frame_percent=0,
            due_date=add_months(last_step_date, months),
        )

    note = ""
    if early_months:
        note = "Không áp dụng nâng lương trước thời hạn cho phụ cấp thâm niên vượt khung."
    if over_frame_percent <= 0:
        months, percent = interval_months, OVER_FRAME_FIRST_PERCENT
    else:
        months = OVER_FRAME_INTERVAL_MONTHS
        percent = over_frame_percent + OVER_FRAME_YEARLY_INCREMENT
    return StepResult(
        kind="over_frame",
        step=current_step,
        coefficient=_decimal(coefficients[-1]),
        over_frame_percent=percent,
        due_date=add_months(last_step_date, months + delay_months),
        note=note,
    )


@dataclass(frozen=True)
class StepCandidate:
    """What :func:`due_for_step` needs to know about one person."""

    person_id: int
    current_step: int
    coefficients: Sequence[Decimal | float | str]
    last_step_date: date
    interval_months: int
    delay_months: int = 0
    early_months: int = 0
    over_frame_percent: int = 0


@dataclass(frozen=True)
class DueStep:
    person_id: int
    result: StepResult
    overdue: bool


def due_for_step(
    people_rows: Iterable[StepCandidate | Mapping[str, Any]],
    period_start: date,
    period_end: date,
    *,
    include_overdue: bool = False,
) -> list[DueStep]:
    """The "due for a step" list of a period (TT 08/2013/TT-BNV; DESIGN "Regular salary step").

    Returns everyone whose next raise (:func:`next_salary_step`) falls within
    ``period_start``..``period_end`` inclusive, ordered by due date then person id. With
    ``include_overdue`` it also returns raises due before the period that were never recorded
    (``overdue=True``). Rows are :class:`StepCandidate` or mappings with the same keys.
    """
    if period_end < period_start:
        raise ValueError("period_end is before period_start")
    due: list[DueStep] = []
    for row in people_rows:
        cand = row if isinstance(row, StepCandidate) else StepCandidate(**row)
        result = next_salary_step(
            cand.current_step,
            cand.coefficients,
            cand.last_step_date,
            cand.interval_months,
            cand.delay_months,
            cand.early_months,
            over_frame_percent=cand.over_frame_percent,
        )
        if result.due_date > period_end:
            continue
        overdue = result.due_date < period_start
        if overdue and not include_overdue:
            continue
        due.append(DueStep(cand.person_id, result, overdue))
    due.sort(key=lambda d: (d.result.due_date, d.person_id))
    return due


# ---------------------------------------------------------------------------
# Training-level standard (Luật Nhà giáo Điều 28(1); NĐ 93/2026/NĐ-CP Điều 20)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StandardCheck:
    ok: bool
    reason: str  # Vietnamese, shown to users
    citation: str
    exception_applied: bool = False


def qualification_rank(qualification: int | str) -> int:
    """The numeric rank of a qualification given as a rank or a code of QUALIFICATION_RANKS."""
    if isinstance(qualification, int):
        return qualification
    try:
        return QUALIFICATION_RANKS[qualification.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown qualification level: {qualification!r}") from None


def _meets(req: TrainingRequirement, rank: int, teacher_training: bool, nvsp: bool) -> bool:
    return rank >= req.min_rank and (teacher_training or (req.nvsp_allowed and nvsp))


def meets_training_standard(
    school_level: str,
    qualification: int | str,
    teacher_training: bool,
    subject_college_suffices: bool = False,
    *,
    nvsp_certificate: bool = False,
) -> StandardCheck:
    """Whether a teacher meets the trình độ chuẩn được đào tạo of their level.

    Luật Nhà giáo 2025 Điều 28(1) (as Luật Giáo dục 2019 Điều 72): mầm non needs cao đẳng sư
    phạm or higher; tiểu học, THCS and THPT need a bachelor's degree in teacher training, or a
    bachelor's degree in a matching field plus a chứng chỉ bồi dưỡng nghiệp vụ sư phạm (NVSP).
    Interpretation kept here: for mầm non the degree must be in teacher training (no NVSP
    route), at cao đẳng or any higher level.

    NĐ 93/2026/NĐ-CP Điều 20(2) exception, VERIFIED-2nd: for Mĩ thuật, Âm nhạc, Nghệ thuật,
    Ngoại ngữ cấp tiểu học, Tin học and Công nghệ (``subject_college_suffices``, taken from the
    Subject catalogue) a cao đẳng in teacher training, or a cao đẳng in the field plus NVSP, is
    enough in general-education and GDTX schools; Điều 20(8) then requires further training.

    ``qualification`` is a rank or a code (``dai_hoc``…); ``cao_dang_su_pham`` implies
    ``teacher_training``.
    """
    level = school_level.strip().lower()
    try:
        req = TRAINING_STANDARDS[level]
    except KeyError:
        raise ValueError(f"unknown school level: {school_level!r}") from None
    rank = qualification_rank(qualification)
    if isinstance(qualification, str) and qualification.strip().lower() in TEACHER_TRAINING_CODES:
        teacher_training = True

    if _meets(req, rank, teacher_training, nvsp_certificate):
        return StandardCheck(True, f"Đạt chuẩn: có {req.label}.", req.citation)

    if (
        subject_college_suffices
        and level in COLLEGE_EXCEPTION_LEVELS
        and _meets(COLLEGE_EXCEPTION, rank, teacher_training, nvsp_certificate)
    ):
        return StandardCheck(
            True,
            f"Đạt chuẩn theo trường hợp đặc thù của môn học: có {COLLEGE_EXCEPTION.label}; "
            "sau tuyển dụng phải đào tạo đạt trình độ chuẩn (NĐ 93/2026/NĐ-CP Điều 20(8)).",
            COLLEGE_EXCEPTION.citation,
            exception_applied=True,
        )

    exception = subject_college_suffices and level in COLLEGE_EXCEPTION_LEVELS
    applicable = COLLEGE_EXCEPTION if exception else req
    gaps: list[str] = []
    if rank < applicable.min_rank:
        gaps.append("trình độ đào tạo thấp hơn mức chuẩn")
    if not teacher_training and not (applicable.nvsp_allowed and nvsp_certificate):
        gaps.append(
            "bằng không thuộc ngành đào tạo giáo viên và không có chứng chỉ bồi dưỡng NVSP"
            if applicable.nvsp_allowed
            else "bằng không thuộc ngành đào tạo giáo viên"
        )
    required = req.label
    if exception:
        required += f" (môn đặc thù: {COLLEGE_EXCEPTION.label})"
    return StandardCheck(
        False,
        f"Chưa đạt chuẩn: yêu cầu {required}; " + "; ".join(gaps) + ".",
        req.citation,
    )


# ---------------------------------------------------------------------------
# Staffing norms (TT 20/2023/TT-BGDĐT, TT 19/2023/TT-BGDĐT)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NormLine:
    """One level's share of a school's teacher norm."""

    level: str
    label: str
    classes: int
    pupils: int
    ratio: Decimal
    by_classes: Decimal
    leftover_pupils: int
    extra_for_leftover: int
    subtotal: Decimal


@dataclass(frozen=True)
class Norm:
    """Teachers a school may have under the norm, with the breakdown.

    ``exact`` is the unrounded sum; ``teachers`` rounds it down (the ratios are maxima);
    ``tpt_doi`` is the Tổng phụ trách Đội post; ``total`` = ``teachers`` + ``tpt_doi``.
    """

    school_type: str
    region: int
    lines: tuple[NormLine, ...]
    exact: Decimal
    teachers: int
    tpt_doi: int
    total: int
    notes: tuple[str, ...] = ()


def _class_ratio(level: str, sessions_per_day: int, special_type: str) -> Decimal:
    if level in MN_RATIO:
        return MN_RATIO[level]
    if level == "th":
        try:
            return TH_RATIO_BY_SESSIONS[sessions_per_day]
        except KeyError:
            raise ValueError(f"sessions_per_day must be 1 or 2, not {sessions_per_day}") from None
    if level == "thcs":
        return THCS_RATIO.get(special_type, THCS_RATIO[""])
    if level == "thpt":
        return THPT_RATIO.get(special_type, THPT_RATIO[""])
    raise ValueError(f"unknown level: {level!r}")


def staffing_norm(
    school_type: str,
    classes: Mapping[str, int],
    pupils: Mapping[str, int],
    region: int,
    sessions_per_day: int = 2,
    special_type: str = "",
    *,
    specialised_classes: int | None = None,
) -> Norm:
    """Teachers needed by a school under TT 20/2023/TT-BGDĐT and TT 19/2023/TT-BGDĐT (VERIFIED).

    Per level, ``classes × ratio`` with the maximum ratios:

    - Tiểu học (TT 20/2023): 1.5 GV/lớp for 2 sessions a day, 1.2 for 1 session.
    - THCS: 1.9 GV/lớp; 2.2 for PTDTNT, PTDTBT and special (khuyết tật) schools.
    - THPT: 2.25 GV/lớp; 2.4 for PTDTNT; 3.1 for each lớp chuyên.
    - Mầm non (TT 19/2023): 2.5 GV per nhóm trẻ, 2.2 per lớp mẫu giáo.

    Leftover pupils (TH, THCS, THPT), interpretation kept here: pupils beyond
    ``classes × baseline class size`` of the region (TH 25/30/35, THCS–THPT 35/40/45 for
    vùng 1/2/3) are leftover; every FULL group of 12/15/17 (TH) or 17/20/22 (THCS–THPT)
    leftover pupils adds one teacher ("cứ … học sinh dư ra thì thêm 1 giáo viên", so partial
    groups add nothing). Fewer pupils than the baseline give no leftover and no deduction.

    Rounding: the ratios are maxima ("tối đa"), so the school's exact sum is rounded DOWN to
    whole teachers. One Tổng phụ trách Đội is added per school that has TH or THCS classes
    (including liên cấp schools, one post per school). Principals and vice-principals are
    outside this norm (NĐ 120/2020).

    ``classes`` and ``pupils`` are keyed by level: ``nhatre``, ``maugiao``, ``th``, ``thcs``,
    ``thpt`` (pupils are not needed for preschool). ``specialised_classes`` is the number of
    THPT lớp chuyên; when None, every THPT class of a ``chuyen`` school is counted as one.
    GDTX centres have no norm here: the result is zero with a note.
    """
    if school_type not in SCHOOL_TYPE_LEVELS:
        raise ValueError(f"unknown school type: {school_type!r}")
    if region not in (1, 2, 3):
        raise ValueError(f"region must be 1, 2 or 3, not {region}")
    levels = SCHOOL_TYPE_LEVELS[school_type]
    if not levels:
        return Norm(
            school_type,
            region,
            (),
            Decimal(0),
            0,
            0,
            0,
            ("Chưa có định mức giáo viên cho loại hình này (GDTX).",),
        )

    lines: list[NormLine] = []
    notes: list[str] = []
    for level in levels:
        n_classes = int(classes.get(level, 0) or 0)
        n_pupils = int(pupils.get(level, 0) or 0)
        if n_classes < 0 or n_pupils < 0:
            raise ValueError("classes and pupils cannot be negative")
        if n_classes == 0:
            continue
        ratio = _class_ratio(level, sessions_per_day, special_type)
        by_classes = ratio * n_classes
        if level == "thpt" and special_type == "chuyen":
            n_special = n_classes if specialised_classes is None else specialised_classes
            if not 0 <= n_special <= n_classes:
                raise ValueError("specialised_classes must be between 0 and the THPT classes")
            by_classes = THPT_SPECIALISED_CLASS_RATIO * n_special + ratio * (n_classes - n_special)
            notes.append(f"{n_special} lớp chuyên tính {THPT_SPECIALISED_CLASS_RATIO} GV/lớp.")
        leftover = 0
        extra = 0
        if level in CLASS_SIZE_BASELINE:
            baseline = CLASS_SIZE_BASELINE[level][region]
            leftover = max(0, n_pupils - n_classes * baseline)
            extra = leftover // LEFTOVER_PUPILS_PER_TEACHER[level][region]
        lines.append(
            NormLine(
                level=level,
                label=LEVEL_LABELS[level],
                classes=n_classes,
                pupils=n_pupils,
                ratio=ratio,
                by_classes=by_classes,
                leftover_pupils=leftover,
                extra_for_leftover=extra,
                subtotal=by_classes + extra,
            )
        )

    exact = sum((line.subtotal for line in lines), Decimal(0))
    teachers = math.floor(exact)
    tpt_doi = 1 if any(line.level in TPT_DOI_LEVELS for line in lines) else 0
    return Norm(
        school_type=school_type,
        region=region,
        lines=tuple(lines),
        exact=exact,
        teachers=teachers,
        tpt_doi=tpt_doi,
        total=teachers + tpt_doi,
        notes=tuple(notes),
    )


def staffing_gap(norm: Norm, actual_teachers: int) -> int:
    """Surplus (positive) or shortage (negative) of teachers against the norm's total."""
    return actual_teachers - norm.total
