"""Units (Bộ → Sở → xã/phường office → school) and schools.

The unit tree is one self-referencing table with a materialised path
('/1/7/42/'), so "everything under my unit" is one indexed prefix predicate.
"""

from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
    update,
)
from sqlalchemy.orm import Session, relationship

from app.text import fold, nfc, vi_sort_key

# Unit kinds. 'district' is the legacy Phòng GD&ĐT kept for pre-2025 records (NQ 202/2025/QH15).
UNIT_KINDS = ("ministry", "province", "commune", "district", "school")

SCHOOL_TYPES = ("mn", "th", "thcs", "thpt", "lc_thcs", "lc_thpt", "gdtx")
OWNERSHIPS = ("cong_lap", "tu_thuc", "dan_lap")
SPECIAL_TYPES = ("", "ptdtnt", "ptdtbt", "chuyen", "khuyet_tat")


class Unit(Model):
    __tablename__ = "unit"
    __scope__ = "self"

    id = Column(Integer, primary_key=True)
    code = Column(String(32), unique=True, nullable=False)
    name = Column(String(255), nullable=False)
    kind = Column(String(16), nullable=False, index=True)
    parent_id = Column(Integer, ForeignKey("unit.id"), index=True)
    path = Column(String(255), nullable=False, default="/")
    name_folded = Column(String(255), nullable=False, default="", index=True)
    name_sort = Column(String(512), nullable=False, default="")
    legacy = Column(Boolean, nullable=False, default=False)
    active = Column(Boolean, nullable=False, default=True)
    address = Column(String(255))
    note = Column(Text)
    source_status = Column(String(255))

    parent = relationship("Unit", remote_side=[id], backref="children")
    school = relationship("School", back_populates="unit", uselist=False)

    def __repr__(self) -> str:
        return self.name or ""

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 1, 0)

    def is_within(self, other_path: str) -> bool:
        return bool(self.path) and self.path.startswith(other_path)


class School(Model):
    """A school is a unit with more attributes: levels, ownership, region, classes and pupils."""

    __tablename__ = "school"
    __scope__ = "unit"

    id = Column(Integer, primary_key=True)
    unit_id = Column(Integer, ForeignKey("unit.id"), unique=True, nullable=False)
    code = Column(String(32), unique=True, nullable=False)
    name = Column(String(255), nullable=False)
    name_folded = Column(String(255), nullable=False, default="", index=True)
    school_type = Column(String(16), nullable=False, default="th")
    ownership = Column(String(16), nullable=False, default="cong_lap")
    special_type = Column(String(16), nullable=False, default="")
    region = Column(Integer, nullable=False, default=1)
    disadvantaged = Column(Boolean, nullable=False, default=False)
    sessions_per_day = Column(Integer, nullable=False, default=2)
    address = Column(String(255))
    phone = Column(String(32))
    email = Column(String(120))
    classes_nhatre = Column(Integer, nullable=False, default=0)
    classes_maugiao = Column(Integer, nullable=False, default=0)
    pupils_mn = Column(Integer, nullable=False, default=0)
    classes_th = Column(Integer, nullable=False, default=0)
    pupils_th = Column(Integer, nullable=False, default=0)
    classes_thcs = Column(Integer, nullable=False, default=0)
    pupils_thcs = Column(Integer, nullable=False, default=0)
    classes_thpt = Column(Integer, nullable=False, default=0)
    pupils_thpt = Column(Integer, nullable=False, default=0)

    unit = relationship("Unit", back_populates="school")

    def __repr__(self) -> str:
        return self.name or ""

    @property
    def parent(self) -> Unit | None:
        """The managing unit (commune office or Sở): the parent of the school's own unit."""
        return self.unit.parent if self.unit else None

    @parent.setter
    def parent(self, value: Unit | None) -> None:
        if self.unit is None:
            self.unit = Unit(kind="school", code=self.code or "", name=self.name or "")
        self.unit.parent = value


# "Everything under my unit" is `path LIKE '/1/7/%'`: text_pattern_ops lets PostgreSQL use the index.
Index("ix_unit_path", Unit.path, postgresql_ops={"path": "text_pattern_ops"})
Index("ix_unit_kind_path", Unit.kind, Unit.path, postgresql_ops={"path": "text_pattern_ops"})


@event.listens_for(Unit, "before_insert")
@event.listens_for(Unit, "before_update")
def _unit_normalise(mapper, connection, target: Unit) -> None:
    target.name = nfc(target.name)
    target.code = nfc(target.code)
    target.name_folded = fold(target.name)
    target.name_sort = vi_sort_key(target.name)


@event.listens_for(Unit, "after_insert")
def _unit_path_on_insert(mapper, connection, target: Unit) -> None:
    parent_path = target.parent.path if target.parent is not None else "/"
    target.path = f"{parent_path}{target.id}/"
    connection.execute(update(Unit.__table__).where(Unit.id == target.id).values(path=target.path))


@event.listens_for(Unit, "after_update")
def _unit_path_on_move(mapper, connection, target: Unit) -> None:
    """Moving a unit re-roots its whole subtree's paths in one statement."""
    parent_path = target.parent.path if target.parent is not None else "/"
    new_path = f"{parent_path}{target.id}/"
    old_path = target.path
    if new_path == old_path:
        return
    table = Unit.__table__
    from sqlalchemy import func

    connection.execute(
        update(table)
        .where(table.c.path.startswith(old_path))
        .values(path=new_path + func.substr(table.c.path, len(old_path) + 1))
    )
    target.path = new_path


@event.listens_for(School, "before_insert")
@event.listens_for(School, "before_update")
def _school_normalise(mapper, connection, target: School) -> None:
    target.name = nfc(target.name)
    target.code = nfc(target.code)
    target.name_folded = fold(target.name)


@event.listens_for(Session, "before_flush")
def _school_unit_sync(session: Session, flush_context, instances) -> None:
    """A school owns its unit row: name and code follow the school."""
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, School):
            if obj.unit is None:
                obj.unit = Unit(kind="school", code=obj.code, name=obj.name)
            else:
                if obj.unit.name != obj.name:
                    obj.unit.name = obj.name
                if obj.unit.code != obj.code:
                    obj.unit.code = obj.code
