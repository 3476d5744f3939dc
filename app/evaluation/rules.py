"""Rating rules for professional-standard frameworks (TT20, TT14, TT26, TT25 and later ones).

Pure module: no Flask, no database. A framework is data (``app/data/frameworks/*.yaml``); the
rating rule is that data plus the single function :func:`rate`.

A framework's rating parameters are:

- ``key_criteria``: the criteria a band may require at a given level (TT20: criteria 3-7);
- ``threshold``: the share of criteria a band may require at a given level (2/3), compared
  exactly: ``count / total >= threshold``, i.e. ``count * 3 >= total * 2`` for 2/3;
- ``bands``: for each overall level (Tốt, Khá, Đạt), the level every criterion must reach, the
  level at least ``threshold`` of the criteria must reach and the level every key criterion must
  reach (each may be absent). Bands are checked from the highest down; none reached = Chưa đạt.

School years are written "2024-2025" or given as the start year (2024).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from fractions import Fraction
from os import PathLike
from typing import Any

import yaml

__all__ = [
    "AUDIENCES",
    "SOURCE_STATUSES",
    "BandCheck",
    "BandRule",
    "AliasNotAllowed",
    "FrameworkError",
    "Level",
    "RatingParams",
    "RatingResult",
    "criterion_numbers",
    "load_framework_file",
    "load_framework_yaml",
    "min_count",
    "missing_criteria",
    "params_from_framework",
    "parse_level",
    "parse_threshold",
    "rate",
    "school_year_start",
    "superior_due",
    "validate_framework",
    "weakest_criteria",
]


class Level(IntEnum):
    """Level of one criterion, and of the overall rating (ordered: higher is better)."""

    CHUA_DAT = 0
    DAT = 1
    KHA = 2
    TOT = 3

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def key(self) -> str:
        """The key used in framework files: chua_dat, dat, kha, tot."""
        return self.name.lower()


_LABELS = {
    Level.CHUA_DAT: "Chưa đạt",
    Level.DAT: "Đạt",
    Level.KHA: "Khá",
    Level.TOT: "Tốt",
}

AUDIENCES: dict[str, str] = {
    "giao_vien_pho_thong": "Giáo viên cơ sở giáo dục phổ thông",
    "hieu_truong_pho_thong": "Hiệu trưởng cơ sở giáo dục phổ thông",
    "giao_vien_mam_non": "Giáo viên mầm non",
    "hieu_truong_mam_non": "Hiệu trưởng cơ sở giáo dục mầm non",
}

SOURCE_STATUSES: tuple[str, ...] = ("VERIFIED", "VERIFIED-2nd", "FROM MEMORY")

_BAND_FIELDS = ("all_at_least", "threshold_at_least", "key_at_least")
_DESCRIPTOR_KEYS = ("dat", "kha", "tot")
_SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{4})$")
_THRESHOLD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


class FrameworkError(ValueError):
    """A framework file is unusable; ``problems`` lists why, in Vietnamese."""

    def __init__(self, problems: Iterable[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.strip().casefold()).replace("đ", "d")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return re.sub(r"[\s_-]+", "_", text)


_LEVEL_ALIASES: dict[str, Level] = {}
for _level in Level:
    _LEVEL_ALIASES[_level.key] = _level
    _LEVEL_ALIASES[_fold(_level.label)] = _level
_LEVEL_ALIASES.update({"cd": Level.CHUA_DAT, "d": Level.DAT, "k": Level.KHA, "t": Level.TOT})


def parse_level(value: Any) -> Level | None:
    """Level from a framework file or a form: a Level, 0-3, "tot", "Tốt", "T", "chua_dat"...

    ``None`` and "" give ``None`` (no level). Anything else unknown raises ``ValueError``.
    """
    if value is None or value == "":
        return None
    if isinstance(value, Level):
        return value
    if isinstance(value, bool):
        raise ValueError(f"Mức không hợp lệ: {value!r}")
    if isinstance(value, int):
        return Level(value)
    if isinstance(value, str) and _fold(value) in _LEVEL_ALIASES:
        return _LEVEL_ALIASES[_fold(value)]
    raise ValueError(f"Mức không hợp lệ: {value!r} (dùng chua_dat, dat, kha hoặc tot)")


def parse_threshold(value: Any) -> Fraction:
    """A share of criteria written as a fraction string ("2/3"), a Fraction or an int (0 or 1)."""
    if isinstance(value, Fraction):
        result = value
    elif isinstance(value, int) and not isinstance(value, bool):
        result = Fraction(value)
    elif isinstance(value, str) and (match := _THRESHOLD.match(value)):
        if int(match.group(2)) == 0:
            raise ValueError(f"Ngưỡng {value!r} có mẫu số bằng 0")
        result = Fraction(int(match.group(1)), int(match.group(2)))
    else:
        raise ValueError(f'Ngưỡng {value!r} phải viết dạng phân số, ví dụ "2/3"')
    if not 0 < result <= 1:
        raise ValueError(f"Ngưỡng {value!r} phải lớn hơn 0 và không quá 1")
    return result


def min_count(threshold: Fraction, total: int) -> int:
    """Smallest count with ``count / total >= threshold`` (exact): 2/3 of 15 → 10, of 18 → 12."""
    return -(-threshold.numerator * total // threshold.denominator)


def school_year_start(value: int | str) -> int:
    """2024 from 2024 or "2024-2025"."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        match = _SCHOOL_YEAR.match(value.strip())
        if match and int(match.group(2)) == int(match.group(1)) + 1:
            return int(match.group(1))
    raise ValueError(f'Năm học {value!r} không hợp lệ (ví dụ "2024-2025")')


# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class BandRule:
    """What an overall level needs; ``None`` = no such condition."""

    level: Level
    all_at_least: Level | None = None
    threshold_at_least: Level | None = None
    key_at_least: Level | None = None


@dataclass(frozen=True)
class RatingParams:
    """Rating parameters of one framework. ``bands`` are ordered from the highest level down."""

    criteria: tuple[int, ...]
    key_criteria: tuple[int, ...]
    threshold: Fraction
    bands: tuple[BandRule, ...]

    @property
    def threshold_count(self) -> int:
        """How many criteria make ``threshold`` of all criteria (15 → 10 for 2/3)."""
        return min_count(self.threshold, len(self.criteria))


def criterion_numbers(data: Mapping[str, Any]) -> list[int]:
    """Criterion numbers of a framework dict, in file order."""
    return [
        criterion["number"]
        for standard in data.get("standards") or []
        for criterion in standard.get("criteria") or []
    ]


def params_from_framework(data: Mapping[str, Any]) -> RatingParams:
    """Rating parameters from a framework dict; raises FrameworkError if it is invalid."""
    problems = validate_framework(data)
    if problems:
        raise FrameworkError(problems)
    rating = data["rating"]
    bands = [
        BandRule(
            level=parse_level(band["level"]),
            **{field: parse_level(band.get(field)) for field in _BAND_FIELDS},
        )
        for band in rating["bands"]
    ]
    bands.sort(key=lambda band: band.level, reverse=True)
    return RatingParams(
        criteria=tuple(sorted(criterion_numbers(data))),
        key_criteria=tuple(sorted(rating.get("key_criteria") or [])),
        threshold=parse_threshold(rating["threshold"])
        if rating.get("threshold") is not None
        else Fraction(1),
        bands=tuple(bands),
    )


class AliasNotAllowed(yaml.YAMLError):
    """The YAML uses an anchor (&) or an alias (*); ``line`` is 1-based."""

    def __init__(self, line: int) -> None:
        self.line = line
        super().__init__(f"anchor or alias at line {line}")


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader without anchors and aliases.

    A few kB of nested aliases expand to millions of nodes ("billion laughs"): seconds of
    CPU and a huge stored definition. Framework files never need them.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise AliasNotAllowed(event.start_mark.line + 1)
        return super().compose_node(parent, index)


def load_framework_yaml(text: str | bytes) -> Any:
    """Parse framework YAML safely; raises AliasNotAllowed on `&` or `*`, YAMLError if broken."""
    return yaml.load(text, Loader=_NoAliasLoader)  # a SafeLoader subclass: no Python tags


def load_framework_file(path: str | PathLike[str]) -> dict[str, Any]:
    """Read a framework YAML file (safe loader). Does not validate: see validate_framework."""
    with open(path, encoding="utf-8") as handle:
        try:
            data = load_framework_yaml(handle)
        except AliasNotAllowed as exc:
            raise FrameworkError(
                [f"Tệp {path}, dòng {exc.line}: không được dùng neo hoặc tham chiếu YAML (&, *)"]
            ) from None
    if not isinstance(data, dict):
        raise FrameworkError([f"Tệp {path}: nội dung phải là một bảng khóa: giá trị (mapping)"])
    return data


# --------------------------------------------------------------------------- validation


def _status_problem(where: str, value: Any, field: str = "source_status") -> str | None:
    if value is None or value in SOURCE_STATUSES:
        return None
    allowed = ", ".join(SOURCE_STATUSES)
    return f"{where}: {field} {value!r} không hợp lệ (dùng một trong: {allowed})"


def _is_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _validate_header(data: Mapping[str, Any], problems: list[str]) -> None:
    for field, label in (("code", "Mã khung (code)"), ("name", "Tên khung (name)")):
        if not isinstance(data.get(field), str) or not data[field].strip():
            problems.append(f"Thiếu {label}")
    audience = data.get("audience")
    if audience not in AUDIENCES:
        allowed = ", ".join(AUDIENCES)
        problems.append(
            f"Đối tượng (audience) {audience!r} không hợp lệ (dùng một trong: {allowed})"
        )
    if problem := _status_problem("Khung", data.get("source_status")):
        problems.append(problem)
    period = data.get("superior_period_years")
    if not _is_number(period):
        problems.append(
            f"Chu kỳ đánh giá của cấp trên (superior_period_years) phải là số nguyên dương, "
            f"đang là {period!r}"
        )
    years = data.get("school_years")
    if not isinstance(years, Mapping):
        problems.append('Thiếu năm học áp dụng (school_years: {from: "2018-2019", to: ...})')
        return
    starts = {}
    for field in ("from", "to"):
        value = years.get(field)
        if value is None and field == "to":
            continue
        try:
            starts[field] = school_year_start(value)
        except ValueError:
            problems.append(
                f'Năm học áp dụng school_years.{field} = {value!r} không hợp lệ (ví dụ "2018-2019")'
            )
    if "from" in starts and "to" in starts and starts["to"] < starts["from"]:
        problems.append(
            "Năm học kết thúc (school_years.to) trước năm học bắt đầu (school_years.from)"
        )


def _validate_standards(data: Mapping[str, Any], problems: list[str]) -> list[int]:
    standards = data.get("standards")
    if not isinstance(standards, list) or not standards:
        problems.append("Khung chưa có tiêu chuẩn nào (standards)")
        return []
    numbers: list[int] = []
    standard_numbers: set[Any] = set()
    for index, standard in enumerate(standards, start=1):
        if not isinstance(standard, Mapping):
            problems.append(f"Tiêu chuẩn thứ {index} không đúng định dạng")
            continue
        if False in standard:
            problems.append(
                f'Tiêu chuẩn thứ {index}: dùng khóa "number" thay cho "no" '
                "(YAML đọc `no:` không đặt trong ngoặc kép thành false)"
            )
        number = standard.get("number")
        where = f"Tiêu chuẩn {number}" if _is_number(number) else f"Tiêu chuẩn thứ {index}"
        if not _is_number(number):
            problems.append(f"{where}: số thứ tự (number) phải là số nguyên dương")
        elif number in standard_numbers:
            problems.append(f"Tiêu chuẩn {number} bị trùng số thứ tự")
        standard_numbers.add(number)
        if not isinstance(standard.get("name"), str) or not standard["name"].strip():
            problems.append(f"{where}: thiếu tên")
        if problem := _status_problem(where, standard.get("source_status")):
            problems.append(problem)
        criteria = standard.get("criteria")
        if not isinstance(criteria, list) or not criteria:
            problems.append(f"{where}: chưa có tiêu chí nào")
            continue
        for position, criterion in enumerate(criteria, start=1):
            numbers.extend(_validate_criterion(where, position, criterion, numbers, problems))
    return numbers


def _validate_criterion(
    where: str, position: int, criterion: Any, seen: list[int], problems: list[str]
) -> list[int]:
    if not isinstance(criterion, Mapping):
        problems.append(f"{where}: tiêu chí thứ {position} không đúng định dạng")
        return []
    if False in criterion:
        problems.append(
            f'{where}: tiêu chí thứ {position} dùng khóa "number" thay cho "no" '
            "(YAML đọc `no:` không đặt trong ngoặc kép thành false)"
        )
    number = criterion.get("number")
    if not _is_number(number):
        problems.append(f"{where}: tiêu chí thứ {position} thiếu số thứ tự (number) nguyên dương")
        return []
    label = f"Tiêu chí {number}"
    if number in seen:
        problems.append(f"{label} bị trùng số thứ tự")
    if not isinstance(criterion.get("name"), str) or not criterion["name"].strip():
        problems.append(f"{label}: thiếu tên")
    for field in ("source_status", "descriptors_status", "descriptors_en_status"):
        if problem := _status_problem(label, criterion.get(field), field):
            problems.append(problem)
    for field in ("descriptors", "descriptors_en"):
        descriptors = criterion.get(field)
        if descriptors is None:
            continue
        if not isinstance(descriptors, Mapping):
            problems.append(f"{label}: {field} phải có dạng {{dat: ..., kha: ..., tot: ...}}")
            continue
        unknown = [str(key) for key in descriptors if key not in _DESCRIPTOR_KEYS]
        if unknown:
            problems.append(
                f"{label}: {field} có mức không hợp lệ: {', '.join(unknown)} (dùng dat, kha, tot)"
            )
    return [number]


def _validate_rating(data: Mapping[str, Any], numbers: list[int], problems: list[str]) -> None:
    rating = data.get("rating")
    if not isinstance(rating, Mapping):
        problems.append("Thiếu quy tắc xếp loại (rating)")
        return
    if problem := _status_problem("Quy tắc xếp loại", rating.get("source_status")):
        problems.append(problem)
    known = set(numbers)
    keys = rating.get("key_criteria") or []
    if not isinstance(keys, list):
        problems.append("Danh sách tiêu chí then chốt (key_criteria) phải là một danh sách số")
        keys = []
    for key in keys:
        if not _is_number(key):
            problems.append(f"Tiêu chí then chốt {key!r} không phải số thứ tự tiêu chí")
        elif known and key not in known:
            problems.append(f"Tiêu chí then chốt {key} không có trong khung")
    duplicates = sorted({key for key in keys if _is_number(key) and keys.count(key) > 1})
    if duplicates:
        problems.append(
            "Tiêu chí then chốt bị liệt kê trùng: " + ", ".join(str(d) for d in duplicates)
        )
    has_threshold = rating.get("threshold") is not None
    if has_threshold:
        try:
            parse_threshold(rating["threshold"])
        except ValueError as error:
            problems.append(str(error))
    bands = rating.get("bands")
    if not isinstance(bands, list) or not bands:
        problems.append("Quy tắc xếp loại chưa có mức nào (rating.bands)")
        return
    band_levels: list[Level] = []
    for index, band in enumerate(bands, start=1):
        if not isinstance(band, Mapping):
            problems.append(f"Mức xếp loại thứ {index} không đúng định dạng")
            continue
        try:
            level = parse_level(band.get("level"))
        except ValueError:
            level = None
        if level is None or level == Level.CHUA_DAT:
            problems.append(
                f"Mức xếp loại thứ {index}: level {band.get('level')!r} không hợp lệ "
                "(dùng tot, kha hoặc dat; không đạt mức nào thì là Chưa đạt)"
            )
            where = f"Mức xếp loại thứ {index}"
        else:
            where = f"Mức {level.label}"
            if level in band_levels:
                problems.append(f"{where} được khai báo hai lần")
            band_levels.append(level)
        unknown_fields = sorted(str(key) for key in band if key not in ("level", *_BAND_FIELDS))
        if unknown_fields:
            problems.append(
                f"{where}: trường không hợp lệ: {', '.join(unknown_fields)} "
                f"(dùng {', '.join(_BAND_FIELDS)})"
            )
        conditions = 0
        for field in _BAND_FIELDS:
            try:
                required = parse_level(band.get(field))
            except ValueError:
                problems.append(f"{where}: {field} = {band.get(field)!r} không phải mức hợp lệ")
                continue
            if required is None:
                continue
            conditions += 1
            if required == Level.CHUA_DAT:
                problems.append(f"{where}: {field} không thể là Chưa đạt")
            if field == "threshold_at_least" and not has_threshold:
                problems.append(f"{where}: có {field} nhưng khung chưa khai báo ngưỡng (threshold)")
            if field == "key_at_least" and not keys:
                problems.append(f"{where}: có {field} nhưng khung chưa có tiêu chí then chốt")
        if conditions == 0:
            problems.append(f"{where}: chưa có điều kiện nào (mọi kết quả đều đạt mức này)")


def validate_framework(data: Any) -> list[str]:
    """Problems (in Vietnamese) that make a framework dict unusable; [] when it is fine."""
    if not isinstance(data, Mapping):
        return ["Nội dung khung phải là một bảng khóa: giá trị (mapping)"]
    problems: list[str] = []
    _validate_header(data, problems)
    numbers = _validate_standards(data, problems)
    if (
        numbers
        and len(set(numbers)) == len(numbers)
        and sorted(numbers) != list(range(1, len(numbers) + 1))
    ):
        problems.append(
            f"Số thứ tự tiêu chí phải liên tục từ 1 đến {len(numbers)}, đang là "
            + ", ".join(str(n) for n in sorted(numbers))
        )
    _validate_rating(data, numbers, problems)
    return problems


# --------------------------------------------------------------------------- rating


@dataclass(frozen=True)
class BandCheck:
    """Outcome of checking one band: ``met`` and, in Vietnamese, what held or failed."""

    level: Level
    met: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class RatingResult:
    """Overall level and why.

    ``reasons``: why the next band up was not reached (if any), then what the reached band needed
    and got. ``checks``: every band checked, from the highest down to the one reached.
    """

    level: Level
    reasons: tuple[str, ...]
    checks: tuple[BandCheck, ...]

    @property
    def label(self) -> str:
        return self.level.label


def _numbers(numbers: Iterable[int]) -> str:
    return ", ".join(str(n) for n in numbers)


def _reach(level: Level) -> str:
    return "đạt mức Tốt" if level == Level.TOT else f"đạt mức {level.label} trở lên"


def _below(numbers: list[int], level: Level, key: bool = False) -> str:
    state = "ở mức Chưa đạt" if level == Level.DAT else f"chưa đạt mức {level.label}"
    if len(numbers) == 1:
        return f"Tiêu chí {numbers[0]}{' (then chốt)' if key else ''} {state}"
    return f"Các tiêu chí{' then chốt' if key else ''} {_numbers(numbers)} {state}"


def _check_band(params: RatingParams, band: BandRule, levels: Mapping[int, Level]) -> BandCheck:
    failed: list[str] = []
    held: list[str] = []
    total = len(params.criteria)
    if band.all_at_least is not None:
        low = [n for n in params.criteria if levels[n] < band.all_at_least]
        if low:
            failed.append(_below(low, band.all_at_least))
        else:
            held.append(f"Tất cả {total} tiêu chí {_reach(band.all_at_least)}")
    if band.threshold_at_least is not None:
        count = sum(1 for n in params.criteria if levels[n] >= band.threshold_at_least)
        need = params.threshold_count
        share = f"{params.threshold.numerator}/{params.threshold.denominator}"
        if count < need:
            failed.append(
                f"Chỉ {count}/{total} tiêu chí {_reach(band.threshold_at_least)}, "
                f"cần ít nhất {need} ({share})"
            )
        else:
            held.append(
                f"{count}/{total} tiêu chí {_reach(band.threshold_at_least)} "
                f"(cần ít nhất {need}, tức {share})"
            )
    if band.key_at_least is not None and params.key_criteria:
        low = [n for n in params.key_criteria if levels[n] < band.key_at_least]
        if band.all_at_least is not None and band.all_at_least >= band.key_at_least:
            reported = [n for n in low if levels[n] < band.all_at_least]
            unreported = [n for n in low if n not in reported]
        else:
            unreported = low
        if unreported:
            failed.append(_below(unreported, band.key_at_least, key=True))
        elif not low:
            held.append(
                f"Các tiêu chí then chốt {_numbers(params.key_criteria)} "
                f"đều {_reach(band.key_at_least)}"
            )
    reasons = failed if failed else held
    return BandCheck(band.level, not failed, tuple(dict.fromkeys(reasons)))


def _coerce_levels(params: RatingParams, levels: Mapping[int, Any]) -> dict[int, Level]:
    missing = missing_criteria(params, levels)
    if missing:
        raise ValueError(f"Chưa đánh giá tiêu chí: {_numbers(missing)}")
    unknown = sorted(set(levels) - set(params.criteria))
    if unknown:
        raise ValueError(f"Tiêu chí không có trong khung: {_numbers(unknown)}")
    return {n: parse_level(levels[n]) for n in params.criteria}  # type: ignore[misc]


def rate(params: RatingParams, levels: Mapping[int, Level]) -> RatingResult:
    """Overall level for one level per criterion, with Vietnamese reasons.

    Bands are checked from the highest down; the first one whose conditions all hold is the
    result, none = Chưa đạt. Every criterion must have a level (see missing_criteria); a
    missing or unknown criterion raises ValueError.
    """
    checked = _coerce_levels(params, levels)
    checks: list[BandCheck] = []
    for band in params.bands:
        check = _check_band(params, band, checked)
        checks.append(check)
        if check.met:
            break
    reached = checks[-1] if checks and checks[-1].met else None
    failures = [check for check in checks if not check.met]
    reasons: list[str] = []
    if failures:
        reasons.extend(failures[-1].reasons)  # why not the band just above the result
    if reached is not None:
        reasons.extend(reached.reasons)
    return RatingResult(
        level=reached.level if reached is not None else Level.CHUA_DAT,
        reasons=tuple(dict.fromkeys(reasons)),
        checks=tuple(checks),
    )


def missing_criteria(
    params_or_numbers: RatingParams | Iterable[int], levels: Mapping[int, Any]
) -> list[int]:
    """Criteria with no level yet (absent or None), in number order: block submit if any."""
    numbers = (
        params_or_numbers.criteria
        if isinstance(params_or_numbers, RatingParams)
        else params_or_numbers
    )
    return sorted(n for n in set(numbers) if levels.get(n) is None or levels.get(n) == "")


def superior_due(framework_period_years: int, first_year: int | str, this_year: int | str) -> bool:
    """Is the superior's evaluation due at the end of school year ``this_year``?

    ``first_year`` is the school year of the first superior evaluation of the series (the cycle's
    anchor); it is due then and every ``framework_period_years`` years after (Điều 11 TT20/TT14:
    every two years, at the end of the school year). A shortened cycle (special cases, with the
    superior's agreement) is a decision, not a rule: callers may evaluate in other years too.
    Years are start years (2024) or "2024-2025".
    """
    if not _is_number(framework_period_years):
        raise ValueError("Chu kỳ đánh giá phải là số nguyên dương")
    first = school_year_start(first_year)
    this = school_year_start(this_year)
    return this >= first and (this - first) % framework_period_years == 0


def weakest_criteria(
    levels: Mapping[int, Level | None], n: int, below: Level | None = None
) -> list[int]:
    """Up to ``n`` criterion numbers, lowest level first, ties by criterion number.

    Criteria without a level are skipped; with ``below``, only criteria under that level count
    (e.g. ``below=Level.TOT`` suggests no training for criteria already at Tốt).
    """
    rated = [(parse_level(level), number) for number, level in levels.items()]
    ranked = sorted(
        (level, number)
        for level, number in rated
        if level is not None and (below is None or level < below)
    )
    return [number for _, number in ranked[: max(n, 0)]]
