from __future__ import annotations

import re

import pytest

from federation.content import (
    MAX_ATTACHMENTS,
    MAX_POLL_OPTIONS,
    MAX_RECIPIENTS,
    MAX_TAGS,
    cap,
    clean_name,
    plain_text,
    sanitize_html,
)
from federation.markdown import normalize_hashtag, render_markdown


def tag_url(name: str) -> str:
    return f"https://local.example/tags/{name.lower()}"


def md(text: str) -> str:
    return render_markdown(text, tag_url=tag_url).html


# A status as Mastodon 4.x federates it: h-card mention, hashtag, shortened link.
MASTODON_STATUS = (
    '<p><span class="h-card" translate="no"><a href="https://social.example/@alice" '
    'class="u-url mention">@<span>alice</span></a></span> we still need blankets for '
    '<a href="https://social.example/tags/MutualAid" class="mention hashtag" rel="tag">'
    "#<span>MutualAid</span></a> &amp; friends, see "
    '<a href="https://example.org/drives/winter-2024?ref=a&amp;b=c" target="_blank" '
    'rel="nofollow noopener noreferrer" translate="no"><span class="invisible">https://'
    '</span><span class="ellipsis">example.org/drives/winter</span><span class="invisible">'
    "-2024?ref=a&amp;b=c</span></a></p><p>Thanks!<br />♥</p>"
)


# ------------------------------------------------------------------------ sanitize_html


def test_script_removed_with_content() -> None:
    out = sanitize_html("<p>hi<script>alert('x')</script></p><style>p{color:red}</style>")
    assert out == "<p>hi</p>"


@pytest.mark.parametrize(
    "payload",
    [
        '<img src="x" onerror="alert(1)">',
        '<p onclick="alert(1)" onmouseover="alert(2)">t</p>',
        '<a href="javascript:alert(1)">t</a>',
        '<a href="JaVaScRiPt:alert(1)">t</a>',
        '<a href="  javascript:alert(1)">t</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">t</a>',
        '<a href="vbscript:msgbox(1)">t</a>',
        "<svg><script>alert(1)</script></svg>",
        '<iframe src="https://evil.example/"></iframe>',
        '<math><mi xlink:href="javascript:alert(1)">t</mi></math>',
        '<p style="background:url(javascript:alert(1))">t</p>',
        "<scr<script>ipt>alert(1)</script>",
    ],
)
def test_dangerous_markup_removed(payload: str) -> None:
    out = sanitize_html(payload).lower()
    for needle in ("<script", "onerror", "onclick", "onmouseover", "javascript:", "data:"):
        assert needle not in out
    for needle in ("vbscript:", "<iframe", "<img", "<svg", "style=", "alert(1)</"):
        assert needle not in out


def test_link_without_allowed_href_unwrapped() -> None:
    assert sanitize_html('<p><a href="javascript:alert(1)">click</a></p>') == "<p>click</p>"


def test_every_link_gets_rel_and_target() -> None:
    out = sanitize_html('<a href="https://x.example/" rel="me opener" target="_self">x</a>')
    assert out == (
        '<a href="https://x.example/" rel="nofollow noopener noreferrer" target="_blank">x</a>'
    )


@pytest.mark.parametrize(
    "href", ["mailto:a@b.example", "xmpp:a@b.example", "gemini://b.example/", "/relative"]
)
def test_allowed_schemes(href: str) -> None:
    assert f'href="{href}"' in sanitize_html(f'<a href="{href}">x</a>')


def test_mastodon_status_survives() -> None:
    out = sanitize_html(MASTODON_STATUS)
    assert '<span class="h-card" translate="no">' in out
    assert '<a href="https://social.example/@alice" class="u-url mention"' in out
    assert (
        '<a href="https://social.example/tags/MutualAid" class="mention hashtag" '
        'rel="tag nofollow noopener noreferrer">#<span>MutualAid</span></a>'
    ) in out
    assert 'href="https://example.org/drives/winter-2024?ref=a&amp;b=c"' in out
    assert '<span class="invisible">https://</span>' in out
    assert '<span class="ellipsis">example.org/drives/winter</span>' in out
    assert "<br>♥</p>" in out
    assert plain_text(out) == plain_text(MASTODON_STATUS)
    assert sanitize_html(out) == out  # idempotent


def test_classes_filtered() -> None:
    out = sanitize_html(
        '<span class="h-card evil mention">a</span><span class="big red">b</span>'
        '<p class="quote-inline">c</p>'
    )
    assert out == '<span class="h-card mention">a</span><span>b</span><p class="quote-inline">c</p>'


def test_lists_and_headings() -> None:
    out = sanitize_html(
        '<h1 id="x">Title</h1><ol start="3" reversed><li value="5">a</li><li value="x">b</li></ol>'
    )
    assert out == (
        '<p><strong>Title</strong></p><ol start="3" reversed=""><li value="5">a</li><li>b</li></ol>'
    )


def test_unknown_tags_keep_text() -> None:
    assert sanitize_html("<div><table><tr><td>cell</td></tr></table></div>") == "cell"


# ---------------------------------------------------------------------- render_markdown


def test_hashtags_become_links_and_list() -> None:
    result = render_markdown("Help #MutualAid folks, #mutualaid #café #Tag_2.", tag_url=tag_url)
    assert (
        '<a href="https://local.example/tags/mutualaid" class="mention hashtag" '
        'rel="tag nofollow noopener noreferrer">#<span>MutualAid</span></a>'
    ) in result.html
    assert "#<span>café</span>" in result.html
    assert result.hashtags == ["MutualAid", "café", "Tag_2"]
    assert result.links == []


@pytest.mark.parametrize(
    "text",
    ["#123", "issue#4", "a/#b", "##double", "&#x", "https://x.example/#frag", "#"],
)
def test_not_hashtags(text: str) -> None:
    assert render_markdown(text, tag_url=tag_url).hashtags == []


def test_hashtags_not_in_code_or_links() -> None:
    result = render_markdown(
        "`#notatag` [#linked](https://x.example/) \\#escaped\n\n```\n#fenced\n```\n\n    #indented",
        tag_url=tag_url,
    )
    assert result.hashtags == []
    assert "<code>#notatag</code>" in result.html
    assert "#fenced" in result.html
    assert "#indented" in result.html


def test_hashtags_capped() -> None:
    text = " ".join(f"#tag{i}x" for i in range(MAX_TAGS + 10))
    assert len(render_markdown(text, tag_url=tag_url).hashtags) == MAX_TAGS


def test_raw_html_escaped() -> None:
    out = md('<script>alert(1)</script> <b onclick="x">bold</b>')
    assert "<script" not in out
    assert "<b" not in out
    assert '&lt;b onclick="x"&gt;bold&lt;/b&gt;' in out


def test_links_get_rel_and_are_listed() -> None:
    result = render_markdown(
        "See https://example.org/a?b=1&c=2 and [docs](https://docs.example/) "
        "and [bad](javascript:alert(1)) and https://example.org/a?b=1&c=2",
        tag_url=tag_url,
    )
    assert (
        '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow noopener noreferrer" '
        'target="_blank">https://example.org/a?b=1&amp;c=2</a>'
    ) in result.html
    assert 'href="https://docs.example/"' in result.html
    assert "javascript:" not in result.html.replace("[bad](javascript:alert(1))", "")
    assert result.links == ["https://example.org/a?b=1&c=2", "https://docs.example/"]
    for tag in re.findall(r"<a [^>]*>", result.html):
        assert 'rel="nofollow noopener noreferrer"' in tag


def test_markdown_formatting() -> None:
    out = md("**bold** _em_ ~~gone~~\nnext line\n\n- one\n- two\n\n> quote")
    assert "<strong>bold</strong>" in out
    assert "<em>em</em>" in out
    assert "<s>gone</s>" in out or "<del>gone</del>" in out
    assert "<br>" in out
    assert "<li>one</li>" in out
    assert "<blockquote>" in out


def test_no_bare_domain_linkify() -> None:
    assert "<a" not in md("meet at joes.cafe at noon")


def test_tag_url_is_escaped() -> None:
    result = render_markdown("#x", tag_url=lambda name: 'https://l.example/t?a="><script>')
    assert "<script" not in result.html
    assert "&quot;&gt;&lt;script&gt;" in result.html


def test_normalize_hashtag() -> None:
    assert normalize_hashtag("#MutualAid") == normalize_hashtag("mutualaid")
    assert normalize_hashtag("Ｔａｇ") == "tag"


# --------------------------------------------------------------------------- clean_name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Alice \n\t Smith  ", "Alice Smith"),
        ("admin\u202egnp.exe", "admingnp.exe"),
        ("\u2066Bob\u2069\u200e\u200f\u061c", "Bob"),
        ("ad\u200bmin\u200c\u200d\u2060\ufeff", "admin"),
        ("bell\x07\x00\x1b[31m", "bell[31m"),
        ("soft\u00adhyphen", "softhyphen"),
        ("<b>not html</b>", "<b>not html</b>"),
        ("\u200b \u200b", ""),
    ],
)
def test_clean_name(raw: str, expected: str) -> None:
    assert clean_name(raw) == expected


def test_clean_name_caps_length() -> None:
    assert clean_name("x" * 500) == "x" * 200
    assert clean_name("abc def", max_length=4) == "abc"


# --------------------------------------------------------------------------- plain_text


def test_plain_text() -> None:
    html = (
        "<p>Hello <b>there</b> &amp; welcome</p><p>line one<br>line two</p>"
        "<ul><li>a</li><li>b</li></ul><script>alert(1)</script><style>x{}</style>"
    )
    assert plain_text(html) == "Hello there & welcome\n\nline one\nline two\n\n- a\n- b"


def test_plain_text_strips_controls() -> None:
    assert plain_text("<p>evil\u202e\x1b]0;title\x07</p>") == "evil]0;title"


def test_plain_text_of_mastodon_status() -> None:
    assert plain_text(MASTODON_STATUS) == (
        "@alice we still need blankets for #MutualAid & friends, see "
        "https://example.org/drives/winter-2024?ref=a&b=c\n\nThanks!\n♥"
    )


# ------------------------------------------------------------------------------- limits


def test_limits_and_cap() -> None:
    assert (MAX_TAGS, MAX_RECIPIENTS, MAX_ATTACHMENTS, MAX_POLL_OPTIONS) == (100, 1000, 20, 20)
    assert cap([1, 2, 3], 2) == [1, 2]
    assert cap([1], 5) == [1]
    assert cap([1, 2], -1) == []
