"""Chat text to safe HTML: a small markdown subset, then a sanitiser.

markdown-it-py with raw HTML off already escapes what people type; nh3 (the
ammonia sanitiser) is the second wall, with an allow-list of tags, http(s)
links only, and rel="noopener noreferrer nofollow". Mentions and references
("fact#3") become links after sanitising the text they came in.
"""

import re
from html import unescape

import nh3
from django.utils.html import escape
from markdown_it import MarkdownIt

_md = MarkdownIt("zero", {"html": False, "linkify": False, "breaks": True}).enable(
    ["emphasis", "backticks", "strikethrough", "link", "newline", "list", "blockquote", "escape"]
)
ALLOWED_TAGS = {"p", "br", "strong", "em", "s", "code", "a", "ul", "ol", "li", "blockquote"}
MENTION_RE = re.compile(r"(?<![\w@/])@([\w.+-]{1,150})")
# Any `kind#id`: only the references the message resolved (incidents.references) become links.
REF_RE = re.compile(r"(?<![\w/#])([a-z][a-z_]{0,30})#(\d{1,9})\b")


def render(text: str, *, mentions: dict[str, str] | None = None, refs: dict[tuple[str, int], str] | None = None) -> str:
    """`mentions` maps lower-case usernames to display names; `refs` maps (kind, id) to a URL."""
    html = _md.render(text or "")
    html = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer nofollow",
    )
    mentions, refs = mentions or {}, refs or {}

    def mention(match):
        name = mentions.get(match.group(1).lower())
        return f'<span class="mention">@{escape(name)}</span>' if name else match.group(0)

    def reference(match):
        url = refs.get((match.group(1), int(match.group(2))))
        return f'<a class="ref" href="{escape(url)}">{match.group(0)}</a>' if url else match.group(0)

    # Only in text between tags: never inside an attribute, a link already made, or code.
    parts = re.split(r"(<[^>]*>)", html)
    skipping = None  # the closing tag that ends the skipped element
    for index, part in enumerate(parts):
        if part.startswith("<"):
            if skipping is None and (part.startswith("<a ") or part == "<code>"):
                skipping = "</a>" if part.startswith("<a ") else "</code>"
            elif part == skipping:
                skipping = None
            continue
        if skipping is None:
            parts[index] = REF_RE.sub(reference, MENTION_RE.sub(mention, part))
    return "".join(parts)


_LINK_RE = re.compile(r'<a href="([^"]*)"[^>]*>(.*?)</a>', re.S)
_BREAK_RE = re.compile(r"(?:<br\s*/?>|</p>|</li>|</blockquote>)\n?")


def plain_text(text: str) -> str:
    """Chat text for places without HTML (notifications, e-mails): the markdown
    rendered, then reduced to its text. "**urgent**" reads "urgent", a link
    "label (address)", list items one per line; never the raw markup."""
    html = _md.render(text or "")

    def link(match):
        href, label = unescape(match.group(1)), match.group(2)
        return label if unescape(nh3.clean(label, tags=set())) == href else f"{label} ({escape(href)})"

    html = _LINK_RE.sub(link, html)
    html = _BREAK_RE.sub("\n", html).replace("<li>", "• ")
    flat = unescape(nh3.clean(html, tags=set()))
    return re.sub(r"\n\s*\n+", "\n", flat).strip()
