"""HTML parse mode against TDLib's own test cases, UTF-16 offsets, automatic entities."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.sandbox.emulator.markup import (
    HtmlParseError,
    finish_text,
    parse_html,
    utf16_len,
)

# (markup, expected error) - from TDLib's test/message_entities.cpp check_parse_html.
ERRORS = [
    ("&#57311;", "Text contains invalid Unicode characters after decoding HTML entities, check "
     "for unmatched surrogate code units"),
    ("🏟 🏟&lt;<abacaba", "Unclosed start tag at byte offset 13"),
    ("🏟 🏟&lt;<abac aba>", 'Unsupported start tag "abac" at byte offset 13'),
    ("🏟 🏟&lt;<abac>", 'Unsupported start tag "abac" at byte offset 13'),
    ("🏟 🏟&lt;<i   =aba>", 'Empty attribute name in the tag "i" at byte offset 13'),
    ("🏟 🏟&lt;<i    aba>", 'Can\'t find end tag corresponding to start tag "i"'),
    ("🏟 🏟&lt;<i    aba  =  ", 'Unclosed start tag "i" at byte offset 13'),
    ("🏟 🏟&lt;<i    aba  =  190azAz-.,", "Unexpected end of name token at byte offset 27"),
    ('🏟 🏟&lt;<i    aba  =  "&lt;&gt;&quot;>', "Unclosed start tag at byte offset 13"),
    ("🏟 🏟&lt;<i    aba  =  '&lt;&gt;&quot;>", "Unclosed start tag at byte offset 13"),
    ("🏟 🏟&lt;</", "Unexpected end tag at byte offset 13"),
    ("🏟 🏟&lt;<b></b></", "Unexpected end tag at byte offset 20"),
    ("🏟 🏟&lt;<i>a</i   ", "Unclosed end tag at byte offset 17"),
    ("🏟 🏟&lt;<i>a</em   >",
     'Unmatched end tag at byte offset 17, expected "</i>", found "</em>"'),
    ('<span class="spoiler">x</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
]  # fmt: skip

E = dict[str, Any]


def ent(kind: str, offset: int, length: int, **extra: str) -> E:
    return {"type": kind, "offset": offset, "length": length, **extra}


# (markup, text, entities) - TDLib's successful cases.
CASES: list[tuple[str, str, list[E]]] = [
    ("", "", []),
    ("➡️ ➡️", "➡️ ➡️", []),
    ("&ge;&lt;&gt;&amp;&quot;&laquo;&raquo;&#12345678;", '&ge;<>&"&laquo;&raquo;&#12345678;', []),
    ("&Or;", "&Or;", []),
    ("➡️ ➡️<i>➡️ ➡️</i>", "➡️ ➡️➡️ ➡️", [ent("italic", 5, 5)]),
    ("➡️ ➡️<em>➡️ ➡️</em>", "➡️ ➡️➡️ ➡️", [ent("italic", 5, 5)]),
    ("➡️ ➡️<b>➡️ ➡️</b>", "➡️ ➡️➡️ ➡️", [ent("bold", 5, 5)]),
    ("➡️ ➡️<strong>➡️ ➡️</strong>", "➡️ ➡️➡️ ➡️", [ent("bold", 5, 5)]),
    ("➡️ ➡️<u>➡️ ➡️</u>", "➡️ ➡️➡️ ➡️", [ent("underline", 5, 5)]),
    ("➡️ ➡️<ins>➡️ ➡️</ins>", "➡️ ➡️➡️ ➡️", [ent("underline", 5, 5)]),
    ("➡️ ➡️<s>➡️ ➡️</s>", "➡️ ➡️➡️ ➡️", [ent("strikethrough", 5, 5)]),
    ("➡️ ➡️<strike>➡️ ➡️</strike>", "➡️ ➡️➡️ ➡️", [ent("strikethrough", 5, 5)]),
    ("➡️ ➡️<del>➡️ ➡️</del>", "➡️ ➡️➡️ ➡️", [ent("strikethrough", 5, 5)]),
    ("➡️ ➡️<blockquote>➡️ ➡️</blockquote>", "➡️ ➡️➡️ ➡️", [ent("blockquote", 5, 5)]),
    ("➡️ ➡️<i>➡️ ➡️</i><b>➡️ ➡️</b>", "➡️ ➡️➡️ ➡️➡️ ➡️",
     [ent("italic", 5, 5), ent("bold", 10, 5)]),
    ("🏟 🏟<i>🏟 &lt🏟</i>", "🏟 🏟🏟 <🏟", [ent("italic", 5, 6)]),
    ("🏟 🏟<i>🏟 &gt;<b aba   =   caba>&lt🏟</b></i>", "🏟 🏟🏟 ><🏟",
     [ent("italic", 5, 7), ent("bold", 9, 3)]),
    ("🏟 🏟&lt;<i    aba  =  190azAz-.   >a</i>", "🏟 🏟<a", [ent("italic", 6, 1)]),
    ('🏟 🏟&lt;<i    aba  =  "&lt;&gt;&quot;">a</i>', "🏟 🏟<a", [ent("italic", 6, 1)]),
    ("🏟 🏟&lt;<i    aba  =  '&lt;&gt;&quot;'>a</>", "🏟 🏟<a", [ent("italic", 6, 1)]),
    ("🏟 🏟&lt;<i>a</    >", "🏟 🏟<a", [ent("italic", 6, 1)]),
    ("🏟 🏟&lt;<b></b>", "🏟 🏟<", []),
    ("<i>\n</i>", "\n", [ent("italic", 0, 1)]),
    ('➡️ ➡️<span class = "tg-spoiler">➡️ ➡️</span><b>➡️ ➡️</b>', "➡️ ➡️➡️ ➡️➡️ ➡️",
     [ent("spoiler", 5, 5), ent("bold", 10, 5)]),
    ("➡️ ➡️<tg-spoiler>➡️ ➡️</tg-spoiler><b>➡️ ➡️</b>", "➡️ ➡️➡️ ➡️➡️ ➡️",
     [ent("spoiler", 5, 5), ent("bold", 10, 5)]),
    ("<a href=telegram.org>\n</a>", "\n", [ent("text_link", 0, 1, url="http://telegram.org/")]),
    ("<code><i><b> </b></i></code><i><b><code> </code></b></i>", "  ",
     [ent("code", 0, 1), ent("bold", 0, 1), ent("italic", 0, 1),
      ent("code", 1, 1), ent("bold", 1, 1), ent("italic", 1, 1)]),
    ("<i><b> </b> <code> </code></i>", "   ",
     [ent("italic", 0, 3), ent("bold", 0, 1), ent("code", 2, 1)]),
    ("<a   href=  'telegram.org?&lt;'   > </a>", " ",
     [ent("text_link", 0, 1, url="http://telegram.org/?<")]),
    ("<a> </a>", " ", []),
    ("<a>telegram.org </a>", "telegram.org ", []),
    ("<a>telegram.org</a>", "telegram.org", [ent("text_link", 0, 12, url="http://telegram.org/")]),
    ("<a>https://telegram.org/asdsa?asdasdwe#12e3we</a>", "https://telegram.org/asdsa?asdasdwe#12e3we",
     [ent("text_link", 0, 42, url="https://telegram.org/asdsa?asdasdwe#12e3we")]),
    ("🏟 🏟&lt;<pre  >🏟 🏟&lt;</>", "🏟 🏟<🏟 🏟<", [ent("pre", 6, 6)]),
    ("🏟 🏟&lt;<pre><code>🏟 🏟&lt;</code></>", "🏟 🏟<🏟 🏟<",
     [ent("pre", 6, 6), ent("code", 6, 6)]),
    ('🏟 🏟&lt;<pre><code class="language-fift">🏟 🏟&lt;</></>', "🏟 🏟<🏟 🏟<",
     [ent("pre", 6, 6, language="fift")]),
    ('🏟 🏟&lt;<code class="language-fift"><pre>🏟 🏟&lt;</></>', "🏟 🏟<🏟 🏟<",
     [ent("pre", 6, 6, language="fift")]),
    ('🏟 🏟&lt;<pre><code class="language-fift">🏟 🏟&lt;</> </>', "🏟 🏟<🏟 🏟< ",
     [ent("pre", 6, 7), ent("code", 6, 6)]),
    ('➡️ ➡️<tg-emoji emoji-id = "12345">➡️ ➡️</tg-emoji><b>➡️ ➡️</b>', "➡️ ➡️➡️ ➡️➡️ ➡️",
     [ent("custom_emoji", 5, 5, custom_emoji_id="12345"), ent("bold", 10, 5)]),
    ('<blockquote   cite="" askdlbas nasjdbaj nj12b3>a&lt;<pre  >b;</></>', "a<b;",
     [ent("blockquote", 0, 4), ent("pre", 2, 2)]),
    ("<blockquote   expandable>a&lt;<pre  >b;</></>", "a<b;",
     [ent("expandable_blockquote", 0, 4), ent("pre", 2, 2)]),
]  # fmt: skip


@pytest.mark.parametrize(("markup", "error"), ERRORS)
def test_tdlib_errors(markup: str, error: str) -> None:
    with pytest.raises(HtmlParseError) as caught:
        parse_html(markup)
    assert str(caught.value) == error


@pytest.mark.parametrize(("markup", "text", "entities"), CASES)
def test_tdlib_cases(markup: str, text: str, entities: list[E]) -> None:
    assert parse_html(markup) == (text, entities)


def test_utf16_offsets_with_emoji_and_chinese() -> None:
    text, entities = parse_html("学习😀<b>强国🇨🇳</b><i>𠀀x</i>")
    assert text == "学习😀强国🇨🇳𠀀x"
    assert entities == [ent("bold", 4, 6), ent("italic", 10, 3)]
    assert utf16_len(text) == 13


def test_finish_text_trims_and_detects() -> None:
    text, entities = finish_text(
        "  /quiz@branch_study_bot 看 #党史 和 https://12371.cn ，@xiaoming\n", []
    )
    assert text == "/quiz@branch_study_bot 看 #党史 和 https://12371.cn ，@xiaoming"
    assert [(e["type"], text[e["offset"] : e["offset"] + e["length"]]) for e in entities] == [
        ("bot_command", "/quiz@branch_study_bot"),
        ("hashtag", "#党史"),
        ("url", "https://12371.cn"),
        ("mention", "@xiaoming"),
    ]
    text, entities = finish_text(*parse_html(" <code>/start</code> <b> 加粗 </b>"))
    assert text == "/start  加粗"
    assert entities == [ent("code", 0, 6), ent("bold", 7, 3)]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "<b>",
                    "</b>",
                    "<i>",
                    "</i>",
                    "<a href='x.org'>",
                    "</a>",
                    "<pre>",
                    "</pre>",
                    '<code class="language-py">',
                    "</code>",
                    "<tg-spoiler>",
                    "</tg-spoiler>",
                    "&lt;",
                    "&amp;",
                    "&#128512;",
                    "&#xD83D;",
                    "<",
                    ">",
                    "&",
                    "</>",
                    "<span>",
                    "<blockquote expandable>",
                    "</blockquote>",
                    "<tg-emoji emoji-id='5'>",
                    "</tg-emoji>",
                    " ",
                    "\n",
                    "😀",
                    "党",
                ]
            ),
            st.text(max_size=5),
        ),
        max_size=25,
    )
)
def test_parser_never_crashes(parts: list[str]) -> None:
    markup = "".join(parts)
    try:
        text, entities = parse_html(markup)
    except HtmlParseError as error:
        assert str(error)
        return
    size = utf16_len(text)
    for entity in entities:
        assert entity["length"] > 0 and entity["offset"] >= 0
        assert entity["offset"] + entity["length"] <= size
    text, entities = finish_text(text, entities)
    for entity in entities:
        assert entity["offset"] + entity["length"] <= utf16_len(text)
