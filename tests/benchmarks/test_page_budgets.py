"""Page budgets (DESIGN.md "Budgets"), measured as ratios inside one process.

Never a timed assertion: times are printed as ratios against a hand-written Flask +
SQLAlchemy page running the same query in the same run. What is asserted is
deterministic: the number of SQL statements a page issues.

BENCH_EXTRA_PEOPLE (default 20000) sets how many records are added for the scale ratio.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time

import pytest
from flask import render_template_string
from sqlalchemy import event, func, insert, select

from app.extensions import db
from app.org.models import Unit
from app.personnel.models import Person
from tests.conftest import login

pytestmark = pytest.mark.benchmark

RUNS = 9
EXTRA_PEOPLE = int(os.environ.get("BENCH_EXTRA_PEOPLE", "20000"))
BASELINE_TEMPLATE = """<html><body><table>
{% for p, unit in rows %}<tr><td>{{ p.code }}</td><td>{{ p.full_name }}</td>
<td>{{ p.birth_date.strftime('%d/%m/%Y') }}</td><td>{{ p.sex }}</td><td>{{ unit.name }}</td>
<td>{{ p.position }}</td><td>{{ p.status }}</td></tr>{% endfor %}
</table><p>{{ total }}</p></body></html>"""


class StatementCounter:
    def __init__(self, engine):
        self.count = 0
        self.engine = engine

    def __enter__(self):
        self.count = 0
        event.listen(self.engine, "before_cursor_execute", self._on)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._on)

    def _on(self, *args):
        self.count += 1


def _median_ms(fn) -> float:
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _province_path(code: str) -> str:
    return db.session.query(Unit.path).filter(Unit.code == code).scalar()


def _baseline_page(path: str, page: int = 0) -> str:
    scope = select(Unit.id).where(Unit.path.startswith(path))
    query = (
        db.session.query(Person, Unit)
        .join(Unit, Person.unit_id == Unit.id)
        .filter(Person.unit_id.in_(scope))
        .order_by(Person.name_sort, Person.id)
    )
    total = db.session.query(func.count(Person.id)).filter(Person.unit_id.in_(scope)).scalar()
    rows = query.offset(page * 25).limit(25).all()
    html = render_template_string(BASELINE_TEMPLATE, rows=rows, total=total)
    db.session.remove()
    return html


def _add_people(n: int) -> None:
    """Bulk rows spread over province A's schools (scale test)."""
    units = [u for (u,) in db.session.query(Unit.id).filter(Unit.kind == "school").all()]
    start = db.session.query(func.max(Person.id)).scalar() + 1
    rows = [
        {
            "code": f"BENCH{start + i:07d}",
            "full_name": f"Nguyễn Văn Thử {i}",
            "name_folded": f"nguyen van thu {i}",
            "name_sort": f"bench{i:07d}",
            "birth_date": dt.date(1980 + i % 20, 1 + i % 12, 1 + i % 28),
            "sex": "nam" if i % 3 else "nu",
            "unit_id": units[i % len(units)],
            "position": "giao_vien",
            "employment_type": "vien_chuc",
            "status": "active",
            "party_member": False,
            "version_id": 1,
        }
        for i in range(n)
    ]
    for chunk in range(0, n, 5000):
        db.session.execute(insert(Person), rows[chunk : chunk + 5000])
    db.session.commit()


def test_page_budgets(app, capsys):
    client = app.test_client()
    assert login(client, "so").status_code == 302
    path = _province_path("S01")
    person_id = (
        db.session.query(Person.id)
        .filter(Person.unit_id.in_(select(Unit.id).where(Unit.path.startswith(path))))
        .first()[0]
    )
    engine = db.engine

    def fab(url):
        def go():
            response = client.get(url)
            assert response.status_code == 200
            db.session.remove()

        return go

    pages = {
        "list": "/personview/list/",
        "show": f"/personview/show/{person_id}",
        "edit": f"/personview/edit/{person_id}",
        "schools": "/schoolview/list/",
    }
    statements = {}
    for name, url in pages.items():
        fab(url)()  # warm caches (templates, catalog)
        with StatementCounter(engine) as counter:
            fab(url)()
        statements[name] = counter.count
    _baseline_page(path)
    with StatementCounter(engine) as counter:
        _baseline_page(path)
    baseline_statements = counter.count

    baseline = _median_ms(lambda: _baseline_page(path))
    small = {name: _median_ms(fab(url)) for name, url in pages.items()}
    deep_small = _median_ms(fab("/personview/list/?page_PersonView=30"))

    _add_people(EXTRA_PEOPLE)
    total = db.session.query(func.count(Person.id)).scalar()
    baseline_large = _median_ms(lambda: _baseline_page(path))
    large_list = _median_ms(fab(pages["list"]))
    deep_large = _median_ms(fab("/personview/list/?page_PersonView=30"))

    with capsys.disabled():
        print("\n[bench] statements per page:", statements, f"(baseline {baseline_statements})")
        print(f"[bench] baseline list page {baseline:.1f} ms")
        for name, ms in small.items():
            print(f"[bench] {name:8s} {ms:7.1f} ms  ratio {ms / baseline:4.2f}x of baseline")
        print(
            f"[bench] deep page (30) {deep_small:.1f} ms  ratio {deep_small / small['list']:.2f}x of page 1"
        )
        print(
            f"[bench] at {total} people: list {large_list:.1f} ms, ratio to small "
            f"{large_list / small['list']:.2f}x (baseline {baseline_large / baseline:.2f}x); "
            f"deep page {deep_large / deep_small:.2f}x"
        )
    # Deterministic budgets: list pages stay within 10 SQL statements.
    assert statements["list"] <= 10, statements
    assert statements["schools"] <= 10, statements
