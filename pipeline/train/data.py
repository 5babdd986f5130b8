"""A pinned release as token ids and loss masks for the model being trained.

The release stores each record's rendered `text` and the character spans training should
learn (`meta.assistant_spans`). Tokenizing the text with the *model's* tokenizer and marking
the tokens inside those spans gives the assistant-only loss mask for any tokenizer, whether or
not its chat template has `{% generation %}` markers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.io import read_models
from pipeline.release import load_manifest, sha256_file
from pipeline.release.catalog import resolve
from schemas import Manifest, SftRecord


class ReleaseMismatch(ValueError):
    """The release on disk is not the one the training config pins."""


@dataclass(frozen=True)
class PinnedRelease:
    path: Path
    manifest: Manifest

    @property
    def pin(self) -> dict:
        return {"release": f"{self.manifest.dataset}@{self.manifest.version}", "fingerprint": self.manifest.fingerprint}

    def token_lengths(self, split: str = "train") -> list[int]:
        """Tokens per record as the release counted them (with the release's tokenizer)."""
        return [r.meta.tokens for r in self.records(split) if r.meta.tokens]

    def records(self, split: str) -> list[SftRecord]:
        path = self.path / f"{split}.jsonl"
        return list(read_models(path, SftRecord)) if path.exists() else []


def pin_release(releases_dir: Path, ref: str, fingerprint: str | None) -> PinnedRelease:
    """Resolve DATASET@VERSION, check the fingerprint and the sha256 of every data file."""
    try:
        folder = resolve(releases_dir, ref)
    except ValueError as err:
        raise ReleaseMismatch(str(err)) from None
    manifest = load_manifest(folder)
    if fingerprint and manifest.fingerprint != fingerprint:
        raise ReleaseMismatch(f"{ref} has fingerprint {manifest.fingerprint}, the config pins {fingerprint}")
    for entry in manifest.files:
        if entry.path.endswith(".jsonl") and sha256_file(folder / entry.path) != entry.sha256:
            raise ReleaseMismatch(f"{folder / entry.path} does not match its sha256 in the manifest: it was changed")
    return PinnedRelease(folder, manifest)


def tokenize_record(record: SftRecord, tokenizer: Any, max_length: int, assistant_only: bool) -> dict:
    """input_ids and assistant_masks (1 where the loss counts), cut to max_length."""
    encoding = tokenizer(record.text, add_special_tokens=False, return_offsets_mapping=True)
    ids = encoding["input_ids"][:max_length]
    if not assistant_only:
        return {"input_ids": ids, "assistant_masks": [1] * len(ids)}
    spans = record.meta.assistant_spans or ()
    mask = [int(any(a < end and b > start for start, end in spans)) for a, b in encoding["offset_mapping"][:max_length]]
    return {"input_ids": ids, "assistant_masks": mask}


def to_dataset(records: list[SftRecord], tokenizer: Any, max_length: int, assistant_only: bool = True) -> Any:
    """A `datasets.Dataset` of token ids and masks; records whose mask is cut away are dropped."""
    import datasets

    rows = [tokenize_record(r, tokenizer, max_length, assistant_only) for r in records if r.text]
    rows = [row for row in rows if any(row["assistant_masks"])]
    return datasets.Dataset.from_list(rows) if rows else None
