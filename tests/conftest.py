"""Shared fixtures. Test data is made in code; real published files come from ../shared."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

SHARED_BOUNDARIES = Path(__file__).resolve().parents[1].parent / "shared" / "boundaries"


@pytest.fixture
def http_server():
    """Serve a folder on loopback; yields a function folder -> base URL."""
    servers = []

    def serve(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass
