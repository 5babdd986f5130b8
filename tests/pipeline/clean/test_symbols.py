from pipeline.clean.filters import symbols
from schemas.config import SymbolRatioParams


def test_symbol_heavy_text_is_rejected(make_segmented) -> None:
    record = make_segmented(("user", "画一条线"), ("assistant", "-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=★★★★★"))
    result = symbols.check(record, SymbolRatioParams())
    assert result.reason == "too_many_symbols"


def test_chinese_punctuation_and_code_pass(make_segmented) -> None:
    prose = make_segmented(("user", "你好，今天天气怎么样？"), ("assistant", "今天是晴天，气温二十度，适合出门散步。"))
    code = make_segmented(("user", "写个函数"), ("assistant", "def add(a, b):\n    return a + b  # 两数相加"))
    assert symbols.check(prose, SymbolRatioParams()) is None
    assert symbols.check(code, SymbolRatioParams()) is None
