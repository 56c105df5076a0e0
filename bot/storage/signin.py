"""Sign-in storage: the sign-in sessions secretaries open (code, token, window, the live
message) and the wrong codes members type, counted to stop guessing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.meetings.events import SigninSession
from bot.storage.base import StoreBase, from_ms, to_ms


class SigninStore(StoreBase):
    async def open(
        self,
        event_id: int,
        branch_id: str,
        token: str,
        code: str,
        opens_at: datetime,
        closes_at: datetime,
        by: int,
        now: datetime,
    ) -> SigninSession:
        """The event's session: this one, or the one opened first (one per event)."""
        await self._write(
            """
            INSERT INTO signin_sessions (event_id, branch_id, token, code, opens_at, closes_at,
                                         opened_by, opened_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (event_id) DO NOTHING
            """,
            (event_id, branch_id, token, code, to_ms(opens_at), to_ms(closes_at), by, to_ms(now)),
        )
        found = await self.of_event(event_id)
        assert found is not None
        return found

    async def of_event(self, event_id: int) -> SigninSession | None:
        row = await self._one("SELECT * FROM signin_sessions WHERE event_id = ?", (event_id,))
        return _session(row) if row else None

    async def by_token(self, token: str) -> SigninSession | None:
        row = await self._one("SELECT * FROM signin_sessions WHERE token = ?", (token,))
        return _session(row) if row else None

    async def with_code(
        self, code: str, closing_after: datetime, branch_id: str | None
    ) -> list[SigninSession]:
        """Sessions with ``code`` that close after ``closing_after`` (of one branch, or of
        any), the latest opening first."""
        where = "" if branch_id is None else "AND branch_id = ?"
        rows = await self._all(
            f"""
            SELECT * FROM signin_sessions WHERE code = ? AND closes_at > ? {where}
            ORDER BY opens_at DESC, id DESC
            """,
            (code, to_ms(closing_after), *((branch_id,) if branch_id is not None else ())),
        )
        return [_session(row) for row in rows]

    async def open_in(
        self, branch_id: str, closing_after: datetime, opened_by: datetime
    ) -> list[SigninSession]:
        """The branch's sessions open at some time in [opened_by … closing_after]: opened
        by ``opened_by`` and closing after ``closing_after``."""
        rows = await self._all(
            """
            SELECT * FROM signin_sessions
            WHERE branch_id = ? AND closes_at >= ? AND opens_at <= ?
            """,
            (branch_id, to_ms(closing_after), to_ms(opened_by)),
        )
        return [_session(row) for row in rows]

    async def codes_in_use(self, branch_id: str, now: datetime) -> set[str]:
        rows = await self._all(
            "SELECT code FROM signin_sessions WHERE branch_id = ? AND closes_at >= ?",
            (branch_id, to_ms(now)),
        )
        return {row[0] for row in rows}

    async def set_board(self, session_id: int, chat_id: int, message_id: int) -> None:
        """The message that shows the live count (the latest one the secretary was sent)."""
        await self._write(
            "UPDATE signin_sessions SET board_chat = ?, board_message = ? WHERE id = ?",
            (chat_id, message_id, session_id),
        )

    async def record_failure(self, telegram_id: int, now: datetime) -> None:
        await self._write(
            "INSERT INTO signin_failures (telegram_id, failed_at) VALUES (?, ?)",
            (telegram_id, to_ms(now)),
        )

    async def failures_since(self, telegram_id: int, since: datetime) -> int:
        row = await self._one(
            "SELECT COUNT(*) FROM signin_failures WHERE telegram_id = ? AND failed_at > ?",
            (telegram_id, to_ms(since)),
        )
        return int(row[0]) if row else 0


def _session(row: Any) -> SigninSession:
    return SigninSession(
        id=row["id"],
        event_id=row["event_id"],
        branch_id=row["branch_id"],
        token=row["token"],
        code=row["code"],
        opens_at=from_ms(row["opens_at"]),
        closes_at=from_ms(row["closes_at"]),
        opened_by=row["opened_by"],
        opened_at=from_ms(row["opened_at"]),
        board_chat=row["board_chat"],
        board_message=row["board_message"],
    )
