"""Security: role catalogue, unit scope, hardening of FAB's login and sessions, audit log."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Install the request-level security (hardening) and the audit listeners."""
    from app.security import account_views, audit, hardening, scoped_views

    scoped_views.install_list_arg_parsers()
    hardening.init_app(app)
    audit.install()
    app.add_template_filter(account_views.format_audit_time, "audit_time")
    app.add_template_filter(account_views.format_audit_action, "audit_action")
    app.add_template_filter(account_views._plain, "audit_value")
