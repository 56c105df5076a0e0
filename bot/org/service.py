"""The organisation as handlers use it: who is asking, invites and joining, transfers, roles.

The tree comes from config (inline ``units`` or ``file``) and is applied to storage at start-up,
so a renamed or moved branch keeps its members and records, and a removed branch that still has
members stops the start with a clear message.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.org.access import ADMIN_UNIT, Actor, actor_for
from bot.org.config import OrganisationSettings, UnitSettings
from bot.org.importer import load_units_file
from bot.org.joining import Decision, JoinRequest, RequestKind, real_name
from bot.org.members import Departure, Member
from bot.org.transfers import (
    TRANSFER_REQUEST_DAYS,
    TransferAction,
    TransferOutcome,
    TransferRequest,
    TransferStatus,
)
from bot.org.tree import OrgTree, UnitChanges, UnitInUseError
from bot.storage.joins import JoinStore
from bot.storage.org import OrgStore
from bot.yamlfile import InvalidFileError, Problem


class JoinProblem(StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"
    ALREADY_MEMBER = "already_member"


@dataclass(frozen=True)
class JoinStarted:
    branch_id: str


class RenameProblem(StrEnum):
    BAD_NAME = "bad_name"
    SAME = "same"


@dataclass(frozen=True)
class Joined:
    branch_id: str
    name: str
    roster_matched: bool


@dataclass(frozen=True)
class AwaitingApproval:
    """The name is taken; the branch's secretary decides on ``request`` next."""

    request: JoinRequest


def configured_units(settings: OrganisationSettings) -> list[UnitSettings]:
    """Inline units, or the units of the named file (checked, with row/line positions)."""
    if settings.file is not None:
        return load_units_file(settings.file)
    return list(settings.units)


class OrgService:
    def __init__(
        self,
        store: OrgStore,
        joins: JoinStore,
        settings: OrganisationSettings,
        units: list[UnitSettings],
        tree: OrgTree,
        clock: Clock,
    ) -> None:
        self._store = store
        self._joins = joins
        self._clock = clock
        self.tree = tree
        self._admins = frozenset(settings.admins)
        self._approval = settings.join_approval
        self._branch_approval = {
            u.id: u.join_approval for u in units if u.join_approval is not None
        }
        secretaries: dict[int, set[str]] = {}
        for unit in units:
            for telegram_id in unit.secretaries:
                secretaries.setdefault(telegram_id, set()).add(unit.id)
        self._secretaries = {tid: frozenset(units) for tid, units in secretaries.items()}

    @classmethod
    async def load(
        cls, store: OrgStore, joins: JoinStore, settings: OrganisationSettings, clock: Clock
    ) -> tuple[OrgService, UnitChanges]:
        """Apply the configured tree to the database and build the service around it: the
        tree is fixed from here on and every service is given it once."""
        units = configured_units(settings)
        if units:
            changes = await apply_units(store, units, clock)
        else:
            # Nothing configured: the tree is what `python -m bot org import` stored.
            changes = UnitChanges()
        tree = OrgTree(tuple(await store.units()))
        return cls(store, joins, settings, units, tree, clock), changes

    # Members

    async def register(
        self, telegram_id: int, first_name: str, last_name: str | None, username: str | None
    ) -> int:
        """Record whoever wrote to the bot as a member (or refresh their names, and their
        reachability) and return their id."""
        return await self._store.upsert_member(
            telegram_id, first_name, last_name, username, self._clock.now()
        )

    async def member(self, telegram_id: int) -> Member | None:
        return await self._store.member(telegram_id)

    async def member_by_id(self, member_id: int) -> Member | None:
        return await self._store.member_by_id(member_id)

    async def set_party_joined_on(self, member_id: int, joined: date) -> None:
        await self._store.set_party_joined_on(member_id, joined)

    async def group_unit(self, chat_id: int) -> str | None:
        """The unit a group chat was bound to with /bindgroup, if any."""
        return await self._store.group_unit(chat_id)

    async def actor(self, telegram_id: int) -> Actor:
        member = await self._store.member(telegram_id)
        grants = await self._store.role_grants()
        return actor_for(telegram_id, member, self.tree, self._admins, self._secretaries, grants)

    async def secretaries_of(self, branch_id: str) -> list[int]:
        """Telegram ids of the secretaries of a branch (named in config or promoted)."""
        named = [tid for tid, units in self._secretaries.items() if branch_id in units]
        granted = [tid for tid, unit in await self._store.role_grants() if unit == branch_id]
        return sorted(set(named) | set(granted))

    async def approvers_of(self, branch_id: str) -> list[int]:
        """Who decides on joins and renames in a branch, and hears of joins and leaves: its
        secretaries, or the admins when it has none (so no request waits for nobody)."""
        return await self.secretaries_of(branch_id) or await self.admins()

    async def admins(self) -> list[int]:
        """Telegram ids of the admins (named in config or promoted)."""
        granted = [tid for tid, unit in await self._store.role_grants() if unit == ADMIN_UNIT]
        return sorted(self._admins | set(granted))

    def approval_needed(self, branch_id: str) -> bool:
        return self._branch_approval.get(branch_id, self._approval)

    def branch_name(self, branch_id: str | None) -> str:
        """The unit's name; callers pass known units, so the id stands in for a vanished one."""
        unit = self.tree.by_id.get(branch_id) if branch_id else None
        return unit.name if unit else branch_id or "—"

    # Invites and joining

    async def create_invite(self, actor: Actor, branch_id: str, days: int | None) -> str:
        """A join link's code, good for ``days`` days (None: for good, until revoked)."""
        code = secrets.token_urlsafe(12)
        now = self._clock.now()
        expires = now + timedelta(days=days) if days is not None else None
        await self._store.create_invite(code, branch_id, actor.telegram_id, now, expires)
        return code

    async def revoke_invites(self, branch_id: str) -> int:
        return await self._store.revoke_invites(branch_id, self._clock.now())

    async def start_join(self, member: Member, code: str) -> JoinStarted | JoinProblem:
        """A person opened an invite link: check it (the chat then asks for their real name,
        and hands the code back to ``finish_join``)."""
        invite = await self._store.invite(code)
        if invite is None or invite.branch_id not in self.tree.by_id:
            return JoinProblem.UNKNOWN
        if invite.revoked_at is not None:
            return JoinProblem.REVOKED
        if not invite.usable(self._clock.now()):
            return JoinProblem.EXPIRED
        if member.branch_id is not None:
            return JoinProblem.ALREADY_MEMBER
        return JoinStarted(invite.branch_id)

    async def finish_join(
        self, member: Member, code: str, typed: str
    ) -> Joined | AwaitingApproval | JoinProblem | None:
        """The real name for the invite ``code``. None: the name is not acceptable, ask again.
        The invite and the person are checked again: the link may have been revoked, or the
        person joined a branch, in between. Where the branch approves joins, a request for
        its secretary is opened instead of joining."""
        assert member.telegram_id is not None
        name = real_name(typed)
        if name is None:
            return None
        invite = await self._store.invite(code)
        now = self._clock.now()
        if invite is None or not invite.usable(now):
            return JoinProblem.REVOKED if invite and invite.revoked_at else JoinProblem.EXPIRED
        if member.branch_id is not None:
            return JoinProblem.ALREADY_MEMBER
        if self.approval_needed(invite.branch_id):
            request = await self._joins.open_request(
                RequestKind.JOIN,
                member.telegram_id,
                invite.branch_id,
                name,
                None,
                invite.code,
                now,
            )
            return AwaitingApproval(request)
        matched = await self._store.join_branch(
            member.telegram_id, name, invite.branch_id, invite.created_by, now
        )
        return Joined(invite.branch_id, name, matched)

    async def request_rename(self, member: Member, typed: str) -> JoinRequest | RenameProblem:
        """A member asks for their registered name to be corrected."""
        assert member.telegram_id is not None and member.branch_id is not None
        name = real_name(typed)
        if name is None:
            return RenameProblem.BAD_NAME
        if name == member.real_name:
            return RenameProblem.SAME
        return await self._joins.open_request(
            RequestKind.RENAME,
            member.telegram_id,
            member.branch_id,
            name,
            member.real_name,
            None,
            self._clock.now(),
        )

    async def decide(
        self, actor: Actor, request_id: int, approve: bool
    ) -> tuple[Decision, JoinRequest | None]:
        """A secretary's tap on a join or rename request, checked against their scope now.
        A join is approved only while the person is in no branch (they may have joined
        elsewhere in between), a rename only while they are still in the branch asked."""
        request = await self._joins.join_request(request_id)
        if request is None:
            return Decision.GONE, None
        if not actor.can_see(request.branch_id):
            return Decision.OUT_OF_SCOPE, request
        if request.approved is not None:
            return Decision.DECIDED, request
        now = self._clock.now()
        member = await self._store.member(request.telegram_id)
        wanted = None if request.kind is RequestKind.JOIN else request.branch_id
        if approve and (member is None or member.branch_id != wanted):
            return Decision.GONE, request
        if not await self._joins.decide_request(request_id, approve, actor.telegram_id, now):
            return Decision.DECIDED, request
        if not approve:
            return Decision.REJECTED, request
        if request.kind is RequestKind.JOIN:
            await self._store.join_branch(
                request.telegram_id, request.name, request.branch_id, actor.telegram_id, now
            )
        else:
            await self._store.set_real_name(request.telegram_id, request.name)
        return Decision.APPROVED, request

    # Secretaries' and admins' actions

    async def members_named(self, actor: Actor, name: str) -> list[Member]:
        members = await self._store.members_in(actor.scope)
        return [m for m in members if m.name == name or str(m.id) == name]

    async def transfer(self, actor: Actor, member: Member, to_branch: str) -> None:
        """组织关系转接 between branches the actor answers for: at once."""
        await self._store.transfer(member.id, to_branch, actor.telegram_id, self._clock.now())

    async def request_transfer(
        self, actor: Actor, member: Member, to_branch: str
    ) -> tuple[TransferRequest, bool]:
        """组织关系转接 into a branch outside the actor's scope: a request the receiving
        branch accepts, and True; or the member's pending request, and False (one at a time,
        so a receiving secretary never has two to choose between)."""
        assert member.branch_id is not None
        now = self._clock.now()
        return await self._store.open_transfer_request(
            member.id,
            member.branch_id,
            to_branch,
            actor.telegram_id,
            now,
            now + timedelta(days=TRANSFER_REQUEST_DAYS),
        )

    async def note_transfer_message(self, request_id: int, message_id: int) -> None:
        """The sender's copy of the request: its 撤回 button goes once the request is decided."""
        await self._store.set_transfer_sender_message(request_id, message_id)

    async def act_on_transfer(
        self, actor: Actor, request_id: int, action: TransferAction
    ) -> tuple[TransferOutcome, TransferRequest | None]:
        """A tap on a transfer request, checked with the tapper's scope now: 接收 and 不接收
        by someone who answers for the receiving branch, 撤回 by someone who answers for the
        sending one. A request past its time is expired here, whoever taps."""
        request = await self._store.transfer_request(request_id)
        if request is None:
            return TransferOutcome.GONE, None
        side = request.from_branch if action is TransferAction.WITHDRAW else request.to_branch
        if not actor.can_see(side):
            return TransferOutcome.OUT_OF_SCOPE, request
        now = self._clock.now()
        by = actor.telegram_id
        if request.lapsed(now):
            await self._store.close_transfer_request(request.id, TransferStatus.EXPIRED, None, now)
            return TransferOutcome.CLOSED, await self._store.transfer_request(request.id)
        if request.status is not TransferStatus.PENDING:
            return TransferOutcome.CLOSED, request
        if action is TransferAction.ACCEPT:
            if await self._store.accept_transfer_request(request.id, by, now):
                return TransferOutcome.ACCEPTED, replace(
                    request, status=TransferStatus.ACCEPTED, decided_by=by
                )
            member = await self._store.member_by_id(request.member_id)
            if member is None or member.branch_id != request.from_branch:
                await self._store.close_transfer_request(request.id, TransferStatus.VOID, by, now)
                return TransferOutcome.GONE, request
            return TransferOutcome.CLOSED, await self._store.transfer_request(request.id)
        status = (
            TransferStatus.DECLINED
            if action is TransferAction.DECLINE
            else TransferStatus.WITHDRAWN
        )
        if not await self._store.close_transfer_request(request.id, status, by, now):
            return TransferOutcome.CLOSED, await self._store.transfer_request(request.id)
        outcome = (
            TransferOutcome.DECLINED
            if action is TransferAction.DECLINE
            else TransferOutcome.WITHDRAWN
        )
        return outcome, replace(request, status=status, decided_by=by)

    async def depart(
        self, actor: Actor, member: Member, reason: Departure, on: date, zone: ZoneInfo
    ) -> datetime | None:
        """党员减少: the member leaves (出党, 去世, 转出本系统) on ``on`` — from that day's start,
        or from now when it is today. Their membership history and quizzes are kept; the
        periods that ended before that day keep counting them. Returns None when ``on`` is
        before they joined their branch (nothing changes), else the moment they joined it."""
        now = self._clock.now()
        moment = (
            now
            if on >= now.astimezone(zone).date()
            else datetime.combine(on, time(), zone).astimezone(now.tzinfo)
        )
        return await self._store.depart(member.id, reason, moment, actor.telegram_id)

    async def promote(self, actor: Actor, telegram_id: int, unit_id: str) -> bool:
        return await self._store.grant_role(
            telegram_id, unit_id, actor.telegram_id, self._clock.now()
        )

    async def demote(self, telegram_id: int, unit_id: str) -> bool:
        return await self._store.revoke_role(telegram_id, unit_id)

    async def bind_group(self, actor: Actor, chat_id: int, unit_id: str) -> str | None:
        """Bind the group to ``unit_id``; None when done, else the unit it stays bound to
        (only an admin moves a group bound to another unit)."""
        bound = await self._store.bind_group(
            chat_id, unit_id, actor.telegram_id, self._clock.now(), takeover=actor.admin
        )
        return None if bound else await self._store.group_unit(chat_id)

    async def record_refusal(self, telegram_id: int, command: str) -> None:
        await self._store.record_refusal(telegram_id, command, self._clock.now())


async def apply_units(store: OrgStore, units: list[UnitSettings], clock: Clock) -> UnitChanges:
    """Apply configured units to storage; a unit still holding members cannot disappear."""
    try:
        return await store.sync_units([u.unit() for u in units], clock.now())
    except UnitInUseError as error:
        raise InvalidFileError(
            [
                Problem(
                    "config.yaml",
                    1,
                    1,
                    f"organisation: unit {uid} was removed but still has {count} members; "
                    "transfer them (/transfer) before removing it",
                )
                for uid, count in sorted(error.in_use.items())
            ]
        ) from error
