"""The safe expression language of pioneer rules (SPEC §2.3).

One small language serves `eligible`, `metric`, `veto.when`, `formula` and
`when`. Its syntax is a strict subset of Python expressions, read by Python's
parser and converted through a whitelist; user text is never evaluated.

Pipeline: `parse(text) -> Expr` (syntax, `nodes`), `check(text, ctx) ->
CheckedExpr` (names and types against the catalog), `compile_expr(checked)
-> (env -> value)` (closures, exact arithmetic, SQL null semantics).

Syntax
    literals: numbers (decimal digits only, kept exact), `'text'` or `"text"`,
    `true`/`false` (`True`/`False`), `null` (`None`), lists `[...]` only after
    `in`/`not in`; bare names (subject columns, `x`); `period.start`,
    `period.end`; `subject.NAME` (in row filters); `T.col`, `T[cond]`,
    `T[cond].col` (in aggregates); `+ - * /`, unary `- +`, comparisons
    `== != < <= > >=` (chains such as `0 < x <= 5` allowed), `and or not`,
    `in`, `not in`, `x if c else y`, and the functions `count`,
    `count_distinct`, `sum`, `avg`, `min`, `max`, `median`, `trimmed_mean`,
    `share`, `abs`, `round`, `least`, `greatest`, `coalesce`, `days`, `months`,
    `years`, `node`; and award result fields `A.grade`, `A.rank`, ... (see
    `scoring.expr.fields`).
    A convenience beyond the SPEC: `a is null` / `a is not null` (true or
    false, never null). Line breaks are white space; `#` comments are refused.
    Limits: at most 5000 characters and 100 levels of nesting.

Issue codes (`ExprIssue.code`)
    E-EXPR-SYNTAX       not a valid expression (Python syntax error, empty text,
                        comment, text literal spanning lines)
    E-EXPR-UNSUPPORTED  valid Python but not in the language (`**`, `//`, `%`,
                        lambda, comprehension, f-string, keyword argument,
                        starred, dict/set/tuple, list outside `in`, slice,
                        other attribute access or subscripts, calls of non-names,
                        `is` with anything but null)
    E-EXPR-NUMBER       a number literal with exponent, hex/octal/binary, `_`
                        separators or imaginary part
    E-EXPR-LITERAL      an argument that must be a literal is not: `round`'s n
                        and `trimmed_mean`'s k (non-negative integers), `node`'s
                        path (text)
    E-EXPR-FUNC         unknown function (with a "did you mean" hint)
    E-EXPR-ARITY        wrong number of arguments
    E-EXPR-NAME         unknown column, table, `period` field or hidden award total
    E-EXPR-LINK         an aggregated table with no link to the subject table
                        (or the subject table itself)
    E-EXPR-AGG          an aggregate over something that is not table rows or a
                        table column (`sum(name)`), or missing its column/condition
    E-EXPR-SCOPE        something not available where it is used: `x` without a
                        metric, `node()` outside formula/when, `subject.NAME`
                        outside a row filter, table rows outside an aggregate,
                        aggregates / `x` / tables inside a row filter
    E-EXPR-TYPE         operands or arguments of the wrong type
    E-EXPR-NODE         `node('PATH')` naming no criteria node available here
    E-EXPR-LIMIT        the expression is too long or nested too deeply
"""

from ..numbers import Value
from . import nodes
from .env import DictEnv, EvalEnv
from .evaluate import compile_expr, compile_row_filter, evaluate
from .functions import AGGREGATES, FUNCTIONS, FunctionSpec
from .issues import CODES, ExprError, ExprIssue, line_col, render_issue
from .kinds import ExprType, ValueType
from .nodes import Expr, render
from .parse import MAX_DEPTH, MAX_LENGTH, parse
from .typecheck import CheckedExpr, ExprContext, check

__all__ = [
    "AGGREGATES",
    "CODES",
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "CheckedExpr",
    "DictEnv",
    "EvalEnv",
    "Expr",
    "ExprContext",
    "ExprError",
    "ExprIssue",
    "ExprType",
    "FunctionSpec",
    "Value",
    "ValueType",
    "check",
    "compile_expr",
    "compile_row_filter",
    "evaluate",
    "line_col",
    "nodes",
    "parse",
    "render",
    "render_issue",
]
