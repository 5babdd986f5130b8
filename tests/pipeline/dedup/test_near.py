"""Near-duplicates, tuned on labelled pairs made here from real Chinese text.

Positives: 1-2 character edits (substitution, insertion, deletion) of 20-60 character
sentences, and traditional/simplified twins of the same poem. Negatives: different sentences
of the same kind (lines of other poems), and templated prompts with different answers.
"""

from __future__ import annotations

import random

import pytest

from pipeline.dedup import run
from pipeline.dedup.near import Rows, cluster
from pipeline.dedup.sketch import fold, jaccard, shingles, sketch
from schemas import DedupConfig, NearDupConfig


def sentences(poems: dict) -> list[str]:
    texts = ["".join(p["paragraphs"]) for p in poems["simplified"]]
    return sorted({t for t in texts if 20 <= len(t) <= 60})


def edited(text: str, edits: int, rng: random.Random, alphabet: str) -> str:
    chars = list(text)
    for _ in range(edits):
        position = rng.randrange(len(chars))
        operation = rng.choice("sid")
        if operation == "s":
            chars[position] = rng.choice(alphabet)
        elif operation == "i":
            chars.insert(position, rng.choice(alphabet))
        else:
            del chars[position]
    return "".join(chars)


def test_labelled_pairs_are_separated_by_the_default_threshold(poems: dict) -> None:
    config = NearDupConfig()
    rng = random.Random(3)
    texts = sentences(poems)
    alphabet = "".join(sorted(set("".join(texts))))
    positives = [(t, edited(t, rng.choice([1, 2]), rng, alphabet)) for t in texts]
    twins = poems["twins"]
    positives += [
        ("".join(t["paragraphs"]), "".join(s["paragraphs"]))
        for t, s in zip(poems["traditional"][:twins], poems["simplified"][:twins], strict=True)
    ]
    negatives = [(a, b) for a, b in zip(texts, texts[1:] + texts[:1], strict=True)]
    similarity = [jaccard(shingles(fold(a), config), shingles(fold(b), config)) for a, b in positives]
    unrelated = [jaccard(shingles(fold(a), config), shingles(fold(b), config)) for a, b in negatives]
    assert len(positives) >= 50
    assert min(similarity) >= config.threshold
    assert max(unrelated) < config.threshold


def test_traditional_and_simplified_twins_cluster(poems: dict, make_record) -> None:
    """Every twin whose title survives the conversion is found, most others too, nothing but twins."""
    poems_all = poems["traditional"] + poems["simplified"]
    records = [
        make_record(("user", f"请背诵{p['author']}的《{p['title']}》。"), ("assistant", "".join(p["paragraphs"])))
        for p in poems_all
    ]
    matches = cluster(Rows([sketch(records, NearDupConfig())]), NearDupConfig())
    traditional, twins = len(poems["traditional"]), poems["twins"]
    found = {(m.leader, m.member - traditional) for m in matches.values()}
    assert found <= {(i, i) for i in range(twins)}
    same_title = {
        i
        for i in range(twins)
        if fold(records[i].messages[0].content) == fold(records[i + traditional].messages[0].content)
    }
    assert {i for i, _ in found} >= same_title and len(found) >= 0.9 * twins


def test_templated_prompts_with_different_answers_are_not_duplicates(make_record) -> None:
    template = (
        "请判断下面两个句子的关系属于蕴含、中立还是矛盾中的哪一种？\n句子1：一月份跟二月份肯定有一个月份有雪\n句子2："
    )
    records = [
        make_record(("user", template + "肯定有一个月份有雪"), ("assistant", "蕴含")),
        make_record(("user", template + "一月份一定有雪"), ("assistant", "中立")),
        make_record(("user", template + "两个月都没有雪"), ("assistant", "矛盾")),
    ]
    assert run(records, DedupConfig()).counts.kept == 3


def test_branches_of_one_chat_with_other_last_replies_are_not_duplicates(make_record) -> None:
    """OpenAssistant ranks several last replies to one conversation: every earlier turn is shared."""
    opening = (
        ("user", "已经下了一周雨了，真让人烦躁"),
        (
            "assistant",
            "嗨，天气不好，我们可以调整自己的心态和行为，来缓解烦躁，让自己保持愉快的心情。\n"
            "1. 打开窗户透透气，看看下雨天的马路和风景。\n2. 做一些室内的娱乐活动，例如看电影、读书、做手工。\n"
            "3. 约上朋友一起去室内运动场打羽毛球，或者去商场逛一逛。\n4. 给自己做一顿热乎乎的火锅。",
        ),
        ("user", "谢谢你的建议。你能推荐几部令人感到轻松的喜剧电影吗？"),
    )
    films = "《疯狂动物城》、《让子弹飞》"
    first = make_record(*opening, ("assistant", f"当然可以：{films}。"))
    other = make_record(*opening, ("assistant", "我推荐《你丫闭嘴》和《女间谍》。"))
    retyped = make_record(*opening, ("assistant", f"当然可以：{films.replace('、', '，')}！"))
    config = NearDupConfig()
    assert not cluster(Rows([sketch([first, other], config)]), config)
    assert cluster(Rows([sketch([first, retyped], config)]), config)[1].leader == 0


@pytest.mark.parametrize(("keep", "kept"), [("representative", 2), ("all", 4)])
def test_cluster_policy(make_record, keep: str, kept: int) -> None:
    answer = "西湖位于浙江省杭州市，是中国著名的风景名胜区，有苏堤春晓、断桥残雪等十景。"
    a = make_record(("user", "介绍一下杭州西湖。"), ("assistant", answer), file="a.md", group="doc:a.md")
    b = make_record(("user", "介绍一下杭州的西湖。"), ("assistant", answer), file="b.jsonl")
    c = make_record(
        ("user", "介紹一下杭州西湖。"),
        ("assistant", "西湖位於浙江省杭州市，是中國著名的風景名勝區，有蘇堤春曉、斷橋殘雪等十景。"),
    )
    other = make_record(
        ("user", "北京有什么好玩的？"), ("assistant", "故宫、长城和颐和园。"), file="a.md", group="doc:a.md"
    )
    result = run([a, b, c, other], DedupConfig(near=NearDupConfig(keep=keep)))
    assert result.counts.kept == kept
    if keep == "representative":
        assert result.counts.rejected == {"near_duplicate": 2}
        assert all(f"of {a.id} kept from a.md:1" in r.detail for r in result.rejections)
        assert result.kept[0].meta.cluster == a.id and result.kept[1].meta.cluster is None
    else:
        assert len({r.meta.group for r in result.kept}) == 1  # the cluster joins a's document group, "other" too
        assert [r.meta.cluster for r in result.kept] == [a.id, a.id, a.id, None]
