"""Audit trail written from SQLAlchemy session events, in the same transaction as the change.

`after_flush` sees every object the flush wrote, with the attribute history still
in its pre-flush state and new rows already holding their ids. It inserts the
audit rows with a Core INSERT on the flush's own connection, so a change and its
audit row commit or roll back together: nothing is half-written.

What is logged:
- every insert, update and delete of a `flask_appbuilder.Model` subclass, with
  {field: [before, after]} of the changed columns;
- `ab_user` as account events: account_create, account_disable, password_change
  (the user's own) or account_reset (someone else's), role_change (membership),
  update (other fields); login bookkeeping (counters, last login, lock, session
  stamp) is left out, the security manager logs logins itself;
- `ab_role` permission-set changes as role_change;
- not: the audit log itself and FAB's permission tables (ab_permission, ...).

Masking: password-like fields become "***"; a national ID keeps its last 3 digits.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import json
from typing import Any

from flask import g, has_request_context, request
from flask_appbuilder import Model
from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import NO_VALUE

from app.security.audit_models import AuditLog, utcnow

USER_TABLE = "ab_user"
ROLE_TABLE = "ab_role"
# Columns that change on every login or save and say nothing about who changed what.
NOISE = frozenset(
    {
        "version_id",
        "created_on",
        "changed_on",
        "created_by_fk",
        "changed_by_fk",
        "name_folded",
        "name_sort",
    }
)
USER_NOISE = NOISE | {
    "login_count",
    "fail_login_count",
    "last_login",
    "locked_until",
    "session_stamp",
}
MASKED = "***"


class AuditLogIsAppendOnly(RuntimeError):
    pass


# -- values --------------------------------------------------------------------------------
def _mask_national_id(value: Any) -> Any:
    if value in (None, ""):
        return value
    text = str(value)
    return "*" * max(len(text) - 3, 0) + text[-3:]


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bytes | bytearray | memoryview):
        return "<binary>"
    return str(value)


def _shown(key: str, value: Any) -> Any:
    if value is NO_VALUE:
        value = None
    if "password" in key or key.endswith("_secret") or key.endswith("_token"):
        return MASKED if value else value
    if key == "national_id":
        return _mask_national_id(value)
    return _jsonable(value)


# -- who and where -------------------------------------------------------------------------
def set_actor(user: Any | None) -> None:
    """Remember the acting user for this request as plain values (read inside flushes)."""
    if not has_request_context():
        return
    if user is None:
        g.audit_actor = None
        return
    values = inspect(user).dict
    g.audit_actor = (values.get("id"), values.get("username"), values.get("unit_id"))


def _actor() -> tuple[int | None, str | None, int | None]:
    if not has_request_context():
        return None, None, None
    actor = g.get("audit_actor")
    if actor:
        return actor
    user = g.get("_login_user")  # Flask-Login's loaded user; read without triggering loads
    if user is not None and getattr(user, "is_authenticated", False):
        try:
            values = inspect(user).dict
        except Exception:
            return None, None, None
        return values.get("id"), values.get("username"), values.get("unit_id")
    return None, None, None


def _ip() -> str | None:
    return request.remote_addr if has_request_context() else None


def _row_unit(session: Session, obj: Any, state_dict: dict) -> int | None:
    mode = getattr(type(obj), "__scope__", None)
    if mode == "self":  # the Unit table: a unit is its own scope anchor
        return state_dict.get("id")
    unit_id = state_dict.get("unit_id")
    if unit_id is not None:
        return unit_id
    unit = state_dict.get("unit")
    if unit is not None and getattr(unit, "id", None) is not None:
        return unit.id
    person_id = state_dict.get("person_id")
    person = state_dict.get("person")
    if person is not None and inspect(person).dict.get("unit_id") is not None:
        return inspect(person).dict["unit_id"]
    if person_id is not None:
        from app.personnel.models import Person

        conn = session.connection()
        return conn.execute(select(Person.unit_id).where(Person.id == person_id)).scalar()
    return None


# -- change sets ---------------------------------------------------------------------------
def _column_changes(obj: Any, kind: str, noise: frozenset[str]) -> dict[str, list]:
    state = inspect(obj)
    known_before = (state.session.info.get("audit_before") or {}).get(id(obj), {})
    changes: dict[str, list] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in noise:
            continue
        if kind == "create":
            value = state.dict.get(key)
            if value is not None:
                changes[key] = [None, _shown(key, value)]
        elif kind == "delete":
            value = state.dict.get(key, known_before.get(key))
            if value is not None:
                changes[key] = [_shown(key, value), None]
        else:
            hist = state.attrs[key].history
            if not hist.has_changes():
                continue
            before = hist.deleted[0] if hist.deleted else known_before.get(key)
            after = hist.added[0] if hist.added else None
            if before == after:
                continue
            changes[key] = [_shown(key, before), _shown(key, after)]
    return changes


def _collection_change(obj: Any, key: str, label) -> list | None:
    hist = inspect(obj).attrs[key].history
    if not hist.added and not hist.deleted:
        return None
    before = sorted(label(x) for x in [*hist.unchanged, *hist.deleted])
    after = sorted(label(x) for x in [*hist.unchanged, *hist.added])
    return None if before == after else [before, after]


def _pv_label(pv: Any) -> str:
    return str(pv)


def _audited(obj: Any) -> bool:
    if isinstance(obj, AuditLog) or not isinstance(obj, Model):
        return False
    table = getattr(obj, "__tablename__", "") or ""
    return not table.startswith("ab_") or table in (USER_TABLE, ROLE_TABLE)


def _row_id(obj: Any) -> str | None:
    # New rows have their ids by after_flush, though not yet their identity key.
    ident = inspect(obj).mapper.primary_key_from_instance(obj)
    if not ident or all(part is None for part in ident):
        return None
    return ",".join(str(part) for part in ident)


def _entries_for(session: Session, obj: Any, kind: str) -> list[dict]:
    table = obj.__tablename__
    state_dict = inspect(obj).dict
    base = {
        "table_name": table,
        "row_id": _row_id(obj),
        "unit_id": _row_unit(session, obj, state_dict),
    }
    if table == USER_TABLE:
        return _user_entries(obj, kind, base)
    if table == ROLE_TABLE and kind == "update":
        change = _collection_change(obj, "permissions", _pv_label)
        entries = []
        if change:
            entries.append({**base, "action": "role_change", "changes": {"permissions": change}})
        changes = _column_changes(obj, kind, NOISE)
        if changes:
            entries.append({**base, "action": "update", "changes": changes})
        return entries
    changes = _column_changes(obj, kind, NOISE)
    if kind == "update" and not changes:
        return []
    return [{**base, "action": kind, "changes": changes}]


def _user_entries(user: Any, kind: str, base: dict) -> list[dict]:
    if kind == "create":
        changes = _column_changes(user, kind, USER_NOISE)
        roles = sorted(r.name for r in inspect(user).dict.get("roles") or [])
        if roles:
            changes["roles"] = [[], roles]
        return [{**base, "action": "account_create", "changes": changes}]
    if kind == "delete":
        return [{**base, "action": "delete", "changes": _column_changes(user, kind, USER_NOISE)}]
    entries = []
    roles = _collection_change(user, "roles", lambda r: r.name)
    if roles:
        entries.append({**base, "action": "role_change", "changes": {"roles": roles}})
    changes = _column_changes(user, kind, USER_NOISE)
    if changes:
        actor_id = _actor()[0]
        if "active" in changes and not changes["active"][1]:
            action = "account_disable"
        elif "password" in changes:
            action = "password_change" if actor_id == user.id else "account_reset"
        else:
            action = "update"
        entries.append({**base, "action": action, "changes": changes})
    return entries


# -- events --------------------------------------------------------------------------------
def _before_flush(session: Session, flush_context, instances) -> None:
    for obj in [*session.dirty, *session.deleted]:
        if isinstance(obj, AuditLog) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogIsAppendOnly("audit_log rows are never changed or deleted")
    _load_unknown_before_values(session)


def _load_unknown_before_values(session: Session) -> None:
    """Old values the ORM does not hold: attributes set (or rows deleted) while expired.

    That happens after a commit expired the object; one SELECT per such row. Objects
    loaded in the same request (FAB's edit, the API) already hold their old values,
    so this costs nothing on the usual paths.
    """
    before: dict[int, dict[str, Any]] = {}
    for obj, deleted in [
        *((o, False) for o in session.dirty),
        *((o, True) for o in session.deleted),
    ]:
        if not _audited(obj):
            continue
        state = inspect(obj)
        column_keys = state.mapper.column_attrs.keys()
        if deleted:
            keys = [k for k in column_keys if k not in state.dict]
        else:
            keys = [
                k for k, v in state.committed_state.items() if v is NO_VALUE and k in column_keys
            ]
        if not keys or state.key is None:
            continue
        columns = [state.mapper.get_property(k).columns[0] for k in keys]
        where = [
            col == val for col, val in zip(state.mapper.primary_key, state.key[1], strict=True)
        ]
        row = session.connection().execute(select(*columns).where(*where)).first()
        if row is not None:
            before[id(obj)] = dict(zip(keys, row, strict=True))
    session.info["audit_before"] = before


def _after_flush(session: Session, flush_context) -> None:
    if session.info.get("audit_disabled"):
        return
    entries: list[dict] = []
    for obj in session.new:
        if _audited(obj):
            entries.extend(_entries_for(session, obj, "create"))
    for obj in session.dirty:
        if _audited(obj) and session.is_modified(obj, include_collections=True):
            entries.extend(_entries_for(session, obj, "update"))
    for obj in session.deleted:
        if _audited(obj):
            entries.extend(_entries_for(session, obj, "delete"))
    if not entries:
        return
    user_id, username, user_unit = _actor()
    now = utcnow()
    ip = _ip()
    rows = [
        {
            "at": now,
            "user_id": user_id,
            "username": username,
            "unit_id": e["unit_id"] if e["unit_id"] is not None else user_unit,
            "action": e["action"],
            "table_name": e["table_name"],
            "row_id": e["row_id"],
            "changes": json.dumps(e["changes"], ensure_ascii=False, sort_keys=True),
            "ip": ip,
        }
        for e in entries
    ]
    session.connection().execute(insert(AuditLog.__table__), rows)


def install() -> None:
    """Listen on every SQLAlchemy session (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)


# -- explicit events (login, logout, lockout) ----------------------------------------------
def record(
    action: str,
    *,
    user: Any | None = None,
    username: str | None = None,
    changes: dict | None = None,
    session: Session | None = None,
) -> AuditLog:
    """Add an audit row for an event that is not a row change; the caller commits."""
    from app.extensions import db

    session = session or db.session
    values = inspect(user).dict if user is not None else {}
    actor_id, actor_name, actor_unit = _actor()
    row = AuditLog(
        at=utcnow(),
        user_id=values.get("id", actor_id),
        username=(values.get("username") or username or actor_name or "")[:128],
        unit_id=values.get("unit_id", actor_unit),
        action=action,
        table_name=USER_TABLE if user is not None else None,
        row_id=str(values["id"]) if values.get("id") is not None else None,
        changes=json.dumps(changes, ensure_ascii=False, sort_keys=True) if changes else None,
        ip=_ip(),
    )
    session.add(row)
    return row


def audit_for(table_name: str, row_id: Any, scope: Any | None = None):
    """The history of one record, newest first, limited to the viewer's scope."""
    from app.security.scope import scoped_query

    return (
        scoped_query(AuditLog, scope)
        .filter(AuditLog.table_name == table_name, AuditLog.row_id == str(row_id))
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
    )
