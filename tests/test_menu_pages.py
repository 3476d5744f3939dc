"""Every menu item renders, for every role that sees it, in Vietnamese only.

The menu is walked as each demo account sees it; each page must answer 200 and
its visible text must contain none of FAB's English UI words.
"""

from __future__ import annotations

import re

import pytest

from app.i18n_catalog import english_ui_words_in

ROLES = [
    "admin",
    "bo",
    "so",
    "lanhdaoso",
    "xa",
    "hieutruong",
    "nhansu",
    "totruong",
    "giaovien",
    "giaovien2",
]
HREF = re.compile(r'<a[^>]+href="(/[^"#]*)"')


def _menu_links(html: str) -> list[str]:
    nav = html.split("<header", 1)[1].split("</header>", 1)[0]
    links = {
        h
        for h in HREF.findall(nav)
        if not h.startswith(("/logout", "/lang/", "/static", "/appbuilder"))
    }
    return sorted(links)


@pytest.mark.parametrize("username", ROLES)
def test_menu_pages_render_in_vietnamese(login_as, username):
    c = login_as(username)
    home = c.get("/").get_data(as_text=True)
    links = _menu_links(home)
    assert links, "the menu is empty"
    problems = {}
    for link in ["/", *links]:
        response = c.get(link, follow_redirects=True)  # e.g. "my evaluation" → this year's form
        assert response.status_code == 200, (username, link, response.status_code)
        assert response.request.path != "/login/", (username, link)
        found = english_ui_words_in(response.get_data(as_text=True))
        if found:
            problems[link] = found
    assert problems == {}, f"English UI words for {username}: {problems}"
