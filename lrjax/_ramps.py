"""Ramping into a schedule (warmup) and out of it (cooldown)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from . import _checks as check
from ._algebra import as_schedule
from ._arith import Step, progress
from ._pytree import duration, static
from ._schedule import Schedule
from ._shapes import SHAPES, interpolate


class Warmup(Schedule):
    name = "warmup"
    schedule: Schedule
    steps: jax.Array = duration()
    init: jax.Array
    shape: str = static()
    prefix: bool = static()

    def _evaluate(self, t: Step) -> jax.Array:
        if self.prefix:
            target = self.schedule._evaluate(t.at(jnp.zeros_like(self.steps)))
            after = self.schedule._evaluate(t.minus(self.steps))
        else:
            target = self.schedule._evaluate(t.at(self.steps))
            after = self.schedule._evaluate(t)
        ramp = interpolate(self.init, target, progress(t.float(), self.steps), self.shape)
        return jnp.where(t.since(self.steps) < 0, ramp, after)


class Cooldown(Schedule):
    name = "cooldown"
    schedule: Schedule
    steps: jax.Array = duration()
    total_steps: jax.Array = duration()
    end: jax.Array
    shape: str = static()

    def _evaluate(self, t: Step) -> jax.Array:
        frac = progress(t.since(self.total_steps - self.steps), self.steps)
        return interpolate(self.schedule._evaluate(t), self.end, frac, self.shape)


def warmup(
    schedule: Schedule, steps: ArrayLike, init: ArrayLike = 0.0, shape: str = "linear", prefix: bool = True
) -> Warmup:
    r"""Ramps from ``init`` into ``schedule`` over ``steps``.

    - ``prefix=True``: the warmup comes first and ``schedule`` starts its own
      clock after it, so the ramp ends on ``schedule(0)`` and the curve is
      continuous: :math:`v(t) = r(t)` for :math:`t < steps`, else :math:`schedule(t - steps)`.
    - ``prefix=False``: ``schedule`` runs on the global clock and the ramp ends on
      ``schedule(steps)`` (timm's ``warmup_prefix=False``, but continuous):
      :math:`v(t) = r(t)` for :math:`t < steps`, else :math:`schedule(t)`.

    The ramp :math:`r` moves from ``init`` to its target along ``shape``:
    ``"linear"``, ``"cosine"`` (:math:`(1 - \cos \pi f)/2`) or ``"exponential"``
    (geometric; ``init`` and the target must be positive).

    >>> import lrjax
    >>> s = lrjax.warmup(lrjax.cosine(1.0, 100), steps=10)
    >>> print(s(5), s(10), s(110))
    0.5 1.0 0.0
    """
    where = "warmup"
    shape = check.choice(where, "shape", shape, ("linear", "cosine", "exponential"))
    init = check.number(where, "init", init, **({"gt": 0} if shape == "exponential" else {}))
    return Warmup(
        schedule=as_schedule(where, "schedule", schedule),
        steps=check.number(where, "steps", steps, ge=0),
        init=init,
        shape=shape,
        prefix=check.flag(where, "prefix", prefix),
    )


def cooldown(
    schedule: Schedule, steps: ArrayLike, total_steps: ArrayLike, end: ArrayLike = 0.0, shape: str = "linear"
) -> Cooldown:
    r"""Moves ``schedule`` to ``end`` over the last ``steps`` before ``total_steps``, then holds ``end``.

    With :math:`f = \mathrm{clip}((t - (total\_steps - steps)) / steps, 0, 1)`
    and the weight :math:`w(f)` of ``shape`` (``"linear"``, ``"cosine"``,
    ``"sqrt"`` for the 1-sqrt cooldown, ``"exponential"``):

    .. math:: v(t) = schedule(t)\,(1 - w) + end \cdot w

    Applied to a constant this is warmup-stable-decay from any schedule
    (big_vision's cooldown, Hägele et al. 2024).

    >>> import lrjax
    >>> s = lrjax.cooldown(lrjax.constant(1.0), steps=20, total_steps=100)
    >>> print(s(80), s(90), s(100), s(500))
    1.0 0.5 0.0 0.0
    """
    where = "cooldown"
    steps = check.number(where, "steps", steps, ge=0)
    total_steps = check.number(where, "total_steps", total_steps, ge=0)
    check.related(where, "steps must be <= total_steps", lambda steps, total_steps: steps <= total_steps,
                  steps=steps, total_steps=total_steps)
    shape = check.choice(where, "shape", shape, SHAPES)
    return Cooldown(
        schedule=as_schedule(where, "schedule", schedule),
        steps=steps,
        total_steps=total_steps,
        end=check.number(where, "end", end, **({"gt": 0} if shape == "exponential" else {})),
        shape=shape,
    )
