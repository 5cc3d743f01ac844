"""What support covers and does not cover, with replies staff can send (policy 5, 6, 4.2)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScopeClass:
    """One out-of-scope class (policy 6.x): its clause code, a title and a reply staff can send."""

    code: str
    title: str
    reply: str


@dataclass(frozen=True)
class Scope:
    """In-scope topics (5.1), commitments about bugs (5.2, 5.3), and out-of-scope classes (6.x)."""

    topics: tuple[str, ...]
    commitments: tuple[str, ...]
    out_of_scope: tuple[ScopeClass, ...]

    def get(self, code: str) -> ScopeClass | None:
        """The out-of-scope class for a clause code such as '6.2', or None."""
        for item in self.out_of_scope:
            if item.code == code:
                return item
        return None

    def codes(self) -> tuple[str, ...]:
        """The clause codes of the out-of-scope classes, in policy order."""
        return tuple(item.code for item in self.out_of_scope)
