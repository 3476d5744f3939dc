"""FAB security manager of the portal: its user model, without FAB's Google-Charts statistics page."""

from __future__ import annotations

from flask_appbuilder.security.sqla.manager import SecurityManager

from app.security.models import PortalUser


class PortalSecurityManager(SecurityManager):
    user_model = PortalUser
    # FAB's user-statistics chart loads Google Charts from the internet: not in a closed network.
    userstatschartview = None
