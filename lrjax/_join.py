"""Running schedules one after another."""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from . import _checks as check
from ._algebra import as_schedule
from ._arith import Step, count_reached
from ._pytree import duration
from ._schedule import Schedule


class Join(Schedule):
    name = "join"
    schedules: tuple[Schedule, ...]
    boundaries: jax.Array = duration(vector=True)

    def _evaluate(self, t: Step) -> jax.Array:
        starts = jnp.concatenate([jnp.zeros((1,), self.boundaries.dtype), self.boundaries])
        values = [s._evaluate(t.minus(starts[i])) for i, s in enumerate(self.schedules)]
        piece, *values = jnp.broadcast_arrays(count_reached(t, self.boundaries), *values)
        return jax.lax.select_n(piece, *values)


def join(schedules: Sequence[Schedule | ArrayLike], boundaries: Sequence[float] | ArrayLike) -> Join:
    r"""Runs ``schedules[i]`` from ``boundaries[i-1]`` (0 for the first), each on its own clock.

    .. math:: v(t) = s_i(t - b_{i-1}) \quad \text{for } b_{i-1} \le t < b_i

    ``len(boundaries) == len(schedules) - 1``; boundaries must be sorted and
    non-negative, and are leaves, so they can be traced. At a boundary the
    next schedule starts at its own step 0, as in optax's ``join_schedules``.
    Numbers are accepted as constant schedules. Each piece adds a constant
    amount to the compiled program.

    >>> import lrjax
    >>> s = lrjax.join([lrjax.linear(0.0, 1.0, 10), lrjax.cosine(1.0, 90)], boundaries=[10])
    >>> print(s(5), s(10), s(100))
    0.5 1.0 0.0
    """
    where = "join"
    if isinstance(schedules, Schedule) or not isinstance(schedules, Sequence) or not schedules:
        raise ValueError(f"{where}: schedules must be a non-empty sequence of schedules, got {schedules!r}")
    pieces = tuple(as_schedule(where, f"schedules[{i}]", s) for i, s in enumerate(schedules))
    boundaries = check.vector(where, "boundaries", boundaries, ge=0, ordered=True)
    check.length(where, "boundaries", boundaries, len(pieces) - 1, "one fewer than schedules")
    return Join(schedules=pieces, boundaries=boundaries)
