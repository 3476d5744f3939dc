"""Base classes every generated view and API inherits: scope, write guard, Vietnamese, dates.

A new view gets the unit scope on every FAB path by subclassing these; nothing
else to remember.
"""

from __future__ import annotations

import re
from typing import Any

from flask import abort, request
from flask_appbuilder import ModelView, expose
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.const import PERMISSION_PREFIX
from flask_appbuilder.exceptions import FABException, InvalidOrderByColumnFABException
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.formatting import format_date
from app.security.fields import (
    SENSITIVE_PERMISSION,
    HiddenFieldError,
    declare_sensitive,
    is_hidden,
    mask_api_payload,
    masking_formatter,
)
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

# Rows per page at most, on every list page and API: a forged psize/page_size must not
# dump a whole table into one response.
MAX_PAGE_SIZE = 100
MAX_PAGE_INDEX = 10_000_000  # beyond any table; keeps OFFSET inside a 64-bit integer
_FILTER_ARG = re.compile(r"_flt_(\d)_(.*)")  # FAB's URL filter: _flt_<operator>_<column>


def bounded_page_size(requested: Any, default: int, maximum: int = MAX_PAGE_SIZE) -> int:
    """A requested page size capped at `maximum`; missing, non-positive or junk → `default`."""
    try:
        size = int(requested)
    except (TypeError, ValueError):
        size = 0
    return min(size if size > 0 else default, maximum)


def _positive_int_args(prefix: str, maximum: int) -> dict[str, int]:
    """FAB's `<prefix><view>=<n>` URL arguments without its crash on junk: values that are
    not positive integers are dropped (the view's default applies), big ones capped."""
    values: dict[str, int] = {}
    for arg in request.args:
        match = re.search(prefix + "(.*)", arg)
        if not match:
            continue
        try:
            value = int(request.args.get(arg, ""))
        except ValueError:
            continue
        if value > 0:
            values[match.group(1)] = min(value, maximum)
    return values


def page_args() -> dict[str, int]:
    # FAB counts pages from 0: a dropped page_X is the first page.
    return _positive_int_args("page_", MAX_PAGE_INDEX)


def page_size_args() -> dict[str, int]:
    return _positive_int_args("psize_", MAX_PAGE_SIZE)


def install_list_arg_parsers() -> None:
    """Every FAB list (ours and FAB's own admin views) reads page and page size through
    the parsers above: FAB's own answer 500 to `psize_X=abc` and accept any size. FAB
    calls them from inside _list/_show/_edit, so replacing them is the one place."""
    from flask_appbuilder import baseviews, views

    for module in (baseviews, views):
        module.get_page_args = page_args
        module.get_page_size_args = page_size_args


def _list_permission(view: Any) -> str:
    return PERMISSION_PREFIX + ((view.method_permission_name or {}).get("list") or "list")


class ScopedModelView(ModelView):
    """ModelView whose datamodel, forms and actions obey the unit scope."""

    model: type | None = None
    page_size = 25
    max_page_size = MAX_PAGE_SIZE
    # Columns masked for roles without `can_see_sensitive` on `sensitive_permission_view`
    # (default: this view's own permission name; app.security.fields). A history tab names
    # the record's view, so salary in the tab follows the salary on the record.
    sensitive_columns: tuple[str, ...] = ()
    sensitive_permission_view: str | None = None

    def __init__(self, **kwargs: Any) -> None:
        if self.model is not None and getattr(self, "datamodel", None) is None:
            self.datamodel = ScopedInterface(self.model)
        model = self.datamodel.obj
        if not self.class_permission_name:
            self.class_permission_name = model.__name__
        sensitive_view = self.sensitive_permission_view or self.class_permission_name
        declare_sensitive(model, self.sensitive_columns, sensitive_view)
        formatters = dict(self.formatters_columns or {})
        for col in _date_columns(model):
            formatters.setdefault(col, format_date)
        for col in self.sensitive_columns:
            formatters[col] = masking_formatter(sensitive_view, formatters.get(col))
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
        if self.sensitive_columns and sensitive_view == self.class_permission_name:
            # declared so the role sync can grant it
            self.base_permissions = sorted({*self.base_permissions, SENSITIVE_PERMISSION})

    # -- lists: hidden columns, page size, related tabs ----------------------------------
    def _refuse_hidden(self, column: str) -> None:
        if column and is_hidden(self.datamodel.obj, column):
            label = self.label_columns.get(column.split(".")[0], column)
            raise HiddenFieldError(label)

    def _check_order_column(self, column: str) -> None:
        """A forged `_oc_<view>`: hidden columns are refused with their own message; FAB
        sorts by anything else as SQL text and fails with a 500, so only the offered sort
        columns and the model's own columns are accepted."""
        if not column:
            return
        self._refuse_hidden(column)
        model_columns = {attr.key for attr in sa_inspect(self.datamodel.obj).column_attrs}
        if column not in self.order_columns and column not in model_columns:
            abort(400)

    def _list(self, **kwargs):
        for arg in request.args:
            match = _FILTER_ARG.search(arg)
            if match:
                self._refuse_hidden(match.group(2))
        return super()._list(**kwargs)

    def _get_search_widget(self, form=None, exclude_cols=None, widgets=None):
        """FAB's, without the hidden columns (its widget ignores `exclude_cols`)."""
        widgets = widgets or {}
        widgets["search"] = self.search_widget(
            route_base=self.route_base,
            form=form,
            include_cols=[c for c in self.search_columns if not is_hidden(self.datamodel.obj, c)],
            exclude_cols=exclude_cols or [],
            filters=self._filters,
        )
        return widgets

    def _get_list_widget(
        self,
        filters,
        actions=None,
        order_column="",
        order_direction="",
        page=None,
        page_size=None,
        widgets=None,
        **kwargs,
    ):
        """FAB's, with the page size bounded and hidden columns neither sortable nor
        offered as sort links. Used by the list page and every related tab alike."""
        self._check_order_column(order_column)
        widgets = widgets or {}
        actions = actions or self.actions
        page_size = bounded_page_size(page_size, self.page_size, self.max_page_size)
        if not order_column and self.base_order:
            order_column, order_direction = self.base_order
        joined_filters = filters.get_joined_filters(self._base_filters)
        count, lst = self.datamodel.query(
            joined_filters, order_column, order_direction, page=page, page_size=page_size
        )
        pks = [self._serialize_pk_if_composite(pk) for pk in self.datamodel.get_keys(lst)]
        model = self.datamodel.obj
        widgets["list"] = self.list_widget(
            label_columns=self.label_columns,
            include_columns=self.list_columns,
            value_columns=self.datamodel.get_values(lst, self.list_columns),
            order_columns=[c for c in self.order_columns if not is_hidden(model, c)],
            formatters_columns=self.formatters_columns,
            page=page,
            page_size=page_size,
            count=count,
            pks=pks,
            actions=actions,
            filters=filters,
            modelview_name=self.__class__.__name__,
            **kwargs,
        )
        return widgets

    def visible_related_views(self) -> list[Any]:
        """The related tabs the user may list; the others are not drawn at all."""
        has_access = self.appbuilder.sm.has_access
        return [
            view
            for view in self._related_views
            if has_access(_list_permission(view), view.class_permission_name)
        ]

    def _get_related_views_widgets(
        self, item, orders=None, pages=None, page_sizes=None, widgets=None, **args
    ):
        widgets = widgets or {}
        widgets["related_views"] = []
        orders, pages, page_sizes = orders or {}, pages or {}, page_sizes or {}
        for view in self.visible_related_views():
            name = view.__class__.__name__
            order_column, order_direction = orders.get(name) or ("", "")
            widgets["related_views"].append(
                self._get_related_view_widget(
                    item,
                    view,
                    order_column,
                    order_direction,
                    page=pages.get(name),
                    page_size=page_sizes.get(name),
                )
            )
        return widgets

    def render_template(self, template, **kwargs):
        # FAB's show/edit templates pair `related_views` with the widgets by position.
        if "related_views" in kwargs:
            kwargs["related_views"] = self.visible_related_views()
        return super().render_template(template, **kwargs)

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
    max_page_size = MAX_PAGE_SIZE  # FAB answers page_size above it, or -1, with this many
    sensitive_columns: tuple[str, ...] = ()
    sensitive_permission_view: str | None = None  # as on ScopedModelView
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
        self._sensitive_view = self.sensitive_permission_view or self.class_permission_name
        declare_sensitive(self.datamodel.obj, self.sensitive_columns, self._sensitive_view)
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
        mask_api_payload(self._sensitive_view, self.sensitive_columns, data.get("result", {}))

    def pre_get_list(self, data: dict[str, Any]) -> None:
        for record in data.get("result", []):
            mask_api_payload(self._sensitive_view, self.sensitive_columns, record)

    def _sanitize_page_args(self, page, page_size):
        page, page_size = super()._sanitize_page_args(page, page_size)
        if page is not None:  # a negative or huge page index fails in SQL (500)
            page = min(max(int(page), 0), MAX_PAGE_INDEX)
        return page, page_size

    # Sorting or filtering by a hidden column is refused (400), as on the list pages.
    def _handle_order_args(self, rison_args: dict[str, Any]) -> tuple[str, str]:
        column = rison_args.get("order_column") or ""
        if column and is_hidden(self.datamodel.obj, column):
            raise InvalidOrderByColumnFABException(str(HiddenFieldError(self._label(column))))
        return super()._handle_order_args(rison_args)

    def _handle_filters_args(self, rison_args: dict[str, Any]):
        for flt in rison_args.get("filters") or ():
            column = str(flt.get("col", "")) if isinstance(flt, dict) else ""
            if column and is_hidden(self.datamodel.obj, column):
                raise FABException(str(HiddenFieldError(self._label(column))))
        return super()._handle_filters_args(rison_args)

    def _label(self, column: str) -> Any:
        return self.label_columns.get(column.split(".")[0], column)

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
