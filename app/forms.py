"""Form fields shared by the generated views: Vietnamese dates, choices and scoped typeahead."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import Field, SelectField
from wtforms.fields import DateField
from wtforms.validators import DataRequired, Optional, StopValidation, ValidationError
from wtforms.widgets import html_params

from app.formatting import format_date
from app.text import nfc, parse_id

DATE_FORMAT = "%d/%m/%Y"


class ViDateWidget:
    """A text input with a local datepicker in dd/mm/yyyy (portal.js)."""

    def __call__(self, field: Field, **kwargs: Any) -> Markup:
        kwargs.setdefault("id", field.id)
        kwargs.setdefault("type", "text")
        kwargs.setdefault("placeholder", "dd/mm/yyyy")
        kwargs.setdefault("autocomplete", "off")
        kwargs.setdefault("inputmode", "numeric")
        kwargs["class"] = "form-control portal-date " + kwargs.get("class", "")
        value = field._value()
        return Markup(
            '<div class="input-group"><span class="input-group-addon">'
            '<i class="fa fa-calendar"></i></span>'
            f"<input {html_params(name=field.name, value=value, **kwargs)}></div>"
        )


class ViDateField(DateField):
    """Dates typed and shown as dd/MM/yyyy, with a Vietnamese error on bad input."""

    widget = ViDateWidget()

    def __init__(self, label: Any = None, validators: Sequence | None = None, **kwargs: Any):
        super().__init__(label, validators, format=DATE_FORMAT, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return format_date(self.data) if isinstance(self.data, dt.date) else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        text = valuelist[0].strip()
        for fmt in (DATE_FORMAT, "%Y-%m-%d"):
            try:
                self.data = dt.datetime.strptime(text, fmt).date()
                return
            except ValueError:
                continue
        self.data = None
        raise ValueError(
            str(
                _l(
                    "Ngày '%(value)s' không hợp lệ. Hãy nhập theo dạng ngày/tháng/năm, ví dụ 05/09/2024.",
                    value=text,
                )
            )
        )


class NotInFuture:
    """A date that must not lie in the future (birth, decisions, degrees already obtained)."""

    def __call__(self, form: Any, field: Field) -> None:
        if field.data and field.data > dt.date.today():
            raise ValidationError(
                str(_l("Ngày này không được ở tương lai. Hãy kiểm tra lại năm đã nhập."))
            )


def choice_field(
    label: Any,
    choices: Sequence[tuple[str, Any]],
    required: bool = True,
    **kwargs: Any,
) -> SelectField:
    validators = (
        [DataRequired(message=str(_l("Hãy chọn một giá trị.")))] if required else [Optional()]
    )
    opts = list(choices) if required else [("", "—")] + list(choices)
    return SelectField(label, choices=opts, validators=validators, **kwargs)


class TypeaheadWidget:
    """A select2 box that searches a scoped lookup endpoint as the user types."""

    def __call__(self, field: ScopedRelationField, **kwargs: Any) -> Markup:
        kwargs.setdefault("id", field.id)
        kwargs["class"] = "form-control portal-typeahead " + kwargs.get("class", "")
        endpoint = url_for("LookupApi.lookup", kind=field.lookup_kind)
        option = ""
        if field.data is not None:
            option = f'<option value="{field.data.id}" selected>{escape(str(field.data))}</option>'
        return Markup(
            f"<select {html_params(name=field.name, **{'data-endpoint': endpoint}, **kwargs)}>"
            f'<option value=""></option>{option}</select>'
        )


class ScopedRelationField(Field):
    """A many-to-one field whose choices and accepted values are limited to the user's scope.

    Never renders a `<select>` of every row: choices come from /lookup/<kind> as the user types.
    A posted id outside the scope is refused exactly like an id that does not exist.
    """

    widget = TypeaheadWidget()

    def __init__(
        self,
        label: Any = None,
        validators: Sequence | None = None,
        model: type | None = None,
        lookup_kind: str = "",
        query_filter: Callable[[Any], Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.model = model
        self.lookup_kind = lookup_kind
        self.query_filter = query_filter
        self._invalid_id = False

    def process_formdata(self, valuelist: list[str]) -> None:
        from app.security.scope import scoped_query

        self._invalid_id = False
        raw = (valuelist[0] if valuelist else "").strip()
        if not raw:
            self.data = None
            return
        item = None
        item_id = parse_id(raw)
        if item_id is not None:
            query = scoped_query(self.model).filter(self.model.id == item_id)
            if self.query_filter is not None:
                query = self.query_filter(query)
            item = query.one_or_none()
        self.data = item
        self._invalid_id = item is None

    def pre_validate(self, form: Any) -> None:
        if self._invalid_id:
            # StopValidation: DataRequired would otherwise replace this with "required".
            raise StopValidation(
                str(
                    _l(
                        "Giá trị đã chọn không tồn tại hoặc nằm ngoài phạm vi của bạn. Hãy chọn lại từ danh sách."
                    )
                )
            )


def normalise_text(value: Any) -> Any:
    """WTForms filter: NFC-normalise text input."""
    return nfc(value) if isinstance(value, str) else value
