"""Messages built from user data stay within Telegram's 4,096 characters (finding 6: ten long
correction reports, 25 long leave reasons or a 4,070-character broadcast broke the reply and
lost its buttons)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.handlers.attendance import sheet_text
from bot.handlers.pages import MESSAGE_LIMIT, fit, fit_names, length, page_text, pages
from bot.handlers.stats_view import members_page
from bot.i18n import catalogue
from bot.meetings.events import Event, EventStatus
from bot.meetings.service import Sheet
from bot.org.members import Member
from bot.org.tree import Level, OrgTree, Unit
from bot.stats.figures import Enrolment

TEXTS = catalogue("zh-CN")
# Long texts in every width: CJK, ASCII, emoji outside the BMP (two UTF-16 units each).
WORDS = st.text(alphabet=st.sampled_from("学a😀、 \n"), max_size=6000)


@settings(max_examples=200, deadline=None)
@given(header=st.text(max_size=300), items=st.lists(WORDS, max_size=40))
def test_every_page_fits_and_every_item_is_on_exactly_one_page(
    header: str, items: list[str]
) -> None:
    split = pages(header, items, TEXTS)
    assert [i for page in split for i in page] == list(range(len(items)))
    for number, page in enumerate(split):
        text = page_text(header, items, page, number, len(split), TEXTS)
        assert length(text) <= MESSAGE_LIMIT


@given(text=WORDS, limit=st.integers(20, 5000))
def test_fit_keeps_what_fits_and_marks_the_cut(text: str, limit: int) -> None:
    fitted = fit(text, limit, TEXTS.truncated)
    assert length(fitted) <= limit
    assert fitted == text or fitted.endswith(TEXTS.truncated)


def test_fit_names_counts_the_names_left_out() -> None:
    names = [f"党员{n:03d}" for n in range(300)]
    shown = fit_names(names, 100, TEXTS)
    assert length(shown) <= 100
    kept = shown.split(" 等")[0].split("、")
    assert shown.endswith(TEXTS.and_more.format(count=300 - len(kept)))
    assert fit_names(names[:3], 100, TEXTS) == "党员000、党员001、党员002"


def member(n: int) -> Member:
    return Member(n, n, f"名{n}", f"长名字党员{n:04d}", "zb-1", None, None)


def test_an_attendance_sheet_with_many_long_leave_reasons_is_one_message() -> None:
    event = Event(
        1,
        "k",
        "zb-1",
        "theme_day",
        datetime(2026, 12, 7, 1, tzinfo=UTC),
        "主题党日",
        "主题" * 100,
        "村委会",
        EventStatus.SCHEDULED,
    )
    everyone = [member(n) for n in range(400)]
    sheet = Sheet(
        event,
        coming=everyone[:100],
        leave=[(m, "外出务工" * 50) for m in everyone[100:200]],
        no_reply=everyone[200:300],
        unreachable=everyone[300:350],
        present=[(m, "proxy") for m in everyone[350:]],
    )
    text = sheet_text(TEXTS, "东村党支部" * 5, sheet, "2026-12-07")
    assert length(text) <= MESSAGE_LIMIT
    # Every list still shows, each with its count and how many more there are.
    for label in ("参加", "请假", "未回复", "未联系上", "已签到"):
        assert label in text
    assert "另有" in text


NAMES = st.text(alphabet=st.sampled_from("张三李四欧阳😀a"), min_size=1, max_size=40)


@settings(max_examples=50, deadline=None)
@given(names=st.lists(NAMES, max_size=400), by_name=st.booleans())
def test_every_members_page_fits(names: list[str], by_name: bool) -> None:
    """/members of a large 党委 (hundreds of members) is paged, never one oversized reply;
    a search by name shows what fits and how many it found."""
    at = datetime(2026, 12, 1, tzinfo=UTC)
    members = [
        Enrolment(Member(n, 1000 + n, name, name, "zb-1", None, None), at, at, True, False)
        for n, name in enumerate(names, start=1)
    ]
    tree = OrgTree((Unit("zb-1", "东村党支部", Level.BRANCH),))
    zone = ZoneInfo("Asia/Shanghai")
    text, (_, count) = members_page(TEXTS, tree, "东村党支部", members, zone, 0, by_name=by_name)
    seen = text
    for number in range(1, count):
        page, _ = members_page(TEXTS, tree, "东村党支部", members, zone, number, by_name=by_name)
        assert length(page) <= MESSAGE_LIMIT
        seen += page
    assert length(text) <= MESSAGE_LIMIT
    if not by_name:
        assert all(name in seen for name in names)
