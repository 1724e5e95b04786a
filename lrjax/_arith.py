"""Step arithmetic that is exact for integer steps and finite for every input.

Steps arrive as non-negative signed integers (optax's int32 counts) or floats;
hyperparameters are floating leaves. Float32 cannot tell step 2**31 - 1 from
2**31, so floors, remainders, offsets and boundary comparisons are done in the
step's integer dtype whenever the duration involved is a whole number, and in
floating point otherwise. Every division guards its divisor in both branches
of a `where` so that values and gradients stay finite ("double where").
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np


def _is_int(t: jax.Array) -> bool:
    return jnp.issubdtype(t.dtype, jnp.integer)


def _int_limit(t: jax.Array) -> float:
    """The first whole number the step's integer dtype cannot hold."""
    return float(jnp.iinfo(t.dtype).max) + 1.0


def as_float(t: jax.Array, like: jax.Array) -> jax.Array:
    return t.astype(jnp.result_type(like))


def since(t: jax.Array, start: jax.Array) -> jax.Array:
    """``t - start`` as a float; exact for integer ``t`` and whole ``0 <= start < 2**31``."""
    if not _is_int(t):
        return as_float(t, start) - start
    whole = jnp.floor(start)
    ok = (whole >= 0) & (whole < _int_limit(t))
    whole = jnp.where(ok, whole, 0)
    return as_float(t - whole.astype(t.dtype), start) - (start - whole)


def progress(x: jax.Array, length: jax.Array) -> jax.Array:
    """``clip(x / length, 0, 1)``; a ramp of length <= 0 is complete (1) from ``x >= 0`` on."""
    x = as_float(x, length)
    positive = length > 0
    safe = jnp.where(positive, length, 1)
    # Decided by comparison, not by x / length == 1: vectorised division on
    # some backends is not correctly rounded (55 / 55 -> 0.99999994).
    return jnp.where(x >= jnp.maximum(length, 0), 1, jnp.where(positive, jnp.clip(x / safe, 0, 1), 0)).astype(x.dtype)


def floor_div(t: jax.Array, period: jax.Array) -> tuple[jax.Array, jax.Array]:
    """``(q, r)`` with ``t = q * period + r`` and ``0 <= r < period``, both as floats.

    For integer ``t`` and whole ``period`` the quotient is computed exactly in
    integers (then rounded once to the float dtype, so it is exact below 2**24
    in float32) and the remainder is exact. A period <= 0 acts as 1.
    """
    period = jnp.where(period > 0, period, 1)
    tf = as_float(t, period)
    q = jnp.floor(tf / period)
    r = jnp.clip(tf - q * period, 0, period)
    if _is_int(t):
        whole = (period == jnp.floor(period)) & (period < _int_limit(t))
        p = jnp.where(whole, period, 1).astype(t.dtype)
        qi = t // p
        q = jnp.where(whole, qi.astype(q.dtype), q)
        r = jnp.where(whole, (t - qi * p).astype(r.dtype), r)
    return q, r


def count_reached(t: jax.Array, boundaries: jax.Array) -> jax.Array:
    """How many of the sorted ``boundaries`` are ``<= t``: an integer array shaped like ``t``.

    For integer ``t``, ``t >= b`` is tested as ``t >= ceil(b)`` in integers, so it
    is exact for every step; boundaries the step dtype cannot reach never count.
    Uses a binary search, so the program does not grow with the number of boundaries.
    """
    if not _is_int(t):
        return jnp.searchsorted(boundaries, as_float(t, boundaries), side="right")
    first = jnp.ceil(jnp.maximum(boundaries, 0))
    reachable = first < _int_limit(t)
    first = jnp.where(reachable, jnp.where(reachable, first, 0).astype(t.dtype), jnp.iinfo(t.dtype).max)
    return jnp.minimum(jnp.searchsorted(first, t, side="right"), jnp.sum(reachable))


def power(base: jax.Array, exponent: jax.Array) -> jax.Array:
    """``base ** exponent`` for ``base >= 0`` (a negative base acts as 0), finite with finite gradients.

    ``0 ** 0`` is 1. Growth is capped at ``sqrt(finfo.max)`` (about 1.8e19 in
    float32) by capping the exponent, so neither the value nor its gradient
    can overflow; below the cap this is exactly ``jnp.power``.
    """
    dtype = jnp.result_type(base, exponent)
    positive = base > 0
    safe = jnp.where(positive, base, 1)
    log_base = jnp.log(safe)
    limit = np.log(jnp.finfo(dtype).max) / 2
    over = exponent * log_base > limit
    exponent = jnp.where(over, limit / jnp.where(over, log_base, 1), exponent)
    at_zero = jnp.where(exponent == 0, 1, 0).astype(dtype)
    return jnp.where(positive, jnp.power(safe, exponent), at_zero)
