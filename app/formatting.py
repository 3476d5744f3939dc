"""Vietnamese display formats: dates dd/MM/yyyy, numbers 12.345,5, money 12.500.000 ₫."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.numbers import format_currency, format_decimal

LOCALE = "vi"


def format_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y")


def format_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y %H:%M")


def format_number(value: float | int | Decimal | None, digits: int = 2) -> str:
    if value is None:
        return ""
    return format_decimal(
        value, format=f"#,##0.{'#' * digits}" if digits else "#,##0", locale=LOCALE
    )


def format_money(value: float | int | Decimal | None) -> str:
    if value is None:
        return ""
    return format_currency(value, "VND", locale=LOCALE)
