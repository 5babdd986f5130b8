"""Annotation flows: push records to Label Studio for review, pull what annotators decided.

`annotate_push_flow` runs the hygiene stages (collect, normalize, dedup) so annotators never
see duplicates or garbage, selects records and pushes them; running it again sends only what
the project lacks. `annotate_pull_flow` exports the annotations into the append-only store;
the next `sft run` applies them. Both are meant to run on a schedule (`sft serve`).
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from pipeline import clean, collect, dedup, segment
from pipeline.annotate import select
from pipeline.annotate.client import AnnotationServiceError, LabelStudioClient, connect
from pipeline.annotate.decisions import agreement, decide_all
from pipeline.annotate.interface import labeling_config, task_for
from pipeline.annotate.store import append_raw, load_pushed, load_votes, write_pushed
from pipeline.config import load_run_config
from pipeline.stages import annotation_store, normalize_stage
from schemas import RunConfig, SftRecord


def token_for(config: RunConfig) -> str:
    """The API token: a Prefect Secret block, an environment variable, or the file `sft labelstudio up` writes."""
    settings = config.annotate
    if settings.token_secret:
        from prefect.blocks.system import Secret

        return Secret.load(settings.token_secret).get()
    token = os.environ.get(settings.token_env)
    if token:
        return token
    if settings.token_file and Path(settings.token_file).is_file():
        return Path(settings.token_file).read_text(encoding="utf-8").strip()
    raise AnnotationServiceError(
        f"no Label Studio token: set {settings.token_env} or run `sft labelstudio up` (it writes {settings.token_file})"
    )


@task(name="connect-label-studio")
def connect_task(config: RunConfig) -> LabelStudioClient:
    """Transient errors are retried inside the client; a wrong token or URL fails here, at once."""
    return connect(config.annotate.url, token_for(config))


def project_title(config: RunConfig) -> str:
    return config.annotate.project or f"{config.dataset} SFT review"


@flow(name="annotate-push")
def annotate_push_flow(config_path: str) -> dict:
    config = load_run_config(config_path)
    records = hygiene(config)
    chosen = select(
        records, config.annotate, flagged_records(records, config) if config.annotate.select == "flagged" else None
    )
    client = connect_task(config)
    project = client.project_id(project_title(config), labeling_config(config.annotate.categories))
    store = annotation_store(config)
    counts = client.push(
        project,
        [task_for(r) for r in chosen],
        config.annotate.batch_size,
        checkpoint=load_pushed(store) if (store / "pushed.json").exists() else None,
        on_batch=lambda keys: write_pushed(store, keys),
    )
    summary = {"project": project, "records": len(records), "selected": len(chosen), **counts}
    get_run_logger().info("pushed to %s: %s", config.annotate.url, summary)
    return summary


def hygiene(config: RunConfig) -> list[SftRecord]:
    """collect, normalize and dedup: annotators never see duplicates or garbage."""
    records: list[SftRecord] = []
    for source in config.sources:
        stage = normalize_stage(config, source)
        for path in collect.expand_source(source):
            read = [r for r in collect.read(path, source, config.collect) if isinstance(r, SftRecord)]
            records += stage.run(read).kept
    return dedup.run(records, config.dedup).kept


def flagged_records(records: list, config: RunConfig) -> set[str]:
    """Records the clean filters would reject: the ones worth a human's look."""
    segmenter = segment.load_segmenter(config.segment)
    segmented = segment.run(records, config.segment, segmenter).kept
    return {r.record_id for r in clean.run(segmented, config.clean, segmenter).rejections}


@flow(name="annotate-pull")
def annotate_pull_flow(config_path: str) -> dict:
    config = load_run_config(config_path)
    client = connect_task(config)
    project = client.project_id(project_title(config), labeling_config(config.annotate.categories))
    tasks = client.annotated_tasks(project)
    users = client.users()
    rows = []
    for item in tasks:
        for annotation in item["annotations"]:
            author = annotation.get("completed_by")
            annotation = {**annotation, "completed_by": users.get(author, str(author))}
            rows.append({"key": item["key"], "task_id": item["task_id"], "annotation": annotation})
    store = annotation_store(config)
    new = append_raw(store, rows)
    write_pushed(store, {t["key"] for t in tasks if t["key"]})
    votes = load_votes(store)
    decisions = decide_all(votes, config.annotate.conflict).values()
    summary = {
        "tasks": len(tasks),
        "new_annotations": new,
        "stored_annotations": len(votes),
        "decisions": dict(Counter(d.verdict for d in decisions)),
        "agreement": agreement(votes),
    }
    create_markdown_artifact(_summary_markdown(config, summary), key=f"annotations-{config.dataset}")
    return summary


def _summary_markdown(config: RunConfig, summary: dict) -> str:
    verdicts = "".join(f"| {verdict} | {n} |\n" for verdict, n in sorted(summary["decisions"].items()))
    agree = summary["agreement"]
    return (
        f"# Annotations of {config.dataset}\n\n"
        f"{summary['tasks']} tasks, {summary['new_annotations']} new annotations.\n\n"
        f"| decision | records |\n|---|---|\n{verdicts}\n"
        f"Percent agreement {agree['percent_agreement']}, Cohen's kappa {agree['cohen_kappa']} "
        f"over {agree['tasks_with_several_annotators']} tasks with several annotators.\n"
    )
