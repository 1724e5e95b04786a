"""Step arithmetic that is exact for integer steps and finite for every input.

A step travels through a schedule as a `Step`: a whole part in the step's
integer dtype plus a fraction in [0, 1) in the schedule's float dtype. Float32
cannot tell step 2**31 - 1 from 2**31, but the whole part can, so offsets
(`Step.minus`), remainders (`floor_div`) and boundary comparisons
(`count_reached`) by whole numbers of steps are exact at every step, however
deeply schedules are nested. Every division guards its divisor in both branches
of a `where` so that values and gradients stay finite ("double where").
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from ._checks import concrete


def int_bound(int_dtype: np.dtype) -> float:
    """The first whole number the integer dtype cannot hold (2**31 for int32).

    Compare floats against this with ``<``: ``x <= iinfo.max`` is wrong in
    float32, where 2**31 - 1 rounds up to 2**31.
    """
    return float(jnp.iinfo(int_dtype).max) + 1.0


def _split(x: jax.Array, int_dtype: np.dtype) -> tuple[jax.Array, jax.Array, jax.Array]:
    """``x = k + rest`` with ``k = floor(x)`` as a non-negative integer where the dtype holds it.

    Returns ``(k, rest, ok)``; where ``ok`` is False (``x`` negative, too large or
    NaN) ``k`` is 0 and ``rest`` is ``x``.
    """
    lower = jnp.floor(x)
    ok = (lower >= 0) & (lower < int_bound(int_dtype))
    k = jnp.where(ok, lower, 0)
    return k.astype(int_dtype), x - k, ok


class Step(NamedTuple):
    """The step ``whole + frac``, with ``whole`` a non-negative integer array and ``0 <= frac < 1``."""

    whole: jax.Array
    frac: jax.Array

    @classmethod
    def of(cls, t: jax.Array, dtype: np.dtype, int_dtype: np.dtype | None = None) -> Step:
        """A step from an integer or float array, clamped at 0 (and at the integer dtype's maximum)."""
        if jnp.issubdtype(t.dtype, jnp.signedinteger):
            whole = jnp.maximum(t, 0)
            return cls(whole, jnp.zeros(whole.shape, dtype))
        if jnp.issubdtype(t.dtype, jnp.integer) or t.dtype == jnp.bool_:
            return cls.of(t.astype(jnp.int32), dtype)
        int_dtype = int_dtype or jax.dtypes.canonicalize_dtype(jnp.int64)
        t = jnp.maximum(t.astype(dtype), 0)
        whole, frac, ok = _split(t, int_dtype)
        return cls(jnp.where(ok, whole, jnp.iinfo(int_dtype).max), jnp.where(ok, frac, 0))

    def at(self, x: jax.Array) -> Step:
        """The step ``x`` (a float computed inside a schedule, e.g. a period) in this step's dtypes."""
        return Step.of(jnp.asarray(x), self.frac.dtype, self.whole.dtype)

    def float(self) -> jax.Array:
        return self.whole.astype(self.frac.dtype) + self.frac

    def since(self, start: jax.Array) -> jax.Array:
        """``self - start`` as a float; exact whenever ``start`` is whole and the result is below 2**24."""
        k, rest, _ = _split(start, self.whole.dtype)
        return (self.whole - k).astype(self.frac.dtype) + (self.frac - rest)

    def minus(self, offset: jax.Array) -> Step:
        """``max(self - offset, 0)``, exact in the whole part for every whole ``offset`` (negative acts as 0)."""
        k, rest, ok = _split(jnp.maximum(offset, 0), self.whole.dtype)
        frac = self.frac - rest
        borrow = jnp.floor(jnp.where(ok, frac, 0))  # -1 or 0
        whole = self.whole - k + borrow.astype(k.dtype)
        keep = ok & (whole >= 0)
        return Step(jnp.where(keep, whole, 0), jnp.where(keep, frac - borrow, 0))


def progress(x: jax.Array, length: jax.Array) -> jax.Array:
    """``clip(x / length, 0, 1)``; a ramp of length <= 0 is complete (1) from ``x >= 0`` on."""
    positive = length > 0
    safe = jnp.where(positive, length, 1)
    # Decided by comparison, not by x / length == 1: XLA turns a division by a
    # constant into a multiplication by its reciprocal (150 * (1/150) > 1).
    return jnp.where(x >= jnp.maximum(length, 0), 1, jnp.where(positive, jnp.clip(x / safe, 0, 1), 0)).astype(x.dtype)


def decide(test, *values):
    """``test(*values)``: a NumPy bool when every value is concrete, a traced array otherwise.

    A schedule closed over by a jitted function has concrete leaves; deciding
    in Python then traces one branch of `choose` instead of a cond with two.
    ``test`` must use only operators and array methods (NumPy and JAX alike).
    """
    arrays = [concrete(v) for v in values]
    return test(*values) if any(a is None for a in arrays) else test(*arrays)


def _known(flag) -> bool:
    """True only for a concrete scalar True from `decide`."""
    return isinstance(flag, (np.ndarray, np.bool_)) and np.ndim(flag) == 0 and bool(flag)


def choose(pred: jax.Array, if_true, if_false, *operands):
    """``if_true(*operands)`` where ``pred`` else ``if_false(*operands)``.

    A scalar ``pred`` (hyperparameters are scalars except inside a vmap over
    schedules, where JAX turns the cond into a select) runs only one branch:
    chosen in Python when ``pred`` is concrete (eager evaluation), by
    `lax.cond` when it is traced.
    """
    if jnp.ndim(pred) == 0:
        try:
            return if_true(*operands) if bool(pred) else if_false(*operands)
        except jax.errors.ConcretizationTypeError:
            return jax.lax.cond(pred, if_true, if_false, *operands)
    return jax.tree.map(lambda a, b: jnp.where(pred, a, b), if_true(*operands), if_false(*operands))


def floor_div(t: Step, period: jax.Array) -> tuple[jax.Array, Step]:
    """``(q, r)`` with ``t = q * period + r`` and ``0 <= r < period``; ``q`` is a float.

    For a whole ``period`` the quotient is computed exactly in integers (then
    rounded once to the float dtype, so it is exact below 2**24 in float32) and
    the remainder is exact. A period <= 0 acts as 1.
    """
    bound = int_bound(t.whole.dtype)
    whole = decide(lambda p: (p <= 0) | ((p % 1 == 0) & (p < bound)), period)
    period = jnp.where(period > 0, period, 1)
    p, _, ok = _split(period, t.whole.dtype)

    def in_integers(t: Step, period: jax.Array) -> tuple[jax.Array, Step]:
        whole_p = jnp.where(ok, p, 1)
        q = t.whole // whole_p
        return q.astype(t.frac.dtype), Step(t.whole - q * whole_p, t.frac)

    def in_floats(t: Step, period: jax.Array) -> tuple[jax.Array, Step]:
        x = t.float()
        q = jnp.floor(x / period)
        return q, t.at(jnp.clip(x - q * period, 0, period))

    return choose(whole, in_integers, in_floats, t, period)


def count_reached(t: Step, boundaries: jax.Array) -> jax.Array:
    """How many of the sorted ``boundaries`` are ``<= t``: an integer array shaped like ``t``.

    Whole boundaries are compared in integers, so the count is exact for every
    step; only boundaries strictly between two whole steps use a float
    comparison. One search (three with fractional boundaries), by binary
    search beyond 64 boundaries: the program does not grow with their number.
    """
    dtype = t.whole.dtype
    bound = int_bound(dtype)
    reachable = jnp.sum(boundaries < bound)  # sorted: those no step reaches are at the end
    # The number of boundaries is static: few are fastest compared all at once.
    method = "compare_all" if boundaries.shape[-1] <= 64 else "scan"

    def as_int(x: jax.Array) -> jax.Array:
        x = jnp.maximum(x, 0)  # every step is >= 0, so negative boundaries are all reached
        fits = x < bound
        return jnp.where(fits, jnp.where(fits, x, 0).astype(dtype), jnp.iinfo(dtype).max)

    def at_most(x: jax.Array, whole: jax.Array) -> jax.Array:
        return jnp.minimum(jnp.searchsorted(as_int(x), whole, side="right", method=method), reachable)

    def all_whole(t: Step, boundaries: jax.Array) -> jax.Array:
        # b <= whole + frac  <=>  b <= whole, for whole b and 0 <= frac < 1.
        return at_most(boundaries, t.whole)

    def some_fractional(t: Step, boundaries: jax.Array) -> jax.Array:
        low = at_most(jnp.ceil(boundaries), t.whole)  # b <= whole
        high = at_most(jnp.floor(boundaries), t.whole)  # b < whole + 1
        return jnp.clip(jnp.searchsorted(boundaries, t.float(), side="right", method=method), low, high)

    return choose(decide(lambda b: (b % 1 == 0).all(axis=-1), boundaries), all_whole, some_fractional, t, boundaries)


@jax.custom_jvp
def _pow(base: jax.Array, exponent: jax.Array) -> jax.Array:
    """``jnp.power`` for ``base > 0``, skipping the work when a scalar side makes it trivial.

    The usual exponent 1 (cosine, polynomial) and base 1 (decay, factor) then
    cost nothing; the derivative rule below still uses the full formula.
    """
    dtype = jnp.result_type(base, exponent)
    if jnp.ndim(exponent) == 0 and jnp.ndim(base) > 0:
        return choose(exponent == 1, lambda b, e: b.astype(dtype), jnp.power, base, exponent)
    if jnp.ndim(base) == 0 and jnp.ndim(exponent) > 0:
        return choose(base == 1, lambda b, e: jnp.ones(e.shape, dtype), jnp.power, base, exponent)
    return jnp.power(base, exponent)


@_pow.defjvp
def _pow_jvp(primals: tuple[jax.Array, jax.Array], tangents: tuple[jax.Array, jax.Array]):
    base, exponent = primals
    d_base, d_exponent = tangents
    out = _pow(base, exponent)
    return out, exponent * _pow(base, exponent - 1) * d_base + out * jnp.log(base) * d_exponent


def power(base: jax.Array, exponent: jax.Array) -> jax.Array:
    """``base ** exponent`` for ``base >= 0`` (a negative base acts as 0), finite with finite gradients.

    ``0 ** 0`` is 1. Growth is capped at ``sqrt(finfo.max)`` (about 1.8e19 in
    float32) by capping the exponent, so neither the value nor its gradient can
    overflow; below the cap this is ``jnp.power``. Meant for a scalar base (a
    rate, factor or decay) raised to per-step exponents.
    """
    dtype = jnp.result_type(base, exponent)
    if _known(decide(lambda b: b == 1, base)):
        return jnp.ones(jnp.broadcast_shapes(jnp.shape(base), jnp.shape(exponent)), dtype)
    positive = base > 0
    safe = jnp.where(positive, base, 1)
    log_base = jnp.log(safe)
    limit = np.log(jnp.finfo(dtype).max) / 2
    over = exponent * log_base > limit
    exponent = jnp.where(over, limit / jnp.where(over, log_base, 1), exponent)
    at_zero = jnp.where(exponent == 0, 1, 0).astype(dtype)
    return jnp.where(positive, _pow(safe, exponent), at_zero)


def power_no_growth(base: jax.Array, exponent: jax.Array) -> jax.Array:
    """``base ** exponent`` where it cannot exceed ``max(base, 1)``: ``0 <= base <= 1`` or ``0 <= exponent <= 1``.

    Cheaper than `power` for per-step bases (a cosine half-wave, a ramp
    fraction). A negative base acts as 0 and a negative exponent as 0.
    """
    dtype = jnp.result_type(base, exponent)
    if _known(decide(lambda e: e == 1, exponent)):
        return jnp.broadcast_to(jnp.maximum(base, 0).astype(dtype), jnp.broadcast_shapes(jnp.shape(base), jnp.shape(exponent)))
    exponent = jnp.maximum(exponent, 0)
    positive = base > 0
    at_zero = jnp.where(exponent == 0, 1, 0).astype(dtype)
    return jnp.where(positive, _pow(jnp.where(positive, base, 1), exponent), at_zero)
