"""Isolation breaches by ownership, not by labels.

A journey owns its canary and every run or thread identity that came back in an event carrying that
canary. Across all users of a run, an event a user received is a breach when its canary, run or
thread belongs to another user's journey, whatever user id it carries (a server that rewrites
`*_user_id` fields on the way out cannot hide a leak). Each event counts once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from testcanon.events.journey import Observation


@dataclass
class Breaches:
    count: int = 0
    examples: list[str] = field(default_factory=list)
    limit: int = 20

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "examples": self.examples}


def attribute(journeys: Iterable[tuple[str, list[str], list[Observation]]], *, limit: int = 20) -> Breaches:
    """journeys: (user, that user's canaries, every event the user received as an observation)."""
    journeys = list(journeys)
    canary_owner: dict[str, str] = {}
    identity_owner: dict[Any, str] = {}
    for user, canaries, _ in journeys:
        for canary in canaries:
            canary_owner[canary] = user
    for user, canaries, observations in journeys:
        mine = set(canaries)
        for found_identities, found_canaries, _kind in observations:
            if mine.intersection(found_canaries):
                for identity in found_identities:
                    identity_owner.setdefault(identity, user)
    breaches = Breaches(limit=limit)
    for user, _, observations in journeys:
        for found_identities, found_canaries, kind in observations:
            other = next((canary_owner[c] for c in found_canaries if canary_owner.get(c, user) != user), None)
            how = "its canary"
            if other is None:
                for identity in found_identities:
                    owner = identity_owner.get(identity)
                    if owner is not None and owner != user:
                        other, how = owner, f"its {identity[0]} {identity[1]!r}"
                        break
            if other is not None:
                breaches.count += 1
                if len(breaches.examples) < limit:
                    breaches.examples.append(f"{user} received {kind} of {other}'s journey ({how})")
    return breaches
