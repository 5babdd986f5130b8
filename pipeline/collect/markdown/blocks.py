"""Markdown source to top-level blocks with line numbers, parsed by markdown-it (CommonMark).

A real parser settles what line rules cannot: a numbered line inside a fenced block is code, a
list item's indented fence belongs to the item, `$$` math and tables are blocks of their own. Each
block keeps its source text, so an answer is the author's Markdown, not a re-rendering of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from pipeline.dedup.sketch import unify_lookalikes

_PARSER = MarkdownIt("commonmark").enable("table").use(front_matter_plugin).use(dollarmath_plugin)
_KINDS = {
    "heading_open": "heading",
    "paragraph_open": "paragraph",
    "bullet_list_open": "list",
    "ordered_list_open": "list",
    "blockquote_open": "quote",
    "table_open": "table",
    "fence": "code",
    "code_block": "code",
    "math_block": "math",
    "math_block_eqno": "math",
    "html_block": "html",
    "hr": "hr",
    "front_matter": "front_matter",
}
_ITEM_MARKER = re.compile(r"^([ \t]*(?:\d{1,9}[.)]|[-+*]))([ \t]*)")


@dataclass(frozen=True)
class Item:
    """One list item: its first paragraph (the candidate question) and the rest of its content."""

    line: int
    number: int | None
    first: str | None
    first_end: int
    rest: tuple[Block, ...]


@dataclass(frozen=True)
class Block:
    """A top-level block: its kind, lines, source text and what the outline reads from it.

    `title` is the words of a heading or paragraph, `bold` whether a paragraph is all bold, `info`
    a fence's info string, `items` a list's items.
    """

    kind: str
    line: int
    end: int
    text: str
    level: int = 0
    title: str = ""
    info: str = ""
    bold: bool = False
    items: tuple[Item, ...] = field(default=())

    @property
    def ordered(self) -> bool:
        return self.kind == "list" and self.text.lstrip()[:1].isdigit()


def parse_blocks(text: str, first_line: int = 1) -> list[Block]:
    """The top-level blocks of `text`, whose first line is line `first_line` of the note."""
    lines = text.splitlines()
    tokens = _PARSER.parse(text)
    blocks = []
    for index, token in enumerate(tokens):
        if token.level != 0 or token.map is None or token.type not in _KINDS:
            continue
        blocks.append(_block(tokens, index, lines, first_line))
    return blocks


def plain(inline: Token | None) -> str:
    """Inline Markdown as words: escapes resolved, emphasis and images dropped, links as their text."""
    if inline is None:
        return ""
    parts = []
    for child in inline.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "math_inline":
            parts.append(f"${child.content}$")
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return re.sub(r"\s+", " ", unify_lookalikes("".join(parts))).strip()


def _block(tokens: list[Token], index: int, lines: list[str], first_line: int) -> Block:
    token = tokens[index]
    start, stop = token.map
    while stop > start + 1 and not lines[stop - 1].strip():
        stop -= 1
    kind = _KINDS[token.type]
    text = "\n".join(lines[start:stop])
    base = {"kind": kind, "line": start + first_line, "end": stop - 1 + first_line, "text": text}
    if kind == "heading":
        return Block(**base, level=int(token.tag[1]), title=plain(tokens[index + 1]))
    if kind == "paragraph":
        inline = tokens[index + 1]
        return Block(**base, title=plain(inline), bold=_all_bold(inline))
    if kind == "code":
        return Block(**base, info=token.info.strip())
    if kind == "list":
        return Block(**base, items=tuple(_items(tokens, index, lines, first_line)))
    return Block(**base)


def _all_bold(inline: Token) -> bool:
    children = [c for c in inline.children or () if not (c.type == "text" and not c.content.strip())]
    return len(children) >= 3 and children[0].type == "strong_open" and children[-1].type == "strong_close"


def _items(tokens: list[Token], index: int, lines: list[str], first_line: int) -> list[Item]:
    depth, items = tokens[index].level, []
    for position in range(index + 1, len(tokens)):
        token = tokens[position]
        if token.level == depth and token.type.endswith("_list_close"):
            break
        if token.type == "list_item_open" and token.level == depth + 1 and token.map:
            items.append(_item(tokens, position, lines, first_line))
    return items


def _item(tokens: list[Token], position: int, lines: list[str], first_line: int) -> Item:
    token = tokens[position]
    start, stop = token.map
    first, first_stop = None, start + 1
    child = tokens[position + 1]
    if child.type == "paragraph_open" and child.map:
        first, first_stop = plain(tokens[position + 2]), child.map[1]
    rest_lines = _dedent(lines[first_stop:stop], lines[start])
    rest = tuple(parse_blocks("\n".join(rest_lines), first_stop + first_line)) if first is not None else ()
    number = int(token.info) if token.info.isdigit() else None
    return Item(start + first_line, number, first, first_stop - 1 + first_line, rest)


def item_source(block: Block, item: Item) -> str:
    """The source of a one-line item without its list marker: its inline code and links kept
    (`Item.first` is the plain words)."""
    line = block.text.splitlines()[item.line - block.line]
    return _ITEM_MARKER.sub("", line, count=1).strip()


def _dedent(rest: list[str], opener: str) -> list[str]:
    """An item's later lines without the indentation of its content column (CommonMark's rule)."""
    match = _ITEM_MARKER.match(opener)
    if not match:
        return rest
    spaces = len(match.group(2))
    width = len(match.group(1)) + (spaces if 1 <= spaces <= 4 else 1)
    return [line[min(width, len(line) - len(line.lstrip(" "))) :] for line in rest]
