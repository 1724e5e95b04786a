"""Reduce-on-plateau: the schedule that follows the loss."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, NamedTuple

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from . import _fields as f
from . import _flax
from ._inject import increment
from ._schedule import Schedule
from ._tree import Tree

if TYPE_CHECKING:  # imported where used: `lrjax.parse` and the command do not load optax
    import optax


class PlateauState(NamedTuple):
    """Where a `plateau` controller stands: the learning rate is scaled by ``scale``.

    >>> import lrjax
    >>> controller = lrjax.plateau(patience=0, factor=0.5)
    >>> state = controller.update(controller.update(controller.init(), 1.0), 1.0)
    >>> print(state.best, state.scale)
    1.0 0.5
    """

    best: jax.Array
    bad: jax.Array  #: metrics in a row without improvement
    cooldown_left: jax.Array
    scale: jax.Array


class plateau(Tree):  # noqa: N801
    r"""A reduce-on-plateau controller with torch ``ReduceLROnPlateau``'s semantics, as a PyTree.

    ``init() -> state`` and ``update(state, metric) -> state``; the learning rate
    is multiplied by ``state.scale``. For each metric:

    1. it is an improvement if it beats ``best`` by more than the threshold
       (``mode="min"``: :math:`m < best - \theta|best|` for ``"rel"``, :math:`m < best - \theta`
       for ``"abs"``; ``"max"`` mirrored); then ``best = m`` and the count of bad
       metrics resets, otherwise it grows by one;
    2. during a cooldown the cooldown counts down and bad metrics are not counted;
    3. when the count exceeds ``patience``, ``scale`` becomes
       ``max(scale * factor, min_scale)`` (only if that lowers it by more than
       ``eps``), a cooldown of ``cooldown`` metrics starts and the count resets.

    One deliberate difference from torch (and optax's
    ``contrib.reduce_on_plateau``): the relative threshold uses :math:`|best|`,
    so negative metrics work (torch's ``best * (1 - threshold)`` moves towards 0
    and counts an unchanged negative metric as an improvement forever). For
    positive metrics the two are identical. Every number is a leaf: jittable,
    vmappable over controllers and metrics.

    >>> import lrjax
    >>> controller = lrjax.plateau(patience=1, factor=0.5)
    >>> state, scales = controller.init(), []
    >>> for loss in [1.0, 1.0, 1.0, 0.5, 0.5, 0.5]:
    ...     state = controller.update(state, loss)
    ...     scales.append(float(state.scale))
    >>> scales
    [1.0, 1.0, 0.5, 0.5, 0.5, 0.25]
    """

    _: dataclasses.KW_ONLY
    mode: str = f.choice("min", "max", default="min")
    factor: jax.Array = f.value(0.1, ge=0, lt=1)
    patience: jax.Array = f.value(10, ge=0)
    threshold: jax.Array = f.value(1e-4, ge=0)
    threshold_mode: str = f.choice("rel", "abs", default="rel")
    cooldown: jax.Array = f.value(0, ge=0)
    min_scale: jax.Array = f.value(0.0, ge=0)
    eps: jax.Array = f.value(1e-8, ge=0)

    def init(self) -> PlateauState:
        """The state before the first metric: no best yet, scale 1."""
        dtype = self.factor.dtype
        worst = jnp.asarray(jnp.inf if self.mode == "min" else -jnp.inf, dtype)
        zero = jnp.zeros((), dtype)
        return PlateauState(best=worst, bad=zero, cooldown_left=zero, scale=jnp.ones((), dtype))

    def update(self, state: PlateauState, metric: ArrayLike) -> PlateauState:
        """Feeds one metric, exactly as one ``ReduceLROnPlateau.step(metric)`` in torch."""
        metric = jnp.asarray(metric, self.factor.dtype)
        best = state.best
        # torch compares with best * (1 -/+ threshold), which moves the wrong way for a
        # negative best; a margin of threshold * |best| is the same for positive metrics.
        margin = self.threshold * jnp.where(jnp.isfinite(best), jnp.abs(best), 0) if self.threshold_mode == "rel" else self.threshold
        better = metric < best - margin if self.mode == "min" else metric > best + margin
        best = jnp.where(better, metric, best)
        bad = jnp.where(better, 0, state.bad + 1)
        in_cooldown = state.cooldown_left > 0
        cooldown_left = jnp.where(in_cooldown, state.cooldown_left - 1, state.cooldown_left)
        bad = jnp.where(in_cooldown, 0, bad)
        reduce = bad > self.patience
        reduced = jnp.maximum(state.scale * self.factor, self.min_scale)
        scale = jnp.where(reduce & (state.scale - reduced > self.eps), reduced, state.scale)
        return PlateauState(
            best=best,
            bad=jnp.where(reduce, 0, bad),
            cooldown_left=jnp.where(reduce, self.cooldown, cooldown_left),
            scale=scale,
        )


class ScaleByPlateauState(NamedTuple):
    count: jax.Array
    controller: plateau
    plateau: PlateauState
    schedule: Schedule | None
    #: The learning rate the last update used (for logging).
    learning_rate: jax.Array


def scale_by_plateau(controller: plateau, schedule: Schedule | None = None) -> optax.GradientTransformationExtraArgs:
    """Scales updates by ``schedule(count) * scale`` (or ``scale``), feeding ``update(..., value=metric)`` to ``controller``.

    The controller's state is updated with the metric first, so the update it
    comes with already uses the new scale. The controller and the schedule
    live in the optimizer state (as PyTrees), so replacing them runs the same
    compiled update, and stacked states vmap. Plateau after a warmup, or on top
    of a cosine, is ``scale_by_plateau(plateau(...), warmup(...))``.

    Like optax's ``scale_by_schedule``, it multiplies by a positive learning
    rate; chain it before ``optax.scale(-1.0)``.

    >>> import jax.numpy as jnp, optax, lrjax
    >>> tx = lrjax.scale_by_plateau(lrjax.plateau(patience=0, factor=0.5), lrjax.constant(0.1))
    >>> state, steps = tx.init(jnp.zeros(2)), []
    >>> for loss in [1.0, 2.0]:
    ...     updates, state = tx.update(jnp.ones(2), state, value=loss)
    ...     steps.append(round(float(updates[0]), 6))
    >>> steps
    [0.1, 0.05]
    """
    import optax

    if not isinstance(controller, plateau):
        raise ValueError(f"scale_by_plateau: controller must be an lrjax.plateau(...), got {controller!r}")
    if schedule is not None and not isinstance(schedule, Schedule):
        raise ValueError(f"scale_by_plateau: schedule must be an lrjax schedule or None, got {schedule!r}")

    def learning_rate(state: ScaleByPlateauState, plateau_state: PlateauState) -> jax.Array:
        base = 1 if state.schedule is None else state.schedule(state.count)
        return base * plateau_state.scale

    def init(params: Any) -> ScaleByPlateauState:
        del params
        _flax.register_if_imported()
        state = ScaleByPlateauState(jnp.zeros([], jnp.int32), controller, controller.init(), schedule, jnp.zeros(()))
        return state._replace(learning_rate=learning_rate(state, state.plateau))

    def update(updates: Any, state: ScaleByPlateauState, params: Any = None, *, value: ArrayLike, **extra: Any):
        del params, extra
        plateau_state = state.controller.update(state.plateau, value)
        lr = learning_rate(state, plateau_state)
        updates = jax.tree.map(lambda u: u * lr.astype(u.dtype), updates)
        return updates, state._replace(count=increment(state.count), plateau=plateau_state, learning_rate=lr)

    return optax.GradientTransformationExtraArgs(init, update)
