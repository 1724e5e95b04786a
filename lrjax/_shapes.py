"""Interpolation shapes shared by ramps, decays and piecewise schedules."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from ._arith import Duration, Step, count_reached, power_no_growth, ramp, take

#: Every shape a schedule moves along between two values. Which ones a
#: constructor accepts is declared with its ``shape`` field.
SHAPES = ("linear", "cosine", "sqrt", "exponential")


def interpolate(start: jax.Array, end: jax.Array, done: jax.Array, left: jax.Array, shape: str) -> jax.Array:
    r"""Moves from ``start`` (``done = 0, left = 1``) to ``end`` (``done = 1, left = 0``).

    With the weight :math:`w(f)` of ``end`` at fraction :math:`f`, the value is
    :math:`start\,(1 - w) + end\,w`:

    - ``"linear"``: :math:`w = f`
    - ``"cosine"``: :math:`w = (1 - \cos(\pi f)) / 2`
    - ``"sqrt"``: :math:`w = \sqrt f` (as a decay: the "1-sqrt" shape of WSD)
    - ``"exponential"``: geometric, :math:`start^{1-f}\,end^{f}`; both ends must be positive.

    ``w`` is computed from ``done`` and ``1 - w`` from ``left`` (the exact
    remaining fraction), never one from the other, so the value is exactly
    ``start`` and ``end`` at the ends and keeps its digits near both.
    """
    if shape == "exponential":
        tiny = jnp.finfo(jnp.result_type(start, end)).tiny
        return power_no_growth(jnp.maximum(start, tiny), left) * power_no_growth(jnp.maximum(end, tiny), done)
    if shape == "linear":
        w, keep = done, left
    elif shape == "cosine":
        w, keep = cosine_weights(done, left)
    elif shape == "sqrt":
        w = jnp.sqrt(done)
        keep = left / (1 + w)  # 1 - sqrt(f) without cancellation
    else:
        raise ValueError(f"unknown shape {shape!r}; expected one of {SHAPES}")
    return start * keep + end * w


def cosine_weights(done: jax.Array, left: jax.Array) -> tuple[jax.Array, jax.Array]:
    r"""``(sin(pi done / 2)**2, sin(pi left / 2)**2)``: the half-cosine's weights of the end and the start.

    One sine per step, of the smaller fraction; the other weight is 1 less it,
    which is at least 0.5 and so loses no digits (each weight stays within
    about 1e-7 of its own sine, also near 0).
    """
    near_start = done <= left
    # (where, not minimum: at done = left minimum's derivative is the average of both, 0 here)
    small = jnp.sin(0.5 * jnp.pi * jnp.where(near_start, done, left)) ** 2
    large = 1 - small
    return jnp.where(near_start, small, large), jnp.where(near_start, large, small)


def interpolate_knots(t: Step, xs: Duration, ys: jax.Array, shape: str) -> jax.Array:
    """Interpolates the knots ``(xs[i], ys[i])`` along ``shape``; holds ``ys[0]`` before and ``ys[-1]`` after.

    ``xs`` must be sorted. The segment is found by one search (binary beyond
    64 knots), so the program size does not depend on their number. A
    zero-length segment is a jump.
    """
    n = xs.shape[-1]
    if n == 1:
        return jnp.asarray(ys[0])  # a NumPy leaf: computed on in JAX (NumPy's float32 overflow warns)
    i = jnp.clip(count_reached(t, xs) - 1, 0, n - 2)
    x0, x1 = xs.map(lambda x: take(x, i)), xs.map(lambda x: take(x, i + 1))
    done, left = ramp(t, x1, start=x0)
    return interpolate(take(ys, i), take(ys, i + 1), done, left, shape)
