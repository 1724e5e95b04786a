"""Repeating a schedule: periodic cycles and warm restarts with growing periods.

Neither unrolls anything per cycle: the compiled program is the same for a
10-cycle and a 1000-cycle horizon.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from . import _checks as check
from ._algebra import as_schedule
from ._arith import Step, choose, decide, floor_div, int_bound, power
from ._pytree import duration
from ._schedule import Schedule

#: Whole cycle lengths period * mult**i with a whole mult >= 2 reach 2**31 within 32 cycles.
_TABLE = 32


def _scaled(schedule: Schedule, local: Step, i: jax.Array, period: jax.Array, decay: jax.Array,
            limit: jax.Array | None) -> jax.Array:
    """``schedule(local) * decay**i``; from cycle ``limit`` on, the end of the last cycle.

    The end of the last cycle is ``schedule(period) * decay**(limit - 1)``: the
    same expression with ``local`` and ``i`` clamped, so the schedule is
    evaluated (and compiled) once.
    """
    if limit is not None:
        limit = jnp.maximum(limit, 1)
        held = i >= limit
        end = local.at(period)
        local = Step(jnp.where(held, end.whole, local.whole), jnp.where(held, end.frac, local.frac))
        i = jnp.where(held, limit - 1, i)
    return schedule._evaluate(local) * power(decay, i)


class Cycle(Schedule):
    name = "cycle"
    schedule: Schedule
    period: jax.Array = duration()
    decay: jax.Array
    limit: jax.Array | None

    def _evaluate(self, t: Step) -> jax.Array:
        i, local = floor_div(t, self.period)
        return _scaled(self.schedule, local, i, self.period, self.decay, self.limit)


def _periodic(t: Step, period: jax.Array, mult: jax.Array) -> tuple[jax.Array, Step]:
    """``mult == 1``: equal cycles, exact by integer division."""
    return floor_div(t, period)


def _tabulated(t: Step, period: jax.Array, mult: jax.Array) -> tuple[jax.Array, Step]:
    """Whole ``period`` and whole ``mult >= 2``: cycle starts tabulated exactly in integers.

    At most 32 such cycles start below 2**31. The table is built in integers
    (which wrap on overflow) next to a float shadow that tells which entries
    are exact; the others lie beyond every step and are never reached.
    """
    int_dtype, float_dtype = t.whole.dtype, t.frac.dtype
    top, bound = jnp.iinfo(int_dtype).max, int_bound(int_dtype)
    ones = jnp.ones((1,), float_dtype)
    lengths_f = period * jnp.cumprod(jnp.concatenate([ones, jnp.full((_TABLE - 1,), mult)]))
    starts_f = jnp.concatenate([jnp.zeros((1,), float_dtype), jnp.cumsum(lengths_f)[:-1]])
    p = jnp.where(period < bound, period, 1).astype(int_dtype)
    m = jnp.where(mult < bound, mult, 2).astype(int_dtype)
    lengths = p * jnp.cumprod(jnp.concatenate([jnp.ones((1,), int_dtype), jnp.full((_TABLE - 1,), m)]))
    starts = jnp.concatenate([jnp.zeros((1,), int_dtype), jnp.cumsum(lengths)[:-1]])
    # A start beyond 2**31 wraps around in int32 and disagrees with its float shadow;
    # the shadow itself may round a start just below 2**31 up to 2**31, hence 2 * bound.
    exact = (starts >= 0) & (starts_f < 2 * bound) & (jnp.abs(starts.astype(float_dtype) - starts_f) <= 1e-3 * starts_f + 1)
    starts = jnp.where(exact, starts, top)
    i = jnp.minimum(jnp.searchsorted(starts, t.whole, side="right") - 1, jnp.sum(exact) - 1)
    local = Step(t.whole - jnp.take(starts, i), t.frac)
    position = local.float() * (period / jnp.take(lengths_f, i))
    return i.astype(float_dtype), t.at(jnp.clip(position, 0, period))


def _estimated(t: Step, period: jax.Array, mult: jax.Array) -> tuple[jax.Array, Step]:
    """Any ``mult > 1``: the closed-form cycle index, corrected by exact comparison with its starts."""
    m = jnp.where(mult > 1, mult, 2)

    def start(i: jax.Array) -> jax.Array:
        return period * (power(m, i) - 1) / (m - 1)

    guess = jnp.maximum(jnp.floor(jnp.log1p(t.float() * (m - 1) / period) / jnp.log(m)), 0)
    early = (t.since(start(guess)) < 0).astype(guess.dtype)
    late = (t.since(start(guess + 1)) >= 0).astype(guess.dtype)
    i = jnp.maximum(guess - early + late, 0)
    position = t.since(start(i)) / power(m, i)
    return i, t.at(jnp.clip(position, 0, period))


class Restart(Schedule):
    name = "restart"
    schedule: Schedule
    period: jax.Array = duration()
    mult: jax.Array
    decay: jax.Array
    limit: jax.Array | None

    def _evaluate(self, t: Step) -> jax.Array:
        periodic = decide(lambda m: m <= 1, self.mult)
        whole = decide(lambda p, m: ((p <= 0) | (p % 1 == 0)) & (m % 1 == 0), self.period, self.mult)
        period = jnp.where(self.period > 0, self.period, 1)
        mult = jnp.maximum(self.mult, 1)
        # One of the three runs when the hyperparameters are scalars (see `choose`).
        def growing(t: Step, period: jax.Array, mult: jax.Array) -> tuple[jax.Array, Step]:
            return choose(whole, _tabulated, _estimated, t, period, mult)

        i, position = choose(periodic, _periodic, growing, t, period, mult)
        return _scaled(self.schedule, position, i, period, self.decay, self.limit)


def _check_limit(where: str, limit: ArrayLike | None) -> jax.Array | None:
    if limit is None:
        return None
    leaf = check.number(where, "limit", limit, ge=1)
    v = check.concrete(limit)
    if v is not None and np.any(v != np.round(v)):
        raise ValueError(f"{where}: limit must be a whole number of cycles >= 1, got {v.tolist()}")
    return leaf


def cycle(schedule: Schedule, period: ArrayLike, decay: ArrayLike = 1.0, limit: ArrayLike | None = None) -> Cycle:
    r"""Repeats the first ``period`` steps of ``schedule`` forever, cycle ``i`` scaled by ``decay**i``.

    .. math:: v(t) = decay^{\,i}\; schedule(t - i \cdot period), \quad i = \lfloor t / period \rfloor

    After ``limit`` cycles (if given) it holds the end of the last cycle,
    ``schedule(period) * decay**(limit - 1)``: a cosine cycle ends on its
    ``end``, as optax's ``sgdr_schedule`` does after its last cycle. Exact for
    every integer step when ``period`` is whole.

    >>> import lrjax
    >>> s = lrjax.cycle(lrjax.linear(1.0, 0.0, 10), period=10, decay=0.5, limit=2)
    >>> print(s(5), s(10), s(15), s(20), s(1000))
    0.5 0.5 0.25 0.0 0.0
    """
    where = "cycle"
    return Cycle(
        schedule=as_schedule(where, "schedule", schedule),
        period=check.number(where, "period", period, gt=0),
        decay=check.number(where, "decay", decay, ge=0),
        limit=_check_limit(where, limit),
    )


def restart(
    schedule: Schedule,
    period: ArrayLike,
    mult: ArrayLike = 1.0,
    decay: ArrayLike = 1.0,
    limit: ArrayLike | None = None,
) -> Restart:
    r"""Warm restarts (SGDR, Loshchilov & Hutter 2017) with growing periods and decaying peaks.

    Cycle :math:`i` lasts :math:`L_i = period \cdot mult^{\,i}` steps and starts at
    :math:`S_i = \sum_{k<i} L_k`; a step belongs to the cycle whose
    :math:`[S_i, S_{i+1})` holds it. Inside it, ``schedule``'s first ``period``
    steps are stretched over :math:`L_i` (so a warmup inside ``schedule``
    stretches too) and scaled by :math:`decay^{\,i}`:

    .. math:: v(t) = decay^{\,i}\; schedule\!\left(\frac{t - S_i}{mult^{\,i}}\right)

    After ``limit`` cycles it holds ``schedule(period) * decay**(limit - 1)``.
    ``mult`` may be any real >= 1 (torch's ``T_mult``, timm's ``cycle_mul``,
    Keras' ``t_mul``); ``decay`` is timm's ``cycle_decay`` and Keras'
    ``m_mul``.

    The cycle index is exact, unlike torch's ``step(epoch)``, timm and Keras,
    which take a floating-point logarithm: with whole ``period`` and whole
    ``mult`` it is computed in integers for every step up to 2**31 - 1, and
    otherwise a float estimate is corrected by exact comparison with the
    neighbouring cycle starts.

    >>> import lrjax
    >>> s = lrjax.restart(lrjax.cosine(1.0, steps=3), period=3, mult=2)
    >>> [round(float(s(t)), 3) for t in range(10)]  # torch CosineAnnealingWarmRestarts(T_0=3, T_mult=2)
    [1.0, 0.75, 0.25, 1.0, 0.933, 0.75, 0.5, 0.25, 0.067, 1.0]
    >>> print(lrjax.restart(lrjax.cosine(1.0, 1), period=1, mult=3)(121))  # a restart, where torch gives 0
    1.0
    """
    where = "restart"
    return Restart(
        schedule=as_schedule(where, "schedule", schedule),
        period=check.number(where, "period", period, gt=0),
        mult=check.number(where, "mult", mult, ge=1),
        decay=check.number(where, "decay", decay, ge=0),
        limit=_check_limit(where, limit),
    )
