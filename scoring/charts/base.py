"""A chart drawn once with matplotlib, shown on a page as SVG and put in a Word report as PNG.

Figures are built with ``matplotlib.figure.Figure`` and the Agg/SVG canvases directly (never
pyplot: no global figure manager, so a figure belongs to one request). Rendering is lazy and
pure: a ``Chart`` holds plain values and a drawing function, and draws on ``svg_data_uri()`` or
``png()``. The output is deterministic (fixed SVG id salt, no date in the metadata, text as
paths in the bundled DejaVu Sans, which covers Vietnamese), so tests and caches can compare it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

import matplotlib
from django.core.cache import cache
from django.utils.translation import get_language
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

# A Word report's text width on A4 with 2.5 cm margins: the PNG's default width, and the page's
# SVG's unless a chart asks for a narrower drawing.
SVG_WIDTH_INCHES = 6.3

# rcParams are process-wide: they are applied within a lock while a figure is drawn and saved,
# so two requests drawing at once never see each other's settings.
_RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "svg.fonttype": "path",  # the same glyphs everywhere, no font needed by the viewer
    "svg.hashsalt": "cchc-charts",  # stable ids: the same chart gives the same bytes
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "legend.fontsize": 8.5,
    "axes.edgecolor": "#555555",
    "axes.labelcolor": "#212529",
    "text.color": "#212529",
    "xtick.color": "#212529",
    "ytick.color": "#212529",
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "path.simplify": True,
    "text.parse_math": False,  # a unit named "A $1$" is text, not a formula
}
_LOCK = threading.Lock()

# A drawn chart stays in the cache this long; its key changes with any of its inputs, the
# language, the drawing code's version and matplotlib's, so an entry is never stale.
CACHE_SECONDS = 24 * 3600
DRAWING_VERSION = "1"  # raise when a change to the drawing code changes the pictures


def chart_key(kind: str, *inputs) -> str:
    """A digest of everything a chart's picture depends on: its kind, its inputs (plain values
    and frozen dataclasses, whose repr is stable), the active language (labels drawn inside
    are translated when the chart is made) and the versions of the drawing."""
    text = repr((kind, inputs, get_language(), DRAWING_VERSION, matplotlib.__version__))
    return hashlib.sha256(text.encode()).hexdigest()


# Okabe & Ito's colour-blind-safe palette.
BLUE = "#0072B2"
ORANGE = "#E69F00"
SKY = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#999999"
LIGHT_GREY = "#C8C8C8"
INK = "#212529"
EDGE = "#333333"  # bars get a dark outline: light fills alone are under 3:1 against white

# Band colours, from the best band down; bands beyond these reuse the last one.
BAND_COLOURS = [GREEN, SKY, ORANGE, VERMILLION, PURPLE, GREY]


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | None
    highlight: bool = False


@dataclass(frozen=True)
class ProfileField:
    label: str
    max_points: Decimal
    mine: Decimal | None
    average: Decimal | None
    leader: Decimal | None


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[Decimal | int | None]
    highlight: bool = False


@dataclass(frozen=True)
class Chart:
    """A figure with its caption (``title``) and text alternative (``alt``).

    ``draw`` draws on a figure of the size ``height`` gives for a width (both in inches)."""

    title: str
    alt: str
    draw: Callable[[Figure], None] = field(repr=False, compare=False)
    height: Callable[[float], float] = field(repr=False, compare=False)
    # The page's SVG is drawn this wide and scaled by the browser to its column: narrow
    # enough that its text stays legible on a phone, wide enough for long unit names.
    svg_width_inches: float = field(default=SVG_WIDTH_INCHES, repr=False, compare=False)
    # Matplotlib's constrained layout fits labels and legend; False: ``draw`` sets the margins.
    constrained: bool = field(default=True, repr=False, compare=False)
    # What the drawing depends on (``chart_key``): the same inputs give the same bytes, so the
    # page's SVG is drawn once and then read from the cache (drawing costs 50–500 ms).
    key: str = field(default="", repr=False, compare=False)

    def _render(self, canvas_class, *, width_inches: float, dpi: int, fmt: str) -> bytes:
        out = io.BytesIO()
        with _LOCK, matplotlib.rc_context(_RC):
            figure = Figure(
                figsize=(width_inches, self.height(width_inches)),
                dpi=dpi,
                layout="constrained" if self.constrained else None,
            )
            canvas_class(figure)
            self.draw(figure)
            metadata = {"Date": None} if fmt == "svg" else {"Software": None}
            figure.savefig(out, format=fmt, dpi=dpi, metadata=metadata)
        return out.getvalue()

    @cached_property
    def svg(self) -> bytes:
        cache_key = f"chart-svg:{self.key}" if self.key else None
        if cache_key and (cached := cache.get(cache_key)) is not None:
            return cached
        svg = self._render(FigureCanvasSVG, width_inches=self.svg_width_inches, dpi=72, fmt="svg")
        svg = _compact_svg(svg.decode()).encode()
        if cache_key:
            cache.set(cache_key, svg, CACHE_SECONDS)
        return svg

    @property
    def width_px(self) -> int:
        """The SVG's own size in CSS pixels, for the img's width and height attributes (the
        page keeps the room for it while it loads; CSS scales it to the column)."""
        return round(self.svg_width_inches * 96)

    @property
    def height_px(self) -> int:
        return round(self.height(self.svg_width_inches) * 96)

    def svg_data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg).decode("ascii")

    def png(self, *, width_inches: float = 6.3, dpi: int = 150) -> bytes:
        return self._render(FigureCanvasAgg, width_inches=width_inches, dpi=dpi, fmt="png")


_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_LONG_DECIMAL = re.compile(r"(-?[1-9]\d*\.\d{2})\d+")  # scale factors (0.085) stay exact
_COMMENT = re.compile(r"<!--.*?-->")
_PATH_DATA = re.compile(r'\bd="([^"]*)"')
_COMMAND_SPACES = re.compile(r"\s*([MLQCZz])\s*")


def _compact_svg(svg: str) -> str:
    """Fewer bytes for the page: no metadata or comments, coordinates to 1/100 pt (invisible at
    any zoom a page allows), a path's commands on one line without spaces."""
    svg = _COMMENT.sub("", _METADATA.sub("", svg))
    svg = _LONG_DECIMAL.sub(lambda m: m.group(1).rstrip("0").rstrip("."), svg)
    out: list[str] = []
    for line in svg.splitlines():
        line = line.strip()
        if not line:
            continue
        if out and not line.startswith("<"):
            out[-1] += " " + line
        else:
            out.append(line)
    return _PATH_DATA.sub(
        lambda m: 'd="' + _COMMAND_SPACES.sub(r"\1", m.group(1)).strip() + '"', "\n".join(out)
    )


def vn_number(value: Decimal | float | int, places: int = 2) -> str:
    """89.3 -> "89,30": decimal comma, dot between thousands, as the province's reports write."""
    quantum = Decimal(1).scaleb(-places)
    text = f"{Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
