"""Draw the record pairs of the near-duplicate gold set (run once; the output is committed).

Candidates are found with a measure the pipeline does not use (Jaccard of raw character
trigrams, no folding, no boilerplate removal), across the whole range of similarity, so the
pairs the labels judge include the hard middle: templated prompts with different content, the
same question with another answer, rewordings. Kinds:

- `candidate`: the most alike pairs within a real source (alpaca_zh_demo, glaive, medical,
  sharegpt_zh, identity, OCNLI, BELLE seed instances, DPO chosen/rejected answers);
- `script`: a Tang poem in traditional script and its simplified twin (chinese-poetry), and
  poems of one author as their negatives;
- `edit`: a real record with one or two characters changed (the classic near-duplicate);
- `random`: two records of one source, the ordinary case.

Round 1's part (tuned or untuned) was a hash of each pair's id. Its untuned pairs were read
once their misses were printed, so they are tuned now, and `--round 2` draws the new untuned
part: pairs no earlier round holds, from the same sources with another seed and from three more
(OpenAssistant's chats and ranked answers, MedicalGPT's DPO prompts). Each later round (`--round
3`, …) does the same with the next seed, and the round before it becomes tuned. Labels are
written by reading (GUIDE.md), never by running the pipeline.

    python bench/quality/neardup/make_pairs.py --shared ../shared/data --extra /tmp/extra
    python bench/quality/neardup/make_pairs.py --round 2   # then --round 3
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from draw_sample import record_id, records


def trigrams(text: str) -> set[str]:
    return {text[i : i + 3] for i in range(max(1, len(text) - 2))}


def dialogue(record: dict) -> str:
    return "\n".join(m["content"] for m in record["messages"] if m["role"] in ("user", "assistant"))


def pair_id(a: dict, b: dict) -> str:
    return hashlib.sha256(f"{a['id']}|{b['id']}".encode()).hexdigest()[:16]


def part_of(pid: str) -> str:
    return "untuned" if int(pid[:8], 16) % 3 == 0 else "tuned"


def shown(record: dict) -> dict:
    return {"messages": record["messages"], **({"tools": record["tools"]} if record.get("tools") else {})}


def candidates(pool: list[dict], rng: random.Random, want: int) -> Iterator[tuple[dict, dict, float]]:
    """The most alike pairs of a source by raw trigram Jaccard, spread over similarity bins."""
    grams = [trigrams(dialogue(r)) for r in pool]
    index: dict[str, list[int]] = {}
    for i, g in enumerate(grams):
        for gram in rng.sample(sorted(g), min(len(g), 40)):
            index.setdefault(gram, []).append(i)
    scored = {}
    for members in index.values():
        if len(members) > 60:
            continue
        for x in members:
            for y in members:
                if x < y and (x, y) not in scored:
                    scored[(x, y)] = len(grams[x] & grams[y]) / len(grams[x] | grams[y])
    bins: dict[int, list] = {}
    for (x, y), similarity in scored.items():
        if similarity >= 0.25:
            bins.setdefault(min(int(similarity * 10), 9), []).append((x, y, similarity))
    per_bin = -(-want // max(1, len(bins)))
    chosen = [p for level in sorted(bins) for p in rng.sample(bins[level], min(per_bin, len(bins[level])))]
    rest = [p for level in sorted(bins) for p in bins[level] if p not in chosen]
    chosen += rng.sample(rest, min(len(rest), max(0, want - len(chosen))))
    for x, y, similarity in chosen[:want]:
        yield pool[x], pool[y], similarity


def edited(record: dict, rng: random.Random) -> dict:
    messages = [dict(m) for m in record["messages"]]
    turn = next(m for m in messages if m["role"] == "user")
    chars = list(turn["content"])
    han = [i for i, c in enumerate(chars) if "\u4e00" <= c <= "\u9fff"]
    for _ in range(rng.choice([1, 2])):
        if not han:
            break
        position = rng.choice(han)
        operation = rng.choice("sid")
        if operation == "s":
            chars[position] = rng.choice("的了是在和有我你他这那就也都很")
        elif operation == "i":
            chars.insert(position, rng.choice("的了一也就都"))
        else:
            del chars[position]
        han = [i for i, c in enumerate(chars) if "\u4e00" <= c <= "\u9fff"]
    turn["content"] = "".join(chars)
    return {**record, "id": record["id"] + "e", "messages": messages}


def poems(shared: Path, rng: random.Random) -> Iterator[tuple[str, dict, dict]]:
    trad = json.loads((shared / "chinese-poetry/蒙学/tangshisanbaishou.json").read_text(encoding="utf-8"))
    simp = json.loads((shared / "chinese-poetry/水墨唐诗/shuimotangshi.json").read_text(encoding="utf-8"))
    traditional = [p for kind in trad["content"] for p in kind["content"]]

    def as_record(title: str, author: str, paragraphs: list[str]) -> dict:
        messages = [{"role": "user", "content": f"请背诵{author}的《{title}》。"},
                    {"role": "assistant", "content": "\n".join(paragraphs)}]  # fmt: skip
        return {"id": record_id(messages), "messages": messages}

    simplified = {(p["author"], "".join(p["paragraphs"])[:4]): p for p in simp}
    import opencc

    t2s = opencc.OpenCC("t2s").convert
    twins, authors = [], {}
    for poem in traditional:
        record = as_record(poem["chapter"], poem["author"], poem["paragraphs"])
        authors.setdefault(poem["author"], []).append(record)
        twin = simplified.get((t2s(poem["author"]), t2s("".join(poem["paragraphs"]))[:4]))
        if twin:
            twins.append((record, as_record(twin["title"], twin["author"], twin["paragraphs"])))
    for a, b in rng.sample(twins, min(45, len(twins))):
        yield "script", a, b
    same_author = [(r[i], r[i + 1]) for r in authors.values() for i in range(len(r) - 1)]
    for a, b in rng.sample(same_author, min(25, len(same_author))):
        yield "random", a, b


def common_lines(sources: list[tuple]) -> dict[str, list[str]]:
    """Per source, the folded lines dedup would leave out of a shard holding the whole source."""
    from pipeline.dedup.sketch import boilerplate, folded_lines
    from schemas import Message, RecordMeta, SftRecord, SourcePointer

    found = {}
    for name, path, kind, *_ in sources:
        pool = [
            SftRecord(
                id=r["id"],
                messages=tuple(Message(role=m["role"], content=m["content"]) for m in r["messages"]),
                meta=RecordMeta(source=SourcePointer(file=name), group=r["id"]),
            )
            for r in records(name, path, kind)
        ]
        found[name] = sorted(boilerplate([folded_lines(record) for record in pool]))
    return found


# Where each source lives (under --shared or --extra) and the form of its records.
FILES = {
    "LLaMA-Factory/alpaca_zh_demo": ("shared", "LLaMA-Factory/data/alpaca_zh_demo.json", "alpaca"),
    "LLaMA-Factory/glaive_toolcall_zh_demo": ("shared", "LLaMA-Factory/data/glaive_toolcall_zh_demo.json", "sharegpt"),
    "LLaMA-Factory/identity": ("shared", "LLaMA-Factory/data/identity.json", "alpaca"),
    "MedicalGPT/medical_sft_1K": ("shared", "MedicalGPT/data/sft/medical_sft_1K_format.jsonl", "sharegpt"),
    "MedicalGPT/sharegpt_zh_1K": ("extra", "sharegpt_zh_1K_format.jsonl", "sharegpt"),
    "MiniCPM/ocnli_public_chatml": ("shared", "MiniCPM/finetune/data/ocnli_public_chatml/train.json", "openai"),
    "BELLE/zh_seed_tasks": ("shared", "BELLE/data/1.5M/zh_seed_tasks.json", "seed"),
    "LLaMA-Factory/dpo_zh_demo": ("extra", "dpo_zh_demo.json", "dpo"),
    "LLaMA-Factory/oaast_sft_zh": ("extra", "oaast_sft_zh.json", "alpaca"),
    "LLaMA-Factory/oaast_rm_zh": ("extra", "oaast_rm_zh.json", "ranked"),
    "MedicalGPT/dpo_zh_500": ("extra", "dpo_zh_500.jsonl", "dpo"),
}
# Pairs drawn per source and round (candidate, edited, random); rounds after 2 draw as round 2.
PLAN = {
    1: {
        "LLaMA-Factory/alpaca_zh_demo": (50, 15, 15),
        "LLaMA-Factory/glaive_toolcall_zh_demo": (40, 0, 8),
        "LLaMA-Factory/identity": (25, 0, 5),
        "MedicalGPT/medical_sft_1K": (40, 15, 10),
        "MedicalGPT/sharegpt_zh_1K": (30, 10, 8),
        "MiniCPM/ocnli_public_chatml": (15, 0, 3),
        "BELLE/zh_seed_tasks": (30, 5, 5),
        "LLaMA-Factory/dpo_zh_demo": (40, 0, 5),
    },
    2: {
        "LLaMA-Factory/glaive_toolcall_zh_demo": (45, 0, 4),
        "LLaMA-Factory/identity": (25, 0, 3),
        "MedicalGPT/medical_sft_1K": (20, 4, 3),
        "LLaMA-Factory/dpo_zh_demo": (15, 0, 2),
        "LLaMA-Factory/oaast_sft_zh": (25, 4, 3),
        "LLaMA-Factory/oaast_rm_zh": (20, 0, 2),
        "MedicalGPT/dpo_zh_500": (15, 3, 2),
    },
}


def both_orders(pair: dict) -> set[str]:
    """A drawn pair's id and its reverse's (the records' ids recomputed from what was shown)."""
    a, b = ({"id": record_id(pair[side]["messages"])} for side in "ab")
    return {pair["id"], pair_id(b, a)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--extra", type=Path, default=Path("/tmp/extra"))
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "pairs.jsonl")
    parser.add_argument("--round", type=int, default=1)
    args = parser.parse_args()
    folders = {"shared": args.shared, "extra": args.extra}
    sources = []
    for name, counts in PLAN[min(args.round, 2)].items():
        folder, file, kind = FILES[name]
        sources.append((name, folders[folder] / file, kind, *counts))
    if args.round == 1:
        rng, pairs, seen = random.Random(20261202), [], set()
    else:
        earlier = [json.loads(line) for line in args.out.read_text(encoding="utf-8").splitlines()]
        rng, pairs = random.Random(20261204 + args.round), [{**p, "part": "tuned"} for p in earlier]
        seen = set().union(*map(both_orders, earlier))

    def add(kind: str, source: str, a: dict, b: dict) -> None:
        pid = pair_id(a, b)
        if pid not in seen and a["id"] != b["id"]:
            seen.add(pid)
            part = part_of(pid) if args.round == 1 else "untuned"
            pairs.append({"id": pid, "part": part, "kind": kind, "source": source,
                          "a": shown(a), "b": shown(b)})  # fmt: skip

    for name, path, kind, n_candidates, n_edits, n_random in sources:
        pool = list({r["id"]: r for r in records(name, path, kind)}.values())
        for a, b, _ in candidates(pool, rng, n_candidates):
            add("candidate", name, a, b)
        for record in rng.sample(pool, min(n_edits, len(pool))):
            add("edit", name, record, edited(record, rng))
        for _ in range(n_random):
            a, b = rng.sample(pool, 2)
            add("random", name, a, b)
    if args.round == 1:
        for kind, a, b in poems(args.shared, rng):
            add(kind, "chinese-poetry", a, b)
    commons_path = args.out.parent / "common_lines.json"
    commons = json.loads(commons_path.read_text(encoding="utf-8")) if args.round > 1 else {}
    commons_path.write_text(
        json.dumps(commons | common_lines(sources), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    with args.out.open("w", encoding="utf-8") as handle:
        for pair in pairs:
            handle.write(json.dumps(pair, ensure_ascii=False) + "\n")
    kinds = {k: sum(p["kind"] == k for p in pairs) for k in ("candidate", "edit", "script", "random")}
    print(f"{len(pairs)} pairs {kinds}, untuned {sum(p['part'] == 'untuned' for p in pairs)} -> {args.out}")


if __name__ == "__main__":
    main()
