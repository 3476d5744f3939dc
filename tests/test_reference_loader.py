"""app.data.loader: the Bộ, the 34 Sở and the catalogues are loaded once, by code, idempotently."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.data.loader import is_loaded, load_reference_data, read_csv
from app.extensions import db
from app.org.models import Unit
from app.personnel.models import EthnicGroup, QualificationLevel, SalaryRank, Subject
from tests.conftest import make_app

CATALOGUES = [
    (EthnicGroup, "ethnic_groups.csv", 54),
    (Subject, "subjects.csv", 27),
    (QualificationLevel, "qualification_levels.csv", 6),
    (SalaryRank, "salary_ranks.csv", 13),
]


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _check_loaded() -> None:
    ministry = db.session.scalar(select(Unit).where(Unit.code == "BGDDT"))
    assert ministry is not None
    assert (ministry.kind, ministry.name, ministry.parent_id) == (
        "ministry",
        "Bộ Giáo dục và Đào tạo",
        None,
    )
    provinces = db.session.scalars(
        select(Unit).where(Unit.kind == "province", Unit.parent_id == ministry.id)
    ).all()
    by_code = {u.code: u for u in provinces}
    assert {f"S{i:02d}" for i in range(1, 35)} <= set(by_code)
    assert by_code["S01"].name == "Sở GD&ĐT Hà Nội"
    assert by_code["S27"].name == "Sở GD&ĐT Hồ Chí Minh"
    assert by_code["S01"].path == f"{ministry.path}{by_code['S01'].id}/"
    assert "FROM MEMORY" in by_code["S28"].source_status
    assert all(by_code[f"S{i:02d}"].source_status for i in range(1, 35))
    for model, name, expected in CATALOGUES:
        assert len(read_csv(name)) == expected
        assert _count(model) >= expected, model.__name__
    kinh = db.session.scalar(select(EthnicGroup).where(EthnicGroup.code == "01"))
    assert (kinh.name, kinh.is_minority) == ("Kinh", False)
    assert "VERIFIED" in kinh.source_status
    tin = db.session.scalar(select(Subject).where(Subject.code == "TIN_HOC"))
    toan = db.session.scalar(select(Subject).where(Subject.code == "TOAN"))
    assert (tin.college_suffices, toan.college_suffices) == (True, False)
    rank = db.session.scalar(select(SalaryRank).where(SalaryRank.code == "V.07.02.06"))
    assert (rank.salary_group, rank.step_interval_months, len(rank.coefficient_list)) == (
        "B",
        24,
        12,
    )
    ranks = dict(db.session.execute(select(QualificationLevel.code, QualificationLevel.rank)).all())
    assert ranks["cao_dang"] < ranks["cao_dang_su_pham"] < ranks["dai_hoc"] < ranks["thac_si"]


def test_start_up_loaded_reference_data(app):
    _check_loaded()
    assert is_loaded()


def test_second_load_changes_nothing(app):
    before = {m.__name__: _count(m) for m in (Unit, *[c[0] for c in CATALOGUES])}
    load_reference_data()
    after = {m.__name__: _count(m) for m in (Unit, *[c[0] for c in CATALOGUES])}
    assert before == after


@pytest.fixture
def empty_app(empty_database_url, tmp_path):
    application = make_app(empty_database_url, tmp_path)
    with application.app_context():
        from app.cli import upgrade_database

        upgrade_database()
        yield application
        db.session.remove()
        db.engine.dispose()


def test_first_load_on_an_empty_database_and_repair(empty_app):
    assert not is_loaded()
    load_reference_data()
    _check_loaded()
    assert _count(Unit) == 35
    load_reference_data()
    assert _count(Unit) == 35

    # A missing row comes back, and existing rows are refreshed from the file.
    db.session.delete(db.session.scalar(select(Subject).where(Subject.code == "AM_NHAC")))
    db.session.scalar(select(Unit).where(Unit.code == "S02")).name = "sai tên"
    db.session.commit()
    assert not is_loaded()
    load_reference_data()
    assert is_loaded()
    assert db.session.scalar(select(Subject).where(Subject.code == "AM_NHAC")).college_suffices
    assert db.session.scalar(select(Unit).where(Unit.code == "S02")).name == "Sở GD&ĐT Huế"
