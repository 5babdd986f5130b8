"""The cleaning gold set scored: normalize -> segment -> clean on the labelled real records of records.jsonl.

    python bench/quality.py --only clean_bench [--part tuned|untuned|both] [--show N]

Every record of records.jsonl goes through the stage functions the build runs (normalize.run,
segment.run, clean.run with the default configs), and each rejection's reason code is mapped to
the gold reason it claims (GOLD_OF below). Printed per part:

- per pipeline reason code: rejections, precision (the gold also rejects the record, for any
  reason) and reason agreement (the gold rejects it for the mapped reason);
- per gold reason: precision of the codes mapped to it, recall (the pipeline rejects the record,
  for any reason), F1, and strict recall (rejected with a code mapped to that reason);
- overall precision and recall, with and without `other` (wrong facts, broken code: invisible to
  text filters), and recall over CLAIMED, the reasons some filter claims to detect;
- the disagreements with short excerpts (up to `show`), of the tuned part only: the untuned
  part is read only through its figures.

Targets, on the untuned part: every reason code that fires at least PRECISION_FLOOR_MIN times has
precision >= 90%, and recall over CLAIMED >= 85%. Tune on the tuned part only.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipeline import clean, normalize, segment  # noqa: E402
from schemas import (  # noqa: E402
    CleanConfig,
    Message,
    NormalizeConfig,
    RecordMeta,
    SegmentConfig,
    SftRecord,
    SourcePointer,
    ToolCall,
    ToolFunction,
)

HERE = Path(__file__).parent
PRECISION_TARGET = 0.90
RECALL_TARGET = 0.85
PRECISION_FLOOR_MIN = 1  # a code is held to the precision target as soon as it fires once

# Pipeline reason code -> the gold reason it claims. Codes about the record's shape (roles out
# of order, no answer, nothing but a system prompt) claim `trivial_response` (no answer to learn);
# length and symbol debris claim `garbage`.
GOLD_OF = {
    "mojibake": "mojibake",
    "replacement_char": "mojibake",
    "empty_content": "trivial_response",
    "no_messages": "trivial_response",
    "ends_without_answer": "trivial_response",
    "roles_out_of_order": "garbage",
    "script_debris": "garbage",
    "system_not_first": "garbage",
    "too_long_chars": "garbage",
    "too_few_chars": "trivial_response",
    "too_many_chars": "garbage",
    "too_few_words": "trivial_response",
    "too_many_words": "garbage",
    "trivial_response": "trivial_response",
    "template_placeholder": "template_placeholder",
    "context_free_instruction": "context_free_instruction",
    "identity_contamination": "identity_contamination",
    "refusal": "refusal",
    "toxic": "toxic",
    "wrong_language": "wrong_language",
    "too_little_chinese": "wrong_language",
    "repeated_ngrams": "repetition",
    "repeated_lines": "repetition",
    "repeated_sentences": "repetition",
    "too_many_symbols": "garbage",
    "too_few_stop_words": "garbage",
}
CLAIMED = sorted(set(GOLD_OF.values()))


@dataclass(frozen=True)
class Verdict:
    stage: str
    reason: str
    detail: str


def load_gold() -> tuple[list[dict], dict[str, dict]]:
    records = [json.loads(line) for line in (HERE / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    labels = {
        label["id"]: label
        for label in map(json.loads, (HERE / "labels.jsonl").read_text(encoding="utf-8").splitlines())
    }
    return records, labels


def to_record(gold: dict) -> SftRecord:
    """The gold record as collect would hand it on (a sharegpt function_call turn as a tool call)."""
    messages = []
    for turn in gold["messages"]:
        calls = ()
        if "tool_call" in turn:
            call = json.loads(turn["tool_call"])
            calls = (ToolCall(function=ToolFunction(name=call["name"], arguments=call.get("arguments", {}))),)
        messages.append(Message(role=turn["role"], content=turn["content"], tool_calls=calls))
    tools = tuple(json.loads(gold["tools"])) if gold.get("tools") else None
    meta = RecordMeta(source=SourcePointer(file=gold["source"], line=gold["line"], item=gold["item"]), group=gold["id"])
    return SftRecord(id=gold["id"], messages=tuple(messages), tools=tools, meta=meta)


def segmented(records: list[SftRecord]) -> tuple[list[SftRecord], list, segment.Segmenter]:
    """normalize -> segment as the build runs them: (kept records, their rejections, the segmenter)."""
    normalized = normalize.run(records, NormalizeConfig())
    segment_config = SegmentConfig()
    segmenter = segment.load_segmenter(segment_config)
    result = segment.run(normalized.kept, segment_config, segmenter)
    return result.kept, normalized.rejections + result.rejections, segmenter


def judge(records: list[SftRecord], config: CleanConfig | None = None) -> dict[str, Verdict]:
    """The pipeline's rejections by record id, through the build's own stage functions."""
    kept, rejections, segmenter = segmented(records)
    cleaned = clean.run(kept, config or CleanConfig(), segmenter)
    return {r.record_id: Verdict(r.stage, r.reason, r.detail) for r in rejections + cleaned.rejections}


def off_by_default(gold: list[dict], labels: dict[str, dict], parts: list[str]) -> None:
    """The filters that are off by default, each alone, so their precision stays on record."""
    defaults = CleanConfig()
    names = [name for name, _ in clean.FILTERS if not getattr(defaults, name).enabled]
    kept, _, segmenter = segmented([to_record(g) for g in gold])
    part_of = {g["id"]: g["part"] for g in gold}
    for name in names:
        only = {n: {"enabled": n == name} for n, _ in clean.FILTERS} | {"pii": {"enabled": False}}
        fired = clean.run(kept, CleanConfig.model_validate(only), segmenter).rejections
        for part in parts:
            mine = [r for r in fired if part_of[r.record_id] == part]
            right = sum(labels[r.record_id]["verdict"] == "reject" for r in mine)
            print(f"off by default: {name:12} on {part:8} fired {len(mine):3}, precision {ratio(right, len(mine))}")


# A deliberately broad net, independent of the identity filter's patterns: a first person near an
# AI word. Its hits over-count (a user's "我想学人工智能" is not in an answer, but "我推荐的模型"
# is); they are read by hand to count the identity phrases that really remain.
SUSPECT = regex.compile(
    r"我.{0,12}?(?:AI|人工智能|语言模型|机器人|模型|OpenAI|ChatGPT|GPT|程序|编程)"
    r"|(?:AI|人工智能|语言模型|机器人|ChatGPT|OpenAI).{0,8}?我|\bas an AI\b|\bI am an AI\b|language model",
    regex.IGNORECASE,
)
SHARED = ROOT.parent / "shared" / "data"
CHAT_SOURCES = [
    ("LLaMA-Factory/glaive_toolcall_zh_demo", SHARED / "LLaMA-Factory/data/glaive_toolcall_zh_demo.json"),
    ("MedicalGPT/sharegpt_zh_1K", Path("/tmp/extra/sharegpt_zh_1K_format.jsonl")),
]


def identity_share(show: int) -> list[tuple[str, str]]:
    """Released chat records (every record of two real chat sources through normalize -> segment ->
    clean) whose answers still hit SUSPECT: the share printed is an upper bound of identity phrases
    left. Returns (record id, excerpt) of the hits outside the gold set's untuned part, for reading."""
    spec = importlib.util.spec_from_file_location("draw_sample", HERE / "draw_sample.py")
    draw = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(draw)
    untuned = {g["id"] for g in load_gold()[0] if g["part"] == "untuned"}
    records = []
    for name, path in CHAT_SOURCES:
        if not path.is_file():
            print(f"identity share: {path} not found, {name} left out")
            continue
        records += [to_record(r) for r in draw.records(name, path, "sharegpt")]
    if not records:
        return []
    kept, _, segmenter = segmented(list({r.id: r for r in records}.values()))
    released = clean.run(kept, CleanConfig(), segmenter).kept
    hits = []
    for record in released:
        for message in record.messages:
            found = SUSPECT.search(message.content) if message.role == "assistant" else None
            if found:
                start = max(0, found.start() - 20)
                hits.append((record.id, message.content[start : found.end() + 20].replace("\n", " ")))
                break
    print(f"identity share: {len(hits)} of {len(released)} released chat records ({ratio(len(hits), len(released))}) "
          f"hit the broad net (an upper bound; read the hits)")  # fmt: skip
    readable = [hit for hit in hits if hit[0] not in untuned]
    for rid, excerpt in readable[:show]:
        print(f"   {rid}: {excerpt}")
    return readable


def ratio(numerator: int, denominator: int) -> str:
    return f"{numerator / denominator:6.1%}" if denominator else "     -"


def f1(precision: float | None, recall: float | None) -> str:
    if not precision or not recall:
        return "     -"
    return f"{2 * precision * recall / (precision + recall):6.1%}"


def share(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def score(part: str, gold: list[dict], labels: dict[str, dict], verdicts: dict[str, Verdict], show: int) -> bool:
    ids = [g["id"] for g in gold if g["part"] == part]
    rejected_gold = {i for i in ids if labels[i]["verdict"] == "reject"}
    reason_of = {i: labels[i]["reason"] for i in rejected_gold}
    fired = {i: verdicts[i] for i in ids if i in verdicts}
    print(f"\n-- part {part}: {len(ids)} records, gold rejects {len(rejected_gold)}, pipeline rejects {len(fired)}")

    print(f"{'pipeline code':26} {'fired':>5} {'precision':>9} {'agree':>6}  (gold reason)")
    ok = True
    by_code: dict[str, list[str]] = defaultdict(list)
    for i, verdict in fired.items():
        by_code[verdict.reason].append(i)
    for code, members in sorted(by_code.items(), key=lambda item: -len(item[1])):
        right = sum(i in rejected_gold for i in members)
        agree = sum(reason_of.get(i) == GOLD_OF.get(code) for i in members)
        print(f"{code:26} {len(members):5} {ratio(right, len(members)):>9} {ratio(agree, len(members)):>6}  "
              f"({GOLD_OF.get(code, '?')})")  # fmt: skip
        if len(members) >= PRECISION_FLOOR_MIN and right / len(members) < PRECISION_TARGET:
            ok = False

    print(f"{'gold reason':26} {'gold':>5} {'claimed':>7} {'precision':>9} {'recall':>6} {'F1':>6} {'strict':>6}")
    for reason in sorted(set(reason_of.values()) | set(CLAIMED)):
        members = [i for i in rejected_gold if reason_of[i] == reason]
        claimed = [i for i, v in fired.items() if GOLD_OF.get(v.reason) == reason]
        right = sum(i in rejected_gold for i in claimed)
        caught = sum(i in fired for i in members)
        strict = sum(GOLD_OF.get(fired[i].reason) == reason for i in members if i in fired)
        p, r = share(right, len(claimed)), share(caught, len(members))
        mark = "" if reason in CLAIMED else "  (no filter claims it)"
        print(f"{reason:26} {len(members):5} {len(claimed):7} {ratio(right, len(claimed)):>9} "
              f"{ratio(caught, len(members)):>6} {f1(p, r):>6} {ratio(strict, len(members)):>6}{mark}")  # fmt: skip

    true_positive = sum(i in rejected_gold for i in fired)
    without_other = {i for i in rejected_gold if reason_of[i] != "other"}
    claimed_gold = {i for i in rejected_gold if reason_of[i] in CLAIMED}
    fired_not_other = [i for i in fired if reason_of.get(i) != "other"]
    print(
        f"overall precision {ratio(true_positive, len(fired))} ({true_positive}/{len(fired)})"
        f"   without `other` {ratio(sum(i in without_other for i in fired_not_other), len(fired_not_other))}"
    )
    print(f"overall recall    {ratio(true_positive, len(rejected_gold))} ({true_positive}/{len(rejected_gold)})"
          f"   without `other` {ratio(sum(i in fired for i in without_other), len(without_other))}"
          f" ({sum(i in fired for i in without_other)}/{len(without_other)})")  # fmt: skip
    caught_claimed = sum(i in fired for i in claimed_gold)
    print(f"recall over the claimed reasons ({', '.join(CLAIMED)}): "
          f"{ratio(caught_claimed, len(claimed_gold))} ({caught_claimed}/{len(claimed_gold)})")  # fmt: skip
    if claimed_gold and caught_claimed / len(claimed_gold) < RECALL_TARGET:
        ok = False

    disagreements = [i for i in ids if (i in fired) != (i in rejected_gold) and reason_of.get(i) != "other"]
    if show and disagreements and part == "tuned":  # the untuned part is read only through its figures
        print(f"disagreements ({len(disagreements)}; `other` left out), first {min(show, len(disagreements))}:")
        records = {g["id"]: g for g in gold}
        for i in disagreements[:show]:
            print_disagreement(records[i], labels[i], fired.get(i))
    return ok


def print_disagreement(gold: dict, label: dict, verdict: Verdict | None) -> None:
    said = f"{verdict.stage}/{verdict.reason}: {verdict.detail}" if verdict else "kept"
    print(f"  {gold['id']} {gold['source']}  gold {label['verdict']} {label['reason'] or ''} ({label['why']})")
    print(f"    pipeline {said[:160]}")
    for turn in gold["messages"][-2:]:
        text = " ".join(turn["content"].split())
        print(f"    {turn['role']}: {text[:110]}")


def readers_agree(labels: dict[str, dict]) -> None:
    """How far two readers agree: second_reader.jsonl relabels round 5 blind (five more readers, the
    same guide). Its recall over the first reader's claimed rejections is the ceiling a filter can be
    held to against one reader; printed both ways, beside the pipeline's figure on the same records."""
    second = {
        label["id"]: label
        for label in map(json.loads, (HERE / "second_reader.jsonl").read_text(encoding="utf-8").splitlines())
    }
    for name, gold, other in (("second", labels, second), ("first", second, labels)):
        claimed = [i for i in second if gold[i]["verdict"] == "reject" and gold[i]["reason"] in CLAIMED]
        caught = sum(other[i]["verdict"] == "reject" for i in claimed)
        same = sum(other[i]["verdict"] == gold[i]["verdict"] for i in second)
        print(f"two readers, round 5 ({len(second)} records): the {name} reader finds "
              f"{ratio(caught, len(claimed))} ({caught}/{len(claimed)}) of the other's claimed rejections; "
              f"same verdict {ratio(same, len(second))}")  # fmt: skip


def run(parts: list[str], show: int) -> bool:
    gold, labels = load_gold()
    verdicts = judge([to_record(g) for g in gold])
    held = {part: score(part, gold, labels, verdicts, show) for part in parts}
    readers_agree(labels)
    off_by_default(gold, labels, parts)
    identity_share(show if "untuned" not in parts else 0)
    targets = f"each code >= {PRECISION_TARGET:.0%} precision, recall over claimed >= {RECALL_TARGET:.0%}"
    for part, ok in held.items():
        print(f"targets ({targets}) on the {part} part: {'hold' if ok else 'NOT MET'}")
    return held.get("untuned", all(held.values()))
