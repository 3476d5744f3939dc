"""Vietnamese labels of the unit and school codes stored in the database."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

UNIT_KIND_LABELS = {
    "ministry": _l("Bộ GD&ĐT"),
    "province": _l("Sở GD&ĐT"),
    "commune": _l("Phòng VH-XH xã/phường"),
    "district": _l("Phòng GD&ĐT (cũ, trước 2025)"),
    "school": _l("Trường"),
}
SCHOOL_TYPE_LABELS = {
    "mn": _l("Mầm non"),
    "th": _l("Tiểu học"),
    "thcs": _l("THCS"),
    "thpt": _l("THPT"),
    "lc_thcs": _l("Liên cấp (cao nhất THCS)"),
    "lc_thpt": _l("Liên cấp (cao nhất THPT)"),
    "gdtx": _l("GDTX"),
}
OWNERSHIP_LABELS = {
    "cong_lap": _l("Công lập"),
    "tu_thuc": _l("Tư thục"),
    "dan_lap": _l("Dân lập"),
}
SPECIAL_TYPE_LABELS = {
    "": _l("Không"),
    "ptdtnt": _l("PT dân tộc nội trú"),
    "ptdtbt": _l("PT dân tộc bán trú"),
    "chuyen": _l("Trường chuyên"),
    "khuyet_tat": _l("Trường dành cho người khuyết tật"),
}
REGION_LABELS = {1: _l("Vùng 1"), 2: _l("Vùng 2"), 3: _l("Vùng 3")}


def label_of(labels: dict, value: object) -> str:
    return str(labels.get(value, value if value is not None else ""))
