"""Base classes every generated view and API inherits: scope, write guard, Vietnamese, dates.

A new view gets the unit scope on every FAB path by subclassing these; nothing
else to remember.
"""

from __future__ import annotations

from typing import Any

from flask import abort, request
from flask_appbuilder import ModelView, expose
from flask_appbuilder.api import ModelRestApi
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.formatting import format_date
from app.security.fields import SENSITIVE_PERMISSION, mask_api_payload, masking_formatter
from app.security.scope import ScopedInterface, ScopeError, assert_writable, many_to_one_paths
from app.text import parse_int

STALE_MESSAGE = _l(
    "Bản ghi đã được người khác cập nhật sau khi bạn mở biểu mẫu. "
    "Dữ liệu mới nhất được giữ nguyên; hãy mở lại bản ghi và nhập lại thay đổi."
)


def _date_columns(model: type) -> list[str]:
    return [c.key for c in model.__table__.columns if isinstance(c.type, Date)]


def display_value(value: Any) -> Any:
    """Empty for None, Có/Không for booleans, the value itself otherwise."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(YES) if value else str(NO)
    return value


YES = _l("Có")
NO = _l("Không")


class ScopedModelView(ModelView):
    """ModelView whose datamodel, forms and actions obey the unit scope."""

    model: type | None = None
    page_size = 25
    # Columns masked for roles without `can_see_sensitive` on this view (app.security.fields).
    sensitive_columns: tuple[str, ...] = ()

    def __init__(self, **kwargs: Any) -> None:
        if self.model is not None and getattr(self, "datamodel", None) is None:
            self.datamodel = ScopedInterface(self.model)
        model = self.datamodel.obj
        if not self.class_permission_name:
            self.class_permission_name = model.__name__
        formatters = dict(self.formatters_columns or {})
        for col in _date_columns(model):
            formatters.setdefault(col, format_date)
        for col in self.sensitive_columns:
            formatters[col] = masking_formatter(self.class_permission_name, formatters.get(col))
        self.formatters_columns = formatters
        super().__init__(**kwargs)
        if isinstance(self.datamodel, ScopedInterface):
            self.datamodel.eager_relations = many_to_one_paths(model, self.list_columns)
        # FAB prints Python's None/True/False as is; show them in Vietnamese.
        shown = set(self.list_columns) | set(self.show_columns)
        for _title, spec in self.show_fieldsets or ():
            shown.update(spec.get("fields", ()))
        for col in shown:
            self.formatters_columns.setdefault(col, display_value)
        if self.sensitive_columns:  # declared so the role sync can grant it
            self.base_permissions = sorted({*self.base_permissions, SENSITIVE_PERMISSION})

    # -- write guard: one call for add, edit, delete -------------------------------------
    def _guard(self, item: Any) -> None:
        try:
            assert_writable(item)
        except ScopeError:
            db.session.rollback()  # populate_obj already changed the item: discard it
            raise

    def pre_add(self, item: Any) -> None:
        self._guard(item)

    def pre_update(self, item: Any) -> None:
        self._check_version(item)
        self._guard(item)

    def pre_delete(self, item: Any) -> None:
        self._guard(item)

    # -- mass actions: FAB fetches rows with datamodel.get(pk); ScopedInterface returns None
    # for rows outside the scope, and then the whole action is refused like a missing row.
    @expose("/action_post", methods=["POST"])
    def action_post(self):
        pks = request.form.getlist("rowid")
        if not pks or any(
            self.datamodel.get(self._deserialize_pk_if_composite(pk)) is None for pk in pks
        ):
            db.session.rollback()
            abort(404)
        return super().action_post()

    @expose("/action/<string:name>/<pk>", methods=["GET"])
    def action(self, name, pk):
        if self.datamodel.get(self._deserialize_pk_if_composite(pk)) is None:
            abort(404)
        return super().action(name, pk)

    def _check_version(self, item: Any) -> None:
        """Optimistic locking: the form carries the version it was opened with."""
        if not hasattr(item, "version_id"):
            return
        sent = parse_int(request.form.get("form_version"), min=0)
        if sent is not None and sent != item.version_id:
            db.session.rollback()
            raise StaleDataError(str(STALE_MESSAGE))


class ScopedModelRestApi(ModelRestApi):
    """REST API on the same scope: GET/PUT/DELETE filter, POST/PUT guard the written unit."""

    model: type | None = None
    allow_browser_login = True
    sensitive_columns: tuple[str, ...] = ()
    # Same permission names as the ModelView, so one grant covers the page and the API.
    method_permission_name = {
        "get_list": "list",
        "get": "show",
        "post": "add",
        "put": "edit",
        "delete": "delete",
        "info": "info",
    }

    def __init__(self) -> None:
        if self.model is not None and getattr(self, "datamodel", None) is None:
            self.datamodel = ScopedInterface(self.model)
        if not self.class_permission_name:
            self.class_permission_name = self.datamodel.obj.__name__
        super().__init__()

    def _get_field_info(self, field: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        # FAB runs gettext("") for columns without a description, and with a vi catalog that
        # returns the .po header; empty stays empty here.
        info = super()._get_field_info(field, *args, **kwargs)
        if not self.description_columns.get(field.name):
            info["description"] = ""
        if not self.label_columns.get(field.name):
            info["label"] = field.name
        return info

    def pre_get(self, data: dict[str, Any]) -> None:
        mask_api_payload(self.class_permission_name, self.sensitive_columns, data.get("result", {}))

    def pre_get_list(self, data: dict[str, Any]) -> None:
        for record in data.get("result", []):
            mask_api_payload(self.class_permission_name, self.sensitive_columns, record)

    def pre_add(self, item: Any) -> None:
        assert_writable(item)

    def pre_update(self, item: Any) -> None:
        assert_writable(item)

    def pre_delete(self, item: Any) -> None:
        assert_writable(item)

    def _refuse(self):
        db.session.rollback()
        return self.response_404()

    def post_headless(self):
        try:
            return super().post_headless()
        except ScopeError:
            return self._refuse()

    def put_headless(self, pk):
        try:
            return super().put_headless(pk)
        except ScopeError:
            return self._refuse()

    def delete_headless(self, pk):
        try:
            return super().delete_headless(pk)
        except ScopeError:
            return self._refuse()
