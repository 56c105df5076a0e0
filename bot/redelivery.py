"""Whether the update being handled may have been handled before.

Among several processes (docs/scaling.md) an update is handed out at least once: a worker
killed after the bot recorded what an update did, but before it sent the replies, leaves
the update to the next worker, which handles it again. The database refuses the second
effect (an answer is recorded once), but the replies the first worker never sent must still
go out. The worker sets this flag around such updates; the handlers that "commit, then tell"
then tell again what was committed instead of answering "already done".
"""

from __future__ import annotations

from contextvars import ContextVar

possibly_handled_before: ContextVar[bool] = ContextVar("possibly_handled_before", default=False)
