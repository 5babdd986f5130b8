"""The stages of a build, in order, for a run config: the one list the engine runs.

Adding a stage is one entry here (and its package): the flow loops over this list, the
manifest's stage table comes from it, and a stage switched off in the config is simply not in it.

Per-shard stages map records to records and run fused, one shard at a time, records passed in
memory. Global stages (dedup, split) decide once over all records: each shard is sketched
(`sketch`, run where the shard is), the sketches are reduced to a decision (`decide`), and the
decision is applied per shard (`apply`). Collect is the source of records and release the sink,
so neither is in the list.

Stages get their heavy resources (segmenter, tokenizer, benchmark index, annotations) from a
`Resources` object, loaded on first use in the process that runs them: a worker process loads
them once, whatever the number of shards it runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from pipeline import annotate, augment, clean, decontaminate, dedup, normalize, render, segment, split
from pipeline.dedup.near import Rows
from schemas import RecordResult, RunConfig, SftRecord, SourceConfig

Records = list[SftRecord]


@dataclass(frozen=True)
class ShardStage:
    name: str
    run: Callable[[Records], RecordResult]
    needs_segments: bool = False


@dataclass(frozen=True)
class GlobalStage:
    name: str
    sketch: Callable[[Records], Any] | None
    decide: Callable[[Rows, dict[str, Any]], Any]
    apply: Callable[[Records, Any], RecordResult]


Stage = ShardStage | GlobalStage


def annotation_store(config: RunConfig) -> Path:
    return Path(config.annotate.store) / config.dataset


class Resources:
    """What stages load once per process: built lazily from the run config."""

    def __init__(self, config: RunConfig) -> None:
        self.config = config

    @cached_property
    def segmenter(self) -> segment.Segmenter:
        return segment.load_segmenter(self.config.segment, mark_stop_words=stop_marks_read(self.config))

    @cached_property
    def renderer(self) -> render.Renderer:
        return render.load_renderer(self.config.tokenizer, self.config.render)

    @cached_property
    def benchmarks(self) -> decontaminate.BenchmarkIndex:
        return decontaminate.load_index(self.config.decontaminate)

    @cached_property
    def annotations(self) -> tuple[dict, set[str]]:
        from pipeline.annotate.decisions import decide_all
        from pipeline.annotate.store import load_pushed, load_votes

        store = annotation_store(self.config)
        return decide_all(load_votes(store), self.config.annotate.conflict), load_pushed(store)


def stop_marks_read(config: RunConfig) -> bool:
    """Whether anything reads the segments' stop-word marks: the stop-word filter or the release."""
    return config.segment.keep_in_release or config.clean.stop_words.enabled


def normalize_stage(config: RunConfig, source: SourceConfig) -> ShardStage:
    """normalize with the source's own options (a source may ask for literal `\\n` to be fixed)."""
    options = config.normalize.model_copy(
        update={"fix_literal_newlines": source.fix_literal_newlines or config.normalize.fix_literal_newlines}
    )
    return ShardStage("normalize", lambda records: normalize.run(records, options))


def build_stages(config: RunConfig, resources: Resources) -> list[Stage]:
    """Every stage after normalize, in order; normalize depends on the source (`normalize_stage`)."""
    stages: list[Stage] = []
    if config.annotate.enabled:
        stages.append(ShardStage("annotate", lambda records: _annotate(records, config, resources)))
    if config.decontaminate.benchmarks:
        stages.append(
            ShardStage(
                "decontaminate",
                lambda records: decontaminate.run(records, config.decontaminate, resources.benchmarks),
            )
        )
    stages += [
        ShardStage("segment", lambda records: segment.run(records, config.segment, resources.segmenter)),
        ShardStage("clean", lambda records: clean.run(records, config.clean, resources.segmenter), needs_segments=True),
        GlobalStage(
            "dedup",
            sketch=lambda records: dedup.sketch(records, config.dedup.near),
            decide=lambda rows, decided: dedup.decide(rows, config.dedup),
            apply=dedup.apply,
        ),
        GlobalStage(
            "split",
            sketch=None,
            decide=lambda rows, decided: split.bounds_after(rows, decided["dedup"], config.split),
            apply=lambda records, bounds: split.run(records, config.split, bounds),
        ),
    ]
    if config.augment.enabled:
        stages.append(
            ShardStage(
                "augment",
                lambda records: augment.run(records, config.augment, resources.segmenter),
                needs_segments=True,
            )
        )
    stages.append(ShardStage("render", lambda records: render.run(records, config.render, resources.renderer)))
    return stages


def stage_names(config: RunConfig) -> list[str]:
    """The stage table of a build: collect, normalize, then the list (without loading anything)."""
    return ["collect", "normalize", *(s.name for s in build_stages(config, Resources(config)))]


def _annotate(records: Records, config: RunConfig, resources: Resources) -> RecordResult:
    decisions, pushed = resources.annotations
    return annotate.run(records, config.annotate, decisions, pushed, config.normalize)


def last_segment_user(stages: Sequence[Stage]) -> int:
    """Index of the last stage that reads segments (-1 when none does): segments are dropped after it."""
    users = [i for i, s in enumerate(stages) if isinstance(s, ShardStage) and s.needs_segments]
    return users[-1] if users else -1
