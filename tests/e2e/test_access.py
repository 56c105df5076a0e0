"""Every command × every role × in and out of scope, from one table. Roles are enforced in
one place (the command registry); this test is the proof that the place is complete."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest

from bot.handlers.callbacks import (
    ACK,
    ACKS,
    CLOSE_CORRECTION,
    CORRECTIONS_PAGE,
    FIX,
    LEAVE_CHOICE,
    MEET,
    MEET_CONFIRM,
    MEETING_KIND,
    MEMBERS_PAGE,
    NEXT,
    NUDGE,
    PROXY,
    RECORD,
    REQUEST,
    RSVP,
    SIGN,
    SIGNIN,
    STUDIED,
    TOPIC,
    TRANSFER,
    AcksTap,
    AckTap,
    CloseTap,
    FixTap,
    LeaveChoiceTap,
    MeetConfirmTap,
    MeetingKindTap,
    MeetTap,
    MembersPageTap,
    NextTap,
    NudgeTap,
    PageTap,
    ProxyTap,
    RecordTap,
    RequestTap,
    RsvpTap,
    SigninTap,
    SignTap,
    StudiedTap,
    TopicTap,
    TransferTap,
)
from bot.handlers.registry import BUTTONS, COMMANDS
from bot.meetings.events import Meeting
from bot.org.access import Role
from bot.org.transfers import TransferAction
from bot.stats.periods import Period, Span
from tests.e2e.conftest import (
    ADMIN,
    GENERAL_SECRETARY,
    LEDGER_SECONDS,
    SECRETARY_1,
    SECRETARY_2,
    Harness,
    Member,
    buttons,
    correct_taps,
    join,
    person,
    take_quiz,
)

PERSONAS = {
    "member": (None, Role.MEMBER),
    "secretary of zb-1": (SECRETARY_1, Role.SECRETARY),
    "secretary of zb-2": (SECRETARY_2, Role.SECRETARY),
    "secretary of the 党总支": (GENERAL_SECRETARY, Role.GENERAL_SECRETARY),
    "admin": (ADMIN, Role.ADMIN),
}
# The arguments each command is tried with: they all point at zb-1 (or its 党总支).
ARGUMENTS = {
    "stats": "本月 zb-1",
    "hardest": "本月 zb-1",
    "ranking": "本月 dzz",
    "invite": "zb-1",
    "transfer": "无此人 zb-1",
    "promote": "999 zb-1",
    "demote": "999 zb-1",
    "bindgroup": "zb-1",
    "chart": "本月 zb-1",
    "export": "本月 zb-1",
    "members": "zb-1",
}
# Who may see zb-1's data: for these commands, being allowed the role is not enough.
SEES_ZB1 = {"secretary of zb-1", "secretary of the 党总支", "admin"}
# The branch secretaries of zb-1 and zb-2 may both rank their 党总支's branches.
SEES_DZZ_RANKING = SEES_ZB1 | {"secretary of zb-2"}
OUT_OF_SCOPE_REPLY = "您无权查看"


async def test_every_command_for_every_role_and_scope(org_harness: Harness) -> None:
    harness = org_harness
    outcomes: dict[tuple[str, str], str] = {}
    async with harness.bot():
        for persona, (telegram_id, role) in PERSONAS.items():
            actor = await person(harness, persona, telegram_id)
            for command in COMMANDS:
                text = f"/{command.name} {ARGUMENTS.get(command.name, '')}".strip()
                reports = command.name in ("chart", "export")
                message = await actor.say(text, LEDGER_SECONDS if reports else 5.0)
                reply = message.get("text") or message.get("caption", "")
                if command.name == "quiz":
                    await actor.say("/cancel")
                if command.name == "export" and reply.startswith("正在生成"):
                    await actor.next_message(lambda m: "document" in m, timeout=LEDGER_SECONDS)
                refused = reply.startswith("抱歉")
                expected_refusal = role < command.role
                assert refused == expected_refusal, (persona, text, reply)
                scoped = command.name in (
                    "stats",
                    "hardest",
                    "ranking",
                    "chart",
                    "export",
                    "members",
                )
                if scoped and not refused:
                    out_of_scope = OUT_OF_SCOPE_REPLY in reply
                    sees = SEES_DZZ_RANKING if command.name == "ranking" else SEES_ZB1
                    assert out_of_scope == (persona not in sees), (persona, text, reply)
                if command.name == "invite" and not refused:
                    refused_invite = "请在命令后写上您负责的组织编号" in reply
                    assert refused_invite == (persona not in SEES_ZB1), (persona, text, reply)
                outcomes[(persona, command.name)] = "refused" if refused else "ran"
    assert len(outcomes) == len(PERSONAS) * len(COMMANDS)
    refusals = sum(1 for outcome in outcomes.values() if outcome == "refused")
    assert harness.rows("SELECT COUNT(*) FROM refusals") == [(refusals,)]


# --- Buttons: every callback prefix replayed by the wrong person --------------------------

TAP_INVALID = "这个按钮已失效"
TAP_REFUSED = "抱歉，您无权进行这个操作"
NOT_YOURS = "这不是您的题目"
NO_CLOSE = "这道题没有您可以处理的纠错了（可能已有人处理）。"


async def _join(harness: Harness, inviter: Member, unit: str, name: str) -> Member:
    """A new person opens ``inviter``'s link to ``unit`` and gives their real name."""
    reply = await inviter.say(f"/invite {unit}")
    link = next(line for line in reply["text"].splitlines() if line.startswith("https://"))
    branch = {"zb-1": "东村党支部", "zb-2": "镇机关党支部", "zb-3": "中学党支部"}[unit]
    return await join(harness, link, name, inviter.id, branch=branch)


@dataclass(frozen=True)
class Replay:
    prefix: str
    by: str
    """Who replays it: a key of ``people`` below."""
    data: str
    answer: str


async def test_every_button_replayed_by_the_wrong_person(org_harness: Harness) -> None:
    """Each prefix's real callback data, made for one person, is tapped by people it was not
    made for — a member replaying a secretary's or admin's button, another branch's secretary,
    another branch's member, a stranger — and changes nothing."""
    harness = org_harness
    async with harness.bot() as app:
        services = app.bot_data.services
        assert services is not None
        secretary_1 = await person(harness, "赵书记", SECRETARY_1)
        secretary_2 = await person(harness, "钱书记", SECRETARY_2)
        owner = await _join(harness, secretary_1, "zb-1", "张三")
        other = await _join(harness, secretary_2, "zb-2", "王五")
        stranger = await person(harness, "路人甲")
        people = {
            "another branch's member": other,
            "a member": owner,
            "a stranger": stranger,
            "a branch secretary": secretary_1,
            "another branch's secretary": secretary_2,
        }
        # The owner's quiz, one answer, and a correction report on it.
        question = await owner.say("/quiz")
        first = correct_taps(owner.question_of(question), question)[0]
        ((session_id,),) = harness.rows("SELECT id FROM quiz_sessions")
        await owner.answer(question, correct_taps(owner.question_of(question), question))
        await owner.tap(question, FIX.pack(FixTap(session_id, 0)), forge=True)
        await owner.next_message(lambda m: "哪里有问题" in m["text"])
        await owner.say("选项有误")
        ((question_id,),) = harness.rows("SELECT question_id FROM corrections")
        # The secretary's preview and zb-1's theme day.
        await secretary_1.say("/broadcast")
        preview = await secretary_1.say("今晚七点开支部大会。")
        send = next(data for label, data in buttons(preview) if label == "确认发送")
        now = datetime.now(UTC)
        event_id = await services.meetings.event(
            Meeting("zb-1", now + timedelta(days=1), "学习党章", "村委会")
        )
        owner_id = harness.rows("SELECT id FROM members WHERE real_name = '张三'")[0][0]
        await owner.say("/name 张叁")
        ((rename_id,),) = harness.rows("SELECT id FROM join_requests WHERE kind = 'rename'")
        rename = REQUEST.pack(RequestTap(rename_id, True))
        # The owner's transfer into zb-2, asked by zb-1's secretary: zb-2's to accept.
        mark = harness.client.cursor
        await secretary_1.say("/transfer 张三 zb-2")
        await secretary_2.next_message(lambda m: "组织关系转接申请" in m["text"], after=mark)
        ((transfer_id,),) = harness.rows("SELECT id FROM transfer_requests")
        month = Period(Span.MONTH, now.year, now.month)

        def transfer(action: TransferAction) -> str:
            return TRANSFER.pack(TransferTap(transfer_id, action))

        replays = [
            Replay("quiz", "another branch's member", first, NOT_YOURS),
            Replay("quiz", "a stranger", first, NOT_YOURS),
            Replay(
                "next", "another branch's member", NEXT.pack(NextTap(session_id, 1)), NOT_YOURS
            ),
            Replay("next", "a stranger", NEXT.pack(NextTap(session_id, 1)), NOT_YOURS),
            Replay("topic", "a stranger", TOPIC.pack(TopicTap(99)), TAP_INVALID),
            Replay("fix", "another branch's member", FIX.pack(FixTap(session_id, 0)), TAP_INVALID),
            Replay("fixdone", "a member", CLOSE_CORRECTION.pack(CloseTap(question_id)), NO_CLOSE),
            Replay(
                "fixdone",
                "another branch's secretary",
                CLOSE_CORRECTION.pack(CloseTap(question_id)),
                NO_CLOSE,
            ),
            Replay("fixpage", "a member", CORRECTIONS_PAGE.pack(PageTap(0)), TAP_REFUSED),
            Replay(
                "mempage", "a member", MEMBERS_PAGE.pack(MembersPageTap("zb-1", 0)), TAP_REFUSED
            ),
            Replay(
                "mempage",
                "another branch's secretary",
                MEMBERS_PAGE.pack(MembersPageTap("zb-1", 0)),
                TAP_INVALID,
            ),
            Replay("broadcast", "a member", send, TAP_REFUSED),
            Replay("broadcast", "another branch's secretary", send, TAP_INVALID),
            Replay(
                "rsvp", "another branch's member", RSVP.pack(RsvpTap(event_id, "yes")), TAP_INVALID
            ),
            Replay("rsvp", "a stranger", RSVP.pack(RsvpTap(event_id, "leave")), TAP_INVALID),
            Replay("nudge", "a member", NUDGE.pack(NudgeTap("zb-1", month)), TAP_REFUSED),
            Replay(
                "nudge",
                "another branch's secretary",
                NUDGE.pack(NudgeTap("zb-1", month)),
                TAP_INVALID,
            ),
            Replay("sign", "a member", SIGN.pack(SignTap(event_id, owner_id)), TAP_REFUSED),
            Replay(
                "sign",
                "another branch's secretary",
                SIGN.pack(SignTap(event_id, owner_id)),
                TAP_INVALID,
            ),
            Replay("signin", "a member", SIGNIN.pack(SigninTap(event_id)), TAP_REFUSED),
            Replay(
                "signin",
                "another branch's secretary",
                SIGNIN.pack(SigninTap(event_id)),
                TAP_INVALID,
            ),
            Replay("proxy", "a member", PROXY.pack(ProxyTap(event_id, 0)), TAP_REFUSED),
            Replay(
                "proxy",
                "another branch's secretary",
                PROXY.pack(ProxyTap(event_id, None)),
                TAP_INVALID,
            ),
            Replay(
                "studied",
                "another branch's member",
                STUDIED.pack(StudiedTap(event_id)),
                TAP_INVALID,
            ),
            Replay("studied", "a stranger", STUDIED.pack(StudiedTap(event_id)), TAP_INVALID),
            Replay(
                "leave",
                "another branch's member",
                LEAVE_CHOICE.pack(LeaveChoiceTap(event_id, "ill")),
                TAP_INVALID,
            ),
            Replay(
                "leave",
                "a stranger",
                LEAVE_CHOICE.pack(LeaveChoiceTap(event_id, "trip")),
                TAP_INVALID,
            ),
            Replay("meet", "a member", MEET.pack(MeetTap(event_id, "topic")), TAP_REFUSED),
            Replay(
                "meet",
                "another branch's secretary",
                MEET.pack(MeetTap(event_id, "cancel")),
                TAP_INVALID,
            ),
            Replay("meetok", "a member", MEET_CONFIRM.pack(MeetConfirmTap(True, 1)), TAP_REFUSED),
            Replay(
                "meetok",
                "another branch's secretary",
                MEET_CONFIRM.pack(MeetConfirmTap(True, 1)),
                TAP_INVALID,
            ),
            # The broadcast here is only previewed, so no batch exists to acknowledge; the
            # refusals of a real one are in test_broadcast.py.
            Replay("ack", "a stranger", ACK.pack(AckTap(1)), TAP_INVALID),
            Replay("acks", "a member", ACKS.pack(AcksTap(1, True)), TAP_REFUSED),
            Replay("acks", "another branch's secretary", ACKS.pack(AcksTap(1, True)), TAP_INVALID),
            Replay(
                "mkind",
                "a member",
                MEETING_KIND.pack(MeetingKindTap("zb-1", "party_lecture")),
                TAP_REFUSED,
            ),
            Replay(
                "mkind",
                "another branch's secretary",
                MEETING_KIND.pack(MeetingKindTap("zb-1", "committee_meeting")),
                TAP_INVALID,
            ),
            Replay("rec", "a member", RECORD.pack(RecordTap(event_id, "close")), TAP_REFUSED),
            Replay(
                "rec",
                "another branch's secretary",
                RECORD.pack(RecordTap(event_id, "show")),
                TAP_INVALID,
            ),
            Replay("request", "a member", rename, TAP_REFUSED),
            Replay("request", "another branch's secretary", rename, TAP_REFUSED),
            Replay("transfer", "a member", transfer(TransferAction.ACCEPT), TAP_REFUSED),
            Replay("transfer", "a stranger", transfer(TransferAction.DECLINE), TAP_REFUSED),
            # The sender cannot accept for the branch they asked, nor the receiver withdraw.
            Replay("transfer", "a branch secretary", transfer(TransferAction.ACCEPT), TAP_REFUSED),
            Replay(
                "transfer",
                "another branch's secretary",
                transfer(TransferAction.WITHDRAW),
                TAP_REFUSED,
            ),
        ]
        assert {r.prefix for r in replays} == {b.codec.prefix for b in BUTTONS}
        for replay in replays:
            who = people[replay.by]
            anchor = await who.say("/help")
            answer = await harness.client.wait_for_callback_answer(
                await who.tap(anchor, replay.data, forge=True), after=0
            )
            assert answer.get("text") == replay.answer, replay
    assert harness.rows("SELECT COUNT(*) FROM answers") == [(1,)]
    assert harness.rows("SELECT COUNT(*) FROM corrections WHERE closed_at IS NULL") == [(1,)]
    assert harness.rows("SELECT COUNT(*) FROM batches") == [(0,)]
    assert harness.rows("SELECT kind FROM events") == [("theme_day",)]
    assert harness.rows("SELECT COUNT(*) FROM attendance") == [(0,)]
    assert harness.rows("SELECT telegram_id FROM pending_input") == [(SECRETARY_1,)]
    assert harness.rows("SELECT approved FROM join_requests WHERE kind = 'rename'") == [(None,)]
    assert harness.rows("SELECT real_name FROM members WHERE id = ?", owner_id) == [("张三",)]
    assert harness.rows("SELECT status FROM transfer_requests") == [("pending",)]
    assert harness.rows("SELECT branch_id FROM members WHERE id = ?", owner_id) == [("zb-1",)]


async def test_odd_numbers_in_any_button_are_answered_not_crashed(org_harness: Harness) -> None:
    """Issue 10 finding 13, the buttons' half: ``²`` passed ``str.isdigit`` and then broke
    ``int()``; 20-digit ids overflowed SQLite. Every prefix, tapped by someone whose role lets
    the tap through to its handler, answers "这个按钮已失效" and records nothing."""
    harness = org_harness
    async with harness.bot():
        admin = await person(harness, "管理员", ADMIN)
        anchor = await admin.say("/help")
        huge = "9" * 20
        for data in (
            "quiz:answer:²:0:1",
            f"quiz:answer:{huge}:0:1",
            "topic:²",
            f"topic:{huge}:all",
            "fix:²:0",
            f"fix:{huge}:0",
            "fixdone:题目",
            "broadcast:send:²",
            f"broadcast:send:{huge}",
            "rsvp:²:yes",
            f"rsvp:{huge}:leave",
            "nudge:zb-1:²⁰²⁶",
            f"nudge:zb-1:{huge}",
            "sign:²:1",
            f"sign:1:{huge}",
            "sign:-1:1",
            "sign:1:1:²",
            "signin:²",
            f"signin:{huge}",
            "proxy:1:²",
            f"proxy:{huge}:0",
            "studied:²",
            f"studied:{huge}",
            "leave:²:ill",
            f"leave:{huge}:trip",
            "meet:topic:²",
            f"meet:open:{huge}",
            f"meetok:save:{huge}",
            "transfer:²:accept",
            f"transfer:{huge}:withdraw",
            "mkind:lecture:题",
            f"rec:open:{huge}",
            "rec:show:²",
        ):
            answer = await harness.client.wait_for_callback_answer(
                await admin.tap(anchor, data, forge=True), after=0
            )
            assert answer.get("text") == TAP_INVALID, data
    assert harness.rows("SELECT COUNT(*) FROM refusals") == [(0,)]
    assert harness.rows("SELECT COUNT(*) FROM batches") == [(0,)]


# --- Lists: every listing command, for every persona, names no one outside their scope ----

NAMES = {"zb-1": ("张三", "李四"), "zb-2": ("王五",), "zb-3": ("赵六",)}
COMMITTEE_SECRETARY = 500006
LISTINGS = [
    "stats",
    "hardest",
    "ranking",
    "attendance",
    "corrections",
    "leaderboard",
    "me",
    "themeday",
    "export",
]


async def _everything_said(harness: Harness, who: Member, text: str) -> str:
    """The reply to ``text``, with every cell of an Excel ledger it sends."""
    reply = await who.say(text)
    if not reply.get("text", "").startswith("正在生成"):
        return str(reply.get("text") or reply.get("caption", ""))
    document = await who.next_message(lambda m: "document" in m, timeout=LEDGER_SECONDS)
    data = await harness.client.download_file(document["document"]["file_id"])
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    cells = [
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    return "\n".join([reply["text"], *cells])


@pytest.mark.parametrize("command", LISTINGS)
async def test_a_listing_names_no_one_outside_the_personas_scope(
    org_harness: Harness, command: str
) -> None:
    harness = org_harness
    async with harness.bot() as app:
        services = app.bot_data.services
        assert services is not None
        admin = await person(harness, "管理员", ADMIN)
        secretary_1 = await person(harness, "赵书记", SECRETARY_1)
        secretary_2 = await person(harness, "钱书记", SECRETARY_2)
        general = await person(harness, "孙书记", GENERAL_SECRETARY)
        committee = await person(harness, "周书记", COMMITTEE_SECRETARY)
        assert "已任命" in (await admin.say(f"/promote {COMMITTEE_SECRETARY} dw"))["text"]
        inviters = {"zb-1": secretary_1, "zb-2": secretary_2, "zb-3": admin}
        members = {
            name: await _join(harness, inviters[unit], unit, name)
            for unit, names in NAMES.items()
            for name in names
        }
        now = datetime.now(UTC)
        for unit in NAMES:
            day = Meeting(unit, now - timedelta(hours=1), "学习党章", "活动室")
            await services.meetings.event(day)
        for name, member in members.items():
            if name == "李四":  # someone has not studied, so /stats lists a name
                continue
            await take_quiz(member, wrong=1)
            ((session,),) = harness.rows(
                "SELECT s.id FROM quiz_sessions s JOIN members m ON m.id = s.member_id "
                "WHERE m.real_name = ?",
                name,
            )
            await member.tap(await member.say("/help"), FIX.pack(FixTap(session, 0)), forge=True)
            await member.next_message(lambda m: "哪里有问题" in m["text"])
            await member.say(f"{name}认为这道题有误")
        personas = {
            "member of zb-1": (members["张三"], {"张三"}),
            "stranger": (await person(harness, "路人甲"), set()),
            "secretary of zb-1": (secretary_1, set(NAMES["zb-1"])),
            "secretary of zb-2": (secretary_2, set(NAMES["zb-2"])),
            "secretary of the 党总支": (general, set(NAMES["zb-1"] + NAMES["zb-2"])),
            "secretary of the 党委": (committee, {n for names in NAMES.values() for n in names}),
            "admin": (admin, {n for names in NAMES.values() for n in names}),
        }
        everyone = {n for names in NAMES.values() for n in names}
        for persona, (who, allowed) in personas.items():
            for target in ("", "zb-1", "zb-2", "zb-3", "dzz", "dw"):
                reply = await _everything_said(harness, who, f"/{command} {target}".strip())
                leaked = {name for name in everyone - allowed if name in reply}
                assert not leaked, (persona, command, target, reply)
