"""The worker side of the processes runner: a pool of processes that run shard work, no Prefect.

The pool's processes are forked from multiprocessing's fork server, which imports `PRELOAD` once
and loads the build's segmenter and tokenizer (flows/warm.py): a worker then starts in
milliseconds with them, whatever the number of workers. Everything a
worker unpickles (this module's functions, the shard functions) imports without Prefect, which
costs seconds of CPU per process; Prefect's task runs stay in the build's process, in threads
that wait on the pool (`call`).

A worker's log lines (the pipeline's per-stage counts, its warnings) are kept with the call and
handed back with its result, then logged in the task run that made the call, so they reach the
run's logs as if the work had run there.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

PRELOAD = ["flows.workers", "flows.shards", "pipeline.collect.markdown", "transformers.tokenization_utils_tokenizers",
           "jieba", "opencc", "flows.warm"]  # fmt: skip
# The run config of the build whose pool starts the fork server: flows/warm.py loads its resources.
WARM_CONFIG = "SFT_WORKER_CONFIG"

_pool: ProcessPoolExecutor | None = None


@contextmanager
def worker_pool(workers: int, config_json: str) -> Iterator[None]:
    """While the block runs, `call` hands its work to `workers` processes of the build whose run
    config is `config_json` (the fork server, started on the first call, loads its resources)."""
    global _pool
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    level = logging.getLogger("pipeline").level
    os.environ[WARM_CONFIG] = config_json
    try:
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_set_level, initargs=(level,)) as pool:
            _pool = pool
            yield
    finally:
        _pool = None
        del os.environ[WARM_CONFIG]


def call(fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` in the pool's processes while a pool runs, else in this thread."""
    if _pool is None:
        return fn(*args)
    result, records = _pool.submit(_logged, fn, args).result()
    for record in records:
        logging.getLogger(record.name).handle(record)
    return result


def _set_level(level: int) -> None:
    logging.getLogger("pipeline").setLevel(level)


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args, record.exc_info = record.getMessage(), None, None  # picklable
        self.records.append(record)


def _logged(fn: Callable[..., T], args: tuple) -> tuple[T, list[logging.LogRecord]]:
    """In a worker: the call's result and the pipeline's log records it made."""
    logger, kept = logging.getLogger("pipeline"), _Kept()
    logger.addHandler(kept)
    propagate, logger.propagate = logger.propagate, False
    try:
        return fn(*args), kept.records
    finally:
        logger.removeHandler(kept)
        logger.propagate = propagate
