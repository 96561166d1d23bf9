"""Ask ClamAV's daemon (clamd) whether an upload carries a virus, over its own socket protocol.

clamd's INSTREAM command takes the file in chunks, each after its length as four big-endian
bytes, and a zero length to end; it answers ``stream: OK`` or ``stream: <signature> FOUND``.
Anything else (a refused connection, a timeout, an ``... ERROR`` reply such as the daemon's
size limit) is ``ScanError``: callers refuse the file rather than keep it unchecked.
"""

import socket
import struct
from collections.abc import Iterable
from urllib.parse import urlsplit

CHUNK_BYTES = 64 * 1024


class ScanError(Exception):
    """The daemon could not be reached or did not give a verdict."""


def _connect(url: str, timeout: float) -> socket.socket:
    parts = urlsplit(url)
    if parts.scheme == "tcp" and parts.hostname and parts.port:
        return socket.create_connection((parts.hostname, parts.port), timeout=timeout)
    if parts.scheme == "unix" and parts.path:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(parts.path)
        except OSError:
            sock.close()
            raise
        return sock
    raise ScanError(f"CLAMAV_URL must be tcp://host:port or unix:///path, not {url!r}.")


def _pieces(chunks: Iterable[bytes]) -> Iterable[bytes]:
    for chunk in chunks:
        for start in range(0, len(chunk), CHUNK_BYTES):
            yield chunk[start : start + CHUNK_BYTES]


def scan(chunks: Iterable[bytes], *, url: str, timeout: float) -> str | None:
    """The name of the virus found in the stream of ``chunks``, or None if it is clean.

    Raises ``ScanError`` when there is no verdict.
    """
    try:
        with _connect(url, timeout) as sock:
            sock.sendall(b"zINSTREAM\0")
            for piece in _pieces(chunks):
                if piece:
                    sock.sendall(struct.pack("!I", len(piece)) + piece)
            sock.sendall(struct.pack("!I", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                data = sock.recv(4096)
                if not data:
                    break
                reply += data
    except OSError as error:  # refused, reset, timed out (socket.timeout is an OSError)
        raise ScanError(f"clamd at {url} did not answer: {error}") from error
    answer = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if answer == "stream: OK":
        return None
    if answer.startswith("stream: ") and answer.endswith(" FOUND"):
        return answer.removeprefix("stream: ").removesuffix(" FOUND").strip() or "a virus"
    raise ScanError(f"clamd at {url} gave no verdict: {answer!r}")
