"""A minimal Language Server Protocol client over stdio, enough to ask
yaml-language-server what an editor would show: diagnostics and hovers."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, BinaryIO

SETTINGS = {"validate": True, "hover": True, "completion": True, "schemas": {}}


class LspClient:
    """One yaml-language-server process; `open` a file, then `hover`."""

    def __init__(self, command: list[str], root: Path) -> None:
        self.proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self.inbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self.diagnostics: dict[str, list[dict[str, Any]]] = {}
        self.next_id = 1
        assert self.proc.stdout is not None
        threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True).start()
        self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": root.as_uri(),
                "capabilities": {
                    "textDocument": {"hover": {"contentFormat": ["markdown"]}},
                    "workspace": {"configuration": True},
                },
            },
        )
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": {"yaml": SETTINGS}})

    def _read(self, out: BinaryIO) -> None:
        try:
            self._read_messages(out)
        except (OSError, ValueError):  # the pipe closed under us: the client is done
            return

    def _read_messages(self, out: BinaryIO) -> None:
        while True:
            header = b""
            while not header.endswith(b"\r\n\r\n"):
                byte = out.read(1)
                if not byte:
                    return
                header += byte
            length = next(
                int(line.split(":")[1])
                for line in header.decode().split("\r\n")
                if line.lower().startswith("content-length")
            )
            self.inbox.put(json.loads(out.read(length)))

    def _send(self, message: dict[str, Any]) -> None:
        data = json.dumps(message).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        self.proc.stdin.flush()

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: dict[str, Any], timeout: float = 30) -> Any:
        ident = self.next_id
        self.next_id += 1
        self._send({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            message = self.pump(0.2)
            if message is not None and message.get("id") == ident and "method" not in message:
                return message.get("result")
        raise TimeoutError(method)

    def pump(self, wait: float) -> dict[str, Any] | None:
        """Handle one message from the server (answering its requests)."""
        try:
            message = self.inbox.get(timeout=wait)
        except queue.Empty:
            return None
        if "method" in message and "id" in message:
            items = message.get("params", {}).get("items", [])
            result = [SETTINGS if i.get("section") == "yaml" else None for i in items]
            self._send({"jsonrpc": "2.0", "id": message["id"], "result": result or None})
            return None
        if message.get("method") == "textDocument/publishDiagnostics":
            params = message["params"]
            self.diagnostics[params["uri"]] = params["diagnostics"]
        return message

    def open(self, path: Path, settle: float = 15) -> list[dict[str, Any]]:
        """Open a file; its diagnostics once the server has published them."""
        uri = path.as_uri()
        text = path.read_text(encoding="utf-8")
        self.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}},
        )
        end = time.monotonic() + settle
        while time.monotonic() < end and uri not in self.diagnostics:
            self.pump(0.2)
        # the schema is fetched asynchronously: a second report may follow
        quiet = time.monotonic() + 2
        while time.monotonic() < quiet:
            self.pump(0.2)
        return self.diagnostics.get(uri, [])

    def hover(self, path: Path, line: int, col: int) -> str:
        """The hover text at a 1-based line and column."""
        result = self.request(
            "textDocument/hover",
            {
                "textDocument": {"uri": path.as_uri()},
                "position": {"line": line - 1, "character": col - 1},
            },
        )
        if not result:
            return ""
        contents = result.get("contents")
        return contents.get("value", "") if isinstance(contents, dict) else str(contents)

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()
