"""Schedules users ask for by name, each a composition of primitives and combinators."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import jax

from . import _fields as f
from ._anneal import cosine, linear
from ._arith import Duration, Rate
from ._cycle import restart
from ._decay import inverse_sqrt
from ._ramps import cooldown, warmup
from ._schedule import Preset, Schedule, constant
from ._shapes import SHAPES


class _WarmupDecay(Preset):
    """Linear warmup from ``init`` to ``peak``, then ``decay`` to ``end`` at ``total_steps``: what `warmup_cosine` and `warmup_linear` share."""

    #: The decay after the warmup, ``decay(peak, end, steps=total_steps - warmup_steps)``.
    decay: ClassVar[type[Schedule]]

    peak: jax.Array = f.value()
    _: dataclasses.KW_ONLY
    warmup_steps: Duration = f.duration()
    total_steps: Duration = f.duration()
    init: jax.Array = f.value(0.0)
    end: jax.Array = f.value(0.0)

    def __check_init__(self) -> None:
        self.require("total_steps must be >= warmup_steps", lambda total, warm: total >= warm, "total_steps", "warmup_steps")
        super().__check_init__()

    def compose(self) -> Schedule:
        decay = self.decay(self.peak, self.end, steps=self.total_steps - self.warmup_steps)
        return warmup(decay, steps=self.warmup_steps, init=self.init)


class warmup_cosine(_WarmupDecay):  # noqa: N801
    """Linear warmup from ``init`` to ``peak``, then cosine decay to ``end`` at ``total_steps`` (warmup included).

    ``warmup(cosine(peak, end, steps=total_steps - warmup_steps), steps=warmup_steps, init=init)``;
    the same curve as optax's ``warmup_cosine_decay_schedule`` (whose
    ``decay_steps`` is this ``total_steps``).

    >>> import lrjax
    >>> s = lrjax.warmup_cosine(1.0, warmup_steps=10, total_steps=110)
    >>> print(s(5), s(10), s(110))
    0.5 1.0 0.0
    """

    decay = cosine


class warmup_linear(_WarmupDecay):  # noqa: N801
    """Linear warmup from ``init`` to ``peak``, then linear decay to ``end`` at ``total_steps`` (warmup included).

    ``warmup(linear(peak, end, steps=total_steps - warmup_steps), steps=warmup_steps, init=init)``;
    Hugging Face's ``get_linear_schedule_with_warmup`` shape.

    >>> import lrjax
    >>> s = lrjax.warmup_linear(1.0, warmup_steps=10, total_steps=110)
    >>> print(s(5), s(60), s(200))
    0.5 0.5 0.0
    """

    decay = linear


class sgdr(Preset):  # noqa: N801
    """Cosine annealing with warm restarts (Loshchilov & Hutter, 2017), after an optional linear warmup.

    ``warmup(restart(cosine(peak, end, steps=period), period=period, mult=mult, factor=factor), steps=warmup_steps)``:
    the first cycle lasts ``period`` steps, each next one ``mult`` times longer
    with a peak ``factor`` times lower (torch's ``CosineAnnealingWarmRestarts``
    with ``T_mult``, plus timm's ``cycle_decay``), and the restart clock starts
    after the warmup. A warmup of 0 steps changes nothing.

    >>> import lrjax
    >>> s = lrjax.sgdr(1.0, period=10, mult=2.0, factor=0.5)
    >>> print(s(0), s(10), s(30))
    1.0 0.5 0.25
    """

    peak: jax.Array = f.value()
    _: dataclasses.KW_ONLY
    period: Duration = f.duration(gt=0)
    mult: Rate = f.growth(2.0)
    factor: Rate = f.rate(1.0, ge=0)
    end: jax.Array = f.value(0.0)
    warmup_steps: Duration = f.duration(0)

    def compose(self) -> Schedule:
        cycles = restart(cosine(self.peak, self.end, steps=self.period), period=self.period, mult=self.mult, factor=self.factor)
        return warmup(cycles, steps=self.warmup_steps)


class warmup_inverse_sqrt(Preset):  # noqa: N801
    r"""Linear warmup to ``peak``, then ``peak * sqrt(warmup_steps / t)`` (the Transformer schedule).

    ``warmup(inverse_sqrt(peak, steps=warmup_steps), steps=warmup_steps)``: for
    :math:`t \ge W` the inner clock is :math:`t - W`, so the value is
    :math:`peak\sqrt{W / t}`, as Hugging Face's ``get_inverse_sqrt_schedule``.

    >>> import lrjax
    >>> s = lrjax.warmup_inverse_sqrt(1.0, warmup_steps=100)
    >>> print(s(50), s(100), s(400))
    0.5 1.0 0.5
    """

    peak: jax.Array = f.value()
    _: dataclasses.KW_ONLY
    warmup_steps: Duration = f.duration(gt=0)

    def compose(self) -> Schedule:
        return warmup(inverse_sqrt(self.peak, steps=self.warmup_steps), steps=self.warmup_steps)


class wsd(Preset):  # noqa: N801
    r"""Warmup-stable-decay (Hu et al., 2024; Hägele et al., 2024).

    Linear warmup from ``init`` to ``peak`` over ``warmup_steps`` (W), ``peak``
    held for ``stable_steps`` (S), a decay to ``end`` over ``decay_steps`` (D)
    along ``shape``, then ``end`` held. With :math:`f = \min(1, (t - W - S)/D)`:

    .. math:: v(t) = \begin{cases} init + (peak - init)\,t / W & t < W \\ peak + (end - peak)\,w(f) & t \ge W \end{cases}

    where :math:`w(f)` is :math:`f` (``"linear"``), :math:`(1 - \cos \pi f)/2`
    (``"cosine"``), :math:`\sqrt f` (``"sqrt"``, the "1-sqrt" cooldown), or
    geometric from ``peak`` to ``end`` (``"exponential"``, both positive).
    Any of the three lengths may be 0. It is
    ``warmup(cooldown(constant(peak), steps=D, total_steps=S + D, end=end, shape=shape), steps=W, init=init)``.

    >>> import lrjax
    >>> s = lrjax.wsd(1.0, warmup_steps=10, stable_steps=80, decay_steps=10)
    >>> print(s(5), s(50), s(95), s(200))
    0.5 1.0 0.5 0.0
    """

    peak: jax.Array = f.value()
    _: dataclasses.KW_ONLY
    warmup_steps: Duration = f.duration()
    stable_steps: Duration = f.duration()
    decay_steps: Duration = f.duration()
    init: jax.Array = f.value(0.0)
    end: jax.Array = f.value(0.0)
    shape: str = f.choice(*SHAPES, default="linear")

    def __check_init__(self) -> None:
        if self.shape == "exponential":
            self.require("peak and end must be > 0 with shape='exponential'", lambda peak, end: (peak > 0) & (end > 0), "peak", "end")
        super().__check_init__()

    def compose(self) -> Schedule:
        decay = cooldown(constant(self.peak), steps=self.decay_steps, total_steps=self.stable_steps + self.decay_steps,
                         end=self.end, shape=self.shape)
        return warmup(decay, steps=self.warmup_steps, init=self.init)
