"""Excel export shared by every list: text stays text, formulas never reach the output."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from flask import Response
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Font

from app.formatting import format_date

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> str:
    """Render a cell as text; a leading formula character gets an apostrophe (CSV/formula injection)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        text = value.strftime("%d/%m/%Y %H:%M")
    elif isinstance(value, dt.date):
        text = format_date(value)
    elif isinstance(value, bool):
        text = "Có" if value else "Không"
    elif isinstance(value, Decimal | float):
        text = f"{value:.2f}".replace(".", ",")
    else:
        text = str(value)
    if text.startswith(_FORMULA_START):
        text = "'" + text
    return text


def workbook_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A one-sheet workbook, streamed row by row (write-only mode keeps memory flat)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31] or "Sheet1")
    from openpyxl.cell import WriteOnlyCell

    header_cells = []
    for h in headers:
        cell = WriteOnlyCell(ws, value=str(h))
        cell.font = Font(bold=True)
        header_cells.append(cell)
    ws.append(header_cells)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(ws, value=neutralise(value))
            cell.data_type = TYPE_STRING
            cells.append(cell)
        ws.append(cells)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, content: bytes) -> Response:
    response = Response(content, mimetype=XLSX_MIME)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
