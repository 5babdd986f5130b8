"""Load a run config from YAML, with errors that name the file, the line, the field and the fix."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from schemas import RunConfig


class ConfigError(ValueError):
    """A configuration problem, worded for the person who wrote the file."""


def load_run_config(path: str | Path) -> RunConfig:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"{path}: cannot read the config: {err.strerror}") from None
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML: {err}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the config must be a mapping with at least 'dataset' and 'sources'")
    try:
        return RunConfig.model_validate(data)
    except ValidationError as err:
        lines = [f"{path}: {err.error_count()} problem(s) in the config:"]
        for problem in err.errors():
            field = ".".join(str(part) for part in problem["loc"]) or "(top level)"
            line = _line_of(node, problem["loc"])
            where = f"line {line}, " if line else ""
            got = f" (got {problem['input']!r})" if problem["type"] != "missing" else ""
            lines.append(f"  {where}{field}: {problem['msg']}{got}")
        raise ConfigError("\n".join(lines)) from None


def _line_of(node: yaml.Node | None, loc: tuple) -> int | None:
    """The 1-based YAML line of the deepest node along `loc` that exists in the file."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            node = None
        if node is None:
            break
        line = node.start_mark.line + 1
    return line
