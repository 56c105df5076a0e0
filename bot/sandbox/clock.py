"""The sandbox's simulated clock, kept with the sandbox's data.

The sandbox runs on the wall clock moved forward by an offset (``ShiftedClock``): 立即触发下一个
定时事件 jumps it to the next reminder. The database remembers how far the scheduler has looked
(its watermark), so a clock that went back to real time after a restart would sit behind it and
"fire the next event" would find nothing to do. The offset is therefore written to a small JSON
file next to the database each time the clock moves (atomically: a new file renamed over the
old one), and read back at start. Simulated time keeps its lead over real time while the
sandbox is stopped, so it never runs backwards.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timedelta
from pathlib import Path

from bot.clock import ShiftedClock

log = logging.getLogger(__name__)


def clock_file(database: Path) -> Path:
    """Where the clock of the sandbox whose database is ``database`` is kept."""
    return database.with_name(f"{database.stem}.clock.json")


class SandboxClock(ShiftedClock):
    """A ``ShiftedClock`` whose offset is saved to ``path`` whenever it moves."""

    def __init__(self, path: Path, offset: timedelta | None = None) -> None:
        super().__init__(offset or timedelta())
        self.path = path

    @classmethod
    def load(cls, path: Path) -> SandboxClock:
        """The clock as it was saved; the wall clock when nothing (readable) was saved."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            offset = timedelta(seconds=float(data["offset_seconds"]))
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError, TypeError, KeyError) as error:
            log.warning("sandbox clock %s is unreadable (%s); starting anew", path, error)
            return cls(path)
        return cls(path, max(offset, timedelta()))

    def advance(self, delta: timedelta) -> None:
        super().advance(delta)
        self.save()

    def catch_up(self, moment: datetime) -> None:
        """Move forward to ``moment`` if the clock is behind it (never backwards)."""
        behind = moment - self.now()
        if behind > timedelta():
            self.advance(behind)

    def save(self) -> None:
        """Write the offset (and, for a reader, the simulated time) atomically."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "offset_seconds": self.offset.total_seconds(),
            "simulated_now": self.now().isoformat(),
        }
        partial = self.path.with_name(f"{self.path.name}.tmp")
        with partial.open("w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, self.path)
