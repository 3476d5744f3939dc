"""Demo data set: two provinces, about 30 schools, about 1,000 staff with histories, demo accounts.

`load_demo(password)` is what `flask portal init --demo` and `python run.py` call. It is

- idempotent: when the demo account 'admin' exists it does nothing and returns None;
- deterministic: every draw comes from `random.Random(2026)` (dates are relative to today, so
  the "due for a salary step" list and the last three annual ratings stay current);
- one transaction: units, schools, people, histories and accounts are committed together.

It needs the reference data (`load_reference_data()`): the Bộ root unit, the 34 Sở units
'S01'..'S34', ethnic groups, subjects, qualification levels and salary ranks.

The people are invented. Names, communes and school names look Vietnamese and real on purpose,
so that search, sorting and reports can be tried on realistic text.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import insert, select
from werkzeug.security import generate_password_hash

from app.evaluation.demo import load_evaluation_demo
from app.extensions import db
from app.org.models import School, Unit
from app.personnel.models import (
    AnnualRating,
    Assignment,
    AwardDiscipline,
    Certificate,
    EthnicGroup,
    Person,
    Qualification,
    QualificationLevel,
    RankHistory,
    SalaryRank,
    Subject,
    TrainingCourse,
)
from app.personnel.rules import load_retirement_roadmap, retirement_date
from app.security import roles
from app.text import fold

SEED = 2026
EMAIL_DOMAIN = "demo.edu.vn"
PROVINCE_A = ("S01", "ha noi")
PROVINCE_B = ("S13", "lao cai")

# ---------------------------------------------------------------------------------------------
# Units and schools
# ---------------------------------------------------------------------------------------------

# (place as it follows "Phòng Văn hóa - Xã hội", region, disadvantaged)
COMMUNES_A = (
    ("phường Cầu Giấy", 1, False),
    ("phường Nghĩa Đô", 1, False),
    ("phường Hoàn Kiếm", 1, False),
    ("xã Sóc Sơn", 2, False),
)
COMMUNES_B = (
    ("phường Lào Cai", 2, False),
    ("xã Bắc Hà", 3, True),
    ("xã Mường Khương", 3, True),
    ("xã Mù Cang Chải", 3, True),
)
LEGACY_DISTRICT = ("S01-PGD-CG", "Phòng Giáo dục và Đào tạo quận Cầu Giấy")


@dataclass(frozen=True)
class SchoolSpec:
    code: str
    name: str
    school_type: str
    commune: int | None  # index into the province's communes; None = directly under the Sở
    ownership: str = "cong_lap"
    special_type: str = ""
    staff: int = 0  # 0 = drawn from the type's range


SCHOOLS_A = (
    SchoolSpec("A1", "Trường THCS Cầu Giấy", "thcs", 0, staff=36),
    SchoolSpec("A2", "Trường Tiểu học Dịch Vọng", "th", 0),
    SchoolSpec("A3", "Trường Mầm non Dịch Vọng", "mn", 0),
    SchoolSpec("A4", "Trường Tiểu học Nghĩa Tân", "th", 0),
    SchoolSpec("A5", "Trường THCS Nghĩa Tân", "thcs", 1),
    SchoolSpec("A6", "Trường Mầm non Hoa Sen", "mn", 1, ownership="tu_thuc", staff=14),
    SchoolSpec("A7", "Trường Tiểu học Nghĩa Đô", "th", 1),
    SchoolSpec("A8", "Trường THCS Trưng Vương", "thcs", 2),
    SchoolSpec("A9", "Trường Tiểu học Tràng An", "th", 2),
    SchoolSpec("A10", "Trường Mầm non Bình Minh", "mn", 2),
    SchoolSpec("A11", "Trường Mầm non Sóc Sơn", "mn", 3),
    SchoolSpec("A12", "Trường Tiểu học Sóc Sơn", "th", 3),
    SchoolSpec("A13", "Trường THCS Sóc Sơn", "thcs", 3),
    SchoolSpec("A14", "Trường Tiểu học và THCS Phù Linh", "lc_thcs", 3),
    SchoolSpec("A15", "Trường THPT Yên Hòa", "thpt", None),
    SchoolSpec("A16", "Trường THPT chuyên Hà Nội - Amsterdam", "thpt", None, special_type="chuyen"),
    SchoolSpec("A17", "Trường THPT Sóc Sơn", "thpt", None),
    SchoolSpec("A18", "Trung tâm GDNN - GDTX Cầu Giấy", "gdtx", None),
)
SCHOOLS_B = (
    SchoolSpec("B1", "Trường Mầm non Hoa Hồng", "mn", 0),
    SchoolSpec("B2", "Trường Tiểu học Kim Đồng", "th", 0),
    SchoolSpec("B3", "Trường THCS Lê Quý Đôn", "thcs", 0),
    SchoolSpec("B4", "Trường Mầm non Bắc Hà", "mn", 1),
    SchoolSpec("B5", "Trường Tiểu học Bắc Hà", "th", 1),
    SchoolSpec("B6", "Trường PTDTBT Tiểu học và THCS Bản Phố", "lc_thcs", 1, special_type="ptdtbt"),
    SchoolSpec("B7", "Trường Mầm non Mường Khương", "mn", 2),
    SchoolSpec("B8", "Trường Tiểu học Mường Khương", "th", 2),
    SchoolSpec("B9", "Trường PTDTBT THCS Mường Khương", "thcs", 2, special_type="ptdtbt"),
    SchoolSpec("B10", "Trường Tiểu học Mù Cang Chải", "th", 3),
    SchoolSpec("B11", "Trường PTDTBT THCS Mù Cang Chải", "thcs", 3, special_type="ptdtbt"),
    SchoolSpec("B12", "Trường THPT số 1 Lào Cai", "thpt", None),
    SchoolSpec("B13", "Trường PTDTNT THPT tỉnh Lào Cai", "thpt", None, special_type="ptdtnt"),
    SchoolSpec("B14", "Trường THPT Bắc Hà", "thpt", None),
)
A1_CODE = "A1"
B_TEACHER_SCHOOL = "B5"  # giaovien2 teaches here

STAFF_RANGE = {
    "mn": (18, 28),
    "th": (24, 36),
    "thcs": (26, 38),
    "thpt": (42, 56),
    "lc_thcs": (26, 34),
    "gdtx": (14, 20),
}
# Teachers per class (TT 19/2023 for preschool, TT 20/2023 for general education).
TEACHERS_PER_CLASS = {"mn": 2.0, "th": 1.5, "thcs": 1.9, "thpt": 2.25}
PUPILS_PER_CLASS = {  # (province A, province B)
    "nhatre": (20, 15),
    "maugiao": (30, 24),
    "th": (35, 27),
    "thcs": (40, 32),
    "thpt": (43, 36),
}

# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------

KINH_SURNAMES = (
    ("Nguyễn", 380), ("Trần", 110), ("Lê", 95), ("Phạm", 70), ("Hoàng", 45), ("Huỳnh", 6),
    ("Phan", 45), ("Vũ", 39), ("Võ", 10), ("Đặng", 21), ("Bùi", 20), ("Đỗ", 14), ("Hồ", 13),
    ("Ngô", 13), ("Dương", 10), ("Lý", 5), ("Đinh", 10), ("Đào", 10), ("Trịnh", 8), ("Mai", 5),
    ("Lương", 5), ("Cao", 5), ("Tạ", 4), ("Chu", 3), ("Kiều", 3), ("Khuất", 2), ("Nghiêm", 2),
    ("Lưu", 3), ("Tô", 3), ("Hà", 5),
)  # fmt: skip
MIDDLE_F = (
    ("Thị", 50), ("Thu", 6), ("Thanh", 6), ("Ngọc", 6), ("Minh", 4), ("Phương", 3), ("Hồng", 4),
    ("Thùy", 3), ("Kim", 3), ("Mai", 2), ("Bích", 2), ("Hải", 2), ("Diệu", 1), ("Khánh", 1),
    ("Hoài", 1), ("Quỳnh", 1), ("Lan", 1), ("Thúy", 2),
)  # fmt: skip
MIDDLE_M = (
    ("Văn", 40), ("Đức", 10), ("Minh", 8), ("Quang", 6), ("Ngọc", 4), ("Hữu", 5), ("Xuân", 3),
    ("Thanh", 4), ("Mạnh", 3), ("Tiến", 3), ("Công", 3), ("Trung", 3), ("Thế", 2), ("Việt", 2),
    ("Anh", 2), ("Hoàng", 2), ("Duy", 3), ("Đình", 4), ("Quốc", 3),
)  # fmt: skip
GIVEN_F = (
    "An", "Anh", "Bích", "Chi", "Châu", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền",
    "Hoa", "Hòa", "Hồng", "Huệ", "Hương", "Huyền", "Lan", "Liên", "Linh", "Loan", "Ly", "Mai",
    "Minh", "My", "Nga", "Ngân", "Ngọc", "Nhung", "Oanh", "Phương", "Quyên", "Quỳnh", "Sen",
    "Tâm", "Thảo", "Thắm", "Thanh", "Thu", "Thủy", "Thúy", "Trang", "Trâm", "Tuyết", "Uyên",
    "Vân", "Xuân", "Yến", "Hậu", "Hải", "Diệp", "Ánh", "Khánh", "Nhàn", "Phượng", "Vy", "Hường",
)  # fmt: skip
GIVEN_M = (
    "An", "Bình", "Cường", "Chiến", "Công", "Dũng", "Duy", "Dương", "Đạt", "Đức", "Đông",
    "Giang", "Hải", "Hiếu", "Hòa", "Hoàng", "Hùng", "Huy", "Hưng", "Khánh", "Khoa", "Kiên",
    "Lâm", "Long", "Lộc", "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Quang", "Sơn",
    "Tài", "Tâm", "Thắng", "Thành", "Trung", "Tú", "Tuấn", "Tùng", "Việt", "Vinh", "Vũ",
    "Thịnh", "Toàn", "Trọng", "Hiệp", "Khải", "Lợi",
)  # fmt: skip

# Minority names: (surnames, male middles, male given, female middles, female given).
# Tày, Nùng and Mường staff mostly carry Kinh-style middle and given names.
MINORITY_NAMES = {
    "02": (  # Tày
        ("Hoàng", "Nông", "Lương", "Ma", "Hà", "Vi", "Lục", "Hứa", "Triệu"),
        ("Văn", "Đức", "Văn", "Thanh"),
        GIVEN_M + ("Páo", "Pẻo", "Slinh"),
        ("Thị", "Thị", "Thu"),
        GIVEN_F,
    ),
    "03": (  # Thái
        ("Lò", "Lường", "Cầm", "Quàng", "Vì", "Tòng", "Hà", "Bạc", "Lù"),
        ("Văn",),
        ("Pánh", "Xôm", "Bun", "Tiến", "Thắng", "Chung", "Khánh", "Sinh", "Ơn", "Panh"),
        ("Thị",),
        ("Hoa", "Ưng", "Ún", "Xuân", "Én", "Thoa", "Phương", "Kim", "Lả", "Thanh"),
    ),
    "04": (  # Mường
        ("Đinh", "Bùi", "Quách", "Hà", "Xa", "Cao"),
        ("Văn", "Công", "Đức"),
        GIVEN_M + ("Nhất",),
        ("Thị",),
        GIVEN_F + ("Mến",),
    ),
    "07": (  # Nùng
        ("Nông", "Hoàng", "Vi", "Lương", "Lăng", "Hứa", "Chu"),
        ("Văn", "Văn", "Đức"),
        GIVEN_M + ("Sằn", "Pảo"),
        ("Thị",),
        GIVEN_F,
    ),
    "08": (  # Mông
        ("Giàng", "Sùng", "Vàng", "Thào", "Lù", "Hầu", "Mùa", "Sình", "Lý", "Ly", "Tráng", "Cứ"),
        ("A", "A", "A", "Seo"),
        ("Sử", "Páo", "Chứ", "Dính", "Lử", "Sính", "Pó", "Chảo", "Sáng", "Tủa", "Của", "Giống"),
        ("Thị", "Thị", "Seo"),
        ("Mỷ", "Sua", "Dế", "Mai", "Chở", "Pàng", "Máy", "Say", "Chi", "Hoa", "Ly", "Súa"),
    ),
    "09": (  # Dao
        ("Triệu", "Bàn", "Đặng", "Lý", "Phùn", "Tẩn", "Chảo"),
        ("Văn", "Văn", "Láo"),
        ("Phin", "Lở", "Quẩy", "Sơn", "Tiến", "Minh", "Phú", "Chòi", "San", "Kiều"),
        ("Thị",),
        ("Mẩy", "Chài", "Phấu", "Dín", "Xuân", "Lan", "Hạnh", "Kiều", "Seng", "Mai"),
    ),
}
MINORITY_WEIGHTS_A = (("04", 45), ("02", 30), ("07", 15), ("03", 10))
MINORITY_WEIGHTS_B = (("02", 25), ("08", 25), ("09", 20), ("03", 14), ("07", 9), ("04", 7))

# CCCD: 3-digit code of the province of birth registration (pre-2025 provinces) and its name.
BIRTH_PLACES_A = (
    ("001", "Hà Nội", 70), ("036", "Nam Định", 5), ("034", "Thái Bình", 5), ("030", "Hải Dương", 4),
    ("033", "Hưng Yên", 3), ("035", "Hà Nam", 3), ("037", "Ninh Bình", 2), ("038", "Thanh Hóa", 3),
    ("040", "Nghệ An", 2), ("026", "Vĩnh Phúc", 2), ("017", "Hòa Bình", 1),
)  # fmt: skip
BIRTH_PLACES_B = (
    ("010", "Lào Cai", 55), ("015", "Yên Bái", 25), ("002", "Hà Giang", 5), ("025", "Phú Thọ", 6),
    ("019", "Thái Nguyên", 3), ("034", "Thái Bình", 3), ("036", "Nam Định", 3),
)  # fmt: skip
PHONE_PREFIXES = (
    "096",
    "097",
    "098",
    "086",
    "032",
    "035",
    "091",
    "094",
    "088",
    "090",
    "093",
    "089",
    "083",
)

# ---------------------------------------------------------------------------------------------
# Histories
# ---------------------------------------------------------------------------------------------

SUBJECTS_BY_LEVEL = {
    "mn": (("GDMN", 1),),
    "th": (
        ("TIENG_VIET", 40), ("TOAN", 30), ("NGOAI_NGU_TH", 9), ("TIN_HOC", 4), ("AM_NHAC", 4),
        ("MI_THUAT", 4), ("GDTC", 6), ("DAO_DUC", 1),
    ),
    "thcs": (
        ("TOAN", 18), ("NGU_VAN", 17), ("NGOAI_NGU", 12), ("KHTN", 14), ("LS_DL", 9), ("GDCD", 4),
        ("TIN_HOC", 5), ("CONG_NGHE", 4), ("GDTC", 6), ("AM_NHAC", 3), ("MI_THUAT", 3), ("HDTN", 2),
    ),
    "thpt": (
        ("TOAN", 17), ("NGU_VAN", 15), ("NGOAI_NGU", 12), ("VAT_LI", 7), ("HOA_HOC", 7),
        ("SINH_HOC", 5), ("LICH_SU", 6), ("DIA_LI", 5), ("GD_KT_PL", 4), ("TIN_HOC", 5),
        ("CONG_NGHE", 3), ("GDTC", 6), ("GDQP_AN", 3),
    ),
}  # fmt: skip
GENERAL_MAJOR = {"mn": "Giáo dục Mầm non", "th": "Giáo dục Tiểu học"}
TH_GENERAL_SUBJECTS = {"TIENG_VIET", "TOAN", "DAO_DUC"}
# Qualification level code → weight, per level; "old" is used for staff over 45.
QUAL_WEIGHTS = {
    "mn": {"trung_cap": 5, "cao_dang_su_pham": 38, "dai_hoc": 55, "thac_si": 2},
    "th": {"trung_cap": 2, "cao_dang_su_pham": 11, "dai_hoc": 82, "thac_si": 5},
    "thcs": {"cao_dang_su_pham": 9, "dai_hoc": 81, "thac_si": 10},
    "thpt": {"dai_hoc": 76, "thac_si": 22, "tien_si": 2},
}
STANDARD_RANK = {"mn": 25, "th": 30, "thcs": 30, "thpt": 30}  # rank of the standard level
STAFF_JOBS = (
    ("Kế toán", "Kế toán", 30),
    ("Văn thư", "Văn thư - Lưu trữ", 25),
    ("Thiết bị - Thư viện", "Thư viện - Thông tin", 20),
    ("Y tế học đường", "Điều dưỡng", 15),
    ("Bảo vệ", "", 10),
)
INSTITUTIONS_A = (
    "Trường Đại học Sư phạm Hà Nội",
    "Trường Đại học Sư phạm Hà Nội 2",
    "Trường Đại học Giáo dục - ĐHQG Hà Nội",
    "Trường Đại học Thủ đô Hà Nội",
    "Trường Cao đẳng Sư phạm Hà Nội",
    "Trường Cao đẳng Sư phạm Trung ương",
    "Trường Đại học Vinh",
)
INSTITUTIONS_B = (
    "Trường Cao đẳng Sư phạm Lào Cai",
    "Trường Cao đẳng Sư phạm Yên Bái",
    "Trường Đại học Tây Bắc",
    "Trường Đại học Sư phạm - ĐH Thái Nguyên",
    "Trường Đại học Sư phạm Hà Nội",
    "Trường Đại học Hùng Vương",
)
STAFF_INSTITUTIONS = ("Học viện Tài chính", "Trường Cao đẳng Y tế", "Trường Đại học Nội vụ Hà Nội")
TRAINING_COURSES = (
    ("Bồi dưỡng thường xuyên giáo viên năm học {y}-{y1}", "{so}", 120, "bdtx"),
    ("Bồi dưỡng giáo viên thực hiện Chương trình GDPT 2018 - Mô-đun {m}", "{so}", 40, ""),
    ("Tập huấn dạy học STEM trong trường phổ thông", "{so}", 24, ""),
    ("Bồi dưỡng chuyên đề đánh giá học sinh theo hướng phát triển năng lực", "{so}", 16, ""),
    ("Tập huấn ứng dụng công nghệ thông tin trong dạy học", "{ubnd}", 16, ""),
    (
        "Bồi dưỡng giáo viên cốt cán cơ sở giáo dục phổ thông",
        "Trường Đại học Sư phạm Hà Nội",
        60,
        "",
    ),
    ("Bồi dưỡng tiếng dân tộc Mông cho giáo viên", "{so}", 90, ""),
)
TRAINING_RESULTS = (("Hoàn thành tốt", 40), ("Hoàn thành", 45), ("Giỏi", 10), ("Đạt", 5))
AWARD_FORMS = (
    ("Giấy khen của Chủ tịch UBND {xa}", 30),
    ("Giấy khen của Giám đốc {so}", 30),
    ("Danh hiệu Chiến sĩ thi đua cơ sở", 20),
    ("Bằng khen của Chủ tịch UBND {tinh}", 8),
    ("Giáo viên dạy giỏi cấp tỉnh", 8),
    ("Bằng khen của Bộ trưởng Bộ Giáo dục và Đào tạo", 4),
)
DISCIPLINES = (
    ("Khiển trách", "Vi phạm quy định về dạy thêm, học thêm"),
    ("Khiển trách", "Vi phạm quy chế chuyên môn trong kiểm tra, đánh giá học sinh"),
    ("Cảnh cáo", "Vi phạm quy tắc ứng xử trong cơ sở giáo dục"),
)
RATING_WEIGHTS = (("htxs", 15), ("htt", 64), ("ht", 19), ("kht", 2))
RATING_WEIGHTS_LEADER = (("htxs", 35), ("htt", 58), ("ht", 7))
RATING_SCORE = {"htxs": (90, 100), "htt": (70, 89), "ht": (50, 69), "kht": (20, 49)}


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for dom in (day.day, 30, 29, 28):
        try:
            return date(year, month, dom)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def _years(years: float) -> timedelta:
    return timedelta(days=int(years * 365.25))


class _Rng(random.Random):
    def weighted(self, pairs):
        """Pick the first item of one (item, ..., weight) tuple, weighted by its last element."""
        items = list(pairs)
        pick = self.choices(items, weights=[p[-1] for p in items])[0]
        return pick[0] if len(pick) == 2 else pick[:-1]

    def day_between(self, start: date, end: date) -> date:
        if end <= start:
            return start
        return start + timedelta(days=self.randint(0, (end - start).days))


@dataclass
class _Reference:
    root: Unit
    province_a: Unit
    province_b: Unit
    ethnic: dict[str, EthnicGroup]
    subjects: dict[str, Subject]
    levels: dict[str, QualificationLevel]
    ranks: dict[str, SalaryRank]

    @classmethod
    def load(cls) -> _Reference:
        session = db.session
        root = session.scalars(
            select(Unit).where(Unit.kind == "ministry").order_by(Unit.id)
        ).first()
        provinces = list(
            session.scalars(select(Unit).where(Unit.kind == "province").order_by(Unit.id))
        )
        if root is None or len(provinces) < 2:
            raise RuntimeError(
                "Demo data needs the reference data: run load_reference_data() first."
            )

        def province(code: str, name: str) -> Unit:
            for unit in provinces:
                if unit.code == code:
                    return unit
            for unit in provinces:
                if name in fold(unit.name):
                    return unit
            raise RuntimeError(f"Province unit {code} ({name}) is missing from the reference data.")

        def by_code(model) -> dict:
            return {row.code: row for row in session.scalars(select(model))}

        ref = cls(
            root=root,
            province_a=province(*PROVINCE_A),
            province_b=province(*PROVINCE_B),
            ethnic=by_code(EthnicGroup),
            subjects=by_code(Subject),
            levels=by_code(QualificationLevel),
            ranks=by_code(SalaryRank),
        )
        missing = [c for c in ("01", "02", "03", "04", "07", "08", "09") if c not in ref.ethnic]
        missing += [
            c
            for c in ("trung_cap", "cao_dang_su_pham", "dai_hoc", "thac_si")
            if c not in ref.levels
        ]
        if missing:
            raise RuntimeError(f"Reference data is missing codes needed by the demo: {missing}")
        return ref


RANK_CODES = {  # level → (hạng III, hạng II, hạng I)
    "mn": ("V.07.02.26", "V.07.02.25", "V.07.02.24"),
    "th": ("V.07.03.29", "V.07.03.28", "V.07.03.27"),
    "thcs": ("V.07.04.32", "V.07.04.31", "V.07.04.30"),
    "thpt": ("V.07.05.15", "V.07.05.14", "V.07.05.13"),
}
MN_RANK_IV = "V.07.02.06"


@dataclass
class _SchoolCtx:
    school: School
    spec: SchoolSpec
    side: str  # 'A' or 'B'
    province: Unit
    commune: Unit | None
    place: str  # 'phường Cầu Giấy' / 'Lào Cai' for the awarding UBND
    disadvantaged: bool
    people: list[Person] = field(default_factory=list)


class _Builder:
    def __init__(self, ref: _Reference, today: date) -> None:
        self.ref = ref
        self.today = today
        self.rng = _Rng(SEED)
        self.people: list[Person] = []
        self.history: dict[type, list[tuple[Person, dict]]] = {}
        self.national_ids: set[str] = set()
        self.person_seq = 0
        self.decision_seq = 0
        self.schools: dict[str, _SchoolCtx] = {}
        self.legacy: Unit | None = None
        self.roadmap = load_retirement_roadmap()

    def _add(self, model: type, person: Person, **values) -> None:
        """Queue a history row; it is bulk-inserted once the people have their ids."""
        self.history.setdefault(model, []).append((person, values))

    def insert_history(self) -> None:
        session = db.session
        for model, queued in self.history.items():
            rows = [{**values, "person_id": person.id} for person, values in queued]
            session.execute(insert(model), rows)

    # -- units ------------------------------------------------------------------------------

    def build_units(self) -> None:
        rng = self.rng
        ref = self.ref
        session = db.session
        communes: dict[str, list[Unit]] = {}
        for side, province, specs in (
            ("A", ref.province_a, COMMUNES_A),
            ("B", ref.province_b, COMMUNES_B),
        ):
            communes[side] = [
                Unit(
                    kind="commune",
                    code=f"{province.code}-X{i + 1:02d}",
                    name=f"Phòng Văn hóa - Xã hội {place}",
                    parent=province,
                    address=f"UBND {place}, {province.name.replace('Sở GD&ĐT ', '')}",
                )
                for i, (place, _region, _dis) in enumerate(specs)
            ]
            session.add_all(communes[side])
        self.legacy = Unit(
            kind="district",
            code=LEGACY_DISTRICT[0],
            name=LEGACY_DISTRICT[1],
            parent=ref.province_a,
            legacy=True,
            active=False,
            note="Phòng GD&ĐT cấp huyện trước 1/7/2025, giữ cho hồ sơ cũ",
        )
        session.add(self.legacy)
        session.flush()  # parents get their paths before the schools hang under them

        for side, province, commune_specs, specs in (
            ("A", ref.province_a, COMMUNES_A, SCHOOLS_A),
            ("B", ref.province_b, COMMUNES_B, SCHOOLS_B),
        ):
            province_place = province.name.replace("Sở GD&ĐT ", "")
            for spec in specs:
                if spec.commune is None:
                    parent, place = province, province_place
                    region = 1 if side == "A" else 2
                    disadvantaged = side == "B" and spec.special_type == "ptdtnt"
                else:
                    parent = communes[side][spec.commune]
                    place, region, disadvantaged = commune_specs[spec.commune]
                school = School(
                    code=spec.code,
                    name=spec.name,
                    school_type=spec.school_type,
                    ownership=spec.ownership,
                    special_type=spec.special_type,
                    region=region,
                    disadvantaged=disadvantaged,
                    sessions_per_day=1 if spec.school_type in ("thpt", "gdtx") else 2,
                    address=f"{place}, {province_place}",
                    phone=(
                        f"024{rng.randint(30_000_000, 39_999_999)}"
                        if side == "A"
                        else f"0214{rng.randint(3_800_000, 3_899_999)}"
                    ),
                    email=f"{spec.code.lower()}@{EMAIL_DOMAIN}",
                    unit=Unit(kind="school", code=spec.code, name=spec.name, parent=parent),
                )
                session.add(school)
                self.schools[spec.code] = _SchoolCtx(
                    school,
                    spec,
                    side,
                    province,
                    None if spec.commune is None else parent,
                    place,
                    disadvantaged,
                )
        session.flush()

    # -- people -----------------------------------------------------------------------------

    def build_people(self) -> None:
        rng = self.rng
        for ctx in self.schools.values():
            spec = ctx.spec
            size = spec.staff or rng.randint(*STAFF_RANGE[spec.school_type])
            n_deputy = 1 if size < 25 else 2
            n_staff = 1 if size < 22 else 2
            positions = ["hieu_truong"] + ["pho_hieu_truong"] * n_deputy + ["nhan_vien"] * n_staff
            positions += ["giao_vien"] * (size - len(positions))
            for position in positions:
                ctx.people.append(self._person(ctx, position, "active"))
            # A few records of people who left: retired or transferred away.
            for status, chance in (("retired", 0.45), ("transferred", 0.45)):
                if rng.random() < chance:
                    ctx.people.append(self._person(ctx, "giao_vien", status))
            self._set_classes(ctx)

    def _level_for(self, school_type: str) -> str:
        if school_type == "lc_thcs":
            return self.rng.choice(("th", "thcs"))
        if school_type == "lc_thpt":
            return self.rng.choice(("thcs", "thpt"))
        if school_type == "gdtx":
            return "thpt"
        return school_type

    def _name(self, sex: str, ethnic_code: str) -> tuple[str, str, str]:
        rng = self.rng
        if ethnic_code in MINORITY_NAMES and rng.random() < 0.9:
            surnames, mid_m, given_m, mid_f, given_f = MINORITY_NAMES[ethnic_code]
            surname = rng.choice(surnames)
            middle = rng.choice(mid_m if sex == "nam" else mid_f)
            given = rng.choice(given_m if sex == "nam" else given_f)
        else:
            surname = rng.weighted(KINH_SURNAMES)
            middle = rng.weighted(MIDDLE_M if sex == "nam" else MIDDLE_F)
            given = rng.choice(GIVEN_M if sex == "nam" else GIVEN_F)
            while given == middle:
                given = rng.choice(GIVEN_M if sex == "nam" else GIVEN_F)
        return surname, middle, given

    def _national_id(self, birth: date, sex: str, place_code: str) -> str:
        century = 0 if birth.year < 2000 else 2
        digit = century + (1 if sex == "nu" else 0)
        while True:
            value = f"{place_code}{digit}{birth.year % 100:02d}{self.rng.randint(0, 999_999):06d}"
            if value not in self.national_ids:
                self.national_ids.add(value)
                return value

    def _decision(self, issuer: str, day: date) -> str:
        self.decision_seq += 1
        return f"{(self.decision_seq * 37) % 1900 + 12}/QĐ-{issuer}"

    def _person(self, ctx: _SchoolCtx, position: str, status: str) -> Person:
        rng, ref, today = self.rng, self.ref, self.today
        level = self._level_for(ctx.spec.school_type)
        teacher = position != "nhan_vien"

        # Sex: preschool is almost all women, secondary less so; leaders lean male.
        p_female = {"mn": 0.97, "th": 0.82, "thcs": 0.72, "thpt": 0.6}[level]
        if position == "hieu_truong":
            p_female = 0.9 if level == "mn" else 0.45
        elif position == "nhan_vien":
            p_female = 0.65
        sex = "nu" if rng.random() < p_female else "nam"

        # Ethnic group.
        if ctx.side == "A":
            ethnic_code = "01" if rng.random() < 0.95 else rng.weighted(MINORITY_WEIGHTS_A)
        else:
            p_minority = 0.5 if (ctx.disadvantaged or ctx.spec.special_type) else 0.25
            ethnic_code = rng.weighted(MINORITY_WEIGHTS_B) if rng.random() < p_minority else "01"
        surname, middle, given = self._name(sex, ethnic_code)
        full_name = f"{surname} {middle} {given}"

        # Age: retirement under NĐ 135/2020 is about 61.5 (men) and 57 (women) in 2026.
        max_age = 61.2 if sex == "nam" else 56.6
        if status == "retired":
            age = max_age + rng.uniform(0.3, 3.0)
        else:
            mode = {"hieu_truong": 50, "pho_hieu_truong": 45, "nhan_vien": 35}.get(position, 40)
            low = {"hieu_truong": 38, "pho_hieu_truong": 32}.get(position, 22)
            age = rng.triangular(low, max_age, min(mode, max_age - 1))
        birth = today - _years(age) - timedelta(days=rng.randint(0, 180))
        retires = retirement_date(birth, sex, self.roadmap)
        if status == "retired" and retires >= today - timedelta(days=30):
            birth -= retires - today + timedelta(days=rng.randint(60, 700))
        elif status != "retired" and retires <= today + timedelta(days=20):
            birth += today - retires + timedelta(days=rng.randint(30, 400))
        start = birth + _years(rng.uniform(21.8, 25.0))
        start = min(start, today - timedelta(days=60))

        place_code, place_name = rng.weighted(BIRTH_PLACES_A if ctx.side == "A" else BIRTH_PLACES_B)
        if ethnic_code != "01" and ctx.side == "B":
            place_code, place_name = rng.choice(
                (("010", "Lào Cai"), ("015", "Yên Bái"), ("002", "Hà Giang"))
            )

        self.person_seq += 1
        person = Person(
            code=f"CB{self.person_seq:06d}",
            full_name=full_name,
            birth_date=birth,
            sex=sex,
            ethnic_group_id=ref.ethnic[ethnic_code].id,
            religion=rng.weighted((("Không", 86), ("Phật giáo", 9), ("Công giáo", 5))),
            national_id=self._national_id(birth, sex, place_code),
            hometown=place_name,
            unit_id=ctx.school.unit.id,
            position=position,
            start_date=start,
            status=status,
        )
        if rng.random() < 0.75:
            person.phone = f"{rng.choice(PHONE_PREFIXES)}{rng.randint(0, 9_999_999):07d}"
        if rng.random() < 0.45:
            handle = fold(f"{given}{surname}{middle}").replace(" ", "").replace("'", "")
            domain = rng.choice(
                ("gmail.com", "gmail.com", f"{ctx.spec.code.lower()}.{EMAIL_DOMAIN}")
            )
            person.email = f"{handle}{rng.randint(1, 99)}@{domain}"
        if rng.random() < 0.5:
            person.address = f"{ctx.place}, {ctx.province.name.replace('Sở GD&ĐT ', '')}"

        private = ctx.spec.ownership != "cong_lap"
        if private:
            person.employment_type = "hop_dong"
        elif teacher:
            young = age < 30
            person.employment_type = (
                "hop_dong" if rng.random() < (0.25 if young else 0.04) else "vien_chuc"
            )
        else:
            person.employment_type = rng.weighted(
                (("vien_chuc", 50), ("hop_dong", 30), ("hop_dong_68", 20))
            )

        # Party membership.
        p_party = {"hieu_truong": 0.95, "pho_hieu_truong": 0.85, "nhan_vien": 0.15}.get(
            position, 0.28
        )
        if age < 26:
            p_party = 0.03
        if not private and rng.random() < p_party:
            person.party_member = True
            person.party_join_date = rng.day_between(
                birth + _years(22), today - timedelta(days=200)
            )

        # Subject and qualification.
        if teacher:
            subject_code = rng.weighted(SUBJECTS_BY_LEVEL[level])
            if position in ("hieu_truong", "pho_hieu_truong") and level == "th":
                subject_code = "TIENG_VIET"
            subject = ref.subjects.get(subject_code)
            person.main_subject_id = subject.id if subject else None
        else:
            subject = None
            job, _major = rng.weighted(STAFF_JOBS)
            person.subjects_text = job

        self.people.append(person)
        qualification_rank = self._qualifications(person, ctx, level, subject, teacher, age, start)
        assignment_start, end = self._assignments(person, ctx, position, start, status)
        person.unit_start_date = assignment_start
        if teacher and not private:
            self._salary(person, level, position, start, qualification_rank)
        self._certificates(person, ctx, position, start)
        self._training(person, ctx, level, teacher, start, ethnic_code)
        discipline_year = self._awards(person, ctx, position, start)
        self._ratings(person, position, start, discipline_year, end)
        return person

    def _qualifications(self, person, ctx, level, subject, teacher, age, start) -> int:
        rng, ref = self.rng, self.ref
        institutions = INSTITUTIONS_A if ctx.side == "A" else INSTITUTIONS_B
        if teacher:
            weights = dict(QUAL_WEIGHTS[level])
            if ctx.spec.special_type == "chuyen":
                weights["thac_si"] = 45
            if age < 30:  # trained after Luật Giáo dục 2019: at or above the standard
                weights = {
                    k: w for k, w in weights.items() if ref.levels[k].rank >= STANDARD_RANK[level]
                }
            elif age > 45:
                weights = {
                    k: (w * 3 if ref.levels[k].rank < STANDARD_RANK[level] else w)
                    for k, w in weights.items()
                }
            code = rng.weighted(weights.items())
            if level in GENERAL_MAJOR and (
                subject is None or subject.code in TH_GENERAL_SUBJECTS | {"GDMN"}
            ):
                major = GENERAL_MAJOR[level]
            else:
                major = f"Sư phạm {subject.name.split(' (')[0]}" if subject else "Sư phạm"
            training = True
        else:
            code = rng.weighted((("trung_cap", 35), ("cao_dang", 25), ("dai_hoc", 40)))
            code = code if code in ref.levels else "trung_cap"
            major = (
                next((m for j, m, _w in STAFF_JOBS if j == person.subjects_text), "") or "Bảo vệ"
            )
            training = False
            institutions = STAFF_INSTITUTIONS
        level_row = ref.levels.get(code) or ref.levels["dai_hoc"]
        person.qualification_level_id = level_row.id
        first_year = start.year - rng.randint(0, 1)
        entries = []
        if code in ("thac_si", "tien_si"):
            entries.append((ref.levels["dai_hoc"], first_year, "Chính quy"))
            entries.append(
                (level_row, min(first_year + rng.randint(3, 10), self.today.year - 1), "Chính quy")
            )
        elif code == "dai_hoc" and teacher and age > 35 and rng.random() < 0.35:
            entries.append((ref.levels["cao_dang_su_pham"], first_year, "Chính quy"))
            entries.append(
                (
                    level_row,
                    min(first_year + rng.randint(4, 12), self.today.year - 1),
                    "Vừa làm vừa học",
                )
            )
        else:
            entries.append(
                (level_row, first_year, rng.weighted((("Chính quy", 85), ("Vừa làm vừa học", 15))))
            )
        for lvl, year, mode in entries:
            self._add(
                Qualification,
                person,
                level_id=lvl.id,
                major=major,
                teacher_training=training,
                institution=rng.choice(institutions),
                year=year,
                mode=mode,
            )
        return level_row.rank

    def _assignments(self, person, ctx, position, start, status) -> tuple[date, date | None]:
        rng, today = self.rng, self.today
        unit = ctx.school.unit
        years = (today - start).days / 365.25
        issuer = "UBND" if ctx.commune is not None else "SGDĐT"
        current_start = start
        history: list[tuple[Unit, str, date, date]] = []
        if position in ("hieu_truong", "pho_hieu_truong") and years > 8:
            # Appointed after years of teaching, sometimes somewhere else (or at the old Phòng GD&ĐT).
            current_start = rng.day_between(start + _years(6), today - timedelta(days=120))
            if ctx.side == "A" and rng.random() < 0.2:
                prev_unit, prev_position = self.legacy, "chuyen_vien"
                cutoff = date(2025, 6, 30)
                if current_start <= cutoff + timedelta(days=30):
                    current_start = cutoff + timedelta(days=1)
                history.append(
                    (
                        prev_unit,
                        prev_position,
                        start,
                        min(current_start - timedelta(days=1), cutoff),
                    )
                )
            elif rng.random() < 0.5:
                history.append(
                    (
                        self._other_school(ctx).unit,
                        "giao_vien",
                        start,
                        current_start - timedelta(days=1),
                    )
                )
            else:
                history.append((unit, "giao_vien", start, current_start - timedelta(days=1)))
        elif years > 5 and rng.random() < 0.3:
            current_start = rng.day_between(start + _years(2), today - timedelta(days=200))
            history.append(
                (self._other_school(ctx).unit, position, start, current_start - timedelta(days=1))
            )
        for prev_unit, prev_position, s, e in history:
            self._add(
                Assignment,
                person,
                unit_id=prev_unit.id,
                position=prev_position,
                start_date=s,
                end_date=e,
                decision_no=self._decision(issuer, s),
            )
        end = None
        note = None
        if status == "retired":
            end = retirement_date(person.birth_date, person.sex, self.roadmap)
            note = "Nghỉ hưu theo chế độ"
        elif status == "transferred":
            end = rng.day_between(today - timedelta(days=700), today - timedelta(days=20))
            other = self._other_school(ctx, any_province=True)
            note = f"Chuyển công tác đến {other.name}"
        if end is not None and end <= current_start:
            end = current_start + timedelta(days=30)
        self._add(
            Assignment,
            person,
            unit_id=unit.id,
            position=position,
            start_date=current_start,
            end_date=end,
            decision_no=self._decision(issuer, current_start),
            note=note,
        )
        return current_start, end

    def _other_school(self, ctx: _SchoolCtx, any_province: bool = False) -> School:
        candidates = [
            c.school
            for c in self.schools.values()
            if c is not ctx
            and (any_province or c.side == ctx.side)
            and (
                c.spec.school_type == ctx.spec.school_type
                or ctx.spec.school_type in ("lc_thcs", "gdtx")
            )
        ]
        if not candidates:
            candidates = [c.school for c in self.schools.values() if c is not ctx]
        return self.rng.choice(candidates)

    def _salary(self, person, level, position, start, qualification_rank) -> None:
        rng, ref, today = self.rng, self.ref, self.today
        codes = RANK_CODES[level]
        service = (today - start).days / 365.25
        below_standard = qualification_rank < STANDARD_RANK[level]
        grade = 0  # index into codes: 0 = hạng III
        if service >= 9 and not below_standard:
            p2, p1 = (0.6, 0.25) if position in ("hieu_truong", "pho_hieu_truong") else (0.5, 0.08)
            if service < 16:
                p1 = 0.0
            draw = rng.random()
            grade = 2 if draw < p1 else 1 if draw < p1 + p2 else 0
        code = codes[grade]
        if level == "mn" and below_standard and MN_RANK_IV in ref.ranks and rng.random() < 0.7:
            code = MN_RANK_IV
        rank = ref.ranks.get(code)
        if rank is None:
            return
        interval = rank.step_interval_months or 36
        coefficients = rank.coefficient_list
        if grade == 0:
            rank_date = start + timedelta(days=365)  # after the probation year
            rank_date = min(rank_date, today - timedelta(days=30))
            initial = 1
        else:
            earliest = start + _years(9 if grade == 1 else 15)
            rank_date = rng.day_between(
                max(earliest, date(2016, 1, 1)), today - timedelta(days=180)
            )
            initial = rng.randint(1, 3)
        # Last regular step: within 3 years for most, overdue for some, so the "due" list has people.
        months_since = rng.randint(0, 35) if rng.random() < 0.9 else rng.randint(36, 42)
        step_date = _add_months(today, -months_since) - timedelta(days=rng.randint(0, 27))
        if step_date <= rank_date:
            step_date, step = rank_date, initial
        else:
            step = initial + max(round(_months_between(rank_date, step_date) / interval), 0)
        over_frame = 0
        if step > len(coefficients):
            extra_years = (step - len(coefficients)) * interval // 12
            step = len(coefficients)
            over_frame = 5 + max(extra_years - 3, 0) if extra_years >= 3 else 0
        person.salary_rank_id = rank.id
        person.salary_step = step
        person.salary_coefficient = Decimal(f"{coefficients[step - 1]:.2f}")
        person.salary_step_date = step_date
        issuer = "SGDĐT" if level == "thpt" else "UBND"
        self._add(
            RankHistory,
            person,
            salary_rank_id=rank.id,
            step=step,
            coefficient=person.salary_coefficient,
            over_frame_percent=over_frame,
            effective_date=step_date,
            decision_no=self._decision(issuer, step_date),
        )
        if step > initial and rng.random() < 0.7:
            prev_date = max(_add_months(step_date, -interval), rank_date)
            self._add(
                RankHistory,
                person,
                salary_rank_id=rank.id,
                step=step - 1,
                over_frame_percent=0,
                coefficient=Decimal(f"{coefficients[step - 2]:.2f}"),
                effective_date=prev_date,
                decision_no=self._decision(issuer, prev_date),
            )
        if grade > 0 and rng.random() < 0.7:
            lower = ref.ranks.get(codes[grade - 1])
            if lower is not None:
                lower_coef = lower.coefficient_list
                lower_step = min(
                    len(lower_coef), max(1, int((rank_date - start).days / 365.25 / 3))
                )
                lower_date = max(_add_months(rank_date, -rng.randint(6, 30)), start)
                self._add(
                    RankHistory,
                    person,
                    salary_rank_id=lower.id,
                    step=lower_step,
                    over_frame_percent=0,
                    coefficient=Decimal(f"{lower_coef[lower_step - 1]:.2f}"),
                    effective_date=lower_date,
                    decision_no=self._decision(issuer, lower_date),
                )

    def _certificates(self, person, ctx, position, start) -> None:
        rng, today = self.rng, self.today
        province_place = ctx.province.name.replace("Sở GD&ĐT ", "")
        leader = position in ("hieu_truong", "pho_hieu_truong")
        since = max(start, today - _years(15))

        def add(kind, name, level, issuer):
            self._add(
                Certificate,
                person,
                kind=kind,
                name=name,
                level=level,
                issued_date=rng.day_between(since, today - timedelta(days=30)),
                issuer=issuer,
            )

        if person.party_member or leader:
            level = "Trung cấp" if leader and rng.random() < 0.8 else "Sơ cấp"
            if leader and rng.random() < 0.05:
                level = "Cao cấp"
            school = (
                "Trường Chính trị tỉnh Lào Cai"
                if ctx.side == "B"
                else "Trường Đào tạo cán bộ Lê Hồng Phong"
            )
            add("llct", f"Bằng {level.lower()} lý luận chính trị", level, school)
        if leader or rng.random() < 0.05:
            add(
                "qlnn",
                "Chứng chỉ bồi dưỡng kiến thức quản lý nhà nước",
                rng.weighted((("Chuyên viên", 80), ("Chuyên viên chính", 20))),
                f"Sở Nội vụ {province_place}",
            )
        if leader:
            add(
                "qlgd",
                "Chứng chỉ bồi dưỡng cán bộ quản lý cơ sở giáo dục",
                None,
                rng.choice(("Học viện Quản lý giáo dục", "Trường Đại học Sư phạm Hà Nội")),
            )
        if rng.random() < 0.55:
            add(
                "ngoai_ngu",
                "Chứng chỉ tiếng Anh theo Khung năng lực ngoại ngữ 6 bậc",
                rng.weighted(
                    (("Bậc 2 (A2)", 45), ("Bậc 3 (B1)", 40), ("Bậc 4 (B2)", 12), ("Bậc 5 (C1)", 3))
                ),
                rng.choice(
                    ("Trường Đại học Ngoại ngữ - ĐHQG Hà Nội", "Trường Đại học Sư phạm Hà Nội")
                ),
            )
        if rng.random() < 0.6:
            add(
                "tin_hoc",
                "Chứng chỉ ứng dụng công nghệ thông tin",
                rng.weighted((("Cơ bản", 85), ("Nâng cao", 15))),
                rng.choice(
                    (
                        "Trung tâm Tin học - Trường Đại học Sư phạm Hà Nội",
                        f"Trường Cao đẳng {province_place}",
                    )
                ),
            )

    def _training(self, person, ctx, level, teacher, start, ethnic_code) -> None:
        rng, today = self.rng, self.today
        if not teacher:
            return
        so = ctx.province.name
        ubnd = f"UBND {ctx.place}"
        n = rng.weighted(((0, 15), (1, 35), (2, 35), (3, 15)))
        picked = set()
        for _ in range(n):
            idx = rng.randrange(len(TRAINING_COURSES) - 1)
            if ctx.side == "B" and ctx.disadvantaged and rng.random() < 0.2:
                idx = len(TRAINING_COURSES) - 1
            if idx in picked:
                continue
            picked.add(idx)
            name, organiser, periods, source = TRAINING_COURSES[idx]
            begin = rng.day_between(max(start, today - _years(5)), today - timedelta(days=40))
            school_year = begin.year if begin.month >= 8 else begin.year - 1
            self._add(
                TrainingCourse,
                person,
                name=name.format(y=school_year, y1=school_year + 1, m=rng.randint(1, 9)),
                organiser=organiser.format(so=so, ubnd=ubnd),
                start_date=begin,
                end_date=min(begin + timedelta(days=rng.randint(2, 60)), today),
                periods=periods,
                result=rng.weighted(TRAINING_RESULTS),
                source=source or None,
            )

    def _awards(self, person, ctx, position, start) -> int | None:
        rng, today = self.rng, self.today
        province_place = ctx.province.name.replace("Sở GD&ĐT ", "")
        leader = position in ("hieu_truong", "pho_hieu_truong")
        n = (
            rng.weighted(((0, 55), (1, 32), (2, 13)))
            if not leader
            else rng.weighted(((1, 40), (2, 45), (3, 15)))
        )
        since = max(start, today - _years(8))
        for _ in range(n):
            form = rng.weighted(AWARD_FORMS).format(
                xa=ctx.place, so=ctx.province.name, tinh=province_place
            )
            day = rng.day_between(since, today - timedelta(days=30))
            self._add(
                AwardDiscipline,
                person,
                kind="award",
                form=form,
                decision_no=self._decision("SGDĐT" if "Sở" in form else "UBND", day),
                decision_date=day,
                reason=f"Đã có thành tích xuất sắc trong năm học {day.year - 1}-{day.year}",
            )
        if rng.random() < 0.007:
            form, reason = rng.choice(DISCIPLINES)
            day = rng.day_between(max(start, today - _years(3)), today - timedelta(days=60))
            self._add(
                AwardDiscipline,
                person,
                kind="discipline",
                form=form,
                decision_no=self._decision("UBND", day),
                decision_date=day,
                reason=reason,
            )
            return day.year
        return None

    def _ratings(self, person, position, start, discipline_year, end) -> None:
        rng, today = self.rng, self.today
        leader = position in ("hieu_truong", "pho_hieu_truong")
        last_year = today.year - 1
        if end is not None:
            last_year = min(last_year, end.year - 1)
        for year in range(today.year - 3, last_year + 1):
            if start.year > year:
                continue
            result = rng.weighted(RATING_WEIGHTS_LEADER if leader else RATING_WEIGHTS)
            if discipline_year == year:
                result = rng.choice(("ht", "kht"))
            low, high = RATING_SCORE[result]
            self._add(AnnualRating, person, year=year, result=result, score=rng.randint(low, high))

    # -- classes and pupils -----------------------------------------------------------------

    def _set_classes(self, ctx: _SchoolCtx) -> None:
        rng = self.rng
        school = ctx.school
        b = 1 if ctx.side == "B" else 0
        teachers = sum(1 for p in ctx.people if p.status == "active" and p.position != "nhan_vien")
        teachers = max(teachers - 1, 1)  # the principal teaches very little

        def classes_for(level: str, share: float = 1.0) -> int:
            # Some schools are short of teachers, some have a surplus: the norm report shows both.
            return max(
                1, round(teachers * share / TEACHERS_PER_CLASS[level] * rng.uniform(0.88, 1.15))
            )

        def pupils(kind: str, classes: int) -> int:
            per = PUPILS_PER_CLASS[kind][b]
            return sum(rng.randint(per - 4, per + 3) for _ in range(classes))

        kind = ctx.spec.school_type
        if kind == "mn":
            total = classes_for("mn")
            school.classes_nhatre = max(1, round(total * 0.3))
            school.classes_maugiao = max(1, total - school.classes_nhatre)
            school.pupils_mn = pupils("nhatre", school.classes_nhatre) + pupils(
                "maugiao", school.classes_maugiao
            )
        elif kind in ("th", "thcs", "thpt"):
            classes = classes_for(kind)
            setattr(school, f"classes_{kind}", classes)
            setattr(school, f"pupils_{kind}", pupils(kind, classes))
        elif kind == "lc_thcs":
            school.classes_th = classes_for("th", 0.55)
            school.pupils_th = pupils("th", school.classes_th)
            school.classes_thcs = classes_for("thcs", 0.45)
            school.pupils_thcs = pupils("thcs", school.classes_thcs)
        elif kind == "gdtx":
            school.classes_thpt = classes_for("thpt")
            school.pupils_thpt = pupils("thpt", school.classes_thpt)


# ---------------------------------------------------------------------------------------------
# Accounts
# ---------------------------------------------------------------------------------------------


def _split_name(full_name: str) -> tuple[str, str]:
    """FAB shows 'first last': keep the Vietnamese order with first = họ + đệm, last = tên."""
    head, _sep, given = full_name.rpartition(" ")
    return head, given


def _create_accounts(builder: _Builder, password: str) -> None:
    sm = current_app.appbuilder.sm
    ref = builder.ref
    rng = random.Random(SEED + 1)
    a1 = builder.schools[A1_CODE]
    b_school = builder.schools[B_TEACHER_SCHOOL]

    def active(ctx: _SchoolCtx, position: str) -> list[Person]:
        return [p for p in ctx.people if p.status == "active" and p.position == position]

    principal = active(a1, "hieu_truong")[0]
    a1_teachers = [p for p in active(a1, "giao_vien") if p.main_subject_id is not None]
    group_leader = max(
        a1_teachers, key=lambda p: (p.start_date is not None, -p.birth_date.toordinal())
    )
    others = [p for p in a1_teachers if p is not group_leader]
    teacher = rng.choice([p for p in others if p.email is None] or others)
    teacher_b = rng.choice(active(b_school, "giao_vien"))

    accounts = (
        ("admin", roles.ADMIN, ref.root, ("Quản trị", "hệ thống"), None),
        ("bo", roles.BO, ref.root, ("Phạm Quốc", "Hưng"), None),
        ("so", roles.CHUYEN_VIEN_SO, ref.province_a, ("Trần Thu", "Hà"), None),
        ("lanhdaoso", roles.LANH_DAO_SO, ref.province_a, ("Lê Văn", "Thắng"), None),
        ("xa", roles.CHUYEN_VIEN_XA, a1.commune, ("Đỗ Thị", "Lan"), None),
        ("hieutruong", roles.HIEU_TRUONG, a1.school.unit, None, principal),
        ("nhansu", roles.NHAN_SU, a1.school.unit, ("Vũ Thị", "Hạnh"), None),
        ("totruong", roles.TO_TRUONG, a1.school.unit, None, group_leader),
        ("giaovien", roles.GIAO_VIEN, a1.school.unit, None, teacher),
        ("giaovien2", roles.GIAO_VIEN, b_school.school.unit, None, teacher_b),
    )
    # One hash for all the demo accounts: they share the password, and scrypt is slow on purpose.
    hashed = generate_password_hash(
        password,
        method=current_app.config.get("FAB_PASSWORD_HASH_METHOD", "scrypt"),
        salt_length=current_app.config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16),
    )
    for username, role_name, unit, names, person in accounts:
        role = sm.find_role(role_name)
        if role is None:
            raise RuntimeError(
                f"Role '{role_name}' is missing: sync roles before loading the demo."
            )
        first, last = names if names else _split_name(person.full_name)
        email = f"{username}@{EMAIL_DOMAIN}"
        user = sm.add_user(username, first, last, email, role, hashed_password=hashed, commit=False)
        if not user:
            raise RuntimeError(f"Could not create demo account '{username}'.")
        user.unit_id = unit.id
        user.person_id = person.id if person is not None else None
        user.must_change_password = False
        if person is not None and person.email is None:
            person.email = email


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------


def load_demo(password: str | None = None) -> str | None:
    """Load the demo data set and accounts; return their password, or None when already loaded."""
    sm = current_app.appbuilder.sm
    if sm.find_user(username="admin"):
        return None
    password = password or secrets.token_urlsafe(9)
    session = db.session
    try:
        ref = _Reference.load()
        builder = _Builder(ref, date.today())
        with session.no_autoflush:
            builder.build_units()
            builder.build_people()
            session.add_all(builder.people)
            session.flush()
        builder.insert_history()
        _create_accounts(builder, password)
        load_evaluation_demo()
        from app.training.demo import load_training_demo

        load_training_demo()
        session.commit()
    except Exception:
        session.rollback()
        raise
    return password
