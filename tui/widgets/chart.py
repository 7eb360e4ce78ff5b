"""The score distribution of an award: a histogram of the ranked totals in
equal-width bins, drawn with block characters, bars measured from zero, with
the range of totals written underneath."""

from __future__ import annotations

from decimal import Decimal

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Label

from scoring.browse import Facets
from scoring.numbers import fixed
from tui.lang import tr

BINS = 32
"""Bars of the histogram: one cell each (the side panel is this wide)."""
EIGHTHS = " ▁▂▃▄▅▆▇█"


def bars(counts: list[int], height: int) -> list[str]:
    """`counts` as `height` lines of block characters, tallest bar = full
    height, every non-empty bin at least one eighth of a cell."""
    peak = max(counts, default=0)
    if not peak or height <= 0:
        return [" " * len(counts)] * max(height, 0)
    levels = [0 if n == 0 else max(1, round(n * height * 8 / peak)) for n in counts]
    lines = []
    for row in range(height, 0, -1):
        floor = (row - 1) * 8
        lines.append("".join(EIGHTHS[min(max(level - floor, 0), 8)] for level in levels))
    return lines


class Histogram(Widget):
    """Bars of a histogram; the colour comes from the stylesheet."""

    counts: reactive[list[int]] = reactive(list, layout=False)

    def render(self) -> str:
        return "\n".join(bars(self.counts, self.size.height))


class ScoreChart(Vertical):
    def compose(self) -> ComposeResult:
        yield Label(tr("chart.title"), id="chart-title")
        yield Histogram(id="chart-bars")
        with Horizontal(id="chart-axis"):
            yield Label("", id="chart-low")
            yield Label("", id="chart-high")
        yield Label("", id="chart-note")

    def show(self, facets: Facets) -> None:
        self.query_one("#chart-bars", Histogram).counts = list(facets.histogram)
        self.query_one("#chart-low", Label).update(_figure(facets.low) if facets.ranked else "")
        self.query_one("#chart-high", Label).update(_figure(facets.high) if facets.ranked else "")
        peak = max(facets.histogram, default=0)
        self.query_one("#chart-note", Label).update(
            tr("chart.note", step=fixed(facets.step, 2), peak=peak)
            if facets.ranked
            else tr("chart.empty")
        )


def _figure(value: Decimal) -> str:
    """A total without trailing zeros: 87.50 -> 87.5, 90.00 -> 90."""
    text = str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text
