"""Schedules that anneal from ``init`` to ``end`` over ``steps`` and then hold ``end``."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from . import _checks as check
from ._arith import Step, power_no_growth, progress
from ._pytree import duration
from ._schedule import Schedule


class Constant(Schedule):
    name = "constant"
    value: jax.Array

    def _evaluate(self, t: Step) -> jax.Array:
        return self.value


class Linear(Schedule):
    name = "linear"
    init: jax.Array
    end: jax.Array
    steps: jax.Array = duration()

    def _evaluate(self, t: Step) -> jax.Array:
        w = progress(t.float(), self.steps)
        return self.init * (1 - w) + self.end * w


class Polynomial(Schedule):
    name = "polynomial"
    init: jax.Array
    end: jax.Array
    steps: jax.Array = duration()
    power: jax.Array

    def _evaluate(self, t: Step) -> jax.Array:
        remaining = power_no_growth(1 - progress(t.float(), self.steps), self.power)
        return (self.init - self.end) * remaining + self.end


class Cosine(Schedule):
    name = "cosine"
    init: jax.Array
    steps: jax.Array = duration()
    end: jax.Array
    exponent: jax.Array

    def _evaluate(self, t: Step) -> jax.Array:
        half_wave = 0.5 * (1 + jnp.cos(jnp.pi * progress(t.float(), self.steps)))
        return self.end + (self.init - self.end) * power_no_growth(half_wave, self.exponent)


class Tanh(Schedule):
    name = "tanh"
    init: jax.Array
    steps: jax.Array = duration()
    end: jax.Array
    lower: jax.Array
    upper: jax.Array

    def _evaluate(self, t: Step) -> jax.Array:
        x = self.lower + (self.upper - self.lower) * progress(t.float(), self.steps)
        return self.end + 0.5 * (self.init - self.end) * (1 - jnp.tanh(x))


def constant(value: ArrayLike) -> Constant:
    """The same value at every step.

    .. math:: v(t) = value

    >>> import lrjax
    >>> print(lrjax.constant(0.1)(1000))
    0.1
    """
    return Constant(value=check.number("constant", "value", value))


def linear(init: ArrayLike, end: ArrayLike, steps: ArrayLike) -> Linear:
    r"""Moves linearly from ``init`` to ``end`` over ``steps``, then holds ``end``.

    .. math:: v(t) = init + (end - init)\,\frac{\min(t, steps)}{steps}

    ``steps = 0`` gives ``end`` from step 0.

    >>> import lrjax
    >>> s = lrjax.linear(init=0.0, end=1.0, steps=4)
    >>> print(s(2), s(10))
    0.5 1.0
    """
    where = "linear"
    return Linear(
        init=check.number(where, "init", init),
        end=check.number(where, "end", end),
        steps=check.number(where, "steps", steps, ge=0),
    )


def polynomial(init: ArrayLike, end: ArrayLike, steps: ArrayLike, power: ArrayLike = 1.0) -> Polynomial:
    r"""Polynomial decay from ``init`` to ``end`` over ``steps``, then holds ``end``.

    .. math:: v(t) = (init - end)\left(1 - \frac{\min(t, steps)}{steps}\right)^{power} + end

    ``power`` must be positive; ``power = 1`` is `linear`.

    >>> import lrjax
    >>> s = lrjax.polynomial(init=1.0, end=0.0, steps=10, power=2.0)
    >>> print(s(5))
    0.25
    """
    where = "polynomial"
    return Polynomial(
        init=check.number(where, "init", init),
        end=check.number(where, "end", end),
        steps=check.number(where, "steps", steps, ge=0),
        power=check.number(where, "power", power, gt=0),
    )


def cosine(init: ArrayLike, steps: ArrayLike, end: ArrayLike = 0.0, exponent: ArrayLike = 1.0) -> Cosine:
    r"""Half-cosine decay from ``init`` to ``end`` over ``steps``, then holds ``end`` (Loshchilov & Hutter, 2017).

    .. math:: v(t) = end + (init - end)\left(\frac{1 + \cos(\pi \min(t, steps) / steps)}{2}\right)^{exponent}

    Unlike torch's `CosineAnnealingLR`, it does not rise again after ``steps``.

    >>> import lrjax
    >>> s = lrjax.cosine(init=1.0, steps=100, end=0.1)
    >>> print(s(0), s(100), s(10_000))
    1.0 0.1 0.1
    >>> round(float(s(50)), 6)
    0.55
    """
    where = "cosine"
    return Cosine(
        init=check.number(where, "init", init),
        steps=check.number(where, "steps", steps, ge=0),
        end=check.number(where, "end", end),
        exponent=check.number(where, "exponent", exponent, gt=0),
    )


def tanh(
    init: ArrayLike, steps: ArrayLike, end: ArrayLike = 0.0, lower: ArrayLike = -7.0, upper: ArrayLike = 3.0
) -> Tanh:
    r"""Hyperbolic-tangent decay from about ``init`` to about ``end`` over ``steps`` (Hsueh et al., 2019; timm's `TanhLRScheduler`).

    .. math:: v(t) = end + \frac{init - end}{2}\left(1 - \tanh\left(lower + (upper - lower)\frac{\min(t, steps)}{steps}\right)\right)

    With the defaults the curve starts at ``end + (init - end) * 0.9999992`` and
    ends at ``end + (init - end) * 0.0025``; it holds that last value after ``steps``.

    >>> import lrjax
    >>> s = lrjax.tanh(init=1.0, steps=10, lower=-1.0, upper=1.0)
    >>> print(s(5))
    0.5
    """
    where = "tanh"
    return Tanh(
        init=check.number(where, "init", init),
        steps=check.number(where, "steps", steps, ge=0),
        end=check.number(where, "end", end),
        lower=check.number(where, "lower", lower),
        upper=check.number(where, "upper", upper),
    )
