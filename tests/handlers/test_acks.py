"""The 收到情况 of a broadcast to a whole city's branch: one message, whatever the names."""

from __future__ import annotations

from bot.delivery.service import Acknowledgements
from bot.handlers.broadcast import acks_view
from bot.handlers.pages import MESSAGE_LIMIT, length
from bot.i18n import catalogue
from bot.org.members import Member

TEXTS = catalogue("zh-CN")


def member(n: int) -> Member:
    return Member(n, n, f"名{n}", f"阿依古丽·买买提{n:05d}", "zb-1", None, None)


def test_thousands_of_long_names_fit_one_message_and_are_counted() -> None:
    acks = Acknowledgements([member(n) for n in range(1500)], [member(n) for n in range(3000)])
    text, keyboard = acks_view(TEXTS, 7, "周五下午三点开支部大会" * 4, acks)
    assert length(text) <= MESSAGE_LIMIT
    assert "已点“收到” 1500/4500 人" in text
    assert "未点“收到”（3000 人）：阿依古丽·买买提00000" in text and "另有" in text
    labels = [button.text for row in keyboard.inline_keyboard for button in row]
    assert labels == ["再发给未点“收到”的 3000 人", "刷新"]


def test_when_everyone_has_acknowledged_there_is_nothing_to_resend() -> None:
    text, keyboard = acks_view(TEXTS, 7, "通知", Acknowledgements([member(1)], []))
    assert "未点" not in text and "已点“收到”（1 人）：阿依古丽·买买提00001" in text
    assert [button.text for row in keyboard.inline_keyboard for button in row] == ["刷新"]
