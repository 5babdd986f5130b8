"""PII masking scales linearly with the number of matches: time for 1k and 16k phone numbers.

A text with n matches used to cost n²/2 overlap checks (16,000 phone numbers: 42 s). The ratio
printed is the CPU time (not wall time: a busy machine does not skew it) for 16k matches over
the time for 1k: about 17 when linear (the text is 17 times longer), about 256 when quadratic.
Emails are mixed in so the second kind's matches fall between the first kind's.

    .venv/bin/python bench/pii_scaling_bench.py
"""

from __future__ import annotations

import time

from pipeline.clean.pii import mask


def text_with(count: int) -> str:
    parts = []
    for index in range(count):
        parts.append(f"联系人{index}的电话是138{index:08d}，")
        if index % 2:
            parts.append(f"邮箱是user{index}@example.com。")
    return "".join(parts)


def seconds(count: int, repeat: int = 3) -> tuple[float, int]:
    text = text_with(count)
    best, found = float("inf"), 0
    for _ in range(repeat):
        started = time.process_time()
        _, counts = mask(text, ["mobile", "email"])
        best = min(best, time.process_time() - started)
        found = sum(counts.values())
    return best, found


def main() -> None:
    small, small_found = seconds(1_000)
    large, large_found = seconds(16_000)
    print(f"1k phones ({small_found:,} matches): {small * 1000:.1f} ms")
    print(f"16k phones ({large_found:,} matches): {large * 1000:.1f} ms")
    print(f"ratio 16k/1k: {large / small:.1f} (linear ~17, quadratic ~256)")


if __name__ == "__main__":
    main()
