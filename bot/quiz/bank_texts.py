"""The bank tools' own words: every problem and report line that ``bank check``, ``bank
import``, ``bank reference``, ``bank stats`` and ``bank review`` print, in Chinese.

These are printed on a 党委 staff member's terminal, not sent in chats, so they live here
beside the tools rather than in the members' catalogue (``bot/i18n``); one module, so that the
loader and the importer say the same thing about the same mistake. Messages about a field are
written to follow the field's place: the loader puts the YAML key before them, the importer the
row, column and the cell's own text.
"""

from __future__ import annotations

# Reading files --------------------------------------------------------------------------------
CANNOT_READ = "无法读取文件：{error}"
NOT_A_BANK_SOURCE = "不是 .xlsx、.csv 或 .txt（Aiken）文件{hint}"
SAVE_AS_XLSX = "，请另存为 .xlsx"
CSV_ERROR = "CSV 格式有误：{error}"
NO_QUESTIONS = "没有找到题目"
NO_HEADER = "前几行中没有“题目”列（可用的列名：{accepted}）"
NO_COLUMN = "缺少列：{columns}"
OUTPUT_NOT_YAML = "输出文件须为 .yaml：{output}"
OUTPUT_FOLDER_MISSING = "输出文件夹不存在：{folder}"
AIKEN_SECOND_FIELD = "同一道题有第二个“{label}”行"
AIKEN_OPTION_AFTER_ANSWER = "选项 {letter} 出现在答案行之后"
AIKEN_OPTION_ORDER = "选项 {letter} 的顺序不对（此处应为 {wanted}）"
AIKEN_NO_MORE_OPTIONS = "选项已满"
AIKEN_EXPECTED = "这里应是选项（A. …）、答案行或“解析：…”这样的字段；两道题之间请空一行"

# Places ----------------------------------------------------------------------------------------
PLACE_ROW = "第 {row} 行"
PLACE_CELL = "第 {row} 行“{column}”列"
PLACE_LINE = "第 {line} 行"
PLACE_LINE_FIELD = "第 {line} 行“{label}”"
CELL_TEXT = "（填的是“{text}”）"
CELL_EMPTY = "（未填）"
WHERE = "{file}：{place}：{message}"

# Interpreting cells ---------------------------------------------------------------------------
NOT_A_TYPE = "不是题型（应为 单选、多选 或 判断）"
NOT_A_DIFFICULTY = "不是难度（应为 1、2、3 或 易、中、难）"
OPTION_GAP_EMPTY = "为空，但后面的选项有内容"
OPTION_GAP_NO_COLUMN = "没有“选项{letter}”列，但后面的选项有内容"
NOT_AN_ANSWER = "看不出是哪个选项（写字母，如 B、ACD，判断题写 正确/错误）"
NO_DOCUMENT = "出处没有写文件名，请用 --document 指定文件简称（如 --document 党章）"
DOCUMENTS_DIFFER = "出处写了 {count} 个不同的文件（{names}），请用 --document 指定"
DUPLICATE_QUESTION = "与第 {row} 行的题目和选项相同"
SIMILAR_QUESTION = "与第 {row} 行的题干几乎相同（只差空格或标点）；确属两道题请加 --allow-similar"
SIMILAR_OPTION = "与选项{letter}几乎相同（只差空格或标点）；确属不同请加 --allow-similar"
ID_FROM_SHEET_TWICE = "编号“{id}”与第 {row} 行重复"

# The loader's checks (shared by bank check and bank import) ------------------------------------
NO_BANK_FILES = "没有找到题库文件（*.yaml）"
BANK_NOT_MAPPING = "题库文件应为键值结构：document、title、revision、questions…"
QUESTION_NOT_MAPPING = "questions[{index}]: 每道题应为键值结构（id、type、stem…）"
REQUIRED = "必填，不能为空"
NO_FIELD = "没有“{label}”"
FIELD_WITHOUT_CELL = "{label}：{message}"
UNKNOWN_KEY = "未知的键"
TOO_LONG = "太长（最多 {limit} 字）"
ID_PATTERN = "编号只能用字母、数字、- 和 _，最多 32 个字符"
INVALID = "格式不对：{detail}"
JUDGE_HAS_OPTIONS = "判断题不写选项（答案写 正确 或 错误）"
JUDGE_ANSWER = "判断题的答案应为 正确 或 错误"
OPTION_COUNT = "应有 {low}–{high} 个选项（现有 {count} 个）"
UNSHOWABLE_MESSAGE = "{which}在 Telegram 中放不下（{size} 字，最多 {limit} 字）"
UNSHOWABLE_BUTTON = "按钮数据超过 Telegram 的 {limit} 字节上限"
QUESTION_MESSAGE = "题目消息"
RESULT_MESSAGE = "答题结果消息（选中全部选项时）"
OPTION_SAME = "与选项{letter}相同"
ANSWER_NOT_AMONG = "答案中的 {letters} 不在选项 A–{last} 之中"
ANSWER_REPEATED = "答案中有重复的字母"
SINGLE_ONE_ANSWER = "单选题只能有一个答案"
MULTIPLE_TWO_ANSWERS = "多选题应有两个或以上答案"
SOURCE_FORM = "出处应写成“{document} 条款”，如“{document} 第三条”"
SOURCE_NOT_IN_REFERENCE = "“{article}”在参考文本中没有这一条或这一部分"
QUOTE_REQUIRED = "题库指定了参考文本，每道题都要填原文（答案所依据的原句）"
QUOTE_NOT_FOUND = "原文在参考文本中找不到逐字相同的句子"
QUOTE_UNVERIFIED = "原文只出现在标为【未核对】的段落中，不能作为出题依据"
ID_USED = "编号“{id}”已在 {place} 使用"
VALUE_WAS = "（现为“{value}”）"
REFERENCE_NOT_FOUND = "找不到参考文本：{path}"

# Reference texts --------------------------------------------------------------------------------
REFERENCE_HEADER_UNCLOSED = "文件头以 --- 开始，但没有以 --- 结束"
REFERENCE_HEADER_NOT_MAPPING = "文件头应为 title、short_name、version 等键值"
REFERENCE_TOO_LARGE = "文件太大，不像参考文本"
REFERENCE_NEEDS_HEADER = (
    "登记新文件需要文件头：--- 之间写 title（全称）、short_name（简称）、version（版本或日期）"
)
REFERENCE_EMPTY = "没有正文"
REFERENCE_ARTICLE_TWICE = "{article}出现了两次（第一次在第 {first} 行）"
REFERENCE_EXISTS = "{path} 已存在且内容不同；确需替换请加 --replace"
REFERENCE_SHORT_NAME_USED = "简称“{name}”已由 {path} 使用"
REFERENCE_ADDED = (
    "已登记《{title}》（简称 {short}，{version}）：{path}\n"
    "  {chapters} 个章节，{paragraphs} 段，其中未核对 {unverified} 段\n"
    "  出题：在题库文件中写 document: {short} 和 reference: {relative}，\n"
    "  或导入：python -m bot bank import 题库.xlsx -o question_bank/NAME.yaml \\\n"
    "          --reference {relative}"
)

# Import report --------------------------------------------------------------------------------
IMPORT_NOTE = "提示：{note}"
NOTE_IGNORED_COLUMNS = "{sheet}：未使用的列：{columns}"
NOTE_SKIPPED_SHEET = "{sheet}：前几行中没有“题目”列，已跳过"
NOTE_NO_DIFFICULTY = "{count} 道题未填难度，按 {level} 计"
NOTE_NO_EXPLANATION = "{count} 道题没有解析：答题后只显示原文和出处"
NOTE_DEFAULT_CHAPTER = "{count} 道题未填章节，按“{chapter}”计"
NOTE_NO_REVISION = "未给出 --revision，文件中写为“{revision}”，请补上"
NOTE_SIMILAR_KEPT = "{count} 处几乎相同的题目或选项按 --allow-similar 保留"
IMPORTED = "{total} 道题（单选 {single}，多选 {multiple}，判断 {judge}）已写入 {output}"
CHECKED = (
    "检查通过：{total} 道题（单选 {single}，多选 {multiple}，判断 {judge}），未写入文件（--check）"
)
CHANGES = "与 {output} 现有内容相比：新增 {added}，修改 {changed}，删除 {removed}，未变 {same}"
CHANGED_ITEM = "  修改 {id}（{place}）：{fields}"
ADDED_ITEM = "  新增 {id}（{place}）"
REMOVED_ITEM = "  删除 {id}：{stem}"
FIELD_NAMES = {
    "type": "题型",
    "stem": "题干",
    "options": "选项",
    "answer": "答案",
    "explanation": "解析",
    "source": "出处",
    "quote": "原文",
    "difficulty": "难度",
    "chapter": "章节",
    "tags": "标签",
}
UNSTATED_REVISION = "未注明"
TEMPLATE_WRITTEN = "模板已写入 {path}"
CANNOT_WRITE = "无法写入 {path}：{error}"

# bank review -----------------------------------------------------------------------------------
REVIEW_HEADER = "抽查 {count} 道题（共 {total} 道，随机种子 {seed}；同一种子抽到同样的题）"
REVIEW_ITEM = "[{number}/{count}] {id} · {source} · {file}"
REVIEW_STEM = "  题目：{text}"
REVIEW_OPTIONS = "  选项：{text}"
REVIEW_KEY = "  答案：{text}"
REVIEW_EXPLANATION = "  解析：{text}"
REVIEW_QUOTE = "  原文：{text}"
REVIEW_LINE = "  参考：{where}（{status}）{text}"
REVIEW_NO_QUOTE = "  原文：（无：这道题没有引用原文）"
REVIEW_NO_LINE = "  参考：（题库文件未指定参考文本，原文未经比对）"
REVIEW_VERIFIED = "已核对：{source}"
REVIEW_UNVERIFIED = "未核对"
REVIEW_WRITTEN = "审核表已写入 {path}：请在“审核结论”列填 对 或 错，在“审核意见”列写明问题"
REVIEW_COLUMNS = (
    "序号",
    "编号",
    "文件",
    "出处",
    "题型",
    "题目",
    "选项",
    "答案",
    "解析",
    "原文（题目引用）",
    "参考文本原句",
    "参考文本位置",
    "核对状态",
    "审核结论",
    "审核意见",
)
TYPE_NAMES = {"single": "单选", "multiple": "多选", "judge": "判断"}

# bank check and bank stats -----------------------------------------------------------------------
CHECK_SUMMARY = "{total} 道题，{files} 个题库文件，全部通过检查。"
CHECK_FILE = "{path}：{count} 道（{document}；{types}）"
CHECK_CHAPTER = "    {chapter}：{count}"
STATS_SUMMARY = "{total} 道题，涉及 {documents} 份文件；{types}；{levels}"
STATS_DOCUMENT = "{document}（{files}）：{count} 道"
STATS_NO_QUESTIONS = "尚无题目；{references}"
STATS_KINDS = "  {types}；{levels}"
TYPES = "单选 {single}，多选 {multiple}，判断 {judge}"
LEVELS = "难度 1：{easy}，2：{medium}，3：{hard}"
STATS_CHAPTERS = "  章节："
STATS_CHAPTER = "    {chapter}：{count}"
STATS_ARTICLES = "  条款：{cited} 条有题{listed}"
STATS_ARTICLES_LISTED = "，参考文本共 {known} 条"
STATS_THIN = "  不足 {minimum} 道题的条款：{count} 条"
STATS_NOT_THIN = "  每一条都至少有 {minimum} 道题"
STATS_ON_UNVERIFIED = "  依据未核对段落的题目：{count}（目标 0）"
STATS_UNVERIFIED = "  {references} 中仍标【未核对】的行：{count}"
STATS_UNVERIFIED_LINE = "    {path}:{line}（{chapter}）{text}"
STATS_UNCHECKED = "  {count} 道题所在文件未指定参考文本：原文未经比对"
STATS_NO_EXPLANATION = "  {count} 道题没有解析（答题后显示原文）"
STATS_REPORTED = "  有未处理纠错的题目：{count}"
STATS_REPORTED_ITEM = "    ! {id}（{article}）：{count} 条未处理 · {stem}"
STATS_REPORTS = "未处理的纠错：涉及 {count} 道题"
STATS_REPORTS_GONE = "  {count} 条未处理的纠错针对的题目已不在这些文件中"
