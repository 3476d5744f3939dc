"""Validation of personnel input, with Vietnamese messages that say how to fix the value."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from app.extensions import db

NATIONAL_ID = re.compile(r"^\d{12}$")
MIN_AGE, MAX_AGE = 18, 70


def national_id_problem(value: str | None) -> str | None:
    """CCCD: exactly 12 digits, kept as text so leading zeros survive."""
    if not value:
        return None
    if not NATIONAL_ID.match(value):
        return str(_l("Số CCCD phải gồm đúng 12 chữ số (ví dụ 001085012345). Hãy kiểm tra lại."))
    return None


def age_on(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def birth_date_problem(birth: dt.date | None, start: dt.date | None, today: dt.date) -> str | None:
    """Age must be 18–70 at the start date (or today when no start date is known)."""
    if birth is None:
        return None
    if birth > today:
        return str(_l("Ngày sinh không được ở tương lai. Hãy kiểm tra lại năm sinh."))
    ref = start or today
    age = age_on(birth, ref)
    if not MIN_AGE <= age <= MAX_AGE:
        return str(
            _l(
                "Ngày sinh không hợp lý: tuổi tại ngày vào ngành là %(age)s, cần từ %(min)s đến %(max)s. "
                "Hãy kiểm tra lại ngày sinh và ngày vào ngành.",
                age=age,
                min=MIN_AGE,
                max=MAX_AGE,
            )
        )
    return None


class NationalId:
    """WTForms validator: 12 digits and unique among all records."""

    def __call__(self, form: Any, field: Any) -> None:
        from app.personnel.models import Person

        value = (field.data or "").strip() or None
        field.data = value
        problem = national_id_problem(value)
        if problem:
            raise ValidationError(problem)
        if value is None:
            return
        own_id = getattr(form, "_id", None)
        query = db.session.query(Person.id).filter(Person.national_id == value)
        if own_id is not None:
            query = query.filter(Person.id != int(own_id))
        if query.first() is not None:
            raise ValidationError(
                str(_l("Số CCCD này đã có trong một hồ sơ khác. Mỗi người chỉ có một hồ sơ."))
            )


class PlausibleBirthDate:
    def __init__(self, start_field: str = "start_date") -> None:
        self.start_field = start_field

    def __call__(self, form: Any, field: Any) -> None:
        start = getattr(form, self.start_field, None)
        problem = birth_date_problem(
            field.data, start.data if start is not None else None, dt.date.today()
        )
        if problem:
            raise ValidationError(problem)
