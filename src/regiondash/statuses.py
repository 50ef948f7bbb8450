"""The tracker's own Status column, folded to the five migration states."""

from __future__ import annotations

import re

PLANNED, IN_PROGRESS, LIVE, ON_HOLD, CANCELLED = (
    "planned",
    "in_progress",
    "live",
    "on_hold",
    "cancelled",
)
STATUSES: tuple[str, ...] = (PLANNED, IN_PROGRESS, LIVE, ON_HOLD, CANCELLED)
STATUS_LABELS = {
    PLANNED: "Planned",
    IN_PROGRESS: "In progress",
    LIVE: "Live",
    ON_HOLD: "On hold",
    CANCELLED: "Cancelled",
}
# Statuses of migrations still to be delivered: the ones risks and RAG are about.
OPEN_STATUSES = frozenset({PLANNED, IN_PROGRESS, ON_HOLD})

# Words trackers use for each state, matched as whole words after folding case and punctuation.
# Checked in this order, so "not started" is planned before "started" is in progress and
# "on hold" wins over anything else in the cell ("In progress - on hold").
_STATUS_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        CANCELLED,
        (
            "cancelled",
            "canceled",
            "cancel",
            "withdrawn",
            "abandoned",
            "not proceeding",
            "no longer required",
            "stopped",
        ),
    ),
    (ON_HOLD, ("on hold", "hold", "paused", "deferred", "postponed", "suspended")),
    (
        PLANNED,
        (
            "not started",
            "awaiting",
            "planned",
            "planning",
            "scheduled",
            "booked",
            "pipeline",
            "awaiting start",
            "to start",
            "not yet started",
            "pending",
            "registered",
            "new",
            "ordered",
            "queued",
            "future",
        ),
    ),
    (IN_PROGRESS, ("pre go live", "pre live", "preparing")),
    (
        LIVE,
        (
            "live",
            "went live",
            "gone live",
            "migrated",
            "complete",
            "completed",
            "closed",
            "done",
            "finished",
            "post go live",
            "post live",
            "delivered",
        ),
    ),
    (
        IN_PROGRESS,
        (
            "in progress",
            "inprogress",
            "ongoing",
            "underway",
            "under way",
            "active",
            "in flight",
            "started",
            "progressing",
            "on track",
            "at risk",
            "delayed",
            "data checking",
            "cut over",
            "cutover",
            "in delivery",
            "wip",
        ),
    ),
)
_PATTERNS = [
    (state, re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b"))
    for state, words in _STATUS_WORDS
]


def reported_state(text: object) -> str | None:
    """The state a tracker's Status cell names (planned, in_progress, live, on_hold, cancelled),
    or None when it is blank or names none of them."""
    if text is None:
        return None
    folded = " ".join(re.sub(r"[^a-z0-9]+", " ", str(text).lower()).split())
    if not folded:
        return None
    # "Not live" / "not yet live" mean the migration has not gone live.
    if re.search(r"\bnot (yet )?(live|complete|completed|migrated)\b", folded):
        return PLANNED if "start" not in folded else IN_PROGRESS
    for state, pattern in _PATTERNS:
        if pattern.search(folded):
            return state
    return None
