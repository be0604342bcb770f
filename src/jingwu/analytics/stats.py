"""Is a rise unusual? An exact Poisson tail against a baseline, not a fixed percentage.

The baseline of a count is the mean of the same period a year before and the periods just
before it (a seasonal and a recent reference). Under "nothing changed" the count is Poisson
with that mean; a rise is flagged when its upper-tail probability is below ``ALPHA`` after a
Bonferroni correction over the number of series tested together.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import poisson

ALPHA = 0.05
MIN_BASELINE = 0.5  # a series never seen before still needs a rate to be tested against


@dataclass(frozen=True)
class RiseTest:
    observed: int
    baseline: float
    z: float  # (observed - baseline) / sqrt(baseline)
    p_value: float  # P(X >= observed | baseline)
    unusual: bool


def pct_change(current: float, before: float) -> float | None:
    """Per cent change; None when there is nothing to compare with."""
    if before == 0:
        return None
    return (current - before) / before * 100.0


def baseline_of(references: list[float]) -> float:
    if not references:
        return MIN_BASELINE
    return max(sum(references) / len(references), MIN_BASELINE)


def poisson_rise(observed: int, baseline: float, *, tests: int = 1) -> RiseTest:
    rate = max(baseline, MIN_BASELINE)
    p_value = float(poisson.sf(observed - 1, rate)) if observed > 0 else 1.0
    z = (observed - rate) / math.sqrt(rate)
    threshold = ALPHA / max(tests, 1)
    return RiseTest(observed, rate, z, p_value, observed > rate and p_value < threshold)
