"""Field-level hiding: national ID and salary are shown only to roles that need them.

The matrix (README "Ai thấy trường nhạy cảm"): the roles granted the permission
`can_see_sensitive` on a view see the values; everyone else sees a mask, in the
page and in the REST API alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, g, has_request_context
from flask_babel import lazy_gettext as _l

SENSITIVE_PERMISSION = "can_see_sensitive"
HIDDEN = _l("(ẩn)")


def can_see_sensitive(view_name: str) -> bool:
    """Asked once per view per request (formatters call it for every row)."""
    if not has_request_context():
        return True
    cache = g.setdefault("_sensitive_access", {})
    if view_name not in cache:
        cache[view_name] = bool(
            current_app.appbuilder.sm.has_access(SENSITIVE_PERMISSION, view_name)
        )
    return cache[view_name]


def mask(value: Any) -> str:
    """National IDs keep their last three digits so people can be told apart."""
    if value is None or value == "":
        return ""
    text = str(value)
    if text.isdigit() and len(text) >= 9:
        return "•" * (len(text) - 3) + text[-3:]
    return str(HIDDEN)


def masking_formatter(view_name: str, inner: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    def formatter(value: Any) -> Any:
        if not can_see_sensitive(view_name):
            return mask(value)
        return inner(value) if inner else value

    return formatter


def mask_api_payload(view_name: str, columns: tuple[str, ...], record: dict[str, Any]) -> None:
    if can_see_sensitive(view_name):
        return
    for column in columns:
        if record.get(column) not in (None, ""):
            record[column] = mask(record[column])
