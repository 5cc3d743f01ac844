"""Product versions and whether a version is still supported (policy 7.1, 7.2)."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Iterable, NamedTuple

# policy 7.1: four short numbers; the bounds keep a version inside its varchar(32) column and
# clear of int()'s 4,300-digit limit
PART_DIGITS = 6
MAX_LENGTH = 32
_SHAPE = re.compile(rf"[0-9]{{1,{PART_DIGITS}}}(\.[0-9]{{1,{PART_DIGITS}}}){{3}}")
VERSION_HINT = (f"Version must look like 7.6.2.0 (Major.Minor.Subminor.Patch), "
                f"four numbers of at most {PART_DIGITS} digits each")


class VersionError(ValueError):
    """A version string that is not Major.Minor.Subminor.Patch (policy 7.1)."""


class Version(NamedTuple):
    """Major.Minor.Subminor.Patch, ordered as numbers (policy 7.1)."""

    major: int
    minor: int
    subminor: int
    patch: int

    def __str__(self) -> str:
        return ".".join(str(part) for part in self)


@dataclass(frozen=True)
class VersionVerdict:
    """status: unsupported | update_recommended | current | newer_than_known | unknown | invalid."""

    status: str
    message: str
    latest: Version | None = None


def parse_version(text: str) -> Version:
    """Parse '7.6.2.0' into a Version; anything else raises VersionError (policy 7.1)."""
    if not isinstance(text, str):
        raise VersionError(f"{VERSION_HINT}; got {type(text).__name__}")
    cleaned = text.strip()
    if len(cleaned) > MAX_LENGTH or not _SHAPE.fullmatch(cleaned):
        shown = cleaned if len(cleaned) <= 40 else cleaned[:37] + "..."
        raise VersionError(f"{VERSION_HINT}; got {shown!r}")
    return Version(*(int(part) for part in cleaned.split(".")))


def judge_version(text: str, releases: Iterable[str]) -> VersionVerdict:
    """Compare a user's version with the known releases; never raises (policy 7.2).

    A verdict depends on the text and the releases alone, and a page asks for the same ones on
    every load (the staff ticket page): verdicts on strings are remembered (at most 4,096)."""
    releases = tuple(releases or ())
    if (text is None or type(text) is str) and all(type(release) is str for release in releases):
        return _judged(text, releases)
    return _judge(text, releases)  # other values (a number, an object): judged, not remembered


@functools.lru_cache(maxsize=4096)
def _judged(text, releases):
    return _judge(text, releases)


def _judge(text, releases):
    known = []
    for release in releases or ():
        try:
            known.append(parse_version(str(release)))
        except VersionError:
            continue  # a malformed release entry must not break the ticket form
    latest = max(known) if known else None
    try:
        version = parse_version(text)
    except VersionError as exc:
        return VersionVerdict("invalid", str(exc), latest)
    if latest is None:
        return VersionVerdict("unknown", f"No releases are known, so {version} cannot be checked yet.", None)
    if version.major < latest.major:
        return VersionVerdict(
            "unsupported",
            f"{version.major}.x is no longer supported, update to {latest} (policy 7.2).",
            latest,
        )
    if version < latest:
        return VersionVerdict(
            "update_recommended",
            f"{version} is not the latest release: update to {latest} first, the problem may already be fixed (policy 7.2).",
            latest,
        )
    if version == latest:
        return VersionVerdict("current", f"{version} is the latest release.", latest)
    return VersionVerdict("newer_than_known", f"{version} is newer than the latest known release {latest}.", latest)
