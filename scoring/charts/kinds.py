"""The app's charts: the ranking as bars, the index's distribution, a unit's field profile and
values over the years. Each function takes plain values and returns a lazy ``Chart``."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .base import (
    BAND_COLOURS,
    BLUE,
    EDGE,
    GREY,
    INK,
    LIGHT_GREY,
    ORANGE,
    SKY,
    VERMILLION,
    Bar,
    Chart,
    ProfileField,
    Series,
    chart_key,
    shorten,
    vn_number,
)

HIGHLIGHT_MARK = "▶ "
BAR_INCHES = 0.24  # one unit's bar: keeps 8.5-point labels apart at any number of units
NO_DATA_HEIGHT = 1.2
COLUMN_SVG_INCHES = 5.0  # a column's chart: on a 360 px phone 8.5-point text is still 8 px high
SMALL_SVG_INCHES = 4.5  # a chart that sits in a narrow column beside another

_vn_axis = FuncFormatter(
    lambda x, _pos: vn_number(x, 0) if float(x).is_integer() else vn_number(x, 1)
)


def _bands_high_first(bands: Sequence[tuple[str, Decimal]]) -> list[tuple[str, Decimal]]:
    return sorted(bands, key=lambda band: band[1], reverse=True)


def _band_colour(index: int) -> str:
    return BAND_COLOURS[min(index, len(BAND_COLOURS) - 1)]


def _band_of(value: Decimal, bands_high_first: list[tuple[str, Decimal]]) -> int | None:
    """Position of the highest band ``value`` reaches (bound inclusive), None below them all."""
    for i, (_label, lower) in enumerate(bands_high_first):
        if value >= lower:
            return i
    return None


def _no_data(figure: Figure, message: str) -> None:
    ax = figure.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", color=INK, fontsize=10)


def _text_width(texts: list[str], size: float, *, bold: bool = False) -> float:
    """The widest of ``texts`` in inches, in the charts' font."""
    renderer = RendererAgg(1, 1, 72)
    prop = FontProperties(family="DejaVu Sans", size=size, weight="bold" if bold else "normal")
    widths = (renderer.get_text_width_height_descent(t, prop, ismath=False)[0] for t in texts)
    return max(widths, default=0) / 72


def _threshold(lower: Decimal) -> str:
    return vn_number(lower, 0 if lower == lower.to_integral_value() else 2)


def _legend_columns(labels: list[str], figure_width: float) -> int:
    room = figure_width * 12.5  # characters of 8.5-point text across the figure
    widths = [len(label) + 8 for label in labels]
    ncols = len(labels) if sum(widths) <= room else max(1, int(room // max(widths)))
    return min(ncols, len(labels))


def _legend(ax: Axes, handles: list) -> int:
    """Above the plot, in as many columns as fit the figure's width; returns its rows."""
    ncols = _legend_columns([h.get_label() for h in handles], ax.figure.get_figwidth())
    rows = math.ceil(len(handles) / ncols)
    # Matplotlib fills a legend column by column; this order reads row by row, best band first.
    handles = [
        handles[i * ncols + j]
        for j in range(ncols)
        for i in range(rows)
        if i * ncols + j < len(handles)
    ]
    # A figure legend, centred on the figure: long unit names narrow the axes, not the legend.
    ax.figure.legend(
        handles=handles,
        loc="upper center" if ax.figure.get_layout_engine() is None else "outside upper center",
        ncols=ncols,
        frameon=False,
        handlelength=1.6,
        columnspacing=1.2,
    )
    return rows


def _band_handles(bands_hf: list[tuple[str, Decimal]]) -> list[Patch]:
    return [
        Patch(
            facecolor=_band_colour(i),
            edgecolor=EDGE,
            linewidth=0.5,
            label=f"{label} ≥ {_threshold(lower)}",
        )
        for i, (label, lower) in enumerate(bands_hf)
    ]


def _style_axes(ax: Axes, *, grid_axis: str) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis=grid_axis, color="#E3E3E3", linewidth=0.6)
    ax.set_axisbelow(True)


# --- The ranking as bars --------------------------------------------------------------------


def ranking_bars(bars: Sequence[Bar], bands: Sequence[tuple[str, Decimal]], *, title: str) -> Chart:
    """Horizontal bars of the index, best first (ties keep the given order, units without an
    index last), coloured by band with each band's threshold drawn; highlighted bars (the
    user's own unit) are marked by an arrow, a bold label and a thick outline, not by colour
    alone. The figure grows with the number of bars, so 70 units stay readable."""
    ordered = sorted(bars, key=lambda b: (b.value is None, -(b.value or 0)))
    bands_hf = _bands_high_first(bands)
    valued = [b for b in ordered if b.value is not None]
    # Translated now, in the caller's language, not wherever the chart is drawn later.
    words = {"none": _("Chưa có đơn vị nào."), "axis": _("Chỉ số CCHC (%)")}

    def height(width: float) -> float:
        if not ordered:
            return NO_DATA_HEIGHT
        legend_rows = 0
        if bands:
            labels = [h.get_label() for h in _band_handles(bands_hf)]
            legend_rows = math.ceil(len(labels) / _legend_columns(labels, width))
        return 0.75 + 0.22 * legend_rows + BAR_INCHES * len(ordered)

    def draw(figure: Figure) -> None:
        if not ordered:
            _no_data(figure, words["none"])
            return
        ax = figure.add_subplot()
        _style_axes(ax, grid_axis="x")
        values = [float(b.value) if b.value is not None else 0.0 for b in ordered]
        top = max([100.0, *values])
        low = min(float(b.value) for b in valued) if valued else 0.0
        # Indices sit close together (80–95): start the axis below the lowest one, at a round
        # number, so differences show; the ticks say where it starts.
        start = 0.0 if low < 40 else max(0.0, math.floor((low - 3) / 10) * 10)
        colours, edges, widths = [], [], []
        for b in ordered:
            band = None if b.value is None else _band_of(b.value, bands_hf)
            colours.append(
                BLUE if not bands else (LIGHT_GREY if band is None else _band_colour(band))
            )
            edges.append(INK if b.highlight else EDGE)
            widths.append(2.0 if b.highlight else 0.5)
        y = list(range(len(ordered)))
        lengths = [max(v - start, 0.0) for v in values]
        ax.barh(
            y, lengths, left=start, height=0.72, color=colours, edgecolor=edges, linewidth=widths
        )
        for i, b in enumerate(ordered):
            text = vn_number(b.value) if b.value is not None else "—"
            ax.text(
                max(values[i], start) + (top - start) * 0.01,
                i,
                text,
                va="center",
                ha="left",
                fontsize=8,
                fontweight="bold" if b.highlight else "normal",
                color=INK,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6},
            )
        ax.set_yticks(
            y, [(HIGHLIGHT_MARK if b.highlight else "") + shorten(b.label, 34) for b in ordered]
        )
        for tick, b in zip(ax.get_yticklabels(), ordered, strict=True):
            if b.highlight:
                tick.set_fontweight("bold")
        ax.set_ylim(len(ordered) - 0.5, -0.5)  # best on top
        ax.set_xlim(start, top + (top - start) * 0.09)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=7, steps=[1, 2, 5, 10]))  # no 82,5
        ax.xaxis.set_major_formatter(_vn_axis)
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel(words["axis"])
        for _label, lower in bands_hf:
            if start < float(lower) <= top:
                ax.axvline(float(lower), color=INK, linestyle=(0, (4, 3)), linewidth=0.8)
        legend_rows = 0
        if bands:
            legend_rows = _legend(ax, _band_handles(bands_hf))
        names = [t.get_text() for t in ax.get_yticklabels()]
        label_width = _text_width(names, 8.5, bold=any(b.highlight for b in ordered))
        width, height = figure.get_size_inches()
        figure.subplots_adjust(
            left=(label_width + 0.15) / width,
            right=1 - 0.1 / width,
            top=1 - (0.1 + 0.22 * legend_rows) / height,
            bottom=0.55 / height,
        )

    return Chart(
        title=title,
        alt=_ranking_alt(ordered, valued),
        draw=draw,
        height=height,
        svg_width_inches=COLUMN_SVG_INCHES,
        # A layout pass draws the figure twice; with 70 names, measuring them once is cheaper
        # and gives the margins (see draw).
        constrained=False,
        key=chart_key("ranking_bars", tuple(bars), tuple(bands), title),
    )


def _ranking_alt(ordered: list[Bar], valued: list[Bar]) -> str:
    if not valued:
        return _("Biểu đồ thanh chỉ số CCHC: chưa có đơn vị nào có chỉ số.")
    best, worst = valued[0], valued[-1]
    text = ngettext(
        "Biểu đồ thanh chỉ số CCHC của %(n)d đơn vị: cao nhất %(best)s (%(best_value)s), "
        "thấp nhất %(worst)s (%(worst_value)s).",
        "Biểu đồ thanh chỉ số CCHC của %(n)d đơn vị: cao nhất %(best)s (%(best_value)s), "
        "thấp nhất %(worst)s (%(worst_value)s).",
        len(valued),
    ) % {
        "n": len(valued),
        "best": best.label,
        "best_value": vn_number(best.value),
        "worst": worst.label,
        "worst_value": vn_number(worst.value),
    }
    mine = [b for b in ordered if b.highlight]
    if mine:
        text += " " + _("Đơn vị của bạn: %(units)s.") % {
            "units": "; ".join(
                f"{b.label} ({vn_number(b.value) if b.value is not None else '—'})" for b in mine
            )
        }
    return text


# --- The distribution of the index -------------------------------------------------------------


def index_distribution(
    values: Sequence[Decimal], bands: Sequence[tuple[str, Decimal]], *, title: str
) -> Chart:
    """How many units fall in each bracket of the index: columns 5 points wide (10 when the
    indices spread over more than 50 points), cut at every band threshold too, coloured by
    band; each column says its count. The alt text gives the count of each band."""
    values = [v for v in values if v is not None]
    bands_hf = _bands_high_first(bands)
    edges = _brackets(values, bands_hf)
    words = {
        "none": _("Chưa có đơn vị nào có chỉ số."),
        "axis": _("Chỉ số CCHC (%)"),
        "count": _("Số đơn vị"),
    }
    counts = [0] * (len(edges) - 1)
    for v in values:
        for i in range(len(counts)):
            last = i == len(counts) - 1
            if edges[i] <= v < edges[i + 1] or (last and v == edges[i + 1]):
                counts[i] += 1
                break

    def height(width: float) -> float:
        return NO_DATA_HEIGHT if not values else max(2.6, 0.6 * width)

    def draw(figure: Figure) -> None:
        if not values:
            _no_data(figure, words["none"])
            return
        ax = figure.add_subplot()
        _style_axes(ax, grid_axis="y")
        lefts = [float(e) for e in edges[:-1]]
        widths = [float(edges[i + 1] - edges[i]) for i in range(len(counts))]
        colours = []
        for e in edges[:-1]:
            band = _band_of(e, bands_hf)
            colours.append(
                BLUE if not bands else (LIGHT_GREY if band is None else _band_colour(band))
            )
        ax.bar(
            lefts, counts, width=widths, align="edge", color=colours, edgecolor=EDGE, linewidth=0.6
        )
        for left, w, n in zip(lefts, widths, counts, strict=True):
            if n:
                ax.text(left + w / 2, n, str(n), ha="center", va="bottom", fontsize=8.5, color=INK)
        ax.set_xlim(float(edges[0]), float(edges[-1]))
        ax.set_ylim(0, max(counts) * 1.18 + 0.5)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        ax.set_xticks([float(e) for e in edges], [vn_number(e, 0) for e in edges])
        ax.xaxis.set_major_formatter(_vn_axis)
        ax.set_xlabel(words["axis"])
        ax.set_ylabel(words["count"])
        if bands:
            _legend(ax, _band_handles(bands_hf))

    return Chart(
        title=title,
        alt=_distribution_alt(values, bands_hf),
        draw=draw,
        height=height,
        svg_width_inches=SMALL_SVG_INCHES,
        key=chart_key("index_distribution", tuple(values), tuple(bands), title),
    )


def _brackets(values: list[Decimal], bands_hf: list[tuple[str, Decimal]]) -> list[Decimal]:
    if not values:
        return [Decimal(0), Decimal(100)]
    low, high = min(values), max(values)
    step = 5 if high - low <= 50 else 10
    start = Decimal(math.floor(low / step) * step)
    end = Decimal(math.floor(high / step) * step + step)
    edges = {start + step * i for i in range(int((end - start) / step) + 1)}
    edges |= {lower for _label, lower in bands_hf if start < lower < end}
    return sorted(edges)


def _distribution_alt(values: list[Decimal], bands_hf: list[tuple[str, Decimal]]) -> str:
    if not values:
        return _("Phân bố chỉ số CCHC: chưa có đơn vị nào có chỉ số.")
    text = ngettext(
        "Phân bố chỉ số CCHC của %(n)d đơn vị, từ %(low)s đến %(high)s.",
        "Phân bố chỉ số CCHC của %(n)d đơn vị, từ %(low)s đến %(high)s.",
        len(values),
    ) % {"n": len(values), "low": vn_number(min(values)), "high": vn_number(max(values))}
    if bands_hf:
        counts = [0] * (len(bands_hf) + 1)
        for v in values:
            band = _band_of(v, bands_hf)
            counts[len(bands_hf) if band is None else band] += 1
        parts = [f"{label} {counts[i]}" for i, (label, _lower) in enumerate(bands_hf)]
        if counts[-1]:
            parts.append(_("dưới mọi xếp loại %(n)d") % {"n": counts[-1]})
        text += " " + _("Số đơn vị theo xếp loại: %(counts)s.") % {"counts": ", ".join(parts)}
    return text


# --- A unit's fields against the average and the leader --------------------------------------


def _percent(points: Decimal | None, max_points: Decimal) -> float | None:
    if points is None or not max_points:
        return None
    return float(points / max_points * 100)


def field_profile(
    fields: Sequence[ProfileField],
    *,
    mine_label: str,
    average_label: str,
    leader_label: str,
    title: str,
) -> Chart:
    """Each field's points as a share of its maximum: the unit's bar (blue, its value written),
    the level's average (grey, hatched) and the year's leader (orange, dotted), so the three are
    told apart without colour too. A missing value draws no bar."""
    fields = list(fields)
    series = [
        (mine_label, "mine", BLUE, ""),
        (average_label, "average", GREY, "////"),
        (leader_label, "leader", ORANGE, ".."),
    ]
    words = {
        "none": _("Không có lĩnh vực nào."),
        "axis": _("Điểm đạt so với tối đa (%)"),  # short: the axis is as wide as the bars
    }

    def height(_width: float) -> float:
        return NO_DATA_HEIGHT if not fields else 1.0 + 0.62 * len(fields)

    def draw(figure: Figure) -> None:
        if not fields:
            _no_data(figure, words["none"])
            return
        ax = figure.add_subplot()
        _style_axes(ax, grid_axis="x")
        bar = 0.26
        for k, (label, attr, colour, hatch) in enumerate(series):
            for i, f in enumerate(fields):
                value = _percent(getattr(f, attr), f.max_points)
                y = i + (k - 1) * bar
                if value is None:
                    if attr == "mine":
                        ax.text(1, y, "—", va="center", fontsize=7.5, color=INK)
                    continue
                ax.barh(
                    y,
                    value,
                    height=bar * 0.92,
                    color=colour,
                    edgecolor=EDGE,
                    linewidth=0.5,
                    hatch=hatch,
                    label=label if i == 0 else None,
                )
                if attr == "mine":
                    ax.text(value + 1, y, vn_number(value, 1), va="center", fontsize=7.5, color=INK)
        ax.set_yticks(range(len(fields)), [textwrap.fill(shorten(f.label, 70), 34) for f in fields])
        ax.tick_params(axis="y", length=0, labelsize=8)
        ax.set_ylim(len(fields) - 0.5, -0.5)
        ax.set_xlim(0, 108)
        ax.set_xticks([0, 20, 40, 60, 80, 100])
        ax.xaxis.set_major_formatter(_vn_axis)
        ax.set_xlabel(words["axis"])
        handles = [
            Patch(facecolor=colour, edgecolor=EDGE, linewidth=0.5, hatch=hatch, label=label)
            for label, _attr, colour, hatch in series
        ]
        _legend(ax, handles)

    return Chart(
        title=title,
        alt=_profile_alt(fields, mine_label, average_label),
        draw=draw,
        height=height,
        svg_width_inches=COLUMN_SVG_INCHES,
        key=chart_key(
            "field_profile", tuple(fields), mine_label, average_label, leader_label, title
        ),
    )


def _profile_alt(fields: list[ProfileField], mine_label: str, average_label: str) -> str:
    shares = [(f, _percent(f.mine, f.max_points)) for f in fields]
    shares = [(f, s) for f, s in shares if s is not None]
    if not shares:
        return _("Tỷ lệ điểm đạt theo lĩnh vực: chưa có điểm.")
    best = max(shares, key=lambda fs: fs[1])
    worst = min(shares, key=lambda fs: fs[1])
    text = _(
        "Tỷ lệ điểm đạt theo lĩnh vực của %(mine)s: cao nhất %(best)s (%(best_share)s%%), "
        "thấp nhất %(worst)s (%(worst_share)s%%)."
    ) % {
        "mine": mine_label,
        "best": best[0].label,
        "best_share": vn_number(best[1], 1),
        "worst": worst[0].label,
        "worst_share": vn_number(worst[1], 1),
    }
    below = [
        f.label
        for f in fields
        if f.mine is not None and f.average is not None and f.mine < f.average
    ]
    if below:
        text += " " + ngettext(
            "Thấp hơn %(average)s ở %(n)d lĩnh vực: %(fields)s.",
            "Thấp hơn %(average)s ở %(n)d lĩnh vực: %(fields)s.",
            len(below),
        ) % {"average": average_label, "n": len(below), "fields": "; ".join(below)}
    return text


# --- Over the years ---------------------------------------------------------------------------

HIGHLIGHT_COLOURS = [BLUE, VERMILLION, SKY, ORANGE]


def over_the_years(
    series: Sequence[Series],
    years: Sequence[int],
    *,
    title: str,
    value_label: str,
    invert: bool = False,
) -> Chart:
    """One line per series over ``years`` (None: a gap); highlighted series in colour with a
    label at their last point, the others thin and grey behind them. ``invert`` puts the
    smallest value on top, for ranks (rank 1 highest), with whole-number ticks."""
    series = list(series)
    years = list(years)
    places = 0 if invert else 2
    words = {"none": _("Chưa có số liệu.")}

    def height(_width: float) -> float:
        return NO_DATA_HEIGHT if not series or not years else 3.4

    def draw(figure: Figure) -> None:
        if not series or not years:
            _no_data(figure, words["none"])
            return
        ax = figure.add_subplot()
        _style_axes(ax, grid_axis="y")
        highlighted = [s for s in series if s.highlight]
        ordered = [s for s in series if not s.highlight] + highlighted  # colour drawn on top
        colour_of = {
            id(s): HIGHLIGHT_COLOURS[i % len(HIGHLIGHT_COLOURS)] for i, s in enumerate(highlighted)
        }
        markers = ["o", "s", "D", "^"]
        for s in ordered:
            ys = [float(v) if v is not None else math.nan for v in s.values]
            if s.highlight:
                k = highlighted.index(s)
                ax.plot(
                    years,
                    ys,
                    color=colour_of[id(s)],
                    linewidth=2.2,
                    marker=markers[k % 4],
                    markersize=5,
                    label=s.label,
                    zorder=3,
                )
                last = max((i for i, v in enumerate(s.values) if v is not None), default=None)
                if last is not None:
                    ax.annotate(
                        vn_number(s.values[last], places),
                        (years[last], ys[last]),
                        xytext=(6, 0),
                        textcoords="offset points",
                        va="center",
                        fontsize=8,
                        fontweight="bold",
                        color=INK,
                    )
            else:
                ax.plot(
                    years, ys, color=LIGHT_GREY, linewidth=1, marker="o", markersize=2.5, zorder=2
                )
        ax.set_xticks(years, [str(y) for y in years])
        span = max(years[-1] - years[0], 1)
        ax.set_xlim(
            years[0] - 0.08 * span - 0.2, years[-1] + 0.16 * span + 0.2
        )  # room for the label
        if invert:
            ranks = [int(v) for s in series for v in s.values if v is not None]
            worst = max(ranks, default=1)
            step = 1 if worst <= 15 else 5 if worst <= 60 else 10
            ax.set_yticks(sorted({1, *range(step, worst + 1, step)}))
            ax.set_ylim(worst + 0.5, 0.5)  # rank 1 on top
        ax.yaxis.set_major_formatter(_vn_axis)
        ax.set_ylabel(value_label)
        if highlighted:
            _legend(ax, ax.get_legend_handles_labels()[0])

    return Chart(
        title=title,
        alt=_years_alt(series, years, value_label, places),
        draw=draw,
        height=height,
        svg_width_inches=COLUMN_SVG_INCHES,
        key=chart_key(
            "over_the_years",
            tuple((s.label, tuple(s.values), s.highlight) for s in series),
            tuple(years),
            title,
            value_label,
            invert,
        ),
    )


def _years_alt(series: list[Series], years: list[int], value_label: str, places: int) -> str:
    shown = [s for s in series if s.highlight] or series[:1]
    if not shown or not years:
        return _("%(value)s qua các năm: chưa có số liệu.") % {"value": value_label}
    parts = []
    for s in shown:
        points = [
            f"{year} {vn_number(v, places) if v is not None else '—'}"
            for year, v in zip(years, s.values, strict=False)
        ]
        parts.append(f"{s.label}: {', '.join(points)}")
    text = _("%(value)s qua các năm.") % {"value": value_label} + " " + "; ".join(parts) + "."
    others = len(series) - len(shown)
    if others:
        text += " " + ngettext(
            "Cùng %(n)d đơn vị khác (màu xám).",
            "Cùng %(n)d đơn vị khác (màu xám).",
            others,
        ) % {"n": others}
    return text
