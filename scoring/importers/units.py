"""Finding a row's unit: by its code, else by its name as people write it."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from units.models import Unit

from .base import normalize

# Prefixes a unit's name may be written with or without ("Huyện Vũ Quang", "Vũ Quang").
NAME_PREFIXES = ("thành phố ", "thị xã ", "huyện ", "tp. ", "tp ", "tx. ", "tx ")


def _name_keys(name: str) -> list[str]:
    """The keys a unit's name is matched by, strictest first: the name as written (case and
    spacing aside), without its "Huyện"/"Thị xã" prefix, and that without accents."""
    full = unicodedata.normalize("NFC", normalize(name))
    short = full
    for prefix in NAME_PREFIXES:
        if full.startswith(prefix):
            short = full[len(prefix) :].strip()
            break
    plain = "".join(
        c
        for c in unicodedata.normalize("NFD", short.replace("đ", "d"))
        if not unicodedata.combining(c)
    )
    return [full, short, plain]


class UnitIndex:
    """The units of a level (or of a year), found by code or by name. A name two units share
    ("Kỳ Anh": the town and the district) finds neither, so a short name never picks the wrong
    unit."""

    def __init__(self, units: Sequence[Unit]):
        self.by_code = {unit.code.casefold(): unit for unit in units}
        self.by_key: list[dict[str, list[Unit]]] = [{}, {}, {}]
        for unit in units:
            for table, key in zip(self.by_key, _name_keys(unit.name), strict=True):
                table.setdefault(key, []).append(unit)

    def code(self, code: str) -> Unit | None:
        """The unit of this code, whatever its case."""
        return self.by_code.get(code.strip().casefold()) if code else None

    def by_name(self, name: str) -> list[Unit]:
        """The units the name may be, from the strictest key that knows it."""
        for table, key in zip(self.by_key, _name_keys(name), strict=True):
            if key in table:
                return table[key]
        return []

    def matches(self, unit: Unit, name: str) -> bool:
        return unit in self.by_name(name)
