"""Repeating a schedule: warm restarts with growing periods, and equal cycles.

Nothing is unrolled per cycle: the compiled program is the same for a
10-cycle and a 1000-cycle horizon.
"""

from __future__ import annotations

import dataclasses
import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from . import _double as double
from . import _fields as f
from ._arith import Duration, Rate, Step, concrete, floor_div, geometric, int_bound, power, step_int_dtype, take, with_tangent
from ._schedule import Preset, Schedule, schedule

#: How `restart` finds the cycle of a step, decided when it is built (None: decided per step).
PATHS = ("periodic", "tabulated", "estimated", "re-estimated")


def _periodic(t: Step, period: Duration, mult: Rate) -> tuple[jax.Array, Step]:
    """``mult == 1``: equal cycles, exact by integer division.

    The position is differentiated in ``mult`` too, as cycles that grow from
    ``mult = 1`` (the right derivative): cycle ``i`` starts at
    ``period * (1 + mult + ... + mult**(i-1))`` and stretches by ``mult**i``, so
    ``d position / d mult = -(period * i * (i - 1) / 2 + position * i)``.
    """
    i, local = floor_div(t, period)
    frac = _grown_from_equal(local.frac, local.float(), period.total(), i, mult.total())
    return i, Step(local.whole, frac, local.lo)


@jax.custom_jvp
def _grown_from_equal(frac: jax.Array, position: jax.Array, period: jax.Array, i: jax.Array, mult: jax.Array) -> jax.Array:
    """``frac`` itself (of ``position`` in equal cycle ``i``), differentiated in ``mult`` as cycles growing from ``mult = 1``."""
    return frac


@_grown_from_equal.defjvp
def _grown_from_equal_jvp(primals, tangents):
    _, position, period, i, _ = primals
    d_frac, _, _, _, d_mult = tangents
    return primals[0], d_frac - (period * (i * (i - 1) / 2) + position * i) * d_mult


def _tabulated(t: Step, period: Duration, mult: Rate) -> tuple[jax.Array, Step]:
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
    mult = mult.total()  # whole: exact below 2**24 (2**53 under x64)
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
    local = t.whole - take(starts, k)  # steps into cycle k, stretched by mult**k
    stretch_f = take(stretches_f, k)
    # mult**k in integers (exact; beyond 3/4 of the unsigned range, where it may have wrapped,
    # the cycle is longer than any step: local / mult**k is then taken in floats).
    small = stretch_f < 0.75 * 2.0**size
    stretch = jnp.where(small, take(stretches, k), 1)
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
    return k, Step(whole.astype(int_dtype), with_tangent(frac, position), lo)


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
    return x, dx - dperiod * g - period * _geometric_slope(i, m - 1) * jnp.where(mult >= 2, dmult, 0)


def _estimated(t: Step, period: Duration, mult: Rate, rounds: int = 1) -> tuple[jax.Array, Step]:
    """Any ``mult > 1``: the closed-form cycle index, corrected by comparison with its starts.

    Cycle ``i`` starts at ``S_i = period * G_i`` with ``G_i = (mult**i - 1) / (mult - 1)``
    and lasts ``period * mult**i``. ``mult**i - 1`` comes from binary powering
    of ``mult - 1`` in double floats (`_double`), which adds no cancellation:
    ``(1 + q)(1 + e) - 1 = q + e + q e``. So a start keeps about 46 bits
    whatever ``mult`` (float32 powering of a rounded 1.1 put the 116th
    cycle's start two steps late). The float estimate of ``i`` is corrected by
    comparison with the neighbouring starts. Its error grows as ``1e-7 * i``
    in float32, so where more than about a million cycles can start below the
    largest step (``rounds=2``, path "re-estimated"), a misplaced step's cycle
    is estimated again from its distance to the start computed, which is
    accurate to a small fraction of a cycle. The child gets
    ``(t - S_i) / mult**i`` as whole + fraction + what the fraction lost
    (`Step.lo`), so its distance to the cycle's end keeps its digits.
    Derivatives in ``period``, ``mult`` and a float step come from the formula
    (`_position`); the double-float part carries none.
    """
    int_dtype, dtype = t.whole.dtype, t.frac.dtype
    exact = jax.lax.stop_gradient  # the derivatives come from `_position`, not through the loop
    d = double.Double.of_sum(*(exact(x) for x in mult.excess(dtype)))  # mult - 1
    d = double.where(d.hi > 0, d, double.Double.constant(1, d.hi))  # a traced mult <= 1 acts as 2
    m = double.add(d, double.Double.constant(1, d.hi))
    per = double.Double.of_sum(*(exact(jnp.asarray(x, dtype)) for x in period.parts()))
    valid = per.hi > 0  # a traced period <= 0 acts as 1
    per = double.where(valid, per, double.Double.constant(1, per.hi))
    length = per.hi
    d_f = d.total()

    # i = log1p(t (mult - 1) / period) / log1p(mult - 1), the logarithm taken apart where its argument is huge.
    ratio = exact(t.float()) / length
    y = ratio * d_f
    guess = jnp.floor(jnp.where(y < 2.0**60, jnp.log1p(y), jnp.log(ratio) + jnp.log(d_f)) / jnp.log1p(d_f))
    first = jnp.clip(guess - 1, 0, 2**30).astype(int_dtype)
    cap = jnp.asarray(jnp.finfo(dtype).max ** 0.25, dtype)  # no product below overflows
    here = double.add(double.Double.of_int(t.whole, dtype), double.Double.of_sum(*(exact(x) for x in (t.frac, t.lo) if x is not None)))

    def held(x: double.Double) -> double.Double:
        return double.where(x.hi < cap, x, double.Double.constant(cap, x.hi))

    def power(first: jax.Array) -> double.Double:
        """``mult**first - 1``."""

        top = jnp.max(first)  # a loop condition on one number compiles faster than `any` over the steps

        def more(carry):
            return (top >> carry[0]) > 0

        def bit(carry):  # q = mult**(first mod 2**b) - 1, e = mult**(2**b) - 1
            b, q, e = carry
            use = ((first >> b) & 1) == 1
            q = double.where(use, held(double.add(double.add(q, e), double.mul(q, e))), q)
            e = held(double.add(double.Double(2 * e.hi, 2 * e.lo), double.mul(e, e)))
            return b + 1, q, e

        zero = jnp.zeros(jnp.broadcast_shapes(first.shape, d.hi.shape), dtype)
        return jax.lax.while_loop(more, bit, (jnp.asarray(0, int_dtype), double.Double(zero, zero), d))[1]

    def candidates(first: jax.Array) -> tuple[list[double.Double], list[double.Double]]:
        """The steps past the starts of cycles ``first`` to ``first + 3``, and ``mult**i`` for the first three."""
        q = power(first)
        stretches = [double.add(q, double.Double.constant(1, q.hi))]
        passed = [double.add(here, double.neg(double.mul(per, double.div(q, d))))]
        for _ in range(3):
            passed.append(double.add(passed[-1], double.neg(double.mul(per, stretches[-1]))))
            stretches.append(held(double.mul(stretches[-1], m)))
        return passed, stretches[:3]

    passed, stretches = candidates(first)
    if rounds == 2:
        # A step before cycle `first` or past `first + 2`: the cycle again, from the distance to `first`'s start.
        y = jnp.maximum(passed[0].total() * d_f / (length * stretches[0].total()), -0.9999)
        moved = jnp.clip(jnp.floor(jnp.log1p(y) / jnp.log1p(d_f)), -(2**30), 2**30).astype(int_dtype)
        misplaced = (passed[0].hi < 0) | (passed[3].hi >= 0)
        first = jnp.where(misplaced, jnp.clip(first + moved - 1, 0, 2**30), first)
        passed, stretches = candidates(first)
    j = (passed[1].hi >= 0).astype(int_dtype) + (passed[2].hi >= 0).astype(int_dtype)

    def at(j: jax.Array, xs: list[double.Double]) -> double.Double:
        return double.where(j == 0, xs[0], double.where(j == 1, xs[1], xs[2]))

    position = double.div(at(j, passed), at(j, stretches))
    over = double.add(position, double.neg(per)).hi > 0
    position = double.where(over, per, double.where(position.hi < 0, double.Double.constant(0, position.hi), position))
    local = t.at(position.hi)
    lo = jnp.where(local.whole < jnp.iinfo(int_dtype).max, position.lo, 0)
    borrow = (local.frac == 0) & (lo < 0)  # just below a whole step: frac 1, lo < 0
    i = (first + j).astype(dtype)
    excess = sum(mult.excess(dtype))
    frac = _position(jnp.where(borrow, 1, local.frac), t.float(), period.total(), excess, i)
    return i, Step(local.whole - borrow.astype(int_dtype), frac, lo)


@jax.custom_jvp
def _position(frac: jax.Array, t: jax.Array, period: jax.Array, excess: jax.Array, i: jax.Array) -> jax.Array:
    """``frac`` itself, differentiated as ``x = (t - period * G_i) / mult**i``, ``G_i = (mult**i - 1) / (mult - 1)``.

    ``excess`` is ``mult - 1``: in terms of it the derivatives keep their digits for a ``mult`` near 1
    (`_geometric_slope`), where float32's ``(mult**i - 1) / (mult - 1)`` was 90% off at ``mult=1.00001``.
    """
    return frac


@_position.defjvp
def _position_jvp(primals, tangents):
    frac, t, period, excess, i = primals
    _, dt, dperiod, dexcess, _ = tangents
    above = excess > 0
    d = jnp.where(above, excess, 1)
    u = i * jnp.log1p(d)
    p = jnp.exp(u)
    g = jnp.where(above, jnp.expm1(u) / d, i)
    x = (t - period * g) / p
    dx_dmult = -(period * _geometric_slope(i, d) / p + x * i / (1 + d))
    return frac, (dt - dperiod * g) / p + jnp.where(above, dexcess, 0) * dx_dmult


def _series(x: jax.Array, coefficients: list[float]) -> jax.Array:
    """``sum(c_k x**k)`` for ``k = 2, 3, ...``, by Horner's rule."""
    out = jnp.zeros_like(x)
    for c in reversed(coefficients):
        out = (out + c) * x
    return out * x


def _geometric_slope(i: jax.Array, d: jax.Array) -> jax.Array:
    """``dG/dmult`` for ``G = ((1 + d)**i - 1) / d``: ``(P w - (P - 1)) / d**2`` with ``P = (1 + d)**i`` and ``w = i d / (1 + d)``.

    Written as ``(B(u) - i c(d) P) / d**2`` with ``u = i log1p(d)``,
    ``B(u) = (u - 1) e**u + 1`` and ``c(d) = log1p(d) - d / (1 + d)``, each
    taken from its series where it would cancel (small ``u``, small ``d``).
    """
    u = i * jnp.log1p(d)
    small_u, small_d = jnp.abs(u) < 0.5, d < 0.1
    us, ds = jnp.where(small_u, u, 0), jnp.where(small_d, d, 0)
    b = jnp.where(small_u, _series(us, [(k - 1) / math.factorial(k) for k in range(2, 12)]), (u - 1) * jnp.exp(u) + 1)
    c = jnp.where(small_d, _series(ds, [(-1) ** k * (k - 1) / k for k in range(2, 12)]), jnp.log1p(d) - d / (1 + d))
    return (b - i * c * jnp.exp(u)) / d**2


def _general(t: Step, period: Duration, mult: Rate) -> tuple[jax.Array, Step]:
    """``mult`` traced: each way computed, the one its value calls for selected per step."""
    found = [_periodic(t, period, mult), _tabulated(t, period, mult), _estimated(t, period, mult, rounds=2)]
    excess, excess_lo = mult.excess(t.frac.dtype)
    above_one = (excess > 0) | ((excess == 0) & (excess_lo > 0))
    whole_mult = (excess % 1 == 0) & (excess_lo % 1 == 0)
    which = jnp.where(above_one, jnp.where(period.is_whole() & whole_mult, 1, 2), 0)
    i = jax.lax.select_n(jnp.broadcast_to(which, found[0][0].shape), *(q for q, _ in found))
    whole = jax.lax.select_n(jnp.broadcast_to(which, i.shape), *(r.whole for _, r in found))
    frac = jax.lax.select_n(jnp.broadcast_to(which, i.shape), *(r.frac for _, r in found))
    lo = jax.lax.select_n(jnp.broadcast_to(which, i.shape), *(jnp.zeros_like(r.frac) if r.lo is None else r.lo for _, r in found))
    return i, Step(whole, frac, lo)


def _one_estimate_suffices(mult: np.ndarray, period: Duration) -> bool:
    """Fewer cycles than ``1 / (8 eps)`` (a million in float32) start below the largest step: the float estimate is within one."""
    if any(concrete(x) is None for x in period.parts()):
        return False
    length, d = np.min(period.exact()), np.min(mult) - 1
    top = float(jnp.iinfo(step_int_dtype()).max)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        cycles = np.log1p(top * d / length) / np.log1p(d)
    return bool(length > 0 and cycles * 8 * np.finfo(period.dtype).eps < 1)


_FIND = {
    "periodic": _periodic,
    "tabulated": _tabulated,
    "estimated": _estimated,
    "re-estimated": functools.partial(_estimated, rounds=2),
    None: _general,
}


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
    corrected by comparison with the neighbouring cycle starts, computed to
    about 46 bits (double floats, from ``mult - 1``: the ``mult`` leaves hold
    ``mult - 1``, see `Rate`, so ``mult=1.00001`` keeps its digits). How it is found
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
    mult: Rate = f.growth(1.0)
    factor: Rate = f.rate(1.0, ge=0)
    limit: jax.Array | None = f.value(None, ge=1, whole=True)
    path: str | None = f.derived(None)
    #: ``factor`` is concretely 1: the peaks do not decay and no power is computed.
    flat: bool = f.derived(False)

    def __check_init__(self) -> None:
        hi, lo = concrete(self.factor.hi), concrete(self.factor.lo)
        object.__setattr__(self, "flat", hi is not None and lo is not None and bool(np.all(hi == 1) and np.all(lo == 0)))
        if concrete(self.mult.hi) is None or concrete(self.mult.lo) is None:
            return
        m = self.mult.exact()
        if np.all(m == 1):
            path = "periodic"
        elif self.period.whole and np.all(m % 1 == 0) and np.all(m >= 2):
            path = "tabulated"
        elif np.all(m > 1):
            path = "estimated" if _one_estimate_suffices(m, self.period) else "re-estimated"
        else:
            path = None
        object.__setattr__(self, "path", path)

    def _evaluate(self, t: Step) -> jax.Array:
        i, local = _FIND[self.path](t, self.period, self.mult)
        if self.limit is not None:
            limit = jnp.maximum(self.limit, 1)
            held = i >= limit
            local = Step.select(held, local.at(self.period), local)
            i = jnp.where(held, limit - 1, i)
        value = self.schedule._evaluate(local)
        if self.flat:
            return _times_unit_power(value, self.factor.total(), i)
        return value * power(self.factor, i)


@jax.custom_jvp
def _times_unit_power(value: jax.Array, factor: jax.Array, i: jax.Array) -> jax.Array:
    """``value * factor**i`` for ``factor`` known to be 1: ``value``, differentiated in ``factor`` too (``i * value``)."""
    return value


@_times_unit_power.defjvp
def _times_unit_power_jvp(primals, tangents):
    value, _, i = primals
    d_value, d_factor, _ = tangents
    return value, d_value + value * i * d_factor


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
