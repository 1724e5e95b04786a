"""Helpers the compat modules share: float conversion and checks that only concrete values can take part in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from .._arith import concrete
from .._cycle import cycle
from .._piecewise import piecewise_linear
from .._schedule import Schedule

#: The default float dtype, which compat functions compute derived leaves in.
FLOAT = jnp.result_type(float)


def as_float(x: ArrayLike) -> jax.Array:
    """``x`` as an array of the default float dtype (traced values stay traced)."""
    return jnp.asarray(x, FLOAT)


def concretely(x: Any, test: Callable[[np.ndarray], Any]) -> bool:
    """``test(x)`` for a concrete ``x`` (true if it holds anywhere in an array); False for a traced one, which cannot be tested."""
    v = concrete(x)
    return v is not None and bool(np.any(test(v)))


def one(x: ArrayLike) -> list[Any] | jax.Array:
    """``[x]``, a one-element boundary list; a traced ``x`` as a 1-D array (a list holding a tracer is not arraylike)."""
    return [x] if concrete(x) is not None else jnp.reshape(x, (1,))


def cosine_wave(high: ArrayLike, low: ArrayLike, half_period: ArrayLike) -> Schedule:
    r""":math:`low + (high - low)\,\tfrac12(1 + \cos(\pi t / half\_period))` at every step: periodic, never clamped."""
    h = as_float(half_period)
    knots = jnp.stack([jnp.zeros_like(h), h, 2 * h], axis=-1)
    values = jnp.stack(jnp.broadcast_arrays(as_float(high), as_float(low), as_float(high)), axis=-1)
    return cycle(piecewise_linear(values, boundaries=knots, shape="cosine"), period=2 * h)
