"""PII test set generated here: valid and invalid numbers inside Chinese sentences."""

from __future__ import annotations

import random

import pytest

from pipeline.clean.pii import PLACEHOLDERS, id18_valid, luhn_valid, mask

ALL = list(PLACEHOLDERS)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(rng: random.Random, valid: bool = True) -> str:
    birth = f"{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = f"{rng.randint(110000, 659999)}{birth}{rng.randint(0, 999):03d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]
    if not valid:
        check = "10X98765432"[("10X98765432".index(check) + 1) % 11]
    return body + check


def card_number(rng: random.Random, valid: bool = True) -> str:
    body = "62" + "".join(str(rng.randint(0, 9)) for _ in range(15))
    for last in "0123456789":
        if luhn_valid(body + last) == valid:
            return body + last
    raise AssertionError


def phone(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}"


TEMPLATES = [
    "我的{kind}是{value}，请帮我核对。",
    "联系人：张三（{kind}：{value}）",
    "{value}这个{kind}对吗？",
    "请把{kind} {value} 填到表里",
]


def cases(seed: int = 7, count: int = 200) -> list[tuple[str, str, bool]]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        template = rng.choice(TEMPLATES)
        out += [
            (template.format(kind="身份证号", value=id_number(rng)), "<身份证号>", True),
            (template.format(kind="身份证号", value=id_number(rng, valid=False)), "<身份证号>", False),
            (template.format(kind="银行卡号", value=card_number(rng)), "<银行卡号>", True),
            (template.format(kind="银行卡号", value=card_number(rng, valid=False)), "<银行卡号>", False),
            (template.format(kind="手机号", value=phone(rng)), "<手机号>", True),
            (template.format(kind="手机号", value="+86 " + phone(rng)), "<手机号>", True),
            (template.format(kind="邮箱", value=f"user{rng.randint(1, 999)}@example.com.cn"), "<邮箱>", True),
        ]
    return out


def test_generated_set_masks_every_valid_item_and_no_invalid_number() -> None:
    for text, placeholder, valid in cases():
        masked, counts = mask(text, ALL)
        if valid:
            assert placeholder in masked and sum(counts.values()) == 1, text
        else:
            assert masked == text and not counts, text


def test_id_checksum_and_birth_date() -> None:
    assert id18_valid("11010519491231002X")
    assert not id18_valid("110105194912310021")  # wrong check character
    assert not id18_valid("110105194913310027")  # month 13
    assert mask("旧身份证号110105491231002", ALL)[0] == "旧身份证号<身份证号>"  # 15 digits, 1949-12-31
    assert mask("编号110105491331002", ALL)[0] == "编号110105491331002"  # month 13: not an ID


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("手机１３８１２３４５６７８，全角也算", "手机<手机号>，全角也算"),
        ("电话：138-1234-5678 或 0086 13812345678", "电话：<手机号> 或 <手机号>"),
        ("座机010-62751234转8001", "座机<座机号>转8001"),
        ("深圳(0755)86001234", "深圳<座机号>"),
        ("发到zhang.san+sft@mail.example.com即可", "发到<邮箱>即可"),
        ("服务器203.119.25.7和2408:8207:2457:a80::1", "服务器<IP地址>和<IP地址>"),
        ("路由器地址通常是192.168.1.1，文档示例2001:db8::1", "路由器地址通常是192.168.1.1，文档示例2001:db8::1"),
        ("C++ 的 std::vector<std::string> 和 a::b", "C++ 的 std::vector<std::string> 和 a::b"),
        ("卡号6222 0212 3456 7890 128已绑定", "卡号<银行卡号>已绑定"),
        ("订单号2023112812345678900不是卡号", "订单号2023112812345678900不是卡号"),
        ("时间12:30:45，比分3:2，版本号v1.2", "时间12:30:45，比分3:2，版本号v1.2"),
        ("手机号138123456789多了一位", "手机号138123456789多了一位"),
        ("", ""),
    ],
)
def test_forms_and_boundaries(text: str, masked: str) -> None:
    assert mask(text, ALL)[0] == masked


def test_kinds_can_be_chosen() -> None:
    assert mask("IP 8.8.8.8", ["mobile"])[0] == "IP 8.8.8.8"
    assert mask("手机13812345678，邮箱a@b.cn", ["email"])[0] == "手机13812345678，邮箱<邮箱>"


def test_linear_time_on_long_digit_runs() -> None:
    import time

    text = "1" * 200_000 + "@" + "a." * 50_000
    start = time.perf_counter()
    mask(text, ALL)
    assert time.perf_counter() - start < 5


def test_thousands_of_matches_in_one_text_are_all_masked_without_overlaps() -> None:
    """16,000 phone numbers and 8,000 emails in one text (42 s when the overlap check was quadratic)."""
    parts = []
    for index in range(16_000):
        parts.append(f"电话138{index:08d}，")
        if index % 2:
            parts.append(f"邮箱u{index}@example.com。")
    masked, counts = mask("".join(parts), ["mobile", "email"])
    assert counts == {"mobile": 16_000, "email": 8_000}
    assert "138" not in masked and "@" not in masked


def test_an_earlier_kind_wins_an_overlap_wherever_the_later_match_falls() -> None:
    rng = random.Random(3)
    card = card_number(rng)
    text = f"卡号{card}，电话13812345678，身份证{id_number(rng)}"
    masked, counts = mask(text, ALL)
    assert counts == {"bank_card": 1, "mobile": 1, "id_card": 1}
    assert masked == "卡号<银行卡号>，电话<手机号>，身份证<身份证号>"
