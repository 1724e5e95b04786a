"""Helpers the compat modules share: float conversion and checks that only concrete values can take part in."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from .._checks import concrete
from .._cycle import cycle
from .._from_fn import from_fn
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


def cosine_wave(high: ArrayLike, low: ArrayLike, half_period: ArrayLike) -> Schedule:
    r""":math:`low + (high - low)\,\tfrac12(1 + \cos(\pi t / half\_period))` at every step: periodic, never clamped."""
    h = as_float(half_period)
    knots = jnp.stack([jnp.zeros_like(h), h, 2 * h])
    return cycle(piecewise_linear(knots, jnp.stack([as_float(high), as_float(low), as_float(high)]), shape="cosine"), 2 * h)


@dataclasses.dataclass(frozen=True)
class _Later:
    """The function `later` wraps: the schedule rebuilt from its leaves (from_fn's hyperparameters), evaluated ``steps`` later."""

    treedef: Any

    @property
    def __name__(self) -> str:
        return "later"

    def __call__(self, t: jax.Array, steps: jax.Array, **leaves: jax.Array) -> jax.Array:
        schedule = jax.tree.unflatten(self.treedef, [leaves[f"leaf{i}"] for i in range(len(leaves))])
        return schedule(t + steps)


def later(schedule: Schedule, steps: ArrayLike) -> Schedule:
    """``schedule(t + steps)``: the schedule as it stands ``steps`` steps on.

    Every leaf of ``schedule`` and ``steps`` stay leaves (a `lrjax.from_fn`
    whose function rebuilds the schedule), so the result still vmaps and
    differentiates; it has no config or expression.
    """
    leaves, treedef = jax.tree.flatten(schedule)
    return from_fn(_Later(treedef), steps=as_float(steps), **{f"leaf{i}": leaf for i, leaf in enumerate(leaves)})


def check_last_epoch(where: str, last_epoch: ArrayLike) -> None:
    """The peers' ``last_epoch``: -1 for a fresh scheduler, else the index of the last step taken."""
    if concretely(last_epoch, lambda v: (v < -1) | (v != np.round(v))):
        raise ValueError(f"{where}: last_epoch must be a whole number >= -1, got {last_epoch}")


def resumed(where: str, schedule: Schedule, last_epoch: ArrayLike) -> Schedule:
    """``schedule(t + last_epoch + 1)``: a peer's scheduler created with ``last_epoch`` continues after ``last_epoch + 1`` steps.

    ``last_epoch=-1`` (the peers' default, a fresh scheduler) returns
    ``schedule`` itself; otherwise `later`.
    """
    check_last_epoch(where, last_epoch)
    v = concrete(last_epoch)
    if v is not None and np.all(v == -1):
        return schedule
    return later(schedule, as_float(last_epoch) + 1)
