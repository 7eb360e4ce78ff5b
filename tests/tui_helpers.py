"""Waiting for the reviewer TUI in Pilot tests: never sleep, settle workers."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot
from textual.worker import WorkerState


async def settle(pilot: Pilot[None]) -> None:
    """Wait until no worker is pending or running and every message is handled
    (a handled message may start the next worker)."""
    for _ in range(50):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        busy = [
            w for w in pilot.app.workers if w.state in (WorkerState.PENDING, WorkerState.RUNNING)
        ]
        if not busy:
            await pilot.pause()
            return
    raise AssertionError("workers did not settle")


async def until(pilot: Pilot[None], ready: Callable[[], bool]) -> None:
    """Settle until `ready()` holds (a message handler may still be running
    when the last worker has finished)."""
    for _ in range(100):
        await settle(pilot)
        if ready():
            return
    raise AssertionError("the UI never got ready")
