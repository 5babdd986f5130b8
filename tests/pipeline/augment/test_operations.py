"""Each augmentation operation on segmented Chinese text, with a seeded generator."""

from __future__ import annotations

from random import Random

import pytest

from pipeline.augment import deletion, insertion, reorder, swap, synonym
from pipeline.augment.synonyms import load_synonyms
from pipeline.augment.words import editable


@pytest.fixture(scope="module")
def synonyms() -> dict:
    return load_synonyms()


def seg(segmenter, text: str) -> tuple[list[str], tuple[bool, ...]]:
    result = segmenter.segment(text)
    return list(result.words), result.stop


def test_thesaurus_holds_only_synonym_groups(synonyms: dict) -> None:
    assert len(synonyms) > 30_000
    assert "人物" in synonyms["人士"]
    assert all(word not in others for word, others in list(synonyms.items())[:500])


def test_editable_words_skip_punctuation_latin_stop_words_and_placeholders(segmenter) -> None:
    words, stop = seg(segmenter, "请把手机号<手机号>发给 Tom，谢谢！")
    chosen = [words[i] for i in editable(words, stop)]
    assert "手机号" not in chosen and "Tom" not in chosen and "，" not in chosen
    assert chosen


def test_synonym_replacement_changes_a_word_for_a_synonym(segmenter, synonyms: dict) -> None:
    words, stop = seg(segmenter, "老师认真地批改学生的作业")
    changed = synonym.apply(words, stop, 0.1, Random(1), synonyms)
    assert changed is not None and len(changed) == len(words) and changed != words
    replaced = [(a, b) for a, b in zip(words, changed, strict=True) if a != b]
    assert all(b in synonyms[a] for a, b in replaced)


def test_insertion_adds_a_synonym(segmenter, synonyms: dict) -> None:
    words, stop = seg(segmenter, "老师认真地批改学生的作业")
    changed = insertion.apply(words, stop, 0.1, Random(2), synonyms)
    assert len(changed) == len(words) + 1


def test_deletion_keeps_at_least_one_content_word(segmenter) -> None:
    words, stop = seg(segmenter, "老师认真地批改学生的作业")
    changed = deletion.apply(words, stop, 1.0, Random(3), {})
    assert 0 < len(changed) < len(words)
    assert editable(changed, None)
    assert deletion.apply(["好"], None, 0.5, Random(0), {}) is None


def test_swap_keeps_the_same_words(segmenter) -> None:
    words, stop = seg(segmenter, "老师认真地批改学生的作业")
    changed = swap.apply(words, stop, 0.1, Random(4), {})
    assert sorted(changed) == sorted(words) and changed != words


def test_reorder_shuffles_sentences_within_a_line() -> None:
    text = "第一句话。第二句话！第三句话？\n输入：不动"
    [changed] = reorder.apply([text], None, 0.1, Random(5), {})
    first, second = changed.split("\n")
    assert sorted(reorder.sentences(first)) == sorted(reorder.sentences("第一句话。第二句话！第三句话？"))
    assert first != "第一句话。第二句话！第三句话？" and second == "输入：不动"
    assert reorder.apply(["只有一句话"], None, 0.1, Random(5), {}) is None


@pytest.mark.parametrize("text", ["", "😀👍", "OK OK", "１２３"])
def test_nothing_to_edit_gives_none(segmenter, synonyms: dict, text: str) -> None:
    words, stop = seg(segmenter, text)
    for operation in (synonym, insertion, deletion, swap):
        assert operation.apply(words, stop, 0.1, Random(0), synonyms) is None


def test_seeded_operations_repeat(segmenter, synonyms: dict) -> None:
    words, stop = seg(segmenter, "我们在北京天安门广场看升旗，这是一个美好的早晨。")
    assert synonym.apply(words, stop, 0.3, Random(9), synonyms) == synonym.apply(words, stop, 0.3, Random(9), synonyms)
