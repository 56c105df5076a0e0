"""Leases and the partition share against a real SQLite file, with clocks the test moves:
who holds what, when a lease may be taken over, and how partitions spread over workers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import cast

import pytest

from bot.clock import FixedClock
from bot.context import BotApplication
from bot.scaling.inbox import PARTITIONS
from bot.scaling.lease import Lease
from bot.scaling.worker import Worker
from bot.storage import Storage


class Ticks:
    """A monotonic clock the test moves together with the wall clock."""

    def __init__(self, clock: FixedClock) -> None:
        self.clock = clock
        self.value = 0.0

    def __call__(self) -> float:
        return self.value

    def advance(self, seconds: float) -> None:
        self.value += seconds
        self.clock.advance(timedelta(seconds=seconds))


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    opened = await Storage.open(tmp_path / "bot.sqlite3")
    yield opened
    await opened.close()


async def test_a_lease_is_held_by_one_holder_until_it_expires(storage: Storage) -> None:
    clock = FixedClock()
    now = clock.now()
    leases = storage.leases
    assert await leases.take("outbox", "a", now, now + timedelta(seconds=6))
    assert not await leases.take("outbox", "b", now, now + timedelta(seconds=6))
    # Its holder renews it; another may not, until it has expired.
    later = now + timedelta(seconds=5)
    assert await leases.take("outbox", "a", later, later + timedelta(seconds=6))
    assert not await leases.take("outbox", "b", later + timedelta(seconds=6), later)
    gone = later + timedelta(seconds=6, milliseconds=1)
    assert await leases.take("outbox", "b", gone, gone + timedelta(seconds=6))
    assert await leases.holder("outbox", gone) == "b"
    # A released lease is free at once.
    await leases.release(["outbox"], "b")
    assert await leases.take("outbox", "a", gone, gone + timedelta(seconds=6))


async def test_the_keeper_gains_loses_and_hands_over_in_one_lease_length(
    storage: Storage,
) -> None:
    clock = FixedClock()
    ticks = Ticks(clock)
    events: list[str] = []

    def keeper(name: str) -> Lease:
        lease = Lease(storage.leases, "outbox", name, clock, ttl=6.0, monotonic=ticks)

        async def gained() -> None:
            events.append(f"{name}+")

        async def lost() -> None:
            events.append(f"{name}-")

        lease.watch(gained, lost)
        return lease

    a, b = keeper("a"), keeper("b")
    assert await a.step() and not await b.step()
    assert events == ["a+"]
    # a renews in time: it keeps the lease.
    ticks.advance(1.5)
    assert await a.step() and not await b.step()
    # a stops renewing (killed, or stalled): it stops believing it holds the lease before
    # the lease expires in the database, and b takes over only once it has.
    ticks.advance(4.9)
    assert not a.held
    assert not await b.step()
    ticks.advance(1.2)
    assert await b.step()
    assert events == ["a+", "b+"]
    # a comes back: it learns the lease is b's and tells its listeners so.
    assert not await a.step()
    assert events == ["a+", "b+", "a-"]
    await b.release()
    assert events[-1] == "b-"
    assert await a.step()


async def test_partitions_spread_over_the_live_workers_and_move_when_one_dies(
    storage: Storage,
) -> None:
    clock = FixedClock()
    ticks = Ticks(clock)
    app = cast(BotApplication, None)  # balance() never touches the application

    def worker(name: str) -> Worker:
        return Worker(storage.inbox, storage.leases, app, name, clock, ttl=2.0, monotonic=ticks)

    one, two, three = worker("w1"), worker("w2"), worker("w3")
    await one.balance()
    assert one.partitions == list(range(PARTITIONS))
    await two.balance()  # announces itself; nothing is free yet
    assert two.partitions == []
    await one.balance()  # sees two workers: hands the upper half over
    await two.balance()
    assert len(one.partitions) == len(two.partitions) == PARTITIONS // 2
    assert set(one.partitions).isdisjoint(two.partitions)
    await three.balance()
    for _ in range(2):
        for each in (one, two, three):
            ticks.advance(0.1)
            await each.balance()
    shares = [len(each.partitions) for each in (one, two, three)]
    assert sum(shares) == PARTITIONS and max(shares) - min(shares) <= 2, shares
    # w3 dies: once its leases expire, the other two take its partitions between them.
    for _ in range(5):
        ticks.advance(0.5)
        await one.balance()
        await two.balance()
    assert sorted(one.partitions + two.partitions) == list(range(PARTITIONS))
