"""Decays driven by a rate or a factor: exponential, inverse time, inverse square root, step and multistep."""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from . import _checks as check
from ._arith import Step, count_reached, floor_div, power
from ._pytree import duration, static
from ._schedule import Schedule


def _ratio(t: Step, steps: jax.Array, staircase: bool) -> jax.Array:
    """``t / steps``, floored when ``staircase``; a non-positive ``steps`` acts as 1."""
    if staircase:
        return floor_div(t, steps)[0]
    return t.float() / jnp.where(steps > 0, steps, 1)


class Exponential(Schedule):
    name = "exponential"
    init: jax.Array
    rate: jax.Array
    steps: jax.Array = duration()
    end: jax.Array | None
    staircase: bool = static()

    def _evaluate(self, t: Step) -> jax.Array:
        value = self.init * power(self.rate, _ratio(t, self.steps, self.staircase))
        if self.end is None:
            return value
        return jnp.where(self.rate < 1, jnp.maximum(value, self.end), jnp.minimum(value, self.end))


class InverseTime(Schedule):
    name = "inverse_time"
    init: jax.Array
    rate: jax.Array
    steps: jax.Array = duration()
    staircase: bool = static()

    def _evaluate(self, t: Step) -> jax.Array:
        return self.init / (1 + jnp.maximum(self.rate, 0) * _ratio(t, self.steps, self.staircase))


class InverseSqrt(Schedule):
    name = "inverse_sqrt"
    init: jax.Array
    timescale: jax.Array = duration()

    def _evaluate(self, t: Step) -> jax.Array:
        return self.init * jax.lax.rsqrt(1 + _ratio(t, self.timescale, staircase=False))


class StepDecay(Schedule):
    name = "step_decay"
    init: jax.Array
    every: jax.Array = duration()
    factor: jax.Array

    def _evaluate(self, t: Step) -> jax.Array:
        return self.init * power(self.factor, floor_div(t, self.every)[0])


class MultiStep(Schedule):
    name = "multistep"
    init: jax.Array
    milestones: jax.Array = duration(vector=True)
    factor: jax.Array

    def _evaluate(self, t: Step) -> jax.Array:
        reached = count_reached(t, self.milestones).astype(self.factor.dtype)
        return self.init * power(self.factor, reached)


def exponential(
    init: ArrayLike,
    rate: ArrayLike,
    steps: ArrayLike,
    end: ArrayLike | None = None,
    staircase: bool = False,
) -> Exponential:
    r"""Multiplies by ``rate`` every ``steps`` steps, continuously or (``staircase``) in jumps.

    .. math:: v(t) = init \cdot rate^{\,t / steps} \quad (\lfloor t / steps \rfloor \text{ if staircase})

    clipped at ``end`` when given: ``end`` is a floor when ``rate < 1`` and a
    ceiling when ``rate > 1`` (as optax's ``end_value``), so it must lie on the
    side the curve moves towards. Without ``end``, growth (``rate > 1``) is
    capped at about ``1.8e19 * init`` in float32 to stay finite.

    >>> import lrjax
    >>> s = lrjax.exponential(init=1.0, rate=0.5, steps=10, end=0.2)
    >>> print(s(10), s(15), s(30))
    0.5 0.35355338 0.2
    >>> print(lrjax.exponential(init=1.0, rate=0.5, steps=10, staircase=True)(15))
    0.5
    """
    where = "exponential"
    init = check.number(where, "init", init)
    rate = check.number(where, "rate", rate, gt=0)
    if end is not None:
        end = check.number(where, "end", end)
        check.related(
            where,
            "end must be <= init when rate < 1 (a floor) and >= init when rate > 1 (a ceiling)",
            lambda end, init, rate: ~(((rate < 1) & (end > init)) | ((rate > 1) & (end < init))),
            end=end, init=init, rate=rate,
        )
    return Exponential(
        init=init,
        rate=rate,
        steps=check.number(where, "steps", steps, gt=0),
        end=end,
        staircase=check.flag(where, "staircase", staircase),
    )


def inverse_time(init: ArrayLike, rate: ArrayLike, steps: ArrayLike, staircase: bool = False) -> InverseTime:
    r"""Inverse-time decay (Keras `InverseTimeDecay`).

    .. math:: v(t) = \frac{init}{1 + rate \cdot t / steps} \quad (\lfloor t / steps \rfloor \text{ if staircase})

    >>> import lrjax
    >>> print(lrjax.inverse_time(init=1.0, rate=1.0, steps=10)(10))
    0.5
    """
    where = "inverse_time"
    return InverseTime(
        init=check.number(where, "init", init),
        rate=check.number(where, "rate", rate, ge=0),
        steps=check.number(where, "steps", steps, gt=0),
        staircase=check.flag(where, "staircase", staircase),
    )


def inverse_sqrt(init: ArrayLike, timescale: ArrayLike) -> InverseSqrt:
    r"""Inverse-square-root ("rsqrt") decay, equal to ``init`` at step 0 (Vaswani et al., 2017).

    .. math:: v(t) = init\,\sqrt{\frac{timescale}{t + timescale}}

    >>> import lrjax
    >>> s = lrjax.inverse_sqrt(init=1.0, timescale=100)
    >>> print(s(0), s(300))
    1.0 0.5
    """
    where = "inverse_sqrt"
    return InverseSqrt(
        init=check.number(where, "init", init),
        timescale=check.number(where, "timescale", timescale, gt=0),
    )


def step_decay(init: ArrayLike, every: ArrayLike, factor: ArrayLike) -> StepDecay:
    r"""Multiplies by ``factor`` every ``every`` steps (torch `StepLR`).

    .. math:: v(t) = init \cdot factor^{\lfloor t / every \rfloor}

    >>> import lrjax
    >>> s = lrjax.step_decay(init=1.0, every=30, factor=0.5)
    >>> print(s(29), s(30), s(60))
    1.0 0.5 0.25
    """
    where = "step_decay"
    return StepDecay(
        init=check.number(where, "init", init),
        every=check.number(where, "every", every, gt=0),
        factor=check.number(where, "factor", factor, ge=0),
    )


def multistep(init: ArrayLike, milestones: Sequence[float] | ArrayLike, factor: ArrayLike) -> MultiStep:
    r"""Multiplies by ``factor`` at each milestone, from that step on (torch `MultiStepLR`).

    .. math:: v(t) = init \cdot factor^{\#\{i \,:\, milestones_i \le t\}}

    ``milestones`` must be sorted; a repeated milestone applies ``factor``
    twice, as in torch. The compiled program does not grow with their number.

    >>> import lrjax
    >>> s = lrjax.multistep(init=1.0, milestones=[30, 80], factor=0.5)
    >>> print(s(29), s(30), s(80))
    1.0 0.5 0.25
    """
    where = "multistep"
    return MultiStep(
        init=check.number(where, "init", init),
        milestones=check.vector(where, "milestones", milestones, ge=0, ordered=True),
        factor=check.number(where, "factor", factor, ge=0),
    )
