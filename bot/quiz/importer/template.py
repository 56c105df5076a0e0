"""The Excel template committees fill in (docs/question-bank-template.xlsx): the header row
with a note on each column, drop-down lists for 题型 and 难度, and one example of each type."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from bot.quiz.importer.reading import FIELDS
from bot.quiz.questions import OPTION_LETTERS

TEMPLATE_ROWS: tuple[tuple[Any, ...], ...] = (
    (
        "单选",
        "年满多少岁的中国工人、农民、军人、知识分子和其他社会阶层的先进分子，可以申请加入中国共产党？",
        "十六岁",
        "十八岁",
        "二十岁",
        "二十二岁",
        "B",
        "党章第一条规定，申请入党须年满十八岁。",
        "党章 第一条",
        "年满十八岁的中国工人、农民、军人、知识分子和其他社会阶层的先进分子",
        1,
        "第一章 党员",
    ),
    (
        "多选",
        "党章总纲规定，中国共产党是哪些群体的先锋队？",
        "中国工人阶级",
        "中国人民",
        "中华民族",
        "全世界无产阶级",
        "ABC",
        "总纲第一段：党是中国工人阶级的先锋队，同时是中国人民和中华民族的先锋队。",
        "党章 总纲",
        "中国共产党是中国工人阶级的先锋队，同时是中国人民和中华民族的先锋队",
        2,
        "总纲",
    ),
    (
        "判断",
        "预备党员的预备期为一年。",
        None,
        None,
        None,
        None,
        "正确",
        "党章第七条规定，预备党员的预备期为一年。",
        "党章 第七条",
        "预备党员的预备期为一年。",
        1,
        "第一章 党员",
    ),
    (
        "判断",
        "党员要求退党，由党小组讨论后宣布除名。",
        None,
        None,
        None,
        None,
        "错误",
        "党章第九条规定，党员要求退党，应当经支部大会讨论后宣布除名。",
        "党章 第九条",
        "党员要求退党，应当经支部大会讨论后宣布除名",
        2,
        "第一章 党员",
    ),
)
TEMPLATE_HEADER = (
    FIELDS["type"][0],
    FIELDS["stem"][0],
    *(f"选项{letter}" for letter in OPTION_LETTERS[:4]),
    FIELDS["answer"][0],
    FIELDS["explanation"][0],
    FIELDS["source"][0],
    FIELDS["quote"][0],
    FIELDS["difficulty"][0],
    FIELDS["chapter"][0],
)
_TEMPLATE_NOTES = {
    "题型": "单选 / 多选 / 判断（也可写 单选题、多选题、判断题）",
    "选项A": "选项A 至 选项H，按需增减列；判断题留空",
    "答案": "单选一个字母；多选两个以上字母，如 ACD 或 A,C,D；判断题写 正确/错误（或 对/错、√/×）",
    "出处": "文件简称 + 条款，如：党章 第三条、党章 总纲",
    "原文": "选填：答案所依据的原文，须与参考文本逐字一致",
    "难度": "1 易、2 中、3 难（也可写 易/中/难）；留空按 2",
    "章节": "所属章节，如：第一章 党员",
}


def write_template(path: Path) -> None:
    """The spreadsheet committees fill in (docs/question-bank-template.xlsx)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = "题库"
    sheet.append(TEMPLATE_HEADER)
    for row in TEMPLATE_ROWS:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        note = _TEMPLATE_NOTES.get(str(cell.value))
        if note:
            cell.comment = Comment(note, "支部学习助手")
    widths = {"B": 60, "H": 40, "J": 40}
    for index in range(1, len(TEMPLATE_HEADER) + 1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = widths.get(letter, 14)
    sheet.freeze_panes = "A2"
    types = DataValidation(type="list", formula1='"单选,多选,判断"', allow_blank=True)
    levels = DataValidation(type="list", formula1='"1,2,3"', allow_blank=True)
    sheet.add_data_validation(types)
    sheet.add_data_validation(levels)
    types.add("A2:A1000")
    levels.add("K2:K1000")
    book.save(path)
