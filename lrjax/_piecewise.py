"""Piecewise schedules given by boundaries and values.

Boundaries and values are array leaves and the piece is found by binary
search, so the compiled program has the same size for 2 or 10,000 pieces.
"""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from . import _checks as check
from ._arith import Step, count_reached
from ._pytree import duration, static, vector
from ._schedule import Schedule
from ._shapes import interpolate_knots


class PiecewiseConstant(Schedule):
    name = "piecewise_constant"
    boundaries: jax.Array = duration(vector=True)
    values: jax.Array = vector()

    def _evaluate(self, t: Step) -> jax.Array:
        return jnp.take(self.values, count_reached(t, self.boundaries))


class PiecewiseLinear(Schedule):
    name = "piecewise_linear"
    boundaries: jax.Array = duration(vector=True)
    values: jax.Array = vector()
    shape: str = static()

    def _evaluate(self, t: Step) -> jax.Array:
        return interpolate_knots(t, self.boundaries, self.values, self.shape)


def piecewise_constant(
    boundaries: Sequence[float] | ArrayLike, values: Sequence[float] | ArrayLike
) -> PiecewiseConstant:
    r"""Constant pieces: ``values[i]`` from ``boundaries[i-1]`` (inclusive) to ``boundaries[i]`` (exclusive).

    .. math:: v(t) = values_i \quad \text{for } boundaries_{i-1} \le t < boundaries_i

    ``len(values) == len(boundaries) + 1``; boundaries must be sorted and
    non-negative. The value changes *at* a boundary, as in torch's
    `MultiStepLR` and optax.

    >>> import lrjax
    >>> s = lrjax.piecewise_constant(boundaries=[10, 20], values=[1.0, 0.5, 0.1])
    >>> print(s(9), s(10), s(25))
    1.0 0.5 0.1
    """
    where = "piecewise_constant"
    boundaries = check.vector(where, "boundaries", boundaries, ge=0, ordered=True)
    values = check.vector(where, "values", values)
    check.length(where, "values", values, boundaries.shape[0] + 1, "one more than boundaries")
    return PiecewiseConstant(boundaries=boundaries, values=values)


def piecewise_linear(
    boundaries: Sequence[float] | ArrayLike, values: Sequence[float] | ArrayLike, shape: str = "linear"
) -> PiecewiseLinear:
    r"""Interpolates the knots ``(boundaries[i], values[i])``, holding the first and last value outside them.

    .. math:: v(t) = values_i + (values_{i+1} - values_i)\,w\!\left(\frac{t - boundaries_i}{boundaries_{i+1} - boundaries_i}\right)

    for :math:`boundaries_i \le t < boundaries_{i+1}`, with :math:`w(f) = f`
    (``shape="linear"``) or :math:`w(f) = (1 - \cos \pi f)/2` (``"cosine"``).
    ``len(values) == len(boundaries) >= 1``; boundaries sorted and non-negative.
    Two equal boundaries make a jump.

    >>> import lrjax
    >>> s = lrjax.piecewise_linear(boundaries=[0, 10, 30], values=[0.0, 1.0, 0.0])
    >>> print(s(5), s(20), s(100))
    0.5 0.5 0.0
    """
    where = "piecewise_linear"
    boundaries = check.vector(where, "boundaries", boundaries, ge=0, ordered=True)
    values = check.vector(where, "values", values)
    if boundaries.shape[0] == 0:
        raise ValueError(f"{where}: boundaries must have at least one knot, got []")
    check.length(where, "values", values, boundaries.shape[0], "one per boundary")
    return PiecewiseLinear(
        boundaries=boundaries, values=values, shape=check.choice(where, "shape", shape, ("linear", "cosine"))
    )
