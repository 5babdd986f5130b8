"""Push speed against a real Label Studio: the project's push vs one raw SDK import call.

    .venv/bin/python bench/annotate_push_bench.py [--tasks 10000]

Starts a throwaway server (the project's own `labelstudio.up`, a temporary data folder), then
in one run: imports N tasks with a single raw `projects.import_tasks` call into project A,
pushes the same N tasks with the project's push into project B (reads the keys, imports the
missing ones in batches), and pushes them to B again unchanged. Targets: push <= 1.3x the raw
call; the unchanged re-push < 10% of the raw call.
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flows import labelstudio  # noqa: E402
from pipeline.annotate.client import connect  # noqa: E402
from pipeline.annotate.interface import labeling_config, task_for  # noqa: E402
from pipeline.ids import record_id  # noqa: E402
from schemas import Message, RecordMeta, SftRecord, SourcePointer  # noqa: E402


def tasks(count: int) -> list[dict]:
    out = []
    for i in range(count):
        messages = (
            Message(role="user", content=f"第{i}个问题：请解释这个概念。"),
            Message(role="assistant", content=f"第{i}个回答。"),
        )
        meta = RecordMeta(source=SourcePointer(file="bench", line=i + 1), group=str(i))
        out.append(task_for(SftRecord(id=record_id(messages), messages=messages, meta=meta)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=10_000)
    args = parser.parse_args()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    srv = labelstudio.up(
        labelstudio.server(Path(tempfile.mkdtemp(prefix="ls-bench-")), port, ROOT / ".labelstudio" / "venv")
    )
    try:
        client = connect(srv.url, srv.token_file.read_text().strip(), timeout=600)
        payload = tasks(args.tasks)
        raw_project = client.project_id("bench raw import", labeling_config([]))
        pushed_project = client.project_id("bench push", labeling_config([]))

        start = time.perf_counter()
        client.sdk.projects.import_tasks(id=raw_project, request=payload, return_task_ids=True)
        raw = time.perf_counter() - start

        checkpoint: set[str] = set()
        save = checkpoint.update  # the flow writes these keys to the store's pushed.json

        start = time.perf_counter()
        first = client.push(pushed_project, payload, args.batch_size, checkpoint=set(), on_batch=save)
        push = time.perf_counter() - start

        start = time.perf_counter()
        again = client.push(pushed_project, payload, args.batch_size, checkpoint=checkpoint, on_batch=save)
        repush = time.perf_counter() - start

        start = time.perf_counter()
        lost = client.push(pushed_project, payload, args.batch_size, checkpoint=set())  # a lost checkpoint
        recovered = time.perf_counter() - start

        print(
            f"{args.tasks} tasks: raw import {raw:.2f} s; push {push:.2f} s ({push / raw:.2f}x, sent {first['sent']})"
        )
        print(f"unchanged re-push {repush:.3f} s ({repush / raw:.1%} of raw, sent {again['sent']})")
        print(f"re-push without a checkpoint {recovered:.2f} s ({recovered / raw:.1%} of raw, sent {lost['sent']})")
        print(f"tasks in the pushed project: {len(client.task_keys(pushed_project))}")
    finally:
        labelstudio.down(srv)


if __name__ == "__main__":
    main()
