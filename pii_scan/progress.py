"""A one-line progress bar for a scan: sources done, bytes, rows, elapsed time.

It draws on standard error only when that is a terminal (so nothing is written when the
output is piped or redirected) and never when turned off (``--quiet``).  It is thread-safe:
worker results arrive on the process pool's thread.

>>> import io
>>> out = io.StringIO()
>>> progress = Progress(out, enabled=True, interval=0)
>>> progress.start(files=10, total_bytes=5 << 30)
>>> progress.rows(65_536)
>>> progress.source_done(1 << 30)
>>> out.getvalue().rsplit(chr(13), 1)[-1].split(" · ")[:3]
['[####--------------------] 1/10 sources', '1 GiB/5 GiB', '65,536 rows']
>>> progress.close()  # clears the line
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

from .sources.inputs import human_size

__all__ = ["Progress"]

_WIDTH = 24


class Progress:
    """Draws ``[#####-----] 3/10 sources · 1.2 GiB/5.0 GiB · 1,234,567 rows · 12s``."""

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        enabled: bool | None = None,
        interval: float = 0.2,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self.interval = interval
        self.files = self.total_files = 0
        self.bytes = self.total_bytes = 0
        self.row_count = 0
        self._started = time.monotonic()
        self._drawn = 0.0
        self._width = 0
        self._lock = threading.Lock()

    def start(self, files: int, total_bytes: int) -> None:
        with self._lock:
            self.total_files, self.total_bytes = files, total_bytes
            self._started = time.monotonic()
            self._draw(force=True)

    def rows(self, n: int) -> None:
        with self._lock:
            self.row_count += n
            self._draw()

    def source_done(self, nbytes: int, rows: int = 0) -> None:
        with self._lock:
            self.files += 1
            self.bytes += nbytes
            self.row_count += rows
            self._draw(force=True)

    def close(self) -> None:
        with self._lock:
            if self.enabled and self._width:
                self.stream.write("\r" + " " * self._width + "\r")
                self.stream.flush()
            self._width = 0

    def line(self) -> str:
        """The text of the bar as it stands."""
        total = self.total_bytes or 0
        if total:
            share = min(self.bytes / total, 1.0)
        else:
            share = self.files / self.total_files if self.total_files else 0.0
        filled = int(share * _WIDTH)
        bar = "#" * filled + "-" * (_WIDTH - filled)
        size = human_size(self.bytes) + (f"/{human_size(total)}" if total else "")
        elapsed = int(time.monotonic() - self._started)
        return (
            f"[{bar}] {self.files}/{self.total_files} sources · {size} · "
            f"{self.row_count:,} rows · {elapsed}s"
        )

    def _draw(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._drawn < self.interval:
            return
        self._drawn = now
        text = self.line()
        pad = max(self._width - len(text), 0)
        self.stream.write("\r" + text + " " * pad)
        self.stream.flush()
        self._width = len(text)
