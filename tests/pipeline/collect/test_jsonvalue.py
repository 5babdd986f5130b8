"""JSON text that Python's json accepts but a build cannot carry, refused with its own code."""

from __future__ import annotations

import pytest

from pipeline.collect.jsonvalue import MAX_DEPTH, loads
from pipeline.collect.problems import RowProblem


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"a": "\\ud800问"}', "lone_surrogate"),
        ('{"\\udfff": 1}', "lone_surrogate"),
        ('{"a": NaN}', "malformed_json"),
        ("[-Infinity]", "malformed_json"),
        ('{"a": ' + "1" * 5000 + "}", "number_too_large"),
        ("[" * 10_000 + "]" * 10_000, "too_deeply_nested"),
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "too_deeply_nested"),
        ('{"a": 1} {"b": 2}', "malformed_json"),
    ],
)
def test_refused_with_a_precise_code(text: str, reason: str) -> None:
    with pytest.raises(RowProblem) as caught:
        loads(text)
    assert caught.value.reason == reason


def test_what_json_allows_and_a_build_can_carry_is_kept() -> None:
    nested = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)  # the row object is the first level
    value = loads('{"emoji": "\\ud83d\\ude00", "deep": ' + nested + "}")
    assert value["emoji"] == "😀"
    levels, inner = 1, value["deep"]
    while inner:
        levels, inner = levels + 1, inner[0]
    assert levels == MAX_DEPTH - 1
