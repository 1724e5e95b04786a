"""Schedule algebra: sums, products, clipping, delays, epoch steps and blends.

`Schedule` implements ``+ - * /`` and unary ``-`` with the classes here, so
``0.5 * cosine(...) + 0.1`` is again a schedule (a PyTree).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from . import _checks as check
from ._anneal import constant
from ._arith import Step, floor_div
from ._pytree import duration
from ._schedule import Schedule


def as_schedule(where: str, name: str, x: Any) -> Schedule:
    """``x`` if it is a schedule, a `constant` if it is a number; otherwise a ValueError."""
    if isinstance(x, Schedule):
        return x
    if callable(x):
        raise ValueError(
            f"{where}: {name} must be an lrjax schedule or a number, got the callable {x!r}; "
            "wrap a jittable function with lrjax.from_fn"
        )
    return constant(check.number(where, name, x))


class Sum(Schedule):
    name = "add"
    left: Schedule
    right: Schedule

    def _evaluate(self, t: Step) -> jax.Array:
        return self.left._evaluate(t) + self.right._evaluate(t)


class Product(Schedule):
    name = "multiply"
    left: Schedule
    right: Schedule

    def _evaluate(self, t: Step) -> jax.Array:
        return self.left._evaluate(t) * self.right._evaluate(t)


class Clip(Schedule):
    name = "clip"
    schedule: Schedule
    min: jax.Array | None
    max: jax.Array | None

    def _evaluate(self, t: Step) -> jax.Array:
        return jnp.clip(self.schedule._evaluate(t), self.min, self.max)


class Shift(Schedule):
    name = "shift"
    schedule: Schedule
    steps: jax.Array = duration()

    def _evaluate(self, t: Step) -> jax.Array:
        return self.schedule._evaluate(t.minus(self.steps))


class PerEpoch(Schedule):
    name = "per_epoch"
    schedule: Schedule
    steps_per_epoch: jax.Array = duration()

    def _evaluate(self, t: Step) -> jax.Array:
        epoch, _ = floor_div(t, self.steps_per_epoch)
        return self.schedule._evaluate(t.at(epoch))


class Blend(Schedule):
    name = "blend"
    first: Schedule
    second: Schedule
    weight: Schedule

    def _evaluate(self, t: Step) -> jax.Array:
        w = self.weight._evaluate(t)
        return self.first._evaluate(t) * (1 - w) + self.second._evaluate(t) * w


def add(left: Schedule | ArrayLike, right: Schedule | ArrayLike) -> Sum:
    """``left(t) + right(t)``; what ``s1 + s2`` and ``s + c`` build.

    >>> import lrjax
    >>> print((lrjax.linear(0.0, 1.0, 10) + 0.5)(10))
    1.5
    """
    return Sum(left=as_schedule("add", "left", left), right=as_schedule("add", "right", right))


def multiply(left: Schedule | ArrayLike, right: Schedule | ArrayLike) -> Product:
    """``left(t) * right(t)``; what ``s1 * s2``, ``c * s``, ``s / c`` and ``-s`` build.

    >>> import lrjax
    >>> print((2.0 * lrjax.linear(0.0, 1.0, 10))(5))
    1.0
    """
    return Product(left=as_schedule("multiply", "left", left), right=as_schedule("multiply", "right", right))


def divide(schedule: Schedule, divisor: ArrayLike) -> Product:
    """``schedule(t) / divisor`` for a number ``divisor != 0``, stored as a product with ``1 / divisor``.

    A traced divisor of 0 cannot be rejected and acts as 1.
    """
    v = check.concrete(divisor)
    if v is not None and np.any(v == 0):
        raise ValueError(f"divide: divisor must be a non-zero number, got {v.tolist()}")
    divisor = check.number("divide", "divisor", divisor)
    return multiply(schedule, 1 / jnp.where(divisor == 0, 1, divisor))  # a traced 0 acts as 1


def clip(schedule: Schedule, min: ArrayLike | None = None, max: ArrayLike | None = None) -> Clip:  # noqa: A002
    """Clips the values of ``schedule`` to ``[min, max]`` (either may be None).

    >>> import lrjax
    >>> s = lrjax.clip(lrjax.linear(0.0, 1.0, 10), min=0.2, max=0.8)
    >>> print(s(0), s(5), s(10))
    0.2 0.5 0.8
    """
    where = "clip"
    low = None if min is None else check.number(where, "min", min)
    high = None if max is None else check.number(where, "max", max)
    if low is not None and high is not None:
        check.related(where, "min must be <= max", lambda min, max: min <= max, min=low, max=high)  # noqa: A006
    return Clip(schedule=as_schedule(where, "schedule", schedule), min=low, max=high)


def shift(schedule: Schedule, steps: ArrayLike) -> Shift:
    """Delays ``schedule`` by ``steps``: its value at step 0 until ``steps``, then ``schedule(t - steps)``.

    >>> import lrjax
    >>> s = lrjax.shift(lrjax.linear(1.0, 0.0, 10), steps=100)
    >>> print(s(50), s(105))
    1.0 0.5
    """
    where = "shift"
    return Shift(schedule=as_schedule(where, "schedule", schedule), steps=check.number(where, "steps", steps, ge=0))


def per_epoch(schedule: Schedule, steps_per_epoch: ArrayLike) -> PerEpoch:
    """Advances ``schedule`` once per epoch: ``schedule(floor(t / steps_per_epoch))``.

    This is how torch's epoch-stepped schedulers count: the value for the
    whole of epoch ``e`` (epochs from 0) is the schedule's value at ``e``.

    >>> import lrjax
    >>> s = lrjax.per_epoch(lrjax.step_decay(1.0, every=2, factor=0.5), steps_per_epoch=100)
    >>> print(s(199), s(200))
    1.0 0.5
    """
    where = "per_epoch"
    return PerEpoch(
        schedule=as_schedule(where, "schedule", schedule),
        steps_per_epoch=check.number(where, "steps_per_epoch", steps_per_epoch, gt=0),
    )


def blend(first: Schedule, second: Schedule, weight: Schedule | ArrayLike) -> Blend:
    """``(1 - w) * first + w * second``, where the weight ``w`` is a number or a schedule.

    >>> import lrjax
    >>> s = lrjax.blend(lrjax.constant(1.0), lrjax.constant(0.0), weight=lrjax.linear(0.0, 1.0, 10))
    >>> print(s(0), s(5), s(10))
    1.0 0.5 0.0
    """
    where = "blend"
    return Blend(
        first=as_schedule(where, "first", first),
        second=as_schedule(where, "second", second),
        weight=as_schedule(where, "weight", weight),
    )
