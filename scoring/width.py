"""Display width: the one place that says how many terminal cells a text
takes, for everything that lays out Chinese text in columns (`explain`,
`rank`, the diagnostics' carets, the TUI's tables and trees).

Wide and full-width characters (汉字, full-width digits) take two cells,
combining marks none, everything else one; ambiguous-width characters such
as `—` count one, as terminals in a Chinese locale draw them with the fonts
pioneer's users have. The widths are Rich's, the same the TUI renders with,
so a column laid out here lines up on screen.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size

CUT = ".."
"""What `fit` puts where it cut a text (two ASCII dots: one cell each everywhere)."""


def display_width(text: str) -> int:
    """Terminal cells taken by `text` (a CJK character counts two)."""
    return cell_len(text)


def ljust(text: str, width: int) -> str:
    """`text` padded on the right to `width` cells."""
    return text + " " * max(width - cell_len(text), 0)


def rjust(text: str, width: int) -> str:
    """`text` padded on the left to `width` cells."""
    return " " * max(width - cell_len(text), 0) + text


def fit(text: str, width: int) -> str:
    """`text` cut to at most `width` cells, ending in `..` when cut."""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, max(width - len(CUT), 0)).rstrip() + CUT
