"""Render the 公示 notice of an export document in one of its formats."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from scoring.export.notice import Notice, build_notice
from scoring.export.notice_csv import notice_csv
from scoring.export.notice_html import notice_html
from scoring.export.notice_md import notice_md


def _xlsx(notice: Notice) -> bytes:
    # openpyxl is loaded only when an xlsx is asked for: importing it costs a
    # command that never writes one (`pioneer rank`) a tenth of a second.
    from scoring.export.notice_xlsx import notice_xlsx

    return notice_xlsx(notice)


_RENDERERS: Final[Mapping[str, Callable[[Notice], bytes]]] = {
    "csv": notice_csv,
    "xlsx": _xlsx,
    "md": notice_md,
    "html": notice_html,
}
NOTICE_FORMATS: Final[tuple[str, ...]] = tuple(_RENDERERS)


def render_notice(
    doc: Mapping[str, Any], fmt: str, *, masked: Mapping[str, frozenset[str]]
) -> bytes:
    """Render the 公示 list of an export document (SPEC §4.1) as `fmt` bytes.

    `fmt` is one of `NOTICE_FORMATS` (csv, xlsx, md, html). `masked[award]`
    names the fields among {"name", "unit"} that come from `private` columns;
    every award of the document needs an entry. Raises ValueError for an
    unknown format, a missing or unknown award in `masked`, or a field that
    cannot be masked. See `scoring.export.notice` for which subjects are listed.
    """
    try:
        renderer = _RENDERERS[fmt]
    except KeyError:
        raise ValueError(
            f"unknown notice format {fmt!r}; expected one of: {', '.join(NOTICE_FORMATS)}"
        ) from None
    return renderer(build_notice(doc, masked))
