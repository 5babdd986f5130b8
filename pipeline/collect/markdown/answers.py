"""An answer from the blocks of a section: the author's Markdown, cleaned for training.

What changes, and why:

- images follow `markdown.images`: `drop` (default; a model cannot see them and the paths point
  into the author's folder), `alt_text` (the alt text when it says something, not "img_3.png"),
  or `keep` with the path resolved against the note (an image that does not exist is dropped);
- a request to cite, a ```bibtex block with the line that asks for it ("如果使用了该方法，请添加引用:"),
  is dropped: it is the authors' boilerplate, not the answer;
- a list of links only (a "Reference" list) and a paragraph of links only ("具体可参考：https://…")
  are dropped (`markdown.drop_link_lists`), and so is the line that led into such a list
  ("训练脚本："); an answer that is nothing else, or only pointers ("数据格式见[自定义数据集](…)",
  `only_pointers`), is a `link_only_answer`;
- ```text fences and other prose fences (`markdown.prose_fences`) become the prose they hold, and
  so do a fence without a language and an indented block when they hold Chinese prose (`fences`);
- Markdown escapes are removed outside code and math (`top\\_k`), except `\\|` in tables;
- code blocks, tables and `$$` math are kept byte for byte.

Blocks are joined by one blank line; the answer's last line is the last line of the last kept block.
"""

from __future__ import annotations

import os
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from pipeline.collect.markdown.blocks import Block
from pipeline.collect.markdown.fences import prose, prose_lines
from pipeline.collect.markdown.text import outside_code, unescape, without_tags
from pipeline.dedup.sketch import unify_lookalikes
from schemas.config import MarkdownConfig

_MD_IMAGE = re.compile(
    r"!\[(?P<alt>(?:[^\[\]\\]|\\.|\[[^\]]*\])*)\]\(\s*(?P<src><[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)"
    r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)"
)
_OTHER_IMAGE = re.compile(
    r"!\[\[(?P<wiki>[^\]|]+)(?:\|(?P<walt>[^\]]*))?\]\]|!\[(?P<ralt>[^\]]*)\]\[[^\]]*\]|<img\b(?P<attrs>[^>]*)>",
    re.IGNORECASE,
)
_ATTR = re.compile(r"""\b(?P<name>src|alt)\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s>]+))""", re.I)
_MEANINGLESS_ALT = re.compile(
    r"^(?:[\w\-.%() ]+\.(?:png|jpe?g|gif|svg|webp|bmp|tiff?)|img|image|图片|图|截图|pic|picture|photo|screenshot)?$",
    re.IGNORECASE,
)
_LINK = re.compile(r"(?<!!)\[(?:[^\[\]]|\[[^\]]*\])*\]\([^)]*\)|<(?:https?|ftp)://[^>]+>|(?:https?|ftp)://[^\s)）]+")
_REFERENCE_WORDS = re.compile(
    r"具体|可以|可|请|参考|参看|参见|详见|详情|查看|看|见|链接|原文|出处|来源|地址|文档|更多|下面的|其他|"
    r"\b(?:see|also|more|refs?|references?|links?|source)\b",
    re.IGNORECASE,
)
_POINTING = re.compile(r"参考|参看|参见|详见|查看|请看|见|\b(?:see|refer)\b", re.IGNORECASE)
_LEAD_IN = ("：", ":")
_CITATION_FENCES = {"bibtex", "bib", "biblatex"}
_CAPTION = 12  # "更多Shell脚本：[…](…)", "0.6B: [ModelScope](…)": a link's caption, not an answer
_PLACE = "\x00"  # where a link was
_CLAUSE = re.compile(r"[。；;！!，,\n]+")
_LIST_MARKER = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]*", re.MULTILINE)
_WORD = re.compile(r"[\w\u4e00-\u9fff]")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


@dataclass(frozen=True)
class Answer:
    text: str
    end: int
    dropped_links: bool


def render(blocks: list[Block], config: MarkdownConfig, document: Path | None) -> Answer:
    """The answer of `blocks` (its text is empty when nothing is left to learn from)."""
    kept: list[tuple[Block, str]] = []
    dropped_links = False
    for block in blocks:
        citation = block.kind == "code" and block.info.lower() in _CITATION_FENCES
        if citation or _link_only_block(block, config):
            dropped_links = dropped_links or not citation
            if kept and kept[-1][0].kind == "paragraph" and kept[-1][1].rstrip().endswith(_LEAD_IN):
                kept.pop()  # "SWIFT提供的脚手架训练脚本：", "请添加引用:" say nothing without what they lead to
            continue
        text = _render(block, config, document)
        if text.strip():
            kept.append((block, text.strip("\n")))
    kept = _without_empty_headings(kept)
    while kept and kept[-1][0].kind == "hr":
        kept.pop()
    while kept and kept[0][0].kind == "hr":
        kept.pop(0)
    text = unify_lookalikes("\n\n".join(text for _, text in kept)).strip()
    return Answer(text, kept[-1][0].end if kept else 0, dropped_links)


def _without_empty_headings(kept: list[tuple[Block, str]]) -> list[tuple[Block, str]]:
    """Sub-headings whose section lost everything (a Reference list) are not left dangling."""
    out: list[tuple[Block, str]] = []
    for block, text in reversed(kept):
        following = out[-1][0] if out else None
        empty = following is None or (following.kind == "heading" and following.level <= block.level)
        if not (block.kind == "heading" and empty):
            out.append((block, text))
    return out[::-1]


def link_only(text: str) -> bool:
    """Only links, URLs and words that point at them ("具体可参考：https://…", "* [x](y)")."""
    bare = _LINK.sub("", text)
    if bare == text:
        return False
    return not _WORD.search(_REFERENCE_WORDS.sub("", _LIST_MARKER.sub("", bare)))


def only_pointers(text: str) -> bool:
    """An answer that only sends the reader elsewhere: every clause links or says nothing.

    A clause that holds a link and a pointing verb is a pointer whatever else it names
    ("离线评测请参考EvalScope文档[快速上手](…)", "数据格式见[自定义数据集](…)"), and so is a link
    with a short caption ("更多Shell脚本：[…](…)"); one clause without
    a link that says something ("支持，具体参考[…]") makes it an answer. Blocks inside a longer
    answer are judged by `link_only` alone: there a pointer still says where the detail is.
    """
    marked = _LINK.sub(_PLACE, text)
    if marked == text:
        return False
    return all(_pointer(clause) for clause in _CLAUSE.split(_LIST_MARKER.sub("", marked)))


def _pointer(clause: str) -> bool:
    if _PLACE in clause and (_POINTING.search(clause) or len(_WORD.findall(clause)) <= _CAPTION):
        return True
    return not _WORD.search(_REFERENCE_WORDS.sub("", clause.replace(_PLACE, "")))


def _link_only_block(block: Block, config: MarkdownConfig) -> bool:
    return config.drop_link_lists and block.kind in ("paragraph", "list") and link_only(block.text)


def _render(block: Block, config: MarkdownConfig, document: Path | None) -> str:
    if block.kind in ("math", "front_matter"):
        return block.text if block.kind == "math" else ""
    if block.kind == "code":
        return _code(block, config)
    if block.kind == "html":
        text = _COMMENT.sub("", _images(block.text, config, document))
        return text if _WORD.search(without_tags(text)) or "<img" in text.lower() else ""
    text = _images(block.text, config, document)
    if not _WORD.search(text) and block.kind != "hr":
        return ""
    return unescape(text, keep="|" if block.kind == "table" else "")


def _code(block: Block, config: MarkdownConfig) -> str:
    inner = prose_lines(block, config.prose_fences)
    if inner is not None:
        return textwrap.dedent("\n".join(inner))
    if not block.text.lstrip().startswith(("```", "~~~")) and prose(block.text):
        return textwrap.dedent(block.text)  # an indented block that is prose: indentation by accident
    return block.text


def _images(text: str, config: MarkdownConfig, document: Path | None) -> str:
    def markdown(match: re.Match[str]) -> str:
        return _image(match.group("alt"), match.group("src").strip("<>"), match.group(), config, document)

    def other(match: re.Match[str]) -> str:
        if match.group("wiki"):
            return _image(match.group("walt") or "", match.group("wiki"), None, config, document)
        if match.group("attrs") is None:
            return _image(match.group("ralt"), "", None, config, document)
        attrs = {m.group("name").lower(): m.group("dq") or m.group("sq") or m.group("bare") or "" for m in
                 _ATTR.finditer(match.group("attrs"))}  # fmt: skip
        return _image(attrs.get("alt", ""), attrs.get("src", ""), match.group(), config, document)

    return outside_code(text, lambda part: _OTHER_IMAGE.sub(other, _MD_IMAGE.sub(markdown, part)))


def _image(alt: str, src: str, original: str | None, config: MarkdownConfig, document: Path | None) -> str:
    if config.images == "alt_text":
        return "" if _MEANINGLESS_ALT.match(alt.strip()) else alt.strip()
    if config.images == "drop" or not src:
        return ""
    if re.match(r"^(?:https?|ftp|data):", src, re.IGNORECASE):
        return original or f"![{alt}]({src})"
    if document is None:
        return ""
    resolved = Path(os.path.normpath(document.parent / unquote(src)))
    return f"![{alt}]({resolved.as_posix()})" if resolved.is_file() else ""
