"""Decontamination with questions written for this test (no benchmark text is copied here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.decontaminate import load_index, run
from schemas import BenchmarkFile, DecontaminateConfig

QUESTION = "下列哪一项是中国古代四大发明之一的造纸术的改进者？"
ROWS = (
    f"{QUESTION},蔡伦,毕昇,张衡,祖冲之,A\n"
    "短题是什么？,甲,乙,丙,丁,B\n"
    "汉字的拼音输入码属于哪类编码,外码,内码,字形码,机内码,A\n"
    "光合作用主要发生在植物细胞的哪一种细胞器中,线粒体,叶绿体,核糖体,高尔基体,B\n"
)


def config_for(tmp_path: Path, rows: str = ROWS, column: str = "Question", encoding: str = "utf-8"):
    path = tmp_path / "bench.csv"
    path.write_bytes(f"{column},A,B,C,D,Answer\n{rows}".encode(encoding))
    return DecontaminateConfig(benchmarks=[BenchmarkFile(path=str(path), column=column)])


def rejected(tmp_path: Path, make_record, *user_turns: str, config=None) -> list[bool]:
    config = config or config_for(tmp_path)
    index = load_index(config)
    records = [make_record(("user", turn), ("assistant", "答案见下。")) for turn in user_turns]
    result = run(records, config, index)
    ids = {r.record_id for r in result.rejections}
    return [record.id in ids for record in records]


def test_pasted_traditional_and_kangxi_copies_are_rejected_with_the_line(tmp_path: Path, make_record) -> None:
    config = config_for(tmp_path, encoding="gb18030")
    index = load_index(config)
    records = [
        make_record(("user", "请回答：" + QUESTION), ("assistant", "蔡伦")),
        make_record(("user", "下列哪一項是中國古代四大發明之一的造紙術的改進者"), ("assistant", "蔡伦")),
        make_record(("user", "漢字的拼⾳輸⼊碼屬於哪類編碼？"), ("assistant", "外码")),  # Kangxi ⾳ ⼊
    ]
    result = run(records, config, index)
    assert result.counts.rejected == {"contaminated": 3}
    assert f"{tmp_path.as_posix()}/bench.csv:2" in result.rejections[0].detail


def test_a_short_question_is_found_inside_a_line_of_the_turn(tmp_path: Path, make_record) -> None:
    turns = ("短题是什么？", "第一题。\n请作答：短题是什么？（单选）", "短题的扩展讨论", "短题")
    assert rejected(tmp_path, make_record, *turns) == [
        True,
        True,
        False,
        False,
    ]


def test_options_pasted_after_the_question_count(tmp_path: Path, make_record) -> None:
    rows = "哪种细胞器？,线粒体的内膜,叶绿体的类囊体,核糖体,高尔基体,B\n"
    config = config_for(tmp_path, rows)
    pasted = "哪种细胞器？\nA. 线粒体的内膜\nB. 叶绿体的类囊体\nC. 核糖体\nD. 高尔基体"
    assert rejected(tmp_path, make_record, pasted, "线粒体和叶绿体有什么区别？", config=config) == [True, False]


def test_a_lightly_reworded_question_is_caught(tmp_path: Path, make_record) -> None:
    reworded = "请问：光合作用主要发生在植物细胞的哪种细胞器中？"
    unrelated = "光合作用的产物有哪些？请用通俗的语言解释一下植物为什么是绿色的。"
    assert rejected(tmp_path, make_record, reworded, unrelated) == [True, False]


def test_normal_chinese_and_mixed_records_pass(tmp_path: Path, make_record) -> None:
    turns = [
        "造纸术是谁发明的？😀",
        "用 Python 写一个 `print('hello')` 的例子，并解释 $x^2$ 的含义。",
        "請介紹一下中國古代的四大發明。",
    ]
    assert rejected(tmp_path, make_record, *turns) == [False, False, False]


def test_no_benchmarks_means_no_work(make_record) -> None:
    index = load_index(DecontaminateConfig())
    assert run([make_record(("user", QUESTION), ("assistant", "答"))], DecontaminateConfig(), index).counts.kept == 1


def test_a_missing_column_or_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="has no column 'Question'"):
        load_index(config_for(tmp_path, column="question").model_copy(
            update={"benchmarks": [BenchmarkFile(path=str(tmp_path / "bench.csv"))]}
        ))  # fmt: skip
    with pytest.raises(ValueError, match="cannot read"):
        load_index(DecontaminateConfig(benchmarks=[BenchmarkFile(path=str(tmp_path / "absent.csv"))]))
