"""The audit log: every entry of the hash chain, newest first, with the
full detail of the highlighted entry."""

from __future__ import annotations

import json

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual.worker import get_current_worker

from scoring.audit import AuditEntry, entries
from scoring.browse import Store
from scoring.width import fit
from tui.format import NONE, action_label, number_cell, plain_cell, short_hash
from tui.lang import tr
from tui.navigation import navigator
from tui.widgets.who import WhoBar
from tui.workers import ForwardWorkerErrors, store_of

SUMMARY_WIDTH = 48


class AuditTable(DataTable[Text]):
    """One row per audit entry."""


def summary(entry: AuditEntry) -> str:
    """The detail of an entry on one line, cut to the column by display width."""
    parts = [f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in entry.detail.items()]
    return fit(" ".join(parts), SUMMARY_WIDTH)


class AuditScreen(ForwardWorkerErrors, Screen[None]):
    BINDINGS = [
        Binding("escape", "back", "key.back_to_runs", id="audit.back"),
        Binding("r", "back", "key.runs", id="audit.runs", show=False),
        Binding("g", "refresh", "key.refresh", id="audit.refresh"),
    ]

    class Loaded(Message):
        def __init__(self, found: list[AuditEntry]) -> None:
            super().__init__()
            self.entries = found

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[int, AuditEntry] = {}

    def compose(self) -> ComposeResult:
        with Horizontal(classes="title-bar"):
            yield Static(Text(tr("audit.title")), id="audit-title", classes="screen-title")
            yield WhoBar(classes="who")
        yield AuditTable(id="audit-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="audit-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#audit-table", AuditTable)
        table.add_column(tr("audit.col_seq"), key="seq")
        table.add_column(tr("audit.col_at"), key="at")
        table.add_column(tr("audit.col_today"), key="today")
        table.add_column(tr("audit.col_actor"), key="actor")
        table.add_column(tr("audit.col_action"), key="action")
        table.add_column(tr("audit.col_run"), key="run")
        table.add_column(tr("audit.col_detail"), key="detail")
        self.action_refresh()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    @work(thread=True, exclusive=True, group="audit", exit_on_error=False)
    def _load(self, store: Store) -> None:
        with store.connect() as db:
            found = entries(db)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(found))

    def on_audit_screen_loaded(self, message: Loaded) -> None:
        table = self.query_one("#audit-table", AuditTable)
        table.clear()
        self.entries = {e.seq: e for e in message.entries}
        for e in reversed(message.entries):
            table.add_row(
                number_cell(e.seq),
                plain_cell(e.at.replace("T", " ")[:19]),
                plain_cell(e.today),
                plain_cell(e.actor),
                plain_cell(action_label(e.action)),
                number_cell(e.run_id),
                plain_cell(summary(e)),
                key=str(e.seq),
            )
        if not message.entries:
            self.query_one("#audit-detail", Static).update(Text(tr("audit.empty")))

    @on(DataTable.RowHighlighted, "#audit-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value
        entry = self.entries.get(int(key)) if key is not None else None
        if entry is None:
            return
        detail = json.dumps(entry.detail, ensure_ascii=False, indent=2)
        self.query_one("#audit-detail", Static).update(
            Text(
                tr(
                    "audit.detail",
                    seq=entry.seq,
                    action=action_label(entry.action),
                    actor=entry.actor,
                    run=entry.run_id if entry.run_id is not None else NONE,
                    hash=short_hash(entry.hash, 16),
                    prev=short_hash(entry.prev_hash, 16),
                )
                + f"\n{detail}"
            )
        )

    def action_refresh(self) -> None:
        self._load(store_of(self))

    def action_back(self) -> None:
        """Back to the runs list itself, not to the screen under it."""
        navigator(self).open_runs()
