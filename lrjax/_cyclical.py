"""Cyclical schedules: one-cycle (learning rate and momentum) and triangular cyclic."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from . import _checks as check
from ._arith import Step, floor_div, power
from ._pytree import duration, static
from ._schedule import Schedule
from ._shapes import interpolate_knots

_ANNEAL_SHAPES = ("cosine", "linear")


def _one_cycle_knots(steps: jax.Array, pct_start: jax.Array, three_phase: bool) -> jax.Array:
    """torch `OneCycleLR` phase ends: ``pct_start*steps - 1``, (``2*pct_start*steps - 2``,) ``steps - 1``."""
    up_end = pct_start * steps - 1
    # When the rise would end before step 0, torch starts on the falling phase;
    # a first knot at up_end reproduces that (the rise then has zero length).
    first = jnp.minimum(0, up_end)
    middle = [up_end, 2 * up_end] if three_phase else [up_end]
    return jnp.stack([first, *middle, steps - 1])


class OneCycle(Schedule):
    name = "one_cycle"
    peak: jax.Array
    steps: jax.Array = duration()
    pct_start: jax.Array
    div: jax.Array
    final_div: jax.Array
    shape: str = static()
    three_phase: bool = static()

    def _evaluate(self, t: Step) -> jax.Array:
        start = self.peak / jnp.where(self.div > 0, self.div, 1)
        low = start / jnp.where(self.final_div > 0, self.final_div, 1)
        values = [start, self.peak, start, low] if self.three_phase else [start, self.peak, low]
        knots = _one_cycle_knots(self.steps, self.pct_start, self.three_phase)
        return interpolate_knots(t, knots, jnp.stack(values), self.shape)


class OneCycleMomentum(Schedule):
    name = "one_cycle_momentum"
    steps: jax.Array = duration()
    low: jax.Array
    high: jax.Array
    pct_start: jax.Array
    shape: str = static()
    three_phase: bool = static()

    def _evaluate(self, t: Step) -> jax.Array:
        values = [self.high, self.low, self.high, self.high] if self.three_phase else [self.high, self.low, self.high]
        knots = _one_cycle_knots(self.steps, self.pct_start, self.three_phase)
        return interpolate_knots(t, knots, jnp.stack(values), self.shape)


class Cyclic(Schedule):
    name = "cyclic"
    low: jax.Array
    high: jax.Array
    up_steps: jax.Array = duration()
    down_steps: jax.Array = duration()
    mode: str = static()
    gamma: jax.Array

    def _evaluate(self, t: Step) -> jax.Array:
        up, down = self.up_steps, self.down_steps
        cycle, position = floor_div(t, up + down)
        r = position.float()
        rising = r <= up
        height = jnp.where(
            rising, r / jnp.where(up > 0, up, 1), (up + down - r) / jnp.where(down > 0, down, 1)
        )
        if self.mode == "triangular2":
            height = height * power(jnp.asarray(0.5, cycle.dtype), cycle)
        elif self.mode == "exp_range":
            height = height * power(self.gamma, t.float())
        return self.low + (self.high - self.low) * height


def _check_one_cycle(where: str, steps: ArrayLike, pct_start: ArrayLike) -> tuple[jax.Array, jax.Array]:
    steps = check.number(where, "steps", steps, gt=0)
    pct_start = check.number(where, "pct_start", pct_start, ge=0, le=1)
    check.related(
        where, "pct_start * steps must be >= 1 so the rising phase has a step",
        lambda pct_start, steps: pct_start * steps >= 1, pct_start=pct_start, steps=steps,
    )
    return steps, pct_start


def one_cycle(
    peak: ArrayLike,
    steps: ArrayLike,
    pct_start: ArrayLike = 0.3,
    div: ArrayLike = 25.0,
    final_div: ArrayLike = 1e4,
    shape: str = "cosine",
    three_phase: bool = False,
) -> OneCycle:
    r"""The one-cycle policy (Smith & Topin, 2018), phase for phase as torch's `OneCycleLR`.

    With :math:`s = peak / div`, :math:`m = s / final\_div` and
    :math:`u = pct\_start \cdot steps - 1`, the value moves along ``shape``
    (``"cosine"`` or ``"linear"``) through the knots

    - two phases: :math:`(0, s) \to (u, peak) \to (steps - 1, m)`
    - ``three_phase``: :math:`(0, s) \to (u, peak) \to (2u, s) \to (steps - 1, m)`

    and holds :math:`m` from step ``steps - 1`` on (torch raises past ``steps``).
    Requires ``pct_start * steps >= 1``.

    >>> import lrjax
    >>> s = lrjax.one_cycle(peak=1.0, steps=10)
    >>> print(s(0), s(2), s(9))
    0.04 1.0 4e-06
    """
    where = "one_cycle"
    steps, pct_start = _check_one_cycle(where, steps, pct_start)
    return OneCycle(
        peak=check.number(where, "peak", peak),
        steps=steps,
        pct_start=pct_start,
        div=check.number(where, "div", div, gt=0),
        final_div=check.number(where, "final_div", final_div, gt=0),
        shape=check.choice(where, "shape", shape, _ANNEAL_SHAPES),
        three_phase=check.flag(where, "three_phase", three_phase),
    )


def one_cycle_momentum(
    steps: ArrayLike,
    low: ArrayLike = 0.85,
    high: ArrayLike = 0.95,
    pct_start: ArrayLike = 0.3,
    shape: str = "cosine",
    three_phase: bool = False,
) -> OneCycleMomentum:
    r"""The momentum (or Adam ``b1``) curve that torch's `OneCycleLR` sets: inverse to `one_cycle`.

    Knots as in `one_cycle`: two phases :math:`(0, high) \to (u, low) \to (steps - 1, high)`;
    ``three_phase`` :math:`(0, high) \to (u, low) \to (2u, high)`, then ``high`` held.

    >>> import lrjax
    >>> s = lrjax.one_cycle_momentum(steps=10)
    >>> print(s(0), s(2), s(9))
    0.95 0.85 0.95
    """
    where = "one_cycle_momentum"
    steps, pct_start = _check_one_cycle(where, steps, pct_start)
    return OneCycleMomentum(
        steps=steps,
        low=check.number(where, "low", low),
        high=check.number(where, "high", high),
        pct_start=pct_start,
        shape=check.choice(where, "shape", shape, _ANNEAL_SHAPES),
        three_phase=check.flag(where, "three_phase", three_phase),
    )


def cyclic(
    low: ArrayLike,
    high: ArrayLike,
    up_steps: ArrayLike,
    down_steps: ArrayLike | None = None,
    mode: str = "triangular",
    gamma: ArrayLike = 1.0,
) -> Cyclic:
    r"""Cyclical learning rates (Smith, 2017), as torch's `CyclicLR`.

    Each cycle of :math:`L = up\_steps + down\_steps` steps rises linearly from
    ``low`` to ``high`` over ``up_steps`` and falls back over ``down_steps``
    (default: ``up_steps``). With cycle :math:`c = \lfloor t / L \rfloor` and
    :math:`r = t - cL`:

    .. math:: v(t) = low + (high - low)\,h(r)\,a(t), \quad h(r) = \begin{cases} r / up & r \le up \\ (L - r) / down & \text{otherwise}\end{cases}

    with amplitude :math:`a = 1` (``"triangular"``), :math:`2^{-c}`
    (``"triangular2"``) or :math:`gamma^{t}` (``"exp_range"``).

    >>> import lrjax
    >>> s = lrjax.cyclic(low=0.1, high=1.0, up_steps=2, down_steps=3)
    >>> print(s(1), s(2), s(5))
    0.55 1.0 0.1
    """
    where = "cyclic"
    up = check.number(where, "up_steps", up_steps, gt=0)
    return Cyclic(
        low=check.number(where, "low", low),
        high=check.number(where, "high", high),
        up_steps=up,
        down_steps=up if down_steps is None else check.number(where, "down_steps", down_steps, gt=0),
        mode=check.choice(where, "mode", mode, ("triangular", "triangular2", "exp_range")),
        gamma=check.number(where, "gamma", gamma, gt=0),
    )
