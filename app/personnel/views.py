"""Generated views for personnel records and their history tabs, and the own-record page."""

from __future__ import annotations

import re

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_appbuilder.actions import action
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import (
    BooleanField,
    DecimalField,
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from app.exchange.excel import workbook_bytes, xlsx_response
from app.forms import NotInFuture, ScopedRelationField, ViDateField, choice_field, normalise_text
from app.org.choices import label_of
from app.org.models import Unit
from app.personnel.choices import (
    ANNUAL_RATING_LABELS,
    AWARD_KIND_LABELS,
    CERTIFICATE_LABELS,
    EMPLOYMENT_LABELS,
    POSITION_LABELS,
    SEX_LABELS,
    STATUS_LABELS,
)
from app.personnel.models import (
    AnnualRating,
    Assignment,
    AwardDiscipline,
    Certificate,
    Person,
    Qualification,
    RankHistory,
    TrainingCourse,
)
from app.personnel.validation import NationalId, PlausibleBirthDate, national_id_problem
from app.search import FoldedSearchMixin
from app.security.audit import audit_for
from app.security.fields import can_see_sensitive, mask
from app.security.scope import get_in_scope_or_404, scoped_query
from app.security.scoped_views import ScopedModelRestApi, ScopedModelView

REQUIRED = DataRequired(message=str(_l("Trường này là bắt buộc.")))
# For dates: InputRequired keeps the parse error ("ngày không hợp lệ") instead of replacing it.
REQUIRED_INPUT = InputRequired(message=str(_l("Trường này là bắt buộc.")))


def _text(label, max_len: int, required: bool = False) -> StringField:
    validators = [REQUIRED] if required else [Optional()]
    return StringField(
        label, validators=[*validators, Length(max=max_len)], filters=[normalise_text]
    )


def _date(label, required: bool = False, past: bool = True) -> ViDateField:
    validators = [REQUIRED_INPUT] if required else [Optional()]
    if past:
        validators.append(NotInFuture())
    return ViDateField(label, validators)


def _person_field() -> ScopedRelationField:
    return ScopedRelationField(_l("Cán bộ"), [REQUIRED], model=Person, lookup_kind="person")


def _labels(labels: dict):
    return lambda v: label_of(labels, v)


PERSON_LABELS = {
    "code": _l("Mã cán bộ"),
    "full_name": _l("Họ và tên"),
    "birth_date": _l("Ngày sinh"),
    "sex": _l("Giới tính"),
    "ethnic_group": _l("Dân tộc"),
    "religion": _l("Tôn giáo"),
    "national_id": _l("Số CCCD"),
    "phone": _l("Điện thoại"),
    "email": _l("Thư điện tử"),
    "hometown": _l("Quê quán"),
    "address": _l("Nơi ở hiện nay"),
    "unit": _l("Đơn vị công tác"),
    "position": _l("Chức vụ"),
    "employment_type": _l("Loại hợp đồng"),
    "start_date": _l("Ngày vào ngành"),
    "unit_start_date": _l("Ngày về đơn vị"),
    "main_subject": _l("Môn dạy chính"),
    "subjects_text": _l("Các môn dạy"),
    "party_member": _l("Đảng viên"),
    "party_join_date": _l("Ngày vào Đảng"),
    "status": _l("Trạng thái"),
    "salary_rank": _l("Hạng/chức danh"),
    "salary_step": _l("Bậc lương"),
    "salary_coefficient": _l("Hệ số lương"),
    "salary_step_date": _l("Ngày hưởng bậc"),
    "qualification_level": _l("Trình độ đào tạo"),
    "form_version": _l("Phiên bản"),
}

PERSON_FORM = {
    "code": _text(PERSON_LABELS["code"], 32, required=True),
    "full_name": _text(PERSON_LABELS["full_name"], 128, required=True),
    "birth_date": ViDateField(PERSON_LABELS["birth_date"], [REQUIRED_INPUT, PlausibleBirthDate()]),
    "sex": choice_field(PERSON_LABELS["sex"], list(SEX_LABELS.items())),
    "national_id": StringField(PERSON_LABELS["national_id"], [Optional(), NationalId()]),
    "religion": _text(PERSON_LABELS["religion"], 64),
    "phone": _text(PERSON_LABELS["phone"], 20),
    "email": StringField(
        PERSON_LABELS["email"],
        [
            Optional(),
            Email(message=str(_l("Địa chỉ thư điện tử không hợp lệ, ví dụ ten@truong.edu.vn."))),
        ],
    ),
    "hometown": _text(PERSON_LABELS["hometown"], 255),
    "address": _text(PERSON_LABELS["address"], 255),
    "unit": ScopedRelationField(PERSON_LABELS["unit"], [REQUIRED], model=Unit, lookup_kind="unit"),
    "position": choice_field(PERSON_LABELS["position"], list(POSITION_LABELS.items())),
    "employment_type": choice_field(
        PERSON_LABELS["employment_type"], list(EMPLOYMENT_LABELS.items())
    ),
    "start_date": _date(PERSON_LABELS["start_date"]),
    "unit_start_date": _date(PERSON_LABELS["unit_start_date"]),
    "subjects_text": _text(PERSON_LABELS["subjects_text"], 255),
    "party_member": BooleanField(PERSON_LABELS["party_member"]),
    "party_join_date": _date(PERSON_LABELS["party_join_date"]),
    "status": choice_field(PERSON_LABELS["status"], list(STATUS_LABELS.items())),
    "salary_step": IntegerField(
        PERSON_LABELS["salary_step"], [Optional(), NumberRange(min=1, max=20)]
    ),
    "salary_coefficient": DecimalField(
        PERSON_LABELS["salary_coefficient"], [Optional(), NumberRange(min=0, max=20)]
    ),
    "salary_step_date": _date(PERSON_LABELS["salary_step_date"]),
    "form_version": HiddenField(),
}

SENSITIVE_PERSON_COLUMNS = (
    "national_id",
    "salary_rank",
    "salary_step",
    "salary_coefficient",
    "salary_step_date",
)

_PERSON_EDIT_COLUMNS = [
    "code",
    "full_name",
    "birth_date",
    "sex",
    "ethnic_group",
    "religion",
    "national_id",
    "phone",
    "email",
    "hometown",
    "address",
    "unit",
    "position",
    "employment_type",
    "start_date",
    "unit_start_date",
    "main_subject",
    "subjects_text",
    "party_member",
    "party_join_date",
    "status",
    "salary_rank",
    "salary_step",
    "salary_coefficient",
    "salary_step_date",
    "qualification_level",
]


class _HistoryView(ScopedModelView):
    """A history tab of the personnel record."""

    page_size = 20


class AssignmentView(_HistoryView):
    model = Assignment
    list_title = _l("Quá trình công tác")
    show_title = add_title = edit_title = _l("Quá trình công tác")
    label_columns = {
        "person": _l("Cán bộ"),
        "unit": _l("Đơn vị"),
        "position": _l("Chức vụ"),
        "start_date": _l("Từ ngày"),
        "end_date": _l("Đến ngày"),
        "decision_no": _l("Số quyết định"),
        "note": _l("Ghi chú"),
    }
    list_columns = ["unit", "position", "start_date", "end_date", "decision_no"]
    add_columns = edit_columns = [
        "person",
        "unit",
        "position",
        "start_date",
        "end_date",
        "decision_no",
        "note",
    ]
    show_columns = add_columns
    base_order = ("start_date", "desc")
    formatters_columns = {"position": _labels(POSITION_LABELS)}
    add_form_extra_fields = edit_form_extra_fields = {
        "person": _person_field(),
        "unit": ScopedRelationField(_l("Đơn vị"), [REQUIRED], model=Unit, lookup_kind="unit"),
        "position": choice_field(_l("Chức vụ"), list(POSITION_LABELS.items())),
        "start_date": _date(_l("Từ ngày"), required=True),
        "end_date": _date(_l("Đến ngày")),
    }


class RankHistoryView(_HistoryView):
    model = RankHistory
    list_title = show_title = add_title = edit_title = _l("Quá trình lương, hạng")
    label_columns = {
        "person": _l("Cán bộ"),
        "salary_rank": _l("Hạng/chức danh"),
        "step": _l("Bậc"),
        "coefficient": _l("Hệ số"),
        "over_frame_percent": _l("Phụ cấp thâm niên vượt khung (%)"),
        "effective_date": _l("Ngày hưởng"),
        "decision_no": _l("Số quyết định"),
    }
    list_columns = ["salary_rank", "step", "coefficient", "over_frame_percent", "effective_date"]
    add_columns = edit_columns = show_columns = [
        "person",
        "salary_rank",
        "step",
        "coefficient",
        "over_frame_percent",
        "effective_date",
        "decision_no",
    ]
    base_order = ("effective_date", "desc")
    add_form_extra_fields = edit_form_extra_fields = {
        "person": _person_field(),
        "effective_date": _date(_l("Ngày hưởng"), required=True, past=False),
    }
    # The salary history is as sensitive as the salary on the record it belongs to.
    sensitive_columns = (
        "salary_rank",
        "step",
        "coefficient",
        "over_frame_percent",
        "effective_date",
    )
    sensitive_permission_view = "Person"


class QualificationView(_HistoryView):
    model = Qualification
    list_title = show_title = add_title = edit_title = _l("Trình độ đào tạo")
    label_columns = {
        "person": _l("Cán bộ"),
        "level": _l("Trình độ"),
        "major": _l("Chuyên ngành"),
        "teacher_training": _l("Ngành đào tạo giáo viên"),
        "institution": _l("Cơ sở đào tạo"),
        "year": _l("Năm tốt nghiệp"),
        "mode": _l("Hình thức đào tạo"),
    }
    list_columns = ["level", "major", "teacher_training", "institution", "year"]
    add_columns = edit_columns = show_columns = [
        "person",
        "level",
        "major",
        "teacher_training",
        "institution",
        "year",
        "mode",
    ]
    base_order = ("year", "desc")
    add_form_extra_fields = edit_form_extra_fields = {
        "person": _person_field(),
        "major": _text(_l("Chuyên ngành"), 255, required=True),
        "year": IntegerField(_l("Năm tốt nghiệp"), [Optional(), NumberRange(min=1950, max=2100)]),
    }


class CertificateView(_HistoryView):
    model = Certificate
    list_title = show_title = add_title = edit_title = _l(
        "Chứng chỉ (LLCT, QLNN, ngoại ngữ, tin học)"
    )
    label_columns = {
        "person": _l("Cán bộ"),
        "kind": _l("Loại"),
        "name": _l("Tên chứng chỉ/văn bằng"),
        "level": _l("Trình độ"),
        "issued_date": _l("Ngày cấp"),
        "issuer": _l("Nơi cấp"),
    }
    list_columns = ["kind", "name", "level", "issued_date"]
    add_columns = edit_columns = show_columns = [
        "person",
        "kind",
        "name",
        "level",
        "issued_date",
        "issuer",
    ]
    base_order = ("issued_date", "desc")
    formatters_columns = {"kind": _labels(CERTIFICATE_LABELS)}
    add_form_extra_fields = edit_form_extra_fields = {
        "person": _person_field(),
        "kind": choice_field(_l("Loại"), list(CERTIFICATE_LABELS.items())),
        "name": _text(_l("Tên chứng chỉ/văn bằng"), 255, required=True),
        "issued_date": _date(_l("Ngày cấp")),
    }


class TrainingCourseView(_HistoryView):
    model = TrainingCourse
    list_title = show_title = add_title = edit_title = _l("Đào tạo, bồi dưỡng")
    label_columns = {
        "person": _l("Cán bộ"),
        "name": _l("Tên khóa học"),
        "organiser": _l("Đơn vị tổ chức"),
        "start_date": _l("Từ ngày"),
        "end_date": _l("Đến ngày"),
        "periods": _l("Số tiết"),
        "result": _l("Kết quả"),
        "source": _l("Nguồn"),
    }
    list_columns = ["name", "organiser", "start_date", "end_date", "periods", "result"]
    add_columns = edit_columns = show_columns = [
        "person",
        "name",
        "organiser",
        "start_date",
        "end_date",
        "periods",
        "result",
    ]
    base_order = ("start_date", "desc")
    add_form_extra_fields = edit_form_extra_fields = {
        "person": _person_field(),
        "name": _text(_l("Tên khóa học"), 255, required=True),
        "start_date": _date(_l("Từ ngày")),
        "end_date": _date(_l("Đến ngày"), past=False),
        "periods": IntegerField(_l("Số tiết"), [Optional(), NumberRange(min=0, max=2000)]),
    }


class AwardDisciplineView(_HistoryView):
    model = AwardDiscipline
    list_title = show_title = add_title = edit_title = _l("Khen thưởng, kỷ luật")
    label_columns = {
        "person": _l("Cán bộ"),
        "kind": _l("Loại"),
        "form": _l("Hình thức"),
        "decision_no": _l("Số quyết định"),
        "decision_date": _l("Ngày quyết định"),
        "reason": _l("Lý do"),
    }
    list_columns = ["kind", "form", "decision_no", "decision_date"]
    add_columns = edit_columns = show_columns = [
        "person",
        "kind",
        "form",
        "decision_no",
        "decision_date",
        "reason",
    ]
    base_order = ("decision_date", "desc")
    formatters_columns = {"kind": _labels(AWARD_KIND_LABELS)}
    add_form_extra_fields = edit_form_extra_fields = {
        "person": _person_field(),
        "kind": choice_field(_l("Loại"), list(AWARD_KIND_LABELS.items())),
        "form": _text(_l("Hình thức"), 255, required=True),
        "decision_date": _date(_l("Ngày quyết định"), required=True),
        "reason": TextAreaField(_l("Lý do"), filters=[normalise_text]),
    }


class AnnualRatingView(_HistoryView):
    model = AnnualRating
    list_title = show_title = add_title = edit_title = _l("Đánh giá, xếp loại viên chức hằng năm")
    label_columns = {
        "person": _l("Cán bộ"),
        "year": _l("Năm"),
        "result": _l("Kết quả xếp loại"),
        "score": _l("Điểm"),
        "note": _l("Ghi chú"),
    }
    list_columns = ["year", "result", "score"]
    add_columns = edit_columns = show_columns = ["person", "year", "result", "score", "note"]
    base_order = ("year", "desc")
    formatters_columns = {"result": _labels(ANNUAL_RATING_LABELS)}
    add_form_extra_fields = edit_form_extra_fields = {
        "person": _person_field(),
        "year": IntegerField(_l("Năm"), [REQUIRED, NumberRange(min=2000, max=2100)]),
        "result": choice_field(_l("Kết quả xếp loại"), list(ANNUAL_RATING_LABELS.items())),
        "score": IntegerField(_l("Điểm"), [Optional(), NumberRange(min=0, max=100)]),
    }


HISTORY_VIEWS = [
    AssignmentView,
    RankHistoryView,
    QualificationView,
    CertificateView,
    TrainingCourseView,
    AwardDisciplineView,
    AnnualRatingView,
]


class PersonView(FoldedSearchMixin, ScopedModelView):
    model = Person
    class_permission_name = "Person"
    list_title = _l("Danh sách hồ sơ nhân sự")
    show_title = _l("Hồ sơ nhân sự")
    add_title = _l("Thêm hồ sơ")
    edit_title = _l("Sửa hồ sơ")
    label_columns = PERSON_LABELS
    list_columns = ["code", "full_name", "birth_date", "sex", "unit", "position", "status"]
    show_fieldsets = [
        (
            _l("Thông tin cá nhân"),
            {
                "fields": [
                    "code",
                    "full_name",
                    "birth_date",
                    "sex",
                    "ethnic_group",
                    "religion",
                    "national_id",
                    "phone",
                    "email",
                    "hometown",
                    "address",
                ]
            },
        ),
        (
            _l("Công tác"),
            {
                "fields": [
                    "unit",
                    "position",
                    "employment_type",
                    "start_date",
                    "unit_start_date",
                    "main_subject",
                    "subjects_text",
                    "party_member",
                    "party_join_date",
                    "status",
                ]
            },
        ),
        (
            _l("Lương và trình độ"),
            {
                "fields": [
                    "salary_rank",
                    "salary_step",
                    "salary_coefficient",
                    "salary_step_date",
                    "qualification_level",
                ]
            },
        ),
    ]
    add_columns = _PERSON_EDIT_COLUMNS
    edit_columns = [*_PERSON_EDIT_COLUMNS, "form_version"]
    search_columns = [
        "full_name",
        "code",
        "unit",
        "sex",
        "ethnic_group",
        "position",
        "status",
        "birth_date",
    ]
    search_form_extra_fields = {
        "unit": ScopedRelationField(PERSON_LABELS["unit"], model=Unit, lookup_kind="unit"),
    }
    folded_search = {"full_name": "name_folded"}
    order_columns = ["code", "full_name", "birth_date", "position", "status"]
    base_order = ("name_sort", "asc")
    formatters_columns = {
        "sex": _labels(SEX_LABELS),
        "position": _labels(POSITION_LABELS),
        "employment_type": _labels(EMPLOYMENT_LABELS),
        "status": _labels(STATUS_LABELS),
    }
    add_form_extra_fields = PERSON_FORM
    edit_form_extra_fields = PERSON_FORM
    related_views = HISTORY_VIEWS
    sensitive_columns = SENSITIVE_PERSON_COLUMNS

    @action(
        "export_xlsx",
        _l("Xuất Excel"),
        _l("Xuất các hồ sơ đã chọn ra tệp Excel?"),
        "fa-file-excel",
        single=False,
    )
    def export_xlsx(self, items):
        return export_people(items if isinstance(items, list) else [items])

    show_template = "personnel/person_show.html"

    def render_template(self, template, **kwargs):
        # The record's change history, for accounts that may read the audit log.
        if template == self.show_template:
            kwargs["audit_rows"] = None
            if self.appbuilder.sm.has_access("can_list", "AuditLog"):
                kwargs["audit_rows"] = audit_for("person", kwargs.get("pk")).limit(100).all()
                kwargs["audit_labels"] = PERSON_LABELS
        return super().render_template(template, **kwargs)

    def prefill_form(self, form, pk):
        item = self.datamodel.get(pk)
        if item is not None and "form_version" in form:
            form.form_version.data = item.version_id


EXPORT_COLUMNS = [
    "code",
    "full_name",
    "birth_date",
    "sex",
    "ethnic_group",
    "national_id",
    "unit",
    "position",
    "employment_type",
    "start_date",
    "status",
    "salary_rank",
    "salary_step",
    "salary_coefficient",
    "qualification_level",
]
_EXPORT_LABELS = {
    "sex": SEX_LABELS,
    "position": POSITION_LABELS,
    "employment_type": EMPLOYMENT_LABELS,
    "status": STATUS_LABELS,
}


def export_people(people: list[Person]):
    """Selected records to xlsx; the rows were fetched through the scope, sensitive fields masked."""
    sensitive = set(SENSITIVE_PERSON_COLUMNS) if not can_see_sensitive("Person") else set()

    def cell(person: Person, column: str):
        value = getattr(person, column)
        if column in sensitive:
            return mask(value)
        if column in _EXPORT_LABELS:
            return label_of(_EXPORT_LABELS[column], value)
        return value

    rows = ([cell(p, c) for c in EXPORT_COLUMNS] for p in people)
    content = workbook_bytes("Ho so", [str(PERSON_LABELS[c]) for c in EXPORT_COLUMNS], rows)
    return xlsx_response("ho-so-nhan-su.xlsx", content)


class OwnRecordView(BaseView):
    """A teacher's or staff member's own record, read-only with its histories."""

    route_base = "/my-record"
    class_permission_name = "OwnRecord"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        person_id = getattr(current_user, "person_id", None)
        if person_id is None:
            abort(404)
        person = get_in_scope_or_404(Person, person_id)
        return self.render_template(
            "personnel/own_record.html",
            person=person,
            labels=PERSON_LABELS,
            title=_l("Hồ sơ của tôi"),
        )


class FindByNationalIdView(BaseView):
    """Find a record by national ID through a POSTed form: the ID never appears in a URL."""

    route_base = "/people/find-by-id"
    class_permission_name = "Person"
    method_permission_name = {"index": "see_sensitive"}  # who may see CCCD may search by it
    default_view = "index"

    @expose("/", methods=["GET", "POST"])
    @has_access
    def index(self):
        if request.method == "POST":
            value = re.sub(r"\D", "", request.form.get("national_id", ""))
            problem = national_id_problem(value)
            if problem:
                flash(problem, "danger")
            else:
                person = scoped_query(Person).filter(Person.national_id == value).one_or_none()
                if person is not None:
                    return redirect(url_for("PersonView.show", pk=person.id))
                flash(
                    _l(
                        "Không tìm thấy hồ sơ có số CCCD này trong phạm vi của bạn. Kiểm tra lại 12 chữ số."
                    ),
                    "warning",
                )
        return self.render_template("personnel/find_by_id.html", title=_l("Tìm hồ sơ theo số CCCD"))


class PersonApi(FoldedSearchMixin, ScopedModelRestApi):
    resource_name = "person"
    model = Person
    class_permission_name = "Person"
    label_columns = {
        **PERSON_LABELS,
        "id": _l("Mã số"),
        "unit.id": _l("Đơn vị"),
        "ethnic_group.id": _l("Dân tộc"),
    }
    list_columns = ["id", "code", "full_name", "birth_date", "sex", "unit.id", "position", "status"]
    show_columns = [
        "id",
        "code",
        "full_name",
        "birth_date",
        "sex",
        "ethnic_group.id",
        "unit.id",
        "position",
        "employment_type",
        "start_date",
        "status",
        "national_id",
        "salary_step",
        "salary_coefficient",
        "version_id",
    ]
    add_columns = [
        "code",
        "full_name",
        "birth_date",
        "sex",
        "ethnic_group",
        "unit",
        "position",
        "employment_type",
        "start_date",
        "status",
    ]
    edit_columns = add_columns
    search_columns = ["full_name", "code", "unit", "position", "status"]
    folded_search = {"full_name": "name_folded"}
    sensitive_columns = SENSITIVE_PERSON_COLUMNS


def has_own_record() -> bool:
    """Menu condition: only accounts linked to a personnel record have a 'my record' page."""
    return getattr(current_user, "person_id", None) is not None


def register(appbuilder: AppBuilder) -> None:
    from app.personnel import reference_views

    reference_views.register(appbuilder)
    for view in HISTORY_VIEWS:
        appbuilder.add_view_no_menu(view)
    appbuilder.add_view(
        PersonView,
        "People",
        label=_l("Hồ sơ nhân sự"),
        icon="fa-id-card",
        category="Personnel",
        category_label=_l("Nhân sự"),
        category_icon="fa-users",
    )
    appbuilder.add_view(
        FindByNationalIdView,
        "FindByNationalId",
        href="/people/find-by-id/",
        label=_l("Tìm theo số CCCD"),
        icon="fa-search",
        category="Personnel",
    )
    appbuilder.add_view(
        OwnRecordView,
        "OwnRecord",
        href="/my-record/",
        label=_l("Hồ sơ của tôi"),
        icon="fa-user",
        category="Personnel",
        menu_cond=has_own_record,
    )
    appbuilder.add_api(PersonApi)
