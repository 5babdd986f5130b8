"""The run configuration: one YAML file, validated here, one section per stage.

Only `dataset` and `sources` are required; every other key has a default chosen so that the
embedded demo runs without a model hub, a GPU or a Label Studio server.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from schemas.record import Strict

SourceFormat = Literal["auto", "alpaca", "sharegpt", "openai", "self_instruct", "markdown"]


class ColumnMapping(Strict):
    """Names of the columns that play the alpaca roles, for files in no known format."""

    instruction: str
    output: str
    input: str | None = None
    system: str | None = None
    history: str | None = None


class SourceConfig(Strict):
    path: str = Field(description="a file, a folder (read recursively) or a glob pattern")
    format: SourceFormat = "auto"
    columns: ColumnMapping | None = Field(
        default=None, description="explicit column mapping; overrides format detection"
    )
    encoding: str | None = Field(default=None, description="force an encoding; detected if unset")
    category: str | None = Field(default=None, description="category for every record of the source")
    category_field: str | None = Field(default=None, description="a column holding the category")
    fix_literal_newlines: bool = Field(default=False, description=r"turn literal backslash-n sequences into newlines")

    @model_validator(mode="after")
    def _columns_only_with_auto(self) -> SourceConfig:
        if self.columns is not None and self.format not in ("auto", "alpaca"):
            raise ValueError(f"columns map to alpaca fields; they cannot apply to format {self.format!r}")
        return self


class CollectConfig(Strict):
    shard_size: int = Field(default=5000, ge=1, description="records per shard file")


class NormalizeConfig(Strict):
    fix_mojibake: bool = True
    fold_fullwidth_ascii: bool = True
    unescape_html: bool = True
    to_simplified: bool = Field(default=False, description="traditional to simplified with OpenCC")
    fix_literal_newlines: bool = False
    max_chars: int = Field(default=32_000, ge=1, description="longer records are rejected")


class DedupConfig(Strict):
    exact: bool = True


class SplitConfig(Strict):
    train: float = Field(default=0.9, ge=0, le=1)
    validation: float = Field(default=0.05, ge=0, le=1)
    test: float = Field(default=0.05, ge=0, le=1)
    salt: str = Field(default="", description="changing it reshuffles every record; leave it be")

    @model_validator(mode="after")
    def _ratios_sum_to_one(self) -> SplitConfig:
        total = self.train + self.validation + self.test
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"train + validation + test must be 1, got {total:g}")
        return self


class RenderConfig(Strict):
    fallback_template: Literal["chatml"] = Field(
        default="chatml", description="used when the tokenizer has no chat template (a Base model)"
    )
    max_tokens: int | None = Field(default=None, ge=1, description="longer records are rejected")


class RunConfig(Strict):
    dataset: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")
    output_dir: str = "data/releases"
    work_dir: str = Field(default="data/work", description="scratch space for stage shards")
    sources: list[SourceConfig] = Field(min_length=1)
    tokenizer: str = Field(default="data/tokenizers/tiny-zh", description="a local tokenizer folder or a hub id")
    collect: CollectConfig = CollectConfig()
    normalize: NormalizeConfig = NormalizeConfig()
    dedup: DedupConfig = DedupConfig()
    split: SplitConfig = SplitConfig()
    render: RenderConfig = RenderConfig()

    @field_validator("sources")
    @classmethod
    def _distinct_paths(cls, sources: list[SourceConfig]) -> list[SourceConfig]:
        paths = [s.path for s in sources]
        repeated = sorted({p for p in paths if paths.count(p) > 1})
        if repeated:
            raise ValueError(f"each source path may appear once; repeated: {', '.join(repeated)}")
        return sources
