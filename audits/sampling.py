"""A reproducible random sample: anyone with the seed and the population can redraw it.

Method ``sha256-rank-v1``: every case in the frozen population gets the key
``SHA-256("<seed>:<case reference>")`` (UTF-8, hex digest); cases are ranked by key, then by
reference; the sample is the first N in that ranking. Extending the sample takes the next
cases in the same ranking, so the first cases never change. The result depends only on the
seed and the set of references: not on the order of the file, the machine or the process's
random state. The population checksum is ``SHA-256`` of the sorted references joined by
newlines, so a reviewer can confirm they hold the same population.
"""

import hashlib
import secrets
from collections.abc import Iterable

METHOD = "sha256-rank-v1"


def new_seed() -> str:
    return secrets.token_hex(8)


def rank_key(seed: str, reference: str) -> str:
    return hashlib.sha256(f"{seed}:{reference}".encode()).hexdigest()


def ranked(seed: str, references: Iterable[str]) -> list[str]:
    """The whole population in draw order."""
    return sorted(references, key=lambda reference: (rank_key(seed, reference), reference))


def draw(seed: str, references: Iterable[str], size: int) -> list[str]:
    """The first ``size`` cases in draw order (all of them if there are fewer)."""
    return ranked(seed, references)[:size]


def population_checksum(references: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(references)).encode()).hexdigest()
