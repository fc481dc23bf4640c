"""Test helper: the requests a raw socket server receives, one at a time (Content-Length bodies)."""

from __future__ import annotations

import socket
from typing import Iterator


def received_requests(sock: socket.socket) -> Iterator[bytes]:
    """Each full request (head, blank line, body) sent on `sock`, until the client closes it."""
    buffer = b""
    while True:
        while b"\r\n\r\n" not in buffer:
            chunk = sock.recv(65536)
            if not chunk:
                return
            buffer += chunk
        head, _, buffer = buffer.partition(b"\r\n\r\n")
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length"))
        while len(buffer) < length:
            buffer += sock.recv(65536)
        yield head + b"\r\n\r\n" + buffer[:length]
        buffer = buffer[length:]
