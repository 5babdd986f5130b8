"""Draw the records of the cleaning gold set (run once; its output is committed as records.jsonl).

The sample mixes plain random records of every source with "candidates": records that a reader
would want to look at twice (a keyword about AI identity or refusal, a bracketed blank, a very
short or very long answer, many symbols, repeated lines, Latin-1 debris). Candidates are found
with simple keyword rules written for this script, not with the pipeline's filters, so the gold
set does not inherit their blind spots. Labels are written afterwards by reading each record
(README.md). A record's part (tuned or untuned) is a hash of its id: a third is kept aside.

    python bench/quality/draw_sample.py --shared ../shared/data --extra /tmp/extra
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

CANDIDATE = re.compile(
    r"AI|人工智能|语言模型|OpenAI|ChatGPT|GPT|助手|抱歉|对不起|无法|不能|sorry|cannot|can't|unable"
    r"|\[[^\]]{1,12}\]|【[^】]{1,12}】|XXX|xxx|\{\{|\$\{|Ã|â€|é|à|ñ|傻|滚|死|骂|蠢"
)
SYMBOLS = re.compile(r"[^\w\s]")


def record_id(messages: list[dict]) -> str:
    return hashlib.sha256(json.dumps(messages, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]


def part_of(rid: str) -> str:
    return "untuned" if int(rid[:8], 16) % 3 == 0 else "tuned"


def alpaca(row: dict) -> list[dict]:
    messages = []
    if row.get("system"):
        messages.append({"role": "system", "content": row["system"]})
    for question, answer in row.get("history") or []:
        messages += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
    prompt = row.get("instruction", "")
    if row.get("input"):
        prompt = f"{prompt}\n{row['input']}" if prompt else row["input"]
    return [
        *messages,
        {"role": "user", "content": prompt},
        {"role": "assistant", "content": str(row.get("output", ""))},
    ]


ROLES = {"human": "user", "gpt": "assistant", "system": "system", "observation": "tool", "function_call": "assistant"}


def sharegpt(row: dict) -> list[dict]:
    messages = [{"role": "system", "content": row["system"]}] if row.get("system") else []
    for turn in row["conversations"]:
        role = ROLES.get(turn.get("from"), turn.get("from"))
        if turn.get("from") == "function_call":
            messages.append({"role": "assistant", "content": "", "tool_call": turn["value"]})
        else:
            messages.append({"role": role, "content": turn["value"]})
    return messages


def rows(path: Path) -> Iterator[tuple[int, dict]]:
    text = path.read_text(encoding="utf-8-sig")
    if text.lstrip().startswith("["):
        decoder = json.JSONDecoder()
        yield from enumerate(decoder.decode(text), start=1)
    else:
        for number, line in enumerate(text.split("\n"), start=1):
            if line.strip():
                yield number, json.loads(line)


def records(source: str, path: Path, kind: str) -> Iterator[dict]:
    for line, row in rows(path):
        if kind == "alpaca":
            conversations = [alpaca(row)]
        elif kind == "sharegpt":
            conversations = [sharegpt(row)]
        elif kind == "openai":
            conversations = [row["messages"]]
        elif kind == "seed":
            conversations = [alpaca({"instruction": row["instruction"], **i}) for i in row["instances"]]
        elif kind == "vicuna":
            pairs = list(zip(row["input"], row["output"], strict=False))
            conversations = [
                [m for q, a in pairs for m in ({"role": "user", "content": q}, {"role": "assistant", "content": a})]
            ]
        elif kind == "ranked":
            conversations = [alpaca({**row, "output": answer}) for answer in row["output"]]
        elif kind == "dpo":
            prompt = sharegpt({"conversations": row["conversations"]})
            chosen, rejected = row["chosen"], row["rejected"]
            if isinstance(chosen, dict):
                chosen, rejected = chosen["value"], rejected["value"]
            conversations = [
                [*prompt, {"role": "assistant", "content": chosen}],
                [*prompt, {"role": "assistant", "content": rejected}],
            ]
        else:
            raise ValueError(kind)
        for item, messages in enumerate(conversations):
            rid = record_id(messages)
            tools = row.get("tools") if kind in ("sharegpt", "openai") else None
            yield {
                "id": rid,
                "part": part_of(rid),
                "source": source,
                "line": line,
                "item": item,
                "messages": messages,
                **({"tools": tools} if tools else {}),
            }


def is_candidate(record: dict) -> bool:
    answers = [m["content"] for m in record["messages"] if m["role"] == "assistant"]
    text = "\n".join(m["content"] for m in record["messages"] if m["role"] in ("user", "assistant"))
    if CANDIDATE.search(text):
        return True
    if any(len(a.strip()) <= 2 or len(a) > 3000 for a in answers):
        return True
    compact = "".join(text.split())
    if compact and len(SYMBOLS.findall(compact)) / len(compact) > 0.25:
        return True
    lines = [line.strip() for a in answers for line in a.splitlines() if line.strip()]
    return len(lines) > 3 and len(set(lines)) < 0.7 * len(lines)


def draw(plan: list[tuple], rng: random.Random, taken: dict[str, dict], round_: int) -> dict[str, dict]:
    chosen: dict[str, dict] = {}
    for name, path, kind, n_random, n_candidates in plan:
        pool = [r for r in records(name, path, kind) if r["id"] not in taken and r["id"] not in chosen]
        unique = list({r["id"]: r for r in pool}.values())
        picked = rng.sample(unique, min(n_random, len(unique)))
        rest = [r for r in unique if r not in picked and is_candidate(r)]
        picked += rng.sample(rest, min(n_candidates, len(rest)))
        for record in picked:
            chosen[record["id"]] = {**record, "round": round_}
    return chosen


def untuned_round(plan: list[tuple], round_: int, chosen: dict[str, dict]) -> None:
    """Draw round `round_` (seed 202612dd, dd the round) as the untuned part; the round before it
    becomes tuned."""
    for record in draw(plan, random.Random(20261200 + round_), chosen, round_).values():
        chosen[record["id"]] = {**record, "part": "untuned"}
    for record in chosen.values():
        if record["round"] == round_ - 1:
            record |= {"part": "tuned", "held_out": f"round {round_ - 1} (tuned on from round {round_})"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--extra", type=Path, default=Path("/tmp/extra"), help="files taken from other repositories")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "records.jsonl")
    args = parser.parse_args()
    s, x = args.shared, args.extra
    plan = [  # source name, file, kind, random records, candidate records
        ("LLaMA-Factory/alpaca_zh_demo", s / "LLaMA-Factory/data/alpaca_zh_demo.json", "alpaca", 70, 40),
        ("LLaMA-Factory/glaive_toolcall_zh_demo", s / "LLaMA-Factory/data/glaive_toolcall_zh_demo.json",
         "sharegpt", 40, 30),
        ("LLaMA-Factory/identity", s / "LLaMA-Factory/data/identity.json", "alpaca", 15, 10),
        ("MedicalGPT/medical_sft_1K", s / "MedicalGPT/data/sft/medical_sft_1K_format.jsonl", "sharegpt", 60, 30),
        ("BELLE/zh_seed_tasks", s / "BELLE/data/1.5M/zh_seed_tasks.json", "seed", 25, 15),
        ("MiniCPM/AdvertiseGenChatML", s / "MiniCPM/finetune/data/AdvertiseGenChatML/train.json", "openai", 99, 0),
        ("MiniCPM/ocnli_public_chatml", s / "MiniCPM/finetune/data/ocnli_public_chatml/train.json", "openai", 99, 0),
        ("data-juicer/alpaca-cot", s / "data-juicer/demos/process_cft_zh_data/data/alpaca-cot.jsonl", "alpaca", 99, 0),
        ("data-juicer/demo-dataset-chatml", s / "data-juicer/demos/data/demo-dataset-chatml.jsonl", "openai", 99, 0),
        ("Chinese-Vicuna/chat", s / "Chinese-Vicuna/sample/chat/data_sample.jsonl", "vicuna", 99, 0),
        ("Chinese-Vicuna/instruct", s / "Chinese-Vicuna/sample/instruct/data_sample.jsonl", "alpaca", 99, 0),
        ("MedicalGPT/sharegpt_zh_1K", x / "sharegpt_zh_1K_format.jsonl", "sharegpt", 80, 70),
        ("LLaMA-Factory/dpo_zh_demo", x / "dpo_zh_demo.json", "dpo", 40, 30),
        ("MedicalGPT/dpo_zh_500", x / "dpo_zh_500.jsonl", "dpo", 30, 30),
    ]  # fmt: skip
    chosen = draw(plan, random.Random(20261201), {}, 1)
    # Round 2, labelled later to give the filters more to learn from: other records of the large
    # sources, none of round 1's; parts by the same hash, so a third of them is untuned too.
    second = [(name, path, kind, n_random // 2, n_candidates) for name, path, kind, n_random, n_candidates in plan
              if n_random < 99]  # fmt: skip
    chosen |= draw(second, random.Random(20261202), chosen, 2)
    # Round 3 (2026-12-02), after two rounds of tuning had read rounds 1-2's untuned part through
    # its disagreements: records of every source none of the earlier rounds drew, all of them the
    # new untuned part; the earlier untuned records are tuned from then on (`held_out` says so).
    third = [(name, path, kind, min(n_random // 2, 30), n_candidates) for name, path, kind, n_random, n_candidates
             in plan]  # fmt: skip
    for record in draw(third, random.Random(20261203), chosen, 3).values():
        chosen[record["id"]] = {**record, "part": "untuned"}
    for record in chosen.values():
        if record["round"] < 3 and record["part"] == "untuned":
            record |= {"part": "tuned", "held_out": "rounds 1-2 (tuned on from round 3)"}
    # Rounds 4-7 (2026-12-02 to 12-05), one per tuning step: the round before is tuned on from
    # then on, and records none of the earlier rounds drew are the new untuned part.
    for round_ in range(4, 8):
        untuned_round(third, round_, chosen)
    # Rounds 8-15 (2026-12-06, three sessions) the same way; the old sources were nearly used up,
    # so from round 8 the draw adds a source no earlier round drew from: OpenAssistant's Chinese
    # chats (written and ranked by people), as LLaMA-Factory shipped them in 2023.
    eighth = [
        *third,
        ("LLaMA-Factory/oaast_sft_zh", x / "oaast_sft_zh.json", "alpaca", 70, 40),
        ("LLaMA-Factory/oaast_rm_zh", x / "oaast_rm_zh.json", "ranked", 20, 15),
    ]
    for round_ in range(8, 16):
        untuned_round(eighth, round_, chosen)
    with args.out.open("w", encoding="utf-8") as handle:
        for record in chosen.values():
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    parts = [r["part"] for r in chosen.values()]
    print(f"{len(chosen)} records: {parts.count('tuned')} tuned, {parts.count('untuned')} untuned -> {args.out}")


if __name__ == "__main__":
    csv.field_size_limit(1 << 30)
    main()
