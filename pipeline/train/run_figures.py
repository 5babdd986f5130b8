"""Figures of a whole run, also when it was stopped and resumed.

transformers reports `training_loss` and `train_runtime` for the part of a run one `train()` call
did: after a resume they cover only the resumed steps. The whole run's loss is rebuilt from the log
history (which the checkpoint carries), each logged loss weighted by the steps it covers; its time
is kept beside every checkpoint (`run_clock.json`) and added up on resume. Time after the last
checkpoint of a run that died is lost with that run's unsaved steps.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

CLOCK_FILE = "run_clock.json"


class RunClock(TrainerCallback):
    """Seconds of training across sessions, saved into each checkpoint."""

    def __init__(self, resumed_from: Path | None) -> None:
        self.offset = 0.0
        self.start_step = 0
        if resumed_from is not None:
            clock = resumed_from / CLOCK_FILE
            self.offset = json.loads(clock.read_text(encoding="utf-8"))["seconds"] if clock.exists() else 0.0
            state = json.loads((resumed_from / "trainer_state.json").read_text(encoding="utf-8"))
            self.start_step = state["global_step"]
        self.started = time.monotonic()

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.started = time.monotonic()

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        folder = Path(args.output_dir) / f"checkpoint-{state.global_step}"
        if folder.is_dir():
            (folder / CLOCK_FILE).write_text(json.dumps({"seconds": self.seconds()}) + "\n", encoding="utf-8")

    def seconds(self) -> float:
        return self.offset + time.monotonic() - self.started


def whole_run_figures(history: list[dict], seconds: float, steps: int) -> dict:
    """train_loss (logged losses weighted by the steps each covers), seconds and seconds per step."""
    total, covered, previous = 0.0, 0, 0
    for entry in history:
        if "loss" in entry:
            span = entry["step"] - previous
            total, covered, previous = total + entry["loss"] * span, covered + span, entry["step"]
    return {
        "train_loss": total / covered if covered else None,
        "seconds": round(seconds, 3),
        "seconds_per_step": round(seconds / max(steps, 1), 4),
    }
