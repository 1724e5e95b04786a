"""Modifiers of one schedule: clipping, delays, epoch steps, and blends of two.

Sums and products (``s1 + s2``, ``0.5 * s``) are built by `Schedule`'s operators.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp

from . import _fields as f
from ._arith import Duration, Step, floor_div
from ._schedule import Preset, Schedule, schedule


class clip(Schedule):  # noqa: N801
    """Clips the values of ``schedule`` to ``[min, max]`` (either may be None).

    >>> import lrjax
    >>> s = lrjax.clip(lrjax.linear(0.0, 1.0, steps=10), min=0.2, max=0.8)
    >>> print(s(0), s(5), s(10))
    0.2 0.5 0.8
    """

    schedule: Schedule = schedule()
    _: dataclasses.KW_ONLY
    min: jax.Array | None = f.value(None)
    max: jax.Array | None = f.value(None)

    def __check_init__(self) -> None:
        if self.min is not None and self.max is not None:
            self.require("min must be <= max", lambda low, high: low <= high, "min", "max")

    def _evaluate(self, t: Step) -> jax.Array:
        return jnp.clip(self.schedule._evaluate(t), self.min, self.max)


class shift(Schedule):  # noqa: N801
    """Delays ``schedule`` by ``steps``: its value at step 0 until ``steps``, then ``schedule(t - steps)``.

    >>> import lrjax
    >>> s = lrjax.shift(lrjax.linear(1.0, 0.0, steps=10), steps=100)
    >>> print(s(50), s(105))
    1.0 0.5
    """

    schedule: Schedule = schedule()
    _: dataclasses.KW_ONLY
    steps: Duration = f.duration()

    def _evaluate(self, t: Step) -> jax.Array:
        return self.schedule._evaluate(t.minus(self.steps))


class per_epoch(Schedule):  # noqa: N801
    """Advances ``schedule`` once per epoch: ``schedule(floor(t / steps_per_epoch))``.

    This is how torch's epoch-stepped schedulers count: the value for the
    whole of epoch ``e`` (epochs from 0) is the schedule's value at ``e``.

    >>> import lrjax
    >>> s = lrjax.per_epoch(lrjax.step_decay(1.0, factor=0.5, steps=2), steps_per_epoch=100)
    >>> print(s(199), s(200))
    1.0 0.5
    """

    schedule: Schedule = schedule()
    _: dataclasses.KW_ONLY
    steps_per_epoch: Duration = f.duration(gt=0)

    def _evaluate(self, t: Step) -> jax.Array:
        epoch, _ = floor_div(t, self.steps_per_epoch)
        return self.schedule._evaluate(t.at(epoch))


class blend(Preset):  # noqa: N801
    """``(1 - w) * first + w * second``, where the weight ``w`` is a number or a schedule.

    >>> import lrjax
    >>> s = lrjax.blend(lrjax.constant(1.0), lrjax.constant(0.0), weight=lrjax.linear(0.0, 1.0, steps=10))
    >>> print(s(0), s(5), s(10))
    1.0 0.5 0.0
    """

    first: Schedule = schedule()
    second: Schedule = schedule()
    _: dataclasses.KW_ONLY
    weight: Schedule = schedule()

    def compose(self) -> Schedule:
        return self.first * (1 - self.weight) + self.second * self.weight
