"""Leader clusters: members confirmed against their leader, boilerplate left out of the comparison."""

from __future__ import annotations

from pipeline.dedup import run
from schemas import DedupConfig


def test_a_chain_of_alike_records_is_not_one_cluster(make_record) -> None:
    """A~B and B~C, but A and C differ: B joins A, and C stays, because it is not alike with A."""
    answer = "这道菜的做法是先把鸡蛋打散，再和番茄一起翻炒，最后加盐调味即可出锅。"
    a = make_record(("user", "番茄炒鸡蛋怎么做？请一步一步地告诉我，写得详细一点"), ("assistant", answer))
    b = make_record(("user", "番茄炒鸡蛋怎么做？请一步一步地告诉我，写得简单一点"), ("assistant", answer))
    c = make_record(("user", "番茄炒土豆怎么做？请一步一步地告诉我，写得简单一点"), ("assistant", answer))
    result = run([a, b, c], DedupConfig())
    assert [r.id for r in result.kept] == [a.id, c.id]
    assert [r.record_id for r in result.rejections] == [b.id]
    assert f"of {a.id} kept from" in result.rejections[0].detail


def test_a_shared_instruction_and_footer_do_not_make_reviews_alike(make_record) -> None:
    instruction = "判断下面这条评论的情感倾向，回答正面或负面。"
    footer = "——以上评论来自某购物网站用户，转载请注明出处"
    reviews = ["快递很快，包装完好", "质量一般，有点失望", "客服态度很好，推荐", "尺码偏小，退货了",
               "性价比很高，还会再买", "颜色和图片不一样"]  # fmt: skip
    records = [
        make_record(("user", f"{instruction}\n{review}\n{footer}"), ("assistant", "正面" if i % 2 == 0 else "负面"))
        for i, review in enumerate(reviews)
    ]
    assert run(records, DedupConfig()).counts.kept == len(reviews)


def test_the_same_records_without_boilerplate_would_cluster(make_record) -> None:
    """The control: the same three reviews with the shared lines are alike once those lines count."""
    instruction = "判断下面这条评论的情感倾向，回答正面或负面。"
    footer = "——以上评论来自某购物网站用户，转载请注明出处"
    records = [
        make_record(("user", f"{instruction}\n{review}\n{footer}"), ("assistant", "正面"))
        for review in ["快递很快", "快递很快啊"]
    ]
    assert run(records, DedupConfig()).counts.rejected == {"near_duplicate": 1}
