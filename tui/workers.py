"""Workers: how a query's failure reaches the one handler of the app, and how
a widget finds the store from the UI thread."""

from __future__ import annotations

from typing import Protocol, cast

from textual.dom import DOMNode
from textual.message import Message
from textual.worker import Worker, WorkerState

from scoring.browse import Store


class QueryFailed(Message):
    """A worker raised; the app shows it as a notification."""

    def __init__(self, worker: Worker[object], error: BaseException) -> None:
        super().__init__()
        self.worker = worker
        self.error = error


class ForwardWorkerErrors:
    """Mixed into every widget or screen that runs workers: a worker's state
    changes reach only the node that started it, so failures are sent on to
    the app, whose `on_query_failed` is the single error handler."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state == WorkerState.ERROR and worker.error is not None:
            worker.node.app.post_message(QueryFailed(worker, worker.error))


class _HasStore(Protocol):
    store: Store


def store_of(node: DOMNode) -> Store:
    """The store of the running review app (call from the UI thread)."""
    return cast(_HasStore, node.app).store
