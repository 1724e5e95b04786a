"""Cyclical schedules: one-cycle (learning rate and momentum) and triangular cyclic."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from . import _fields as f
from ._arith import Duration, Rate, Step, concrete, floor_div, power
from ._piecewise import piecewise_linear
from ._schedule import Preset, Schedule

_ANNEAL_SHAPES = ("cosine", "linear")


def _one_cycle_knots(steps: Duration, pct_start: Rate, three_phase: bool) -> Duration:
    """torch `OneCycleLR` phase ends: ``pct_start*steps - 1``, (``2*pct_start*steps - 2``,) ``steps - 1``.

    ``pct_start * steps`` is an exact product (`Duration.times`: float64 when
    the values are concrete, as torch computes it, and a double-float product,
    about 2**-46 of it, from traced leaves), so a knot such as ``0.3 * 100 - 1``
    is torch's, not float32's 29.0000012.
    """
    one = Duration.of(1)
    up_end = steps.times(pct_start) - one
    # pct_start * steps may be a rounding below 1 (`_check_rise` allows it): the rise then ends at
    # step 0 (it has zero length: a jump to the peak, within 1e-6 of torch's value there).
    xp = np if concrete(up_end.coarse) is not None else jnp
    up_end = up_end.general().map(lambda x: xp.where(up_end.total() >= 0, x, 0))
    first = up_end.map(xp.zeros_like)
    middle = [up_end, up_end + up_end] if three_phase else [up_end]
    inner = Duration(*(xp.stack(p, axis=-1) for p in zip(*(d.general().parts() for d in [first, *middle]))), None)
    last = steps - one
    # pct_start near its limit can put a knot past steps - 1: it is held there (parts compared as they are normalised).
    # A batch of pct_start with one steps (or the reverse): every part takes the batch shape.
    batch = jnp.broadcast_shapes(jnp.shape(inner.coarse)[:-1], jnp.shape(last.coarse))
    last = last.general().map(lambda x: jnp.broadcast_to(x[..., None], batch + (1,)))
    inner = inner.map(lambda x: jnp.broadcast_to(x, batch + jnp.shape(x)[-1:]))
    past = (inner.coarse > last.coarse) | ((inner.coarse == last.coarse) & (inner.fine + inner.lo > last.fine + last.lo))
    return Duration(
        *(jnp.concatenate([jnp.where(past, b, a), b], axis=-1) for a, b in zip(inner.parts(), last.parts())),
        None,
    )


def _check_three_phases(s: Preset) -> None:
    if s.three_phase:
        s.require("pct_start must be <= 0.5 with three_phase (the second phase is as long as the first)",
                  lambda pct_start: pct_start <= 0.5, "pct_start")


def _check_rise(s: Preset) -> None:
    # Within float32's rounding of pct_start (0.04 * 25 is 0.99999997 in float32).
    s.require("pct_start * steps must be >= 1 so the rising phase has a step",
              lambda pct_start, steps: pct_start * steps >= 1 - 1e-6, "pct_start", "steps")


class one_cycle(Preset):  # noqa: N801
    r"""The one-cycle policy (Smith & Topin, 2018), phase for phase as torch's `OneCycleLR`.

    With :math:`s = peak / div`, :math:`m = s / final\_div` and
    :math:`u = pct\_start \cdot steps - 1`, the value moves along ``shape``
    (``"cosine"`` or ``"linear"``) through the knots

    - two phases: :math:`(0, s) \to (u, peak) \to (steps - 1, m)`
    - ``three_phase``: :math:`(0, s) \to (u, peak) \to (2u, s) \to (steps - 1, m)`

    and holds :math:`m` from step ``steps - 1`` on (torch raises past ``steps``):
    a `piecewise_linear` of these knots. Requires ``pct_start * steps >= 1``.

    >>> import lrjax
    >>> s = lrjax.one_cycle(1.0, steps=10)
    >>> print(s(0), s(2), s(9))
    0.04 1.0 4e-06
    """

    peak: jax.Array = f.value()
    _: dataclasses.KW_ONLY
    steps: Duration = f.duration(gt=0)
    pct_start: Rate = f.rate(0.3, ge=0, le=1)
    div: jax.Array = f.value(25.0, gt=0)
    final_div: jax.Array = f.value(1e4, gt=0)
    shape: str = f.choice(*_ANNEAL_SHAPES, default="cosine")
    three_phase: bool = f.flag(False)

    def __check_init__(self) -> None:
        _check_rise(self)
        _check_three_phases(self)
        super().__check_init__()

    def compose(self) -> Schedule:
        start = self.peak / jnp.where(self.div > 0, self.div, 1)
        low = start / jnp.where(self.final_div > 0, self.final_div, 1)
        values = [start, self.peak, start, low] if self.three_phase else [start, self.peak, low]
        knots = _one_cycle_knots(self.steps, self.pct_start, self.three_phase)
        return piecewise_linear(jnp.stack(values, axis=-1), boundaries=knots, shape=self.shape)


class one_cycle_momentum(Preset):  # noqa: N801
    r"""The momentum (or Adam ``b1``) curve that torch's `OneCycleLR` sets: inverse to `one_cycle`.

    Knots as in `one_cycle`: two phases :math:`(0, high) \to (u, low) \to (steps - 1, high)`;
    ``three_phase`` :math:`(0, high) \to (u, low) \to (2u, high)`, then ``high`` held.

    >>> import lrjax
    >>> s = lrjax.one_cycle_momentum(steps=10)
    >>> print(s(0), s(2), s(9))
    0.95 0.85 0.95
    """

    _: dataclasses.KW_ONLY
    steps: Duration = f.duration(gt=0)
    low: jax.Array = f.value(0.85)
    high: jax.Array = f.value(0.95)
    pct_start: Rate = f.rate(0.3, ge=0, le=1)
    shape: str = f.choice(*_ANNEAL_SHAPES, default="cosine")
    three_phase: bool = f.flag(False)

    def __check_init__(self) -> None:
        _check_rise(self)
        _check_three_phases(self)
        super().__check_init__()

    def compose(self) -> Schedule:
        low, high = jnp.broadcast_arrays(self.low, self.high)
        values = [high, low, high, high] if self.three_phase else [high, low, high]
        knots = _one_cycle_knots(self.steps, self.pct_start, self.three_phase)
        return piecewise_linear(jnp.stack(values, axis=-1), boundaries=knots, shape=self.shape)


class cyclic(Schedule):  # noqa: N801
    r"""Cyclical learning rates (Smith, 2017), as torch's `CyclicLR`.

    Each cycle of :math:`L = up\_steps + down\_steps` steps rises linearly from
    ``low`` to ``high`` over ``up_steps`` and falls back over ``down_steps``
    (default: ``up_steps``). With cycle :math:`c = \lfloor t / L \rfloor` and
    :math:`r = t - cL`:

    .. math:: v(t) = low + (high - low)\,h(r)\,a(t), \quad h(r) = \begin{cases} r / up & r \le up \\ (L - r) / down & \text{otherwise}\end{cases}

    with amplitude :math:`a = 1` (``"triangular"``), :math:`2^{-c}`
    (``"triangular2"``) or :math:`factor^{t}` (``"exp_range"``, torch's ``gamma``).

    >>> import lrjax
    >>> s = lrjax.cyclic(0.1, 1.0, up_steps=2, down_steps=3)
    >>> print(s(1), s(2), s(5))
    0.55 1.0 0.1
    """

    low: jax.Array = f.value()
    high: jax.Array = f.value()
    _: dataclasses.KW_ONLY
    up_steps: Duration = f.duration(gt=0)
    down_steps: Duration | None = f.duration(None, gt=0)
    mode: str = f.choice("triangular", "triangular2", "exp_range", default="triangular")
    factor: Rate = f.rate(1.0, gt=0)

    def _evaluate(self, t: Step) -> jax.Array:
        up = self.up_steps
        down = up if self.down_steps is None else self.down_steps
        cycle, position = floor_div(t, up + down)
        rising = position.since(up) <= 0
        up_f, down_f = up.total(), down.total()
        height = jnp.where(
            rising,
            position.float() / jnp.where(up_f > 0, up_f, 1),
            -position.since(up + down) / jnp.where(down_f > 0, down_f, 1),
        )
        if self.mode == "triangular2":
            height = height * power(jnp.asarray(0.5, cycle.dtype), cycle)
        elif self.mode == "exp_range":
            height = height * power(self.factor, t.float())
        return self.low + (self.high - self.low) * height
