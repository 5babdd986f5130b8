"""HTML pages (help-centre FAQs) as Markdown, with the page line each Markdown line comes from.

The page is cut into blocks (headings, paragraphs, lists, tables, code, images) by walking its
elements with BeautifulSoup's built-in parser, which records each tag's line; each block is
converted by markdownify, so the Markdown rules see the same section tree a Markdown note gives.
FAQ markup maps onto it: `<summary>` and `<dt>` are headings one level below the page's current
heading, their `<details>` / `<dd>` the answer. Scripts, styles, navigation, footers and forms are
not content. A page without `<h1>` takes its `<title>` as its top heading.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from markdownify import MarkdownConverter

_SKIP = {"head", "script", "style", "noscript", "template", "nav", "footer", "aside", "form", "button", "svg", "iframe"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_QUESTIONS = {"summary", "dt"}
_BLOCKS = {"p", "pre", "ul", "ol", "table", "blockquote", "figure", "img", "hr", "address", "math"}
_CONVERTER = MarkdownConverter(
    heading_style="ATX", bullets="-", escape_asterisks=False, escape_underscores=False, escape_misc=False
)


@dataclass
class _Page:
    """The Markdown being written, the page line of each of its lines, and the heading level."""

    lines: list[str] = field(default_factory=list)
    origin: list[int] = field(default_factory=list)
    level: int = 1
    pending: list[Tag | NavigableString] = field(default_factory=list)

    def add(self, markdown: str, first: int, last: int) -> None:
        text = markdown.strip("\n")
        if not text.strip():
            return
        if self.lines:
            self.lines.append("")
            self.origin.append(self.origin[-1])
        for offset, line in enumerate(text.splitlines()):
            self.lines.append(line)
            self.origin.append(min(first + offset, last))
        self.origin[-1] = last


def html_to_markdown(text: str) -> tuple[str, list[int]]:
    """The page as Markdown, and for each Markdown line (0-based) its 1-based line in the page."""
    soup = BeautifulSoup(text, "html.parser")
    page = _Page()
    title = soup.title
    if title and title.get_text(strip=True) and soup.find("h1") is None:
        page.add(f"# {title.get_text(' ', strip=True)}", title.sourceline or 1, title.sourceline or 1)
    _walk(soup.body or soup, page)
    _flush(page)
    return "\n".join(page.lines), page.origin


def _walk(element: Tag, page: _Page) -> None:
    for child in element.children:
        if isinstance(child, Comment):
            continue
        if isinstance(child, NavigableString):
            if child.strip():
                page.pending.append(child)
            continue
        if not isinstance(child, Tag) or child.name in _SKIP:
            continue
        if child.name in _HEADINGS or child.name in _QUESTIONS:
            _flush(page)
            _heading(child, page)
        elif child.name in _BLOCKS:
            _flush(page)
            page.add(_CONVERTER.convert_soup(child), *_lines(child))
        elif _is_inline(child):
            page.pending.append(child)
        else:
            _flush(page)
            _walk(child, page)


def _heading(tag: Tag, page: _Page) -> None:
    if tag.name in _HEADINGS:
        level = int(tag.name[1])
        page.level = level
    else:
        level = min(page.level + 1, 6)
    words = tag.get_text(" ", strip=True)
    if words:
        page.add(f"{'#' * level} {words}", *_lines(tag))


def _flush(page: _Page) -> None:
    """Loose text and inline tags between blocks make one paragraph."""
    if not page.pending:
        return
    html = "".join(str(node) for node in page.pending)
    tags = [node for node in page.pending if isinstance(node, Tag)]
    first = min((t.sourceline for t in tags if t.sourceline), default=_line_of_text(page))
    last = max((_lines(t)[1] for t in tags), default=first)
    page.pending = []
    page.add(_CONVERTER.convert_soup(BeautifulSoup(html, "html.parser")), first, max(first, last))


def _line_of_text(page: _Page) -> int:
    return page.origin[-1] if page.origin else 1


def _lines(tag: Tag) -> tuple[int, int]:
    first = tag.sourceline or 1
    last = max((t.sourceline or first for t in tag.find_all(True)), default=first)
    return first, max(first, last)


def _is_inline(tag: Tag) -> bool:
    block_inside = tag.find(lambda t: t.name in _BLOCKS or t.name in _HEADINGS or t.name in ("div", "section"))
    return tag.name in {"a", "span", "strong", "b", "em", "i", "code", "small", "sup", "sub", "br", "mark", "u"} and (
        block_inside is None
    )
