"""Request-level behaviour: error pages, security headers."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request

from app.errors import MESSAGES

from app.security.scope import ScopeError


def init_app(app: Flask) -> None:
    @app.errorhandler(ScopeError)
    def _scope_error(exc: ScopeError):
        # A write naming a unit outside the scope is answered like a missing row.
        return _error_page(404)

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, _make_handler(code))


def _make_handler(code: int):
    def handler(exc: Exception):
        return _error_page(code, exc)

    return handler


def _error_page(code: int, exc: Exception | None = None):
    message = MESSAGES.get(code, MESSAGES[500])
    if request.path.startswith("/api/"):
        return jsonify({"message": str(message)}), code
    return render_template(
        "portal/error.html", code=code, message=message, appbuilder=current_app.appbuilder
    ), code
