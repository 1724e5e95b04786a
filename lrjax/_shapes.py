"""Interpolation shapes shared by ramps, decays and piecewise schedules."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from ._arith import Step, count_reached, power_no_growth, progress

#: Every shape a schedule moves along between two values. Which ones a
#: constructor accepts is listed in its docstring.
SHAPES = ("linear", "cosine", "sqrt", "exponential")


def interpolate(start: jax.Array, end: jax.Array, frac: jax.Array, shape: str) -> jax.Array:
    r"""Moves from ``start`` (``frac = 0``) to ``end`` (``frac = 1``).

    With weight :math:`w(f)`, the value is :math:`start\,(1-w) + end\,w`:

    - ``"linear"``: :math:`w = f`
    - ``"cosine"``: :math:`w = (1 - \cos(\pi f)) / 2`
    - ``"sqrt"``: :math:`w = \sqrt f` (as a decay: the "1-sqrt" shape of WSD)
    - ``"exponential"``: geometric, :math:`start^{1-f}\,end^{f}`; both ends must be positive.
    """
    if shape == "exponential":
        tiny = jnp.finfo(jnp.result_type(start, end)).tiny
        return power_no_growth(jnp.maximum(start, tiny), 1 - frac) * power_no_growth(jnp.maximum(end, tiny), frac)
    if shape == "linear":
        w = frac
    elif shape == "cosine":
        w = 0.5 * (1 - jnp.cos(jnp.pi * frac))
    elif shape == "sqrt":
        w = power_no_growth(frac, jnp.asarray(0.5, frac.dtype))
    else:
        raise ValueError(f"unknown shape {shape!r}; expected one of {SHAPES}")
    return start * (1 - w) + end * w


def interpolate_knots(t: Step, xs: jax.Array, ys: jax.Array, shape: str) -> jax.Array:
    """Interpolates the knots ``(xs[i], ys[i])`` along ``shape``; holds ``ys[0]`` before and ``ys[-1]`` after.

    ``xs`` must be sorted. The segment is found by binary search, so the program
    size does not depend on the number of knots. A zero-length segment is a jump.
    """
    n = xs.shape[-1]
    if n == 1:
        return ys[0]
    i = jnp.clip(count_reached(t, xs) - 1, 0, n - 2)
    x0, x1 = jnp.take(xs, i), jnp.take(xs, i + 1)
    frac = progress(t.since(x0), x1 - x0)
    return interpolate(jnp.take(ys, i), jnp.take(ys, i + 1), frac, shape)
