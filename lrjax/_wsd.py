"""Warmup-stable-decay (WSD, "trapezoidal") schedule."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from . import _checks as check
from ._arith import Step, progress
from ._pytree import duration, static
from ._schedule import Schedule
from ._shapes import SHAPES, interpolate


class WSD(Schedule):
    name = "wsd"
    peak: jax.Array
    warmup_steps: jax.Array = duration()
    stable_steps: jax.Array = duration()
    decay_steps: jax.Array = duration()
    init: jax.Array
    end: jax.Array
    decay_shape: str = static()

    def _evaluate(self, t: Step) -> jax.Array:
        warming = t.since(self.warmup_steps) < 0
        warm = interpolate(self.init, self.peak, progress(t.float(), self.warmup_steps), "linear")
        decay_start = self.warmup_steps + self.stable_steps
        down = progress(t.since(decay_start), self.decay_steps)
        return jnp.where(warming, warm, interpolate(self.peak, self.end, down, self.decay_shape))


def wsd(
    peak: ArrayLike,
    warmup_steps: ArrayLike,
    stable_steps: ArrayLike,
    decay_steps: ArrayLike,
    init: ArrayLike = 0.0,
    end: ArrayLike = 0.0,
    decay_shape: str = "linear",
) -> WSD:
    r"""Warmup-stable-decay (Hu et al., 2024; Hägele et al., 2024).

    Linear warmup from ``init`` to ``peak`` over ``warmup_steps`` (W), ``peak``
    held for ``stable_steps`` (S), a decay to ``end`` over ``decay_steps`` (D)
    along ``decay_shape``, then ``end`` held. With :math:`f = \min(1, (t - W - S)/D)`:

    .. math:: v(t) = \begin{cases} init + (peak - init)\,t / W & t < W \\ peak + (end - peak)\,w(f) & t \ge W \end{cases}

    where :math:`w(f)` is :math:`f` (``"linear"``), :math:`(1 - \cos \pi f)/2`
    (``"cosine"``), :math:`\sqrt f` (``"sqrt"``, the "1-sqrt" cooldown), or
    geometric from ``peak`` to ``end`` (``"exponential"``, both positive).
    Any of the three lengths may be 0.

    >>> import lrjax
    >>> s = lrjax.wsd(peak=1.0, warmup_steps=10, stable_steps=80, decay_steps=10)
    >>> print(s(5), s(50), s(95), s(200))
    0.5 1.0 0.5 0.0
    """
    where = "wsd"
    peak = check.number(where, "peak", peak)
    end = check.number(where, "end", end)
    decay_shape = check.choice(where, "decay_shape", decay_shape, SHAPES)
    if decay_shape == "exponential":
        check.number(where, "peak", peak, gt=0)
        check.number(where, "end (with decay_shape='exponential')", end, gt=0)
    return WSD(
        peak=peak,
        warmup_steps=check.number(where, "warmup_steps", warmup_steps, ge=0),
        stable_steps=check.number(where, "stable_steps", stable_steps, ge=0),
        decay_steps=check.number(where, "decay_steps", decay_steps, ge=0),
        init=check.number(where, "init", init),
        end=end,
        decay_shape=decay_shape,
    )
