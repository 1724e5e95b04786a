"""Double-float arithmetic: a number held as the unevaluated sum ``hi + lo`` of two floats.

About twice the float's precision (48 bits from float32) from float operations
alone, for the few places where a float32 result would amplify its own
rounding: the start of the 100th cycle of restarts whose lengths grow by a
fractional factor. Products are formed from half-width limbs, whose products
are exact, so no result depends on whether XLA fuses a multiply and an add
(FMA): eager and jitted evaluation agree. Sums renormalise with Knuth's
two-sum. Accuracy is about ``2**-46`` of the operands (a difference of nearly
equal numbers is exact to that much of them, not of itself).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np


class Double(NamedTuple):
    """``hi + lo`` with ``|lo| <= ulp(hi) / 2`` (after any operation here)."""

    hi: jax.Array
    lo: jax.Array

    @classmethod
    def of_int(cls, n: jax.Array, dtype: np.dtype) -> Double:
        """An integer array, exactly: its high bits and its low bits, each exact in the float."""
        low_bits = max(jnp.iinfo(n.dtype).bits - (jnp.finfo(dtype).nmant + 1), 0)
        lo = n & ((1 << low_bits) - 1)
        return _fast_two_sum((n - lo).astype(dtype), lo.astype(dtype))

    @classmethod
    def of_sum(cls, *xs: jax.Array) -> Double:
        """The sum of floats (largest first), each added with its rounding error kept."""
        hi, lo = xs[0], jnp.zeros_like(xs[0])
        for x in xs[1:]:
            hi, err = two_sum(hi, x)
            lo = lo + err
        return _fast_two_sum(hi, lo)

    @classmethod
    def constant(cls, value: float, like: jax.Array) -> Double:
        return cls(jnp.full_like(like, value), jnp.zeros_like(like))

    def total(self) -> jax.Array:
        return self.hi + self.lo


def two_sum(a: Any, b: Any) -> tuple[Any, Any]:
    """``(s, err)`` with ``s = a + b`` rounded and ``s + err == a + b`` exactly (Knuth's two-sum: no products to fuse)."""
    s = a + b
    b_seen = s - a
    return s, (a - (s - b_seen)) + (b - b_seen)


def _fast_two_sum(a: jax.Array, b: jax.Array) -> Double:
    """``a + b`` as a normalised `Double`, for ``|a| >= |b|`` (or ``a == 0``)."""
    s = a + b
    return Double(s, b - (s - a))


def limbs(x: jax.Array, bits: int, count: int) -> list[jax.Array]:
    """``x`` as ``count`` floats summing to it, each with at most ``bits`` significant bits.

    Each limb keeps the top ``bits`` of the significand of what is left (its
    low bits cleared, which truncates exactly toward 0): no product here can
    be fused or rounded, and it costs two operations per limb.
    """
    info = jnp.finfo(x.dtype)
    unsigned = jnp.dtype(f"uint{info.bits}")
    keep = ~np.array((1 << (info.nmant + 1 - bits)) - 1, unsigned)
    out = []
    for _ in range(count - 1):
        hi = jax.lax.bitcast_convert_type(jax.lax.bitcast_convert_type(x, unsigned) & keep, x.dtype)
        out.append(hi)
        x = x - hi
    return [*out, x]


def half_bits(dtype: np.dtype) -> int:
    """Significant bits of a limb whose products with another are exact (12 for float32)."""
    return -(-(jnp.finfo(dtype).nmant + 1) // 2)


def two_prod(a: jax.Array, b: jax.Array) -> Double:
    """``a * b`` to about ``2**-48`` of it: four exact limb products, summed with their rounding errors kept."""
    bits = half_bits(jnp.result_type(a))
    a1, a2 = limbs(a, bits, 2)
    b1, b2 = limbs(b, bits, 2)
    cross, cross_err = two_sum(a1 * b2, a2 * b1)
    s, err = two_sum(a1 * b1, cross)
    return _fast_two_sum(s, err + (cross_err + a2 * b2))


def add(x: Double, y: Double) -> Double:
    s, err = two_sum(x.hi, y.hi)
    return _fast_two_sum(s, err + (x.lo + y.lo))


def neg(x: Double) -> Double:
    return Double(-x.hi, -x.lo)


def mul(x: Double, y: Double) -> Double:
    p = two_prod(x.hi, y.hi)
    return _fast_two_sum(p.hi, p.lo + (x.hi * y.lo + x.lo * y.hi))


def div(x: Double, y: Double) -> Double:
    """``x / y`` for ``y.hi != 0``: the float quotient, corrected once by its exact-enough remainder.

    By the reciprocal, as XLA computes a division by a constant: eager and
    jitted evaluation round alike whether ``y`` is a constant or not.
    """
    reciprocal = 1 / y.hi
    q = x.hi * reciprocal
    r = add(x, neg(mul(Double(q, jnp.zeros_like(q)), y)))
    return _fast_two_sum(q, r.hi * reciprocal)


def where(which: jax.Array, x: Double, y: Double) -> Double:
    return Double(jnp.where(which, x.hi, y.hi), jnp.where(which, x.lo, y.lo))
