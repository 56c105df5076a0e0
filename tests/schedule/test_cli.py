"""``python -m bot schedule show``, run through its own argument parser."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

import pytest

from bot.cli import schedule
from bot.yamlfile import InvalidFileError

CONFIG = """\
timezone: Asia/Shanghai
organisation:
  units:
    - {id: dw-1, name: 某镇党委, level: 党委}
    - {id: zb-001, name: 机关一支部, level: 党支部, kind: 机关, parent: dw-1}
    - {id: zb-002, name: 东村支部, level: 党支部, kind: 村, parent: dw-1}
schedules:
  theme_day: {place: 党员活动室, topic: 学习党章}
  kinds:
    村:
      theme_day: {rule: 每月1日}
  branches:
    zb-002:
      theme_day: {on_holiday: skip}
"""


def run(tmp_path: Path, config: str, *argv: str) -> int:
    path = tmp_path / "config.yaml"
    path.write_text(textwrap.dedent(config), encoding="utf-8")
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=Path)
    schedule.add_commands(parser.add_subparsers())
    args = parser.parse_args(["--config", str(path), "schedule", "show", *argv])
    return int(args.handler(args))


def test_one_branch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run(tmp_path, CONFIG, "--branch", "zb-001", "--from", "2026-09-28", "--months", "1") == 0
    )
    assert capsys.readouterr().out.splitlines() == [
        "2026-09-28 至 2026-10-27，时区 Asia/Shanghai",
        "",
        "支部 zb-001（机关）",
        "  规则：主题党日 每月第一个星期一 09:00，遇法定节假日顺延至下一个工作日，"
        "提醒 -1d@18:00、0d@08:00，补课 +1d@09:00",
        "  规则：固定学习日 每周五 15:00，遇法定节假日取消，提醒 0d@08:00",
        "  规则：答题提醒 每月最后一天前 3 天 10:00",
        "  2026-10-02 周五 15:00 固定学习日 —— 本次不举行（国庆节）",
        "  2026-10-08 周四 09:00 主题党日 · 党员活动室 · 学习党章（国庆节，由 10-05 顺延）"
        "（提醒：10-07 18:00，10-08 08:00）",
        # 补课 the day after at 09:00, for those on leave or absent.
        "  2026-10-09 周五 09:00 补课：主题党日（10-08 主题党日的学习内容，发给请假和未到的党员）",
        "  2026-10-09 周五 15:00 固定学习日（提醒：10-09 08:00）",
        "  2026-10-16 周五 15:00 固定学习日（提醒：10-16 08:00）",
        "  2026-10-23 周五 15:00 固定学习日（提醒：10-23 08:00）",
    ]


def test_a_branch_by_its_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(tmp_path, CONFIG, "--branch", "zb-001", "--from", "2026-09-28", "--months", "1")
    by_id = capsys.readouterr().out
    run(tmp_path, CONFIG, "--branch", "机关一支部", "--from", "2026-09-28", "--months", "1")
    assert capsys.readouterr().out == by_id


def test_a_skipped_day_and_an_unknown_year(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(tmp_path, CONFIG, "--branch", "zb-002", "--from", "2026-09-30", "--months", "4")
    out = capsys.readouterr().out
    assert "支部 zb-002（村）" in out
    assert "  2026-10-01 周四 09:00 主题党日 —— 本次不举行（国庆节）\n" in out
    assert "  2026-11-27 周五 10:00 答题提醒（本月尚未答题的党员）\n" in out
    assert (
        "  2027-01-01 周五 09:00 主题党日 · 党员活动室 · 学习党章（⚠ 节假日安排未知，按规则日期）"
        "（提醒：12-31 18:00，01-01 08:00）\n"
    ) in out
    assert "⚠ 节假日数据只有 2004–2026 年" in out and "schedules.holidays" in out


def test_a_declared_year_is_used_until_the_package_knows_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    declared = CONFIG + textwrap.indent(
        "holidays:\n"
        "  days_off:\n"
        "    2027-01-01..2027-01-03: 元旦\n"
        "    2027-02-06..2027-02-13: 春节\n"
        "  workdays: [2027-02-20]\n",
        "  ",
    )
    run(tmp_path, declared, "--branch", "zb-002", "--from", "2026-12-20", "--months", "3")
    out = capsys.readouterr().out
    assert "  2027-01-01 周五 09:00 主题党日 —— 本次不举行（元旦）\n" in out
    assert "⚠" not in out


def test_without_a_branch_the_defaults_then_each_override(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(tmp_path, CONFIG, "--from", "2026-11-01", "--months", "1")
    headings = [
        line for line in capsys.readouterr().out.splitlines() if line[:2] in ("默认", "支部")
    ]
    assert headings == [
        "默认（未单独设置的支部）",
        "默认：机关支部",
        "默认：村支部",
        "支部 zb-002（村）",
    ]


def test_a_kind_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(tmp_path, "{}\n", "--branch", "x-1", "--kind", "机关", "--from", "2026-11-01")
    assert "支部 x-1（机关）\n" in capsys.readouterr().out


def test_problems_are_reported_with_positions(tmp_path: Path) -> None:
    config = CONFIG.replace("timezone: Asia/Shanghai\n", "") + "    zb-404: {}\ntimezone: Mars\n"
    with pytest.raises(InvalidFileError) as raised:
        run(tmp_path, config)
    assert [str(p) for p in raised.value.problems] == [
        f"{tmp_path / 'config.yaml'}:14:5: schedules.branches.zb-404: no such branch",
        f"{tmp_path / 'config.yaml'}:15:11: timezone: unknown time zone (use a name such as "
        "Asia/Shanghai) (got 'Mars')",
    ]
    with pytest.raises(InvalidFileError) as raised:
        run(tmp_path, "schedules:\n  study_day: {rule: 每周八}\n")
    assert [(p.line, p.column) for p in raised.value.problems] == [(2, 21)]
    assert raised.value.problems[0].message.startswith("schedules.study_day.rule: unsupported")


def test_a_missing_config_file_means_the_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=Path)
    schedule.add_commands(parser.add_subparsers())
    argv = ["--config", str(tmp_path / "none.yaml"), "schedule", "show", "--from", "2026-12-01"]
    args = parser.parse_args(argv)
    assert args.handler(args) == 0
    assert (
        "  2026-12-07 周一 09:00 主题党日（提醒：12-06 18:00，12-07 08:00）"
        in capsys.readouterr().out
    )
