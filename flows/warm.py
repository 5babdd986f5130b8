"""Imported once by the fork server of the processes runner (flows/workers.py `PRELOAD`): it loads
the build's segmenter and tokenizer there, so every worker forked from it starts with them
loaded instead of loading them again (1.6 CPU seconds a worker with jieba and a small tokenizer).

The build's run config comes in the environment (`WARM_CONFIG`, set while the pool starts). Any
failure is left to the workers, which load the same resources again and report it properly.
"""

from __future__ import annotations

import contextlib
import os

from flows.workers import WARM_CONFIG

if config := os.environ.get(WARM_CONFIG):
    with contextlib.suppress(Exception):
        from flows.shards import resources
        from schemas import RunConfig

        loaded = resources(RunConfig.model_validate_json(config), name=config)
        _ = loaded.renderer, loaded.segmenter
