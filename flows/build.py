"""build_dataset_flow: raw files to a versioned release. Set up, then run the stage list.

The stage list (pipeline/stages.py) is cut at its global stages. Everything before the first one
runs per input (collect, normalize, then annotate ... clean) as one task per file or byte range
of a large file; the global stages decide once over the sketches those tasks wrote; everything
after runs per piece (the decisions applied, then augment, render) as one task per piece. Tasks
run on the configured runner (threads, processes or Dask) and pass paths, never record lists;
each caches its output in the work folder, so a later build re-runs only what changed.

A build whose inputs, config and code match a published release verifies that release's files
and stops; two builds of one dataset at once take turns on the dataset's lock.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from flows import runners, shards, workers
from flows.artifacts import build_summary
from flows.shards import Finished, Input, Job, Piece, Prepared
from flows.version import code_version
from pipeline import collect
from pipeline.config import ConfigError, load_run_config
from pipeline.dedup.near import Rows
from pipeline.dedup.sketch import Sketches
from pipeline.engine import read_records, read_rejections, rows_of
from pipeline.release import (
    ReleaseRefused,
    ReleaseRequest,
    find_build,
    input_fingerprint,
    load_manifest,
    publish,
    release_lock,
    sha256_file,
    verify_release,
)
from pipeline.split import leakage
from pipeline.stages import GlobalStage, annotation_store, build_stages, stage_names
from schemas import BuildOptions, InputFile, Manifest, RunConfig, RunnerConfig, SftRecord, StageCounts

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildResult:
    release: Path
    manifest: Manifest
    created: bool


def plan_inputs(config: RunConfig) -> tuple[list[Input], list[InputFile]]:
    """Every file of every source (cut into byte ranges when large) and the manifest's input list."""
    items, listed = [], []
    for source in config.sources:
        for entry in collect.source_files(source):
            digest = sha256_file(entry.path) if entry.safe_to_open else ""
            size = entry.path.stat().st_size if entry.safe_to_open else 0
            listed.append(InputFile(path=entry.path.as_posix(), sha256=digest, bytes=size))
            chunks = collect.chunks(entry.path, source, config.collect) if entry.problem is None else None
            for chunk in chunks or [collect.Chunk.whole()]:
                items.append(Input(len(items), source, entry.path, digest, chunk, chunk.length or size))
    if config.annotate.enabled:  # pulled annotations are inputs too: a new pull means a new build
        stored = [p for p in sorted(annotation_store(config).glob("*")) if p.is_file()]
        listed += [InputFile(path=p.as_posix(), sha256=sha256_file(p), bytes=p.stat().st_size) for p in stored]
    return items, listed


def fingerprint_of(config: RunConfig, inputs: list[InputFile]) -> str:
    """What decides a build's output: the config (without where and how it runs), inputs and code."""
    decisive = config.model_dump(mode="json", exclude={"runner", "work"})
    return input_fingerprint(decisive, inputs, code_version())


@task(name="collect-clean", tags=["shard"])
def prepare_task(job: Job, items: list[Input]) -> list[Prepared]:
    return workers.call(shards.prepare_all, job, items)


@task(name="dedup-render", tags=["shard"])
def finish_task(job: Job, pieces: list[Piece], decisions: list[dict[str, Any]]) -> list[Finished]:
    return workers.call(shards.finish_all, job, pieces, decisions)


# A task does at least this much work: small files and pieces are taken together, because each
# task run costs a fixed overhead (API calls, a process hand-off) that a few records cannot pay for.
GROUP_BYTES = 2 << 20


def groups(sizes: list[int], limit: int) -> list[list[int]]:
    """Consecutive indexes, cut so that each group's total size stays within `limit` (a larger one alone)."""
    cut: list[list[int]] = []
    total = 0
    for index, size in enumerate(sizes):
        if not cut or total + size > limit:
            cut.append([])
            total = 0
        cut[-1].append(index)
        total += size
    return cut


def group_name(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{names[0]}+{len(names) - 1}"


@task(name="release", tags=["io"])
def release_task(
    request: ReleaseRequest, output_dir: Path, prepared: list[Prepared], finished: list[Finished], seconds: dict
):
    def records() -> Iterator[SftRecord]:
        for part in finished:
            yield from read_records(part.records)

    def rejections():
        for path in [p for part in prepared for p in part.rejections] + [part.rejections for part in finished]:
            yield from read_rejections(path)

    published = publish(output_dir, request, records(), rejections())
    if published.created:
        create_markdown_artifact(
            build_summary(published.manifest, published.path, seconds),
            key=artifact_key(request.dataset),
            description=f"release {request.dataset}@{published.manifest.version}",
        )
    return published


def artifact_key(dataset: str) -> str:
    """Prefect artifact keys allow lower-case letters, digits and dashes only."""
    return "release-" + "".join(c if c.isalnum() else "-" for c in dataset.lower())


def run_name() -> str:
    """`build-<dataset>-<time>`, so a data engineer finds a night's build by its dataset."""
    from prefect.runtime import flow_run

    config_path = str(flow_run.parameters.get("config_path", ""))
    try:
        dataset = load_run_config(config_path, _options(flow_run.parameters).overrides).dataset
    except (ConfigError, OSError):
        dataset = Path(config_path).stem or "dataset"
    return f"build-{dataset}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"


def _options(parameters: dict) -> BuildOptions:
    options = parameters.get("options") or BuildOptions()
    return options if isinstance(options, BuildOptions) else BuildOptions.model_validate(options)


@flow(name="build-dataset", flow_run_name=run_name, log_prints=True)
def build_dataset_flow(config_path: str, options: BuildOptions = BuildOptions()) -> BuildResult:  # noqa: B008
    """Build a release from a run config; a no-op when an identical build is already published."""
    config = with_options(load_run_config(config_path, options.overrides), options)
    tag_run(config.dataset)
    return build(config, options.force)


def load_resources(config: RunConfig, options: BuildOptions = BuildOptions()) -> None:  # noqa: B008
    """Load the tokenizer and segmenter a build of this config uses, in this process, ahead of the
    flow (`sft run` does it while the Prefect API starts): the build then finds them loaded."""
    resources = shards.resources(with_options(config, options))
    _ = resources.renderer, resources.segmenter


def with_options(config: RunConfig, options: BuildOptions) -> RunConfig:
    """The config with this build's runner choices applied (they never change the release)."""
    runner = config.runner.model_copy(
        update={k: v for k, v in (("kind", options.runner), ("workers", options.workers)) if v is not None}
    )
    return config.model_copy(update={"runner": RunnerConfig.model_validate(runner.model_dump())})


def tag_run(dataset: str) -> None:
    """Tag the flow run with its dataset, so the UI can filter a dataset's builds."""
    from prefect.client.orchestration import get_client
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    if context is None or context.flow_run is None:
        return
    with get_client(sync_client=True) as client:
        client.update_flow_run(context.flow_run.id, tags=sorted({*context.flow_run.tags, "sft", dataset}))


def build(config: RunConfig, force: bool = False) -> BuildResult:
    logger = get_run_logger()
    items, inputs = plan_inputs(config)
    fingerprint = fingerprint_of(config, inputs)
    output_dir = Path(config.output_dir)
    with release_lock(output_dir, config.dataset):
        existing = None if force else find_build(output_dir, config.dataset, fingerprint)
        if existing is not None:
            verify_release(existing)
            logger.info("inputs, config and code unchanged since %s: nothing to do", existing)
            return BuildResult(existing, load_manifest(existing), created=False)
        result = _build(config, items, inputs, fingerprint, logger)
    return result


def _build(config: RunConfig, items: list[Input], inputs: list[InputFile], fingerprint: str, logger) -> BuildResult:
    resources = shards.resources(config)  # the same objects the tasks of this process use
    renderer = resources.renderer  # a bad tokenizer fails here, early
    logger.info("%s: %s", config.tokenizer, renderer.reason)
    _ = resources.segmenter  # so does a missing user dictionary
    stages = build_stages(config, resources)
    job = Job(config, code_version(), shards.file_digests(config))
    started = time.perf_counter()
    reads = [[items[i] for i in group] for group in groups([i.size for i in items], GROUP_BYTES)]
    todo = [group for group in reads if not all(shards.is_prepared(job, item) for item in group)]
    with runners.task_runner(config, len(todo), sum(item.size for group in todo for item in group)) as runner:
        calls = [({"job": job, "items": g}, group_name([i.name for i in g])) for g in reads]
        prepared = [p for result in _run(runner, prepare_task, "collect-clean", calls, logger) for p in result]
        pieces = [piece for part in prepared for piece in part.pieces]
        parts = _decide([s for s in stages if isinstance(s, GlobalStage)], pieces)
        batches = groups([p.records for p in pieces], config.collect.shard_size)
        calls = [
            ({"job": job, "pieces": [pieces[i] for i in b], "decisions": [parts[i] for i in b]},
             group_name([pieces[i].name for i in b]))
            for b in batches
        ]  # fmt: skip
        finished = [f for result in _run(runner, finish_task, "dedup-render", calls, logger) for f in result]
    counts = [c for part in prepared for c in part.counts] + [c for part in finished for c in part.counts]
    stage_counts = _totals(stage_names(config), counts)
    checks = {"template": {"name": renderer.template_name, "reason": renderer.reason}}
    if config.release.leakage_check:
        checks["leakage"] = _leakage(config, finished)
    request = ReleaseRequest(
        dataset=config.dataset,
        input_fingerprint=fingerprint,
        code_version=job.code_version,
        config=config.model_dump(mode="json"),
        tokenizer=config.tokenizer,
        chat_template=renderer.template_name,
        input_count=stage_counts[0].input,
        stages=stage_counts,
        inputs=inputs,
        keep_segments=config.segment.keep_in_release,
        exports=config.release.exports,
        llamafactory=config.release.llamafactory,
        checks=checks,
    )
    seconds: dict[str, float] = {}
    for part in [*prepared, *finished]:
        for stage, spent in part.seconds.items():
            seconds[stage] = seconds.get(stage, 0.0) + spent
    named = release_task.with_options(task_run_name=f"release-{config.dataset}")
    published = named(request, Path(config.output_dir), prepared, finished, seconds)
    job.cache.record_build(fingerprint, [e for part in prepared for e in part.entries] + [p.entry for p in finished])
    job.cache.collect_garbage(config.work.keep)
    state = "new" if published.created else "unchanged bytes"
    logger.info("release %s (%s) in %.1f s", published.path, state, time.perf_counter() - started)
    return BuildResult(published.path, published.manifest, published.created)


def _run(runner, fn, phase: str, calls: list[tuple[dict, str]], logger) -> list:
    """Submit one task per call, wait for all, and return the results in submission order.

    Each task returns a list of parts (Prepared or Finished). Progress goes to the
    `flows.build.progress` logger at DEBUG as each task finishes, with
    `progress={phase, done, total, records}` on the record (records: what the finished tasks read);
    `sft run` draws its progress line from it, and nothing else listens. The phase's total goes to
    the run's log at INFO.
    """
    from prefect.futures import as_completed

    def progress(done: int, records: int) -> None:
        event = {"phase": phase, "done": done, "total": len(calls), "records": records}
        logging.getLogger("flows.build.progress").debug("%s %d/%d", phase, done, len(calls), extra={"progress": event})

    started = time.perf_counter()
    futures = [runner.submit(fn.with_options(task_run_name=f"{phase}-{name}"), call) for call, name in calls]
    done = records = 0
    progress(done, records)
    for future in as_completed(futures):
        done, records = done + 1, records + sum(part.counts[0].input for part in future.result())
        progress(done, records)
    results = [future.result() for future in futures]
    seconds = time.perf_counter() - started
    rate = f", {records / seconds:,.0f} records/s" if seconds > 0 else ""
    logger.info("%s: %d tasks, %d records in %.1f s%s", phase, len(results), records, seconds, rate)
    return results


def _decide(stages: list[GlobalStage], pieces: list[Piece]) -> list[dict]:
    """The global stages' decisions over every piece's sketch, and each piece's share of them."""
    rows = Rows([Sketches.load(p.folder / shards.SKETCH) for p in pieces])
    decided: dict[str, Any] = {}
    for stage in stages:
        decided[stage.name] = stage.decide(rows, decided)
    parts = []
    for start, stop in zip(rows.starts, rows.starts[1:], strict=False):
        parts.append({name: rows_of(decision, start, stop) for name, decision in decided.items()})
    return parts


def _leakage(config: RunConfig, finished: list[Finished]) -> dict:
    import json

    tables = [Sketches.load(part.leakage) for part in finished]
    splits = [s for part in finished for s in json.loads((part.leakage / shards.SPLITS).read_text())]
    report = leakage.report(Rows(tables), splits, config.dedup.near)
    if report["cross_split_pairs"]:
        examples = "; ".join(report["examples"])
        raise ReleaseRefused(f"{report['cross_split_pairs']} near-duplicate pairs span two splits: {examples}")
    return report


def _totals(names: list[str], counts: list[StageCounts]) -> list[StageCounts]:
    totals = {name: StageCounts(stage=name, input=0, kept=0) for name in names}
    for count in counts:
        totals[count.stage] = totals[count.stage] + count
    return list(totals.values())
