from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.decontaminate import load_index, run
from schemas import BenchmarkFile, DecontaminateConfig

QUESTION = "下列哪一项是中国古代四大发明之一的造纸术的改进者？"


def config_for(tmp_path: Path, rows: str, column: str = "Question", encoding: str = "utf-8") -> DecontaminateConfig:
    path = tmp_path / "bench.csv"
    path.write_bytes(f"{column},Answer\n{rows}".encode(encoding))
    return DecontaminateConfig(benchmarks=[BenchmarkFile(path=str(path), column=column)])


def test_overlapping_records_are_rejected_with_the_benchmark_line(tmp_path: Path, make_record) -> None:
    config = config_for(tmp_path, f"{QUESTION},A\n短题？,B\n", encoding="gb18030")
    index = load_index(config)
    records = [
        make_record(("user", "请回答：" + QUESTION), ("assistant", "蔡伦")),
        make_record(("user", "下列哪一項是中國古代四大發明之一的造紙術的改進者"), ("assistant", "蔡伦")),  # traditional
        make_record(("user", "短题？"), ("assistant", "答")),
        make_record(("user", "短题的扩展讨论"), ("assistant", "不同的问题")),
        make_record(("user", "造纸术是谁发明的？"), ("assistant", "一般认为是东汉的蔡伦改进了造纸术。")),
    ]
    result = run(records, config, index)
    assert result.counts.rejected == {"contaminated": 3}
    assert f"{tmp_path.as_posix()}/bench.csv:2" in result.rejections[0].detail
    assert [r.messages[0].content for r in result.kept] == ["短题的扩展讨论", "造纸术是谁发明的？"]


def test_no_benchmarks_means_no_work(make_record) -> None:
    index = load_index(DecontaminateConfig())
    assert run([make_record(("user", QUESTION), ("assistant", "答"))], DecontaminateConfig(), index).counts.kept == 1


def test_a_missing_column_or_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="has no column 'Question'"):
        load_index(config_for(tmp_path, "q,a\n", column="question").model_copy(
            update={"benchmarks": [BenchmarkFile(path=str(tmp_path / "bench.csv"))]}
        ))  # fmt: skip
    with pytest.raises(ValueError, match="cannot read"):
        load_index(DecontaminateConfig(benchmarks=[BenchmarkFile(path=str(tmp_path / "absent.csv"))]))
