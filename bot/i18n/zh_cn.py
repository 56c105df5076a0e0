"""简体中文 — the default locale. Short sentences, plain words: many members are elderly."""

from bot.i18n.texts import Texts

TEXTS = Texts(
    command_start="开始使用",
    command_quiz="开始答题",
    command_me="我的答题记录",
    command_cancel="放弃本次答题",
    command_rules="计分规则",
    command_help="使用帮助",
    start=(
        "{name}同志，您好！我是支部学习助手。\n\n"
        "我会出题帮您学习党章和党内法规，每次 {count} 道，答完马上告诉您对错和出处。\n\n"
        "发送 /quiz 开始答题。"
    ),
    help_header="可以使用的命令：",
    help_footer="答题时直接点题目下方的按钮即可，不用打字。",
    unknown="没看懂这句话。发送 /quiz 开始答题，发送 /help 查看全部命令。",
    private_only="答题请私聊我：点我的头像，再发送 /quiz。",
    error="出了点问题，请稍后再试。",
    rules_header="计分规则",
    rules_points="• 每题 {points} 分，每次 {count} 题，满分 {total} 分。",
    rules_multiple="• 多选题要把正确选项全部选中才得分，多选、少选都不得分。",
    rules_pass="• 得分达到满分的 {percent}% 为及格。",
    rules_time_limit="• 每题限时 {seconds} 秒，超时作答不得分。",
    rules_no_time_limit="• 不限时间，可以慢慢想；中途离开，回来发送 /quiz 接着答。",
    rules_footer="每答一题都会显示正确答案、解析和出处。",
    type_single="单选题",
    type_multiple="多选题",
    type_judge="判断题",
    question="第 {number}/{total} 题 · {kind}\n\n{stem}",
    multiple_hint="（点选项打勾，选好后点「提交」）",
    submit="提交",
    ticked="☑",
    unticked="☐",
    right="✅ 回答正确",
    wrong="❌ 回答错误",
    timed_out="⏰ 超时了，本题不得分",
    your_answer="您的答案：{answer}",
    correct_answer="正确答案：{answer}",
    explanation="解析：{text}",
    source="出处：{text}",
    resumed="您还有一次答题没有完成，接着答第 {number}/{total} 题。",
    summary="答题结束！\n\n得分：{score}/{total}（{percent}%）\n用时：{duration}",
    summary_full_marks="🎉 全部答对！",
    summary_passed="👍 及格了，继续加油。",
    summary_failed="还差一点，再学一学。",
    summary_missed_header="答错的题：",
    summary_missed_item="{number}. {stem}\n   正确答案：{answer}（{source}）",
    summary_again="再来一次：/quiz",
    duration_minutes="{minutes} 分 {seconds} 秒",
    duration_seconds="{seconds} 秒",
    cancelled="已放弃本次答题。想答题时再发送 /quiz。",
    nothing_to_cancel="现在没有进行中的答题。",
    outdated="题库已经更新，这次答题已结束，不影响以前的成绩。发送 /quiz 重新开始。",
    tap_stale="这道题已经答过了",
    tap_not_yours="这不是您的题目",
    tap_nothing_selected="请先选择至少一个选项",
    tap_invalid="这个按钮已失效",
    me_empty="您还没有答过题。发送 /quiz 开始第一次答题。",
    me=(
        "我的答题记录\n\n"
        "完成答题：{quizzes} 次\n"
        "累计答题：{answers} 道，答对 {correct} 道（正确率 {rate}%）\n"
        "题库进度：本轮已做 {seen}/{bank} 道"
    ),
    me_recent_item="{date}  {score}/{total} 分",
)
