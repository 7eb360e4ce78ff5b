"""Text cells that look like a number a spreadsheet rewrote (issue 8, point 4).

Excel and LibreOffice keep 15 significant digits. An 18-digit 身份证号 or a
long account number typed into a cell formatted as a number comes back as
`6.10328198704183E+017` or `610328198704183000`: the last digits are gone
for good. Such a cell in a `text` column is accepted (it may be genuine) but
warned about, with file, line, column and value, so that the office can fix
the column's format and export again. Pure functions; no I/O.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

SIGNIFICANT = 15
"""The significant digits a spreadsheet keeps in a number."""

_SCIENTIFIC = re.compile(r"[+-]?[0-9](?:\.[0-9]+)?[eE][+-][0-9]{1,3}")
_DIGITS = frozenset("0123456789")

SCIENTIFIC = (
    "looks like a number a spreadsheet wrote in scientific notation: the digits "
    "after the 15th are lost; format the column as text in the workbook and export it again"
)
ZEROS = (
    "looks like a number a spreadsheet rounded to 15 digits (every digit after the "
    "15th is 0): format the column as text in the workbook and export it again"
)
NATIVE = (
    "a number of 16 or more digits in a text column of the workbook: a spreadsheet "
    "keeps 15 significant digits, so the last ones may be lost; format the column as text"
)


def rewritten_text(text: str) -> str | None:
    """Why the text cell `text` (trimmed) looks like a rewritten number, or None."""
    if not text or text[-1] not in _DIGITS:
        return None
    if len(text) > SIGNIFICANT and text.isascii() and text.isdigit():
        if text[0] != "0" and not text[SIGNIFICANT:].strip("0"):
            return ZEROS
        return None
    if ("E" in text or "e" in text) and _SCIENTIFIC.fullmatch(text):
        return SCIENTIFIC
    return None


def rewritten_native(raw: object, text: str) -> str | None:
    """Why a workbook's numeric cell `raw`, stored as `text` in a text column, is suspect.

    A number of 16 or more digits cannot have come through a spreadsheet
    intact, whatever its last digits.
    """
    if isinstance(raw, bool) or not isinstance(raw, int | float | Fraction | Decimal):
        return None
    digits = "".join(char for char in text if char in _DIGITS).lstrip("0")
    return NATIVE if len(digits) > SIGNIFICANT else rewritten_text(text)
