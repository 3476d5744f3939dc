"""Vietnamese labels of personnel codes stored in the database."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

SEX_LABELS = {"nam": _l("Nam"), "nu": _l("Nữ")}
POSITION_LABELS = {
    "giao_vien": _l("Giáo viên"),
    "hieu_truong": _l("Hiệu trưởng"),
    "pho_hieu_truong": _l("Phó hiệu trưởng"),
    "to_truong": _l("Tổ trưởng chuyên môn"),
    "nhan_vien": _l("Nhân viên"),
    "chuyen_vien": _l("Chuyên viên"),
    "lanh_dao": _l("Lãnh đạo"),
}
EMPLOYMENT_LABELS = {
    "vien_chuc": _l("Viên chức"),
    "hop_dong": _l("Hợp đồng lao động"),
    "hop_dong_68": _l("Hợp đồng theo NĐ 111/2022"),
    "cong_chuc": _l("Công chức"),
}
STATUS_LABELS = {
    "active": _l("Đang công tác"),
    "transferred": _l("Đã chuyển công tác"),
    "retired": _l("Đã nghỉ hưu"),
}
CERTIFICATE_LABELS = {
    "llct": _l("Lý luận chính trị"),
    "qlnn": _l("Quản lý nhà nước"),
    "ngoai_ngu": _l("Ngoại ngữ"),
    "tin_hoc": _l("Tin học"),
    "qlgd": _l("Quản lý giáo dục"),
}
ANNUAL_RATING_LABELS = {
    "htxs": _l("Hoàn thành xuất sắc nhiệm vụ"),
    "htt": _l("Hoàn thành tốt nhiệm vụ"),
    "ht": _l("Hoàn thành nhiệm vụ"),
    "kht": _l("Không hoàn thành nhiệm vụ"),
}
AWARD_KIND_LABELS = {"award": _l("Khen thưởng"), "discipline": _l("Kỷ luật")}
