"""The vi and en catalogs cover every string of the app and of Flask-AppBuilder.

When a test here fails after adding strings, run ``python -m app.i18n_catalog update``
and translate the entries it reports (``python -m app.i18n_catalog missing en``).
"""

from __future__ import annotations

import re

import pytest

from app.i18n_catalog import (
    ENGLISH_UI_WORDS,
    LOCALES,
    english_ui_words_in,
    extract_sources,
    load_po,
    missing_translations,
    placeholders,
    po_path,
)


@pytest.fixture(scope="module")
def sources():
    return extract_sources()


def _strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]


def _ids(message) -> list[str]:
    return list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]


def test_sources_cover_app_and_fab(sources):
    origins = [src.origins for src in sources.values()]
    assert sum("fab" in o for o in origins) >= 150  # FAB 5.3 has ~175 msgids
    assert any("app" in o for o in origins)
    assert "List Users" in {key for key, _ctx in sources}
    assert "" not in {key for key, _ctx in sources}


@pytest.mark.parametrize("locale", LOCALES)
def test_every_msgid_is_translated(locale, sources):
    missing = missing_translations(locale, sources)
    assert not missing, (
        f"{len(missing)} msgid(s) lack a {locale} translation; run "
        f"`python -m app.i18n_catalog update` and translate them: {missing[:15]}"
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_is_clean(locale):
    catalog = load_po(locale)
    assert catalog is not None
    assert str(catalog.locale) == locale
    assert "charset=utf-8" in dict(catalog.mime_headers)["Content-Type"].lower()
    if locale == "vi":
        assert catalog.plural_forms == "nplurals=1; plural=0;"
    assert not catalog.fuzzy  # header
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        strings = _strings(message)
        assert all(s.strip() for s in strings), f"empty msgstr for {message.id!r}"
        if isinstance(message.id, (list, tuple)):
            assert len(strings) == catalog.num_plurals, message.id


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_match(locale):
    catalog = load_po(locale)
    bad = []
    for message in catalog:
        if not message.id:
            continue
        expected = placeholders(_ids(message)[0])
        for string in _strings(message):
            if placeholders(string) != expected:
                bad.append((message.id, string))
    assert not bad, bad


@pytest.mark.parametrize("locale", LOCALES)
def test_no_empty_msgid_besides_header(locale):
    """gettext("") returns the header, so "" must never be a translatable entry."""
    # babel folds any `msgid ""` entry into the header, so read the file itself: an
    # empty msgid is `msgid ""` directly followed by its msgstr (no continuation line).
    lines = po_path(locale).read_text(encoding="utf-8").splitlines()
    empty = [
        i
        for i, line in enumerate(lines)
        if re.fullmatch(r'(#~ )?msgid ""', line)
        and i + 1 < len(lines)
        and re.match(r"(#~ )?msgstr", lines[i + 1])
    ]
    first_entry = next(i for i, line in enumerate(lines) if line.startswith("msgid "))
    assert empty == [first_entry], "only the header may have an empty msgid"


def test_vi_translates_fab_words():
    catalog = load_po("vi")
    assert catalog.get("List Users").string == "Danh sách tài khoản"
    assert catalog.get("Record Count").string == "Số bản ghi"
    assert catalog.get("Starts with").string == "Bắt đầu bằng"


def test_english_ui_words_helper():
    html = (
        '<html><head><script>var x = "List";</script></head><body>'
        '<a title="Search">Tìm kiếm</a><input type="submit" value="Save">'
        "<p>Danh sách tài khoản, Listing</p></body></html>"
    )
    assert english_ui_words_in(html) == ["Save", "Search"]
    assert "Login" in ENGLISH_UI_WORDS


def test_login_page_is_vietnamese(client):
    response = client.get("/login/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Đăng nhập" in html
    assert "Mật khẩu" in html
    assert "Tên đăng nhập" in html
    found = english_ui_words_in(html, ["Login", "Password", "Username", "Sign In", "User Name"])
    assert not found, f"English UI words on the Vietnamese login page: {found}"


def test_login_page_has_no_english_ui_words(client):
    html = client.get("/login/").get_data(as_text=True)
    assert not english_ui_words_in(html)
