"""build_dataset_flow: raw files to a versioned release, one Prefect task per shard and stage.

Tasks pass shard paths, never record lists: each stage reads its input shard, calls the plain
pipeline function and writes its kept records and its rejections beside each other under the
run's work folder. A build whose inputs, config and code match a published release stops
before doing any work.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache, reduce
from pathlib import Path

from prefect import flow, get_run_logger, task, unmapped
from prefect.artifacts import create_markdown_artifact

from flows.version import code_version
from pipeline import annotate, augment, clean, collect, decontaminate, dedup, normalize, render, segment, split
from pipeline.annotate.decisions import decide_all
from pipeline.annotate.store import load_pushed, load_votes
from pipeline.config import load_run_config
from pipeline.io import read_models, write_models
from pipeline.release import (
    ReleaseRefused,
    ReleaseRequest,
    find_build,
    input_fingerprint,
    load_manifest,
    publish,
    sha256_file,
)
from pipeline.release.report import markdown_summary
from pipeline.split.leakage import leakage_report
from schemas import (
    InputFile,
    Manifest,
    RecordResult,
    Rejection,
    RenderConfig,
    RunConfig,
    SegmentConfig,
    SftRecord,
    SourceConfig,
    StageCounts,
)

STAGES = (
    "collect", "normalize", "dedup", "annotate", "decontaminate", "split", "segment", "clean", "augment", "render",
)  # fmt: skip


@dataclass(frozen=True)
class Shard:
    """One stage's output for one slice of the data: kept records, rejections, counts."""

    records: Path
    rejections: Path
    counts: StageCounts


@dataclass(frozen=True)
class BuildResult:
    release: Path
    manifest: Manifest
    created: bool


def _save(result: RecordResult, folder: Path, name: str) -> Shard:
    records, rejections = folder / f"{name}.jsonl", folder / f"{name}.rejections.jsonl"
    write_models(records, result.kept)
    write_models(rejections, result.rejections)
    return Shard(records, rejections, result.counts)


def records_of(shard: Shard) -> Iterator[SftRecord]:
    return read_models(shard.records, SftRecord)


def _save_cut(result: RecordResult, folder: Path, prefix: str, size: int) -> list[Shard]:
    """One stage result cut into shards of `size` records; its rejections go with the first."""
    shards = []
    for start in range(0, max(len(result.kept), 1), size):
        part = result.kept[start : start + size]
        rejections = result.rejections if start == 0 else []
        piece = RecordResult(stage=result.stage, input=len(part) + len(rejections), kept=part, rejections=rejections)
        shards.append(_save(piece, folder, f"{prefix}{start // size:04d}"))
    return shards


@task(name="collect", tags=["io"])
def collect_task(path: Path, source: SourceConfig, shard_size: int, folder: Path, name: str) -> list[Shard]:
    return _save_cut(collect.run(path, source), folder, f"{name}-", shard_size)


@task(name="normalize")
def normalize_task(shard: Shard, source: SourceConfig, config: RunConfig, folder: Path) -> Shard:
    fix_newlines = source.fix_literal_newlines or config.normalize.fix_literal_newlines
    stage_config = config.normalize.model_copy(update={"fix_literal_newlines": fix_newlines})
    return _save(normalize.run(records_of(shard), stage_config), folder, shard.records.stem)


@task(name="dedup")
def dedup_task(shards: list[Shard], config: RunConfig, folder: Path) -> list[Shard]:
    """Dedup is global: every shard in source order goes through one call, then is cut again."""
    result = dedup.run((r for shard in shards for r in records_of(shard)), config.dedup)
    return _save_cut(result, folder, "", config.collect.shard_size)


@task(name="decontaminate")
def decontaminate_task(shard: Shard, config: RunConfig, index: decontaminate.BenchmarkIndex, folder: Path) -> Shard:
    return _save(decontaminate.run(records_of(shard), config.decontaminate, index), folder, shard.records.stem)


@task(name="split")
def split_task(shard: Shard, config: RunConfig, limits: split.Bounds, folder: Path) -> Shard:
    return _save(split.run(records_of(shard), config.split, limits), folder, shard.records.stem)


@task(name="leakage-check")
def leakage_task(shards: list[Shard], config: RunConfig) -> dict:
    """Near-duplicates across splits in what is about to be released; a release with any is refused."""
    report = leakage_report((r for shard in shards for r in records_of(shard)), config.dedup.near)
    if report["cross_split_pairs"]:
        examples = "; ".join(report["examples"])
        raise ReleaseRefused(f"{report['cross_split_pairs']} near-duplicate pairs span two splits: {examples}")
    return report


@lru_cache(maxsize=4)
def _segmenter(config_json: str) -> segment.Segmenter:
    return segment.load_segmenter(SegmentConfig.model_validate_json(config_json))


@task(name="segment")
def segment_task(shard: Shard, config: RunConfig, folder: Path) -> Shard:
    segmenter = _segmenter(config.segment.model_dump_json())
    return _save(segment.run(records_of(shard), config.segment, segmenter), folder, shard.records.stem)


@task(name="clean")
def clean_task(shard: Shard, config: RunConfig, folder: Path) -> Shard:
    segmenter = _segmenter(config.segment.model_dump_json())
    return _save(clean.run(records_of(shard), config.clean, segmenter), folder, shard.records.stem)


@task(name="augment")
def augment_task(shard: Shard, config: RunConfig, folder: Path) -> Shard:
    return _save(augment.run(records_of(shard), config.augment), folder, shard.records.stem)


@lru_cache(maxsize=4)
def _renderer(tokenizer: str, config_json: str) -> render.Renderer:
    return render.load_renderer(tokenizer, RenderConfig.model_validate_json(config_json))


@task(name="render")
def render_task(shard: Shard, config: RunConfig, folder: Path) -> Shard:
    renderer = _renderer(config.tokenizer, config.render.model_dump_json())
    return _save(render.run(records_of(shard), config.render, renderer), folder, shard.records.stem)


@task(name="release")
def release_task(request: ReleaseRequest, output_dir: Path, final: list[Shard], every: list[Shard]) -> BuildResult:
    records = (record for shard in final for record in records_of(shard))
    rejections = (r for shard in every for r in read_models(shard.rejections, Rejection))
    published = publish(output_dir, request, records, rejections)
    if published.created:
        create_markdown_artifact(
            markdown_summary(published.manifest), key=f"release-{request.dataset}", description="release summary"
        )
    return BuildResult(published.path, published.manifest, published.created)


def input_files(config: RunConfig) -> list[tuple[SourceConfig, Path]]:
    return [(source, path) for source in config.sources for path in collect.expand_source(source)]


@flow(name="build-dataset", log_prints=True)
def build_dataset_flow(config_path: str) -> BuildResult:
    """Build a release from a run config; a no-op when an identical build is already published."""
    logger = get_run_logger()
    config = load_run_config(config_path)
    files = input_files(config)
    inputs = [InputFile(path=p.as_posix(), sha256=sha256_file(p), bytes=p.stat().st_size) for _, p in files]
    if config.annotate.enabled:  # pulled annotations are inputs too: a new pull means a new build
        stored = [p for p in sorted(annotation_store(config).glob("*")) if p.is_file()]
        inputs += [InputFile(path=p.as_posix(), sha256=sha256_file(p), bytes=p.stat().st_size) for p in stored]
    config_dict = config.model_dump(mode="json")
    fingerprint = input_fingerprint(config_dict, inputs, code_version())
    output_dir = Path(config.output_dir)
    existing = find_build(output_dir, config.dataset, fingerprint)
    if existing is not None:
        logger.info("inputs, config and code unchanged since %s: nothing to do", existing)
        return BuildResult(existing, load_manifest(existing), created=False)

    renderer = _renderer(config.tokenizer, config.render.model_dump_json())  # a bad tokenizer fails here, early
    _segmenter(config.segment.model_dump_json())  # so does a missing user dictionary
    work = Path(config.work_dir) / config.dataset / fingerprint[:16]
    collected, normalized, deduped = hygiene(config, files, work)
    reviewed = _annotated(config, deduped, work)
    index = decontaminate.load_index(config.decontaminate)
    clean_shards = decontaminate_task.map(
        reviewed, unmapped(config), unmapped(index), unmapped(work / "decontaminate")
    ).result()
    limits = split.bounds((r.meta.group for shard in clean_shards for r in records_of(shard)), config.split)
    splitted = split_task.map(clean_shards, unmapped(config), unmapped(limits), unmapped(work / "split")).result()
    segmented = segment_task.map(splitted, unmapped(config), unmapped(work / "segment")).result()
    cleaned = clean_task.map(segmented, unmapped(config), unmapped(work / "clean")).result()
    augmented = augment_task.map(cleaned, unmapped(config), unmapped(work / "augment")).result()
    rendered = render_task.map(augmented, unmapped(config), unmapped(work / "render")).result()

    stage_outputs = [collected, normalized, deduped, *([reviewed] if config.annotate.enabled else []),
                     clean_shards, splitted, segmented, cleaned, augmented, rendered]  # fmt: skip
    checks = {"template": {"name": renderer.template_name, "reason": renderer.reason}}
    if config.release.leakage_check:
        checks["leakage"] = leakage_task(rendered, config)
    names = [s for s in STAGES if s != "annotate" or config.annotate.enabled]
    stages = [_total(name, shards) for name, shards in zip(names, stage_outputs, strict=True)]
    request = ReleaseRequest(
        dataset=config.dataset,
        input_fingerprint=fingerprint,
        code_version=code_version(),
        config=config_dict,
        tokenizer=config.tokenizer,
        chat_template=renderer.template_name,
        input_count=stages[0].input,
        stages=stages,
        inputs=inputs,
        keep_segments=config.segment.keep_in_release,
        exports=config.release.exports,
        llamafactory=config.release.llamafactory,
        checks=checks,
    )
    every = [shard for shards in stage_outputs for shard in shards]
    result = release_task(request, output_dir, rendered, every)
    logger.info("release %s (%s)", result.release, "new" if result.created else "unchanged bytes")
    return result


def hygiene(
    config: RunConfig, files: list[tuple[SourceConfig, Path]], work: Path
) -> tuple[list[Shard], list[Shard], list[Shard]]:
    """collect, normalize and dedup: what annotators see and what the rest of the build reads."""
    per_file = collect_task.map(
        [p for _, p in files],
        [s for s, _ in files],
        unmapped(config.collect.shard_size),
        unmapped(work / "collect"),
        [f"{i:04d}-{p.stem[:40]}" for i, (_, p) in enumerate(files)],
    ).result()
    collected = [shard for shards in per_file for shard in shards]
    shard_sources = [source for (source, _), shards in zip(files, per_file, strict=True) for _ in shards]
    normalized = normalize_task.map(collected, shard_sources, unmapped(config), unmapped(work / "normalize")).result()
    return collected, normalized, dedup_task(normalized, config, work / "dedup")


@task(name="annotate")
def annotate_task(shard: Shard, config: RunConfig, decisions: dict, pushed: set, folder: Path) -> Shard:
    result = annotate.run(records_of(shard), config.annotate, decisions, pushed, config.normalize)
    return _save(result, folder, shard.records.stem)


def _annotated(config: RunConfig, deduped: list[Shard], work: Path) -> list[Shard]:
    """Apply the pulled annotations (from the local store: a build needs no server)."""
    if not config.annotate.enabled:
        return deduped
    store = annotation_store(config)
    decisions = decide_all(load_votes(store), config.annotate.conflict)
    pushed = load_pushed(store)
    return annotate_task.map(
        deduped, unmapped(config), unmapped(decisions), unmapped(pushed), unmapped(work / "annotate")
    ).result()


def annotation_store(config: RunConfig) -> Path:
    return Path(config.annotate.store) / config.dataset


def _total(stage: str, shards: list[Shard]) -> StageCounts:
    return reduce(lambda a, b: a + b, (s.counts for s in shards), StageCounts(stage=stage, input=0, kept=0))
