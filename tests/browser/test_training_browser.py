"""Browser walk of BDTX (Chromium via Playwright, fixtures in tests/browser/conftest.py).

The teacher answers the year's survey, picks training needs, builds a personal plan of
programme 03 modules (first too short: the page says so; then 40 periods) and submits it;
the principal finds it among the plans waiting for approval and approves it. A teacher of
another province gets 404 on that plan.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.test_login_and_records import sign_out
from tests.conftest import DEMO_PASSWORD


def _login(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("form [type=submit]").first.click()
    expect(page).not_to_have_url(re.compile(r"/login/?$"))


def _answer_survey(page) -> int:
    questions = page.locator(".tr-question")
    count = questions.count()
    for i in range(count):
        q = questions.nth(i)
        kind = q.get_attribute("data-kind")
        if kind == "likert":
            q.locator("input[type=radio]").nth(3).check()
        elif kind == "single":
            q.locator("input[type=radio]").first.check()
        elif kind == "multiple":
            q.locator("input[type=checkbox]").nth(0).check()
            q.locator("input[type=checkbox]").nth(1).check()
        elif kind == "number":
            q.locator("input").fill("4")
        else:
            q.locator("textarea").fill("Thêm ví dụ thực hành theo môn học.")
    return count


def test_teacher_survey_needs_plan_and_principal_approves(page, artifacts):
    _login(page, "giaovien")
    page.goto("/training/")
    expect(page.locator("h2").first).to_have_text("Bồi dưỡng thường xuyên của tôi")
    page.locator("#tr-go-survey").click()
    page.wait_for_url("**/training/survey")
    expect(page.locator(".tr-question").first).to_be_visible()

    # 1. survey
    answered = _answer_survey(page)
    assert answered >= 5
    page.locator("#tr-survey-submit").click()
    page.wait_for_url("**/training/needs")
    expect(page.locator(".alert-success")).to_contain_text("Đã gửi phiếu khảo sát")
    print(f"\n[browser] survey: {answered} questions answered")

    # 2. needs: two modules and a free-text need, then on to the plan
    page.locator("#need-GVPT-05").check()
    page.locator("#need-GVPT-15").check()
    page.locator("#tr-free-1").fill("Kỹ năng dạy học trực tuyến")
    page.locator("#tr-needs-plan").click()
    page.wait_for_url("**/training/plan")
    page.locator("#tr-plan-create").click()
    page.wait_for_url(re.compile(r"/training/plan/\d+$"))
    plan_url = page.url
    expect(page.locator("#tr-state")).to_have_text("Đang soạn")
    # the needs' modules are already in the plan: 2 × 20 periods
    expect(page.locator("#pick-GVPT-05")).to_be_checked()
    expect(page.locator("#pick-GVPT-15")).to_be_checked()
    expect(page.locator("#tr-total")).to_have_text("40")

    # 3. too little time first: the live total and the refusal say so
    page.locator("#pick-GVPT-15").uncheck()
    expect(page.locator("#tr-total")).to_have_text("20")
    expect(page.locator("#tr-total")).to_have_class("tr-total-short")
    page.locator("#tr-plan-submit").click()
    expect(page.locator(".alert-danger")).to_contain_text("chưa đủ mức yêu cầu")
    expect(page.locator("#tr-state")).to_have_text("Đang soạn")

    # then 40 periods with timing, submitted
    page.locator("#pick-GVPT-05").check()
    page.locator("#pick-GVPT-15").check()
    page.locator("#start-GVPT-15").fill("05/01/2026")
    page.locator("#end-GVPT-15").fill("20/02/2026")
    expect(page.locator("#tr-total")).to_have_text("40")
    page.locator("#tr-plan-submit").click()
    expect(page.locator("#tr-state")).to_have_text("Chờ duyệt")
    expect(page.locator("#tr-plan-items")).to_contain_text("05/01/2026 – 20/02/2026")
    page.screenshot(path=str(artifacts / "bdtx-plan-submitted.png"), full_page=True)
    sign_out(page)

    # 4. a teacher of another province: 404
    _login(page, "giaovien2")
    response = page.goto(plan_url)
    assert response is not None and response.status == 404
    sign_out(page)

    # 5. the principal approves
    _login(page, "hieutruong")
    page.goto("/training/approvals")
    link = page.locator(f'#tr-approvals a[href$="{plan_url.rsplit("/training", 1)[1]}"]')
    expect(link).to_be_visible()
    link.click()
    expect(page.locator("#tr-state")).to_have_text("Chờ duyệt")
    page.locator("#tr-review-comment").fill("Đồng ý, chú ý hoàn thành trước tháng 3.")
    page.locator("#tr-approve").click()
    expect(page.locator("#tr-state")).to_have_text("Đã duyệt")
    expect(page.locator(".alert-success")).to_contain_text("Đã duyệt kế hoạch")
    page.screenshot(path=str(artifacts / "bdtx-plan-approved.png"), full_page=True)
    print(f"[browser] plan {plan_url} submitted by giaovien, approved by hieutruong")
