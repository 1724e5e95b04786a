"""Piecewise schedules given by values and boundaries.

Boundaries and values are array leaves and the piece is found by one search
(binary beyond 64 pieces), so the compiled program has the same size for 100
or 100,000 pieces.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp

from . import _fields as f
from ._arith import Duration, Step, count_reached, take
from ._schedule import Schedule
from ._shapes import interpolate_knots


class piecewise_constant(Schedule):  # noqa: N801
    r"""Constant pieces: ``values[i]`` from ``boundaries[i-1]`` (inclusive) to ``boundaries[i]`` (exclusive).

    .. math:: v(t) = values_i \quad \text{for } boundaries_{i-1} \le t < boundaries_i

    ``len(values) == len(boundaries) + 1``; boundaries must be sorted and
    non-negative. The value changes *at* a boundary, as in torch's
    `MultiStepLR` and optax.

    >>> import lrjax
    >>> s = lrjax.piecewise_constant([1.0, 0.5, 0.1], boundaries=[10, 20])
    >>> print(s(9), s(10), s(25))
    1.0 0.5 0.1
    """

    values: jax.Array = f.values()
    _: dataclasses.KW_ONLY
    boundaries: Duration = f.durations()

    def __check_init__(self) -> None:
        _check_lengths(self, self.boundaries.shape[-1] + 1, "one more than boundaries")

    def _evaluate(self, t: Step) -> jax.Array:
        return take(self.values, count_reached(t, self.boundaries))


class piecewise_linear(Schedule):  # noqa: N801
    r"""Interpolates the knots ``(boundaries[i], values[i])``, holding the first and last value outside them.

    .. math:: v(t) = values_i + (values_{i+1} - values_i)\,w\!\left(\frac{t - boundaries_i}{boundaries_{i+1} - boundaries_i}\right)

    for :math:`boundaries_i \le t < boundaries_{i+1}`, with :math:`w(f) = f`
    (``shape="linear"``) or :math:`w(f) = (1 - \cos \pi f)/2` (``"cosine"``).
    ``len(values) == len(boundaries) >= 1``; boundaries sorted and non-negative.
    Two equal boundaries make a jump.

    >>> import lrjax
    >>> s = lrjax.piecewise_linear([0.0, 1.0, 0.0], boundaries=[0, 10, 30])
    >>> print(s(5), s(20), s(100))
    0.5 0.5 0.0
    """

    values: jax.Array = f.values()
    _: dataclasses.KW_ONLY
    boundaries: Duration = f.durations()
    shape: str = f.choice("linear", "cosine", default="linear")

    def __check_init__(self) -> None:
        if self.boundaries.shape[-1] == 0:
            raise ValueError(f"{self.name}: boundaries must have at least one knot, got []")
        _check_lengths(self, self.boundaries.shape[-1], "one per boundary")

    def _evaluate(self, t: Step) -> jax.Array:
        return interpolate_knots(t, self.boundaries, self.values, self.shape)


def _check_lengths(s: Schedule, expected: int, because: str) -> None:
    n = jnp.shape(s.values)[-1]
    if n != expected:
        raise ValueError(f"{s.name}: values must have {expected} entries ({because}), got {n}")
