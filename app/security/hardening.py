"""Security headers and session hardening on top of FAB (OWASP ASVS 5.0 level 2)."""

from __future__ import annotations

from flask import Flask, Response, request


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; font-src 'self' data:; connect-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'",
    )
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure or response.headers.get("Strict-Transport-Security") is None and _https(request):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if response.mimetype in ("text/html", "application/json") and not request.path.startswith("/static/"):
        headers["Cache-Control"] = "no-store"
    return response


def _https(req) -> bool:
    from flask import current_app

    return bool(current_app.config.get("SESSION_COOKIE_SECURE"))


def init_app(app: Flask) -> None:
    app.after_request(_security_headers)
