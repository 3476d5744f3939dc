"""Reference data loader: the unit tree's top (Bộ and the 34 Sở) and the catalogues.

``load_reference_data()`` runs at every start-up. It first compares row counts (a handful
of ``COUNT`` queries) and returns at once when everything is already there; otherwise it
upserts every file by code and commits once. Existing rows get the file's values, so a
corrected CSV reaches the database the next time a row is missing or the file grows.

Files (UTF-8 CSV, one ``source_status`` column each carrying the VERIFIED / VERIFIED-2nd /
FROM MEMORY mark shown to administrators):

- ``provinces_2025.csv``: 34 provincial units (NQ 202/2025/QH15) → Sở GD&ĐT units;
- ``ethnic_groups.csv``: 54 ethnic groups (QĐ 1019/QĐ-TCTK 2008 codes);
- ``subjects.csv``: subjects, with ``college_suffices`` per NĐ 93/2026/NĐ-CP Điều 20(2);
- ``qualification_levels.csv``: trình độ đào tạo with an ordering rank;
- ``salary_ranks.csv``: teacher titles (hạng) with their coefficient scales;
- ``retirement_roadmap.csv``: NĐ 135/2020 roadmap, read by ``app.personnel.rules``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from app.extensions import db

DATA_DIR = Path(__file__).resolve().parent

MINISTRY_CODE = "BGDDT"
MINISTRY_NAME = "Bộ Giáo dục và Đào tạo"
MINISTRY_STATUS = "VERIFIED (cơ quan chủ quản)"
PROVINCE_NAME_PREFIX = "Sở GD&ĐT "


def read_csv(name: str, data_dir: Path = DATA_DIR) -> list[dict[str, str]]:
    """Rows of a data file as dicts of stripped strings (UTF-8, BOM tolerated)."""
    with (data_dir / name).open(encoding="utf-8-sig", newline="") as handle:
        return [
            {key.strip(): (value or "").strip() for key, value in row.items() if key}
            for row in csv.DictReader(handle)
        ]


def _yes(value: str) -> bool:
    return value.strip().lower() in {"yes", "y", "true", "1", "có", "x"}


def _none_if_blank(value: str) -> str | None:
    return value or None


def _province_fields(row: dict[str, str]) -> dict[str, Any]:
    merged = row.get("merged_from", "")
    note = None if not merged or merged.startswith("(") else f"Hợp nhất từ: {merged}"
    return {
        "name": PROVINCE_NAME_PREFIX + row["name"],
        "kind": "province",
        "source_status": row["source_status"][:255],
        "note": note,
        "legacy": False,
        "active": True,
    }


def _ethnic_fields(row: dict[str, str]) -> dict[str, Any]:
    return {
        "name": row["name"],
        "aliases": _none_if_blank(row.get("aliases", "")),
        "is_minority": _yes(row["is_minority"]),
        "source_status": row["source_status"][:255],
    }


def _subject_fields(row: dict[str, str]) -> dict[str, Any]:
    return {"name": row["name"], "college_suffices": _yes(row["college_suffices"])}


def _qualification_fields(row: dict[str, str]) -> dict[str, Any]:
    return {"name": row["name"], "rank": int(row["rank"])}


def _salary_rank_fields(row: dict[str, str]) -> dict[str, Any]:
    coefficients = row["coefficients"].split()
    if len(coefficients) != int(row["n_steps"]):
        raise ValueError(f"salary rank {row['code']}: {len(coefficients)} coefficients")
    return {
        "title": row["title"],
        "school_level": row["school_level"],
        "regulation": _none_if_blank(row.get("regulation", "")),
        "salary_group": row["salary_group"],
        "coefficients": " ".join(coefficients),
        "step_interval_months": int(row["step_interval_months"]),
        "promotion_requirement": _none_if_blank(row.get("promotion_requirement", "")),
        "source_status": row["source_status"],
    }


def _upsert(
    model: type,
    rows: Iterable[dict[str, str]],
    fields: Callable[[dict[str, str]], dict[str, Any]],
    extra: dict[str, Any] | None = None,
) -> list[Any]:
    """Insert missing rows and refresh existing ones, matched by ``code``."""
    rows = list(rows)
    codes = [row["code"] for row in rows]
    existing = {
        obj.code: obj for obj in db.session.scalars(select(model).where(model.code.in_(codes)))
    }
    objects = []
    for row in rows:
        values = {**fields(row), **(extra or {})}
        obj = existing.get(row["code"])
        if obj is None:
            obj = model(code=row["code"], **values)
            db.session.add(obj)
        else:
            for key, value in values.items():
                if getattr(obj, key) != value:
                    setattr(obj, key, value)
        objects.append(obj)
    return objects


def _count(model: type, codes: list[str]) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(model.code.in_(codes)))


def _catalogues(data_dir: Path) -> list[tuple[type, list[dict[str, str]], Callable]]:
    from app.personnel.models import EthnicGroup, QualificationLevel, SalaryRank, Subject

    return [
        (EthnicGroup, read_csv("ethnic_groups.csv", data_dir), _ethnic_fields),
        (Subject, read_csv("subjects.csv", data_dir), _subject_fields),
        (QualificationLevel, read_csv("qualification_levels.csv", data_dir), _qualification_fields),
        (SalaryRank, read_csv("salary_ranks.csv", data_dir), _salary_rank_fields),
    ]


def is_loaded(data_dir: Path = DATA_DIR) -> bool:
    """True when every code of every file is already in the database (count comparison)."""
    from app.org.models import Unit

    provinces = read_csv("provinces_2025.csv", data_dir)
    if _count(Unit, [MINISTRY_CODE] + [row["code"] for row in provinces]) != len(provinces) + 1:
        return False
    for model, rows, _fields in _catalogues(data_dir):
        if _count(model, [row["code"] for row in rows]) != len(rows):
            return False
    return True


def load_reference_data(data_dir: Path | None = None) -> None:
    """Idempotent upsert (by code) of the Bộ, the 34 Sở and the reference catalogues.

    Needs an app context. Skips all writes when :func:`is_loaded` says so. Works the same on
    SQLite and PostgreSQL (plain ORM statements, one commit at the end).
    """
    from app.evaluation.services import load_frameworks
    from app.org.models import Unit

    data_dir = data_dir or DATA_DIR
    load_frameworks()  # evaluation frameworks (TT20, TT14, TT26, TT25) and who evaluates whom
    from app.training.services import load_catalogue

    load_catalogue()  # BDTX programmes, modules, module ↔ criterion map, result levels
    if is_loaded(data_dir):
        return

    ministry = db.session.scalar(select(Unit).where(Unit.code == MINISTRY_CODE))
    if ministry is None:
        ministry = Unit(
            code=MINISTRY_CODE,
            name=MINISTRY_NAME,
            kind="ministry",
            parent=None,
            source_status=MINISTRY_STATUS,
        )
        db.session.add(ministry)
    # The Sở paths are built from the ministry's path, which exists only after its insert.
    db.session.flush()

    provinces = sorted(read_csv("provinces_2025.csv", data_dir), key=lambda r: int(r["no"]))
    for unit in _upsert(Unit, provinces, _province_fields):
        if unit.parent_id != ministry.id:
            unit.parent = ministry
    db.session.flush()

    for model, rows, fields in _catalogues(data_dir):
        _upsert(model, rows, fields)
    db.session.commit()
