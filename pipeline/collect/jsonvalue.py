"""JSON text to a value that every later stage can handle, or the precise reason it is not one.

Python's `json` accepts things that break a build later, far from the file and line: NaN and
Infinity (not JSON; written back out they make an invalid release), a lone surrogate escape such
as "\\ud800" (it decodes, then fails to encode as UTF-8 when the record is hashed or written), an
integer of more than 4,300 digits (a ValueError that is not a JSONDecodeError), and nesting deep
enough to raise RecursionError here or in pydantic later. Each becomes its own reason code.
"""

from __future__ import annotations

import json
import re

from pipeline.collect.problems import RowProblem

# A conversation row nests 4-6 levels (row, messages, message, tool call, arguments); tool
# arguments and schemas rarely pass 20. 64 is ample and far below the interpreter's recursion limit.
MAX_DEPTH = 64

_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


class _NotJson(ValueError):
    pass


def _refuse_constant(name: str) -> object:
    raise _NotJson(f"{name} is not valid JSON")


DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def loads(text: str, what: str = "") -> object:
    """The checked value of one JSON text; `what` prefixes details ("turn 2: ")."""
    try:
        value = DECODER.decode(text)
    except json.JSONDecodeError as err:
        raise RowProblem("malformed_json", f"{what}{err.msg} (column {err.colno})") from None
    except (RecursionError, ValueError) as err:
        raise problem_of(err, what) from None
    check(value, text, what)
    return value


def problem_of(err: BaseException, what: str = "") -> RowProblem:
    """The row problem of an error `json` raised other than a syntax error."""
    if isinstance(err, RecursionError):
        return RowProblem("too_deeply_nested", f"{what}nested deeper than Python's recursion limit")
    if isinstance(err, _NotJson):
        return RowProblem("malformed_json", f"{what}{err}")
    return RowProblem("number_too_large", f"{what}{err}")


def check(value: object, text: str | None = None, what: str = "") -> None:
    """Refuse nesting deeper than MAX_DEPTH and strings holding lone surrogates.

    With the JSON text at hand, cheap counts skip the walk for almost every row: a text with
    fewer brackets than MAX_DEPTH cannot nest deeper, and one without a \\uD8xx-\\uDFxx escape
    cannot hold a surrogate (decoded UTF-8 never does).
    """
    deep = text is None or text.count("[") + text.count("{") > MAX_DEPTH
    surrogates = text is None or _ESCAPED_SURROGATE.search(text) is not None
    if deep or surrogates:
        _walk(value, what, deep, surrogates)


def _walk(value: object, what: str, deep: bool, surrogates: bool) -> None:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if surrogates and _SURROGATE.search(item):
                raise RowProblem("lone_surrogate", f"{what}a string holds a lone surrogate escape (\\ud800-\\udfff)")
            continue
        if isinstance(item, dict):
            children = [*item.keys(), *item.values()]
        elif isinstance(item, (list, tuple)):
            children = list(item)
        else:
            continue
        if deep and depth > MAX_DEPTH:
            raise RowProblem("too_deeply_nested", f"{what}nested more than {MAX_DEPTH} levels deep")
        stack.extend((child, depth + 1) for child in children)
