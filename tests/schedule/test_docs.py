"""docs/schedules.md stays true: its full example is a valid section."""

from __future__ import annotations

import re
from pathlib import Path

from bot.org.tree import Kind
from bot.schedule import Schedule, load_schedules
from bot.yamlfile import parse_located

from .conftest import SHANGHAI, utc

DOC = Path(__file__).parents[2] / "docs" / "schedules.md"


def test_the_full_example_is_valid_and_means_what_the_doc_says() -> None:
    example = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)[0]
    settings, problems = load_schedules(
        parse_located(example, "schedules.md"), branch_ids={"zb-001"}
    )
    assert problems == [] and settings is not None
    plan = Schedule(settings, SHANGHAI).branch("zb-001", Kind.VILLAGE)
    found = plan.occurrences(utc(2026, 11, 25), utc(2026, 12, 2))
    assert [(o.key, o.place) for o in found if o.kind == "theme_day"] == [
        ("theme_day/zb-001/2026-12-01", "村委会二楼")
    ]
    assert {o.title for o in found} >= {"主题党日", "固定学习日", "答题提醒"}
