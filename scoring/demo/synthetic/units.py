"""Units with Vietnamese names: any number of communes, or Hà Tĩnh's 13 districts."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from scoring.demo import data as demo_data
from units.models import Unit, UnitLevel

FIRST = (
    # The first nine and SECOND's first nine make the first 81 names, which tests name.
    "Kỳ", "Thạch", "Cẩm", "Đức", "Sơn", "Xuân", "Hương", "Thiên", "Tùng",
    "An", "Bình", "Cao", "Diễn", "Gia", "Hòa", "Hưng", "Lâm", "Long", "Minh", "Mỹ",
    "Nghĩa", "Ngọc", "Phú", "Phúc", "Quang", "Quảng", "Tân", "Thanh", "Thái", "Thịnh",
    "Thuận", "Tiến", "Trường", "Vĩnh", "Yên", "Hồng", "Châu", "Đồng", "Lộc", "Định",
)  # fmt: skip
SECOND = (
    "Bắc", "Nam", "Trung", "Đông", "Tây", "Lạc", "Hải", "Phong", "Thọ",
    "An", "Bình", "Hòa", "Hưng", "Lợi", "Lộc", "Mỹ", "Phú", "Sơn", "Tân", "Thành",
    "Thạnh", "Thịnh", "Thủy", "Tiến", "Trạch", "Vinh", "Xá", "Yên", "Điền", "Giang",
)  # fmt: skip
PREFIXES = ("Xã", "Phường", "Thị trấn")
LONG = (
    "Xã Thạch Hương Trung và Thạch Hương Nam",
    "Thị trấn Nghèn huyện Can Lộc (sáp nhập)",
    "Phường Bắc Hồng Lĩnh thuộc thị xã Hồng Lĩnh",
)
# Hà Tĩnh's 13 district-level units (domain §2): the demo's, with their kinds.
DISTRICTS = tuple((name, kind) for _, name, kind in demo_data.UNITS)


def unit_names(n: int) -> list[str]:
    """``n`` distinct commune names ("Xã Kỳ Bắc", "Phường An Hòa" …), one in seven of the first
    thirty a long one (pages must hold them); numbered once the syllables run out."""
    names: list[str] = []
    seen: set[str] = set()
    first_block = (f"Xã {a} {b}" for a in FIRST[:9] for b in SECOND[:9])
    rest = (f"{p} {a} {b}" for p in PREFIXES for a in FIRST for b in SECOND)
    for name in itertools.chain(first_block, rest):
        if len(names) == n:
            break
        if name not in seen:
            seen.add(name)
            names.append(name)
    base = len(names)
    names += [f"{names[i % base]} {i // base + 1}" for i in range(base, n)]
    for i, long_name in enumerate(LONG[: max(0, min(len(LONG), n // 10))]):
        names[5 + 7 * i] = long_name
    return names


def create_level(
    code: str,
    name: str,
    n_units: int,
    *,
    code_prefix: str | None = None,
    kind: str = Unit.Kind.COMMUNE,
    names: Sequence[str] | None = None,
    members_phrase: str = "",
) -> tuple[UnitLevel, list[Unit]]:
    """A unit level and its ``n_units`` units, coded ``<prefix>-00`` … in order."""
    level = UnitLevel.objects.create(code=code, name=name, members_phrase=members_phrase)
    return level, create_units(
        level, n_units, code_prefix=code_prefix or code, kind=kind, names=names
    )


def create_units(
    level: UnitLevel,
    n_units: int,
    *,
    code_prefix: str,
    kind: str = Unit.Kind.COMMUNE,
    names: Sequence[str] | None = None,
) -> list[Unit]:
    names = list(names) if names is not None else unit_names(n_units)
    width = max(2, len(str(n_units - 1)))
    return Unit.objects.bulk_create(
        Unit(level=level, code=f"{code_prefix}-{i:0{width}}", name=names[i], kind=kind)
        for i in range(n_units)
    )


def district_units(level: UnitLevel, *, code_prefix: str) -> list[Unit]:
    """Hà Tĩnh's 13 district-level units, with their kinds, in ``level``."""
    return Unit.objects.bulk_create(
        Unit(level=level, code=f"{code_prefix}-{i:02}", name=name, kind=kind)
        for i, (name, kind) in enumerate(DISTRICTS)
    )
