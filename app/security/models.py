"""The portal's user: FAB's user plus its unit, its personnel record and session state."""

from __future__ import annotations

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import relationship


class PortalUser(User):
    __tablename__ = "ab_user"

    unit_id = Column(Integer, ForeignKey("unit.id"), index=True)
    person_id = Column(Integer, ForeignKey("person.id"), index=True, unique=True)
    # Changing the stamp ends every session of the account (logout, password change, disabling).
    session_stamp = Column(String(64), nullable=False, default="")
    must_change_password = Column(Boolean, nullable=False, default=False)
    locked_until = Column(DateTime)

    unit = relationship("Unit", foreign_keys=[unit_id])
    person = relationship("Person", foreign_keys=[person_id])
