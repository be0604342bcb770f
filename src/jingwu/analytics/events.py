"""What analytics tells the others, after commit."""

from __future__ import annotations

from typing import Literal

from jingwu.core.events import Event


class ReviewGenerated(Event):
    type: Literal["analytics.review_generated"] = "analytics.review_generated"
    review_id: int
    kind: str
    period_start: str
    total: int
    unusual: list[str]


class CommendationRecorded(Event):
    type: Literal["analytics.commendation_recorded"] = "analytics.commendation_recorded"
    commendation_id: int
    kind: str
    officer_id: int | None


class FeedbackRecorded(Event):
    type: Literal["analytics.feedback_recorded"] = "analytics.feedback_recorded"
    feedback_id: int
    score: int
