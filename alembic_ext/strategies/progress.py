"""Backfill progress: rows done / total, rate and ETA, through logging always and a
tqdm bar when tqdm is installed (the ``progress`` extra) and asked for."""

from __future__ import annotations

import logging
import time
from typing import Any, Final

__all__ = ["Progress"]

log: Final = logging.getLogger("alembic.runtime.ruvector")
#: Seconds between two progress log lines.
LOG_EVERY: Final = 5.0


class Progress:
    def __init__(self, label: str, *, bar: bool) -> None:
        self.label = label
        self.want_bar = bar
        self.bar: Any = None
        self.total = 0
        self.done = 0
        self.started = 0.0
        self.first = 0
        self.logged = 0.0

    def start(self, total: int, done: int) -> None:
        self.total, self.done, self.first = total, done, done
        self.started = self.logged = time.perf_counter()
        if self.want_bar:
            try:
                from tqdm import tqdm
            except ImportError:
                log.info(
                    "online: install tqdm (pip install 'sqlalchemy-ruvector[progress]') "
                    "for a progress bar"
                )
            else:
                self.bar = tqdm(total=total, initial=done, desc=self.label, unit="row")
        log.info("online: %s: backfill of %d rows starts at %d", self.label, total, done)

    def advance(self, rows: int) -> None:
        self.done += rows
        if self.bar is not None:
            self.bar.update(rows)
        now = time.perf_counter()
        if now - self.logged >= LOG_EVERY:
            self.logged = now
            log.info("online: %s: %s", self.label, self.line(now))

    def line(self, now: float) -> str:
        rate = (self.done - self.first) / max(now - self.started, 1e-9)
        left = max(self.total - self.done, 0)
        eta = f"{left / rate:.0f}s" if rate > 0 else "unknown"
        return f"{self.done:,}/{self.total:,} rows, {rate:,.0f} rows/s, ETA {eta}"

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        log.info("online: %s: backfill done: %s", self.label, self.line(time.perf_counter()))
