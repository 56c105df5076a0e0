"""The storage layer: every SQL statement of the bot lives in this package.

``Storage`` holds one store per feature, all over one ``Database`` (SQLite's one connection,
or a pool of PostgreSQL connections; one write lock). Open it with ``await Storage.open(path
or URL)`` (migrations are applied then); close it with ``close()``.
The composition root hands each service only the stores it needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.storage.attendance import AttendanceStore
from bot.storage.base import BUSY_TIMEOUT, Database
from bot.storage.conversations import ConversationStore
from bot.storage.corrections import CorrectionStore
from bot.storage.engines import open_database
from bot.storage.inbox import InboxStore
from bot.storage.joins import JoinStore
from bot.storage.leases import LeaseStore
from bot.storage.org import OrgStore
from bot.storage.outbox import OutboxStore
from bot.storage.quiz import QuizStore
from bot.storage.signin import SigninStore
from bot.storage.stats import StatsStore
from bot.storage.url import DatabaseUrl


@dataclass(frozen=True)
class Storage:
    database: Database
    org: OrgStore
    """Units, members (the one place that writes member rows), invites, roles, group chats."""
    quiz: QuizStore
    stats: StatsStore
    outbox: OutboxStore
    attendance: AttendanceStore
    corrections: CorrectionStore
    conversations: ConversationStore
    joins: JoinStore
    """Join and rename requests waiting for a secretary."""
    signins: SigninStore
    """Sign-in sessions at meetings and the wrong codes typed."""
    inbox: InboxStore
    """Updates handed from the receiver to the workers (several processes, docs/scaling.md)."""
    leases: LeaseStore

    @classmethod
    async def open(
        cls, target: DatabaseUrl | Path | str, *, busy_timeout: float = BUSY_TIMEOUT
    ) -> Storage:
        database = await open_database(target, busy_timeout=busy_timeout)
        return cls(
            database=database,
            org=OrgStore(database),
            quiz=QuizStore(database),
            stats=StatsStore(database),
            outbox=OutboxStore(database),
            attendance=AttendanceStore(database),
            corrections=CorrectionStore(database),
            conversations=ConversationStore(database),
            joins=JoinStore(database),
            signins=SigninStore(database),
            inbox=InboxStore(database),
            leases=LeaseStore(database),
        )

    async def close(self) -> None:
        await self.database.close()

    async def schema_version(self) -> int:
        return await self.database.schema_version()
