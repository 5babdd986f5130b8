"""Each operation on real-looking Chinese turns: what it changes, and what it must leave alone."""

from __future__ import annotations

from random import Random

import pytest

from pipeline.augment import deletion, insertion, reorder, swap, synonym
from pipeline.augment.synonyms import load_thesaurus
from pipeline.augment.words import turn_of


@pytest.fixture(scope="module")
def tagger():
    from pipeline.segment import load_segmenter
    from schemas import SegmentConfig

    return load_segmenter(SegmentConfig(pos=True))


@pytest.fixture(scope="module")
def thesaurus():
    return load_thesaurus()


def turn(tagger, text: str, answer: str = ""):
    return turn_of(text, tagger.backend.tag(text), tagger.stop_words, answer)


def test_protected_words_are_never_editable(tagger) -> None:
    text = "请用“天下大势”造句，介绍北京和李白的`print()`函数，不要超过3个句子。\n输入：老师批改作业"
    t = turn(tagger, text, answer="李白是唐代诗人，函数 print() 可以输出文字。")
    editable = {t.words[i] for i in t.editable}
    for word in ("天下", "大势", "北京", "李白", "不要", "3", "老师", "批改", "作业", "函数", "print"):
        assert word not in editable
    assert "介绍" in editable


def test_synonyms_come_from_one_group_with_the_same_pos(tagger, thesaurus) -> None:
    assert "公文" not in thesaurus.candidates("文件", "n")
    assert thesaurus.candidates("关于", "p") == ()
    assert "僚属" not in thesaurus.candidates("下面", "f")
    assert "记住" not in thesaurus.candidates("难忘", "v")
    t = turn(tagger, "请描述一次难忘的旅行经历。")
    changed = synonym.apply(t, 0.5, Random(0), thesaurus)
    assert changed is not None and "".join(changed) != "请描述一次难忘的旅行经历。"
    assert "描述" not in changed and {"叙述", "讲述"} & set(changed)


def test_insertion_puts_a_synonym_beside_its_own_word(tagger, thesaurus) -> None:
    t = turn(tagger, "请描述一次旅行经历。")
    changed = insertion.apply(t, 0.5, Random(0), thesaurus)
    at = changed.index("描述")
    assert changed[at + 1] == "、" and changed[at + 2] in thesaurus.candidates("描述", "v")


def test_deletion_drops_only_optional_words_never_negations(tagger, thesaurus) -> None:
    text = "这家餐厅的服务太差了，再也不来了。请简单分析一下这条评论的情感。"
    changed = "".join(deletion.apply(turn(tagger, text), 1.0, Random(1), thesaurus))
    assert "不来" in changed and "再也" in changed and "服务" in changed
    assert len(changed) < len(text) and "请" not in changed
    assert deletion.apply(turn(tagger, "这家餐厅的服务太差了。"), 1.0, Random(1), thesaurus) is None


def test_swap_exchanges_coordinated_words_only(tagger, thesaurus) -> None:
    changed = swap.apply(turn(tagger, "比较苹果和香蕉的营养价值。"), 0.1, Random(0), thesaurus)
    assert "".join(changed) == "比较香蕉和苹果的营养价值。"
    assert swap.apply(turn(tagger, "老师怎样批改学生的作业？"), 0.5, Random(0), thesaurus) is None
    assert swap.apply(turn(tagger, "比较“苹果和香蕉”这个短语。"), 0.5, Random(0), thesaurus) is None


def test_reorder_moves_only_sentences_that_stand_alone(tagger, thesaurus) -> None:
    standalone = turn(tagger, "写一首关于春天的诗。要求押韵。\n春天来了，花开了。")
    changed = "".join(reorder.apply(standalone, 0.1, Random(0), thesaurus))
    assert changed == "要求押韵。写一首关于春天的诗。\n春天来了，花开了。"
    leaning = turn(tagger, "阅读下面的短文。然后回答问题。")
    assert reorder.apply(leaning, 0.1, Random(0), thesaurus) is None
