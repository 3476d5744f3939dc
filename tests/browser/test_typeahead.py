"""In a real browser: related fields are scoped typeaheads (select2 over /lookup/<kind>)."""

from __future__ import annotations

from tests.browser.test_login_and_records import _expect, sign_in


def test_unit_typeahead_searches_without_accents_within_scope(page, live_server, artifacts):
    expect = _expect()
    sign_in(page, "so")  # Chuyên viên Sở of province A
    page.goto("/personview/add")
    # select2 replaces the <select> with its own box; clicking it opens a search field.
    page.locator("#unit + .select2 .select2-selection").click()
    search = page.locator(".select2-container--open .select2-search__field")
    expect(search).to_be_visible()
    search.fill("cau giay")
    options = page.locator(".select2-results__option")
    # Wait for the debounced query's answer to replace the unfiltered first page.
    expect(options.filter(has_text="Hoàn Kiếm")).to_have_count(0)
    expect(options.filter(has_text="Cầu Giấy").first).to_be_visible()
    texts = options.all_inner_texts()
    print(f"\n[browser] unit typeahead 'cau giay' → {texts[:5]}")
    assert texts and all("Cầu Giấy" in t for t in texts), texts
    options.filter(has_text="Cầu Giấy").first.click()
    chosen = page.locator("#unit").input_value()
    assert chosen.isdigit(), chosen

    # Province B's units are never offered, whatever is typed.
    page.locator("#unit + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("lao cai")
    expect(page.locator(".select2-results__option").first).to_have_text("Không tìm thấy kết quả")
    page.screenshot(path=str(artifacts / "so-unit-typeahead.png"))


def test_date_fields_pick_in_vietnamese_dd_mm_yyyy(page, live_server):
    expect = _expect()
    sign_in(page, "nhansu")
    page.goto("/personview/add")
    field = page.locator("input[name=start_date]")
    field.click()
    picker = page.locator(".datepicker-dropdown")
    expect(picker).to_be_visible()
    expect(picker.locator(".datepicker-switch").first).to_contain_text("Tháng")
    picker.locator("td.day:not(.old):not(.new)", has_text="15").first.click()
    value = field.input_value()
    print(f"\n[browser] datepicker → {value!r}")
    assert value[:2] == "15" and value[2] == "/" and value[5] == "/" and len(value) == 10


def test_pasted_date_survives_leaving_the_field(page, live_server):
    # A date put in without key presses (paste, autofill) must not be wiped by the picker.
    sign_in(page, "nhansu")
    page.goto("/personview/add")
    field = page.locator("input[name=start_date]")
    field.fill("05/01/2026")
    page.locator("input[name=code]").click()
    assert field.input_value() == "05/01/2026"
