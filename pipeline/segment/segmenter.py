"""Segmenter backends behind one interface: jieba (reference), rjieba, THULAC and pkuseg.

jieba keeps a dictionary in module-level state; an explicit `jieba.Tokenizer` per configuration
keeps two configurations (different user dictionaries, say) from leaking into each other.
rjieba is about 20x faster. THULAC and pkuseg are optional extras (`pip install thulac`; pkuseg
needs numpy and cython first and `--no-build-isolation`, the Makefile does it); LTP is not
offered: it loads its models from a model hub only, so it cannot run offline.
With HMM off rjieba gives jieba's tokens exactly (100% of 4,000
alpaca/medical texts and of 红楼梦's 3,127 paragraphs). With HMM on, 红楼梦 is still identical, but
96.1% of the alpaca/medical texts are (99.5% of jieba's token spans): rjieba keeps Latin-digit
runs such as "HSV-2" whole where jieba's HMM splits them (tests/pipeline/segment/test_parity.py).
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Protocol

from schemas import Segmentation, SegmentConfig

log = logging.getLogger(__name__)


class Backend(Protocol):
    """`cut` is, where the library's own words need no alignment, the library's call itself (a
    bound partial, no Python frame between): at rjieba's speed a wrapper's frame is 4% of its time."""

    def cut(self, text: str) -> list[str]: ...

    def raw(self, text: str) -> object:
        """The library's own call, unaligned (what benchmarks compare the stage with)."""

    def tag(self, text: str) -> list[tuple[str, str]]: ...


class JiebaBackend:
    """jieba with its own dictionary state; the POS tagger (seconds to load its word tags) only on use."""

    def __init__(self, hmm: bool, user_dicts: list[str]) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._hmm = hmm
        self._tokenizer = jieba.Tokenizer()
        self._tokenizer.initialize()
        for path in user_dicts:
            self._tokenizer.load_userdict(path)
        self.cut = self.raw = functools.partial(self._tokenizer.lcut, HMM=hmm)

    @cached_property
    def _pos(self) -> object:
        import jieba.posseg

        return jieba.posseg.POSTokenizer(self._tokenizer)

    def tag(self, text: str) -> list[tuple[str, str]]:
        return [(pair.word, pair.flag) for pair in self._pos.lcut(text, HMM=self._hmm)]


class RjiebaBackend:
    """rjieba has `add_word` but no `load_userdict`, so user dictionaries are read here."""

    def __init__(self, hmm: bool, user_dicts: list[str]) -> None:
        import rjieba

        self._hmm = hmm
        self._jieba = rjieba.Jieba()
        for path in user_dicts:
            for word, freq, tag in _dictionary_entries(Path(path)):
                self._jieba.add_word(word, freq, tag)
        self.cut = self.raw = functools.partial(self._jieba.cut, hmm=hmm)

    def tag(self, text: str) -> list[tuple[str, str]]:
        return self._jieba.tag(text, self._hmm)


class ThulacBackend:
    """THULAC (Tsinghua): its models ship inside the package, so it works offline (~61k chars/s).

    It drops and merges whitespace, so its words are aligned back onto the text (see `align`).
    """

    def __init__(self, hmm: bool, user_dicts: list[str], pos: bool = False) -> None:
        import contextlib
        import io

        import thulac

        merged = _merged_user_dict(user_dicts)
        with contextlib.redirect_stdout(io.StringIO()):  # it prints "Model loaded succeed"
            # Tagging makes THULAC 20x slower (3.8k against 79k characters/s), so only on request.
            self._thulac = thulac.thulac(user_dict=merged, seg_only=not pos)

    def raw(self, text: str) -> object:
        return self._thulac.cut(text)

    def cut(self, text: str) -> list[str]:
        return align(text, [word for word, _ in self._thulac.cut(text)])

    def tag(self, text: str) -> list[tuple[str, str]]:
        return align_tagged(text, [(word, tag) for word, tag in self._thulac.cut(text)])


class PkusegBackend:
    """pkuseg (Peking University): its default segmentation model ships with the package.

    Its part-of-speech model is downloaded from GitHub on first use, so tags are unavailable
    offline and asking for them fails early. It drops whitespace: words are aligned back.
    """

    def __init__(self, hmm: bool, user_dicts: list[str], pos: bool = False) -> None:
        import pkuseg

        merged = _merged_user_dict(user_dicts)
        self._pkuseg = pkuseg.pkuseg(user_dict=merged or "default")

    def raw(self, text: str) -> object:
        return self._pkuseg.cut(text)

    def cut(self, text: str) -> list[str]:
        return align(text, self._pkuseg.cut(text))

    def tag(self, text: str) -> list[tuple[str, str]]:
        raise ValueError("segment.backend pkuseg cannot tag parts of speech offline (its POS model is downloaded)")


def _merged_user_dict(user_dicts: list[str]) -> str | None:
    """THULAC and pkuseg take one dictionary file of words; jieba's format carries frequency and tag."""
    if not user_dicts:
        return None
    import tempfile

    words = [entry[0] for path in user_dicts for entry in _dictionary_entries(Path(path))]
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as handle:
        handle.write("\n".join(words) + "\n")
    return handle.name


def align(text: str, words: list[str]) -> list[str]:
    """Tokens that concatenate to `text` exactly: the backend's words, with the whitespace (or
    anything else) it dropped restored as tokens of their own."""
    return [word for word, _ in align_tagged(text, [(w, "") for w in words])]


def align_tagged(text: str, tagged: list[tuple[str, str]]) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    for word, tag in tagged:
        found = text.find(word, position) if word else -1
        if found < 0:
            continue  # the backend changed this word's characters: its text comes in a gap
        if found > position:
            tokens.append((text[position:found], "x"))
        tokens.append((word, tag))
        position = found + len(word)
    if position < len(text):
        tokens.append((text[position:], "x"))
    return tokens


def _dictionary_entries(path: Path) -> list[tuple[str, int | None, str | None]]:
    """jieba's user dictionary format: `word [freq] [tag]` per line."""
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts:
            continue
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        tag = parts[-1] if len(parts) > 1 and not parts[-1].isdigit() else None
        entries.append((parts[0], freq, tag))
    return entries


def bundled_stop_words() -> frozenset[str]:
    """stopwords-iso's Chinese list (794 words, MIT); jieba's own list is 31 English words."""
    import stopwordsiso

    return frozenset(stopwordsiso.stopwords("zh"))


@dataclass
class Segmenter:
    """A backend with its config. `mark_stop_words`: whether each Segmentation carries its stop-word
    marks; a build asks for them only when something reads them (see `pipeline.stages`), as they
    cost about a fifth of rjieba's own time (0.023 s against 0.12 s on 2 MB of text)."""

    backend: Backend
    config: SegmentConfig
    stop_words: frozenset[str] = field(default_factory=frozenset)
    mark_stop_words: bool = True

    def segment(self, text: str) -> Segmentation:
        if self.config.pos:
            pairs = self.backend.tag(text)
            words, pos = tuple(w for w, _ in pairs), tuple(t for _, t in pairs)
        else:
            words, pos = tuple(self.backend.cut(text)), None
        stop = tuple(map(self.stop_words.__contains__, words)) if self.mark_stop_words and self.stop_words else None
        pinyin = self._pinyin(words) if self.config.pinyin else None
        return Segmentation(words=words, pos=pos, stop=stop, pinyin=pinyin)

    def words(self, text: str) -> list[str]:
        return self.backend.cut(text)

    @staticmethod
    def _pinyin(words: tuple[str, ...]) -> tuple[str, ...]:
        from pypinyin import lazy_pinyin

        return tuple(" ".join(lazy_pinyin(word)) for word in words)


def load_segmenter(config: SegmentConfig, mark_stop_words: bool = True) -> Segmenter:
    for path in config.user_dicts:
        if not Path(path).is_file():
            raise ValueError(f"segment.user_dicts: {path!r} is not a file")
    backends = {"jieba": JiebaBackend, "rjieba": RjiebaBackend, "thulac": ThulacBackend, "pkuseg": PkusegBackend}
    backend_class = backends[config.backend]
    if config.backend == "pkuseg" and config.pos:
        raise ValueError("segment.backend pkuseg cannot tag parts of speech offline; use jieba, rjieba or thulac")
    if config.stop_words:
        stop_path = Path(config.stop_words)
        if not stop_path.is_file():
            raise ValueError(f"segment.stop_words: {config.stop_words!r} is not a file")
        stop_words = frozenset(w.strip() for w in stop_path.read_text(encoding="utf-8").splitlines() if w.strip())
    else:
        stop_words = bundled_stop_words()
    backend = (
        backend_class(config.hmm, config.user_dicts, config.pos)
        if config.backend in ("thulac", "pkuseg")
        else (backend_class(config.hmm, config.user_dicts))
    )
    return Segmenter(backend, config, stop_words, mark_stop_words)
