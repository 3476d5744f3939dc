"""Continuous training (BDTX): catalogue, yearly survey, training needs, personal plans, results.

Reference data (``public``: readable by every signed-in user, written by all-scope admins),
loaded from ``app/data/training/*.csv`` by ``app.training.services.load_catalogue``:

- ``Programme``: programme 01 / 02 / 03 of a school year, with the year's time measure
  (``periods`` per TT 17/2019, ``weeks`` per NĐ 93/2026) and its required / maximum amount;
- ``Module``: GVPT 01–15 (and any module an admin adds), with ``ModuleCriterion``: the
  framework criteria a module develops (framework code + criterion number, so the map
  survives new framework versions);
- ``ResultLevel``: the result scale of a module and of a year (data: TT 19/2019's exact scale
  is not verified).

Scoped rows (``app.security.scope``):

- ``Course`` belongs to the unit that schedules it (a Sở or a school) and is visible below it;
  ``Enrolment``, ``SurveyResponse``, ``TrainingNeed`` and ``TrainingPlan`` belong to a person;
  rows hanging off them (answers, plan items) follow their parent;
- ``Questionnaire`` (and its sections and questions) follows its cycle: visible where the cycle
  applies.
"""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from app.security.scope import ids_in_scope, via

MEASURES = ("periods", "weeks")
PROGRAMME_CODES = ("01", "02", "03")
COURSE_FORMS = ("tap_trung", "tu_xa", "ket_hop")
QUESTION_KINDS = ("likert", "single", "multiple", "number", "text")
AUDIENCES = ("all", "teachers", "principals")
PRIORITIES = (1, 2, 3)

# Plan states. "Not started" is the absence of a row.
DRAFT = "draft"
SUBMITTED = "submitted"
RETURNED = "returned"
APPROVED = "approved"
PLAN_STATES = (DRAFT, SUBMITTED, RETURNED, APPROVED)
EDITABLE_BY_OWNER = (DRAFT, RETURNED)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# --------------------------------------------------------------------------- catalogue


class Programme(Model):
    """Chương trình bồi dưỡng 01/02/03 of one school year and its time measure."""

    __tablename__ = "tr_programme"
    __scope__ = "public"
    __table_args__ = (UniqueConstraint("school_year", "code", name="uq_tr_programme_year_code"),)

    id = Column(Integer, primary_key=True)
    school_year = Column(String(9), nullable=False, index=True)
    code = Column(String(8), nullable=False)
    name = Column(String(500), nullable=False)
    measure = Column(String(16), nullable=False, default="periods")  # periods | weeks
    required_amount = Column(Numeric(6, 1))  # at least this much per year (None: no minimum)
    maximum_amount = Column(Numeric(6, 1))  # at most this much per year (None: no maximum)
    regulation = Column(String(255))
    source_status = Column(Text)

    def __repr__(self) -> str:
        return f"{self.code} ({self.school_year})"


class Module(Model):
    """Mô-đun bồi dưỡng (GVPT 01–15 of programme 03, or a module an admin adds)."""

    __tablename__ = "tr_module"
    __scope__ = "public"

    id = Column(Integer, primary_key=True)
    code = Column(String(32), unique=True, nullable=False)
    programme_code = Column(String(8), nullable=False, default="03")
    standard_group = Column(String(255))
    name = Column(String(500), nullable=False)
    name_en = Column(String(500))
    periods = Column(Integer, nullable=False, default=20)
    periods_theory = Column(Integer)
    periods_practice = Column(Integer)
    audience = Column(String(32), nullable=False, default="giao_vien_pho_thong")
    source_status = Column(Text)
    active = Column(Boolean, nullable=False, default=True)

    criteria = relationship(
        "ModuleCriterion",
        back_populates="module",
        cascade="all, delete-orphan",
        order_by="ModuleCriterion.criterion_number",
    )

    def __repr__(self) -> str:
        return f"{self.code}. {self.name}"

    @property
    def from_memory(self) -> bool:
        return "FROM MEMORY" in (self.source_status or "") or "assumed" in (
            self.source_status or ""
        )

    @property
    def criteria_text(self) -> str:
        return ", ".join(f"{c.framework_code} tiêu chí {c.criterion_number}" for c in self.criteria)


class ModuleCriterion(Model):
    """A module develops one criterion of a framework (by framework code and number)."""

    __tablename__ = "tr_module_criterion"
    __scope__ = "public"
    __table_args__ = (
        UniqueConstraint(
            "module_id", "framework_code", "criterion_number", name="uq_tr_module_criterion"
        ),
    )

    id = Column(Integer, primary_key=True)
    module_id = Column(
        Integer, ForeignKey("tr_module.id", ondelete="CASCADE"), nullable=False, index=True
    )
    framework_code = Column(String(32), nullable=False)
    criterion_number = Column(Integer, nullable=False)
    source_status = Column(Text)

    module = relationship("Module", back_populates="criteria")

    def __repr__(self) -> str:
        return f"{self.framework_code} – tiêu chí {self.criterion_number}"


class ResultLevel(Model):
    """A result of a module (kind 'module') or of a year's plan (kind 'year')."""

    __tablename__ = "tr_result_level"
    __scope__ = "public"

    id = Column(Integer, primary_key=True)
    code = Column(String(32), unique=True, nullable=False)
    kind = Column(String(8), nullable=False)  # module | year
    name = Column(String(255), nullable=False)
    passed = Column(Boolean, nullable=False, default=True)
    ordering = Column(Integer, nullable=False, default=1)
    source_status = Column(Text)

    def __repr__(self) -> str:
        return self.name


# --------------------------------------------------------------------------- courses


class Course(Model):
    """A module scheduled by a Sở or a school (lớp bồi dưỡng), with its enrolments."""

    __tablename__ = "tr_course"
    __scope__ = "tree"  # visible below the scheduling unit and to the units above it

    id = Column(Integer, primary_key=True)
    module_id = Column(Integer, ForeignKey("tr_module.id"), nullable=False, index=True)
    unit_id = Column(Integer, ForeignKey("unit.id"), nullable=False, index=True)
    school_year = Column(String(9), nullable=False, index=True)
    name = Column(String(255), nullable=False)
    start_date = Column(Date)
    end_date = Column(Date)
    form = Column(String(16), nullable=False, default="ket_hop")
    provider = Column(String(255))
    capacity = Column(Integer)
    note = Column(Text)

    module = relationship("Module")
    unit = relationship("Unit")
    enrolments = relationship("Enrolment", back_populates="course", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return self.name


class Enrolment(Model):
    __tablename__ = "tr_enrolment"
    __scope__ = "person"
    __table_args__ = (UniqueConstraint("course_id", "person_id", name="uq_tr_enrolment"),)

    id = Column(Integer, primary_key=True)
    course_id = Column(
        Integer, ForeignKey("tr_course.id", ondelete="CASCADE"), nullable=False, index=True
    )
    person_id = Column(
        Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True
    )
    enrolled_at = Column(DateTime, nullable=False, default=_now)
    note = Column(String(255))

    course = relationship("Course", back_populates="enrolments")
    person = relationship("Person")

    def __repr__(self) -> str:
        return f"{self.person} – {self.course}"


# --------------------------------------------------------------------------- survey


def _questionnaire_scope(scope):
    from app.evaluation.models import Cycle

    return Questionnaire.cycle_id.in_(ids_in_scope(Cycle, scope))


class Questionnaire(Model):
    """Phiếu khảo sát of one cycle. Once answered it is never changed destructively: a
    changed questionnaire is a copy (``version`` + 1, ``parent_id`` the original)."""

    __tablename__ = "tr_questionnaire"
    __scope__ = staticmethod(_questionnaire_scope)
    __table_args__ = (
        UniqueConstraint("cycle_id", "version", name="uq_tr_questionnaire_cycle_version"),
    )

    id = Column(Integer, primary_key=True)
    cycle_id = Column(Integer, ForeignKey("ev_cycle.id"), nullable=False, index=True)
    version = Column(Integer, nullable=False, default=1)
    title = Column(String(255), nullable=False)
    intro = Column(Text)
    active = Column(Boolean, nullable=False, default=True)
    parent_id = Column(Integer, ForeignKey("tr_questionnaire.id"))
    created_at = Column(DateTime, nullable=False, default=_now)

    cycle = relationship("Cycle")
    parent = relationship("Questionnaire", remote_side=[id])
    sections = relationship(
        "SurveySection",
        back_populates="questionnaire",
        cascade="all, delete-orphan",
        order_by="SurveySection.number",
    )
    questions = relationship(
        "Question",
        back_populates="questionnaire",
        cascade="all, delete-orphan",
        order_by="Question.number",
    )

    def __repr__(self) -> str:
        suffix = f" (phiên bản {self.version})" if self.version and self.version > 1 else ""
        return f"{self.title}{suffix}"


class SurveySection(Model):
    __tablename__ = "tr_survey_section"
    __table_args__ = (
        UniqueConstraint("questionnaire_id", "number", name="uq_tr_survey_section_number"),
    )

    id = Column(Integer, primary_key=True)
    questionnaire_id = Column(
        Integer, ForeignKey("tr_questionnaire.id", ondelete="CASCADE"), nullable=False, index=True
    )
    number = Column(Integer, nullable=False, default=1)
    title = Column(String(255), nullable=False)

    questionnaire = relationship("Questionnaire", back_populates="sections")
    questions = relationship("Question", back_populates="section", order_by="Question.number")

    def __repr__(self) -> str:
        return f"{self.number}. {self.title}"


class Question(Model):
    __tablename__ = "tr_question"
    __table_args__ = (UniqueConstraint("questionnaire_id", "number", name="uq_tr_question_number"),)

    id = Column(Integer, primary_key=True)
    questionnaire_id = Column(
        Integer, ForeignKey("tr_questionnaire.id", ondelete="CASCADE"), nullable=False, index=True
    )
    section_id = Column(Integer, ForeignKey("tr_survey_section.id", ondelete="SET NULL"))
    number = Column(Integer, nullable=False, default=1)
    text = Column(String(1000), nullable=False)
    kind = Column(String(16), nullable=False, default="likert")
    options = Column(Text)  # one choice per line (single / multiple choice)
    required = Column(Boolean, nullable=False, default=True)
    audience = Column(String(16), nullable=False, default="all")

    questionnaire = relationship("Questionnaire", back_populates="questions")
    section = relationship("SurveySection", back_populates="questions")

    def __repr__(self) -> str:
        return f"{self.number}. {self.text}"

    @property
    def option_list(self) -> list[str]:
        return [line.strip() for line in (self.options or "").splitlines() if line.strip()]


SurveySection.__scope__ = via(SurveySection.questionnaire_id, Questionnaire)
Question.__scope__ = via(Question.questionnaire_id, Questionnaire)


class SurveyResponse(Model):
    """One person's answers in one cycle: a second submit updates this row, never adds one."""

    __tablename__ = "tr_survey_response"
    __scope__ = "person"
    __table_args__ = (
        UniqueConstraint("person_id", "cycle_id", name="uq_tr_survey_response"),
        Index("ix_tr_survey_response_q_unit", "questionnaire_id", "unit_id"),
    )

    id = Column(Integer, primary_key=True)
    person_id = Column(
        Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True
    )
    cycle_id = Column(Integer, ForeignKey("ev_cycle.id"), nullable=False, index=True)
    questionnaire_id = Column(Integer, ForeignKey("tr_questionnaire.id"), nullable=False)
    unit_id = Column(Integer, ForeignKey("unit.id"), index=True)  # the person's unit when answering
    submitted_at = Column(DateTime, nullable=False, default=_now)
    updated_at = Column(DateTime, nullable=False, default=_now, onupdate=_now)
    version_id = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version_id}

    person = relationship("Person")
    cycle = relationship("Cycle")
    questionnaire = relationship("Questionnaire")
    answers = relationship("SurveyAnswer", back_populates="response", cascade="all, delete-orphan")


class SurveyAnswer(Model):
    """One answer value: a Likert level or number (``number``), a chosen option (one row per
    option for multiple choice), or free text. ``option`` is '' when not a choice, so the
    unique constraint also holds for the other kinds."""

    __tablename__ = "tr_survey_answer"
    __table_args__ = (
        UniqueConstraint("response_id", "question_id", "option", name="uq_tr_survey_answer"),
        Index("ix_tr_survey_answer_question", "question_id", "option"),
    )

    id = Column(Integer, primary_key=True)
    response_id = Column(
        Integer, ForeignKey("tr_survey_response.id", ondelete="CASCADE"), nullable=False, index=True
    )
    question_id = Column(Integer, ForeignKey("tr_question.id", ondelete="CASCADE"), nullable=False)
    option = Column(String(255), nullable=False, default="")
    number = Column(Numeric(12, 2))
    text = Column(Text)

    response = relationship("SurveyResponse", back_populates="answers")
    question = relationship("Question")


SurveyAnswer.__scope__ = via(SurveyAnswer.response_id, SurveyResponse)


# --------------------------------------------------------------------------- needs and plans


class TrainingNeed(Model):
    """Nhu cầu bồi dưỡng: a module, or a free-text need, with a priority (1 = highest)."""

    __tablename__ = "tr_need"
    __scope__ = "person"
    __table_args__ = (Index("ix_tr_need_person_cycle", "person_id", "cycle_id"),)

    id = Column(Integer, primary_key=True)
    person_id = Column(
        Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True
    )
    cycle_id = Column(Integer, ForeignKey("ev_cycle.id"), nullable=False, index=True)
    module_id = Column(Integer, ForeignKey("tr_module.id"))
    free_text = Column(String(500))
    priority = Column(Integer, nullable=False, default=2)
    suggested = Column(Boolean, nullable=False, default=False)  # picked from a suggestion
    created_at = Column(DateTime, nullable=False, default=_now)

    person = relationship("Person")
    cycle = relationship("Cycle")
    module = relationship("Module")

    def __repr__(self) -> str:
        return str(self.module) if self.module is not None else (self.free_text or "")


class TrainingPlan(Model):
    """Kế hoạch BDTX cá nhân of one person for one cycle's school year."""

    __tablename__ = "tr_plan"
    __scope__ = "person"
    __table_args__ = (
        UniqueConstraint("person_id", "cycle_id", name="uq_tr_plan"),
        Index("ix_tr_plan_cycle_state", "cycle_id", "state"),
    )

    id = Column(Integer, primary_key=True)
    person_id = Column(
        Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True
    )
    cycle_id = Column(Integer, ForeignKey("ev_cycle.id"), nullable=False, index=True)
    programme_id = Column(Integer, ForeignKey("tr_programme.id"))
    unit_id = Column(Integer, ForeignKey("unit.id"), index=True)
    state = Column(String(16), nullable=False, default=DRAFT)
    note = Column(Text)
    return_comment = Column(Text)
    approver_comment = Column(Text)
    approver_id = Column(Integer, ForeignKey("ab_user.id"))
    outcome = Column(String(32))  # ResultLevel code (kind 'year')
    outcome_by_id = Column(Integer, ForeignKey("ab_user.id"))
    created_at = Column(DateTime, nullable=False, default=_now)
    updated_at = Column(DateTime, nullable=False, default=_now, onupdate=_now)
    submitted_at = Column(DateTime)
    approved_at = Column(DateTime)
    outcome_at = Column(DateTime)
    version_id = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version_id}

    person = relationship("Person")
    cycle = relationship("Cycle")
    programme = relationship("Programme")
    unit = relationship("Unit")
    approver = relationship("PortalUser", foreign_keys=[approver_id])
    items = relationship(
        "PlanItem", back_populates="plan", cascade="all, delete-orphan", order_by="PlanItem.id"
    )

    def __repr__(self) -> str:
        return f"{self.person} – {self.cycle}"


class PlanItem(Model):
    """One module of a plan: planned time and timing, then its result and certificate."""

    __tablename__ = "tr_plan_item"
    __table_args__ = (UniqueConstraint("plan_id", "module_id", name="uq_tr_plan_item"),)

    id = Column(Integer, primary_key=True)
    plan_id = Column(
        Integer, ForeignKey("tr_plan.id", ondelete="CASCADE"), nullable=False, index=True
    )
    module_id = Column(Integer, ForeignKey("tr_module.id"), nullable=False)
    course_id = Column(Integer, ForeignKey("tr_course.id", ondelete="SET NULL"))
    amount = Column(Numeric(6, 1), nullable=False)  # periods or weeks (the programme's measure)
    planned_start = Column(Date)
    planned_end = Column(Date)
    form = Column(String(16))
    result = Column(String(32))  # ResultLevel code (kind 'module')
    periods_done = Column(Integer)
    certificate_id = Column(Integer, ForeignKey("ev_evidence.id", ondelete="SET NULL"))
    completed_at = Column(DateTime)
    training_course_id = Column(Integer, ForeignKey("training_course.id", ondelete="SET NULL"))

    plan = relationship("TrainingPlan", back_populates="items")
    module = relationship("Module")
    course = relationship("Course")
    certificate = relationship("Evidence")


PlanItem.__scope__ = via(PlanItem.plan_id, TrainingPlan)
