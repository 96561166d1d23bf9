"""Agreement between two auditors who audited the same cases (moderation)."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Agreement:
    cases: int
    agreed: int
    kappa: float | None

    @property
    def percentage(self) -> float | None:
        return 100 * self.agreed / self.cases if self.cases else None


def agreement(pairs: Sequence[tuple[object, object]]) -> Agreement:
    """Percentage agreement and Cohen's kappa for pairs of ratings of the same cases.

    Kappa is None where it is undefined: no pairs, or both auditors gave one and the same
    answer to every case (chance agreement is then 1).
    """
    cases = len(pairs)
    agreed = sum(first == second for first, second in pairs)
    if not cases:
        return Agreement(0, 0, None)
    firsts = Counter(first for first, _ in pairs)
    seconds = Counter(second for _, second in pairs)
    expected = sum(firsts[label] * seconds[label] for label in firsts) / (cases * cases)
    observed = agreed / cases
    kappa = None if expected == 1 else (observed - expected) / (1 - expected)
    return Agreement(cases, agreed, kappa)
