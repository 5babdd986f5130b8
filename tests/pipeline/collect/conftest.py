"""Markers of the collect tests."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "fuzz: time-bounded fuzzing (SFT_FUZZ_SECONDS, default 60); deselect with -m 'not fuzz'"
    )
