"""Markdown notes into question/answer pairs, scored against the gold set in bench/quality/markdown/.

    python bench/quality.py --only markdown_bench [--part tuned|untuned|both] [--show N]

Every labelled note goes through `pipeline.collect.run`, the function `sft run` calls for each
file of a source, with the default run config; the kept records are the extracted pairs. Each
pair is located by its source pointer: the non-blank lines from `line` (its question) to
`line_end` (the end of its answer). A labelled pair is the non-blank lines of its question_lines
and answer_lines. Lines holding only images do not count on either side (the image policy decides
whether they stay), nor do pointer lines: a link with at most POINTER_WORDS letters around it
("具体可以参考[test.py](…)。"), which the link policy may drop; labellers ended an answer before or
after such a trailing line alike, and neither choice is a different pair. Rules, per part:

- **matched**: an expected pair and an extracted pair whose line sets have Jaccard >= MATCH_JACCARD,
  paired one to one, best overlap first. **Recall** = matched expected pairs / expected pairs.
- **good**: a released pair that is matched, whose prompt is question-like (below), and whose
  answer is whole (covers >= WHOLE_SHARE of the labelled pair's lines). **Good share** = good /
  released pairs (a pair from a note that should give none is not good).
- **question-like**: no leading numbering, no Markdown escape, not bare, and it asks: it ends in a
  question mark or holds an interrogative or an instruction word (ASKING below).
- **bare**: a prompt that, once numbering is stripped, is nothing, only a number, one Latin word
  ("WordPiece"), at most four Han characters without a question word ("介绍", "数据有误"), or a
  question word alone ("为什么？"); "怎么缓解？" is a question, not a bare heading.
- **dead image links**: images (`![..](..)`, `<img src>`) in prompts or answers whose target is a
  local path that exists neither as written nor beside the note (remote URLs are not checked).
- **escapes**: backslash escapes of ASCII punctuation (`top\\_k`, `\\[CLS]`) outside code spans,
  code blocks and math (`$..$`, `$$..$$`), where they belong, except `\\|` in a table row (GFM's
  only way to write a pipe inside a cell: unescaped, it would split the cell).
- **look-alikes**: pairs holding a Kangxi radical or a CJK compatibility ideograph ("这⾥").

Targets, on the untuned part (the issue's): good share >= 85%, recall >= 90%, and none of dead
image links, escapes and bare prompts. Tune on the tuned part only; read the untuned part only
through these figures: its mismatches are counted, never listed.

A pointer without `line_end` (the parser before issue 12) is located by finding its answer's last
line in the note after the question, so the before/after table uses one rule.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipeline import collect  # noqa: E402
from schemas import SftRecord, SourceConfig  # noqa: E402

HERE = Path(__file__).parent / "markdown"
NOTES = HERE / "notes"
MATCH_JACCARD = 0.8
WHOLE_SHARE = 0.9
GOOD_TARGET = 0.85
RECALL_TARGET = 0.90

NUMBERING = re.compile(
    r"^\s*(?:[(（]?\s*\d+(?:[.\-]\d+)*\s*[)）.、:：-]?|[一二三四五六七八九十]+\s*[、.)）]|[(（][一二三四五六七八九十]+[)）])\s*"
)
ESCAPE = re.compile(r"\\[!-/:-@\[-`{-~]")
TABLE_ROW = re.compile(r"^[ \t]*\|.*$", re.MULTILINE)
PROTECTED = re.compile(
    r"(`{3,}|~{3,})[^\n]*\n.*?(?:\n[ \t]*\1[^\n]*|\Z)"  # a fence, indented under a list item too
    r"|`+[^`\n]+`+|\$\$.+?\$\$|\$[^$\n]+\$",
    re.DOTALL,
)
IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]*)>?[^)]*\)|<img\b[^>]*?\bsrc\s*=\s*[\"']?([^\"'\s>]+)", re.IGNORECASE)
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\([^)]*\)|<https?://[^>]+>|https?://[^\s)）]+")
TAG = re.compile(r"</?[A-Za-z][^>]*>")
WORDS = re.compile(r"[\w\u4e00-\u9fff]")
POINTER_WORDS = 20  # "具体可以参考[…](…)。", "loss的源代码可以在[这里](…)找到。": a pointer line
LOOK_ALIKE = re.compile(r"[\u2e80-\u2eff\u2f00-\u2fdf\uf900-\ufaff\U0002f800-\U0002fa1f]")
ASKING = re.compile(
    r"[?？]|什么|为什么|为何|如何|怎么|怎样|哪|吗|呢|是否|能否|可否|多少|几种|几个|区别|差异|异同|请(?!求)|简述|简要|一下|"
    r"介绍一下|解释|说明|描述|列举|比较|对比|谈谈|说说|讲讲|写出|写一个|实现|举例|分析|总结|\b(?:what|why|how|which|"
    r"when|where|who|is|are|does|do|can|should|explain|describe|compare|list|write|implement)\b",
    re.IGNORECASE,
)
LATIN_WORD = re.compile(r"^[A-Za-z][A-Za-z0-9.+#_-]*$")
HAN_WORD = re.compile(r"^[\u4e00-\u9fff]{1,4}$")
QUESTION_WORDS = re.compile(r"为什么|什么|怎么|怎样|如何|哪|吗|呢|办|是")


@dataclass
class Pair:
    """A pair's place in its note (lines) and, for an extracted pair, its prompt and answer."""

    note: str
    lines: frozenset[int]
    span: tuple[int, int]
    question: str
    answer: str = ""
    match: Pair | None = field(default=None, repr=False)


@dataclass
class Tally:
    notes: int = 0
    expected: int = 0
    extracted: int = 0
    matched: int = 0
    good: int = 0
    dead_images: int = 0
    escapes: int = 0
    bare: int = 0
    numbered: int = 0
    look_alikes: int = 0
    rejections: dict[str, int] = field(default_factory=dict)
    missed: list[Pair] = field(default_factory=list)
    bad: list[tuple[Pair, str]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.matched / max(self.expected, 1)

    @property
    def good_share(self) -> float:
        return self.good / max(self.extracted, 1)

    def targets_hold(self) -> bool:
        clean = not (self.dead_images or self.escapes or self.bare)
        return self.good_share >= GOOD_TARGET and self.recall >= RECALL_TARGET and clean


def run(parts: list[str], show: int) -> bool:
    labels = [json.loads(line) for line in (HERE / "labels.jsonl").read_text(encoding="utf-8").splitlines()]
    print(f"{'part':8} {'notes':>5} {'expected':>8} {'extracted':>9} {'recall':>7} {'good':>7} "
          f"{'dead img':>8} {'escapes':>7} {'bare':>5} {'numbered':>8} {'look-alike':>10}")  # fmt: skip
    tallies = {part: _score([label for label in labels if label["part"] == part]) for part in parts}
    for part, tally in tallies.items():
        _print_row(part, tally)
    if "untuned" in tallies:  # the untuned part's rounds, each drawn and labelled at its own time
        for held_out in sorted({label["held_out"] for label in labels if label["part"] == "untuned"}):
            _print_row(f"  {held_out}", _score([label for label in labels if label.get("held_out") == held_out]))
    for part, tally in tallies.items():
        _show(part, tally, show)
    _agreement(labels)
    if "untuned" not in tallies:
        return True
    held = tallies["untuned"].targets_hold()
    print(f"targets on the untuned part (good >= {GOOD_TARGET:.0%}, recall >= {RECALL_TARGET:.0%}, "
          f"0 dead images, 0 escapes, 0 bare prompts): {'hold' if held else 'do not hold'}")  # fmt: skip
    return held


def _print_row(name: str, tally: Tally) -> None:
    print(f"{name:8} {tally.notes:5} {tally.expected:8} {tally.extracted:9} {tally.recall:7.1%} "
          f"{tally.good_share:7.1%} {tally.dead_images:8} {tally.escapes:7} {tally.bare:5} {tally.numbered:8} "
          f"{tally.look_alikes:10}")  # fmt: skip


def _agreement(labels: list[dict]) -> None:
    """How far two readers agree: a second reader's pairs (second_reader.jsonl, written blind on
    notes of rounds 5 and 10) scored against labels.jsonl with the same matching rule, per round: a
    ceiling for recall against one reader."""
    second = [json.loads(line) for line in (HERE / "second_reader.jsonl").read_text(encoding="utf-8").splitlines()]
    first = {label["note"]: label for label in labels}
    rounds: dict[str, Tally] = {}
    for label in second:
        lines = (NOTES / label["note"]).read_text(encoding="utf-8").splitlines()
        theirs = [_expected(label["note"], pair, lines) for pair in first[label["note"]]["pairs"]]
        ours = [_expected(label["note"], pair, lines) for pair in label["pairs"]]
        _match(theirs, ours)
        tally = rounds.setdefault(first[label["note"]].get("held_out", "rounds 1-2").split(" (")[0], Tally())
        tally.notes += 1
        tally.expected += len(theirs)
        tally.extracted += len(ours)
        tally.matched += sum(pair.match is not None for pair in theirs)
    for name, tally in rounds.items():
        precision = tally.matched / max(tally.extracted, 1)
        print(f"two readers on {tally.notes} notes of {name}: the second finds {tally.recall:.1%} of the first's "
              f"{tally.expected} pairs, {precision:.1%} of its {tally.extracted} pairs are the first's")  # fmt: skip


def _score(notes: list[dict]) -> Tally:
    tally = Tally(notes=len(notes))
    for label in notes:
        path = NOTES / label["note"]
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        expected = [_expected(label["note"], pair, lines) for pair in label["pairs"]]
        result = collect.run(path, SourceConfig(path=str(NOTES)))
        extracted = [_extracted(label["note"], record, lines) for record in result.kept]
        for rejection in result.rejections:
            tally.rejections[rejection.reason] = tally.rejections.get(rejection.reason, 0) + 1
        _match(expected, extracted)
        tally.expected += len(expected)
        tally.extracted += len(extracted)
        tally.matched += sum(pair.match is not None for pair in expected)
        tally.missed += [pair for pair in expected if pair.match is None]
        for pair in extracted:
            _judge(pair, path, tally)
    return tally


def _expected(note: str, pair: dict, lines: list[str]) -> Pair:
    first, last = pair["question_lines"][0], pair["answer_lines"][1]
    numbers = _non_blank(lines, *pair["question_lines"]) | _non_blank(lines, *pair["answer_lines"])
    return Pair(note, frozenset(numbers), (first, last), pair["question"])


def _extracted(note: str, record: SftRecord, lines: list[str]) -> Pair:
    source = record.meta.source
    question = next(m.content for m in record.messages if m.role == "user")
    answer = next(m.content for m in record.messages if m.role == "assistant")
    start = source.line or 1
    end = getattr(source, "line_end", None) or _located_end(lines, start, answer)
    return Pair(note, frozenset(_non_blank(lines, start, end)), (start, end), question, answer)


def _located_end(lines: list[str], start: int, answer: str) -> int:
    """The line holding the answer's last line, searched from the question on (old pointers)."""
    answer_lines = [line.strip() for line in answer.splitlines() if line.strip()]
    if not answer_lines:
        return start
    for number in range(start, len(lines) + 1):
        if lines[number - 1].strip() == answer_lines[0]:
            for end in range(number, len(lines) + 1):
                if lines[end - 1].strip() == answer_lines[-1]:
                    return _past_fence(lines, end)
    return start


def _past_fence(lines: list[str], end: int) -> int:
    """The old parser unwrapped ```text blocks: their closing fence still belongs to the answer."""
    following = next((n for n in range(end + 1, len(lines) + 1) if lines[n - 1].strip()), None)
    if following is not None and lines[following - 1].strip() in ("```", "~~~"):
        return following
    return end


def _non_blank(lines: list[str], first: int, last: int) -> set[int]:
    """Lines that carry text: not blank, not only images, not a pointer to a link (policies may drop those)."""
    return {n for n in range(first, last + 1) if 0 < n <= len(lines) and _carries_text(lines[n - 1])}


def _carries_text(line: str) -> bool:
    text = TAG.sub("", IMAGE.sub("", line)).strip()  # "<div align="center">" around an image says nothing
    unlinked = LINK.sub("", text)
    return bool(text) and (unlinked == text or len(WORDS.findall(unlinked)) > POINTER_WORDS)


def _match(expected: list[Pair], extracted: list[Pair]) -> None:
    scored = sorted(
        ((_jaccard(e.lines, x.lines), i, j) for i, e in enumerate(expected) for j, x in enumerate(extracted)),
        reverse=True,
    )
    for score, i, j in scored:
        if score < MATCH_JACCARD:
            break
        if expected[i].match is None and extracted[j].match is None:
            expected[i].match, extracted[j].match = extracted[j], expected[i]


def _jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def _judge(pair: Pair, path: Path, tally: Tally) -> None:
    text = f"{pair.question}\n{pair.answer}"
    dead = sum(_dead(target, path) for target in _images(text))
    escapes = len(ESCAPE.findall(TABLE_ROW.sub(lambda row: row.group().replace("\\|", ""), PROTECTED.sub("", text))))
    bare = _bare(pair.question)
    numbered = bool(NUMBERING.match(pair.question) and NUMBERING.match(pair.question).group().strip())
    tally.dead_images += dead
    tally.escapes += escapes
    tally.bare += bare
    tally.numbered += numbered
    tally.look_alikes += bool(LOOK_ALIKE.search(text))
    asks = ASKING.search(pair.question) is not None and not (bare or numbered or ESCAPE.search(pair.question))
    whole = pair.match is not None and len(pair.lines & pair.match.lines) >= WHOLE_SHARE * len(pair.match.lines)
    if pair.match is None:
        tally.bad.append((pair, "matches no labelled pair"))
    elif not asks:
        tally.bad.append((pair, f"prompt is not question-like (label: {pair.match.question})"))
    elif not whole:
        tally.bad.append((pair, f"answer not whole (label: lines {pair.match.span})"))
    else:
        tally.good += 1


def _images(text: str) -> list[str]:
    return [m.group(1) or m.group(2) or "" for m in IMAGE.finditer(text)]


def _dead(target: str, note: Path) -> bool:
    if re.match(r"^(?:https?:|data:)", target, re.IGNORECASE):
        return False
    if not target:
        return True
    return not (Path(target).exists() or (note.parent / target).exists())


def _bare(question: str) -> bool:
    rest = NUMBERING.sub("", question, count=1).strip().strip("*_#：:。.？?！! ")
    if not rest or rest.isdigit() or LATIN_WORD.match(rest):
        return True
    if not HAN_WORD.match(rest):
        return False
    left = QUESTION_WORDS.sub("", rest)
    return left == rest or len(left) <= 1


def _show(part: str, tally: Tally, show: int) -> None:
    if not show:
        return
    rejected = ", ".join(f"{reason} {count}" for reason, count in sorted(tally.rejections.items())) or "none"
    print(f"-- {part}: rejections: {rejected}")
    if part == "untuned":  # read only through its figures, as the cleaning benchmark's untuned part
        print(f"-- untuned: {len(tally.missed)} expected pairs missed, {len(tally.bad)} released pairs not good")
        return
    print(f"-- {part}: missed expected pairs ({len(tally.missed)})")
    for pair in tally.missed[:show]:
        print(f"  {pair.note}:{pair.span[0]}-{pair.span[1]}  {pair.question}")
    print(f"-- {part}: released pairs not good ({len(tally.bad)})")
    for pair, why in tally.bad[:show]:
        print(f"  {pair.note}:{pair.span[0]}-{pair.span[1]}  {pair.question[:60]!r}: {why}")
