"""The portal's user: FAB's user plus its unit, its personnel record and session state."""

from __future__ import annotations

import secrets

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, event
from sqlalchemy.orm import relationship


def new_session_stamp() -> str:
    return secrets.token_hex(16)


class PortalUser(User):
    __tablename__ = "ab_user"
    # Accounts belong to a unit: admins see and change those of their subtree only.
    __scope__ = "unit"

    unit_id = Column(Integer, ForeignKey("unit.id"), index=True)
    person_id = Column(Integer, ForeignKey("person.id"), index=True, unique=True)
    # Changing the stamp ends every session of the account (logout, password change, disabling).
    session_stamp = Column(String(64), nullable=False, default="")
    must_change_password = Column(Boolean, nullable=False, default=False)
    locked_until = Column(DateTime)

    unit = relationship("Unit", foreign_keys=[unit_id])
    person = relationship("Person", foreign_keys=[person_id])

    def rotate_session_stamp(self) -> None:
        """End every existing session of this account (checked on each request)."""
        self.session_stamp = new_session_stamp()


@event.listens_for(PortalUser.password, "set")
def _password_set(target: PortalUser, value, oldvalue, initiator) -> None:
    # Any path that changes a password (own change, admin reset, API) ends the old sessions.
    if value != oldvalue:
        target.session_stamp = new_session_stamp()


@event.listens_for(PortalUser.active, "set")
def _active_set(target: PortalUser, value, oldvalue, initiator) -> None:
    if not value and oldvalue is not False:
        target.session_stamp = new_session_stamp()
