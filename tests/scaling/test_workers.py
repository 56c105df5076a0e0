"""One bot served by a receiver and several worker processes, through the emulator over HTTP:
every chat's updates in order, nothing lost or done twice when a worker is SIGKILLed, and the
outbox sender's lease taken over within seconds without a message sent twice."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bot.clock import SystemClock
from bot.delivery.outbox import NewDelivery
from bot.scaling.inbox import partition
from bot.storage import Storage
from bot.storage.url import DatabaseUrl
from tests.e2e.conftest import Member, correct_taps
from tests.scaling.cluster import LEASE_SECONDS, Cluster, cluster, user_in


async def take_quiz(member: Member) -> list[str]:
    """A 4-question quiz answered right, every tap of a question fired back to back (ticks,
    then 提交): a worker that handled one chat's updates out of order would record a wrong
    answer. Returns each result's text."""
    await member.say("/start", timeout=30)
    await member.harness.client.send_text(member.id, "/quiz")
    message = await member.next_message(lambda m: m["text"].startswith("第 1/4 题"), timeout=30)
    verdicts = []
    for _ in range(4):
        question = member.question_of(message)
        result = await member.answer(message, correct_taps(question, message))
        verdicts.append(result["text"])
        message = await member.go_on(result)
    assert message["text"].startswith("答题结束")
    return verdicts


async def members_on(made: Cluster, held: dict[str, set[int]], each: int) -> list[Member]:
    taken: set[int] = set()
    members = []
    for worker, parts in held.items():
        for n in range(each):
            user = user_in(parts, taken)
            members.append(await made.member(f"{worker}党员{n}", user))
    return members


async def test_two_workers_keep_every_chats_updates_in_order(
    tmp_path: Path, database: DatabaseUrl
) -> None:
    async with cluster(tmp_path, database, workers=2) as made:
        held = await made.wait_balanced(["w1", "w2"])
        members = await members_on(made, held, 3)
        verdicts = await asyncio.gather(*(take_quiz(member) for member in members))
        for lines in verdicts:
            assert all("✅ 回答正确" in line for line in lines), lines
        # Every update is marked done once handled (the last marks may still be on their way).
        deadline = time.monotonic() + 10
        while made.rows("SELECT COUNT(*) FROM inbox WHERE done_at IS NULL") != [(0,)]:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
        # Both workers served their own members' chats, and only those.
        handled = dict(made.rows("SELECT handled_by, COUNT(*) FROM inbox GROUP BY handled_by"))
        assert set(handled) == {"w1", "w2"}
        for worker, parts in held.items():
            chats = {
                chat
                for (chat,) in made.rows(
                    "SELECT DISTINCT chat_key FROM inbox WHERE handled_by = ?", worker
                )
            }
            assert {partition(chat) for chat in chats} <= parts
        # Every line of every process's log is JSON naming its role and worker.
        logged = made.log_lines("w1")
        assert logged and all(
            line["role"] == "worker" and line["worker"] == "w1" for line in logged
        )


async def test_a_worker_killed_mid_load_loses_and_repeats_nothing(
    tmp_path: Path, database: DatabaseUrl
) -> None:
    async with cluster(tmp_path, database, workers=2) as made:
        held = await made.wait_balanced(["w1", "w2"])
        members = await members_on(made, held, 3)
        load = [asyncio.create_task(take_quiz(member)) for member in members]
        # Kill w1 once its members are answering.
        deadline = time.monotonic() + 30
        while made.rows("SELECT COUNT(*) FROM answers")[0][0] < 6:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
        made.kill("w1")
        killed_at = time.monotonic()
        verdicts = await asyncio.gather(*load)
        for lines in verdicts:
            assert all("✅ 回答正确" in line for line in lines), lines
        # w2 took w1's partitions over.
        assert set(made.leases_of("w2")) == set(range(64))
        assert time.monotonic() - killed_at < 60
        # Nothing lost: every member's four answers, once each; every update done.
        per_member = made.rows(
            "SELECT s.member_id, COUNT(*) FROM answers a JOIN quiz_sessions s "
            "ON s.id = a.session_id GROUP BY s.member_id"
        )
        assert sorted(count for _, count in per_member) == [4] * len(members)
        deadline = time.monotonic() + 10
        while made.rows("SELECT COUNT(*) FROM inbox WHERE done_at IS NULL") != [(0,)]:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
        # Nothing recorded twice (above). What Telegram was sent: every question, and at most
        # one repeat per chat the killed worker had in hand — a message whose request was on
        # its way when the worker died is sent again, as the outbox does after a crash (no
        # Bot API call can be made idempotent). Members of the surviving worker: no repeat.
        repeats = 0
        for member in members:
            texts = [m["text"] for m in await member.harness.client.get_messages(member.id)]
            heads = [text.splitlines()[0] for text in texts if text.startswith("第 ")]
            assert len(set(heads)) == 4, heads
            repeats += len(heads) - 4
            if partition(member.id) in held["w2"]:
                assert len(heads) == 4, heads
            else:
                assert len(heads) <= 5, heads
        assert repeats <= len(members) // 2


async def test_the_outbox_lease_moves_within_seconds_and_nothing_is_sent_twice(
    tmp_path: Path, database: DatabaseUrl
) -> None:
    """Two workers; the one running the outbox sender is SIGKILLed mid-broadcast (just after
    a message went out, between two paced sends); the other takes the lease over within
    seconds and sends the rest. The emulator's call counter shows each recipient got one."""
    config = {"delivery": {"per_second": 3}}
    async with cluster(tmp_path, database, workers=2, config=config) as made:
        users = []
        for n in range(16):
            body = {"first_name": f"党员{n}", "started": True}
            async with made.http.post(f"{made.emulator.url}/_emulator/users", json=body) as r:
                users.append((await r.json())["user"]["id"])
        await made.harness.client.take_calls()
        storage = await Storage.open(made.database)
        try:
            now = SystemClock().now()
            await storage.outbox.create_batch(
                "lease-test",
                "broadcast",
                "演练",
                None,
                None,
                now,
                [NewDelivery(user, None, "【演练】请按时参加组织生活。") for user in users],
                not_before=now,
            )
        finally:
            await storage.close()
        client = made.harness.client
        [(holder,)] = made.rows("SELECT holder FROM leases WHERE name = 'outbox'")
        other = "w2" if holder == "w1" else "w1"
        # Past the first burst the sends are a third of a second apart: kill just after one.
        for _ in range(5):
            await client.wait_for_event(lambda e: e["type"] == "message_sent", timeout=30)
        made.kill(holder)
        killed_at = time.monotonic()
        [(in_flight,)] = made.rows("SELECT COUNT(*) FROM deliveries WHERE status = 'sending'")
        await client.wait_for_event(lambda e: e["type"] == "message_sent", timeout=30)
        takeover = time.monotonic() - killed_at
        assert takeover < 3 * LEASE_SECONDS, takeover
        assert made.rows("SELECT holder FROM leases WHERE name = 'outbox'") == [(other,)]
        deadline = time.monotonic() + 30
        while made.rows("SELECT COUNT(*) FROM deliveries WHERE status = 'sent'") != [(16,)]:
            assert time.monotonic() < deadline, made.rows(
                "SELECT status, COUNT(*) FROM deliveries GROUP BY status"
            )
            await asyncio.sleep(0.1)
        # Each recipient got the message; a second copy only where the send was on its way
        # when the holder died (the outbox's bound: repeats <= in flight; a kill between two
        # paced sends leaves none).
        calls = await client.take_calls()
        repeats = calls.get("sendMessage", 0) - 16
        assert 0 <= repeats <= in_flight, (calls, in_flight)
        copies = []
        for user in users:
            texts = [m["text"] for m in await client.get_messages(user)]
            assert set(texts) == {"【演练】请按时参加组织生活。"}
            copies.append(len(texts))
        assert sum(copies) - 16 == repeats
        report = await made.health(other)
        assert report["holds_outbox"] is True and report["loops"]["sender"] is not None
