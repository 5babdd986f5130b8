"""The run configuration: one YAML file, validated here, one section per stage.

Only `dataset` and `sources` are required; every other key has a default chosen so that the
embedded demo runs without a model hub, a GPU or a Label Studio server.
"""

from __future__ import annotations

import codecs
import string
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from schemas.record import Strict

SourceFormat = Literal["auto", "alpaca", "sharegpt", "openai", "self_instruct", "markdown"]


class MarkdownConfig(Strict):
    """How notes (Markdown, plain-text Q&A, HTML) become pairs; see pipeline/collect/markdown.

    Set it once at the top of the run config (`markdown:`) or per source (`sources[].markdown`,
    whose keys override the top-level ones for that source only).
    """

    prompt_style: Literal["question", "keep"] = Field(
        default="question",
        description="question: topic headings become questions by the templates below; keep: headings as written",
    )
    topic_prompt: str = Field(default="请介绍{title}。", description="a topic heading with no parent; {title}")
    context_prompt: str = Field(
        default="请介绍{parent}中的{title}。", description="a topic heading under a parent heading; {parent}, {title}"
    )
    context_question: str = Field(
        default="{parent}：{title}", description="a question asked twice in a note, with its parent; {parent}, {title}"
    )
    images: Literal["drop", "alt_text", "keep"] = Field(
        default="drop", description="drop images, put their alt text, or keep them with the path resolved"
    )
    drop_link_lists: bool = Field(
        default=True, description="drop lists and paragraphs of links only (reference lists, '具体可参考：<url>')"
    )
    prose_fences: list[str] = Field(
        default_factory=lambda: ["text", "txt", "plain", "plaintext", "markdown", "md"],
        description="fenced blocks with these info strings are prose: the answer holds their text",
    )

    @field_validator("topic_prompt", "context_prompt", "context_question")
    @classmethod
    def _known_fields(cls, template: str, info: ValidationInfo) -> str:
        allowed = {"title"} if info.field_name == "topic_prompt" else {"title", "parent"}
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
        except ValueError as err:
            raise ValueError(f"not a format template: {err}") from None
        if "title" not in names or not names <= allowed:
            raise ValueError(f"the template must use {{title}} and only {', '.join(sorted(allowed))}")
        return template


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
    markdown: MarkdownConfig | None = Field(
        default=None, description="note settings for this source; its keys override the run's `markdown:`"
    )
    follow_links: bool = Field(
        default=False, description="follow symbolic links that lead out of the source folder (off: they are rejected)"
    )

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, encoding: str | None) -> str | None:
        if encoding is not None:
            try:
                codecs.lookup(encoding)
            except LookupError:
                raise ValueError(
                    f"unknown encoding {encoding!r} (Python codec names: utf-8, gb18030, big5...)"
                ) from None
        return encoding

    @model_validator(mode="after")
    def _columns_only_with_auto(self) -> SourceConfig:
        if self.columns is not None and self.format not in ("auto", "alpaca"):
            raise ValueError(f"columns map to alpaca fields; they cannot apply to format {self.format!r}")
        return self


class CollectConfig(Strict):
    shard_size: int = Field(default=5000, ge=1, description="records per shard file")
    max_line_bytes: int = Field(
        default=16 << 20,
        ge=1024,
        description="longest line (JSONL), record (CSV) or value (JSON); longer ones are rejected (line_too_long)",
    )
    shard_bytes: int = Field(
        default=2 << 20,
        ge=1 << 16,
        description="a plain JSONL file larger than this is read in ranges of about this size, in parallel",
    )


class NormalizeConfig(Strict):
    fix_mojibake: bool = True
    fold_fullwidth_ascii: bool = True
    unescape_html: bool = True
    to_simplified: bool = Field(default=False, description="traditional to simplified with OpenCC")
    fold_cjk_variants: bool = Field(default=True, description="Kangxi radicals, compatibility ideographs to 里, 大")
    strip_turns: bool = Field(default=True, description="strip leading and trailing whitespace of every turn")
    trim_exchanges: bool = Field(
        default=True, description="cut unanswered or empty exchanges of a chat instead of rejecting it whole"
    )
    fix_literal_newlines: bool = False
    max_chars: int = Field(default=32_000, ge=1, description="longer records are rejected")


class NearDupConfig(Strict):
    """MinHash-LSH over character n-grams; defaults tuned on labelled real pairs (bench/quality/neardup)."""

    enabled: bool = True
    ngram: int = Field(default=2, ge=1, le=8, description="characters per shingle")
    short_chars: int = Field(default=50, ge=0, description="shorter texts are compared by single characters")
    threshold: float = Field(default=0.7, gt=0, le=1, description="Jaccard similarity of the prompts that makes a pair")
    answer_threshold: float = Field(default=0.6, gt=0, le=1, description="... and of the answers")
    num_perm: int = Field(default=128, ge=16, le=1024)
    keep: Literal["representative", "all"] = Field(
        default="representative",
        description="keep one record per cluster (others rejected as near_duplicate) or keep all, together",
    )
    seed: int = 1


class DedupConfig(Strict):
    exact: bool = True
    near: NearDupConfig = NearDupConfig()


class SegmentConfig(Strict):
    backend: Literal["jieba", "rjieba", "thulac", "pkuseg"] = "jieba"
    hmm: bool = Field(default=True, description="HMM discovery of unknown words (jieba's default)")
    user_dicts: list[str] = Field(default_factory=list, description="jieba user dictionary files")
    pos: bool = Field(default=False, description="part-of-speech tags")
    stop_words: str | None = Field(default=None, description="a stop-word file (one a line); bundled list if unset")
    pinyin: bool = False
    keep_in_release: bool = Field(default=False, description="write segments into the released records")


class Filter(Strict):
    enabled: bool = True


class CharLengthParams(Filter):
    min: int = Field(default=2, ge=0)
    max: int = Field(default=16_000, ge=1)


class WordLengthParams(Filter):
    min: int = Field(default=1, ge=0)
    max: int = Field(default=8_000, ge=1)


class RepetitionParams(Filter):
    ngram: int = Field(default=10, ge=2, description="characters per n-gram")
    max_ngram_share: float | None = Field(
        default=None, gt=0, le=1, description="share of tokens in repeated n-grams refused (None: not judged)"
    )
    max_line_share: float | None = Field(
        default=None, gt=0, le=1, description="share of repeated lines refused (None: not judged)"
    )
    min_chars: int = Field(default=100, ge=0, description="shorter texts are not judged")


class SymbolRatioParams(Filter):
    enabled: bool = False
    max_ratio: float = Field(default=0.4, gt=0, le=1)
    min_chars: int = 20


class ChineseRatioParams(Filter):
    enabled: bool = False
    min_ratio: float = Field(default=0.1, ge=0, le=1, description="Han characters among letters")


class StopwordRatioParams(Filter):
    enabled: bool = False
    min_ratio: float = Field(default=0.02, ge=0, le=1)
    min_words: int = Field(default=30, ge=1, description="shorter responses are not judged")


class LanguageParams(Filter):
    allowed: list[Literal["zh", "en", "ko", "ja", "mixed", "none"]] = Field(
        default_factory=lambda: ["zh", "en", "ko", "ja", "mixed", "none"],
        description="languages the dialogue as a whole may be in",
    )
    match_question: bool = Field(default=True, description="each answer in a language its question gives a reason for")


class PlaceholderParams(Filter):
    min_x_runs: int = Field(default=2, ge=1, description="'XXX' slots outside a draft that make a rejection")


class ContextFreeParams(Filter):
    max_chars: int = Field(default=4, ge=1, description="an instruction this short and in the list is refused")
    phrases: list[str] = Field(
        default_factory=lambda: ["好的", "好", "谢谢", "多谢", "嗯", "嗯嗯", "哦", "是的", "对", "继续", "ok", "okay",
                                 "thanks", "yes", "no", "在吗", "收到", "明白", "行", "保重", "再见",
                                 "拜拜", "晚安", "好吧", "知道了", "了解", "这是什么", "这是啥"]
    )  # fmt: skip


class PatternParams(Filter):
    extra_patterns: list[str] = Field(default_factory=list, description="more regular expressions")


class IdentityParams(PatternParams):
    allowed_sources: list[str] = Field(
        default_factory=list, description="globs on the source file whose assistant identity is wanted (your own)"
    )


# A tool-using assistant that declines what its tools do not cover behaves correctly; the decline
# names the limits of its functions (glaive_toolcall_zh_demo: "我目前的能力仅限于计算指定形状的面积").
TOOL_SCOPE_PATTERNS = [
    r"(?:功能|能力)(?:目前)?(?:仅限于|只限于|仅仅是|仅包括|只包括|范围)",
    r"(?:超出|超过|不在)(?:了)?(?:我的)?(?:功能|能力|服务)范围",
    r"我(?:目前)?(?:只能|仅能)(?:帮|为|提供|协助|处理|查询|计算|搜索|获取)",
    r"我(?:目前)?能够提供的是",
    r"(?:提供的|可用的|现有的)(?:工具|函数|功能)",
    r"my (?:current )?(?:capabilities|functions|abilities) (?:are|is) limited to",
    r"outside (?:the scope of )?my (?:current )?(?:capabilities|functions)",
]


# An answer that cannot be given because the user left out what it is about (the poem, the sign,
# the article) rightly asks for it; the gold set's labellers keep those ("因为您并未提供诗歌的具体内容").
# A closing "如果您有其他问题，请告诉我。" asks for nothing: "告诉我" counts only with what to tell.
MISSING_INPUT_PATTERNS = [
    r"(?:您|你)(?:并|还)?(?:没有|未|没)(?:有)?(?:提供|给出|给我|告诉我|说明|指明|附上|输入|上传)",
    r"(?:请|能否|可否|如果您能|如果你能|如果您可以|如果你可以)(?:您|你)?(?:再)?"
    r"(?:提供|给出|告诉我(?=[^。！？!?\n]{2})|说明|附上|上传)",
]


class DeclineAllowance(Strict):
    """A decline that is legitimate: in records of these sources, when the response also matches."""

    sources: list[str] = Field(default_factory=lambda: ["*"], description="globs on the source file")
    with_tools: bool = Field(default=False, description="only in records that offer tools")
    patterns: list[str] = Field(min_length=1, description="the decline is allowed when one of these matches")


class RefusalParams(PatternParams):
    allowed: list[DeclineAllowance] = Field(
        default_factory=lambda: [
            DeclineAllowance(with_tools=True, patterns=TOOL_SCOPE_PATTERNS),
            DeclineAllowance(patterns=MISSING_INPUT_PATTERNS),
        ],
        description="legitimate declines (default: tool-scope declines in records that offer tools, and "
        "answers that ask for the input the user left out)",
    )


class ToxicParams(Filter):
    extra_terms: list[str] = Field(default_factory=list, description="more abusive words (plain text)")
    allowed_sources: list[str] = Field(default_factory=list, description="globs on the source file not judged")


class ResponseParams(Filter):
    min_chars: int = Field(default=1, ge=1, description="letters, digits or Han characters in the answer")


class PiiConfig(Strict):
    enabled: bool = True
    kinds: list[Literal["id_card", "mobile", "landline", "bank_card", "email", "ip"]] = Field(
        default_factory=lambda: ["id_card", "mobile", "landline", "bank_card", "email", "ip"]
    )


class CleanConfig(Strict):
    """Quality filters (each can be retuned or turned off) and PII masking."""

    chars: CharLengthParams = CharLengthParams()
    words: WordLengthParams = WordLengthParams()
    repetition: RepetitionParams = RepetitionParams()
    symbols: SymbolRatioParams = SymbolRatioParams()
    chinese: ChineseRatioParams = ChineseRatioParams()
    stop_words: StopwordRatioParams = StopwordRatioParams()
    language: LanguageParams = LanguageParams()
    placeholders: PlaceholderParams = PlaceholderParams()
    context_free: ContextFreeParams = ContextFreeParams()
    refusal: RefusalParams = RefusalParams()
    identity: IdentityParams = IdentityParams()
    toxic: ToxicParams = ToxicParams()
    response: ResponseParams = ResponseParams()
    pii: PiiConfig = PiiConfig()


class AugmentConfig(Strict):
    enabled: bool = False
    operations: list[Literal["synonym", "insert", "delete", "swap", "reorder"]] = Field(
        default_factory=lambda: ["delete", "swap"],
        description="synonym, insert and reorder stay off until labelled children show 80% good",
    )
    children_per_record: int = Field(default=1, ge=1, le=16)
    max_share: float = Field(default=0.3, gt=0, lt=1, description="children's most share of the train split")
    rate: float = Field(default=0.1, gt=0, le=0.5, description="share of words an operation touches")
    roles: list[Literal["user", "assistant", "system"]] = Field(default_factory=lambda: ["user"])
    seed: int = 0


class AnnotateConfig(Strict):
    """Human review in Label Studio. Off by default: already-labelled data can skip it."""

    enabled: bool = False
    url: str = "http://127.0.0.1:8089"
    token_env: str = Field(default="LABEL_STUDIO_API_KEY", description="environment variable holding the token")
    token_file: str | None = Field(default=".labelstudio/token", description="used when the variable is unset")
    token_secret: str | None = Field(default=None, description="a Prefect Secret block holding the token (first)")
    project: str | None = Field(default=None, description="project title (default: '<dataset> SFT review')")
    select: Literal["all", "flagged", "sample", "source"] = Field(
        default="all", description="all records, those the clean filters flag, a random sample, or some sources"
    )
    sample_rate: float = Field(default=0.1, gt=0, le=1)
    sources: list[str] = Field(default_factory=list, description="with select: source, path fragments to match")
    categories: list[str] = Field(default_factory=list, description="category choices shown to annotators")
    batch_size: int = Field(default=500, ge=1)
    conflict: Literal["majority", "adjudicate"] = "majority"
    release_pending: bool = Field(default=False, description="release records still waiting for a verdict")
    store: str = Field(default="data/annotations", description="append-only store of pulled annotations")


class BenchmarkFile(Strict):
    path: str
    column: str = Field(default="Question", description="the column holding the benchmark's questions")
    option_columns: list[str] = Field(
        default_factory=lambda: ["A", "B", "C", "D"], description="columns of the options, where the file has them"
    )


class DecontaminateConfig(Strict):
    """Reject training records that contain a benchmark's questions (CMMLU, C-Eval CSVs...)."""

    benchmarks: list[BenchmarkFile] = Field(default_factory=list)
    ngram: int = Field(default=13, ge=4, description="characters per n-gram (GPT-3 used 13 words)")
    min_short_chars: int = Field(default=4, ge=1, description="shorter questions are not searched for")
    overlap_ngram: int = Field(default=4, ge=2, description="characters per n-gram of the reworded-copy rule")
    min_overlap: float = Field(
        default=0.6, gt=0, le=1, description="share of a question's n-grams that makes a reworded copy"
    )
    min_overlap_grams: int = Field(default=4, ge=1, description="questions with fewer n-grams skip that rule")


class SplitConfig(Strict):
    train: float = Field(default=0.9, ge=0, le=1)
    validation: float = Field(default=0.05, ge=0, le=1)
    test: float = Field(default=0.05, ge=0, le=1)
    max_validation: int | None = Field(default=None, ge=0, description="at most this many validation records")
    max_test: int | None = Field(default=None, ge=0, description="at most this many test records")
    salt: str = Field(default="", description="changing it reshuffles every record; leave it be")

    @model_validator(mode="after")
    def _ratios_sum_to_one(self) -> SplitConfig:
        total = self.train + self.validation + self.test
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"train + validation + test must be 1, got {total:g}")
        return self


class RenderConfig(Strict):
    fallback_template: Literal["chatml", "llama3"] = Field(
        default="chatml", description="used when the tokenizer has no chat template (a Base model)"
    )
    system: Literal["keep", "drop", "inject"] = Field(
        default="keep", description="keep system prompts, drop them, or inject system_prompt where none"
    )
    system_prompt: str | None = None
    max_tokens: int | None = Field(default=None, ge=1, description="the most tokens of a rendered record")
    overlength: Literal["reject", "drop_turns"] = Field(
        default="reject", description="reject as too_long, or drop the earliest turns (keeping the system prompt)"
    )

    @model_validator(mode="after")
    def _prompt_for_inject(self) -> RenderConfig:
        if self.system == "inject" and not self.system_prompt:
            raise ValueError("system: inject needs a system_prompt")
        return self


class ReportConfig(Strict):
    language: Literal["zh", "en"] = Field(default="zh", description="language of report.html")


class ReleaseConfig(Strict):
    exports: list[Literal["alpaca", "sharegpt", "text", "parquet"]] = Field(
        default_factory=list, description="formats written beside the messages JSONL"
    )
    report: ReportConfig = ReportConfig()
    llamafactory: bool = Field(default=False, description="write dataset_info.json registering every export")
    leakage_check: bool = Field(default=True, description="refuse a release with near-duplicates across splits")
    keep: int | None = Field(
        default=None,
        ge=1,
        description="releases kept per dataset after a publish, newest first (None: all); a release that a "
        "training run pins is never removed",
    )


class RunnerConfig(Strict):
    """Where the per-shard work runs; every runner gives byte-identical releases."""

    kind: Literal["auto", "threads", "processes", "dask"] = Field(
        default="auto",
        description="auto: processes on every core for 8 MB or more of input still to read, else threads",
    )
    workers: int | None = Field(default=None, ge=1, description="parallel workers (default: every core)")
    address: str | None = Field(
        default=None, description="a Dask scheduler (tcp://host:8786); with kind dask and none, a local cluster"
    )

    @model_validator(mode="after")
    def _address_only_for_dask(self) -> RunnerConfig:
        if self.address and self.kind != "dask":
            raise ValueError("runner.address names a Dask scheduler: it needs kind: dask")
        return self


class BuildOptions(Strict):
    """How one build runs, apart from the config file: the form a deployment shows in the Prefect UI."""

    force: bool = Field(default=False, description="build even when an identical release is published")
    overrides: list[str] = Field(
        default_factory=list, description="config values to change for this build, as key=value (runner.workers=2)"
    )
    runner: Literal["auto", "threads", "processes", "dask"] | None = Field(
        default=None, description="the runner for this build (default: the config's)"
    )
    workers: int | None = Field(default=None, ge=1, description="parallel workers for this build")


class WorkConfig(Strict):
    keep: int = Field(default=3, ge=0, description="builds whose cached work is kept (older work is removed)")


class RunConfig(Strict):
    dataset: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")
    output_dir: str = "data/releases"
    work_dir: str = Field(default="data/work", description="cached stage outputs that later builds reuse")
    sources: list[SourceConfig] = Field(min_length=1)
    tokenizer: str = Field(default="data/tokenizers/tiny-zh", description="a local tokenizer folder or a hub id")
    collect: CollectConfig = CollectConfig()
    normalize: NormalizeConfig = NormalizeConfig()
    dedup: DedupConfig = DedupConfig()
    annotate: AnnotateConfig = AnnotateConfig()
    decontaminate: DecontaminateConfig = DecontaminateConfig()
    split: SplitConfig = SplitConfig()
    segment: SegmentConfig = SegmentConfig()
    clean: CleanConfig = CleanConfig()
    augment: AugmentConfig = AugmentConfig()
    render: RenderConfig = RenderConfig()
    release: ReleaseConfig = ReleaseConfig()
    markdown: MarkdownConfig = Field(default=MarkdownConfig(), description="how notes become pairs")
    runner: RunnerConfig = RunnerConfig()
    work: WorkConfig = WorkConfig()

    @model_validator(mode="before")
    @classmethod
    def _markdown_reaches_sources(cls, data: object) -> object:
        """Each source gets the run's `markdown:` under its own keys, so collect needs only the source."""
        if not isinstance(data, dict) or data.get("markdown") is None or not isinstance(data.get("sources"), list):
            return data
        run = _as_dict(data["markdown"])
        sources = [_with_markdown(source, run) for source in data["sources"]]
        return {**data, "sources": sources}

    @field_validator("sources")
    @classmethod
    def _distinct_paths(cls, sources: list[SourceConfig]) -> list[SourceConfig]:
        paths = [s.path for s in sources]
        repeated = sorted({p for p in paths if paths.count(p) > 1})
        if repeated:
            raise ValueError(f"each source path may appear once; repeated: {', '.join(repeated)}")
        return sources


def _as_dict(value: object) -> object:
    return value.model_dump(exclude_unset=True) if isinstance(value, Strict) else value


def _with_markdown(source: object, run: object) -> object:
    source = _as_dict(source)
    if not isinstance(source, dict) or not isinstance(run, dict):
        return source
    own = _as_dict(source.get("markdown") or {})
    return {**source, "markdown": {**run, **own} if isinstance(own, dict) else own}
