"""Repeating a schedule: warm restarts with growing periods, and equal cycles.

Nothing is unrolled per cycle: the compiled program is the same for a
10-cycle and a 1000-cycle horizon.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from . import _fields as f
from ._arith import Duration, Rate, Step, concrete, floor_div, geometric, int_bound, power
from ._schedule import Preset, Schedule, schedule

#: How `restart` finds the cycle of a step, decided when it is built (None: decided per step).
PATHS = ("periodic", "tabulated", "estimated")


def _periodic(t: Step, period: Duration, mult: jax.Array) -> tuple[jax.Array, Step]:
    """``mult == 1``: equal cycles, exact by integer division."""
    return floor_div(t, period)


def _tabulated(t: Step, period: Duration, mult: jax.Array) -> tuple[jax.Array, Step]:
    """Whole ``period`` and whole ``mult >= 2``: cycle starts tabulated exactly in integers.

    With a whole ``mult >= 2`` fewer cycles start below the largest step than
    the step's integer type has bits (32 for int32, 64 for int64 under x64), so
    a table of that many starts holds them all:
    ``S_i = period * (mult**i - 1) / (mult - 1)``, exact in unsigned integers
    by binary powering; an entry beyond the integer type is marked
    unreachable. (No cumulative product or sum, and no division in the table:
    XLA compiles those more slowly than these few vector operations.) The
    child gets the steps into cycle ``k`` divided by ``mult**k`` as an integer
    quotient, the remainder's float fraction and what that lost (`Step.lo`).
    """
    int_dtype, float_dtype = t.whole.dtype, t.frac.dtype
    top = jnp.iinfo(int_dtype).max
    size = jnp.iinfo(int_dtype).bits
    unsigned = jnp.dtype(f"uint{size}")
    p, _, fits = period.split(int_dtype)
    p = jnp.where(fits & (p > 0), p, 1).astype(unsigned)
    m = jnp.where(mult < int_bound(int_dtype), jnp.maximum(mult, 2), 2).astype(int_dtype)
    m = jnp.where(mult < int_bound(int_dtype), m, top).astype(unsigned)  # beyond the integers: one restart at most
    # S_i = period * G(i), G(i) = (mult**i - 1) / (mult - 1), in unsigned integers that wrap: exact
    # wherever the true start fits (arithmetic modulo 2**size), which a float estimate decides.
    i = jnp.arange(size, dtype=unsigned)
    stretches, cycles = geometric(m, i, size.bit_length() - 1)
    starts = p * cycles
    # Below 3/4 of 2**size by the estimate (float error ~1e-7): the true start has not wrapped;
    # above it, it is beyond the integer type's maximum anyway.
    m_f = m.astype(float_dtype)
    stretches_f = m_f ** i.astype(float_dtype)
    estimate = p.astype(float_dtype) * ((stretches_f - 1) / (m_f - 1))
    exact = fits & (estimate < 0.75 * 2.0**size) & (starts <= top)
    exact = exact | (i == 0)  # the first cycle starts at 0, whatever the period
    starts = jnp.where(exact, starts, top).astype(int_dtype)
    # searchsorted counts in int32 whatever the step's type: one integer type throughout (int64 under x64).
    k = jnp.searchsorted(starts, t.whole, side="right", method="compare_all").astype(int_dtype) - 1
    k = jnp.clip(k, 0, jnp.sum(exact, dtype=int_dtype) - 1)
    local = t.whole - jnp.take(starts, k)  # steps into cycle k, stretched by mult**k
    stretch_f = jnp.take(stretches_f, k)
    # mult**k in integers (exact; beyond 3/4 of the unsigned range, where it may have wrapped,
    # the cycle is longer than any step: local / mult**k is then taken in floats).
    small = stretch_f < 0.75 * 2.0**size
    stretch = jnp.where(small, jnp.take(stretches, k), 1)
    whole = jnp.where(small, local.astype(unsigned) // stretch, 0)
    r = jnp.where(small, local.astype(unsigned) - whole * stretch, local.astype(unsigned))
    stretch_r = jnp.where(small, stretch.astype(float_dtype), stretch_f)
    frac = r.astype(float_dtype) / stretch_r
    lo = t.frac / stretch_r  # a float step's fraction, stretched
    if (int_dtype, float_dtype) == (jnp.int32, jnp.float32):  # float64 (x64) holds the quotient to its own precision
        # What frac lost, so that a child's distance to the cycle's end keeps its digits.
        lo = lo + jnp.where(small & (stretch < 2**28), _division_error(r, stretch, frac), 0)
    k = k.astype(float_dtype)
    # The derivatives (in period and mult) of the same position computed in floats.
    mult = mult.astype(float_dtype)
    position = _less_start(local.astype(float_dtype) + t.frac, period.total(), mult, k) / jnp.power(mult, k)
    return k, Step(whole.astype(int_dtype), _with_tangent(frac, position), lo)


def _division_error(r: jax.Array, d: jax.Array, q: jax.Array) -> jax.Array:
    """``r / d - q`` for uint32 ``0 <= r < d < 2**28`` and ``q`` their float32 quotient: what ``q`` lost.

    ``q = n * 2**-s`` with ``n`` its 24-bit significand (read from its bits: ``q`` is
    0 or at least ``2**-28``), and ``r * 2**s - n * d`` is computed in wrapping
    unsigned integers: exact, as the true value is below ``2**31``.
    """
    bits = jax.lax.bitcast_convert_type(q, jnp.int32)
    n = jnp.where(q > 0, (bits & 0x7FFFFF) | 0x800000, 0).astype(jnp.uint32)
    shift = 150 - (bits >> 23)  # q = n * 2**-shift, 24 <= shift <= 52
    scaled = jax.lax.shift_left(r, shift.astype(jnp.uint32)) - n * d
    unit = jax.lax.bitcast_convert_type((127 - shift) << 23, jnp.float32)  # 2**-shift
    return jax.lax.bitcast_convert_type(scaled, jnp.int32).astype(jnp.float32) * unit / d.astype(jnp.float32)


@jax.custom_jvp
def _with_tangent(x: jax.Array, y: jax.Array) -> jax.Array:
    """``x`` itself, differentiated as ``y``: an exact value with the derivatives of its float estimate."""
    return x


@_with_tangent.defjvp
def _with_tangent_jvp(primals, tangents):
    return primals[0], tangents[1]


@jax.custom_jvp
def _less_start(x: jax.Array, period: jax.Array, mult: jax.Array, i: jax.Array) -> jax.Array:
    """``x`` itself, differentiated as ``x - S_i`` with ``S_i = period * (mult**i - 1) / (mult - 1)``.

    The integer table of cycle starts carries no derivative in ``period`` and
    ``mult``; this adds it without an operation when nothing is differentiated.
    """
    return x


@_less_start.defjvp
def _less_start_jvp(primals, tangents):
    x, period, mult, i = primals
    dx, dperiod, dmult, _ = tangents
    m = jnp.where(mult >= 2, mult, 2)  # whole mult >= 2 on this path: S_i is finite where reachable
    g = (jnp.power(m, i) - 1) / (m - 1)
    dg = (i * jnp.power(m, i - 1) * (m - 1) - (jnp.power(m, i) - 1)) / (m - 1) ** 2
    return x, dx - dperiod * g - period * dg * jnp.where(mult >= 2, dmult, 0)


def _estimated(t: Step, period: Duration, mult: jax.Array) -> tuple[jax.Array, Step]:
    """Any ``mult > 1``: the closed-form cycle index, corrected by comparison with its starts.

    The start of cycle ``i`` is ``period * (1 + mult + ... + mult**(i-1))`` and the
    stretch ``mult**i``, both by binary powering without a division: exact wherever
    they fit the float. ``period * (mult**i - 1) / (mult - 1)`` through ``exp`` and a
    division (which XLA turns into a product with the reciprocal) put the start of
    cycle 1 a hair after ``period`` under jit, counting that step in cycle 0.
    """
    m = jnp.where(mult > 1, mult, 2)
    length = period.total()
    length = jnp.where(length > 0, length, 1)  # a traced period <= 0 acts as 1
    cap = jnp.asarray(jnp.finfo(m.dtype).max ** 0.25, m.dtype)  # no product below overflows

    guess = jnp.maximum(jnp.floor(jnp.log1p(t.float() * (m - 1) / length) / jnp.log(m)), 0)
    # The candidates guess - 1, guess and guess + 1 lie among first, first + 1, first + 2:
    # one powering, then two exact steps (G(k + 1) = G(k) + mult**k).
    first = jnp.maximum(guess - 1, 0)
    p0, g0 = geometric(m, jnp.clip(first, 0, 2**30).astype(jnp.int32), 31, cap)
    p1, g1 = jnp.minimum(p0 * m, cap), jnp.minimum(g0 + p0, cap)
    p2, g2 = jnp.minimum(p1 * m, cap), jnp.minimum(g1 + p1, cap)

    def at(j: jax.Array, *xs: jax.Array) -> jax.Array:
        return jnp.where(j == 0, xs[0], jnp.where(j == 1, xs[1], xs[2]))

    def start(g: jax.Array) -> Duration:
        return Duration.of(length * g)

    d = guess - first  # 0 or 1
    early = (t.since(start(at(d, g0, g1, g2))) < 0).astype(guess.dtype)
    late = (t.since(start(at(d + 1, g0, g1, g2))) >= 0).astype(guess.dtype)
    i = jnp.maximum(guess - early + late, 0)
    j = i - first
    position = t.since(start(at(j, g0, g1, g2))) / at(j, p0, p1, p2)
    return i, t.at(jnp.clip(position, 0, length))


def _general(t: Step, period: Duration, mult: jax.Array) -> tuple[jax.Array, Step]:
    """``mult`` traced: each way computed, the one its value calls for selected per step."""
    found = [_periodic(t, period, mult), _tabulated(t, period, mult), _estimated(t, period, mult)]
    which = jnp.where(mult <= 1, 0, jnp.where(period.is_whole() & (mult % 1 == 0), 1, 2))
    i = jax.lax.select_n(jnp.broadcast_to(which, found[0][0].shape), *(q for q, _ in found))
    whole = jax.lax.select_n(jnp.broadcast_to(which, i.shape), *(r.whole for _, r in found))
    frac = jax.lax.select_n(jnp.broadcast_to(which, i.shape), *(r.frac for _, r in found))
    lo = jax.lax.select_n(jnp.broadcast_to(which, i.shape), *(jnp.zeros_like(r.frac) if r.lo is None else r.lo for _, r in found))
    return i, Step(whole, frac, lo)


_FIND = {"periodic": _periodic, "tabulated": _tabulated, "estimated": _estimated, None: _general}


class restart(Schedule):  # noqa: N801
    r"""Warm restarts (SGDR, Loshchilov & Hutter 2017) with growing periods and decaying peaks.

    Cycle :math:`i` lasts :math:`L_i = period \cdot mult^{\,i}` steps and starts at
    :math:`S_i = \sum_{k<i} L_k`; a step belongs to the cycle whose
    :math:`[S_i, S_{i+1})` holds it. Inside it, ``schedule``'s first ``period``
    steps are stretched over :math:`L_i` (so a warmup inside ``schedule``
    stretches too) and scaled by :math:`factor^{\,i}`:

    .. math:: v(t) = factor^{\,i}\; schedule\!\left(\frac{t - S_i}{mult^{\,i}}\right)

    After ``limit`` cycles it holds ``schedule(period) * factor**(limit - 1)``.
    ``mult`` may be any real >= 1 (torch's ``T_mult``, timm's ``cycle_mul``,
    Keras' ``t_mul``); ``factor`` is timm's ``cycle_decay`` and Keras' ``m_mul``.

    The cycle index is exact, unlike torch's ``step(epoch)``, timm and Keras,
    which take a floating-point logarithm: with a whole ``period`` and a whole
    ``mult`` it is computed in integers for every step the step type holds
    (2**31 - 1, or 2**63 - 1 under x64), and otherwise a float estimate is
    corrected by comparison with the neighbouring cycle starts. How it is found
    is decided when the schedule is built from a concrete ``mult``; with a
    traced ``mult`` every way is computed and the right one selected per step.

    >>> import lrjax
    >>> s = lrjax.restart(lrjax.cosine(1.0, steps=3), period=3, mult=2)
    >>> [round(float(s(t)), 3) for t in range(10)]  # torch CosineAnnealingWarmRestarts(T_0=3, T_mult=2)
    [1.0, 0.75, 0.25, 1.0, 0.933, 0.75, 0.5, 0.25, 0.067, 1.0]
    >>> print(lrjax.restart(lrjax.cosine(1.0, steps=1), period=1, mult=3)(121))  # a restart, where torch gives 0
    1.0
    """

    schedule: Schedule = schedule()
    _: dataclasses.KW_ONLY
    period: Duration = f.duration(gt=0)
    mult: jax.Array = f.value(1.0, ge=1)
    factor: Rate = f.rate(1.0, ge=0)
    limit: jax.Array | None = f.value(None, ge=1, whole=True)
    path: str | None = f.derived(None)
    #: ``factor`` is concretely 1: the peaks do not decay and no power is computed.
    flat: bool = f.derived(False)

    def __check_init__(self) -> None:
        hi, lo = concrete(self.factor.hi), concrete(self.factor.lo)
        object.__setattr__(self, "flat", hi is not None and lo is not None and bool(np.all(hi == 1) and np.all(lo == 0)))
        m = concrete(self.mult)
        if m is None:
            return
        if np.all(m == 1):
            path = "periodic"
        elif self.period.whole and np.all(m % 1 == 0) and np.all(m >= 2):
            path = "tabulated"
        elif np.all(m > 1):
            path = "estimated"
        else:
            path = None
        object.__setattr__(self, "path", path)

    def _evaluate(self, t: Step) -> jax.Array:
        i, local = _FIND[self.path](t, self.period, jnp.maximum(self.mult, 1))
        if self.limit is not None:
            limit = jnp.maximum(self.limit, 1)
            held = i >= limit
            local = Step.select(held, local.at(self.period), local)
            i = jnp.where(held, limit - 1, i)
        value = self.schedule._evaluate(local)
        return value if self.flat else value * power(self.factor, i)


class cycle(Preset):  # noqa: N801
    r"""Repeats the first ``period`` steps of ``schedule``, cycle ``i`` scaled by ``factor**i``: ``restart`` with ``mult=1``.

    .. math:: v(t) = factor^{\,i}\; schedule(t - i \cdot period), \quad i = \lfloor t / period \rfloor

    After ``limit`` cycles (if given) it holds the end of the last cycle,
    ``schedule(period) * factor**(limit - 1)``: a cosine cycle ends on its
    ``end``, as optax's ``sgdr_schedule`` does after its last cycle. Exact for
    every integer step when ``period`` is whole.

    >>> import lrjax
    >>> s = lrjax.cycle(lrjax.linear(1.0, 0.0, steps=10), period=10, factor=0.5, limit=2)
    >>> print(s(5), s(10), s(15), s(20), s(1000))
    0.5 0.5 0.25 0.0 0.0
    """

    schedule: Schedule = schedule()
    _: dataclasses.KW_ONLY
    period: Duration = f.duration(gt=0)
    factor: Rate = f.rate(1.0, ge=0)
    limit: jax.Array | None = f.value(None, ge=1, whole=True)

    def compose(self) -> Schedule:
        return restart(self.schedule, period=self.period, mult=1.0, factor=self.factor, limit=self.limit)
