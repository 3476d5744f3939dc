"""Field-level hiding: national ID and salary are shown only to roles that need them.

The matrix (README "Ai thấy trường nhạy cảm"): the roles granted the permission
`can_see_sensitive` on a view see the values; everyone else sees a mask, in the
page and in the REST API alike. A hidden column can't be sorted or filtered on
either: the order of the rows would give its values away.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import current_app, g, has_request_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect as sa_inspect

SENSITIVE_PERMISSION = "can_see_sensitive"
HIDDEN = _l("(ẩn)")

# (model, column) → the view whose `can_see_sensitive` unmasks it. The base views declare
# their sensitive columns here, so a dotted path such as "person.national_id" is known too.
_SENSITIVE_FIELDS: dict[tuple[type, str], str] = {}


class HiddenFieldError(Exception):
    """A request sorts or filters by a column the user may not see (answered with 400)."""

    def __init__(self, label: Any) -> None:
        super().__init__(
            _(
                "Không thể sắp xếp hoặc lọc theo trường «%(field)s» vì tài khoản của bạn "
                "không được xem trường này. Hãy bỏ điều kiện sắp xếp hoặc lọc theo trường đó.",
                field=str(label),
            )
        )


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


def declare_sensitive(model: type, columns: Iterable[str], permission_view: str) -> None:
    for column in columns:
        _SENSITIVE_FIELDS[(model, column)] = permission_view


def is_hidden(model: type, path: str) -> bool:
    """Whether a column path of `model` ('coefficient', 'person.national_id') reaches a
    sensitive field the current user may not see."""
    current = model
    for name in path.split("."):
        view = _SENSITIVE_FIELDS.get((current, name))
        if view is not None and not can_see_sensitive(view):
            return True
        relation = sa_inspect(current).relationships.get(name)
        if relation is None:
            return False
        current = relation.mapper.class_
    return False


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
