from __future__ import annotations

import pytest

from pipeline.normalize.mojibake import looks_garbled, lost_characters, repair

CLEAN = "模型训练需要高质量的数据，这是一段完整的话。"


@pytest.mark.parametrize(
    "text", [CLEAN, "“OK”，没问题。", "Café au lait 咖啡", "emoji 😀 表情", "", "繁體中文與「標點」"]
)
def test_clean_text_is_not_garbled(text: str) -> None:
    assert not looks_garbled(text)


def test_utf8_read_as_latin1_is_repaired() -> None:
    garbled = CLEAN.encode("utf-8").decode("latin-1")
    assert looks_garbled(garbled)
    assert repair(garbled) == CLEAN


def test_gbk_read_as_latin1_is_repaired() -> None:
    garbled = CLEAN.encode("gbk").decode("latin-1")
    assert looks_garbled(garbled)
    assert repair(garbled) == CLEAN


def test_lossy_cp1252_decode_cannot_be_repaired() -> None:
    garbled = CLEAN.encode("utf-8").decode("cp1252", errors="ignore")
    assert looks_garbled(garbled)
    assert repair(garbled) is None


@pytest.mark.parametrize(
    "text",
    [
        "Voici un résumé académique et détaillé de l’ouvrage.",
        "Ça va très bien, à bientôt ! Créé le café.",
        "niño, año, señor — ¿Qué tal?",
        "Привет, как дела? 你好",
        "Größe und Übermaß, naïve façade",
        "他说：“……——”好吧……——……",
        "温度 25°C，价格 €100，½ 杯水",
    ],
)
def test_valid_non_chinese_unicode_is_not_garbled(text: str) -> None:
    assert not looks_garbled(text)


def test_cp1251_read_as_latin1_is_still_caught() -> None:
    assert looks_garbled("Русский текст".encode("cp1251").decode("latin-1"))


@pytest.mark.parametrize(
    "text",
    [
        "方法是在滋阴药中加入附子、肉桂之类温阳之品，?????? 你好，长时间的勃起有害",
        "1? 忌食生冷油腻不易消化食物。 2? 忌情绪激动或生闷气。 3? 不宜久服。",
    ],
)
def test_characters_lost_to_question_marks(text: str) -> None:
    """MedicalGPT's medical_sft_1K: characters a legacy encoder could not write became "?"."""
    assert lost_characters(text)


@pytest.mark.parametrize(
    "text",
    ["真的吗??? 我不信", "这是什么???", "x = a ? b : c", "What??? 好吧", "1. 为什么? 2. 怎么办?", "Is it 3? 是的"],
)
def test_question_marks_that_ask_are_kept(text: str) -> None:
    assert not lost_characters(text)
