"""The files a source names: the file itself, a folder's files, or a glob's matches.

A folder or glob lists every regular file under it, readable or not: a `.zip` or `.xlsx` that
collect cannot read gets a rejection and an entry in the release's inputs instead of vanishing.
Hidden files and folders (a leading dot) are skipped, as glob and `datasets` skip them.

Symbolic links are resolved and each real file and folder is visited once, so a link back to a
parent (`loop -> ..`) cannot make a walk endless. A link that leads out of the source's root is
not followed unless the source says `follow_links: true`: a data folder must not be a way to read
`/etc/passwd` into rejection details. Such links, and special files (sockets, FIFOs, devices,
which would block a reader), are listed with the reason collect will not open them.
"""

from __future__ import annotations

import glob
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from pipeline.collect.compression import SUFFIXES
from pipeline.collect.readers import file_kind
from schemas import SourceConfig


@dataclass(frozen=True)
class SourceFile:
    """One file of a source; `problem` is the reason code when collect will not read it.

    `safe_to_open`: whether the file may be opened and hashed for the release's inputs. A `.zip`
    may (it is only rejected for its type); a link out of the source or a FIFO may not.
    """

    path: Path
    problem: str | None = None
    detail: str = ""
    safe_to_open: bool = True


def source_files(source: SourceConfig) -> list[SourceFile]:
    """Every file of a source in a stable order, each with the problem that keeps it out, if any."""
    path = Path(source.path)
    if path.is_file():
        return [classify(path, source)]
    if path.is_dir():
        return [classify(p, source, path) for p in _walk(path, _Match(), source.follow_links)]
    root, match = _split_glob(source.path)
    files = [classify(p, source, root) for p in _walk(root, match, source.follow_links)] if root.is_dir() else []
    if not files:
        raise FileNotFoundError(f"source {source.path!r} matches no file (relative paths start at {Path.cwd()})")
    return files


def expand_source(source: SourceConfig) -> list[Path]:
    """The files of a source that are safe to open: the readable ones and those to reject by type."""
    return [entry.path for entry in source_files(source) if entry.safe_to_open]


def classify(path: Path, source: SourceConfig, root: Path | None = None) -> SourceFile:
    """What collect will do with one file of a source (`root`: the folder or glob base it was found in)."""
    if root is None:
        root = _root_of(source)
    if root is not None and path.is_symlink() and not source.follow_links and not _inside(path, root):
        detail = "a symbolic link out of the source folder (follow_links: false)"
        return SourceFile(path, "link_outside_source", detail, safe_to_open=False)
    try:
        mode = path.stat().st_mode
    except OSError as err:
        return SourceFile(path, "unreadable_file", err.strerror or str(err), safe_to_open=False)
    if not stat.S_ISREG(mode):
        detail = "not a regular file (a FIFO, socket or device)"
        return SourceFile(path, "unsupported_file_type", detail, safe_to_open=False)
    if file_kind(path) is None:
        return SourceFile(path, "unsupported_file_type", f"cannot read {_type_name(path)} files")
    return SourceFile(path)


def _type_name(path: Path) -> str:
    name = "".join(path.suffixes[-2:]) if path.suffix.lower() in SUFFIXES else path.suffix
    return name.lower() or "extensionless"


def _root_of(source: SourceConfig) -> Path | None:
    path = Path(source.path)
    if path.is_dir():
        return path
    if path.is_file():
        return None
    return _split_glob(source.path)[0]


def _inside(path: Path, root: Path) -> bool:
    return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(root))


@dataclass(frozen=True)
class _Match:
    """Which paths under a root a source means: all (a folder) or a glob's, to a depth."""

    pattern: re.Pattern | None = None
    max_depth: int | None = None
    hidden: bool = False

    def wants(self, relative: str) -> bool:
        return self.pattern is None or self.pattern.fullmatch(relative) is not None


def _walk(root: Path, match: _Match, follow_links: bool) -> list[Path]:
    """Files under `root` that `match` wants (by path relative to it), each real file once."""
    real_root = Path(os.path.realpath(root))
    seen_dirs = {real_root}
    found: list[Path] = []
    pending, linked = [(root, "", 0)], []  # real folders first: a link to one is then the duplicate
    while pending or linked:
        if pending:
            folder, prefix, depth = pending.pop()
        else:
            folder, prefix, depth = linked.pop()
            real_folder = Path(os.path.realpath(folder))
            if real_folder in seen_dirs:
                continue
            seen_dirs.add(real_folder)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") and not match.hidden:
                continue
            relative = f"{prefix}{entry.name}"
            path = Path(folder) / entry.name
            real = Path(os.path.realpath(path))
            if _is_dir(entry):
                outside = not real.is_relative_to(real_root)
                deeper = match.max_depth is None or depth < match.max_depth
                if not deeper or real in seen_dirs or (outside and not follow_links):
                    continue
                if entry.is_symlink():
                    linked.append((path, f"{relative}/", depth + 1))
                else:
                    seen_dirs.add(real)
                    pending.append((path, f"{relative}/", depth + 1))
            elif match.wants(relative):
                found.append(path)
    return _once(found)


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir(follow_symlinks=True)
    except OSError:
        return False


def _once(paths: list[Path]) -> list[Path]:
    """One path to each real file: the file itself rather than a link to it, else the first link."""
    seen: set[Path] = set()
    kept = []
    for path in sorted(paths, key=lambda p: (p.is_symlink(), p)):
        real = Path(os.path.realpath(path))
        if real in seen:
            continue
        seen.add(real)
        kept.append(path)
    return sorted(kept)


def _split_glob(pattern: str) -> tuple[Path, _Match]:
    """The folder a glob starts in (its parts without wildcards) and a matcher for the rest."""
    parts = Path(pattern).parts
    fixed = 0
    while fixed < len(parts) - 1 and not glob.has_magic(parts[fixed]):
        fixed += 1
    rest = parts[fixed:]
    regex = "".join(_part_regex(part, last=index == len(rest) - 1) for index, part in enumerate(rest))
    return Path(*parts[:fixed]) if fixed else Path("."), _Match(
        pattern=re.compile(regex),
        max_depth=None if "**" in rest else len(rest) - 1,
        hidden=any(part.startswith(".") for part in rest),
    )


def _part_regex(part: str, last: bool) -> str:
    """One path part of a glob as a regular expression; `**` matches any number of folders."""
    separator = "" if last else "/"
    if part == "**":
        return "(?:[^/.][^/]*/)*" if not last else "(?:[^/.][^/]*/)*[^/.][^/]*"
    hidden = "" if part.startswith(".") else r"(?!\.)"
    return hidden + _translate(part) + separator


def _translate(part: str) -> str:
    out, index = [], 0
    while index < len(part):
        char = part[index]
        index += 1
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and (close := part.find("]", index + 1)) > 0:
            body = part[index:close]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body).replace("\\", "\\\\") + "]")
            index = close + 1
        else:
            out.append(re.escape(char))
    return "".join(out)
