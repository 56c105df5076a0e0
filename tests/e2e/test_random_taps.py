"""Random callback data thrown at the running bot: every tap is answered, nothing is recorded,
the bot keeps working."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.conftest import Harness, buttons

quiz_like = st.builds(
    lambda action, session, position, option: f"quiz:{action}:{session}:{position}{option}",
    st.sampled_from(["answer", "toggle", "submit", "x", ""]),
    st.one_of(st.integers(-5, 10**18), st.text(max_size=5)),
    st.integers(-2, 60),
    st.one_of(st.just(""), st.integers(-1, 9).map(lambda n: f":{n}")),
)
callback_data = st.one_of(
    quiz_like, st.text(min_size=1, max_size=64).filter(lambda s: len(s.encode()) <= 64)
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=callback_data)
async def test_random_callback_data_is_answered_and_ignored(harness: Harness, data: str) -> None:
    async with harness.bot():
        member = await harness.member()
        message = await member.say("/quiz")
        session_id = buttons(message)[0][1].split(":")[2]
        if data.startswith(f"quiz:answer:{session_id}:0:") or data.startswith(
            (f"quiz:toggle:{session_id}:0:", f"quiz:submit:{session_id}:0")
        ):
            return  # a genuine tap on this very question, not a forgery
        query = await member.tap(message, data, forge=True)
        answer = await harness.client.wait_for_callback_answer(query, after=0)
        assert answer["callback_query_id"] == query
        assert harness.rows("SELECT COUNT(*) FROM answers") == [(0,)]
        assert "/quiz" in (await member.say("/help"))["text"]
