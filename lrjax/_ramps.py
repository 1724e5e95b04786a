"""Ramping into a schedule (warmup) and out of it (cooldown)."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp

from . import _fields as f
from ._arith import Duration, Step, ramp
from ._schedule import Schedule, schedule
from ._shapes import SHAPES, interpolate


class warmup(Schedule):  # noqa: N801
    r"""Ramps from ``init`` into ``schedule`` over ``steps``.

    - ``prefix=True``: the warmup comes first and ``schedule`` starts its own
      clock after it, so the ramp ends on ``schedule(0)`` and the curve is
      continuous: :math:`v(t) = r(t)` for :math:`t < steps`, else :math:`schedule(t - steps)`.
    - ``prefix=False``: ``schedule`` runs on the global clock and the ramp ends on
      ``schedule(steps)`` (timm's ``warmup_prefix=False``, but continuous):
      :math:`v(t) = r(t)` for :math:`t < steps`, else :math:`schedule(t)`.

    The ramp :math:`r` moves from ``init`` to its target along ``shape``:
    ``"linear"``, ``"cosine"`` (:math:`(1 - \cos \pi f)/2`) or ``"exponential"``
    (geometric; ``init`` and the target must be positive). ``schedule`` is
    evaluated once per step: at ``max(t - steps, 0)`` (prefix) or ``max(t, steps)``,
    which is the ramp's target while the ramp lasts.

    >>> import lrjax
    >>> s = lrjax.warmup(lrjax.cosine(1.0, steps=100), steps=10)
    >>> print(s(5), s(10), s(110))
    0.5 1.0 0.0
    """

    schedule: Schedule = schedule()
    _: dataclasses.KW_ONLY
    steps: Duration = f.duration()
    init: jax.Array = f.value(0.0)
    shape: str = f.choice("linear", "cosine", "exponential", default="linear")
    prefix: bool = f.flag(True)

    def __check_init__(self) -> None:
        if self.shape == "exponential":
            self.require("init must be > 0 with shape='exponential'", lambda init: init > 0, "init")

    def _evaluate(self, t: Step) -> jax.Array:
        done, left = ramp(t, self.steps)
        ramping = left > 0  # the exact remaining distance is positive (ramp decides it by comparison)
        if self.prefix:
            inner = t.minus(self.steps)  # step 0 while ramping: the ramp's target
        else:
            inner = Step.select(ramping, t.at(self.steps), t)
        after = self.schedule._evaluate(inner)
        return jnp.where(ramping, interpolate(self.init, after, done, left, self.shape), after)


class cooldown(Schedule):  # noqa: N801
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

    schedule: Schedule = schedule()
    _: dataclasses.KW_ONLY
    steps: Duration = f.duration()
    total_steps: Duration = f.duration()
    end: jax.Array = f.value(0.0)
    shape: str = f.choice(*SHAPES, default="linear")

    def __check_init__(self) -> None:
        self.require("steps must be <= total_steps", lambda steps, total_steps: steps <= total_steps, "steps", "total_steps")
        if self.shape == "exponential":
            self.require("end must be > 0 with shape='exponential'", lambda end: end > 0, "end")

    def _evaluate(self, t: Step) -> jax.Array:
        done, left = ramp(t, self.total_steps, start=self.total_steps - self.steps)
        return interpolate(self.schedule._evaluate(t), self.end, done, left, self.shape)
