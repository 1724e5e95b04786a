"""Decays driven by a rate or a factor: exponential, inverse time, inverse square root, step and multistep."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp

from . import _fields as f
from ._arith import Duration, Rate, Step, floor_div, power
from ._piecewise import piecewise_constant
from ._schedule import Preset, Schedule


def _ratio(t: Step, steps: Duration, staircase: bool) -> jax.Array:
    """``t / steps``, floored when ``staircase``; a non-positive ``steps`` acts as 1."""
    if staircase:
        return floor_div(t, steps)[0]
    length = steps.total()
    return t.float() / jnp.where(length > 0, length, 1)


class exponential(Schedule):  # noqa: N801
    r"""Multiplies by ``rate`` every ``steps`` steps, continuously or (``staircase``) in jumps.

    .. math:: v(t) = init \cdot rate^{\,t / steps} \quad (\lfloor t / steps \rfloor \text{ if staircase})

    Growth (``rate > 1``) is capped to stay finite: at a factor of about 1.8e19
    (float32), and so that ``|value|`` stays below about 1.8e19 when ``|init| > 1``.
    For a floor or a ceiling, wrap it: ``clip(exponential(...), min=end)``.

    >>> import lrjax
    >>> s = lrjax.exponential(1.0, rate=0.5, steps=10)
    >>> print(s(10), s(15))
    0.5 0.35355338
    >>> print(lrjax.exponential(1.0, rate=0.5, steps=10, staircase=True)(15))
    0.5
    """

    init: jax.Array = f.value()
    _: dataclasses.KW_ONLY
    rate: Rate = f.rate(ge=0)
    steps: Duration = f.duration(gt=0)
    staircase: bool = f.flag(False)

    def _evaluate(self, t: Step) -> jax.Array:
        return self.init * power(self.rate, _ratio(t, self.steps, self.staircase), scale=self.init)


class inverse_time(Schedule):  # noqa: N801
    r"""Inverse-time decay (Keras `InverseTimeDecay`).

    .. math:: v(t) = \frac{init}{1 + rate \cdot t / steps} \quad (\lfloor t / steps \rfloor \text{ if staircase})

    >>> import lrjax
    >>> print(lrjax.inverse_time(1.0, rate=1.0, steps=10)(10))
    0.5
    """

    init: jax.Array = f.value()
    _: dataclasses.KW_ONLY
    rate: jax.Array = f.value(ge=0)
    steps: Duration = f.duration(gt=0)
    staircase: bool = f.flag(False)

    def _evaluate(self, t: Step) -> jax.Array:
        return self.init / (1 + jnp.maximum(self.rate, 0) * _ratio(t, self.steps, self.staircase))


class inverse_sqrt(Schedule):  # noqa: N801
    r"""Inverse-square-root ("rsqrt") decay, equal to ``init`` at step 0 (Vaswani et al., 2017).

    .. math:: v(t) = init\,\sqrt{\frac{steps}{t + steps}}

    >>> import lrjax
    >>> s = lrjax.inverse_sqrt(1.0, steps=100)
    >>> print(s(0), s(300))
    1.0 0.5
    """

    init: jax.Array = f.value()
    _: dataclasses.KW_ONLY
    steps: Duration = f.duration(gt=0)

    def _evaluate(self, t: Step) -> jax.Array:
        return self.init * jax.lax.rsqrt(1 + _ratio(t, self.steps, staircase=False))


class step_decay(Preset):  # noqa: N801
    r"""Multiplies by ``factor`` every ``steps`` steps (torch `StepLR`): ``exponential(init, rate=factor, steps=steps, staircase=True)``.

    .. math:: v(t) = init \cdot factor^{\lfloor t / steps \rfloor}

    >>> import lrjax
    >>> s = lrjax.step_decay(1.0, factor=0.5, steps=30)
    >>> print(s(29), s(30), s(60))
    1.0 0.5 0.25
    """

    init: jax.Array = f.value()
    _: dataclasses.KW_ONLY
    factor: Rate = f.rate(ge=0)
    steps: Duration = f.duration(gt=0)

    def compose(self) -> Schedule:
        return exponential(self.init, rate=self.factor, steps=self.steps, staircase=True)


class multistep(Preset):  # noqa: N801
    r"""Multiplies by ``factor`` at each boundary, from that step on (torch `MultiStepLR`).

    .. math:: v(t) = init \cdot factor^{\#\{i \,:\, boundaries_i \le t\}}

    ``piecewise_constant`` of the values ``init * factor**i``. ``boundaries``
    must be sorted; a repeated boundary applies ``factor`` twice, as in torch.
    The compiled program does not grow with their number.

    >>> import lrjax
    >>> s = lrjax.multistep(1.0, boundaries=[30, 80], factor=0.5)
    >>> print(s(29), s(30), s(80))
    1.0 0.5 0.25
    """

    init: jax.Array = f.value()
    _: dataclasses.KW_ONLY
    boundaries: Duration = f.durations()
    factor: jax.Array = f.value(ge=0)

    def compose(self) -> Schedule:
        k = jnp.arange(self.boundaries.shape[-1] + 1, dtype=self.init.dtype)
        values = self.init[..., None] * power(self.factor[..., None], k)
        return piecewise_constant(values, boundaries=self.boundaries)
