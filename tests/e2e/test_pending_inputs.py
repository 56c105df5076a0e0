"""What the bot asked for is checked again when it is answered: a secretary demoted between
/broadcast and the text, or between the preview and 确认发送, sends nothing; an older preview's
button cannot send a newer text; and what was asked lapses after ``pending_input_minutes``."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ShiftedClock
from tests.e2e.conftest import ADMIN, SECRETARY_1, Harness, Member, buttons, invite_link, person
from tests.e2e.conftest import join as join_branch

PROMOTED = 600001


async def _promoted_secretary(harness: Harness) -> tuple[Member, Member]:
    """The admin and a person the admin made secretary of zb-1 (so the admin can demote)."""
    admin = await person(harness, "管理员", ADMIN)
    secretary = await person(harness, "钱书记", PROMOTED)
    await secretary.say("/start")
    assert "已任命" in (await admin.say(f"/promote {PROMOTED} zb-1"))["text"]
    return admin, secretary


async def _answer(harness: Harness, query_id: str) -> str:
    answer = await harness.client.wait_for_callback_answer(query_id, after=0)
    return str(answer.get("text", ""))


def _send_button(preview: dict[str, object]) -> str:
    return next(data for label, data in buttons(preview) if label == "确认发送")


async def test_a_secretary_demoted_before_confirming_sends_nothing(org_harness: Harness) -> None:
    """Finding 4 of issue 10: the preview was shown while a secretary; 确认发送 after the
    demotion is refused and no batch is written."""
    harness = org_harness
    async with harness.bot():
        admin, secretary = await _promoted_secretary(harness)
        await join_branch(harness, await invite_link(secretary), "张三")
        await secretary.say("/broadcast")
        preview = await secretary.say("今晚七点开支部大会。")
        assert "确认发送" in str(buttons(preview))
        assert "已撤销" in (await admin.say(f"/demote {PROMOTED} zb-1"))["text"]
        refused = await _answer(harness, await secretary.tap(preview, _send_button(preview)))
        assert refused == "抱歉，您无权进行这个操作"
    assert harness.rows("SELECT COUNT(*) FROM batches") == [(0,)]
    assert harness.rows("SELECT command FROM refusals WHERE telegram_id = ?", PROMOTED) == [
        ("broadcast:",)
    ]


async def test_a_secretary_demoted_before_typing_the_text_sends_nothing(
    org_harness: Harness,
) -> None:
    harness = org_harness
    async with harness.bot():
        admin, secretary = await _promoted_secretary(harness)
        assert "请发送要群发" in (await secretary.say("/broadcast"))["text"]
        await admin.say(f"/demote {PROMOTED} zb-1")
        refused = await secretary.say("今晚七点开支部大会。")
        assert refused["text"] == "抱歉，您无权进行这个操作"
        # The question is gone: the next text is just text.
        assert "没看懂" in (await secretary.say("今晚七点开支部大会。"))["text"]
    assert harness.rows("SELECT COUNT(*) FROM batches") == [(0,)]


async def test_an_older_preview_cannot_send_the_newer_text(org_harness: Harness) -> None:
    harness = org_harness
    async with harness.bot():
        secretary = await person(harness, "赵书记", SECRETARY_1)
        await join_branch(harness, await invite_link(secretary), "张三")
        await secretary.say("/broadcast")
        first = await secretary.say("第一稿")
        await secretary.say("/broadcast")
        await secretary.say("第二稿")
        stale = await _answer(harness, await secretary.tap(first, _send_button(first)))
        assert stale == "这个按钮已失效"
    assert harness.rows("SELECT COUNT(*) FROM batches") == [(0,)]


async def test_what_was_asked_lapses_after_the_configured_minutes(org_harness: Harness) -> None:
    harness = org_harness
    clock = ShiftedClock()
    harness.clock = clock
    harness.settings = harness.settings.model_copy(update={"pending_input_minutes": 10})
    async with harness.bot():
        secretary = await person(harness, "赵书记", SECRETARY_1)
        await join_branch(harness, await invite_link(secretary), "张三")
        # A broadcast text sent 11 minutes after /broadcast is not taken for one.
        await secretary.say("/broadcast")
        clock.advance(timedelta(minutes=11))
        lapsed = await secretary.say("今晚七点开支部大会。")
        assert lapsed["text"] == "您上次的操作超过 10 分钟未完成，已自动取消，请重新开始。"
        # 确认发送 11 minutes after the preview sends nothing.
        await secretary.say("/broadcast")
        preview = await secretary.say("今晚七点开支部大会。")
        clock.advance(timedelta(minutes=9))
        assert "请点上面的「确认发送」" in (await secretary.say("还在吗"))["text"]
        clock.advance(timedelta(minutes=2))
        answer = await _answer(harness, await secretary.tap(preview, _send_button(preview)))
        assert answer == "您上次的操作超过 10 分钟未完成，已自动取消，请重新开始。"
        stale = await _answer(harness, await secretary.tap(preview, _send_button(preview)))
        assert stale == "这个按钮已失效"
    assert harness.rows("SELECT COUNT(*) FROM batches") == [(0,)]
    assert harness.rows("SELECT COUNT(*) FROM pending_input") == [(0,)]


async def test_a_real_name_given_after_the_lapse_joins_no_branch(org_harness: Harness) -> None:
    """Opening an invite link once used to leave the next text, however much later, to be
    taken for the real name; now the question lapses like any other."""
    harness = org_harness
    clock = ShiftedClock()
    harness.clock = clock
    async with harness.bot():
        link = await invite_link(await person(harness, "赵书记", SECRETARY_1))
        newcomer = await person(harness, "新人")
        await harness.client.send_text(newcomer.id, f"/start {link.rsplit('start=', 1)[1]}")
        await newcomer.next_message()  # greeting
        assert "请发送您的真实姓名" in (await newcomer.next_message())["text"]
        clock.advance(timedelta(minutes=31))
        lapsed = await newcomer.say("张三")
        assert lapsed["text"] == "您上次的操作超过 30 分钟未完成，已自动取消，请重新开始。"
        assert "没看懂" in (await newcomer.say("张三"))["text"]
    assert harness.rows("SELECT COUNT(*) FROM members WHERE branch_id IS NOT NULL") == [(0,)]
