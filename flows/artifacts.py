"""The Markdown a build leaves in the Prefect UI: what each stage did, why records were refused.

A data engineer opening a night's run sees the stage table (records in, added, kept, rejected,
CPU seconds), every rejection reason with one example from the ledger, and where the release and
its report are, without opening the release folder.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.engine import read_rejections
from pipeline.release import REJECTIONS, REPORT
from schemas import Manifest


def build_summary(manifest: Manifest, release: Path, seconds: dict[str, float]) -> str:
    counts = manifest.counts
    splits = ", ".join(f"{name} {n}" for name, n in counts.by_split.items())
    lines = [
        f"# {manifest.dataset}@{manifest.version}",
        "",
        f"{counts.input} input records, {counts.augmented} augmented: **{counts.released} released** ({splits}), "
        f"{counts.rejected} rejected. Fingerprint `{manifest.fingerprint[:16]}`.",
        "",
        f"Release: `{release.resolve()}`; report: [{REPORT}]({(release / REPORT).resolve().as_uri()}).",
        "",
        "| stage | in | added | kept | rejected | CPU s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for stage in manifest.stages:
        lines.append(f"| {stage.stage} | {stage.input} | {stage.added} | {stage.kept} | {stage.rejected_total} | "
                     f"{seconds.get(stage.stage, 0.0):.1f} |")  # fmt: skip
    examples = first_rejections(release / REJECTIONS, set(counts.rejected_by_reason))
    if examples:
        lines += ["", "| rejection | records | example |", "|---|---:|---|"]
        for reason, n in counts.rejected_by_reason.items():
            lines.append(f"| `{reason}` | {n} | {_cell(examples.get(reason, ''))} |")
    leakage = manifest.checks.get("leakage", {})
    if leakage:
        lines += ["", f"Leakage check: {leakage.get('records')} records, "
                      f"{leakage.get('cross_split_pairs')} near-duplicate pairs across splits."]  # fmt: skip
    return "\n".join(lines) + "\n"


def first_rejections(path: Path, reasons: set[str]) -> dict[str, str]:
    """The first ledger entry of each `stage.reason`, read until every reason has one."""
    found: dict[str, str] = {}
    if not path.exists():
        return found
    for rejection in read_rejections(path):
        name = f"{rejection.stage}.{rejection.reason}"
        if name not in found:
            found[name] = str(rejection)
            if len(found) == len(reasons):
                break
    return found


def _cell(text: str, limit: int = 160) -> str:
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"
