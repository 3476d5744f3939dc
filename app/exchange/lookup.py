"""Scoped typeahead lookups for related fields: /lookup/<kind>?q=...

Results pass through the same unit scope as every other path, so a dropdown
never offers a unit, school or person the user may not write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, jsonify, request
from flask_appbuilder import BaseView, expose
from flask_login import current_user

from app.org.models import School, Unit
from app.personnel.models import Person
from app.security.scope import scoped_query
from app.text import fold, parse_int

PAGE_SIZE = 20


@dataclass(frozen=True)
class LookupSpec:
    model: type
    folded_column: Any
    order_column: Any
    label: Callable[[Any], str]
    extra: Callable[[Any], Any] | None = None


def _unit_label(unit: Unit) -> str:
    return f"{unit.name} ({unit.code})"


LOOKUPS: dict[str, LookupSpec] = {
    "unit": LookupSpec(Unit, Unit.name_folded, Unit.name_sort, _unit_label),
    "parent_unit": LookupSpec(
        Unit,
        Unit.name_folded,
        Unit.name_sort,
        _unit_label,
        lambda q: q.filter(Unit.kind.in_(("province", "commune", "district"))),
    ),
    "school": LookupSpec(
        School, School.name_folded, School.name_folded, lambda s: f"{s.name} ({s.code})"
    ),
    "person": LookupSpec(
        Person,
        Person.name_folded,
        Person.name_sort,
        lambda p: f"{p.full_name} – {p.code}",
    ),
}


def lookup_results(kind: str, term: str, page: int = 1) -> dict[str, Any]:
    spec = LOOKUPS.get(kind)
    if spec is None:
        abort(404)
    query = scoped_query(spec.model)
    if spec.extra is not None:
        query = spec.extra(query)
    folded = fold(term)
    if folded:
        query = query.filter(spec.folded_column.contains(folded, autoescape=True))
    rows = (
        query.order_by(spec.order_column, spec.model.id)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
        .all()
    )
    return {
        "results": [{"id": r.id, "text": spec.label(r)} for r in rows[:PAGE_SIZE]],
        "more": len(rows) > PAGE_SIZE,
    }


class LookupApi(BaseView):
    route_base = "/lookup"
    default_view = "lookup"

    @expose("/<kind>")
    def lookup(self, kind: str):
        if not current_user.is_authenticated:
            abort(401)
        page_no = parse_int(request.args.get("page"), min=1, max=999) or 1
        return jsonify(lookup_results(kind, request.args.get("q", "")[:100], page_no))
