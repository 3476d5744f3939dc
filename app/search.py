"""Accent-insensitive search filters for FAB views and APIs.

A name column is searched through its folded twin ('name_folded'), with the
user's input folded the same way, so 'nguyen van an' and 'NGUYỄN VĂN AN' both
find 'Nguyễn Văn An', and 'dang' finds 'Đặng'.
"""

from __future__ import annotations

from typing import Any

from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext as _l

from app.text import fold


class _FoldedFilter(BaseFilter):
    folded_column: str = ""

    def _column(self):
        return getattr(self.model, self.folded_column)


class FoldedContains(_FoldedFilter):
    name = _l("Chứa (không dấu)")
    arg_name = "fct"

    def apply(self, query, value: Any):
        return query.filter(self._column().contains(fold(str(value)), autoescape=True))


class FoldedStartsWith(_FoldedFilter):
    name = _l("Bắt đầu bằng (không dấu)")
    arg_name = "fsw"

    def apply(self, query, value: Any):
        return query.filter(self._column().startswith(fold(str(value)), autoescape=True))


def folded_filters(folded_column: str) -> list[type[BaseFilter]]:
    """Filter classes bound to a folded column."""
    return [
        type(f"{cls.__name__}_{folded_column}", (cls,), {"folded_column": folded_column})
        for cls in (FoldedContains, FoldedStartsWith)
    ]


class FoldedSearchMixin:
    """Replace the default filters of the columns in `folded_search` with folded ones."""

    folded_search: dict[str, str] = {}

    def _init_properties(self) -> None:
        super()._init_properties()
        for column, folded_column in self.folded_search.items():
            instances = [flt(column, self.datamodel) for flt in folded_filters(folded_column)]
            # FAB keeps two tables: one for the search form, one for URL/API filter lookup.
            self._filters._search_filters[column] = instances
            self._filters._all_filters[column] = instances
