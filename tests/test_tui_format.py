"""The UI's text helpers: display-width layout, labels, the histogram bars."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from rich.cells import cell_len

from scoring.width import fit, ljust, rjust
from tui.format import metric_text, plain_cell, status_words
from tui.widgets.chart import bars

TUI = Path(__file__).resolve().parent.parent / "tui"


def test_padding_counts_display_cells_not_characters() -> None:
    assert cell_len(ljust("丁鹏飞", 8)) == 8
    assert ljust("丁鹏飞", 8) == "丁鹏飞  "
    assert rjust("24435", 8) == "   24435"
    assert rjust("无数据", 8) == "  无数据"


def test_fit_cuts_by_cells() -> None:
    assert fit("short", 10) == "short"
    cut = fit("比业务比服务比奉献", 9)
    assert cell_len(cut) <= 9 and cut.endswith("..")


def test_status_words() -> None:
    words = status_words(selected=True, boundary_tie=True, vetoed=False, eligible=True)
    assert [w for w, _ in words] == ["入选", "并列"]
    words = status_words(selected=False, boundary_tie=False, vetoed=True, eligible=False)
    assert [w for w, _ in words] == ["否决", "不合资格"]


def test_metric_text() -> None:
    assert metric_text({"n": "0.986126"}) == "0.986126"
    assert metric_text(None) == "无数据"
    assert metric_text(True) == "是"


def test_histogram_bars_start_at_zero() -> None:
    lines = bars([0, 1, 2, 4], 2)
    assert len(lines) == 2 and all(len(line) == 4 for line in lines)
    assert [line[0] for line in lines] == [" ", " "]  # an empty bin stays empty
    assert [line[3] for line in lines] == ["█", "█"]  # the peak fills the height
    assert lines[1][1] == "▄" and lines[0][1] == " "  # a quarter of the peak
    assert bars([5, 5], 1) == ["██"]  # equal bins are equal, not min-scaled
    assert bars([], 3) == ["", "", ""]


def test_ui_text_has_no_ambiguous_width_glyphs() -> None:
    """… “ ” ★ and friends render one or two cells depending on the terminal;
    the UI's own strings avoid them (the histogram's blocks are the exception)."""
    allowed = set(" ▁▂▃▄▅▆▇█")
    for path in sorted(TUI.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        bad = {
            ch
            for ch in text
            if ord(ch) > 127 and unicodedata.east_asian_width(ch) == "A" and ch not in allowed
        }
        assert not bad, f"{path.name}: {sorted(bad)}"


def test_ambiguous_width_characters_in_names_are_made_steady() -> None:
    from scoring.width import ambiguous, display_width, steady

    for name in ("县邮件处理中心—东风乡邮路", "阿依古丽·买买提", "“先锋”班组…"):
        shown = steady(name)
        assert ambiguous(shown) == [], shown
        assert display_width(shown) >= display_width(name)
    assert steady("张三") == "张三"
    assert str(plain_cell("王—五")) == "王－五"
