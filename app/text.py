"""Text helpers: NFC normalisation, accent folding, a Vietnamese sort key, number parsing.

Folding drops tone and vowel marks and maps đ→d, so 'nguyen van an' finds
'Nguyễn Văn An' and 'dang' finds 'Đặng'. NFD stripping alone leaves 'Đ' as it is,
because Đ (U+0110) has no decomposition.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# ASCII digits only: str.isdigit() also accepts '²' (which int() then rejects) and int()
# accepts '٣' or '1_000'. The length cap keeps int() away from its 4,300-digit limit.
_ASCII_INT = re.compile(r"-?[0-9]{1,30}")

# Ids are PostgreSQL `integer` columns: a larger number names no row, and sending one to
# the database fails ("integer out of range"; SQLite: "Python int too large").
DB_INT_MAX = 2**31 - 1

# Vietnamese alphabet order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_BASE_RANK = {ch: f"{i:02d}" for i, ch in enumerate(_ALPHABET)}
# Tone order used by Vietnamese dictionaries: ngang, huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}
_VOWEL_MARKS = {"\u0306": "ă", "\u0302": "â", "\u031b": "ơ"}  # breve, circumflex, horn


def nfc(value: str | None) -> str | None:
    """Normalise to NFC and collapse runs of white space; None stays None."""
    if value is None:
        return None
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def fold(value: str | None) -> str:
    """Lower-case, accent-free, đ→d: the search key for names and free text."""
    if not value:
        return ""
    text = unicodedata.normalize("NFD", value.lower()).replace("đ", "d")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", text).strip()


def _letter_key(base: str, marks: list[str]) -> tuple[str, str]:
    letter = base
    tone = "0"
    for mark in marks:
        if mark in _TONES:
            tone = _TONES[mark]
        elif mark in _VOWEL_MARKS:
            letter = {"a\u0306": "ă", "a\u0302": "â", "e\u0302": "ê", "o\u0302": "ô"}.get(
                base + mark, "ơ" if base == "o" else "ư" if base == "u" else letter
            )
    return _BASE_RANK.get(letter, "99" + letter), tone


def vi_sort_key(value: str | None) -> str:
    """A byte-comparable key that sorts Vietnamese text in dictionary order.

    Letters first (with ă, â, đ, ê, ô, ơ, ư as letters of their own), tones second.
    Used where the database has no ICU collation (SQLite).
    """
    if not value:
        return ""
    text = unicodedata.normalize("NFD", nfc(value).lower())
    letters: list[str] = []
    tones: list[str] = []
    i = 0
    while i < len(text):
        base = text[i]
        i += 1
        marks: list[str] = []
        while i < len(text) and unicodedata.category(text[i]) == "Mn":
            marks.append(text[i])
            i += 1
        if base == " ":
            letters.append("  ")
            continue
        key, tone = _letter_key(base, marks)
        letters.append(key)
        tones.append(tone)
    return "".join(letters) + "!" + "".join(tones)


def name_sort_key(full_name: str | None) -> str:
    """Vietnamese names sort by given name (the last word), then by the whole name."""
    if not full_name:
        return ""
    parts = nfc(full_name).split(" ")
    return vi_sort_key(parts[-1]) + "#" + vi_sort_key(full_name)


def parse_int(value: object, *, min: int | None = None, max: int | None = None) -> int | None:
    """The whole number a request value spells in ASCII digits (optional leading '-'),
    if it lies within [min, max]; None for anything else.

    Use it wherever text from a URL or a form becomes an int.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _ASCII_INT.fullmatch(value):
        number = int(value)
    else:
        return None
    if (min is not None and number < min) or (max is not None and number > max):
        return None
    return number


def parse_id(value: object) -> int | None:
    """A row id from a request value: 1 ≤ id ≤ DB_INT_MAX, else None (names no row)."""
    return parse_int(value, min=1, max=DB_INT_MAX)
