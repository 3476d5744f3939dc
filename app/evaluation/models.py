"""Professional-standard evaluation (TEMIS): frameworks, cycles, evaluations, evidence, opinions.

Frameworks are versioned data (loaded from ``app/data/frameworks/*.yaml`` or uploaded by an
administrator); the rating rule is ``app.evaluation.rules.rate`` applied to a framework's
parameters. Workflow logic lives in ``app.evaluation.services``; every read path goes through
``app.security.scope``:

- reference data (Framework, Standard, Criterion, EvaluationAuthority) is ``public``;
- Evaluation and Evidence belong to a person (``person``): a teacher sees their own, a school
  sees its staff's, a commune office or a Sở everything under it;
- rows hanging off an evaluation (ratings, evidence links, events) follow the evaluation;
- a Cycle is visible where it applies: opened by an ancestor of the user's unit, or inside it;
- a PeerOpinion is never readable by the person it is about: a self-scope user sees only the
  opinions they wrote, a unit-scope user those about other people of their unit.
"""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    false,
    select,
    true,
)
from sqlalchemy.orm import relationship

from app.security.scope import via

# Evaluation states. "Not started" is the absence of a row.
DRAFT = "draft"
SUBMITTED = "submitted"
RETURNED = "returned"
EVALUATED = "evaluated"
FINALISED = "finalised"
STATES = (DRAFT, SUBMITTED, RETURNED, EVALUATED, FINALISED)
EDITABLE_BY_OWNER = (DRAFT, RETURNED)
REVIEWABLE = (SUBMITTED, EVALUATED)

OPINION_KINDS = ("member", "group", "staff")
EVIDENCE_KINDS = ("file", "link")
EVALUATOR_UNIT_KINDS = ("school", "commune", "province")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# --------------------------------------------------------------------------- frameworks


class Framework(Model):
    """A professional standard (chuẩn nghề nghiệp), one version of it."""

    __tablename__ = "ev_framework"
    __scope__ = "public"
    __table_args__ = (UniqueConstraint("code", "version", name="uq_ev_framework_code_version"),)

    id = Column(Integer, primary_key=True)
    code = Column(String(32), nullable=False, index=True)
    version = Column(Integer, nullable=False, default=1)
    name = Column(String(255), nullable=False)
    audience = Column(String(32), nullable=False)
    year_from = Column(Integer, nullable=False)  # start year of the first school year in force
    year_to = Column(Integer)  # start year of the last school year in force; None = open
    superior_period_years = Column(Integer, nullable=False, default=2)
    rating = Column(JSON, nullable=False)  # the framework file's `rating` mapping
    source_status = Column(String(32))
    source_note = Column(Text)
    definition = Column(JSON)  # the whole framework file as loaded (for export / new versions)
    locked = Column(Boolean, nullable=False, default=False)  # used by a submitted evaluation
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=_now)

    standards = relationship(
        "Standard", back_populates="framework", order_by="Standard.number", cascade="all"
    )
    criteria = relationship(
        "Criterion", back_populates="framework", order_by="Criterion.number", viewonly=True
    )

    def __repr__(self) -> str:
        suffix = f" (phiên bản {self.version})" if self.version and self.version > 1 else ""
        return f"{self.code}{suffix}"

    @property
    def school_years(self) -> str:
        end = f"{self.year_to}-{self.year_to + 1}" if self.year_to else "…"
        return f"{self.year_from}-{self.year_from + 1} → {end}"

    def in_force(self, year: int) -> bool:
        return self.year_from <= year and (self.year_to is None or year <= self.year_to)


class Standard(Model):
    __tablename__ = "ev_standard"
    __scope__ = "public"
    __table_args__ = (UniqueConstraint("framework_id", "number", name="uq_ev_standard_number"),)

    id = Column(Integer, primary_key=True)
    framework_id = Column(
        Integer, ForeignKey("ev_framework.id", ondelete="CASCADE"), nullable=False, index=True
    )
    number = Column(Integer, nullable=False)
    name = Column(String(500), nullable=False)
    description = Column(Text)
    source_status = Column(String(32))

    framework = relationship("Framework", back_populates="standards")
    criteria = relationship(
        "Criterion", back_populates="standard", order_by="Criterion.number", cascade="all"
    )

    def __repr__(self) -> str:
        return f"Tiêu chuẩn {self.number}. {self.name}"


class Criterion(Model):
    __tablename__ = "ev_criterion"
    __scope__ = "public"
    __table_args__ = (UniqueConstraint("framework_id", "number", name="uq_ev_criterion_number"),)

    id = Column(Integer, primary_key=True)
    framework_id = Column(
        Integer, ForeignKey("ev_framework.id", ondelete="CASCADE"), nullable=False, index=True
    )
    standard_id = Column(
        Integer, ForeignKey("ev_standard.id", ondelete="CASCADE"), nullable=False, index=True
    )
    number = Column(Integer, nullable=False)
    name = Column(String(500), nullable=False)
    desc_dat = Column(Text)
    desc_kha = Column(Text)
    desc_tot = Column(Text)
    source_status = Column(String(32))
    descriptors_status = Column(String(32))

    framework = relationship("Framework", back_populates="criteria")
    standard = relationship("Standard", back_populates="criteria")

    def __repr__(self) -> str:
        return f"Tiêu chí {self.number}. {self.name}"

    @property
    def from_memory(self) -> bool:
        return "FROM MEMORY" in (self.source_status or "", self.descriptors_status or "")


class EvaluationAuthority(Model):
    """Who evaluates whom (data, not code): the position of the evaluated person and the type
    of their school give the kind of unit whose staff evaluate them."""

    __tablename__ = "ev_authority"
    __scope__ = "public"
    __table_args__ = (UniqueConstraint("position", "school_type", name="uq_ev_authority"),)

    id = Column(Integer, primary_key=True)
    position = Column(String(32), nullable=False)
    school_type = Column(String(16), nullable=False)
    evaluator_unit_kind = Column(String(16), nullable=False)  # school | commune | province
    source_status = Column(String(255))

    def __repr__(self) -> str:
        return f"{self.position}/{self.school_type} → {self.evaluator_unit_kind}"


# --------------------------------------------------------------------------- cycles


class Cycle(Model):
    """One school year's evaluation cycle, opened by the Bộ or a Sở, with its windows."""

    __tablename__ = "ev_cycle"
    __scope__ = "tree"  # opened by the Bộ or a Sở: applies to every unit below
    __table_args__ = (UniqueConstraint("unit_id", "school_year", name="uq_ev_cycle_unit_year"),)

    id = Column(Integer, primary_key=True)
    school_year = Column(String(9), nullable=False, index=True)  # "2025-2026"
    name = Column(String(255), nullable=False)
    unit_id = Column(Integer, ForeignKey("unit.id"), nullable=False, index=True)
    self_start = Column(Date, nullable=False)
    self_end = Column(Date, nullable=False)
    opinion_start = Column(Date, nullable=False)
    opinion_end = Column(Date, nullable=False)
    superior_start = Column(Date, nullable=False)
    superior_end = Column(Date, nullable=False)
    survey_start = Column(Date)
    survey_end = Column(Date)
    plan_start = Column(Date)
    plan_end = Column(Date)
    note = Column(Text)
    version_id = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version_id}

    unit = relationship("Unit")
    frameworks = relationship(
        "CycleFramework", back_populates="cycle", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return self.name or self.school_year

    @property
    def start_year(self) -> int:
        return int(self.school_year[:4])

    def window(self, name: str) -> tuple[dt.date | None, dt.date | None]:
        return getattr(self, f"{name}_start"), getattr(self, f"{name}_end")


class CycleFramework(Model):
    """A framework in force in a cycle, and whether the superior's evaluation is due this year
    (computed from the framework's period when the cycle is opened; the opener may shorten it)."""

    __tablename__ = "ev_cycle_framework"
    __scope__ = "public"
    __table_args__ = (UniqueConstraint("cycle_id", "framework_id", name="uq_ev_cycle_framework"),)

    id = Column(Integer, primary_key=True)
    cycle_id = Column(
        Integer, ForeignKey("ev_cycle.id", ondelete="CASCADE"), nullable=False, index=True
    )
    framework_id = Column(Integer, ForeignKey("ev_framework.id"), nullable=False, index=True)
    superior_due = Column(Boolean, nullable=False, default=True)
    note = Column(String(255))

    cycle = relationship("Cycle", back_populates="frameworks")
    framework = relationship("Framework")

    def __repr__(self) -> str:
        return str(self.framework)


# --------------------------------------------------------------------------- evaluations


class Evaluation(Model):
    """One person's evaluation against one framework in one cycle (self, then superior)."""

    __tablename__ = "ev_evaluation"
    __scope__ = "person"
    __table_args__ = (
        UniqueConstraint("person_id", "cycle_id", "framework_id", name="uq_ev_evaluation"),
        Index("ix_ev_evaluation_cycle_state", "cycle_id", "state"),
    )

    id = Column(Integer, primary_key=True)
    person_id = Column(
        Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True
    )
    cycle_id = Column(Integer, ForeignKey("ev_cycle.id"), nullable=False, index=True)
    framework_id = Column(Integer, ForeignKey("ev_framework.id"), nullable=False, index=True)
    unit_id = Column(Integer, ForeignKey("unit.id"), index=True)  # the person's unit at start
    kind = Column(String(16), nullable=False, default="self")
    state = Column(String(16), nullable=False, default=DRAFT)
    superior_due = Column(Boolean, nullable=False, default=True)

    # Form 01: strengths, weaknesses, development plan.
    strengths = Column(Text)
    weaknesses = Column(Text)
    plan = Column(Text)

    self_result = Column(Integer)  # rules.Level
    self_reasons = Column(JSON)
    final_result = Column(Integer)
    final_reasons = Column(JSON)
    evaluator_comment = Column(Text)
    return_comment = Column(Text)
    evaluator_id = Column(Integer, ForeignKey("ab_user.id"))

    created_at = Column(DateTime, nullable=False, default=_now)
    updated_at = Column(DateTime, nullable=False, default=_now, onupdate=_now)
    submitted_at = Column(DateTime)
    evaluated_at = Column(DateTime)
    finalised_at = Column(DateTime)

    version_id = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version_id}

    person = relationship("Person")
    cycle = relationship("Cycle")
    framework = relationship("Framework")
    unit = relationship("Unit")
    evaluator = relationship("PortalUser", foreign_keys=[evaluator_id])
    ratings = relationship(
        "CriterionRating", back_populates="evaluation", cascade="all, delete-orphan"
    )
    evidence_links = relationship(
        "EvidenceLink", back_populates="evaluation", cascade="all, delete-orphan"
    )
    events = relationship(
        "EvaluationEvent",
        back_populates="evaluation",
        cascade="all, delete-orphan",
        order_by="EvaluationEvent.id",
    )

    def __repr__(self) -> str:
        return f"{self.person} – {self.framework} – {self.cycle}"


class CriterionRating(Model):
    __tablename__ = "ev_criterion_rating"
    __table_args__ = (
        UniqueConstraint("evaluation_id", "criterion_id", name="uq_ev_criterion_rating"),
    )

    id = Column(Integer, primary_key=True)
    evaluation_id = Column(
        Integer, ForeignKey("ev_evaluation.id", ondelete="CASCADE"), nullable=False, index=True
    )
    criterion_id = Column(Integer, ForeignKey("ev_criterion.id"), nullable=False)
    self_level = Column(Integer)
    superior_level = Column(Integer)
    note = Column(Text)

    evaluation = relationship("Evaluation", back_populates="ratings")
    criterion = relationship("Criterion")


CriterionRating.__scope__ = via(CriterionRating.evaluation_id, Evaluation)


class EvaluationEvent(Model):
    """History of an evaluation: who moved it from which state to which, when, and why."""

    __tablename__ = "ev_event"

    id = Column(Integer, primary_key=True)
    evaluation_id = Column(
        Integer, ForeignKey("ev_evaluation.id", ondelete="CASCADE"), nullable=False, index=True
    )
    at = Column(DateTime, nullable=False, default=_now)
    user_id = Column(Integer, ForeignKey("ab_user.id"))
    action = Column(String(32), nullable=False)
    from_state = Column(String(16))
    to_state = Column(String(16))
    detail = Column(JSON)

    evaluation = relationship("Evaluation", back_populates="events")
    user = relationship("PortalUser", foreign_keys=[user_id])


EvaluationEvent.__scope__ = via(EvaluationEvent.evaluation_id, Evaluation)


# --------------------------------------------------------------------------- evidence


class Evidence(Model):
    """Minh chứng: a stored file or a link, owned by a person and reusable in later years."""

    __tablename__ = "ev_evidence"
    __scope__ = "person"

    id = Column(Integer, primary_key=True)
    person_id = Column(
        Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind = Column(String(8), nullable=False, default="file")
    title = Column(String(255), nullable=False)
    url = Column(String(1000))
    stored_name = Column(String(128), unique=True)  # relative path under UPLOAD_DIR
    original_name = Column(String(255))
    mime = Column(String(128))
    size = Column(Integer)
    sha256 = Column(String(64))
    school_year = Column(String(9))
    uploaded_at = Column(DateTime, nullable=False, default=_now)

    person = relationship("Person")

    def __repr__(self) -> str:
        return self.title or self.original_name or self.url or ""


class EvidenceLink(Model):
    __tablename__ = "ev_evidence_link"
    __table_args__ = (
        UniqueConstraint(
            "evaluation_id", "criterion_id", "evidence_id", name="uq_ev_evidence_link"
        ),
    )

    id = Column(Integer, primary_key=True)
    evaluation_id = Column(
        Integer, ForeignKey("ev_evaluation.id", ondelete="CASCADE"), nullable=False, index=True
    )
    criterion_id = Column(Integer, ForeignKey("ev_criterion.id"), nullable=False)
    evidence_id = Column(
        Integer, ForeignKey("ev_evidence.id", ondelete="CASCADE"), nullable=False, index=True
    )

    evaluation = relationship("Evaluation", back_populates="evidence_links")
    criterion = relationship("Criterion")
    evidence = relationship("Evidence")


EvidenceLink.__scope__ = via(EvidenceLink.evaluation_id, Evaluation)


# --------------------------------------------------------------------------- opinions


def _opinion_scope(scope):
    """Never readable by the person the opinion is about.

    self scope: only the opinions one wrote; unit scope: opinions about other people of the
    unit's subtree (a principal reads his teachers', never his own).
    """
    from app.personnel.models import Person
    from app.security.scope import criterion

    if scope.kind == "none":
        return false()
    if scope.kind == "self":
        return PeerOpinion.author_person_id == scope.person_id
    about = PeerOpinion.person_id.in_(select(Person.id).where(criterion(Person, scope)))
    if scope.person_id is not None:
        return and_(about, PeerOpinion.person_id != scope.person_id)
    return and_(about, true())


class PeerOpinion(Model):
    """A colleague's opinion (or the subject group's summary) on one person in one cycle."""

    __tablename__ = "ev_peer_opinion"
    __scope__ = staticmethod(_opinion_scope)
    __table_args__ = (
        UniqueConstraint(
            "cycle_id", "person_id", "author_person_id", "kind", name="uq_ev_peer_opinion"
        ),
    )

    id = Column(Integer, primary_key=True)
    cycle_id = Column(Integer, ForeignKey("ev_cycle.id"), nullable=False, index=True)
    person_id = Column(
        Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True
    )
    author_person_id = Column(
        Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind = Column(String(8), nullable=False, default="member")
    levels = Column(JSON)  # {"1": 2, ...}: criterion number → level (may be partial)
    overall = Column(Integer)
    comment = Column(Text)
    created_at = Column(DateTime, nullable=False, default=_now)
    updated_at = Column(DateTime, nullable=False, default=_now, onupdate=_now)

    cycle = relationship("Cycle")
    person = relationship("Person", foreign_keys=[person_id])
    author = relationship("Person", foreign_keys=[author_person_id])
