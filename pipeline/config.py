"""Load a config from YAML, with errors that name the file, the line, the field and the fix.

YAML is parsed once into nodes, checked, then built: an alias bomb (a few lines whose aliases
expand into millions of values) is refused before it is expanded, a key given twice is refused
(YAML keeps the second silently), and an error never echoes more than a short piece of the input
back, whatever its size.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from schemas import RunConfig

# A run config holds a few hundred values; aliases that expand past this are a bomb, not a config.
MAX_VALUES = 100_000
ECHO_CHARS = 120
MAX_PROBLEMS = 20

M = TypeVar("M", bound=BaseModel)


class ConfigError(ValueError):
    """A configuration problem, worded for the person who wrote the file."""


def load_run_config(path: str | Path, overrides: Sequence[str] = ()) -> RunConfig:
    """The run config of a YAML file, with `key=value` overrides (`--set runner.workers=2`) applied."""
    return load_config(path, RunConfig, "a mapping with at least 'dataset' and 'sources'", overrides)


def load_config(path: str | Path, model: type[M], shape: str = "a mapping", overrides: Sequence[str] = ()) -> M:
    """The validated model of a YAML file; every problem is one ConfigError naming file, line and field."""
    path = Path(path)
    data, node = load_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the config must be {shape}")
    data = apply_overrides(path, data, overrides)
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise ConfigError(describe(path, node, err, overrides)) from None


def load_yaml(path: Path) -> tuple[object, yaml.Node | None]:
    """The data of a YAML file and its node tree (for line numbers), refusing bombs and repeated keys."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) else f"not UTF-8 ({err.reason} at byte {err.start})"
        raise ConfigError(f"{path}: cannot read the config: {reason}") from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check(path, node)
        return loader.construct_document(node), node
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML: {_echo(str(err), 600)}") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid YAML: nested too deeply") from None
    finally:
        loader.dispose()


def apply_overrides(path: Path, data: dict, overrides: Sequence[str]) -> dict:
    """A copy of the config with each `dotted.key=value` set; the value is read as YAML (2, true, [a, b])."""
    data = copy.deepcopy(data)
    for override in overrides:
        dotted, sep, text = override.partition("=")
        if not sep or not dotted.strip():
            raise ConfigError(f"{path}: --set {_echo(override)!r} should look like key=value (runner.workers=2)")
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError:
            value = text
        *parents, leaf = dotted.strip().split(".")
        node = data
        for part in parents:
            child = node.get(part) if isinstance(node, dict) else None
            if child is None:
                child = node[part] = {}
            if not isinstance(child, dict):
                raise ConfigError(f"{path}: --set {_echo(override)!r}: {part!r} is not a section")
            node = child
        node[leaf] = value
    return data


def describe(path: Path, node: yaml.Node | None, err: ValidationError, overrides: Sequence[str] = ()) -> str:
    problems = err.errors()
    lines = [f"{path}: {err.error_count()} problem(s) in the config:"]
    for problem in problems[:MAX_PROBLEMS]:
        field = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        given = next((o for o in overrides if field.startswith(o.partition("=")[0].strip())), None)
        line = line_of(node, problem["loc"])
        where = f"--set {_echo(given)}, " if given else f"line {line}, " if line else ""
        got = f" (got {_echo(repr(problem['input']))})" if problem["type"] != "missing" else ""
        lines.append(f"  {where}{_echo(field)}: {_echo(problem['msg'], 300)}{got}")
    if len(problems) > MAX_PROBLEMS:
        lines.append(f"  ... and {len(problems) - MAX_PROBLEMS} more")
    return "\n".join(lines)


def _echo(text: str, limit: int = ECHO_CHARS) -> str:
    """A piece of the input, short: an error must stay readable whatever the input holds."""
    return text if len(text) <= limit else f"{text[: limit - 1]}… ({len(text):,} characters)"


def _check(path: Path, root: yaml.Node) -> None:
    """Count the values the nodes expand to (an alias counts its whole target again), refuse a
    count past MAX_VALUES, an alias inside its own anchor, and a mapping that repeats a key."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > MAX_VALUES:
                raise ConfigError(
                    f"{path}: line {node.start_mark.line + 1}: YAML aliases expand to more than {MAX_VALUES:,} values"
                    " (an alias bomb?)"
                )
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise ConfigError(f"{path}: line {node.start_mark.line + 1}: a YAML alias refers to itself")
        on_path.add(key)
        if isinstance(node, yaml.MappingNode):
            _refuse_repeated_keys(path, node)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _refuse_repeated_keys(path: Path, node: yaml.MappingNode) -> None:
    seen: set[str] = set()
    for key, _ in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value != "<<":
            if key.value in seen:
                raise ConfigError(
                    f"{path}: line {key.start_mark.line + 1}: key {_echo(key.value)!r} appears twice"
                    " (YAML would keep only the second)"
                )
            seen.add(key.value)


def line_of(node: yaml.Node | None, loc: tuple) -> int | None:
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
