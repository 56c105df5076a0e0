"""Participation charts as PNG, with Chinese labels in a CJK font.

matplotlib draws empty boxes for Chinese characters when no CJK font is installed; rather
than send such an image, drawing reports that it cannot (the caller sends the text report
instead). Charts are drawn in the report worker process (``report_process.py``): matplotlib
costs the bot ~50 MB and a chart ~0.6 s of CPU that would hold up quiz taps, so it is imported
there, inside these functions, and never by the bot itself.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.i18n import Texts

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK",
    "Noto Serif CJK",
    "Source Han",
    "WenQuanYi",
    "Droid Sans Fallback",
    "SimHei",
    "Microsoft YaHei",
    "PingFang",
    "AR PL",
)
PARTY_RED = "#B22222"
GOLD = "#DAA520"
AUTO_FONT = "auto"
"""``chart_font`` setting: look for an installed CJK font."""
NO_FONT = "none"
"""``chart_font`` setting: never draw, always send the text report."""


@dataclass(frozen=True)
class Bar:
    label: str
    rate: float
    average: float | None


def find_cjk_font() -> str | None:
    """The path of an installed font that has Chinese characters, if there is one; sans
    serif simplified-Chinese faces first, because they read best at small sizes."""
    from matplotlib import font_manager

    for family in CJK_FAMILIES:
        for entry in font_manager.fontManager.ttflist:
            if family in entry.name and entry.weight in (400, "normal", "regular"):
                return str(entry.fname)
    return None


def font_for(setting: str) -> str | None:
    """The font file the ``chart_font`` setting names: found, switched off, or given."""
    if setting == AUTO_FONT:
        return find_cjk_font()
    if setting == NO_FONT:
        return None
    return setting if Path(setting).is_file() else None


def draw_chart(
    title: str, bars: Sequence[Bar], *, horizontal: bool, font: str, texts: Texts
) -> bytes:
    """Participation rate as bars (with the average score written on each), one bar per
    branch (horizontal, best at the top) or per month (vertical, in time order). Uses
    matplotlib's object API with the Agg canvas, never pyplot's global state."""
    from matplotlib import font_manager
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    props = font_manager.FontProperties(fname=font)
    height = max(3.5, 0.42 * len(bars) + 1.5) if horizontal else 4.5
    figure = Figure(figsize=(8, height), dpi=110)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(bars)))
    rates = [100 * b.rate for b in bars]
    labels = [b.label for b in bars]
    if horizontal:
        positions = positions[::-1]
        axes.barh(positions, rates, color=PARTY_RED)
        axes.set_yticks(positions, labels, fontproperties=props)
        axes.set_xlim(0, 110)
        axes.set_xlabel(texts.chart_rate_axis, fontproperties=props)
    else:
        axes.bar(positions, rates, color=PARTY_RED, width=0.6)
        axes.set_xticks(positions, labels, fontproperties=props)
        axes.set_ylim(0, 110)
        axes.set_ylabel(texts.chart_rate_axis, fontproperties=props)
    for position, rate, item in zip(positions, rates, bars, strict=True):
        note = f"{rate:.0f}%"
        if item.average is not None:
            note += " · " + texts.chart_average.format(average=f"{item.average:.0f}")
        if horizontal:
            axes.text(rate + 1, position, note, va="center", fontproperties=props, fontsize=8)
        else:
            axes.text(position, rate + 2, note, ha="center", fontproperties=props, fontsize=8)
    axes.set_title(title, fontproperties=props, fontsize=13, color=PARTY_RED)
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="x" if horizontal else "y", color=GOLD, alpha=0.3)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
