"""The `sft` command: a thin shell over the flows, the release catalog and the config loader.

Commands that only read (check, release ..., init, gc) never import Prefect, and the commands that
run a flow validate their config first: a mistake is told in a second, before Prefect (several
seconds to import) or a server starts. Output is plain text with no markup interpretation, so a
pattern such as `^[a-z0-9][a-z0-9._-]{0,63}$` prints as it is; tables are as wide as their
content when the output is not a terminal, so names are never cut.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

import flows  # (sets Prefect's offline defaults before Prefect is imported)
from pipeline.config import ConfigError, load_run_config
from pipeline.release import MANIFEST, REJECTIONS, SPLITS, ReleaseRefused, load_manifest, versions
from schemas import BuildOptions, Manifest, RunConfig, SourceConfig

_USER_LOG_LEVEL = flows.USER_LOG_LEVEL

app = typer.Typer(
    help="Build Chinese SFT datasets: raw files in, versioned chat-templated releases out.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
release_app = typer.Typer(help="Read, check and prune published releases.", no_args_is_help=True)
app.add_typer(release_app, name="release")
annotate_app = typer.Typer(help="Human review in Label Studio: push records, pull decisions.", no_args_is_help=True)
app.add_typer(annotate_app, name="annotate")
labelstudio_app = typer.Typer(
    help="A local Label Studio server (its own virtual environment, 127.0.0.1 only).", no_args_is_help=True
)
app.add_typer(labelstudio_app, name="labelstudio")
prefect_app = typer.Typer(
    help="A local Prefect server kept running: builds use it (no ephemeral API each) and show in its UI.",
    no_args_is_help=True,
)
app.add_typer(prefect_app, name="prefect")

console = Console(markup=False, highlight=False)
err_console = Console(markup=False, highlight=False, stderr=True)
# Off a terminal rich would cut tables at 80 columns; this wide they take the width of their content.
PIPE_WIDTH = 10_000
DATASET_PATTERN = re.compile(RunConfig.model_fields["dataset"].metadata[0].pattern)
VERSION_PATTERN = re.compile(r"^v[1-9][0-9]*$")


@app.callback()
def _main() -> None:
    """Build Chinese SFT datasets: raw files in, versioned chat-templated releases out."""
    for out in (console, err_console):
        if not out.is_terminal:
            out.width = PIPE_WIDTH


def _error(message: str) -> None:
    err_console.print(Text.assemble(("error: ", "bold red"), message))


@contextmanager
def _reported(*errors: type[Exception]) -> Iterator[None]:
    """Mistakes in configs and inputs (and `errors`) end a command with a message, not a traceback."""
    try:
        yield
    except (ConfigError, FileNotFoundError, ValueError, *errors) as err:
        _error(str(err))
        raise typer.Exit(2) from None


class RunnerKind(StrEnum):
    auto = "auto"
    threads = "threads"
    processes = "processes"
    dask = "dask"


class LogLevel(StrEnum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


OutputDir = typer.Option(Path("data/releases"), "--output-dir", "-o", help="Folder that holds the releases.")
ConfigOption = typer.Option(
    None, "--config", "-c", help="A run config: read its output_dir (and its dataset when no reference is given)."
)
SetOption = typer.Option(
    [], "--set", "-s", help="Change a config value for this command: key=value, repeatable (--set runner.workers=2)."
)
RunsDirs = typer.Option(
    [Path("runs")], "--runs-dir", help="Folder of training runs: releases their release.json pins are kept."
)


def _load(config: Path, overrides: list[str] | None = None) -> RunConfig:
    with _reported():
        return load_run_config(config, overrides or [])


# ---------------------------------------------------------------------------------------- build


@app.command()
def run(
    config: Path = typer.Argument(..., help="Run config (YAML): dataset, sources, stage options."),
    overrides: list[str] = SetOption,
    force: bool = typer.Option(False, "--force", help="Build even when an identical release is published."),
    workers: int = typer.Option(None, "--workers", "-w", min=1, help="Parallel workers for this build."),
    runner: RunnerKind = typer.Option(None, "--runner", help="Where shard work runs (default: the config's runner)."),
    log_level: LogLevel = typer.Option(
        None, "--log-level", help="Prefect's and the pipeline's log level (default: WARNING here, INFO with a server)."
    ),
    runs_dirs: list[Path] = RunsDirs,
) -> None:
    """Build a release from CONFIG: the main job, one Prefect flow run."""
    run_config = _load(config, overrides)
    with _reported():
        options = BuildOptions(force=force, overrides=overrides, runner=runner.value if runner else None,
                               workers=workers)  # fmt: skip
        _sources_exist(run_config)
    _set_log_level(log_level.value if log_level else None)
    from flows.serve import ServerError, ephemeral_api

    with _reported(ReleaseRefused, ServerError), ephemeral_api() as api_ready:
        from flows.build import build_dataset_flow, load_resources

        load_resources(run_config, options)  # while the API starts; a bad tokenizer is told here
        api_ready()
        with _progress():
            result = build_dataset_flow(str(config), options)
    manifest = result.manifest
    state = "new release" if result.created else "unchanged: no new version"
    console.print(Text.assemble((f"{manifest.dataset}@{manifest.version}", "bold"), f" ({state}) at {result.release}"))
    _print_counts(manifest)
    from pipeline.release.retention import retain

    pruned = retain(run_config, result.created, runs_dirs)
    if pruned and pruned.removed:
        console.print(f"release.keep {run_config.release.keep}: removed {', '.join(pruned.removed)}")


def _sources_exist(config: RunConfig) -> None:
    from pipeline import collect

    for source in config.sources:
        collect.source_files(source)  # a source that matches nothing is told before Prefect starts


def _set_log_level(level: str | None) -> None:
    """--log-level, else the user's PREFECT_LOGGING_LEVEL, else the project's default (flows/__init__)."""
    level = level or _USER_LOG_LEVEL or os.environ.get("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ["PREFECT_LOGGING_LEVEL"] = level
    if "prefect" in sys.modules:  # already configured (a test, or a second command in one process)
        logging.getLogger("prefect").setLevel(level)
    # The pipeline's loggers get Prefect's handlers (PREFECT_LOGGING_EXTRA_LOGGERS) but no level of their
    # own: without this they keep the root's WARNING and their per-stage INFO lines are dropped.
    logging.getLogger("pipeline").setLevel(level)


class _ProgressHandler(logging.Handler):
    """Draws the build's progress events (flows.build `_run`): a live line per phase on a terminal,
    one summary line per phase otherwise."""

    def __init__(self, live: bool) -> None:
        super().__init__(logging.DEBUG)
        self.live = live
        self.started: dict[str, float] = {}
        self.bars = None
        if live:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bars = Progress(
                TextColumn("{task.description:<14}"), BarColumn(), MofNCompleteColumn(), TextColumn("tasks"),
                TextColumn("{task.fields[records]:>9,} records"), TextColumn("{task.fields[rate]:>14}"),
                TimeElapsedColumn(), console=console, transient=False,
            )  # fmt: skip
            self.tasks: dict[str, int] = {}

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "progress", None)
        if not event:
            return
        phase, done, total, records = event["phase"], event["done"], event["total"], event["records"]
        started = self.started.setdefault(phase, time.perf_counter())
        seconds = time.perf_counter() - started
        rate = f"{records / seconds:,.0f} records/s" if seconds > 0.05 and records else ""
        if self.bars is not None:
            if phase not in self.tasks:
                self.tasks[phase] = self.bars.add_task(phase, total=total or 1, records=0, rate="")
            self.bars.update(self.tasks[phase], completed=done if total else 1, records=records, rate=rate)
        elif done == total:
            console.print(
                f"{phase}: {done} tasks, {records:,} records in {seconds:.1f} s" + (f" ({rate})" if rate else "")
            )


@contextmanager
def _progress() -> Iterator[None]:
    logger = logging.getLogger("flows.build.progress")
    handler = _ProgressHandler(live=console.is_terminal)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    if handler.bars is not None:
        handler.bars.start()
    try:
        yield
    finally:
        if handler.bars is not None:
            handler.bars.stop()
        logger.removeHandler(handler)


@app.command()
def check(
    config: Path = typer.Argument(..., help="Run config (YAML) to check."),
    overrides: list[str] = SetOption,
) -> None:
    """Validate CONFIG and its sources and show what a build would read, without building (no Prefect)."""
    started = time.perf_counter()
    run_config = _load(config, overrides)
    with _reported():
        sources = _describe_sources(run_config)
    console.print(Text.assemble(("ok: ", "bold green"), f"{config} is a valid run config of {run_config.dataset}"))
    known = versions(Path(run_config.output_dir), run_config.dataset)
    console.print(f"releases: {run_config.output_dir}/{run_config.dataset} ({', '.join(known) or 'none yet'})")
    console.print(
        f"work folder: {run_config.work_dir}/{run_config.dataset} (work of {run_config.work.keep} builds kept)"
    )
    tokenizer = Path(run_config.tokenizer)
    where = "a local folder" if tokenizer.is_dir() else "not a local folder: a hub id, loaded at build time"
    console.print(f"tokenizer: {run_config.tokenizer} ({where})")
    if run_config.annotate.enabled:
        console.print(f"annotation: on, Label Studio at {run_config.annotate.url}, store {run_config.annotate.store}")
    table = Table("file", "of source", "kind", "encoding", "size", "formats seen", "note")
    files = size = problems = 0
    for source, entries in sources:
        for entry in entries:
            files += 1
            size += entry.bytes
            problems += bool(entry.problem)
            within = source.path if source.path != entry.path else ""  # a folder's or a glob's file
            table.add_row(entry.path, within, entry.kind, entry.encoding, _size(entry.bytes), entry.formats,
                          entry.problem or "")  # fmt: skip
    console.print(table)
    console.print(f"{files} files, {_size(size)} in all; {problems} that a build will reject whole"
                  f" (checked in {time.perf_counter() - started:.2f} s)")  # fmt: skip


@dataclass(frozen=True)
class _FileView:
    path: str
    kind: str
    encoding: str
    bytes: int
    formats: str
    problem: str | None


SAMPLE_ROWS = 20


def _describe_sources(config: RunConfig) -> list[tuple[SourceConfig, list[_FileView]]]:
    """Every file a build would read, with its reader, encoding, size and the formats of its first rows.

    Reads a sample of each file only (no model, no Prefect): a wrong path, a file of an unknown type,
    an encoding that does not decode or rows in no known format show here, before a build.
    """
    from pipeline import collect

    described = []
    for source in config.sources:
        entries = collect.source_files(source)  # a source that matches nothing raises, with its path
        described.append((source, [_describe_file(entry, source, config) for entry in entries]))
    return described


def _describe_file(entry, source: SourceConfig, config: RunConfig) -> _FileView:
    from pipeline.collect.readers import FileProblem, file_encoding, file_kind

    path = entry.path
    size = path.stat().st_size if entry.safe_to_open else 0
    kind = file_kind(path) or "-"
    if source.format == "markdown" and kind not in ("markdown", "text", "html"):
        kind = "markdown"
    if entry.problem:
        return _FileView(path.as_posix(), kind, "-", size, "-", f"{entry.problem}: {entry.detail}")
    try:
        encoding = "binary" if kind == "parquet" else file_encoding(path, source.encoding)
        formats = _formats(path, kind, encoding, source, config)
    except FileProblem as problem:
        return _FileView(path.as_posix(), kind, "-", size, "-", f"{problem.reason}: {problem.detail}")
    return _FileView(path.as_posix(), kind, encoding, size, formats, None)


def _formats(path: Path, kind: str, encoding: str, source: SourceConfig, config: RunConfig) -> str:
    from collections import Counter
    from itertools import islice

    from pipeline.collect.formats import detect_format
    from pipeline.collect.readers import read_rows

    if source.columns is not None:
        return "alpaca (columns mapped)"
    if source.format != "auto":
        return f"{source.format} (forced)"
    if kind in ("markdown", "text", "html"):
        return "notes: Q&A pairs from headings"
    _, rows = read_rows(path, kind, source.encoding, config.collect.max_line_bytes)
    seen: Counter[str] = Counter()
    for row in islice(rows, SAMPLE_ROWS):
        seen[row.reason or (detect_format(row.data) if isinstance(row.data, dict) else None) or "no known format"] += 1
    getattr(rows, "close", lambda: None)()
    found = ", ".join(f"{name} {n}" for name, n in seen.most_common())
    return f"{found} (first {sum(seen.values())} rows)" if seen else "no rows"


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return str(n)


STARTER = """\
# A run config for `sft run` (written by `sft init`). Only `dataset` and `sources` are required;
# every section below shows a default you may change. Check it with `sft check {path}`.
dataset: {dataset}                     # the release name: ^[a-z0-9][a-z0-9._-]{{0,63}}$
output_dir: data/releases              # releases go to <output_dir>/<dataset>/v1, v2, ...
work_dir: data/work                    # cached stage outputs that later builds reuse
tokenizer: {tokenizer}  # a local tokenizer folder or a hub id; its chat template renders `text`

sources:                               # files, folders (read recursively) or glob patterns
{sources}
  # - path: data/raw/faq.csv
  #   columns: {{instruction: 问题, output: 回答}}   # any column names, mapped to alpaca fields
  #   encoding: gb18030                # detected when absent
  # - path: data/raw/notes/            # Markdown / plain-text Q&A notes
  #   format: markdown

split: {{train: 0.9, validation: 0.05, test: 0.05}}   # by a hash of each record's group: stable
dedup: {{exact: true, near: {{enabled: true}}}}
normalize: {{to_simplified: false}}      # traditional -> simplified with OpenCC
clean:                                 # every filter: {{enabled: true, ...its thresholds}}
  pii: {{enabled: true}}                 # ID cards, phones, bank cards, e-mail, IP addresses masked
augment: {{enabled: false}}              # train split only, user turns only
render: {{fallback_template: chatml}}    # for a tokenizer without a chat template (a Base model)
release:
  exports: []                          # alpaca, sharegpt, text, parquet beside the messages JSONL
  keep: null                           # releases kept per dataset (null: all); pinned ones always stay
work: {{keep: 3}}                        # builds whose cached work is kept
runner: {{kind: auto}}                   # threads, processes (every core) or dask (with address:)
# annotate: {{enabled: true, url: "http://127.0.0.1:8089"}}   # review in Label Studio first
"""


@app.command()
def init(
    path: Path = typer.Argument(Path("sft.yaml"), help="Where to write the config."),
    dataset: str = typer.Option(None, "--dataset", "-d", help="The release name (default: from the file name)."),
    sources: list[str] = typer.Option([], "--source", help="A file, folder or glob to read; repeatable."),
    tokenizer: str = typer.Option("data/tokenizers/tiny-zh", help="A local tokenizer folder or a hub id."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write a commented starter run config."""
    name = dataset or re.sub(r"[^a-z0-9._-]", "-", path.stem.lower()).strip("-._") or "my-dataset"
    if not DATASET_PATTERN.match(name):
        _error(f"{name!r} is not a dataset name: lower-case letters, digits, '.', '_' and '-', up to 64")
        raise typer.Exit(2)
    if path.exists() and not force:
        _error(f"{path} exists; pass --force to overwrite it")
        raise typer.Exit(2)
    listed = "\n".join(f"  - path: {json.dumps(s, ensure_ascii=False)}" for s in sources or ["data/raw/*.jsonl"])
    text = STARTER.format(path=path, dataset=name, tokenizer=json.dumps(tokenizer), sources=listed)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    _load(path)  # the starter must itself be a valid config
    console.print(f"wrote {path}: edit its sources, then `sft check {path}` and `sft run {path}`")


@app.command()
def gc(
    config: Path = typer.Argument(..., help="Run config whose work folder to clean."),
    keep: int = typer.Option(None, "--keep", min=0, help="Builds whose cached work stays (default: work.keep)."),
    overrides: list[str] = SetOption,
) -> None:
    """Remove cached stage outputs of the work folder that no recent build used."""
    from pipeline.work import Cache

    run_config = _load(config, overrides)
    keep = run_config.work.keep if keep is None else keep
    cache = Cache.for_dataset(run_config.work_dir, run_config.dataset)
    if not cache.root.is_dir():
        console.print(f"no work folder at {cache.root}: nothing to remove")
        return
    removed, freed = cache.collect_garbage(keep)
    console.print(
        f"{cache.root}: removed {removed} cache entries ({_size(freed)}); kept the newest {keep} builds' work"
    )


# ---------------------------------------------------------------------------------------- releases


def _release_folder(ref: str | None, output_dir: Path, config: Path | None) -> Path:
    """The folder of a reference: DATASET, DATASET@VERSION, a release folder or a dataset folder.

    A reference's dataset must be a dataset name and its version `v<N>`: `../other@v1` is refused
    rather than resolved outside the releases folder.
    """
    if config is not None:
        run_config = _load(config)
        output_dir = Path(run_config.output_dir)
        ref = ref or run_config.dataset
    if not ref:
        _error("give a release (DATASET, DATASET@VERSION or a release folder) or --config")
        raise typer.Exit(2)
    if "@" not in ref and ("/" in ref or os.sep in ref or ref.startswith(".")):
        folder = Path(ref)
        if (folder / MANIFEST).is_file():
            return folder
        if folder.is_dir() and versions(folder.parent, folder.name):
            return folder / versions(folder.parent, folder.name)[-1]
        _error(f"{ref} is not a release folder (no {MANIFEST}) nor a dataset folder (no v1, v2, ...)")
        raise typer.Exit(2)
    dataset, _, version = ref.partition("@")
    if not DATASET_PATTERN.match(dataset) or (version and not VERSION_PATTERN.match(version)):
        _error(f"{ref!r} is not a release reference: DATASET or DATASET@v<N>, the dataset a name like "
               f"demo (lower-case letters, digits, '.', '_', '-'), or a path to a release folder")  # fmt: skip
        raise typer.Exit(2)
    from pipeline.release.catalog import resolve

    with _reported():
        return resolve(output_dir, ref)


@release_app.command("list")
def release_list(
    where: str = typer.Argument(None, help="A dataset, or a folder: of releases, of one dataset, or one release."),
    output_dir: Path = OutputDir,
    config: Path = ConfigOption,
) -> None:
    """Releases with their counts, oldest first."""
    if config is not None:
        run_config = _load(config)
        output_dir, where = Path(run_config.output_dir), where or run_config.dataset
    folders = _listed(where, output_dir)
    table = Table("release", "created", "released", "rejected", "train/validation/test", "fingerprint", "folder")
    for folder in folders:
        m = load_manifest(folder)
        splits = "/".join(str(m.counts.by_split.get(s, 0)) for s in SPLITS)
        table.add_row(f"{m.dataset}@{m.version}", m.created_at, str(m.counts.released), str(m.counts.rejected),
                      splits, m.fingerprint[:12], str(folder))  # fmt: skip
    if not table.row_count:
        console.print(f"no releases under {where or output_dir}")
        return
    console.print(table)


def _listed(where: str | None, output_dir: Path) -> list[Path]:
    if where is None:
        root = output_dir
    elif "/" in where or os.sep in where or where.startswith(".") or not DATASET_PATTERN.match(where):
        root = Path(where)
        if (root / MANIFEST).is_file():
            return [root]
        if versions(root.parent, root.name):
            return [root / v for v in versions(root.parent, root.name)]
        if not root.is_dir():
            _error(f"{where!r} is neither a dataset name nor a folder")
            raise typer.Exit(2)
    else:
        return [output_dir / where / v for v in versions(output_dir, where)]
    names = sorted(p.name for p in root.glob("*") if p.is_dir() and DATASET_PATTERN.match(p.name))
    return [root / name / v for name in names for v in versions(root, name)]


ReleaseRef = typer.Argument(None, help="DATASET, DATASET@VERSION (latest when no version) or a release folder.")


@release_app.command("show")
def release_show(
    ref: str = ReleaseRef,
    record: str = typer.Option(None, "--record", "-r", help="Show one record's lineage (an id or a unique prefix)."),
    output_dir: Path = OutputDir,
    config: Path = ConfigOption,
) -> None:
    """A release's manifest, readable: counts by split, stage and reason, tokens, template, checks."""
    folder = _release_folder(ref, output_dir, config)
    if record:
        _show_record(folder, record)
        return
    manifest = load_manifest(folder)
    console.print(Text.assemble((f"{manifest.dataset}@{manifest.version}", "bold"), f" at {folder}"))
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
    from pipeline.release.catalog import find_record, lineage_lines

    with _reported():
        record, rejections = find_record(folder, record_id)
    if record is None and not rejections:
        _error(f"no record {record_id!r} in {folder}")
        raise typer.Exit(2)
    if record is not None:
        for line in lineage_lines(folder, record):
            console.print(line)
    for rejection in rejections:
        console.print(f"rejected by {rejection.stage} as {rejection.reason}: {rejection}")


class Split(StrEnum):
    train = "train"
    validation = "validation"
    test = "test"
    rejections = "rejections"


@release_app.command("head")
def release_head(
    ref: str = ReleaseRef,
    split: Split = typer.Option(Split.train, "--split", help="train, validation, test, or rejections."),
    n: int = typer.Option(5, "-n", "--number", min=1, help="Records to print."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSONL lines as they are in the release."),
    output_dir: Path = OutputDir,
    config: Path = ConfigOption,
) -> None:
    """The first records of a split (or of the rejection ledger), readable or as JSONL."""
    folder = _release_folder(ref, output_dir, config)
    path = folder / (REJECTIONS if split is Split.rejections else f"{split.value}.jsonl")
    if not path.is_file():
        present = [s for s in SPLITS if (folder / f"{s}.jsonl").is_file()]
        _error(f"{folder} has no {split.value} split; it has {', '.join(present) or 'no splits'}")
        raise typer.Exit(2)
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if number > n:
                break
            if as_json:
                console.print(line.rstrip("\n"), soft_wrap=True)
            else:
                _print_row(json.loads(line), number, split is Split.rejections)


def _print_row(row: dict, number: int, rejection: bool) -> None:
    if rejection:
        source = row.get("source") or {}
        where = f"{source.get('file')}:{source.get('line')}" if source.get("line") else source.get("file")
        console.print(
            Text.assemble((f"#{number} ", "bold"), f"{row['record_id']}  {row['stage']}.{row['reason']}  {where}")
        )
        console.print(f"  {row.get('detail', '')}")
        return
    meta = row.get("meta", {})
    source = meta.get("source", {})
    where = f"{source.get('file')}:{source.get('line')}" if source.get("line") else source.get("file")
    extra = "".join(f"  {k} {meta[k]}" for k in ("category", "tokens") if meta.get(k) is not None)
    console.print(Text.assemble((f"#{number} ", "bold"), f"{row['id']}  {where}{extra}"))
    for message in row.get("messages", []):
        content = str(message.get("content", "")).replace("\n", "\n    ")
        console.print(Text.assemble((f"  {message['role']}: ", "cyan"), content))


@release_app.command("verify")
def release_verify(
    ref: str = ReleaseRef,
    every: bool = typer.Option(False, "--all", help="Verify every version of the dataset, not one."),
    output_dir: Path = OutputDir,
    config: Path = ConfigOption,
) -> None:
    """Check every file of a release against its manifest's sha256; exit 1 with the problems if any changed."""
    from pipeline.release import ReleaseTampered, verify_release

    folder = _release_folder(ref, output_dir, config)
    folders = [folder.parent / v for v in versions(folder.parent.parent, folder.parent.name)] if every else [folder]
    bad = 0
    for release in folders:
        manifest = load_manifest(release)
        try:
            verify_release(release)
        except ReleaseTampered as err:
            bad += 1
            err_console.print(Text.assemble(("tampered: ", "bold red"), str(err)))
            continue
        console.print(Text.assemble(("ok: ", "bold green"), f"{manifest.dataset}@{manifest.version} at {release}: "
                                    f"{len(manifest.files)} files match the manifest"))  # fmt: skip
    if bad:
        raise typer.Exit(1)


@release_app.command("prune")
def release_prune(
    dataset: str = typer.Argument(None, help="The dataset whose old releases to remove (default: the config's)."),
    keep: int = typer.Option(None, "--keep", "-k", min=1, help="Newest releases to keep (default: release.keep)."),
    runs_dirs: list[Path] = RunsDirs,
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what would be removed; remove nothing."),
    output_dir: Path = OutputDir,
    config: Path = ConfigOption,
) -> None:
    """Remove all but the newest releases of DATASET, never one that a training run pins."""
    from pipeline.release.retention import prune

    if config is not None:
        run_config = _load(config)
        output_dir, dataset = Path(run_config.output_dir), dataset or run_config.dataset
        keep = keep or run_config.release.keep
    if not dataset or not DATASET_PATTERN.match(dataset):
        _error(f"{dataset!r} is not a dataset name" if dataset else "give a DATASET or --config")
        raise typer.Exit(2)
    if keep is None:
        _error("give --keep N (or a --config whose release.keep is set)")
        raise typer.Exit(2)
    if not versions(output_dir, dataset):
        _error(f"no releases of {dataset!r} under {output_dir}")
        raise typer.Exit(2)
    with _reported():
        result = prune(output_dir, dataset, keep, runs_dirs, dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    console.print(f"{dataset}: {verb} {', '.join(result.removed) or 'nothing'}; kept {', '.join(result.kept)}")
    for version, runs in result.pinned.items():
        console.print(f"  {dataset}@{version} kept: pinned by {', '.join(runs)}")


@release_app.command("diff")
def release_diff(
    old: str = typer.Argument(..., help="DATASET@VERSION (or a release folder) to compare from."),
    new: str = typer.Argument(..., help="DATASET@VERSION (or a release folder) to compare to."),
    output_dir: Path = OutputDir,
    config: Path = ConfigOption,
    limit: int = typer.Option(50, help="Most ids listed per kind of change."),
) -> None:
    """Record ids added, removed and changed between two releases."""
    from pipeline.release.catalog import diff

    result = diff(_release_folder(old, output_dir, config), _release_folder(new, output_dir, config))
    console.print(
        f"{old} -> {new}: {len(result.added)} added, {len(result.removed)} removed, {len(result.changed)} changed"
    )
    for label, ids in (("+", result.added), ("-", result.removed), ("~", result.changed)):
        for record_id in ids[:limit]:
            console.print(f"{label} {record_id}")
        if len(ids) > limit:
            console.print(f"{label} … {len(ids) - limit} more")


# ---------------------------------------------------------------------------------------- training


@app.command()
def train(
    config: Path = typer.Argument(..., help="Training config (YAML): release, model, method, training, eval."),
    resume: Path = typer.Option(None, help="Continue a stopped run from its folder."),
    no_eval: bool = typer.Option(False, "--no-eval", help="Skip the evaluation after training."),
) -> None:
    """Fine-tune a model on a pinned release (QLoRA by default), then evaluate it."""
    from flows.train_config import load_train_config

    with _reported():
        load_train_config(config)  # a config mistake is told before Prefect is even imported
        from flows.train import train_flow

        summary = train_flow(str(config), str(resume) if resume else None, not no_eval)
    if "refused" in summary:
        err_console.print(Text.assemble(("refused: ", "bold red"), summary["refused"]))
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
    if not (run_dir / "config.json").is_file():
        _error(f"{run_dir} is not a run folder (no config.json); make one with `sft train`")
        raise typer.Exit(2)
    from flows.train import eval_flow

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
    from flows.train_config import load_train_config, load_tune_config

    with _reported():
        load_train_config(config)  # told before Prefect and torch are imported
        load_tune_config(config)
    from flows.train import tune_flow
    from pipeline.train.trainer import MemoryRefused

    with _reported(MemoryRefused):
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


# ---------------------------------------------------------------------------------------- annotation


@annotate_app.command("push")
def annotate_push(config: Path = typer.Argument(..., help="Run config with an `annotate:` section.")) -> None:
    """Send records for review; running it again sends only what the project lacks."""
    _load(config)
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
    _load(config)
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


PrefectPort = typer.Option(None, "--port", help="Port on 127.0.0.1 (default PREFECT_SERVER_API_PORT, else 4200).")


@prefect_app.command("up")
def prefect_up(port: int = PrefectPort) -> None:
    """Start a Prefect server on 127.0.0.1 that stays up; `sft` commands on this PREFECT_HOME use it."""
    from flows.serve import ServerError, keep_server

    with _reported(ServerError):
        server = keep_server(port)
    console.print(f"Prefect server up at {server.ui_url} (log {server.log}); builds on this PREFECT_HOME use it")


@prefect_app.command("down")
def prefect_down() -> None:
    """Stop the server `sft prefect up` started on this PREFECT_HOME."""
    from flows.serve import stop_kept_server

    console.print("stopped" if stop_kept_server() else "no kept server was running")


@prefect_app.command("status")
def prefect_status() -> None:
    """Which API a build on this PREFECT_HOME uses."""
    from flows.serve import kept_server

    server, api = kept_server(), os.environ.get("PREFECT_API_URL")
    if server is not None and api == server.api_url:
        console.print(f"up at {server.ui_url}: builds use it")
    elif api:
        console.print(
            f"builds use PREFECT_API_URL={api}" + (f" (a kept server is up at {server.ui_url})" if server else "")
        )
    else:
        console.print("no kept server: each build starts an ephemeral Prefect API")
        raise typer.Exit(1)


# ---------------------------------------------------------------------------------------- schedules

Cron = typer.Option("0 2 * * *", "--cron", help="Cron schedule of the nightly deployment (default 02:00).")
Timezone = typer.Option("Asia/Shanghai", "--timezone", "--tz", help="Timezone of the cron schedule (IANA name).")


@app.command()
def serve(
    config: Path = typer.Argument(..., help="Run config to build on a schedule (annotations pulled first if on)."),
    cron: str = Cron,
    timezone: str = Timezone,
    port: int = typer.Option(
        None, "--port", help="Port of the Prefect server started on 127.0.0.1 when PREFECT_API_URL is unset (4200)."
    ),
    overrides: list[str] = SetOption,
    log_level: LogLevel = typer.Option(None, "--log-level", help="Log level of the served runs (default INFO)."),
) -> None:
    """Run the nightly deployment of CONFIG on its schedule, in this process, until stopped (Ctrl-C).

    Against PREFECT_API_URL when it is set; otherwise a Prefect server is started on 127.0.0.1 for as
    long as this command runs (its UI at the same address), because the ephemeral API has no scheduler.
    """
    run_config = _load(config, overrides)
    from flows.serve import HOST, ServerError, server_port

    given = os.environ.get("PREFECT_API_URL")
    port = port or server_port()
    if not given:
        os.environ["PREFECT_API_URL"] = f"http://{HOST}:{port}/api"  # before Prefect is imported
    _set_log_level(log_level or _USER_LOG_LEVEL or "INFO")  # a served run's logs are for the UI
    from flows.serve import deployments, local_server

    with _reported(ServerError):
        planned = deployments(config, cron, timezone, overrides)
        with nullcontext() if given else local_server(port) as server:
            where = f"Prefect server at {server.ui_url} (log {server.log})" if server else f"the API at {given}"
            what = "pull annotations, then build" if run_config.annotate.enabled else "build"
            console.print(f"serving nightly/{run_config.dataset} ({what}) on '{cron}' ({timezone}) with {where}")
            from prefect import serve as prefect_serve

            prefect_serve(*planned)


@app.command()
def deploy(
    config: Path = typer.Argument(..., help="Run config to build on a schedule (annotations pulled first if on)."),
    pool: str = typer.Option("sft", "--pool", help="The process work pool (created if missing)."),
    cron: str = Cron,
    timezone: str = Timezone,
    overrides: list[str] = SetOption,
) -> None:
    """Register the nightly deployment of CONFIG on a Prefect server's work pool, for a worker to run.

    Needs PREFECT_API_URL. Runs start in the current folder (relative paths in CONFIG hold);
    start a worker with `prefect worker start --pool POOL`.
    """
    run_config = _load(config, overrides)
    if not os.environ.get("PREFECT_API_URL"):
        _error("sft deploy registers on a Prefect server: set PREFECT_API_URL (http://127.0.0.1:4200/api "
               "after `prefect server start`), or use `sft serve` to run the schedule in one process")  # fmt: skip
        raise typer.Exit(2)
    _set_log_level(_USER_LOG_LEVEL or "INFO")
    from flows.deploy import deploy as register

    with _reported():
        deployment_id = register(config, pool, cron, timezone, overrides)
    console.print(f"deployed nightly/{run_config.dataset} ({deployment_id}) on pool {pool!r}, '{cron}' ({timezone})")
    console.print(f"start a worker: prefect worker start --pool {pool}")


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
