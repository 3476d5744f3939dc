"""Request-level behaviour: error pages, malformed input, security headers."""

from __future__ import annotations

import json
import re

import prison
from flask import Flask, abort, current_app, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter, ValidationError

from app.errors import MESSAGES
from app.formatting import format_date, format_money, format_number
from app.security.fields import HiddenFieldError
from app.security.scope import ScopeError
from app.text import DB_INT_MAX, parse_id, parse_int

# FAB's list pages read these with a bare int(): `page_PersonView=abc` would be a 500.
_LIST_ARG = re.compile(r"(page|psize)_.+")


def _label_filter(value: object, kind: str) -> str:
    from app.org.choices import label_of
    from app.personnel import choices

    tables = {
        "sex": choices.SEX_LABELS,
        "position": choices.POSITION_LABELS,
        "status": choices.STATUS_LABELS,
        "employment": choices.EMPLOYMENT_LABELS,
        "certificate": choices.CERTIFICATE_LABELS,
        "award": choices.AWARD_KIND_LABELS,
        "rating": choices.ANNUAL_RATING_LABELS,
    }
    return label_of(tables.get(kind, {}), value)


class IdConverter(IntegerConverter):
    """`<int:…>` in a route: ASCII digits (`\\d` also matches '٣'), at most DB_INT_MAX.

    A larger number names no row: the route does not match (404) instead of the database
    failing on it; the length check keeps int() away from its digit limit.
    """

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits=0, min=0, max=DB_INT_MAX, signed=False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str) -> int:
        if len(value.lstrip("-")) > len(str(DB_INT_MAX)):
            raise ValidationError()
        return super().to_python(value)


def install_converters(app: Flask) -> None:
    """Before any route is registered: rules bind their converters when added."""
    app.url_map.converters["int"] = IdConverter


def _forget_identity() -> None:
    """Each request starts with an empty `g`.

    Flask reuses an already-pushed app context (tests, scripts); without this, flask_login's
    cached user, the CSRF token and the cached scope would leak into the next request.
    In a served app every request has its own context and this is a no-op.
    """
    for key in list(vars(g)):
        g.pop(key, None)
    # Error pages (e.g. a CSRF refusal raised before FAB's own hook) render with g.user.
    g.user = current_user


def _drop_malformed_list_args() -> None:
    """A page number or page size that is not a whole number in range falls back to FAB's
    default (the first page, the view's page size) instead of failing."""
    args = request.args
    bad = [
        key
        for key in args
        if _LIST_ARG.fullmatch(key)
        and any(parse_int(v, min=0, max=DB_INT_MAX) is None for v in args.getlist(key))
    ]
    if bad:
        request.args = ImmutableMultiDict(
            [(k, v) for k, v in args.items(multi=True) if k not in bad]
        )


def _bounded_pk(endpoint: str | None, values: dict | None) -> None:
    """FAB's `<pk>` routes take text. ScopedInterface bounds it for the portal's views; this
    also covers FAB's own (groups, permissions), whose datamodel is FAB's plain one."""
    pk = (values or {}).get("pk")
    if isinstance(pk, str) and parse_int(pk) is not None and parse_id(pk) is None:
        abort(404)


def _too_deep(parse, text: str) -> bool:
    try:
        parse(text)
    except RecursionError:
        return True
    except Exception:  # malformed, not deep: the API answers that itself
        return False
    return False


def _check_api_input() -> None:
    """Size and depth of what the REST API reads, checked before FAB's API code runs.

    FAB wraps every API method in a catch-all that answers 500 "Fatal error" for any
    exception, even a 413; and Python's JSON and rison parsers raise RecursionError on
    deeply nested input. Read here, the answer is a proper 413 or 400.
    """
    if not request.path.startswith("/api/"):
        return
    request.max_content_length = current_app.config["API_MAX_CONTENT_LENGTH"]
    query = request.args.get("q")
    if query and (_too_deep(prison.loads, query) or _too_deep(json.loads, query)):
        abort(400)
    if request.method in ("POST", "PUT", "PATCH") and request.is_json:
        try:
            request.get_json(silent=True)  # cached: the view reads the parsed body
        except RecursionError:
            abort(400)


def _is_menu_visible(item) -> bool:
    """FAB's navbar filter, plus the item's menu condition, with one permission query per page.

    FAB asks the database once per menu item and ignores `menu_cond` in the HTML navbar.
    """
    if not item.should_render():
        return False
    allowed = g.get("_menu_access")
    if allowed is None:
        menu = current_app.appbuilder.menu
        allowed = set(current_app.appbuilder.sm.get_user_menu_access(menu.get_flat_name_list()))
        g._menu_access = allowed
    return item.name in allowed


def _html_lang(response):
    """FAB's base page has no lang attribute; screen readers and hyphenation need one."""
    if response.mimetype == "text/html" and not response.direct_passthrough:
        body = response.get_data()
        head = body[:400]
        if b"<html>" in head:
            from flask_babel import get_locale

            lang = str(get_locale() or "vi").encode()
            response.set_data(body.replace(b"<html>", b'<html lang="' + lang + b'">', 1))
    return response


def init_app(app: Flask) -> None:
    app.after_request(_html_lang)
    app.jinja_env.filters["is_menu_visible"] = _is_menu_visible
    # Must run before FAB's own before_request, which reads current_user into g.user.
    before = app.before_request_funcs.setdefault(None, [])
    before.insert(0, _forget_identity)
    # Before the login rate limiter, which reads the JSON body of API logins.
    before.insert(1, _check_api_input)
    before.insert(2, _drop_malformed_list_args)
    app.url_value_preprocessor(_bounded_pk)
    app.add_template_filter(format_date, "vidate")
    app.add_template_filter(format_number, "vinumber")
    app.add_template_filter(format_money, "vimoney")
    app.add_template_filter(_label_filter, "label")

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        message = _l(
            "Yêu cầu bị từ chối vì thiếu hoặc sai mã chống giả mạo (CSRF). "
            "Hãy tải lại trang rồi thực hiện lại thao tác."
        )
        if request.path.startswith("/api/"):
            return jsonify({"message": str(message)}), 400
        return render_template(
            "portal/error.html", code=400, message=message, appbuilder=current_app.appbuilder
        ), 400

    @app.errorhandler(ScopeError)
    def _scope_error(exc: ScopeError):
        # A write naming a unit outside the scope is answered like a missing row.
        return _error_page(404)

    @app.errorhandler(HiddenFieldError)
    def _hidden_field(exc: HiddenFieldError):
        # Sorting or filtering by a masked column would leak it through the row order.
        return _error_page(400, message=str(exc))

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, _make_handler(code))


def _make_handler(code: int):
    def handler(exc: Exception):
        return _error_page(code, exc)

    return handler


def _error_page(code: int, exc: Exception | None = None, message: str | None = None):
    message = message or MESSAGES.get(code, MESSAGES[500])
    if request.path.startswith("/api/"):
        return jsonify({"message": str(message)}), code
    return render_template(
        "portal/error.html", code=code, message=message, appbuilder=current_app.appbuilder
    ), code
