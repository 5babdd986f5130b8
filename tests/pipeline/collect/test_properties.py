"""Property-based: mixtures of good and broken JSONL rows through collect and normalize.

Whatever the mix, no exception escapes, every non-blank line is accounted for exactly once (one
rejection, or the records of that one line), normalize balances its counts, the same bytes give
the same output, and reading the file in chunks gives what reading it whole gives.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import collect, normalize
from pipeline.collect.chunking import cut_lines
from schemas import CollectConfig, NormalizeConfig, SftRecord, SourceConfig

SETTINGS = settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)

chinese = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF), min_size=1, max_size=12)
any_text = st.text(max_size=12)
keys = st.sampled_from(["instruction", "input", "output", "history", "system", "conversations", "messages",
                        "from", "value", "role", "content", "tool_calls", "tools", "instances", "x"])  # fmt: skip
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=5),
    max_leaves=12,
)


@st.composite
def good_row(draw: st.DrawFn) -> str:
    question, answer = draw(chinese), draw(chinese)
    shape = draw(st.sampled_from(["alpaca", "sharegpt", "openai"]))
    if shape == "alpaca":
        row: dict = {"instruction": question, "input": "", "output": answer}
    elif shape == "sharegpt":
        row = {"conversations": [{"from": "human", "value": question}, {"from": "gpt", "value": answer}]}
    else:
        row = {"messages": [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]}
    return json.dumps(row, ensure_ascii=draw(st.booleans()))


broken_row = st.one_of(
    json_values.map(json.dumps),  # any JSON: wrong types, unknown formats, non-objects
    st.dictionaries(keys, json_values, max_size=5).map(json.dumps),
    good_row().map(lambda line: line[: len(line) // 2]),  # truncated
    st.just('{"instruction": "\\ud800问", "output": "答"}'),
    st.just('{"instruction": ' + "[" * 3000 + "]" * 3000 + "}"),
    st.just('{"instruction": "q", "output": NaN}'),
    any_text.filter(lambda t: "\n" not in t and "\r" not in t),
)


@st.composite
def jsonl_file(draw: st.DrawFn) -> tuple[bytes, int, bool]:
    """File bytes, the number of non-blank lines in it, and whether a line is in no encoding."""
    lines = draw(st.lists(st.one_of(good_row(), broken_row, st.just("")), max_size=25))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    data = b"".join(line.encode("utf-8", errors="surrogatepass") + newline.encode() for line in lines)
    bad_bytes = draw(st.booleans())
    if bad_bytes:
        data += b'{"instruction": "\xff\xfe", "output": "bad bytes"}\n'
        lines.append("x")
    if data.endswith(b"\n") and draw(st.booleans()):
        data = data[:-1]  # no newline after the last line
    return data, sum(1 for line in lines if line.strip(" \t\r\n")), bad_bytes


def read_all(path: Path) -> list:
    source = SourceConfig(path=str(path))
    return list(collect.read(path, source, CollectConfig()))


def line_of(item: object) -> int | None:
    return item.meta.source.line if isinstance(item, SftRecord) else item.source.line


@SETTINGS
@given(jsonl_file())
def test_every_line_is_accounted_for_and_nothing_raises(case: tuple[bytes, int, bool]) -> None:
    data, non_blank, bad_bytes = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mixed.jsonl"
        path.write_bytes(data)
        items = read_all(path)
        again = read_all(path)
    per_line = Counter(line_of(item) for item in items)
    if bad_bytes and non_blank == 1:  # a file of one line in no encoding is refused as a file
        assert [item.reason for item in items] == ["undecodable_file"]
    elif non_blank:
        assert len(per_line) == non_blank and None not in per_line
        several = {line for line, count in per_line.items() if count > 1}
        assert all(isinstance(item, SftRecord) for item in items if line_of(item) in several)
    else:
        assert [item.reason for item in items] == ["empty_file"]
    normalized = normalize.run([item for item in items if isinstance(item, SftRecord)], NormalizeConfig())
    assert normalized.counts.balanced
    assert [item.model_dump_json() for item in items] == [item.model_dump_json() for item in again]


@SETTINGS
@given(jsonl_file(), st.integers(min_value=1, max_value=400))
def test_reading_in_chunks_gives_what_reading_whole_gives(case: tuple[bytes, int, bool], chunk_bytes: int) -> None:
    data, _, _ = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mixed.jsonl"
        path.write_bytes(data)
        source = SourceConfig(path=str(path))
        whole = [i.model_dump_json() for i in collect.read(path, source)]
        parts = cut_lines(path, chunk_bytes)
        pieces = [i.model_dump_json() for chunk in parts for i in collect.read(path, source, None, chunk)]
    assert pieces == whole
