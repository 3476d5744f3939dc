"""The append-only audit log: one row per change, login, failed login and account event."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import relationship

ACTIONS = (
    "create",
    "update",
    "delete",
    "login",
    "login_failed",
    "lockout",
    "logout",
    "password_change",
    "role_change",
    "account_create",
    "account_reset",
    "account_disable",
)


def utcnow() -> dt.datetime:
    """Naive UTC (the same on SQLite and PostgreSQL); shown in local time by the view."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class AuditLog(Model):
    """Who did what, when, to which row, with before/after values of the changed fields.

    Rows are only ever inserted (app.security.audit refuses updates and deletes in
    the ORM; no role gets edit or delete on the view). `unit_id` is the affected
    row's unit where it can be resolved, else the acting user's: the scope
    mechanism (`__scope__ = "unit"`) shows each admin the rows of their subtree.
    No foreign keys on purpose: the log outlives the users, units and rows it names.
    """

    __tablename__ = "audit_log"
    __scope__ = "unit"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    user_id = Column(Integer, index=True)
    username = Column(String(128), index=True)
    unit_id = Column(Integer, index=True)
    action = Column(String(32), nullable=False, index=True)
    table_name = Column(String(64), index=True)
    row_id = Column(String(64))
    changes = Column(Text)
    ip = Column(String(45))

    unit = relationship(
        "Unit",
        primaryjoin="foreign(AuditLog.unit_id) == Unit.id",
        viewonly=True,
        lazy="joined",
    )

    __table_args__ = (Index("ix_audit_log_table_row", "table_name", "row_id"),)

    @property
    def changes_dict(self) -> dict[str, Any]:
        try:
            return json.loads(self.changes or "{}")
        except ValueError:
            return {}

    def __repr__(self) -> str:
        return f"{self.action} {self.table_name or ''} {self.row_id or ''}".strip()
