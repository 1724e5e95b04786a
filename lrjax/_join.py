"""Running schedules one after another."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp

from . import _fields as f
from ._arith import Duration, Step, count_reached
from ._schedule import Schedule, schedules


class join(Schedule):  # noqa: N801
    r"""Runs ``schedules[i]`` from ``boundaries[i-1]`` (0 for the first), each on its own clock.

    .. math:: v(t) = s_i(t - b_{i-1}) \quad \text{for } b_{i-1} \le t < b_i

    ``len(boundaries) == len(schedules) - 1``; boundaries must be sorted and
    non-negative, and are leaves, so they can be traced. At a boundary the
    next schedule starts at its own step 0, as in optax's ``join_schedules``.
    Numbers are accepted as constant schedules. The piece is found first and
    one local clock is computed; each piece adds its own formula to the
    compiled program.

    >>> import lrjax
    >>> s = lrjax.join([lrjax.linear(0.0, 1.0, steps=10), lrjax.cosine(1.0, steps=90)], boundaries=[10])
    >>> print(s(5), s(10), s(100))
    0.5 1.0 0.0
    """

    schedules: tuple[Schedule, ...] = schedules()
    _: dataclasses.KW_ONLY
    boundaries: Duration = f.durations()

    def __check_init__(self) -> None:
        n = self.boundaries.shape[-1]
        if n != len(self.schedules) - 1:
            raise ValueError(f"{self.name}: boundaries must have {len(self.schedules) - 1} entries (one fewer than schedules), got {n}")

    def _evaluate(self, t: Step) -> jax.Array:
        piece = count_reached(t, self.boundaries)
        zero = jnp.zeros(self.boundaries.shape[:-1] + (1,), self.boundaries.dtype)
        start = self.boundaries.map(lambda x: jnp.take(jnp.concatenate([zero, x], axis=-1), piece))
        local = t.minus(start)
        values = [s._evaluate(local) for s in self.schedules]
        piece, *values = jnp.broadcast_arrays(piece, *values)
        return jax.lax.select_n(piece, *values)
