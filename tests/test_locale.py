"""The translation catalogs: complete, and the committed .mo files match their .po."""

from pathlib import Path

import polib
import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[1] / "locale"
CATALOGS = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))


def test_there_are_english_and_vietnamese_catalogs():
    assert {p.parts[-3] for p in CATALOGS} == {"en", "vi"}


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: p.parts[-3])
def test_every_entry_is_translated_and_none_is_fuzzy(po_path):
    po = polib.pofile(str(po_path))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: p.parts[-3])
def test_committed_mo_matches_its_po(po_path):
    """`make messages` compiles them; a .po edited without compiling fails here."""

    def entries(catalog):
        return {
            (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
            for e in catalog
            if e.msgid and not e.obsolete and "fuzzy" not in getattr(e, "flags", ())
        }

    assert entries(polib.mofile(str(po_path.with_suffix(".mo")))) == entries(
        polib.pofile(str(po_path))
    )


def test_english_is_served_from_the_catalog():
    with translation.override("en"):
        assert translation.gettext("Đăng nhập") == "Log in"
        assert translation.gettext("Tạm tính") == "Provisional"
