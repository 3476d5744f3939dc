"""Personnel records (hồ sơ) and their histories, plus the reference catalogues they use."""

from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    event,
)
from sqlalchemy.orm import relationship

from app.text import fold, name_sort_key, nfc

SEXES = ("nam", "nu")
POSITIONS = (
    "giao_vien",
    "hieu_truong",
    "pho_hieu_truong",
    "to_truong",
    "nhan_vien",
    "chuyen_vien",
    "lanh_dao",
)
EMPLOYMENT_TYPES = ("vien_chuc", "hop_dong", "hop_dong_68", "cong_chuc")
STATUSES = ("active", "transferred", "retired")
CERTIFICATE_KINDS = ("llct", "qlnn", "ngoai_ngu", "tin_hoc", "qlgd")
ANNUAL_RATINGS = ("htxs", "htt", "ht", "kht")
AWARD_KINDS = ("award", "discipline")


class EthnicGroup(Model):
    __tablename__ = "ethnic_group"
    __scope__ = "public"  # reference data: readable by every signed-in user
    id = Column(Integer, primary_key=True)
    code = Column(String(8), unique=True, nullable=False)
    name = Column(String(64), nullable=False)
    aliases = Column(String(255))
    is_minority = Column(Boolean, nullable=False, default=True)
    source_status = Column(String(255))

    def __repr__(self) -> str:
        return self.name


class Subject(Model):
    __tablename__ = "subject"
    __scope__ = "public"  # reference data: readable by every signed-in user
    id = Column(Integer, primary_key=True)
    code = Column(String(32), unique=True, nullable=False)
    name = Column(String(128), nullable=False)
    # Subjects where a college degree meets the training standard (NĐ 93/2026 Điều 20(2)).
    college_suffices = Column(Boolean, nullable=False, default=False)

    def __repr__(self) -> str:
        return self.name


class QualificationLevel(Model):
    """Trình độ đào tạo, ordered low → high by rank."""

    __tablename__ = "qualification_level"
    __scope__ = "public"  # reference data: readable by every signed-in user
    id = Column(Integer, primary_key=True)
    code = Column(String(32), unique=True, nullable=False)
    name = Column(String(128), nullable=False)
    rank = Column(Integer, nullable=False)

    def __repr__(self) -> str:
        return self.name


class SalaryRank(Model):
    """Hạng/chức danh with its salary scale; transitional under Luật Nhà giáo (NĐ 93/2026 Điều 25(4))."""

    __tablename__ = "salary_rank"
    __scope__ = "public"  # reference data: readable by every signed-in user
    id = Column(Integer, primary_key=True)
    code = Column(String(32), unique=True, nullable=False)
    title = Column(String(255), nullable=False)
    school_level = Column(String(32), nullable=False)
    regulation = Column(String(255))
    salary_group = Column(String(16), nullable=False)
    coefficients = Column(String(255), nullable=False)  # space-separated, step 1 first
    step_interval_months = Column(Integer, nullable=False, default=36)
    promotion_requirement = Column(String(255))
    source_status = Column(Text)

    def __repr__(self) -> str:
        return f"{self.title} ({self.code})"

    @property
    def coefficient_list(self) -> list[float]:
        return [float(c) for c in self.coefficients.split()]


class Person(Model):
    __tablename__ = "person"
    __scope__ = "unit"
    __self_column__ = "id"  # a teacher's own record

    id = Column(Integer, primary_key=True)
    code = Column(String(32), unique=True, nullable=False)
    full_name = Column(String(128), nullable=False)
    name_folded = Column(String(128), nullable=False, default="")
    name_sort = Column(String(512), nullable=False, default="", index=True)
    birth_date = Column(Date, nullable=False)
    sex = Column(String(8), nullable=False)
    ethnic_group_id = Column(Integer, ForeignKey("ethnic_group.id"), index=True)
    religion = Column(String(64))
    national_id = Column(String(12), unique=True)
    phone = Column(String(20))
    email = Column(String(120))
    hometown = Column(String(255))
    address = Column(String(255))

    unit_id = Column(Integer, ForeignKey("unit.id"), nullable=False, index=True)
    position = Column(String(32), nullable=False, default="giao_vien")
    employment_type = Column(String(32), nullable=False, default="vien_chuc")
    start_date = Column(Date)  # ngày vào ngành
    unit_start_date = Column(Date)  # ngày về đơn vị hiện tại
    main_subject_id = Column(Integer, ForeignKey("subject.id"))
    subjects_text = Column(String(255))
    party_member = Column(Boolean, nullable=False, default=False)
    party_join_date = Column(Date)
    status = Column(String(16), nullable=False, default="active", index=True)

    salary_rank_id = Column(Integer, ForeignKey("salary_rank.id"))
    salary_step = Column(Integer)
    salary_coefficient = Column(Numeric(5, 2))
    salary_step_date = Column(Date)
    qualification_level_id = Column(Integer, ForeignKey("qualification_level.id"))

    version_id = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version_id}

    unit = relationship("Unit")
    ethnic_group = relationship("EthnicGroup")
    main_subject = relationship("Subject")
    salary_rank = relationship("SalaryRank")
    qualification_level = relationship("QualificationLevel")

    def __repr__(self) -> str:
        return self.full_name or ""

    @property
    def school(self):
        return self.unit.school if self.unit else None


class _PersonHistory:
    """Common shape of every history table: it belongs to one person, scoped through them."""

    __scope__ = "person"


class Assignment(_PersonHistory, Model):
    __tablename__ = "assignment"
    id = Column(Integer, primary_key=True)
    person_id = Column(
        Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True
    )
    unit_id = Column(Integer, ForeignKey("unit.id"), nullable=False)
    position = Column(String(32), nullable=False)
    start_date = Column(Date, nullable=False)
    end_date = Column(Date)
    decision_no = Column(String(64))
    note = Column(String(255))
    person = relationship("Person", backref="assignments")
    unit = relationship("Unit")


class RankHistory(_PersonHistory, Model):
    __tablename__ = "rank_history"
    id = Column(Integer, primary_key=True)
    person_id = Column(
        Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True
    )
    salary_rank_id = Column(Integer, ForeignKey("salary_rank.id"), nullable=False)
    step = Column(Integer, nullable=False)
    coefficient = Column(Numeric(5, 2), nullable=False)
    over_frame_percent = Column(Integer, nullable=False, default=0)
    effective_date = Column(Date, nullable=False)
    decision_no = Column(String(64))
    person = relationship("Person", backref="rank_history")
    salary_rank = relationship("SalaryRank")


class Qualification(_PersonHistory, Model):
    __tablename__ = "qualification"
    id = Column(Integer, primary_key=True)
    person_id = Column(
        Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True
    )
    level_id = Column(Integer, ForeignKey("qualification_level.id"), nullable=False)
    major = Column(String(255), nullable=False)
    teacher_training = Column(Boolean, nullable=False, default=True)  # ngành đào tạo giáo viên
    institution = Column(String(255))
    year = Column(Integer)
    mode = Column(String(64))
    person = relationship("Person", backref="qualifications")
    level = relationship("QualificationLevel")


class Certificate(_PersonHistory, Model):
    """Lý luận chính trị, quản lý nhà nước, ngoại ngữ, tin học, QLGD."""

    __tablename__ = "certificate"
    id = Column(Integer, primary_key=True)
    person_id = Column(
        Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind = Column(String(16), nullable=False)
    name = Column(String(255), nullable=False)
    level = Column(String(64))
    issued_date = Column(Date)
    issuer = Column(String(255))
    person = relationship("Person", backref="certificates")


class TrainingCourse(_PersonHistory, Model):
    __tablename__ = "training_course"
    id = Column(Integer, primary_key=True)
    person_id = Column(
        Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name = Column(String(255), nullable=False)
    organiser = Column(String(255))
    start_date = Column(Date)
    end_date = Column(Date)
    periods = Column(Integer)
    result = Column(String(64))
    source = Column(String(32))  # e.g. 'bdtx' when written by the training workflow
    person = relationship("Person", backref="training_courses")


class AwardDiscipline(_PersonHistory, Model):
    __tablename__ = "award_discipline"
    id = Column(Integer, primary_key=True)
    person_id = Column(
        Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind = Column(String(16), nullable=False)
    form = Column(String(255), nullable=False)
    decision_no = Column(String(64))
    decision_date = Column(Date, nullable=False)
    reason = Column(Text)
    person = relationship("Person", backref="awards")


class AnnualRating(_PersonHistory, Model):
    """Đánh giá, xếp loại viên chức hằng năm (NĐ 90/2020, from 1/7/2026 NĐ 233/2026)."""

    __tablename__ = "annual_rating"
    id = Column(Integer, primary_key=True)
    person_id = Column(
        Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True
    )
    year = Column(Integer, nullable=False)
    result = Column(String(8), nullable=False)
    score = Column(Integer)
    note = Column(String(255))
    person = relationship("Person", backref="annual_ratings")


# Accent-free substring search: a trigram GIN index on PostgreSQL, a plain index on SQLite.
Index(
    "ix_person_name_folded_trgm",
    Person.name_folded,
    postgresql_using="gin",
    postgresql_ops={"name_folded": "gin_trgm_ops"},
)
Index("ix_person_unit_status", Person.unit_id, Person.status)


@event.listens_for(Person, "before_insert")
@event.listens_for(Person, "before_update")
def _person_normalise(mapper, connection, target: Person) -> None:
    target.full_name = nfc(target.full_name)
    target.name_folded = fold(target.full_name)
    target.name_sort = name_sort_key(target.full_name)
    for attr in (
        "national_id",
        "phone",
        "email",
        "hometown",
        "address",
        "religion",
        "subjects_text",
    ):
        value = getattr(target, attr)
        if isinstance(value, str):
            setattr(target, attr, nfc(value) or None)
