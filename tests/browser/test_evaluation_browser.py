"""Browser walk of the evaluation (Chromium via Playwright, fixtures in tests/browser/conftest.py).

1. At 390 px wide (a phone), the teacher starts the self-evaluation, picks a level for every
   criterion, uploads one PDF as evidence and submits; the principal evaluates and finalises.
2. A teacher of another school cannot open that evaluation or its evidence (404).
"""

from __future__ import annotations

import io
import re

from playwright.sync_api import expect

from tests.browser.test_login_and_records import sign_out
from tests.conftest import DEMO_PASSWORD

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PHONE = {"width": 390, "height": 844}


def _login(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("form [type=submit]").first.click()
    expect(page).not_to_have_url(re.compile(r"/login/?$"))


def _logout(page) -> None:
    sign_out(page)


def test_teacher_self_evaluates_on_a_phone_and_principal_finalises(page, tmp_path):
    page.set_viewport_size(PHONE)
    _login(page, "giaovien")
    page.goto("/evaluation/mine")
    page.locator("#ev-start").click()
    expect(page.locator("#ev-state")).to_have_text("Đang soạn")
    url = page.url

    criteria = page.locator("section.ev-criterion")
    assert criteria.count() == 15
    for i in range(criteria.count()):
        criteria.nth(i).get_by_label("Tốt", exact=True).check()
    evidence = tmp_path / "giao-an-minh-hoa.pdf"
    evidence.write_bytes(PDF)
    criteria.first.locator("input[type=file]").set_input_files(str(evidence))

    # Usable at 390 px: nothing in the form sticks out sideways, the buttons fit. (The page
    # as a whole is as wide as the portal's navigation bar, which is the base layout's.)
    overflow = page.evaluate(
        """() => {
            const page = document.querySelector('.ev-page').getBoundingClientRect();
            return [...document.querySelectorAll('.ev-page *')]
                .filter((el) => el.getBoundingClientRect().right > page.right + 1)
                .map((el) => el.tagName + '.' + el.className);
        }"""
    )
    assert overflow == []
    submit = page.locator("#ev-submit")
    submit.scroll_into_view_if_needed()
    frame = page.evaluate(
        "(() => { const r = document.querySelector('.ev-page').getBoundingClientRect();"
        " return [r.left + window.scrollX, r.right + window.scrollX]; })()"
    )
    document_width = page.evaluate("document.documentElement.scrollWidth")
    print(f"[browser] 390 px viewport: document {document_width} px, form {frame}")
    assert frame[0] >= -1 and frame[1] <= PHONE["width"] + 1
    box = submit.bounding_box()
    scroll_x = page.evaluate("window.scrollX")
    assert box is not None
    assert box["x"] + scroll_x >= frame[0] - 1
    assert box["x"] + scroll_x + box["width"] <= frame[1] + 1

    submit.click()
    expect(page.locator("#ev-state")).to_have_text("Đã nộp")
    expect(page.locator("#ev-self-result .ev-level")).to_have_text("Tốt")
    expect(page.locator("a.ev-file")).to_have_text("giao-an-minh-hoa.pdf")
    expect(page.locator("#ev-self-form")).to_have_count(0)  # read-only once submitted
    _logout(page)

    _login(page, "hieutruong")
    page.goto(url)
    expect(page.locator("#ev-review-form")).to_be_visible()
    with page.expect_download() as download:
        page.locator("a.ev-file").click()
    assert download.value.suggested_filename == "giao-an-minh-hoa.pdf"
    selects = page.locator("select.ev-superior")
    assert selects.count() == 15
    for i in range(selects.count()):
        number = selects.nth(i).get_attribute("data-criterion")
        selects.nth(i).select_option("kha" if number == "5" else "tot")
    page.fill(
        "#ev-evaluator-comment", "Hoàn thành tốt nhiệm vụ, cần chia sẻ kinh nghiệm nhiều hơn."
    )
    page.locator("#ev-review-save").click()
    expect(page.locator("#ev-state")).to_have_text("Cấp trên đã đánh giá")
    final = page.locator("#ev-final-result")
    expect(final.locator(".ev-level")).to_have_text("Khá")
    expect(final).to_contain_text("Tiêu chí 5 (then chốt) chưa đạt mức Tốt")
    page.locator("#ev-finalise").click()
    expect(page.locator("#ev-state")).to_have_text("Đã hoàn thành")
    expect(page.locator("#ev-review-form")).to_have_count(0)


def test_teacher_of_another_school_gets_404(page, live_server):
    from sqlalchemy import select

    from app.evaluation import services, storage
    from app.evaluation.models import Evidence, EvidenceLink
    from app.extensions import db
    from app.personnel.models import Person
    from app.security.models import PortalUser

    with live_server.app.app_context():
        user = db.session.scalar(select(PortalUser).where(PortalUser.username == "giaovien"))
        person = db.session.get(Person, user.person_id)
        cycle = services.applicable_cycle(person)
        evaluation = services.start_evaluation(person, cycle, user)
        stored = storage.save_upload(io.BytesIO(PDF), "minh-chung.pdf")
        evidence = Evidence(
            person_id=person.id,
            kind="file",
            title=stored.original_name,
            stored_name=stored.stored_name,
            original_name=stored.original_name,
            mime=stored.mime,
            size=stored.size,
            sha256=stored.sha256,
        )
        db.session.add(evidence)
        db.session.flush()
        db.session.add(
            EvidenceLink(
                evaluation_id=evaluation.id,
                criterion_id=evaluation.ratings[0].criterion_id,
                evidence_id=evidence.id,
            )
        )
        db.session.commit()
        evaluation_id, evidence_id = evaluation.id, evidence.id
        db.session.remove()

    _login(page, "giaovien2")
    response = page.goto(f"/evaluation/{evaluation_id}")
    assert response is not None and response.status == 404
    expect(page.locator("body")).to_contain_text("Không tìm thấy")
    response = page.request.get(f"/evaluation/evidence/{evidence_id}")
    assert response.status == 404
    assert response.body() != PDF
    response = page.request.get(f"/api/v1/evaluation/{evaluation_id}")
    assert response.status == 404
    _logout(page)

    # The owner can open both, so the 404 above is the scope, not a broken link.
    _login(page, "giaovien")
    assert page.goto(f"/evaluation/{evaluation_id}").status == 200
    response = page.request.get(f"/evaluation/evidence/{evidence_id}")
    assert response.status == 200 and response.body() == PDF
