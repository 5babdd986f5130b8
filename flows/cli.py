"""The `sft` command: a thin shell over the flows and the release catalog."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

import flows  # noqa: F401  (sets Prefect's offline defaults before Prefect is imported)
from pipeline.config import ConfigError
from pipeline.release import ReleaseRefused, load_manifest, versions
from pipeline.release.catalog import diff, find_record, lineage_lines, resolve
from schemas import Manifest

app = typer.Typer(help="Build Chinese SFT datasets: raw files in, versioned chat-templated releases out.")
release_app = typer.Typer(help="Read published releases.")
app.add_typer(release_app, name="release")
annotate_app = typer.Typer(help="Human review in Label Studio: push records, pull decisions.")
app.add_typer(annotate_app, name="annotate")
labelstudio_app = typer.Typer(help="A local Label Studio server (its own virtual environment, 127.0.0.1 only).")
app.add_typer(labelstudio_app, name="labelstudio")
console = Console()


@contextmanager
def _reported(*errors: type[Exception]) -> Iterator[None]:
    """Mistakes in configs and inputs (and `errors`) end a command with a message, not a traceback."""
    try:
        yield
    except (ConfigError, FileNotFoundError, ValueError, *errors) as err:
        console.print(f"[red]error:[/red] {err}", highlight=False)
        raise typer.Exit(2) from None


OutputDir = typer.Option(Path("data/releases"), "--output-dir", "-o", help="Folder that holds the releases.")


@app.command()
def run(config: Path = typer.Argument(..., help="Run config (YAML): dataset, sources, stage options.")) -> None:
    """Build a release from CONFIG: the main job, one Prefect flow run."""
    from flows.build import build_dataset_flow

    with _reported(ReleaseRefused):
        result = build_dataset_flow(str(config))
    manifest = result.manifest
    state = "new release" if result.created else "unchanged: no new version"
    console.print(f"[bold]{manifest.dataset}@{manifest.version}[/bold] ({state}) at {result.release}")
    _print_counts(manifest)


@release_app.command("list")
def release_list(dataset: str = typer.Argument(None, help="Only this dataset."), output_dir: Path = OutputDir) -> None:
    """Releases with their counts, oldest first."""
    names = [dataset] if dataset else sorted(p.name for p in output_dir.glob("*") if p.is_dir())
    table = Table("release", "created", "released", "rejected", "train/validation/test", "fingerprint")
    for name in names:
        for version in versions(output_dir, name):
            m = load_manifest(output_dir / name / version)
            splits = "/".join(str(m.counts.by_split.get(s, 0)) for s in ("train", "validation", "test"))
            table.add_row(
                f"{name}@{version}",
                m.created_at,
                str(m.counts.released),
                str(m.counts.rejected),
                splits,
                m.fingerprint[:12],
            )
    if not table.row_count:
        console.print(f"no releases under {output_dir}")
        return
    console.print(table)


@release_app.command("show")
def release_show(
    ref: str = typer.Argument(..., help="DATASET or DATASET@VERSION (latest when no version)."),
    record: str = typer.Option(None, "--record", "-r", help="Show one record's lineage (an id or a unique prefix)."),
    output_dir: Path = OutputDir,
) -> None:
    """A release's manifest, readable: counts by split, stage and reason, tokens, template, checks."""
    folder = _resolve(output_dir, ref)
    if record:
        _show_record(folder, record)
        return
    manifest = load_manifest(folder)
    console.print(f"[bold]{manifest.dataset}@{manifest.version}[/bold] at {folder}")
    console.print(f"fingerprint {manifest.fingerprint}  parent {manifest.parent or '-'}  built {manifest.created_at}")
    console.print(
        f"tokenizer {manifest.tokenizer} with template: {manifest.chat_template}; code {manifest.code_version}"
    )
    _print_counts(manifest)
    sources = Table("source file", "released", "rejected")
    for name, tally in manifest.counts.by_source.items():
        sources.add_row(name, str(tally.released), str(tally.rejected))
    console.print(sources)
    if manifest.token_stats:
        stats = ", ".join(f"{k} {v:g}" for k, v in manifest.token_stats.items())
        console.print(f"tokens per record: {stats}")
    for name, figures in manifest.checks.items():
        console.print(f"check {name}: " + ", ".join(f"{k} {v}" for k, v in figures.items() if k != "examples"))


def _show_record(folder: Path, record_id: str) -> None:
    with _reported():
        record, rejections = find_record(folder, record_id)
    if record is None and not rejections:
        console.print(f"[red]error:[/red] no record {record_id!r} in {folder}")
        raise typer.Exit(2)
    if record is not None:
        for line in lineage_lines(folder, record):
            console.print(line, highlight=False)
    for rejection in rejections:
        console.print(f"rejected by {rejection.stage} as {rejection.reason}: {rejection}", highlight=False)


@release_app.command("diff")
def release_diff(
    old: str = typer.Argument(..., help="DATASET@VERSION to compare from."),
    new: str = typer.Argument(..., help="DATASET@VERSION to compare to."),
    output_dir: Path = OutputDir,
    limit: int = typer.Option(50, help="Most ids listed per kind of change."),
) -> None:
    """Record ids added, removed and changed between two releases."""
    result = diff(_resolve(output_dir, old), _resolve(output_dir, new))
    console.print(
        f"{old} -> {new}: {len(result.added)} added, {len(result.removed)} removed, {len(result.changed)} changed"
    )
    for label, ids in (("+", result.added), ("-", result.removed), ("~", result.changed)):
        for record_id in ids[:limit]:
            console.print(f"{label} {record_id}")
        if len(ids) > limit:
            console.print(f"{label} … {len(ids) - limit} more")


@app.command()
def train(
    config: Path = typer.Argument(..., help="Training config (YAML): release, model, method, training, eval."),
    resume: Path = typer.Option(None, help="Continue a stopped run from its folder."),
    no_eval: bool = typer.Option(False, "--no-eval", help="Skip the evaluation after training."),
) -> None:
    """Fine-tune a model on a pinned release (QLoRA by default), then evaluate it."""
    from flows.train import load_train_config, train_flow

    with _reported():
        load_train_config(config)  # a config mistake is told before any flow starts
        summary = train_flow(str(config), str(resume) if resume else None, not no_eval)
    if "refused" in summary:
        console.print(f"[red]refused:[/red] {summary['refused']}", highlight=False)
        raise typer.Exit(2)
    metrics = summary["metrics"]
    console.print(f"run folder: {summary['run_dir']}")
    console.print(
        f"{metrics['method']}: {metrics['steps']} steps, {metrics['trainable_parameters']:,} trainable parameters, "
        f"train loss {metrics['train_loss']:.4f}, last validation loss {metrics['last_eval_loss']}"
    )
    if "eval" in summary:
        console.print(f"evaluation: {summary['run_dir']}/eval.md")


@app.command("eval")
def eval_command(run_dir: Path = typer.Argument(..., help="A run folder made by `sft train`.")) -> None:
    """Evaluate a training run: held-out loss, generation metrics, choices, forgetting, overfitting."""
    from flows.train import eval_flow

    if not (run_dir / "config.json").is_file():
        console.print(f"[red]error:[/red] {run_dir} is not a run folder (no config.json); make one with `sft train`")
        raise typer.Exit(2)
    with _reported():
        result = eval_flow(str(run_dir))
    held = result["held_out"]
    console.print(f"held-out loss base {held['base_loss']} -> tuned {held['tuned_loss']}")
    for key in ("forgetting", "overfitting"):
        console.print(f"{key}: {result[key]['verdict']}")
    console.print(f"report: {run_dir / 'eval.md'}")


@app.command()
def tune(config: Path = typer.Argument(..., help="Training config with a `tune:` section.")) -> None:
    """Optuna search (grid, random or TPE) over learning rate, r, alpha and epochs."""
    from flows.train import load_train_config, load_tune_config, tune_flow
    from pipeline.train.trainer import MemoryRefused

    with _reported(MemoryRefused):
        load_train_config(config)
        load_tune_config(config)
        rows = tune_flow(str(config))
    table = Table("trial", "learning_rate", "r", "alpha", "epochs", "validation loss")
    for row in rows:
        table.add_row(
            *(str(row[k]) for k in ("trial", "learning_rate", "r", "alpha", "epochs")), f"{row['validation_loss']:.4f}"
        )
    console.print(table)


@app.command("estimate-memory")
def estimate_memory(
    model: str = typer.Argument(..., help="A family (qwen2.5-7b, llama-3-8b, ...) or a folder with config.json."),
    method: str = typer.Option(
        "qlora", help="qlora, lora, adalora, ia3, prefix, prompt, ptuning, ptuning_v2, adapter, llama_adapter, full."
    ),
    batch_size: int = typer.Option(8, "--batch-size", "-b"),
    seq_len: int = typer.Option(2048, "--seq-len", "-s", help="Sequence length (the cap with --release)."),
    precision: str = typer.Option(
        "bf16", help="bf16 (pure bf16, the trainer's default on a GPU), amp (fp32 weights, bf16 autocast), fp16, fp32."
    ),
    weights: str = typer.Option("nf4-dq", help="QLoRA's base weights: nf4-dq, nf4 or int8."),
    optimizer: str = typer.Option("adamw_torch", help="adamw_torch, paged_adamw_8bit, adamw_bnb_8bit, sgd."),
    checkpointing: bool = typer.Option(True, help="Activation (gradient) checkpointing."),
    attention: str = typer.Option("sdpa", help="sdpa or flash_attention_2 (no s^2 scores kept), or eager."),
    lm_head: str = typer.Option("fused", help="fused (TRL's SFTTrainer: logits in tiles) or full (materialised)."),
    r: int = typer.Option(16, help="LoRA rank."),
    release: str = typer.Option(None, help="DATASET@VERSION: take sequence lengths from the release's train split."),
    releases_dir: Path = typer.Option(Path("data/releases"), "--releases-dir", help="Folder that holds the releases."),
    packing: bool = typer.Option(False, help="With --release: packed batches (every sequence --seq-len long)."),
    gpu: float = typer.Option(None, help="GPU memory in GiB: say whether it fits and what to change."),
) -> None:
    """Memory a fine-tune needs, by component, from exact parameter counts (meta device)."""
    from pipeline.train.memory import GIB, advice, count_parameters, estimate, load_model_config, step_lengths
    from pipeline.train.methods import wrap
    from pipeline.train.precision import resolve
    from schemas.train import TrainConfig

    with _reported():
        config = TrainConfig(release="x@v1", model=model, method=method, lora={"r": r})
        counts = count_parameters(load_model_config(model), lambda meta_model: wrap(meta_model, config))
        lengths = {"fixed": seq_len}
        if release:
            from pipeline.train.data import pin_release

            pinned = pin_release(releases_dir, release, None)
            lengths = step_lengths(pinned.token_lengths("train"), seq_len, packing)
            console.print(f"{release}: train-split tokens per step, p95 {lengths['p95']}, max {lengths['max']} "
                          f"(counted with the release's tokenizer {pinned.manifest.tokenizer})")  # fmt: skip
        plan = resolve(method, precision, "cuda")
    quantization = weights if method == "qlora" else None
    console.print(f"{model}: {counts.total:,} parameters, {counts.trainable:,} trainable ({method})")
    results = {}
    for name, length in lengths.items():
        result = estimate(counts, method, batch_size=batch_size, seq_len=length, precision=plan,
                          quantization=quantization, optimizer=optimizer, checkpointing=checkpointing,
                          attention=attention, lm_head=lm_head)  # fmt: skip
        results[name] = result
        table = Table("component", "GiB", "formula", title=f"batch {batch_size} x {length} tokens ({name})")
        for component, value in result.components.items():
            table.add_row(component, f"{value / GIB:.2f}", result.formulas[component])
        table.add_row("total", f"{result.total / GIB:.2f}", "")
        console.print(table)
    peak = results.get("max") or results["fixed"]
    console.print("assumed: " + "; ".join(f"{k} {v}" for k, v in peak.assumptions.items()))
    if gpu is not None:
        verdict = "fits" if peak.fits(gpu) else "does NOT fit"
        console.print(f"{verdict} in {gpu:g} GiB")
        for tip in advice(peak, gpu, method, checkpointing, batch_size):
            console.print(f"- {tip}")


@annotate_app.command("push")
def annotate_push(config: Path = typer.Argument(..., help="Run config with an `annotate:` section.")) -> None:
    """Send records for review; running it again sends only what the project lacks."""
    from flows.annotate import annotate_push_flow
    from pipeline.annotate.client import AnnotationServiceError

    with _reported(AnnotationServiceError):
        summary = annotate_push_flow(str(config))
    console.print(
        f"project {summary['project']}: {summary['selected']} of {summary['records']} records selected, "
        f"{summary['sent']} sent, {summary['already_present']} already there"
    )


@annotate_app.command("pull")
def annotate_pull(config: Path = typer.Argument(..., help="Run config with an `annotate:` section.")) -> None:
    """Store finished annotations; the next `sft run` applies them."""
    from flows.annotate import annotate_pull_flow
    from pipeline.annotate.client import AnnotationServiceError

    with _reported(AnnotationServiceError):
        summary = annotate_pull_flow(str(config))
    agree = summary["agreement"]
    console.print(f"{summary['tasks']} tasks, {summary['new_annotations']} new annotations stored; decisions: "
                  + ", ".join(f"{k} {v}" for k, v in sorted(summary["decisions"].items())))  # fmt: skip
    console.print(f"agreement: {agree['percent_agreement']} (Cohen's kappa {agree['cohen_kappa']}) over "
                  f"{agree['tasks_with_several_annotators']} tasks with several annotators")  # fmt: skip


LabelStudioHome = typer.Option(Path(".labelstudio"), "--home", help="Folder for the server's data, token and log.")
LabelStudioPort = typer.Option(None, "--port", help="Port on 127.0.0.1 (default 8089, or the last one used).")


@labelstudio_app.command("up")
def labelstudio_up(home: Path = LabelStudioHome, port: int = LabelStudioPort) -> None:
    """Install (first time, ~2 min), start and wait until healthy; prints the URL and the token file."""
    from flows import labelstudio

    with _reported(RuntimeError):
        srv = labelstudio.up(labelstudio.server(home, port))
    console.print(f"Label Studio is up at {srv.url}")
    console.print(f"API token in {srv.token_file} (mode 600); log in {srv.log_file}")
    console.print(f"web login: {labelstudio.ADMIN}, password in {srv.password_file} (mode 600)")


@labelstudio_app.command("down")
def labelstudio_down(home: Path = LabelStudioHome) -> None:
    """Stop the server this project started."""
    from flows import labelstudio

    stopped = labelstudio.down(labelstudio.server(home))
    console.print("stopped" if stopped else "no server was running")


@labelstudio_app.command("status")
def labelstudio_status(home: Path = LabelStudioHome) -> None:
    """Whether the server answers its health check."""
    from flows import labelstudio

    srv = labelstudio.server(home)
    if labelstudio.healthy(srv):
        console.print(f"up at {srv.url}")
    else:
        console.print(f"down ({srv.url} does not answer)")
        raise typer.Exit(1)


@app.command()
def serve(
    config: Path = typer.Argument(..., help="Run config: pull annotations and rebuild on a schedule."),
    cron: str = typer.Option("*/30 * * * *", help="Cron schedule of the pull-and-build deployment."),
) -> None:
    """Run the scheduled deployments (annotation pull, then a build) until stopped."""
    from prefect import serve as prefect_serve

    from flows.annotate import annotate_pull_flow
    from flows.build import build_dataset_flow

    pull = annotate_pull_flow.to_deployment(name="annotate-pull", cron=cron, parameters={"config_path": str(config)})
    build = build_dataset_flow.to_deployment(name="build", cron=cron, parameters={"config_path": str(config)})
    prefect_serve(pull, build)


def _resolve(output_dir: Path, ref: str) -> Path:
    with _reported():
        return resolve(output_dir, ref)


def _print_counts(manifest: Manifest) -> None:
    counts = manifest.counts
    splits = ", ".join(f"{s} {n}" for s, n in counts.by_split.items())
    made = f" + {counts.augmented} augmented" if counts.augmented else ""
    console.print(
        f"{counts.input} input records{made}: {counts.released} released ({splits}), {counts.rejected} rejected"
    )
    table = Table("stage", "in", "added", "kept", "rejected by reason", "changed")
    for stage in manifest.stages:
        reasons = ", ".join(f"{r} {n}" for r, n in sorted(stage.rejected.items())) or "-"
        changes = ", ".join(f"{a} {n}" for a, n in sorted(stage.changed.items())) or "-"
        added = str(stage.added) if stage.added else "-"
        table.add_row(stage.stage, str(stage.input), added, str(stage.kept), reasons, changes)
    console.print(table)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
