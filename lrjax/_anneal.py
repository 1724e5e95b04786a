"""Schedules that anneal from ``init`` to ``end`` over ``steps`` and then hold ``end``."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp

from . import _fields as f
from ._arith import Duration, Step, concrete, power_no_growth, ramp, unit_power_weights
from ._schedule import Preset, Schedule
from ._shapes import cosine_weights


def _is_one(x: jax.Array) -> bool:
    """True when ``x`` is concretely 1 everywhere: the power can be skipped (decided when the schedule is built)."""
    v = concrete(x)
    return v is not None and bool((v == 1).all())


class _Anneal(Schedule):
    """From ``init`` to ``end`` over ``steps``, shaped by ``_shape`` raised to ``power``: what `polynomial` and `cosine` share."""

    init: jax.Array = f.value()
    end: jax.Array = f.value(0.0)
    _: dataclasses.KW_ONLY
    steps: Duration = f.duration()
    power: jax.Array = f.value(1.0, gt=0)
    #: ``power`` is concretely 1: no power is computed.
    trivial: bool = f.derived(False)

    @staticmethod
    def _weights(done: jax.Array, left: jax.Array) -> tuple[jax.Array, jax.Array]:
        """``(reached, remaining)``: the weights of ``end`` and of ``init`` (before ``power``), which add up to 1."""
        raise NotImplementedError

    def __check_init__(self) -> None:
        object.__setattr__(self, "trivial", _is_one(self.power))

    def _evaluate(self, t: Step) -> jax.Array:
        done, left = ramp(t, self.steps)
        # Each end's weight from its own fraction: exactly init at 0 and end at steps.
        reached, remaining = self._weights(done, left)
        if self.trivial:  # no power computed, its derivatives kept
            keep, reached = unit_power_weights(remaining, reached, self.power)
        else:
            keep = power_no_growth(remaining, self.power)
            # 1 - remaining ** power as -expm1(power * log(remaining)), without the cancellation of
            # 1 - keep: the log from the fraction reached while it is small, else from the remaining one.
            early, ongoing = reached < 0.5, remaining > 0
            log_remaining = jnp.where(
                early, jnp.log1p(-jnp.where(early, reached, 0)), jnp.log(jnp.where(ongoing, remaining, 1))
            )
            reached = jnp.where(early | ongoing, -jnp.expm1(self.power * log_remaining), 1)
        return self.init * keep + self.end * reached


class polynomial(_Anneal):  # noqa: N801
    r"""Polynomial decay from ``init`` to ``end`` over ``steps``, then holds ``end``.

    .. math:: v(t) = (init - end)\left(\frac{steps - \min(t, steps)}{steps}\right)^{power} + end

    ``power`` must be positive; ``power = 1`` is `linear`. The remaining
    fraction is computed from the exact remaining distance, so the curve keeps
    its digits as it reaches ``end``.

    >>> import lrjax
    >>> s = lrjax.polynomial(1.0, 0.0, steps=10, power=2.0)
    >>> print(s(5), s(9))
    0.25 0.010000001
    """

    @staticmethod
    def _weights(done: jax.Array, left: jax.Array) -> tuple[jax.Array, jax.Array]:
        return done, left


class linear(Preset):  # noqa: N801
    r"""Moves linearly from ``init`` to ``end`` over ``steps``, then holds ``end``: ``polynomial(init, end, steps=steps)``.

    .. math:: v(t) = init + (end - init)\,\frac{\min(t, steps)}{steps}

    ``steps = 0`` gives ``end`` from step 0.

    >>> import lrjax
    >>> s = lrjax.linear(0.0, 1.0, steps=4)
    >>> print(s(2), s(10))
    0.5 1.0
    """

    init: jax.Array = f.value()
    end: jax.Array = f.value(0.0)
    _: dataclasses.KW_ONLY
    steps: Duration = f.duration()

    def compose(self) -> Schedule:
        return polynomial(self.init, self.end, steps=self.steps)


class cosine(_Anneal):  # noqa: N801
    r"""Half-cosine decay from ``init`` to ``end`` over ``steps``, then holds ``end`` (Loshchilov & Hutter, 2017).

    .. math:: v(t) = end + (init - end)\left(\frac{1 + \cos(\pi \min(t, steps) / steps)}{2}\right)^{power}

    Unlike torch's `CosineAnnealingLR`, it does not rise again after ``steps``.

    >>> import lrjax
    >>> s = lrjax.cosine(1.0, 0.1, steps=100)
    >>> print(s(0), s(100), s(10_000))
    1.0 0.1 0.1
    >>> round(float(s(50)), 6)
    0.55
    """

    @staticmethod
    def _weights(done: jax.Array, left: jax.Array) -> tuple[jax.Array, jax.Array]:
        # (1 + cos(pi f)) / 2 = sin(pi (1 - f) / 2)**2 of the remaining fraction: no cancellation near the end.
        return cosine_weights(done, left)


class tanh(Schedule):  # noqa: N801
    r"""Hyperbolic-tangent decay from about ``init`` to about ``end`` over ``steps`` (Hsueh et al., 2019; timm's `TanhLRScheduler`).

    .. math:: v(t) = end + \frac{init - end}{2}\left(1 - \tanh\left(lower + (upper - lower)\frac{\min(t, steps)}{steps}\right)\right)

    With the defaults the curve starts at ``end + (init - end) * 0.9999992`` and
    ends at ``end + (init - end) * 0.0025``; it holds that last value after ``steps``.

    >>> import lrjax
    >>> s = lrjax.tanh(1.0, steps=10, lower=-1.0, upper=1.0)
    >>> print(s(5))
    0.5
    """

    init: jax.Array = f.value()
    end: jax.Array = f.value(0.0)
    _: dataclasses.KW_ONLY
    steps: Duration = f.duration()
    lower: jax.Array = f.value(-7.0)
    upper: jax.Array = f.value(3.0)

    def _evaluate(self, t: Step) -> jax.Array:
        done, left = ramp(t, self.steps)
        # x from the nearer end, so that its error stays within x's own rounding.
        width = self.upper - self.lower
        x = jnp.where(done <= 0.5, self.lower + width * done, self.upper - width * left)
        # (1 - tanh(x)) / 2 = sigmoid(-2x): no cancellation where tanh nears 1.
        return self.end + (self.init - self.end) * jax.nn.sigmoid(-2 * x)
