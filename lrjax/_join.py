"""Running schedules one after another."""

from __future__ import annotations

import dataclasses
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import _fields as f
from ._arith import Duration, Step, array_module, count_reached, take
from ._schedule import Schedule, schedules


class join(Schedule):  # noqa: N801
    r"""Runs ``schedules[i]`` from ``boundaries[i-1]`` (0 for the first), each on its own clock.

    .. math:: v(t) = s_i(t - b_{i-1}) \quad \text{for } b_{i-1} \le t < b_i

    ``len(boundaries) == len(schedules) - 1``; boundaries must be sorted and
    non-negative, and are leaves, so they can be traced. At a boundary the
    next schedule starts at its own step 0, as in optax's ``join_schedules``.
    Numbers are accepted as constant schedules.

    The piece is found first and one local clock is computed. Pieces of one
    structure (the same kinds, static fields and decisions made when built,
    leaves of the same shapes) are evaluated once, with the leaves of the piece
    in force: the compiled program grows with the number of distinct
    structures, not of pieces (100 cosines compile as small as 2).

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
        start = self.boundaries.map(lambda x: take(jnp.concatenate([zero, x], axis=-1), piece))
        local = t.minus(start)
        groups = _groups(self.schedules)
        values = [_evaluate_selected(self.schedules, members, piece, local) for members in groups]
        if len(values) == 1:
            return values[0]
        group_of = np.zeros(len(self.schedules), np.int32)
        for g, members in enumerate(groups):
            group_of[members] = g
        which = take(group_of, piece)
        which, *values = jnp.broadcast_arrays(which, *values)
        return jax.lax.select_n(which, *values)


def _groups(pieces: tuple[Schedule, ...]) -> list[list[int]]:
    """The indices of ``pieces``, grouped by structure (tree structure, leaf shapes and dtypes), in order of first use.

    Unlike `lrjax.stack`, pieces that decided differently when built (a power of 1
    and one of 2) are not made general: they form groups of their own.
    """
    groups: dict[Any, list[int]] = {}
    for i, s in enumerate(pieces):
        leaves, treedef = jax.tree.flatten(s)
        key = (treedef, tuple((np.shape(x), jnp.result_type(x)) for x in leaves))
        groups.setdefault(key, []).append(i)
    return list(groups.values())


def _evaluate_selected(pieces: tuple[Schedule, ...], members: list[int], piece: jax.Array, t: Step) -> jax.Array:
    """The value of the piece in force among ``pieces[members]``, which share one structure: their leaves
    are stacked and the piece's are taken (any member's where the piece in force is another group's)."""
    if len(members) == 1:
        return pieces[members[0]]._evaluate(t)
    if members == list(range(len(members))):  # the first pieces (all of them when all share one structure)
        k = jnp.minimum(piece, len(members) - 1)
    else:
        index = np.zeros(len(pieces), np.int32)
        index[members] = np.arange(len(members), dtype=np.int32)
        k = take(index, piece)
    leaves = zip(*(jax.tree.leaves(pieces[i]) for i in members), strict=True)
    stacked = [array_module(*xs).stack(xs) for xs in leaves]  # concrete leaves: one constant, not one per piece
    treedef = jax.tree.structure(pieces[members[0]])

    def one(k: jax.Array, t: Step) -> jax.Array:
        return jax.tree.unflatten(treedef, [jax.lax.dynamic_index_in_dim(x, k, keepdims=False) for x in stacked])._evaluate(t)

    if k.ndim == 0:
        return one(k, t)
    # One piece per step: evaluated step by step (vmapped), each with its own piece's leaves.
    shape = jnp.broadcast_shapes(k.shape, *(jnp.shape(x) for x in jax.tree.leaves(t)))
    flat_t = jax.tree.map(lambda x: jnp.broadcast_to(x, shape).reshape(-1), t)
    return jax.vmap(one)(jnp.broadcast_to(k, shape).reshape(-1), flat_t).reshape(shape)
