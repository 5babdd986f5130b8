"""The work folder: cached stage outputs that later builds reuse, and their garbage collection.

`<work_dir>/<dataset>/cache/<kind>/<key>/` holds the output of one piece of work, keyed by a
hash of everything that decides it (input bytes, configs of the stages that ran, code version),
so a build re-runs only what changed: a new input file is read alone, a changed filter threshold
re-runs from clean on. An entry is written in a temporary folder and renamed into place when
complete, so a killed build never leaves a half entry that a later one would trust.
`<work_dir>/<dataset>/builds/<fingerprint>.json` lists the entries a build used; garbage
collection keeps the entries of the newest builds and removes the rest.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DONE = "done"


def key(*parts: object) -> str:
    """A stable hash of JSON-able parts (dicts are sorted by key)."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Cache:
    root: Path

    @classmethod
    def for_dataset(cls, work_dir: str | Path, dataset: str) -> Cache:
        return cls(Path(work_dir) / dataset)

    def entry(self, kind: str, entry_key: str) -> Path:
        return self.root / "cache" / kind / entry_key

    def ready(self, path: Path) -> bool:
        return (path / DONE).exists()

    @contextmanager
    def writing(self, kind: str, entry_key: str) -> Iterator[Path]:
        """A temporary folder to fill; renamed to the entry when the block ends without error."""
        final = self.entry(kind, entry_key)
        scratch = final.parent / f".tmp-{entry_key}-{uuid.uuid4().hex[:8]}"
        scratch.mkdir(parents=True)
        try:
            yield scratch
            (scratch / DONE).write_text("", encoding="utf-8")
            try:
                os.rename(scratch, final)
            except OSError:
                if not self.ready(final):  # not another worker finishing the same entry first
                    raise
        finally:
            if scratch.exists():
                shutil.rmtree(scratch, ignore_errors=True)

    def record_build(self, fingerprint: str, entries: list[Path]) -> None:
        folder = self.root / "builds"
        folder.mkdir(parents=True, exist_ok=True)
        used = sorted({p.relative_to(self.root).as_posix() for p in entries})
        payload = {"finished": time.time(), "entries": used}
        (folder / f"{fingerprint[:16]}.json").write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")

    def collect_garbage(self, keep: int) -> tuple[int, int]:
        """Remove cache entries no build among the newest `keep` used; (entries, bytes) removed."""
        builds = sorted((self.root / "builds").glob("*.json"), key=lambda p: json.loads(p.read_text())["finished"])
        kept_builds, old_builds = builds[-keep:] if keep else [], builds[: len(builds) - keep] if keep else builds
        alive = {entry for build in kept_builds for entry in json.loads(build.read_text())["entries"]}
        removed = freed = 0
        for kind in sorted((self.root / "cache").glob("*")):
            for entry in sorted(kind.iterdir()):
                name = entry.relative_to(self.root).as_posix()
                if name in alive:
                    continue
                stale_scratch = entry.name.startswith(".tmp-") and time.time() - entry.stat().st_mtime > 3600
                if entry.name.startswith(".tmp-") and not stale_scratch:
                    continue  # a build running now is writing it
                freed += sum(f.stat().st_size for f in entry.rglob("*") if f.is_file())
                shutil.rmtree(entry, ignore_errors=True)
                removed += 1
        for build in old_builds:
            build.unlink()
        return removed, freed
