"""In a real browser: a teacher cannot reach another teacher's record by editing the URL."""

from __future__ import annotations

from tests.browser.test_login_and_records import _expect, sign_in


def _ids(app):
    from app.extensions import db
    from app.personnel.models import Assignment, Person

    with app.app_context():
        me = app.appbuilder.sm.find_user(username="giaovien")
        colleague = (
            db.session.query(Person)
            .filter(Person.unit_id == me.unit_id, Person.id != me.person_id)
            .order_by(Person.id)
            .first()
        )
        assignment = db.session.query(Assignment).filter_by(person_id=colleague.id).first()
        result = (colleague.id, colleague.full_name, assignment.id, me.person_id)
        db.session.remove()
        return result


def test_teacher_cannot_open_a_colleague_by_editing_the_url(page, live_server, artifacts):
    expect = _expect()
    colleague_id, colleague_name, assignment_id, own_id = _ids(live_server.app)
    sign_in(page, "giaovien")

    seen = {}
    for path in (
        f"/personview/show/{colleague_id}",
        f"/personview/edit/{colleague_id}",
        f"/assignmentview/show/{assignment_id}",
        f"/api/v1/person/{colleague_id}",
        f"/personview/show/{own_id}",
    ):
        response = page.goto(path)
        seen[path] = response.status
        expect(page.locator("body")).not_to_contain_text(colleague_name)
    print(f"\n[browser] giaovien editing URLs → {seen}")
    assert all(status in (403, 404) for status in seen.values()), seen

    # The refusal page is Vietnamese and offers the way home.
    page.goto(f"/personview/show/{colleague_id}")
    expect(page.locator("h1")).to_contain_text("Lỗi")
    page.screenshot(path=str(artifacts / "giaovien-url-refused.png"), full_page=True)

    # Their own record still opens through the page meant for it.
    page.goto("/my-record/")
    expect(page.locator("h2").first).to_contain_text("Hồ sơ của tôi")
