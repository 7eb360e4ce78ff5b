"""The types an expression can have, and how messages name them."""

from __future__ import annotations

from typing import Literal

from ..catalog import ColumnType

ExprType = Literal["number", "bool", "text", "date", "null"]
"""The type of a whole expression (`int` and `number` columns are both `number`)."""

ValueType = Literal["number", "bool", "text", "date", "null", "duration"]
"""The type of a sub-expression: an `ExprType`, or `duration` inside date arithmetic."""

Inferred = Literal["number", "bool", "text", "date", "null", "duration", "error"]
"""What the checker infers; `error` marks a sub-expression that already has an issue."""

DESCRIBE: dict[str, str] = {
    "number": "a number",
    "bool": "true/false",
    "text": "text",
    "date": "a date",
    "null": "null",
    "duration": "a duration (`days(n)`, `months(n)` or `years(n)`)",
    "error": "invalid",
    "int": "a number",
}


def value_type(column: ColumnType) -> ValueType:
    """The expression type of a declared column type."""
    if column == "int" or column == "number":
        return "number"
    return column
