"""Malware scanning of every stored file: a scanner interface, the ClamAV backend (clamd's
INSTREAM protocol over TCP or a Unix socket) and the choice by settings.

`ATTACHMENT_SCANNER`: `none` (default; nothing is scanned) or `clamav` (`CLAMD_SOCKET` =
path of clamd's Unix socket, or `CLAMD_HOST`/`CLAMD_PORT`; `CLAMD_TIMEOUT` seconds). Further
backends register with `register_scanner(name, factory)` from an AppConfig.ready().

A scanner that is down, slow or answers garbage raises `ScannerUnavailable`. The file is then
stored as "pending scan" (`scan_or_defer`): customers cannot download it, nor can staff unless
`ATTACHMENT_SCAN_FAIL_OPEN=true`, until the rescan job (tickets.scan_jobs) finds it clean, or
quarantines it. `ATTACHMENT_SCAN_ASYNC=true` stores every file pending and lets the job scan
it (a slow scanner then costs the upload nothing).
"""

from __future__ import annotations

import logging
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    signature: str = ""
    # No verdict yet: stored as pending and rescanned by a job.
    pending: bool = False

    @property
    def infected(self) -> bool:
        return not self.clean and not self.pending

    @property
    def status(self) -> str:
        return "clean" if self.clean else ("pending" if self.pending else "infected")


PENDING = ScanResult(clean=False, pending=True)


class ScannerUnavailable(Exception):
    """The scanner could not give a verdict (down, timed out, unintelligible answer)."""


class Scanner(Protocol):
    def scan(self, content: bytes) -> ScanResult: ...


class NoScanner:
    def scan(self, content: bytes) -> ScanResult:
        return ScanResult(clean=True)


class ClamdScanner:
    """clamd's INSTREAM: `zINSTREAM\\0`, chunks each prefixed by a 4-byte big-endian length,
    a zero-length chunk; the answer is `stream: OK` or `stream: <signature> FOUND`."""

    def __init__(
        self,
        *,
        socket_path: str = "",
        host: str = "127.0.0.1",
        port: int = 3310,
        timeout: float = 10.0,
    ):
        self.socket_path, self.host, self.port, self.timeout = socket_path, host, port, timeout

    def _connect(self) -> socket.socket:
        if self.socket_path:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            sock.connect(self.socket_path)
            return sock
        return socket.create_connection((self.host, self.port), timeout=self.timeout)

    def scan(self, content: bytes) -> ScanResult:
        try:
            with self._connect() as sock:
                sock.sendall(b"zINSTREAM\0")
                for start in range(0, len(content), CHUNK):
                    chunk = content[start : start + CHUNK]
                    sock.sendall(struct.pack("!L", len(chunk)) + chunk)
                sock.sendall(struct.pack("!L", 0))
                answer = _read_answer(sock)
        except OSError as exc:
            raise ScannerUnavailable(f"clamd unreachable: {exc}") from exc
        return _verdict(answer)


def _read_answer(sock: socket.socket, limit: int = 4096) -> bytes:
    data = b""
    while b"\0" not in data and len(data) < limit:
        part = sock.recv(1024)
        if not part:
            break
        data += part
    return data.split(b"\0", 1)[0]


def _verdict(answer: bytes) -> ScanResult:
    text = answer.decode("utf-8", "replace").strip()
    if not text.startswith("stream:"):
        raise ScannerUnavailable(f"unexpected clamd answer: {text[:80]!r}")
    body = text[len("stream:") :].strip()
    if body == "OK":
        return ScanResult(clean=True)
    if body.endswith(" FOUND") and len(body) > len(" FOUND"):
        return ScanResult(clean=False, signature=body[: -len(" FOUND")].strip()[:200])
    raise ScannerUnavailable(f"clamd could not scan: {body[:80]!r}")


def _clamav() -> Scanner:
    return ClamdScanner(
        socket_path=getattr(settings, "CLAMD_SOCKET", ""),
        host=getattr(settings, "CLAMD_HOST", "127.0.0.1"),
        port=int(getattr(settings, "CLAMD_PORT", 3310)),
        timeout=float(getattr(settings, "CLAMD_TIMEOUT", 10)),
    )


_factories: dict[str, Callable[[], Scanner]] = {"none": NoScanner, "clamav": _clamav}


def register_scanner(name: str, factory: Callable[[], Scanner]) -> None:
    _factories[name] = factory


def active_scanner() -> Scanner:
    name = (getattr(settings, "ATTACHMENT_SCANNER", "none") or "none").lower()
    try:
        return _factories[name]()
    except KeyError as exc:
        raise ScannerUnavailable(f"unknown ATTACHMENT_SCANNER {name!r}") from exc


def scanning_enabled() -> bool:
    return (getattr(settings, "ATTACHMENT_SCANNER", "none") or "none").lower() != "none"


def fail_open() -> bool:
    return bool(getattr(settings, "ATTACHMENT_SCAN_FAIL_OPEN", False))


def scan_content(content: bytes) -> ScanResult:
    """The scanner's verdict on `content`; raises `ScannerUnavailable` without one."""
    return active_scanner().scan(content)


def scan_or_defer(content: bytes) -> ScanResult:
    """The verdict for a file about to be stored: clean, infected, or pending (scanning is
    asynchronous, or the scanner gave no verdict). Never raises."""
    if scanning_enabled() and getattr(settings, "ATTACHMENT_SCAN_ASYNC", False):
        return PENDING
    try:
        return scan_content(content)
    except ScannerUnavailable as exc:
        logger.warning("File stored pending a malware scan: %s", exc)
        return PENDING
