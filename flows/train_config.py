"""Loading TRAIN.yaml: errors that name the file, the line and the field, before Prefect is imported.

`sft train` and `sft tune` check their config with these before any flow starts, so a mistake is
told in well under a second, without a traceback; the flows load it again the same way.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import yaml
from pydantic import ValidationError

from pipeline.config import ConfigError, line_of, load_yaml
from schemas.train import BUNDLED_GENERAL_TEXT, TrainConfig, TuneConfig

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _read_yaml(path: Path) -> tuple[dict, yaml.Node | None]:
    """The YAML with the run config's guards (alias bombs, repeated keys, short echoes)."""
    data, node = load_yaml(path)
    if data is not None and not isinstance(data, dict):
        raise ConfigError(f"{path}: a training config is a mapping with at least 'release' and 'model'")
    return data or {}, node


def load_train_config(path: str | Path) -> TrainConfig:
    """TRAIN.yaml, with errors that name the file, the line and the field (an unknown key is an error)."""
    path = Path(path)
    data, node = _read_yaml(path)
    try:
        config = TrainConfig.model_validate({k: v for k, v in data.items() if k != "tune"})
    except ValidationError as err:
        raise ConfigError(_problems(path, node, err, TrainConfig, ())) from None
    return _with_bundled_text(config)


def load_tune_config(path: str | Path) -> TuneConfig:
    path = Path(path)
    data, node = _read_yaml(path)
    try:
        return TuneConfig.model_validate(data.get("tune") or {})
    except ValidationError as err:
        raise ConfigError(_problems(path, node, err, TuneConfig, ("tune",))) from None


def _problems(path: Path, node: yaml.Node | None, err: ValidationError, model: type, prefix: tuple) -> str:
    lines = [f"{path}: {err.error_count()} problem(s) in the training config:"]
    for problem in err.errors():
        loc = (*prefix, *problem["loc"])
        line = line_of(node, loc)
        where = f"line {line}, " if line else ""
        message = problem["msg"]
        if problem["type"] == "extra_forbidden":
            message = _unknown_key(model, problem["loc"])
        lines.append(f"  {where}{'.'.join(map(str, loc))}: {message}")
    return "\n".join(lines)


def _unknown_key(model: type, loc: tuple) -> str:
    """Why a key is refused: a typo (with the nearest known key), or a second name for a key already given."""
    section = model
    for part in loc[:-1]:
        field = section.model_fields.get(part) if isinstance(part, str) else None
        if field is None or not isinstance(field.annotation, type):
            break
        section = field.annotation
    key = str(loc[-1])
    names: dict[str, str] = {}
    for name, field in getattr(section, "model_fields", {}).items():
        choices = getattr(field.validation_alias, "choices", [name])
        names |= {str(choice): name for choice in choices}
    if key in names:
        return f"the same setting as {names[key]!r}, which is also given: keep one"
    close = difflib.get_close_matches(key, names, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else f" (known keys: {', '.join(sorted(names))})"
    return f"unknown key {key!r}{hint}"


def _with_bundled_text(config: TrainConfig) -> TrainConfig:
    """The bundled general-text sample is found from any working folder, not only the project's."""
    text = config.eval.general_text
    if text == BUNDLED_GENERAL_TEXT and not Path(text).exists():
        bundled = str(PROJECT_ROOT / BUNDLED_GENERAL_TEXT)
        return config.model_copy(update={"eval": config.eval.model_copy(update={"general_text": bundled})})
    return config
