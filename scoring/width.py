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

import unicodedata

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


_STEADY = str.maketrans(
    {
        "\u2014": "\uff0d",  # — em dash -> － full-width hyphen-minus
        "\u2013": "-",  # – en dash
        "\u2015": "\uff0d",  # ― horizontal bar
        "\u00b7": "\u30fb",  # · middle dot (in 阿依古丽·买买提) -> ・ katakana middle dot
        "\u2027": "\u30fb",  # ‧ hyphenation point
        "\u2026": "..",  # … ellipsis
        "\u201c": '"',  # “
        "\u201d": '"',  # ”
        "\u2018": "'",  # ‘
        "\u2019": "'",  # ’
        "\u00d7": "x",  # ×
    }
)


def steady(text: str) -> str:
    """`text` with the ambiguous-width characters common in names and titles
    replaced by ones every terminal draws at the same width, so columns stay
    aligned whatever the terminal's ambiguous-width setting; any other
    ambiguous character is left as it is."""
    return text.translate(_STEADY)


def ambiguous(text: str) -> list[str]:
    """The characters of `text` a terminal may draw one or two cells wide."""
    return [ch for ch in text if unicodedata.east_asian_width(ch) == "A"]
