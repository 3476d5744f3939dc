"""Vietnamese text helpers: NFC, accent folding (đ→d), dictionary sort order."""

from __future__ import annotations

import unicodedata

import pytest

from app.text import fold, name_sort_key, nfc, vi_sort_key


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Nguyễn Văn An", "nguyen van an"),
        ("NGUYỄN VĂN AN", "nguyen van an"),
        ("Đặng Thị Ánh", "dang thi anh"),  # Đ has no decomposition: NFD alone keeps it
        ("đường", "duong"),
        ("Hồ   Ngọc\tHà", "ho ngoc ha"),
        ("Giàng A Sử", "giang a su"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_nfc_normalises_decomposed_input_and_spaces():
    decomposed = unicodedata.normalize("NFD", "  Trần   Thị  Ánh ")
    assert nfc(decomposed) == "Trần Thị Ánh"
    assert unicodedata.is_normalized("NFC", nfc(decomposed))
    assert nfc(None) is None


# Dictionary order of the Vietnamese alphabet: a ă â b c d đ e ê … o ô ơ … u ư …
@pytest.mark.parametrize(
    "ordered",
    [
        ["an", "ăn", "ân", "bình"],
        ["da", "đa", "e", "ê"],
        ["o", "ô", "ơ", "u", "ư", "v"],
        ["a", "à", "ả", "ã", "á", "ạ"],  # tones: ngang, huyền, hỏi, ngã, sắc, nặng
        ["An", "Anh", "Ánh", "Ba"],
    ],
)
def test_vi_sort_key_follows_the_vietnamese_alphabet(ordered):
    assert sorted(reversed(ordered), key=vi_sort_key) == ordered


def test_names_sort_by_given_name_then_family_name():
    names = ["Trần Văn Bình", "Nguyễn Thị An", "Lê An", "Đặng Đức"]
    assert sorted(names, key=name_sort_key) == [
        "Lê An",
        "Nguyễn Thị An",
        "Trần Văn Bình",
        "Đặng Đức",
    ]
