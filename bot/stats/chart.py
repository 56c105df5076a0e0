"""Participation charts as PNG, with Chinese labels in a CJK font.

matplotlib draws empty boxes for Chinese characters when no CJK font is installed; rather
than send such an image, the renderer reports that it cannot draw (once, in the log) and the
caller sends the text report instead. Drawing uses matplotlib's object API with the Agg
canvas, never pyplot's global state, so it can run in a worker thread.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

log = logging.getLogger(__name__)

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


def find_cjk_font() -> str | None:
    """The path of an installed font that has Chinese characters, if there is one; sans
    serif simplified-Chinese faces first, because they read best at small sizes."""
    for family in CJK_FAMILIES:
        for entry in font_manager.fontManager.ttflist:
            if family in entry.name and entry.weight in (400, "normal", "regular"):
                return str(entry.fname)
    return None


@dataclass(frozen=True)
class Bar:
    label: str
    rate: float
    average: float | None


class ChartRenderer:
    """Draws with the font at ``font_path``; with None it cannot draw (see ``available``)."""

    def __init__(self, font_path: str | None) -> None:
        self._font = font_path
        self._warned = False

    @property
    def available(self) -> bool:
        if self._font is None and not self._warned:
            log.warning(
                "no CJK font found (install fonts-noto-cjk); charts are sent as text reports"
            )
            self._warned = True
        return self._font is not None

    def chart(self, title: str, bars: Sequence[Bar], *, horizontal: bool) -> bytes:
        """Participation rate as bars (with the average score written on each), one bar per
        branch (horizontal, best at the top) or per month (vertical, in time order)."""
        assert self._font is not None, "check .available first"
        props = font_manager.FontProperties(fname=self._font)
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
            axes.set_xlabel("参学率（%）", fontproperties=props)
        else:
            axes.bar(positions, rates, color=PARTY_RED, width=0.6)
            axes.set_xticks(positions, labels, fontproperties=props)
            axes.set_ylim(0, 110)
            axes.set_ylabel("参学率（%）", fontproperties=props)
        for position, rate, item in zip(positions, rates, bars, strict=True):
            note = f"{rate:.0f}%" + (
                f" · 均分{item.average:.0f}" if item.average is not None else ""
            )
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
