"""What `make bench` measured, and the table it prints at the end.

Each benchmark records a `Figure`: the step (ingest, score, export, a read),
the engine, the median of its rounds, the peak memory of the process while
it ran, the figure it is compared with (a hand-written baseline measured in
the same run on the same data, so it is also a ratio) and the targets of
issue 7 it answers to. `table()` lays them out:

    step | engine | median | baseline | ratio | peak RSS | target | holds?

Peak memory is the process's resident set high-water mark (Linux `VmHWM`),
reset before the step (`/proc/self/clear_refs`), so it covers Python, SQLite
and DuckDB alike; it includes what the process held when the step began
(the test process itself, about 100 MB, and what earlier steps left), so the
table also says how far above that the step went (`+N`). Where the reset is
not available it says `n/a`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")
MB = 1024 * 1024
GB = 1024 * MB


def reset_peak() -> bool:
    """Start a new peak-memory window; False where the system cannot."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def _status(field: str) -> int | None:
    try:
        found = re.search(rf"{field}:\s+(\d+) kB", _STATUS.read_text())
    except OSError:
        return None
    return int(found.group(1)) * 1024 if found else None


def peak_rss() -> int | None:
    """The resident set's high-water mark since the last reset, in bytes."""
    return _status("VmHWM")


def rss() -> int | None:
    """The resident set now, in bytes."""
    return _status("VmRSS")


@dataclass(frozen=True)
class Target:
    """One target of issue 7: `kind` is "ratio" (at most `limit` times the
    baseline), "seconds" (median below `limit`), "rate" (rows per second at
    least `limit`) or "memory" (peak below `limit` bytes). `at`: the size the
    issue sets it for (None: any)."""

    kind: str
    limit: float
    at: str | None = None

    def text(self) -> str:
        if self.kind == "ratio":
            return f"<= {self.limit:g}x"
        if self.kind == "seconds":
            return f"< {self.limit:g} s"
        if self.kind == "rate":
            return f">= {self.limit / 1000:g}k rows/s"
        return f"< {self.limit / GB:g} GB peak"


@dataclass
class Figure:
    """One measured step of one engine."""

    step: str
    engine: str
    median: float
    rounds: int
    peak: int | None
    baseline: str | None = None
    """The engine of the same step this figure is divided by."""
    targets: Sequence[Target] = ()
    rows: int | None = None
    """Rows processed (ingest), for a rate."""
    note: str = ""
    start: int | None = None
    """The resident set when the step began (the peak's floor)."""


@dataclass
class Report:
    """Every figure of this run, in the order measured."""

    size: str = "S"
    figures: list[Figure] = field(default_factory=list)

    def add(self, figure: Figure) -> Figure:
        self.figures = [
            f for f in self.figures if (f.step, f.engine) != (figure.step, figure.engine)
        ]
        self.figures.append(figure)
        return figure

    def find(self, step: str, engine: str) -> Figure | None:
        return next((f for f in self.figures if (f.step, f.engine) == (step, engine)), None)

    def ratio(self, figure: Figure) -> float | None:
        base = self.find(figure.step, figure.baseline) if figure.baseline else None
        return figure.median / base.median if base and base.median > 0 else None

    def verdict(self, figure: Figure, target: Target) -> str:
        """ "yes" / "no" (with a "*" when the target is set for another size),
        or "?" when its baseline was not measured."""
        value: float | None
        if target.kind == "ratio":
            value = self.ratio(figure)
        elif target.kind == "seconds":
            value = figure.median
        elif target.kind == "rate":
            value = figure.rows / figure.median if figure.rows and figure.median else None
        else:
            value = figure.peak
        if value is None:
            return "?"
        if target.kind == "rate":
            ok = value >= target.limit
        elif target.kind == "ratio":
            ok = value <= target.limit
        else:
            ok = value < target.limit
        star = "*" if target.at is not None and target.at != self.size else ""
        return ("yes" if ok else "no") + star

    def table(self) -> list[str]:
        """The summary table, one line per figure, with a legend."""
        head = ("step", "engine", "median", "baseline", "ratio", "peak RSS", "target", "holds?")
        rows = [head]
        for f in self.figures:
            base = self.find(f.step, f.baseline) if f.baseline else None
            ratio = self.ratio(f)
            median = _seconds(f.median)
            if f.rows:
                median += f" ({f.rows / f.median / 1000:,.0f}k rows/s)"
            rows.append(
                (
                    f.step,
                    f.engine,
                    median,
                    f"{base.engine} {_seconds(base.median)}" if base else "",
                    f"{ratio:.2f}x" if ratio is not None else "",
                    _memory(f),
                    "; ".join(t.text() for t in f.targets),
                    "; ".join(self.verdict(f, t) for t in f.targets),
                )
            )
        widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
        lines = [
            f"pioneer benchmarks, size {self.size} (medians; ratios within this run)",
            *("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows),
        ]
        if any("*" in self.verdict(f, t) for f in self.figures for t in f.targets):
            lines.append(f"* the issue sets this target at another size than {self.size}")
        notes = {f.step: f"{f.step}: {f.note}" for f in self.figures if f.note}
        return lines + list(notes.values())


def _memory(f: Figure) -> str:
    """The peak, and how far above the resident set at the start it went."""
    if f.peak is None:
        return "n/a"
    grew = f" (+{max(f.peak - f.start, 0) / MB:,.0f})" if f.start is not None else ""
    return f"{f.peak / MB:,.0f} MB{grew}"


def _seconds(value: float) -> str:
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


REPORT = Report()


def measure(
    benchmark: Any,
    fn: Callable[..., Any],
    *,
    step: str,
    engine: str,
    rounds: int,
    setup: Callable[[], tuple[tuple[Any, ...], dict[str, Any]]] | None = None,
    baseline: str | None = None,
    targets: Sequence[Target] = (),
    rows: Callable[[Any], int] | None = None,
    memory: bool = True,
) -> Any:
    """Time `fn` over `rounds` rounds with pytest-benchmark, watch the peak
    memory over them, and record the figure (`rows`: how many rows the
    result says were processed, for a rate); returns `fn`'s last result."""
    benchmark.group = step
    benchmark.extra_info["engine"] = engine
    reset_peak()
    start = rss()
    result = benchmark.pedantic(fn, setup=setup, rounds=rounds, iterations=1)
    REPORT.add(
        Figure(
            step,
            engine,
            float(benchmark.stats.stats.median),
            rounds,
            peak_rss() if memory else None,
            baseline,
            targets,
            rows(result) if rows is not None else None,
            start=start if memory else None,
        )
    )
    return result


def once(step: str, engine: str, fn: Callable[[], Any], note: str = "") -> Any:
    """Time one call of `fn` (a cold start, not repeatable) and record it."""
    reset_peak()
    start = rss()
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    REPORT.add(Figure(step, engine, seconds, 1, peak_rss(), note=note, start=start))
    return result
