"""Organisation storage: units, members' branches, the roster, invites, roles, transfers and
group chats."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime

from bot.org.members import Departure, Invite, Member, RosterEntry
from bot.org.transfers import TransferRequest, TransferStatus
from bot.org.tree import Kind, Level, Unit, UnitChanges, UnitInUseError
from bot.storage.base import Connection, Dialect, Row, StoreBase, from_ms, marks, to_ms

MEMBER_COLUMNS = (
    "id, telegram_id, first_name, real_name, branch_id, party_joined_on, unreachable_since"
)


class OrgStore(StoreBase):
    async def sync_units(self, units: Sequence[Unit], now: datetime) -> UnitChanges:
        """Make the stored units match ``units`` (already checked as a tree), keeping every
        id's history. Raises ``UnitInUseError`` and changes nothing if a unit to be removed
        still has members."""
        async with self._transaction() as db:
            current = {
                row["id"]: row
                for row in await db.all("SELECT id, name, parent_id, active FROM org_units")
            }
            wanted = {unit.id for unit in units}
            gone = [uid for uid, row in current.items() if row["active"] and uid not in wanted]
            in_use: dict[str, int] = {}
            for uid in gone:
                row = await db.one("SELECT COUNT(*) FROM members WHERE branch_id = ?", (uid,))
                if row and row[0]:
                    in_use[uid] = int(row[0])
            if in_use:
                raise UnitInUseError(in_use)
            changes = UnitChanges(removed=sorted(gone))
            for unit in units:
                before = current.get(unit.id)
                if before is None or not before["active"]:
                    changes.added.append(unit.id)
                else:
                    if before["name"] != unit.name:
                        changes.renamed.append(unit.id)
                    if before["parent_id"] != unit.parent:
                        changes.moved.append(unit.id)
            await db.executemany(
                """
                INSERT INTO org_units (id, name, level, kind, parent_id, leaderboard, active,
                                       updated_at)
                VALUES (?, ?, ?, ?, ?, ?, 1, ?)
                ON CONFLICT (id) DO UPDATE SET
                    name = excluded.name, level = excluded.level, kind = excluded.kind,
                    parent_id = excluded.parent_id, leaderboard = excluded.leaderboard,
                    active = 1, updated_at = excluded.updated_at
                """,
                [
                    (
                        u.id,
                        u.name,
                        u.level.value,
                        u.kind.value,
                        u.parent,
                        int(u.leaderboard),
                        to_ms(now),
                    )
                    for u in units
                ],
            )
            await db.executemany(
                "UPDATE org_units SET active = 0, updated_at = ? WHERE id = ?",
                [(to_ms(now), uid) for uid in gone],
            )
        return changes

    async def units(self) -> list[Unit]:
        rows = await self._all(
            f"SELECT * FROM org_units WHERE active = 1 ORDER BY {self._dialect.insertion_order}"
        )
        return [
            Unit(
                row["id"],
                row["name"],
                Level(row["level"]),
                Kind(row["kind"]),
                row["parent_id"],
                bool(row["leaderboard"]),
            )
            for row in rows
        ]

    # Members: every write to a member row is in this store.

    async def member_id(self, telegram_id: int) -> int | None:
        row = await self._one("SELECT id FROM members WHERE telegram_id = ?", (telegram_id,))
        return int(row["id"]) if row else None

    async def upsert_member(
        self,
        telegram_id: int,
        first_name: str,
        last_name: str | None,
        username: str | None,
        now: datetime,
    ) -> int:
        """Record a Telegram user as a member (or refresh their names) and return the id."""
        row = await self._write_returning(
            """
            INSERT INTO members (telegram_id, first_name, last_name, username,
                                 created_at, last_seen_at)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (telegram_id) DO UPDATE SET
                first_name = excluded.first_name,
                last_name = excluded.last_name,
                username = excluded.username,
                last_seen_at = excluded.last_seen_at,
                unreachable_since = NULL
            RETURNING id
            """,
            (telegram_id, first_name, last_name, username, to_ms(now), to_ms(now)),
        )
        assert row is not None
        return int(row["id"])

    async def member(self, telegram_id: int) -> Member | None:
        row = await self._one(
            f"SELECT {MEMBER_COLUMNS} FROM members WHERE telegram_id = ?", (telegram_id,)
        )
        return member_of_row(row) if row else None

    async def member_by_id(self, member_id: int) -> Member | None:
        row = await self._one(f"SELECT {MEMBER_COLUMNS} FROM members WHERE id = ?", (member_id,))
        return member_of_row(row) if row else None

    async def members_in(self, branch_ids: Collection[str]) -> list[Member]:
        rows = await self._all(
            f"SELECT {MEMBER_COLUMNS} FROM members WHERE branch_id IN ({marks(branch_ids)}) "
            "ORDER BY id",
            tuple(branch_ids),
        )
        return [member_of_row(row) for row in rows]

    async def set_real_name(self, telegram_id: int, real_name: str) -> bool:
        return await self._write(
            "UPDATE members SET real_name = ? WHERE telegram_id = ?", (real_name, telegram_id)
        )

    async def join_branch(
        self, telegram_id: int, real_name: str, branch_id: str, by: int, now: datetime
    ) -> bool:
        """Put the member into a branch under their real name. A roster entry of that branch
        with the same name and no Telegram account yet is merged into them (its join date
        kept). Returns whether a roster entry matched."""
        async with self._transaction() as db:
            roster = await db.one(
                """
                SELECT id, party_joined_on FROM members
                WHERE branch_id = ? AND real_name = ? AND telegram_id IS NULL
                ORDER BY id LIMIT 1
                """,
                (branch_id, real_name),
            )
            if roster is not None:
                # Membership history: the roster entry's stays in branches (and its
                # transfers) become the joiner's, so the periods it was counted in keep their
                # figures — and the roster row, no longer referenced, can go.
                joiner = await _member_id(db, telegram_id)
                # A request to transfer the roster entry is now the joiner's (anything the
                # joiner had pending is void: they were in no branch).
                await db.execute(
                    "UPDATE transfer_requests SET status = 'void' "
                    "WHERE member_id = ? AND status = 'pending'",
                    (joiner,),
                )
                for table in ("memberships", "transfers", "transfer_requests"):
                    await db.execute(
                        f"UPDATE {table} SET member_id = ? WHERE member_id = ?",
                        (joiner, roster["id"]),
                    )
                await db.execute("DELETE FROM members WHERE id = ?", (roster["id"],))
            row = await db.one(
                """
                UPDATE members SET branch_id = ?, real_name = ?,
                    party_joined_on = COALESCE(party_joined_on, ?)
                WHERE telegram_id = ?
                RETURNING id
                """,
                (branch_id, real_name, roster["party_joined_on"] if roster else None, telegram_id),
            )
            if row is None:
                raise LookupError(f"no member with Telegram id {telegram_id}")
            await db.execute(
                """
                INSERT INTO transfers (member_id, from_branch, to_branch, by_telegram_id, at)
                VALUES (?, NULL, ?, ?, ?)
                """,
                (row["id"], branch_id, by, to_ms(now)),
            )
            if roster is None:
                await _move(db, self._dialect, row["id"], branch_id, now, by)
        return roster is not None

    async def add_roster(self, entries: Sequence[RosterEntry], now: datetime) -> int:
        """List members who have not opened the bot yet; they count in their branch's
        statistics (and as unreachable) from today. All entries or none."""
        async with self._transaction() as db:
            for e in entries:
                row = await db.one(
                    """
                    INSERT INTO members (real_name, branch_id, party_joined_on, created_at)
                    VALUES (?, ?, ?, ?) RETURNING id
                    """,
                    (
                        e.real_name,
                        e.branch_id,
                        e.party_joined_on.isoformat() if e.party_joined_on else None,
                        to_ms(now),
                    ),
                )
                assert row is not None
                await _move(db, self._dialect, row["id"], e.branch_id, now, None)
        return len(entries)

    async def transfer(self, member_id: int, to_branch: str, by: int, now: datetime) -> None:
        """组织关系转接: the member moves, their history stays theirs."""
        async with self._transaction() as db:
            await _transfer(db, self._dialect, member_id, to_branch, by, now)

    # Transfer requests (组织关系转接 into a branch outside the sender's scope)

    async def open_transfer_request(
        self,
        member_id: int,
        from_branch: str,
        to_branch: str,
        by: int,
        now: datetime,
        expires_at: datetime,
    ) -> tuple[TransferRequest, bool]:
        """A new request to move the member, and True; or the member's pending request, and
        False (one at a time). A pending request past its time, or for a branch the member
        has left since, is closed first, so it never blocks a new one."""
        async with self._transaction() as db:
            await db.execute(
                """
                UPDATE transfer_requests SET status = 'expired'
                WHERE member_id = ? AND status = 'pending' AND expires_at <= ?
                """,
                (member_id, to_ms(now)),
            )
            await db.execute(
                """
                UPDATE transfer_requests SET status = 'void'
                WHERE member_id = ? AND status = 'pending' AND from_branch <> ?
                """,
                (member_id, from_branch),
            )
            row = await db.one(
                """
                INSERT INTO transfer_requests
                    (member_id, from_branch, to_branch, requested_by, created_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT DO NOTHING
                RETURNING *
                """,
                (member_id, from_branch, to_branch, by, to_ms(now), to_ms(expires_at)),
            )
            opened = row is not None
            if row is None:
                row = await db.one(
                    "SELECT * FROM transfer_requests WHERE member_id = ? AND status = 'pending'",
                    (member_id,),
                )
        assert row is not None
        return _transfer_request(row), opened

    async def transfer_request(self, request_id: int) -> TransferRequest | None:
        row = await self._one("SELECT * FROM transfer_requests WHERE id = ?", (request_id,))
        return _transfer_request(row) if row else None

    async def set_transfer_sender_message(self, request_id: int, message_id: int) -> None:
        await self._write(
            "UPDATE transfer_requests SET sender_message = ? WHERE id = ?",
            (message_id, request_id),
        )

    async def close_transfer_request(
        self, request_id: int, status: TransferStatus, by: int | None, now: datetime
    ) -> bool:
        """Decline, withdraw, expire or void a pending request; False when it was no longer
        pending. Only an expiry may close one past its time: a late 不接收 or 撤回 finds it
        expired instead."""
        lapsed = "expires_at <= ?" if status is TransferStatus.EXPIRED else "expires_at > ?"
        return await self._write(
            f"""
            UPDATE transfer_requests SET status = ?, decided_by = ?, decided_at = ?
            WHERE id = ? AND status = 'pending' AND {lapsed}
            """,
            (status.value, by, to_ms(now), request_id, to_ms(now)),
        )

    async def accept_transfer_request(self, request_id: int, by: int, now: datetime) -> bool:
        """接收: the request is marked accepted and the member moved, in one transaction — only
        while it is pending, in time, and the member is still in the sending branch."""
        async with self._transaction() as db:
            row = await db.one(
                """
                UPDATE transfer_requests SET status = 'accepted', decided_by = ?, decided_at = ?
                WHERE id = ? AND status = 'pending' AND expires_at > ?
                  AND EXISTS (
                      SELECT 1 FROM members
                      WHERE members.id = transfer_requests.member_id
                        AND members.branch_id = transfer_requests.from_branch
                  )
                RETURNING member_id, to_branch
                """,
                (by, to_ms(now), request_id, to_ms(now)),
            )
            if row is None:
                return False
            await _transfer(db, self._dialect, row["member_id"], row["to_branch"], by, now)
        return True

    async def depart(
        self, member_id: int, reason: Departure, on: datetime, by: int
    ) -> datetime | None:
        """The member leaves the organisation (出党, 去世, 转出本系统) at ``on``: no longer in a
        branch, their history kept. Returns None, changing nothing, when ``on`` is before
        they joined their branch; else the moment they joined it."""
        async with self._transaction() as db:
            row = await db.one(
                "SELECT joined_at FROM memberships WHERE member_id = ? AND left_at IS NULL",
                (member_id,),
            )
            if row is None or row["joined_at"] > to_ms(on):
                return None
            await _move(db, self._dialect, member_id, None, on, by, reason)
            await db.execute("UPDATE members SET branch_id = NULL WHERE id = ?", (member_id,))
        return from_ms(row["joined_at"])

    async def set_party_joined_on(self, member_id: int, joined: date) -> None:
        await self._write(
            "UPDATE members SET party_joined_on = ? WHERE id = ?", (joined.isoformat(), member_id)
        )

    async def set_member_unreachable(self, member_id: int, since: datetime) -> None:
        """Telegram refused to deliver to them (blocked the bot, chat gone): 未联系上 until they
        write to the bot again."""
        await self._write(
            "UPDATE members SET unreachable_since = ? WHERE id = ? AND unreachable_since IS NULL",
            (to_ms(since), member_id),
        )

    # Roles

    async def role_grants(self) -> list[tuple[int, str]]:
        rows = await self._all("SELECT telegram_id, unit_id FROM role_grants")
        return [(row["telegram_id"], row["unit_id"]) for row in rows]

    async def grant_role(self, telegram_id: int, unit_id: str, by: int, now: datetime) -> bool:
        return await self._write(
            """
            INSERT INTO role_grants (telegram_id, unit_id, granted_by, granted_at)
            VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING
            """,
            (telegram_id, unit_id, by, to_ms(now)),
        )

    async def revoke_role(self, telegram_id: int, unit_id: str) -> bool:
        return await self._write(
            "DELETE FROM role_grants WHERE telegram_id = ? AND unit_id = ?",
            (telegram_id, unit_id),
        )

    async def record_refusal(self, telegram_id: int, command: str, now: datetime) -> None:
        await self._write(
            "INSERT INTO refusals (telegram_id, command, at) VALUES (?, ?, ?)",
            (telegram_id, command, to_ms(now)),
        )

    # Invites

    async def create_invite(
        self, code: str, branch_id: str, by: int, now: datetime, expires_at: datetime | None
    ) -> None:
        await self._write(
            """
            INSERT INTO invites (code, branch_id, created_by, created_at, expires_at)
            VALUES (?, ?, ?, ?, ?)
            """,
            (code, branch_id, by, to_ms(now), to_ms(expires_at) if expires_at else None),
        )

    async def invite(self, code: str) -> Invite | None:
        row = await self._one("SELECT * FROM invites WHERE code = ?", (code,))
        if row is None:
            return None
        return Invite(
            row["code"],
            row["branch_id"],
            row["created_by"],
            from_ms(row["created_at"]),
            from_ms(row["expires_at"]) if row["expires_at"] is not None else None,
            from_ms(row["revoked_at"]) if row["revoked_at"] is not None else None,
        )

    async def revoke_invites(self, branch_id: str, now: datetime) -> int:
        return await self._count(
            "UPDATE invites SET revoked_at = ? WHERE branch_id = ? AND revoked_at IS NULL",
            (to_ms(now), branch_id),
        )

    # Group chats

    async def bind_group(
        self, chat_id: int, unit_id: str, by: int, now: datetime, *, takeover: bool
    ) -> bool:
        """Bind a group chat to a unit. A group bound to another unit is moved only with
        ``takeover`` (an admin): one secretary cannot take another branch's group. False when
        the group stays where it was."""
        return await self._write(
            """
            INSERT INTO group_chats (chat_id, unit_id, bound_by, bound_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (chat_id) DO UPDATE SET unit_id = excluded.unit_id,
                bound_by = excluded.bound_by, bound_at = excluded.bound_at
            WHERE ? OR group_chats.unit_id = excluded.unit_id
            """,
            (chat_id, unit_id, by, to_ms(now), takeover),
        )

    async def forget_group_chats(self) -> None:
        """The sandbox's emulator starts with new chats each run; old bindings point nowhere."""
        await self._write("DELETE FROM group_chats", ())

    async def group_chats_of(self, unit_id: str) -> list[int]:
        rows = await self._all("SELECT chat_id FROM group_chats WHERE unit_id = ?", (unit_id,))
        return [row[0] for row in rows]

    async def group_unit(self, chat_id: int) -> str | None:
        """The unit a group chat was bound to with /bindgroup, if any."""
        row = await self._one("SELECT unit_id FROM group_chats WHERE chat_id = ?", (chat_id,))
        return row[0] if row else None

    async def members_with_anniversary_on(self, days: Collection[str] | None) -> list[Member]:
        """Members in a branch whose Party-joining anniversary is one of ``days`` (``"MM-DD"``;
        None: any day)."""
        where = "" if days is None else f"AND substr(party_joined_on, 6, 5) IN ({marks(days)})"
        rows = await self._all(
            f"""
            SELECT {MEMBER_COLUMNS} FROM members
            WHERE party_joined_on IS NOT NULL AND branch_id IS NOT NULL {where}
            """,
            tuple(sorted(days or ())),
        )
        return [member_of_row(row) for row in rows]


# Membership history (``memberships``, docs/organisation.md). Every write of a member's branch
# in this module also calls ``_move``, in the same transaction: the statistics of a past period
# count who was in a branch at its end from these rows, never from ``members.branch_id``.


async def _move(
    db: Connection,
    dialect: Dialect,
    member_id: int,
    branch_id: str | None,
    at: datetime,
    by: int | None,
    departure: Departure | None = None,
) -> None:
    """End the member's current stay in a branch (if any) at ``at`` and begin one in
    ``branch_id`` (None: they left, for ``departure``)."""
    await db.execute(
        f"""
        UPDATE memberships SET left_at = {dialect.greatest("?", "joined_at")}, left_reason = ?
        WHERE member_id = ? AND left_at IS NULL
        """,
        (to_ms(at), departure.value if departure else "transfer", member_id),
    )
    if branch_id is not None:
        await db.execute(
            """
            INSERT INTO memberships (member_id, branch_id, joined_at, recorded_by)
            VALUES (?, ?, ?, ?)
            """,
            (member_id, branch_id, to_ms(at), by),
        )


async def _transfer(
    db: Connection, dialect: Dialect, member_id: int, to_branch: str, by: int, now: datetime
) -> None:
    """Move a member into ``to_branch``: the transfer, the member row and the history."""
    await db.execute(
        """
        INSERT INTO transfers (member_id, from_branch, to_branch, by_telegram_id, at)
        SELECT id, branch_id, ?, ?, ? FROM members WHERE id = ?
        """,
        (to_branch, by, to_ms(now), member_id),
    )
    await db.execute("UPDATE members SET branch_id = ? WHERE id = ?", (to_branch, member_id))
    await _move(db, dialect, member_id, to_branch, now, by)


def _transfer_request(row: Row) -> TransferRequest:
    return TransferRequest(
        id=row["id"],
        member_id=row["member_id"],
        from_branch=row["from_branch"],
        to_branch=row["to_branch"],
        requested_by=row["requested_by"],
        created_at=from_ms(row["created_at"]),
        expires_at=from_ms(row["expires_at"]),
        status=TransferStatus(row["status"]),
        decided_by=row["decided_by"],
        sender_message=row["sender_message"],
    )


async def _member_id(db: Connection, telegram_id: int) -> int | None:
    row = await db.one("SELECT id FROM members WHERE telegram_id = ?", (telegram_id,))
    return int(row["id"]) if row else None


def member_of_row(row: Row) -> Member:
    """A member from a row of ``members`` (with its columns by name), for every store."""
    return Member(
        id=row["id"],
        telegram_id=row["telegram_id"],
        first_name=row["first_name"],
        real_name=row["real_name"],
        branch_id=row["branch_id"],
        party_joined_on=date.fromisoformat(row["party_joined_on"])
        if row["party_joined_on"]
        else None,
        unreachable_since=from_ms(row["unreachable_since"])
        if row["unreachable_since"] is not None
        else None,
    )
