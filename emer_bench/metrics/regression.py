"""Agreement metrics for continuous ratings (valence, arousal).

All statistics are POPULATION statistics (divide by n), as in the CCC definition used by AVEC /
ABAW (docs/openvocab-metrics.md §9):

    CCC = 2 cov(x, y) / (var(x) + var(y) + (mean(x) - mean(y))^2),  with cov = rho * sx * sy.

Undefined values are NaN rather than a made-up number: every metric of an empty input; Pearson
when either side is constant; CCC when both sides are the same constant (0/0).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

ArrayLike = npt.ArrayLike


def _pair(x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    xa = np.asarray(x, dtype=np.float64).ravel()
    ya = np.asarray(y, dtype=np.float64).ravel()
    if xa.shape != ya.shape:
        raise ValueError(f"x has {xa.size} values but y has {ya.size}")
    return xa, ya


def ccc(x: ArrayLike, y: ArrayLike) -> float:
    """Lin's concordance correlation coefficient with population (1/n) moments."""
    xa, ya = _pair(x, y)
    if xa.size == 0:
        return float("nan")
    mx, my = xa.mean(), ya.mean()
    # A constant side has exactly zero (co)variance; computing it would leave round-off (1e-33).
    constant = np.ptp(xa) == 0 or np.ptp(ya) == 0
    cov = 0.0 if constant else np.mean((xa - mx) * (ya - my))
    var_x = 0.0 if np.ptp(xa) == 0 else xa.var()
    var_y = 0.0 if np.ptp(ya) == 0 else ya.var()
    den = var_x + var_y + (mx - my) ** 2
    return float(2.0 * cov / den) if den > 0 else float("nan")


def mse(x: ArrayLike, y: ArrayLike) -> float:
    xa, ya = _pair(x, y)
    return float(np.mean((xa - ya) ** 2)) if xa.size else float("nan")


def pearson(x: ArrayLike, y: ArrayLike) -> float:
    """Pearson's r; NaN when either side has zero variance (as scipy does, minus the warning)."""
    xa, ya = _pair(x, y)
    if xa.size == 0 or np.ptp(xa) == 0 or np.ptp(ya) == 0:  # exact test: round-off would give ~1e-15
        return float("nan")
    dx, dy = xa - xa.mean(), ya - ya.mean()
    den = np.sqrt(np.sum(dx * dx) * np.sum(dy * dy))
    if den == 0:
        return float("nan")
    # Clip float round-off so a perfect relation reads exactly +-1.
    return float(np.clip(np.sum(dx * dy) / den, -1.0, 1.0))
