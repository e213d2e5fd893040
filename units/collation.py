"""Vietnamese alphabetical order of names: "Can Lộc", "Đức Thọ", "Hồng Lĩnh", "Vũ Quang".

Byte or code-point order puts "Đ" (U+0110) after "V", and accented vowels after every plain
letter. The database orders by an ICU collation on PostgreSQL (``vi-x-icu``, see
``unit_name_order``); elsewhere, and for lists sorted in Python, ``name_key`` gives the same
order: letters by the Vietnamese alphabet (a ă â b c d đ e ê … o ô ơ … u ư …), then, for
names equal but for their tones, by tone (none, huyền, hỏi, ngã, sắc, nặng as ICU does).
"""

from __future__ import annotations

import unicodedata

from django.db.models import F, Func

ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {letter: i for i, letter in enumerate(ALPHABET)}
# Tone marks, in the order ICU sorts them; the other marks (breve, circumflex, horn) make a
# letter of their own (ă â ê ô ơ ư).
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_WITH_MARK = {
    ("a", "\u0306"): "ă",
    ("a", "\u0302"): "â",
    ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ",
    ("u", "\u031b"): "ư",
}


def _letters(text: str):
    """(letter, tone) pairs of ``text``, lower-cased, with đ and the marked vowels as letters."""
    # NFC first: a name typed in decomposed form ("U" + combining horn) is the same name.
    for char in unicodedata.normalize("NFC", text).casefold():
        if char == "đ":
            yield "đ", 0
            continue
        base, *marks = unicodedata.normalize("NFD", char)
        tone = 0
        for mark in marks:
            if (base, mark) in _WITH_MARK:
                base = _WITH_MARK[(base, mark)]
            elif mark in _TONES:
                tone = _TONES[mark]
        yield base, tone


def _primary(char: str) -> tuple[int, int]:
    # As ICU: spaces and punctuation before digits, digits before letters.
    if char in _RANK:
        return 2, _RANK[char]
    if char.isdigit():
        return 1, int(char) if char.isascii() else ord(char)
    return (0, ord(char)) if not char.isalnum() else (3, ord(char))


def name_key(text: str | None) -> tuple:
    """Sort key for Vietnamese names: ``sorted(units, key=lambda u: name_key(u.name))``."""
    pairs = list(_letters(text or ""))
    primary = tuple(_primary(c) for c, _tone in pairs)
    return primary, tuple(tone for _c, tone in pairs), text or ""


class VietnameseOrder(Func):
    """``order_by(VietnameseOrder("unit__name"))``: the ICU Vietnamese collation on PostgreSQL;
    on SQLite the ``vietnamese`` collation that ``units.apps`` registers on each connection
    (``name_key`` under the hood), so both databases give the same order."""

    template = "%(expressions)s"

    def __init__(self, expression, **extra):
        super().__init__(F(expression) if isinstance(expression, str) else expression, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = super().as_sql(compiler, connection, **extra)
        return f'{sql} COLLATE "vi-x-icu"', params

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = super().as_sql(compiler, connection, **extra)
        return f"{sql} COLLATE vietnamese", params


def sqlite_collation(left: str, right: str) -> int:
    a, b = name_key(left), name_key(right)
    return (a > b) - (a < b)
