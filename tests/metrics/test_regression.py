"""Hand-computed CCC, MSE and Pearson (population statistics)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from emer_bench.metrics.regression import ccc, mse, pearson


def test_ccc_by_hand() -> None:
    # x = 1 2 3, y = 2 4 6: means 2 and 4, var 2/3 and 8/3, cov 4/3 (all /n)
    # CCC = 2 * 4/3 / (2/3 + 8/3 + (2 - 4)^2) = (8/3) / (22/3) = 8/22
    assert ccc([1, 2, 3], [2, 4, 6]) == pytest.approx(8 / 22)


def test_ccc_uses_population_statistics() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=50), rng.normal(size=50)
    cov = np.cov(x, y, bias=True)[0, 1]
    expected = 2 * cov / (x.var() + y.var() + (x.mean() - y.mean()) ** 2)
    assert ccc(x, y) == pytest.approx(expected)
    # with the same rho, 2*rho*sx*sy form of docs/openvocab-metrics.md §9
    rho = pearson(x, y)
    assert ccc(x, y) == pytest.approx(2 * rho * x.std() * y.std() / (x.var() + y.var() + (x.mean() - y.mean()) ** 2))


def test_ccc_special_cases() -> None:
    assert ccc([0.1, 0.5, -0.3], [0.1, 0.5, -0.3]) == pytest.approx(1.0)
    assert ccc([1, 2, 3], [-1, -2, -3]) < 0
    assert ccc([1, 2, 3], [2, 2, 2]) == 0.0  # a constant prediction has no concordance
    assert math.isnan(ccc([2, 2], [2, 2]))  # 0/0
    assert math.isnan(ccc([], []))


def test_mse_by_hand() -> None:
    assert mse([1, 2, 3], [2, 4, 6]) == pytest.approx((1 + 4 + 9) / 3)
    assert mse([0.5], [0.5]) == 0.0
    assert math.isnan(mse([], []))


def test_pearson_by_hand() -> None:
    # dx = dy-permuted: sum dx*dy = 4, sum dx^2 = sum dy^2 = 5 -> r = 0.8
    assert pearson([1, 2, 3, 4], [1, 3, 2, 4]) == pytest.approx(0.8)
    assert pearson([1, 2, 3], [3, 5, 7]) == 1.0
    assert math.isnan(pearson([1, 2, 3], [1, 1, 1]))
    assert math.isnan(pearson([], []))


def test_length_mismatch() -> None:
    with pytest.raises(ValueError, match="values"):
        ccc([1, 2], [1])


def test_constant_sides_are_exact_despite_round_off() -> None:
    # mean([0.7]*3) is not exactly 0.7 in floating point; a constant side must still be constant
    assert math.isnan(pearson([0.7, 0.7, 0.7], [0.1, 0.5, 0.2]))
    assert ccc([0.7, 0.7, 0.7], [0.1, 0.5, 0.2]) == 0.0
    assert math.isnan(ccc([0.7, 0.7, 0.7], [0.7, 0.7, 0.7]))
    assert ccc([0.7, 0.7, 0.7], [0.1, 0.1, 0.1]) == 0.0
