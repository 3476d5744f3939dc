"""Security: role catalogue, unit scope, hardening of FAB's login and sessions, audit log."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Install the request-level security (hardening, audit) once the app is built."""
    from app.security import hardening

    hardening.init_app(app)
