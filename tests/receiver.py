"""A webhook receiver on 127.0.0.1 that verifies Standard Webhooks signatures with the
`standardwebhooks` package and answers what the test scripted."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    webhook_id: str
    verified: bool
    body: dict[str, Any]
    status: int


@dataclass
class Receiver:
    secret: str
    statuses: list[int] = field(default_factory=list)  # answers in order, then 200
    received: list[Received] = field(default_factory=list)
    url: str = ""


@contextmanager
def receiving(secret: str, statuses: list[int] | None = None) -> Iterator[Receiver]:
    state = Receiver(secret, list(statuses or []))
    verifier = Webhook(secret)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                verifier.verify(body, headers)
                verified = True
            except WebhookVerificationError:
                verified = False
            status = state.statuses.pop(0) if state.statuses else (200 if verified else 401)
            state.received.append(
                Received(headers.get("webhook-id", ""), verified, json.loads(body), status)
            )
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/aiwatch"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
