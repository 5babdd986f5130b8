"""The build engine against a plain-script floor, in one run, with the machine's load beside it.

    python bench/engine_bench.py [--records 20000] [--scales 5 10] [--quick]   (make bench)

Builds a Chinese corpus from ../shared/data (make_corpus.py), then measures, each in a fresh work
folder and Prefect home:

- the floor (floor.py: the same library work in one plain process) and `sft run` on N records:
  CPU seconds of the whole process tree, wall time, peak RSS of the tree, and per stage the CPU
  seconds the build recorded;
- `sft run` with one and with two process workers (wall time: parallelism is the point);
- 5x and 10x the records: peak RSS against the N-record build;
- an incremental build that adds a 500-record file to the N-record build, against the full build;
- the fixed cost of a 200-record build (the median of three), with the ephemeral Prefect API and
  against a kept server;
- rjieba's segment stage against raw rjieba (segment_bench.py).

CPU seconds are compared as ratios within this run; the load average is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from make_corpus import make  # noqa: E402

PYTHON = sys.executable
SFT = str(Path(PYTHON).with_name("sft"))
TOKENIZER = ROOT / "data" / "tokenizers" / "tiny-zh"


@dataclass
class Measured:
    cpu: float
    wall: float
    peak_mb: float
    output: str


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        parent = int(fields.get("PPid", "0").strip() or 0)
        children.setdefault(parent, []).append(int(entry))
        rss[int(entry)] = int(fields.get("VmRSS", "0 kB").split()[0]) if "VmRSS" in fields else 0
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += rss.get(current, 0)
        stack += children.get(current, [])
    return total


def adopt_orphans() -> None:
    """Make this process the reaper of its descendants' orphans (Linux PR_SET_CHILD_SUBREAPER).

    A build's worker processes are forked by multiprocessing's fork server, which nobody waits
    for: without this their CPU seconds would never reach RUSAGE_CHILDREN and a build would look
    cheaper than it is."""
    import ctypes

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(36, 1)  # PR_SET_CHILD_SUBREAPER


def reap_orphans(grace: float = 2.0) -> None:
    """Wait for the processes a measured command left behind (the fork server ends when its build
    does), so their CPU is counted; a server kept on purpose (`sft prefect up`) is left running."""
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid:
            deadline = time.monotonic() + grace
        else:
            time.sleep(0.05)


def measure(command: list[str], env: dict[str, str] | None = None) -> Measured:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, **(env or {})}, cwd=ROOT)  # fmt: skip
    peak = [0]

    def sample() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], tree_rss_kb(process.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    wall = time.perf_counter() - started  # before the join: the sampler may sleep on after the exit
    sampler.join()
    reap_orphans()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{output[-3000:]}")
    return Measured(cpu, wall, peak[0] / 1024, output)


def write_corpus(path: Path, records: int, seed: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for row in make(records, ROOT.parent / "shared" / "data", seed):
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def config(folder: Path, sources: list[Path], runner: str = "", name: str = "bench") -> Path:
    lines = "".join(f"  - path: {s}\n" for s in sources)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(
        f"dataset: {name}\noutput_dir: {folder / 'releases'}\nwork_dir: {folder / 'work'}\n"
        f"tokenizer: {TOKENIZER}\nsources:\n{lines}{runner}",
        encoding="utf-8",
    )
    return path


def build(folder: Path, sources: list[Path], runner: str = "") -> Measured:
    """`sft run` as a user runs it: the ephemeral Prefect API on a home that already exists."""
    env = {"PREFECT_HOME": str(folder.parent / "prefect")}
    return measure([SFT, "run", str(config(folder, sources, runner))], env)


def kept_server_builds(root: Path, small: Path, corpus: Path) -> tuple[Measured, Measured]:
    """The 200-record and the N-record build again, on a Prefect home where `sft prefect up` keeps
    a server (the server's own CPU is not counted: it was started before and runs on)."""
    env = {"PREFECT_HOME": str(root / "kept-prefect"), "PREFECT_SERVER_API_PORT": str(free_port())}
    measure([SFT, "prefect", "up"], env)
    try:
        measure([SFT, "run", str(config(root / "kept-warm-up", [small]))], env)  # warms the server's database
        smalls = three_by_wall(lambda i: measure([SFT, "run", str(config(root / f"kept-small-{i}", [small]))], env))
        return smalls[1], measure([SFT, "run", str(config(root / "kept-full", [corpus]))], env)
    finally:
        measure([SFT, "prefect", "down"], env)


def three_by_wall(run) -> list[Measured]:
    """Three runs of `run(i)`, sorted by wall time ([1] is the median): the fixed cost of a small
    build moves by seconds when one of Prefect's writes is retried, so one run says little."""
    return sorted((run(i) for i in range(3)), key=lambda m: m.wall)


def free_port() -> int:
    """A free loopback port. Not flows.serve's: importing `flows` would write Prefect's defaults
    into this process's environment, which every measured build inherits."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stage_seconds(folder: Path) -> dict[str, float]:
    """CPU seconds per stage, summed over the work folder's entries of the newest build."""
    builds = sorted((folder / "work" / "bench" / "builds").glob("*.json"), key=lambda p: p.stat().st_mtime)
    totals: dict[str, float] = {}
    for entry in json.loads(builds[-1].read_text())["entries"]:
        folder_of = folder / "work" / "bench" / entry
        recorded = folder_of / "seconds.json"
        pieces = folder_of / "pieces.json"
        spent = json.loads(recorded.read_text()) if recorded.exists() else json.loads(pieces.read_text())["seconds"]
        for stage, seconds in spent.items():
            totals[stage] = totals.get(stage, 0.0) + seconds
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--scales", type=int, nargs="*", default=[5, 10])
    parser.add_argument("--quick", action="store_true", help="skip the scale-up and the worker comparison")
    args = parser.parse_args()
    adopt_orphans()
    n = args.records
    with tempfile.TemporaryDirectory(prefix="engine-bench-") as scratch:
        root = Path(scratch)
        corpus = write_corpus(root / "corpus" / f"zh-{n}.jsonl", n, 0)
        rows = []
        print(f"load average before: {os.getloadavg()}", flush=True)

        build(root / "warm-up", [write_corpus(root / "corpus" / "warm-up.jsonl", 50, 3)])  # Prefect's database
        floor = measure([PYTHON, str(ROOT / "bench" / "floor.py"), str(corpus), str(TOKENIZER)])
        full = build(root / "full", [corpus])
        rows.append(("floor (plain script)", n, floor))
        rows.append((f"sft run, {n}", n, full))
        seconds = stage_seconds(root / "full")

        extra = write_corpus(root / "corpus" / "extra-500.jsonl", 500, 99)
        incremental = build(root / "full", [corpus, extra])
        rows.append(("sft run, + 500-record file (incremental)", n + 500, incremental))

        small = write_corpus(root / "corpus" / "small-200.jsonl", 200, 7)
        smalls = three_by_wall(lambda i: build(root / f"small-{i}", [small]))
        fixed = smalls[1]
        rows.append(("sft run, 200 records (fixed cost, median of 3)", 200, fixed))
        kept, kept_full = kept_server_builds(root, small, corpus)
        rows.append(("sft run, 200 records, kept server (`sft prefect up`, median of 3)", 200, kept))
        rows.append((f"sft run, {n}, kept server", n, kept_full))

        scaled = {}
        if not args.quick:
            one = build(root / "one", [corpus], "runner: {kind: processes, workers: 1}\n")
            two = build(root / "two", [corpus], "runner: {kind: processes, workers: 2}\n")
            rows += [("processes, 1 worker", n, one), ("processes, 2 workers", n, two)]
            for factor in args.scales:
                big = write_corpus(root / "corpus" / f"zh-{n * factor}.jsonl", n * factor, factor)
                scaled[factor] = build(root / f"x{factor}", [big])
                rows.append((f"sft run, {factor}x", n * factor, scaled[factor]))
        segment = measure([PYTHON, str(ROOT / "bench" / "segment_bench.py"), "--mb", "2"])
        print(f"load average after: {os.getloadavg()}\n")

        print("| run | records | records/s | CPU s | wall s | peak RSS MB |\n|---|---:|---:|---:|---:|---:|")
        for label, count, m in rows:
            print(f"| {label} | {count} | {count / m.wall:,.0f} | {m.cpu:.1f} | {m.wall:.1f} | {m.peak_mb:,.0f} |")
        print("\nper stage (CPU s recorded by the build):", ", ".join(f"{k} {v:.1f}" for k, v in seconds.items()))
        print("\nratios:")
        print(f"- sft run CPU / floor CPU: {full.cpu / floor.cpu:.2f} (target <= 2, aim 1.5); "
              f"with a kept server {kept_full.cpu / floor.cpu:.2f}")  # fmt: skip
        print(f"- incremental CPU / full CPU: {incremental.cpu / full.cpu:.2f} (target <= 0.35)")
        print(f"- 200-record build: {fixed.wall:.1f} s wall, {fixed.cpu:.1f} CPU s (target < 5 s on a quiet machine); "
              f"the three: {', '.join(f'{m.wall:.1f}' for m in smalls)} s")  # fmt: skip
        print(f"- 200-record build, kept server: {kept.wall:.1f} s wall, {kept.cpu:.1f} CPU s (the build's processes)")
        if not args.quick:
            print(f"- 1 worker / 2 workers wall: {one.wall / two.wall:.2f} (target >= 1.5, aim 1.7)")
            for factor, m in scaled.items():
                print(
                    f"- {factor}x peak RSS / 1x: {m.peak_mb / full.peak_mb:.2f} (target <= {1.6 if factor == 5 else 2})"
                )
        print("\nsegment_bench (rjieba stage against raw rjieba):")
        print(segment.output.strip())


if __name__ == "__main__":
    main()
