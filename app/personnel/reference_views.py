"""Admin views of the reference catalogues, with each fact's source mark (VERIFIED / FROM MEMORY)."""

from __future__ import annotations

from flask_appbuilder import AppBuilder
from flask_babel import lazy_gettext as _l

from app.personnel.models import EthnicGroup, QualificationLevel, SalaryRank, Subject
from app.security.scoped_views import ScopedModelView

SOURCE = _l("Nguồn và mức kiểm chứng")


class EthnicGroupView(ScopedModelView):
    model = EthnicGroup
    list_title = show_title = add_title = edit_title = _l("Danh mục dân tộc")
    label_columns = {
        "code": _l("Mã (QĐ 1019/QĐ-TCTK)"),
        "name": _l("Tên dân tộc"),
        "aliases": _l("Tên gọi khác"),
        "is_minority": _l("Dân tộc thiểu số"),
        "source_status": SOURCE,
    }
    list_columns = ["code", "name", "is_minority", "source_status"]
    show_columns = add_columns = edit_columns = [
        "code",
        "name",
        "aliases",
        "is_minority",
        "source_status",
    ]
    search_columns = ["code", "name", "is_minority"]
    base_order = ("code", "asc")
    page_size = 60


class SubjectView(ScopedModelView):
    model = Subject
    list_title = show_title = add_title = edit_title = _l("Danh mục môn học")
    label_columns = {
        "code": _l("Mã môn"),
        "name": _l("Tên môn"),
        "college_suffices": _l("Cao đẳng đạt chuẩn (NĐ 93/2026 Điều 20)"),
    }
    list_columns = show_columns = add_columns = edit_columns = ["code", "name", "college_suffices"]
    search_columns = ["code", "name"]
    base_order = ("name", "asc")


class QualificationLevelView(ScopedModelView):
    model = QualificationLevel
    list_title = show_title = add_title = edit_title = _l("Danh mục trình độ đào tạo")
    label_columns = {"code": _l("Mã"), "name": _l("Trình độ"), "rank": _l("Thứ bậc")}
    list_columns = show_columns = add_columns = edit_columns = ["code", "name", "rank"]
    base_order = ("rank", "asc")


class SalaryRankView(ScopedModelView):
    model = SalaryRank
    list_title = show_title = add_title = edit_title = _l("Hạng chức danh và thang lương")
    label_columns = {
        "code": _l("Mã chức danh"),
        "title": _l("Chức danh"),
        "school_level": _l("Cấp học"),
        "regulation": _l("Văn bản quy định"),
        "salary_group": _l("Nhóm lương (NĐ 204/2004)"),
        "coefficients": _l("Hệ số theo bậc"),
        "step_interval_months": _l("Thời gian nâng bậc (tháng)"),
        "promotion_requirement": _l("Điều kiện thăng hạng"),
        "source_status": SOURCE,
    }
    list_columns = ["code", "title", "school_level", "salary_group", "step_interval_months"]
    show_columns = add_columns = edit_columns = [
        "code",
        "title",
        "school_level",
        "regulation",
        "salary_group",
        "coefficients",
        "step_interval_months",
        "promotion_requirement",
        "source_status",
    ]
    search_columns = ["code", "title", "school_level", "salary_group"]
    base_order = ("code", "asc")


def register(appbuilder: AppBuilder) -> None:
    category = "Reference"
    appbuilder.add_view(
        EthnicGroupView,
        "EthnicGroups",
        label=_l("Dân tộc"),
        icon="fa-users",
        category=category,
        category_label=_l("Danh mục"),
        category_icon="fa-list",
    )
    appbuilder.add_view(
        SubjectView, "Subjects", label=_l("Môn học"), icon="fa-book", category=category
    )
    appbuilder.add_view(
        QualificationLevelView,
        "QualificationLevels",
        label=_l("Trình độ đào tạo"),
        icon="fa-graduation-cap",
        category=category,
    )
    appbuilder.add_view(
        SalaryRankView,
        "SalaryRanks",
        label=_l("Hạng và thang lương"),
        icon="fa-money-bill",
        category=category,
    )
