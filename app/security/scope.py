"""The one unit-scope mechanism.

Every read and write path asks this module what the current user may touch:
FAB's datamodel (list, show, edit, add, delete, mass actions, REST API, related
dropdowns) goes through `ScopedInterface`; custom views, reports, exports and
downloads use `scoped_query` / `get_in_scope_or_404` / `assert_writable`.

Deny by default: a model must declare `__scope__` to be readable by anyone
whose scope is narrower than "all".

  __scope__ = "self"    the model is Unit: its own path
  __scope__ = "unit"    the row has unit_id → Unit; own-record users ("self" scope)
                        see it only via `__self_column__` (Person: "id")
  __scope__ = "person"  the row has person_id → Person → Unit
  __scope__ = "tree"    the row has unit_id and is published down the tree: readable by
                        its unit, the units above it and the units below it (cycles,
                        courses); writable only inside the writer's subtree
  __scope__ = via(column, Parent)  readable exactly when its parent row is
  __scope__ = "public"  reference data, readable by every signed-in user
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from flask import abort, current_app, g, has_request_context
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import false, or_, select, true
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db
from app.text import DB_INT_MAX, parse_id, parse_int

ScopeKind = Literal["all", "unit", "self", "none"]


class ScopeError(Exception):
    """A write names a unit or person outside the user's scope."""

    def __init__(self, message: Any | None = None) -> None:
        super().__init__(
            str(
                message
                or _l(
                    "Đơn vị hoặc hồ sơ bạn chọn nằm ngoài phạm vi quản lý của tài khoản. "
                    "Hãy chọn một đơn vị thuộc phạm vi của bạn."
                )
            )
        )


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    unit_id: int | None = None
    unit_path: str | None = None
    person_id: int | None = None

    @property
    def is_all(self) -> bool:
        return self.kind == "all"


NO_SCOPE = Scope("none")
ALL_SCOPE = Scope("all")


def scope_for_user(user: Any) -> Scope:
    """Widest scope granted by the user's roles (role catalogue in app.security.roles)."""
    from app.security.roles import scope_kind_for_roles

    if user is None or not getattr(user, "is_authenticated", False):
        return NO_SCOPE
    kind = scope_kind_for_roles(r.name for r in user.roles)
    if kind == "all":
        return ALL_SCOPE
    unit = getattr(user, "unit", None)
    if kind == "unit":
        if unit is None:
            return NO_SCOPE
        return Scope("unit", unit.id, unit.path, getattr(user, "person_id", None))
    if kind == "self":
        person_id = getattr(user, "person_id", None)
        if person_id is None:
            return NO_SCOPE
        return Scope("self", unit.id if unit else None, unit.path if unit else None, person_id)
    return NO_SCOPE


def _signed_in_user() -> Any:
    """The browser session's user, else the one FAB resolved from the request's JWT."""
    if current_user and current_user.is_authenticated:
        return current_user
    appbuilder = getattr(current_app, "appbuilder", None)
    return appbuilder.sm.current_user if appbuilder is not None else None


def current_scope() -> Scope:
    """The signed-in user's scope, computed once per request and user (an API call's JWT is
    verified inside the method, after earlier code may already have asked)."""
    if not has_request_context():
        return ALL_SCOPE  # CLI, migrations and data loaders run with full rights
    user = _signed_in_user()
    key = getattr(user, "id", None)
    cached = g.get("_portal_scope")
    if cached is None or g.get("_portal_scope_user", key) != key:
        cached = scope_for_user(user)
        g._portal_scope = cached
        g._portal_scope_user = key
    return cached


def _unit_ids_under(path: str):
    from app.org.models import Unit

    return select(Unit.id).where(Unit.path.startswith(path))


def _person_ids_in(scope: Scope):
    from app.personnel.models import Person

    if scope.kind == "self":
        return select(Person.id).where(Person.id == scope.person_id)
    return select(Person.id).where(Person.unit_id.in_(_unit_ids_under(scope.unit_path)))


def criterion(model: type, scope: Scope | None = None) -> ColumnElement | None:
    """SQL predicate limiting `model` to `scope`; None means no restriction."""
    scope = scope or current_scope()
    if scope.is_all:
        return None
    mode = getattr(model, "__scope__", None)
    if scope.kind == "none" or mode is None:
        return false()
    if mode == "public":
        return true()
    if mode == "self":  # the Unit table itself
        if scope.kind == "self":
            return model.id == scope.unit_id
        return model.path.startswith(scope.unit_path)
    if mode == "unit":
        if scope.kind == "self":
            # Own-record users see a unit-scoped table only through its person column
            # (Person itself: `id`); tables without one stay closed to them.
            column = getattr(model, "__self_column__", None)
            return getattr(model, column) == scope.person_id if column else false()
        return model.unit_id.in_(_unit_ids_under(scope.unit_path))
    if mode == "person":
        if scope.kind == "self":
            return model.person_id == scope.person_id
        return model.person_id.in_(_person_ids_in(scope))
    if mode == "tree":
        if scope.unit_path is None:
            return false()
        above = model.unit_id.in_(ancestor_ids(scope.unit_path))
        if scope.kind == "self":
            return above
        return or_(above, model.unit_id.in_(_unit_ids_under(scope.unit_path)))
    if callable(mode):  # a model-specific rule, e.g. evaluations readable by their evaluator
        return mode(scope)
    return false()


def ancestor_ids(path: str | None) -> list[int]:
    """Ids on a materialised path, root first: '/1/7/42/' → [1, 7, 42]."""
    return [int(part) for part in (path or "").strip("/").split("/") if part.isdigit()]


def ids_in_scope(model: type, scope: Scope | None = None):
    """`SELECT model.id` limited to the scope, for IN-subqueries."""
    crit = criterion(model, scope)
    query = select(model.id)
    return query if crit is None else query.where(crit)


def via(column: Any, parent: type):
    """Scope rule of a row hanging off `parent` (e.g. a question of a questionnaire)."""

    def rule(scope: Scope) -> ColumnElement:
        return column.in_(ids_in_scope(parent, scope))

    return staticmethod(rule)


def scoped_query(model: type, scope: Scope | None = None):
    """`session.query(model)` limited to the scope: the start of every custom read path."""
    query = db.session.query(model)
    crit = criterion(model, scope)
    return query if crit is None else query.filter(crit)


def get_in_scope_or_404(model: type, pk: Any, scope: Scope | None = None):
    """The row, or 404 when it does not exist *or* lies outside the scope (indistinguishable)."""
    pk = parse_id(pk)
    if pk is None:
        abort(404)
    item = scoped_query(model, scope).filter(model.id == pk).one_or_none()
    if item is None:
        abort(404)
    return item


def unit_in_scope(unit_id: int | None, scope: Scope | None = None) -> bool:
    from app.org.models import Unit

    scope = scope or current_scope()
    if scope.is_all:
        return True
    if unit_id is None or scope.kind in ("none", "self"):
        return False
    return (
        db.session.query(Unit.id)
        .filter(Unit.id == unit_id, Unit.path.startswith(scope.unit_path))
        .first()
        is not None
    )


def person_in_scope(person_id: int | None, scope: Scope | None = None) -> bool:
    from app.personnel.models import Person

    scope = scope or current_scope()
    if scope.is_all:
        return True
    if person_id is None or scope.kind == "none":
        return False
    if scope.kind == "self":
        return person_id == scope.person_id
    return (
        db.session.query(Person.id).filter(Person.id == person_id, criterion(Person, scope)).first()
        is not None
    )


def _changed(obj: Any, attr: str) -> bool:
    from sqlalchemy import inspect as sa_inspect

    state = sa_inspect(obj)
    return state.transient or state.pending or state.attrs[attr].history.has_changes()


def _parent_id(unit: Any) -> int | None:
    return unit.parent.id if unit.parent is not None else unit.parent_id


def _written_units(item: Any) -> set[int | None]:
    """Units a write touches: the row's unit, and a (re)parented unit's new parent."""
    mode = getattr(type(item), "__scope__", None)
    if mode == "self":  # the Unit table: a new or moved unit must land under the scope
        units = set() if item.id is None else {item.id}
        if item.id is None or _changed(item, "parent"):
            units.add(_parent_id(item))
        return units
    unit = getattr(item, "unit", None)
    # Before a flush the FK column may still hold the old unit and the relationship the new
    # one: both are checked, so neither the old nor the new unit can be outside the scope.
    units = {u for u in (getattr(item, "unit_id", None), getattr(unit, "id", None)) if u}
    owns_unit = unit is not None and getattr(unit, "school", None) is item
    if owns_unit and (unit.id is None or _changed(unit, "parent")):
        units.add(_parent_id(unit))  # creating or moving a school writes under its new parent
    if not units:
        units.add(None)
    return units


def assert_writable(item: Any, scope: Scope | None = None) -> None:
    """Write guard: every unit or person that `item` names must lie inside the scope.

    Runs without autoflush, so its own queries never write the change it is judging.
    """
    with db.session.no_autoflush:
        _assert_writable(item, scope or current_scope())


def _assert_writable(item: Any, scope: Scope) -> None:
    if scope.is_all:
        return
    mode = getattr(type(item), "__scope__", None)
    if mode == "tree":
        mode = "unit"  # published rows are written only inside the writer's subtree
    if mode in ("self", "unit"):
        if scope.kind == "self":
            column = getattr(type(item), "__self_column__", None)
            if mode != "unit" or column is None or getattr(item, column) != scope.person_id:
                raise ScopeError()
            return
        if not all(unit_in_scope(u, scope) for u in _written_units(item)):
            raise ScopeError()
        return
    if mode == "person":
        person_id = (
            item.person_id if item.person_id is not None else getattr(item.person, "id", None)
        )
        if not person_in_scope(person_id, scope):
            raise ScopeError()
        return
    if callable(mode):
        return  # model-specific rules guard their own writes in their services
    # Reference data ('public') and undeclared tables are writable only with full scope.
    raise ScopeError()


def _eager_option(model: type, path: tuple[str, ...]):
    attr = getattr(model, path[0])
    option = joinedload(attr)
    for name in path[1:]:
        attr = getattr(attr.property.mapper.class_, name)
        option = option.joinedload(attr)
    return option


def many_to_one_paths(model: type, columns: list[str]) -> tuple[tuple[str, ...], ...]:
    """Relation paths of dotted or plain list columns that are many-to-one all the way."""
    from sqlalchemy import inspect as sa_inspect

    paths: set[tuple[str, ...]] = set()
    for column in columns:
        names = column.split(".")
        current, path = model, []
        for name in names:
            rel = sa_inspect(current).relationships.get(name)
            if rel is None or rel.direction.name != "MANYTOONE":
                break
            path.append(name)
            current = rel.mapper.class_
        if path:
            paths.add(tuple(path))
    return tuple(sorted(paths))


class ScopedInterface(SQLAInterface):
    """FAB datamodel whose every query and write passes through the unit scope.

    FAB's mass actions call `datamodel.get(pk)` without the view's base_filters;
    putting the scope here (not in base_filters) covers them, the REST API and the
    related-field queries too, since `get_related_interface` returns this class.
    """

    # Many-to-one relation paths shown in list columns, e.g. ("unit", "parent"), loaded with
    # the rows instead of one query per row.
    eager_relations: tuple[tuple[str, ...], ...] = ()

    def _scoped(self, query):
        crit = criterion(self.obj)
        return query if crit is None else query.filter(crit)

    def apply_all(self, query, *args, **kwargs):
        query = self._scoped(query)
        if self.eager_relations:
            query = query.options(*(_eager_option(self.obj, path) for path in self.eager_relations))
        return super().apply_all(query, *args, **kwargs)

    def query_count(self, query, *args, **kwargs):
        return super().query_count(self._scoped(query), *args, **kwargs)

    def get(self, id, filters=None, select_columns=None, outer_default_load=False):
        """FAB's show/edit/delete/action pages and the REST API fetch `<pk>` from the URL
        here: an id that is not a whole number in the database's range names no row (404)."""
        if not self.is_pk_composite() and self.is_integer(self.get_pk_name()):
            id = parse_id(id)
            if id is None:
                return None
        return super().get(id, filters, select_columns, outer_default_load)

    def apply_filters(self, query, filters):
        """List and API filters: a number too large for an integer column is refused (400)
        instead of reaching the database, which would fail."""
        for flt, values in filters.get_filters_values() if filters else ():
            if not self.is_integer(flt.column_name):
                continue
            for value in values if isinstance(values, list) else [values]:
                number = parse_int(str(value).strip()) if value is not None else None
                if number is not None and abs(number) > DB_INT_MAX:
                    abort(400)
        return super().apply_filters(query, filters)

    def apply_pagination(self, query, page, page_size):
        # The REST API takes any page number from `q`; past the last page is an empty page.
        if page is not None:
            page = min(max(page, 0), DB_INT_MAX)
        return super().apply_pagination(query, page, page_size)

    def get_related_obj(self, col_name: str, value: Any):
        """Scoped, and remembered for the request: a record page's history tabs all filter
        on the same person, which would otherwise be fetched once per tab."""
        rel_model = self.get_related_model(col_name)
        if isinstance(value, list | tuple):  # URL filters arrive as lists (getlist)
            value = value[0] if value else None
        # ... and as text: PostgreSQL won't compare an integer key with varchar
        value = parse_id(value)
        if value is None:
            return None
        memo = g.setdefault("_scoped_related", {}) if has_request_context() else {}
        key = (rel_model, str(value))
        if key not in memo:
            memo[key] = scoped_query(rel_model).filter(rel_model.id == value).one_or_none()
        return memo[key]

    def add(self, item, commit: bool = True) -> None:
        assert_writable(item)
        return super().add(item, commit)

    def edit(self, item, commit: bool = True) -> None:
        assert_writable(item)
        return super().edit(item, commit)

    def delete(self, item, commit: bool = True) -> None:
        assert_writable(item)
        return super().delete(item, commit)

    def delete_all(self, items) -> None:
        for item in items:
            assert_writable(item)
        return super().delete_all(items)
