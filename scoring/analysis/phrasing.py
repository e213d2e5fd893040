"""How reports say things in the register of the province's own documents.

"Năm 2022, Chỉ số CCHC của huyện Vũ Quang đạt 89,30/100 điểm …": a unit's name is a common
noun mid-sentence ("huyện", not "Huyện"), and a lost leaf is said as what was missing ("không
có sáng kiến … được công nhận cấp tỉnh"), not as the criterion's positive title."""

from __future__ import annotations

import re

# Administrative nouns that open a unit's name and are written in lower case mid-sentence
# ("của huyện Vũ Quang", "của thành phố Hà Tĩnh"). An agency's name ("Sở Nội vụ") keeps its
# capital: it is a proper name in Vietnamese.
_COMMON_NOUNS = ("thành phố", "thị xã", "thị trấn", "huyện", "quận", "phường", "xã")

_TRAILING_NOTE = re.compile(r"\s*\([^()]*\)\s*$")  # "… kỷ luật (mỗi người)"
# A title that ends on a standard met: "… đúng quy định" is lost as "… chưa đúng quy định".
_ON_TIME = re.compile(r"(?<!chưa )\b(đúng (?:quy định|thời hạn|hạn|kế hoạch))$", re.IGNORECASE)


def is_acronym(word: str) -> bool:
    """ "CBCC", "UBND", "HĐND", "KT-XH": kept as written at the start of a clause."""
    letters = [c for c in word if c.isalpha()]
    return len(letters) > 1 and all(c.isupper() for c in letters)


def lower_first(text: str) -> str:
    """The text with its first letter in lower case, unless the first word is an acronym."""
    text = text.strip()
    if not text:
        return text
    first_word = text.split()[0]
    if is_acronym(first_word):
        return text
    return text[0].lower() + text[1:]


def unit_in_sentence(name: str) -> str:
    """ "Huyện Vũ Quang" → "huyện Vũ Quang"; "Sở Nội vụ" stays as it is."""
    name = " ".join(name.split())
    lowered = name.lower()
    for noun in _COMMON_NOUNS:
        if lowered.startswith(noun + " "):
            return noun + name[len(noun) :]
    return name


def without_note(text: str) -> str:
    """A kind's name without its trailing bracketed note: "… kỷ luật (mỗi người)" → "… kỷ luật"."""
    return _TRAILING_NOTE.sub("", " ".join(text.split()))


def shortfall_of(title: str, shortfall: str = "") -> str:
    """A lost leaf said as what was missing, mid-sentence (lower case first letter).

    The framework's own wording (``FrameworkNode.shortfall``) wins; without it: "Có X" becomes
    "không có X", "X đúng quy định" (thời hạn, hạn, kế hoạch) "X chưa đúng quy định", "Tỷ lệ X"
    "tỷ lệ X còn thấp", and any other title "X chưa đạt yêu cầu"."""
    if shortfall.strip():
        return lower_first(" ".join(shortfall.split()).rstrip(".;: "))
    title = " ".join(title.split()).rstrip(".;: ")
    if not title:
        return ""
    if title.lower().startswith("có "):
        return "không có " + title[3:]
    if _ON_TIME.search(title):
        return lower_first(_ON_TIME.sub(r"chưa \1", title))
    if title.lower().startswith("tỷ lệ "):
        return lower_first(title) + " còn thấp"
    return lower_first(title) + " chưa đạt yêu cầu"


def adjustment_in_sentence(kind_name: str) -> str:
    """A deduction's kind as it reads in a list of lost points: "Có CBCC bị kiểm điểm, xem xét
    xử lý kỷ luật (mỗi người)" → "có CBCC bị kiểm điểm, xem xét xử lý kỷ luật"."""
    return lower_first(without_note(kind_name))
