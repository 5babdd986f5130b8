"""Filters read a record's measures: `measured(("user", "问"), ("assistant", "答"))` builds them."""

from __future__ import annotations

import pytest

from pipeline.clean.measure import Measures


@pytest.fixture
def measured(make_segmented, segmenter):
    def factory(*turns: tuple[str, str], **options: object) -> Measures:
        return Measures(make_segmented(*turns, **options), segmenter)

    return factory
