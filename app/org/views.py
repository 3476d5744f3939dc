"""Generated views for units and schools."""

from __future__ import annotations

from flask_appbuilder import AppBuilder
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.forms import ScopedRelationField, choice_field, normalise_text
from app.org.choices import (
    OWNERSHIP_LABELS,
    REGION_LABELS,
    SCHOOL_TYPE_LABELS,
    SPECIAL_TYPE_LABELS,
    UNIT_KIND_LABELS,
    label_of,
)
from app.org.models import School, Unit
from app.search import FoldedSearchMixin
from app.security.scoped_views import ScopedModelRestApi, ScopedModelView

UNIT_LABELS = {
    "code": _l("Mã đơn vị"),
    "name": _l("Tên đơn vị"),
    "kind": _l("Loại đơn vị"),
    "parent": _l("Đơn vị cấp trên"),
    "legacy": _l("Đơn vị cũ (trước 2025)"),
    "active": _l("Đang hoạt động"),
    "address": _l("Địa chỉ"),
    "note": _l("Ghi chú"),
    "source_status": _l("Nguồn dữ liệu"),
    "path": _l("Đường dẫn cây"),
}

SCHOOL_LABELS = {
    "code": _l("Mã trường"),
    "name": _l("Tên trường"),
    "unit": _l("Đơn vị"),
    "unit.parent": _l("Đơn vị quản lý"),
    "school_type": _l("Cấp học"),
    "ownership": _l("Loại hình"),
    "special_type": _l("Loại trường đặc thù"),
    "region": _l("Vùng"),
    "disadvantaged": _l("Vùng khó khăn"),
    "sessions_per_day": _l("Số buổi học/ngày (tiểu học)"),
    "address": _l("Địa chỉ"),
    "phone": _l("Điện thoại"),
    "email": _l("Thư điện tử"),
    "classes_nhatre": _l("Số nhóm trẻ"),
    "classes_maugiao": _l("Số lớp mẫu giáo"),
    "pupils_mn": _l("Số trẻ mầm non"),
    "classes_th": _l("Số lớp tiểu học"),
    "pupils_th": _l("Số học sinh tiểu học"),
    "classes_thcs": _l("Số lớp THCS"),
    "pupils_thcs": _l("Số học sinh THCS"),
    "classes_thpt": _l("Số lớp THPT"),
    "pupils_thpt": _l("Số học sinh THPT"),
}

_COUNT_FIELDS = [
    "classes_nhatre",
    "classes_maugiao",
    "pupils_mn",
    "classes_th",
    "pupils_th",
    "classes_thcs",
    "pupils_thcs",
    "classes_thpt",
    "pupils_thpt",
]


def _count_field(name: str) -> IntegerField:
    return IntegerField(
        SCHOOL_LABELS[name],
        default=0,
        validators=[
            NumberRange(min=0, max=100000, message=str(_l("Hãy nhập số nguyên không âm.")))
        ],
    )


class UnitView(FoldedSearchMixin, ScopedModelView):
    model = Unit
    class_permission_name = "Unit"
    list_title = _l("Danh sách đơn vị")
    show_title = _l("Thông tin đơn vị")
    add_title = _l("Thêm đơn vị")
    edit_title = _l("Sửa đơn vị")
    label_columns = UNIT_LABELS
    list_columns = ["code", "name", "kind", "parent", "active"]
    show_columns = [
        "code",
        "name",
        "kind",
        "parent",
        "legacy",
        "active",
        "address",
        "note",
        "source_status",
    ]
    add_columns = ["code", "name", "kind", "parent", "legacy", "active", "address", "note"]
    edit_columns = add_columns
    search_columns = ["name", "code", "kind", "legacy", "active"]
    folded_search = {"name": "name_folded"}
    order_columns = ["code", "name", "kind"]
    base_order = ("name_sort", "asc")
    formatters_columns = {"kind": lambda v: label_of(UNIT_KIND_LABELS, v)}
    add_form_extra_fields = {
        "code": StringField(
            UNIT_LABELS["code"],
            validators=[DataRequired(), Length(max=32)],
            filters=[normalise_text],
        ),
        "name": StringField(
            UNIT_LABELS["name"],
            validators=[DataRequired(), Length(max=255)],
            filters=[normalise_text],
        ),
        "kind": choice_field(
            UNIT_LABELS["kind"],
            [(k, v) for k, v in UNIT_KIND_LABELS.items() if k not in ("ministry", "school")],
        ),
        "parent": ScopedRelationField(
            UNIT_LABELS["parent"],
            [DataRequired(message=str(_l("Hãy chọn đơn vị cấp trên.")))],
            model=Unit,
            lookup_kind="unit",
        ),
    }
    edit_form_extra_fields = add_form_extra_fields


class SchoolView(FoldedSearchMixin, ScopedModelView):
    model = School
    class_permission_name = "School"
    list_title = _l("Danh sách trường")
    show_title = _l("Thông tin trường")
    add_title = _l("Thêm trường")
    edit_title = _l("Sửa thông tin trường")
    label_columns = SCHOOL_LABELS
    list_columns = [
        "code",
        "name",
        "school_type",
        "unit.parent",
        "ownership",
        "region",
        "disadvantaged",
    ]
    show_columns = [
        "code",
        "name",
        "unit.parent",
        "school_type",
        "ownership",
        "special_type",
        "region",
        "disadvantaged",
        "sessions_per_day",
        "address",
        "phone",
        "email",
        *_COUNT_FIELDS,
    ]
    add_columns = [
        "code",
        "name",
        "parent",
        "school_type",
        "ownership",
        "special_type",
        "region",
        "disadvantaged",
        "sessions_per_day",
        "address",
        "phone",
        "email",
        *_COUNT_FIELDS,
    ]
    edit_columns = add_columns
    search_columns = ["name", "code", "school_type", "ownership", "region", "disadvantaged"]
    folded_search = {"name": "name_folded"}
    order_columns = ["code", "name", "school_type", "region"]
    base_order = ("name_folded", "asc")
    formatters_columns = {
        "school_type": lambda v: label_of(SCHOOL_TYPE_LABELS, v),
        "ownership": lambda v: label_of(OWNERSHIP_LABELS, v),
        "special_type": lambda v: label_of(SPECIAL_TYPE_LABELS, v),
        "region": lambda v: label_of(REGION_LABELS, v),
    }
    add_form_extra_fields = {
        "code": StringField(
            SCHOOL_LABELS["code"],
            validators=[DataRequired(), Length(max=32)],
            filters=[normalise_text],
        ),
        "name": StringField(
            SCHOOL_LABELS["name"],
            validators=[DataRequired(), Length(max=255)],
            filters=[normalise_text],
        ),
        "parent": ScopedRelationField(
            SCHOOL_LABELS["unit.parent"],
            [DataRequired(message=str(_l("Hãy chọn đơn vị quản lý trường.")))],
            model=Unit,
            lookup_kind="parent_unit",
        ),
        "school_type": choice_field(SCHOOL_LABELS["school_type"], list(SCHOOL_TYPE_LABELS.items())),
        "ownership": choice_field(SCHOOL_LABELS["ownership"], list(OWNERSHIP_LABELS.items())),
        "special_type": choice_field(
            SCHOOL_LABELS["special_type"], list(SPECIAL_TYPE_LABELS.items()), required=False
        ),
        "region": choice_field(
            SCHOOL_LABELS["region"], [(str(k), v) for k, v in REGION_LABELS.items()], coerce=int
        ),
        "disadvantaged": BooleanField(SCHOOL_LABELS["disadvantaged"]),
        "sessions_per_day": IntegerField(
            SCHOOL_LABELS["sessions_per_day"],
            default=2,
            validators=[Optional(), NumberRange(min=1, max=2)],
        ),
        **{name: _count_field(name) for name in _COUNT_FIELDS},
    }
    edit_form_extra_fields = add_form_extra_fields


class UnitApi(ScopedModelRestApi):
    resource_name = "unit"
    model = Unit
    class_permission_name = "Unit"
    label_columns = {**UNIT_LABELS, "id": _l("Mã số"), "parent.id": UNIT_LABELS["parent"]}
    list_columns = ["id", "code", "name", "kind", "parent.id", "active"]
    show_columns = ["id", "code", "name", "kind", "parent.id", "legacy", "active", "address"]
    add_columns = ["code", "name", "kind", "parent", "legacy", "active", "address"]
    edit_columns = add_columns


class SchoolApi(ScopedModelRestApi):
    resource_name = "school"
    model = School
    class_permission_name = "School"
    label_columns = {**SCHOOL_LABELS, "id": _l("Mã số"), "unit.id": SCHOOL_LABELS["unit"]}
    list_columns = [
        "id",
        "code",
        "name",
        "school_type",
        "unit.id",
        "ownership",
        "region",
        "disadvantaged",
    ]
    show_columns = [
        "id",
        "code",
        "name",
        "school_type",
        "unit.id",
        "ownership",
        "special_type",
        "region",
        "disadvantaged",
        *_COUNT_FIELDS,
    ]
    add_columns = [
        "code",
        "name",
        "unit",
        "school_type",
        "ownership",
        "special_type",
        "region",
        "disadvantaged",
        *_COUNT_FIELDS,
    ]
    edit_columns = [
        "code",
        "name",
        "school_type",
        "ownership",
        "special_type",
        "region",
        "disadvantaged",
        *_COUNT_FIELDS,
    ]


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view(
        UnitView,
        "Units",
        label=_l("Đơn vị"),
        icon="fa-sitemap",
        category="Organisation",
        category_label=_l("Tổ chức"),
        category_icon="fa-building",
    )
    appbuilder.add_view(
        SchoolView, "Schools", label=_l("Trường học"), icon="fa-school", category="Organisation"
    )
    appbuilder.add_api(UnitApi)
    appbuilder.add_api(SchoolApi)
