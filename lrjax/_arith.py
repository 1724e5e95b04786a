"""Step arithmetic that is exact for integer steps and finite for every input.

Two exact representations meet here:

- A step travels through a schedule as a `Step`: a whole part in the step's
  integer dtype plus a fraction in [0, 1) in the schedule's float dtype.
  Float32 cannot tell step 2**31 - 1 from 2**31, but the whole part can.
- A duration (a length, a boundary, a milestone) is a `Duration`:
  ``coarse``, a multiple of 256, plus ``fine`` in [0, 256). Each is exact in
  float32, so every whole duration up to 2**31 - 1 (and far beyond) is held
  exactly, while both parts stay floating leaves that vmap and differentiate.
  A fractional duration adds ``lo``, what ``fine`` lost to rounding: about 48
  bits in all, so a float64 duration (``1000 / 3``) keeps its digits.

Offsets (`minus`, `since`), remainders (`floor_div`), boundary counts
(`count_reached`) and ramp fractions (`ramp`) combine the two in integers, so
they are exact at every step, however deeply schedules are nested. Every
division guards its divisor in both branches of a `where`, so values and
gradients stay finite ("double where").
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from ._double import Double, half_bits, limbs, mul, two_sum

#: Durations are split at multiples of this: ``coarse`` then has at most 23
#: significant bits below 2**31, exact in float32, and ``fine`` is below it.
GRAIN = 256


def concrete(x: Any) -> np.ndarray | None:
    """``x`` as a NumPy array, or None when it is traced."""
    try:
        return np.asarray(x)
    except (jax.errors.TracerArrayConversionError, jax.errors.ConcretizationTypeError):
        return None


_FLOAT32, _FLOAT64 = np.dtype(np.float32), np.dtype(np.float64)


def default_float() -> np.dtype:
    """float32, or float64 under ``jax_enable_x64``."""
    return _FLOAT64 if jax.config.jax_enable_x64 else _FLOAT32


def int_bound(int_dtype: np.dtype) -> float:
    """The first whole number the integer dtype cannot hold (2**31 for int32).

    Compare floats against this with ``<``: ``x <= iinfo.max`` is wrong in
    float32, where 2**31 - 1 rounds up to 2**31.
    """
    return float(jnp.iinfo(int_dtype).max) + 1.0


def step_int_dtype() -> np.dtype:
    """The integer dtype float steps are split into: int64 under x64, else int32."""
    return jax.dtypes.canonicalize_dtype(jnp.int64)


def _split(x: jax.Array, int_dtype: np.dtype, xp: Any = jnp) -> tuple[jax.Array, jax.Array, jax.Array]:
    """``x = k + rest`` with ``k = floor(x)`` as a non-negative integer where the dtype holds it.

    Returns ``(k, rest, ok)``; where ``ok`` is False (``x`` negative, too large or
    NaN) ``k`` is 0 and ``rest`` is ``x``. ``xp`` is NumPy for concrete ``x``.
    """
    lower = xp.floor(x)
    ok = (lower >= 0) & (lower < int_bound(int_dtype))
    k = xp.where(ok, lower, 0).astype(x.dtype)
    return k.astype(int_dtype), x - k, ok


#: Up to this many entries, `take` selects (elementwise, vectorised) rather than gathers.
_FEW = 8


def take(x: Any, i: jax.Array) -> jax.Array:
    """``x[i]`` for a 1-D ``x`` and an integer array ``i`` of indices in range, shaped like ``i``.

    For an array of indices, a few entries are selected by a tree of
    elementwise selects, which vectorises, where a gather goes index by index;
    more are gathered. One index (a training step) is one dynamic slice.
    """
    n = np.shape(x)[0]
    if n == 1:
        return jnp.broadcast_to(jnp.asarray(x)[0], jnp.shape(i))
    if jnp.ndim(i) == 0:
        return jax.lax.dynamic_index_in_dim(x, i, keepdims=False)
    if n > _FEW:
        return jnp.take(x, i, mode="clip")
    which = jnp.clip(i, 0, n - 1).astype(jnp.int32)
    return jax.lax.select_n(which, *(jnp.broadcast_to(jnp.asarray(x)[k], which.shape) for k in range(n)))


def array_module(*xs: Any) -> Any:
    """NumPy when every one of ``xs`` is a NumPy array or None (a concrete leaf: computed once, when traced), else ``jax.numpy``."""
    return np if all(x is None or isinstance(x, (np.ndarray, np.generic)) for x in xs) else jnp


class Pair:
    """A number held as floating leaves whose sum it is: the base of `Duration` and `Rate`.

    ``PARTS`` names the leaves, the first (``main``) carrying the shape and
    dtype; a part the static data leaves out (`_leaves`) is None and counts
    as 0. A subclass adds how it splits a number and any static data (``_aux``).
    """

    __slots__ = ()
    PARTS: tuple[str, ...]

    def _aux(self) -> Any:
        return None

    def _leaves(self) -> tuple[str, ...]:
        """The parts that are leaves, which the static data decides."""
        return self.PARTS

    def tree_flatten_with_keys(self):
        return tuple((jax.tree_util.GetAttrKey(n), getattr(self, n)) for n in self._leaves()), self._aux()

    @classmethod
    def tree_unflatten(cls, aux: Any, children: Any) -> Pair:
        return cls(*children)

    def map(self, fn: Any) -> Pair:
        """The same kind of number with ``fn`` applied to each part (an index, a broadcast); static data kept."""
        return self.tree_unflatten(self._aux(), [fn(getattr(self, n)) for n in self._leaves()])

    def like(self, value: Any) -> Pair:
        """``value`` held the way this number is held (kind, dtype and static choices)."""
        return type(self).of(value, self.dtype)

    def parts(self) -> list[Any]:
        """The parts that are present, largest first."""
        return [x for x in (getattr(self, n) for n in self.PARTS) if x is not None]

    def total(self) -> jax.Array:
        """The sum of the parts, rounded to the dtype: for smooth formulas, not for comparisons."""
        first, *rest = self.parts()
        for x in rest:
            first = first + x
        return first

    def exact(self) -> np.ndarray:
        """The concrete number in float64."""
        return sum(np.asarray(x, np.float64) for x in self.parts())

    @property
    def main(self) -> Any:
        return getattr(self, self.PARTS[0])

    @property
    def dtype(self) -> np.dtype:
        return jnp.result_type(self.main)

    @property
    def shape(self) -> tuple[int, ...]:
        return jnp.shape(self.main)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.exact() if concrete(self.main) is not None else 'traced'})"


@jax.tree_util.register_pytree_with_keys_class
class Duration(Pair):
    """A length or position in steps, exact for every whole number: ``coarse + fine (+ lo)``.

    ``coarse`` is a multiple of 256 and ``fine`` lies in [0, 256), both floating
    leaves of the schedule's dtype. A duration that is not known to be whole
    has a third leaf, ``lo``: what rounding ``fine`` to the dtype lost, so a
    fractional duration given as a Python float (``1000 / 3``) keeps about 48
    bits (float64 precision at float32 leaves); it is 0 for a duration given
    traced. ``whole`` is static: True when the duration is known to be a whole
    number (it was given as an int or as a concrete whole float; then there is
    no ``lo``), False when every entry is concretely fractional, and None when
    it was given traced as a float or mixes whole and fractional entries (each
    entry then takes its own path). A vector of durations (boundaries) has 1-D parts.

    >>> import lrjax
    >>> d = lrjax.piecewise_constant([1.0, 0.5], boundaries=[16_777_217]).boundaries
    >>> d.coarse.tolist(), d.fine.tolist(), d.whole, d.exact().tolist()
    ([16777216.0], [1.0], True, [16777217.0])
    >>> d = lrjax.restart(lrjax.cosine(1.0, steps=1), period=1000 / 3).period
    >>> d.whole, bool(abs(d.exact() - 1000 / 3) < 1e-12), bool(abs(float(d.coarse) + float(d.fine) - 1000 / 3) < 1e-6)
    (False, True, False)
    """

    __slots__ = ("coarse", "fine", "lo", "whole")
    PARTS = ("coarse", "fine", "lo")

    def __init__(self, coarse: Any, fine: Any, lo: Any, whole: bool | None):
        if whole:
            lo = None
        elif lo is None and fine is not None:  # (None parts: a tree of placeholders, as jax.tree.map makes)
            lo = np.zeros_like(fine) if isinstance(fine, (np.ndarray, np.generic)) else jnp.zeros_like(fine)
        self.coarse, self.fine, self.lo, self.whole = coarse, fine, lo, whole

    def _aux(self) -> bool | None:
        return self.whole

    def _leaves(self) -> tuple[str, ...]:
        return self.PARTS[:2] if self.whole else self.PARTS

    @classmethod
    def tree_unflatten(cls, whole: bool | None, children: Any) -> Duration:
        coarse, fine, *lo = children  # no lo when whole
        return cls(coarse, fine, lo[0] if lo else None, whole)

    @classmethod
    def of(cls, x: Any, dtype: np.dtype | None = None) -> Duration:
        """A duration from a number or array (concrete or traced, int or float); a Duration is returned as is."""
        if isinstance(x, Duration):
            return x
        if type(x) is int and dtype is None and 0 <= x < 2**53:  # the common case, without NumPy's machinery
            fine = x % GRAIN
            d = default_float()
            return cls(np.asarray(x - fine, d), np.asarray(fine, d), None, True)
        floating = hasattr(x, "dtype") and jnp.issubdtype(x.dtype, jnp.floating)
        dtype = jax.dtypes.canonicalize_dtype(dtype or (x.dtype if floating else default_float()))
        v = concrete(x)
        if v is not None:
            return cls._of_float64(v.astype(np.float64), dtype)
        x = jnp.asarray(x)
        if jnp.issubdtype(x.dtype, jnp.integer) or x.dtype == jnp.bool_:
            x = x.astype(step_int_dtype()) if x.dtype.itemsize < 4 or x.dtype == jnp.bool_ else x
            fine = x & (GRAIN - 1)
            return cls((x - fine).astype(dtype), fine.astype(dtype), None, True)
        x = x.astype(dtype)
        coarse = jnp.floor(x / GRAIN) * GRAIN
        fine, lo = two_sum(x, -coarse)  # exact but for a small negative x (-1e-6 + 256 rounds)
        carry = fine >= GRAIN
        return cls(jnp.where(carry, coarse + GRAIN, coarse), jnp.where(carry, fine - GRAIN, fine), lo, None)

    @classmethod
    def _of_float64(cls, v: np.ndarray, dtype: np.dtype) -> Duration:
        # NumPy leaves: building a schedule makes no device round trip (JAX takes them as it takes jax.Arrays).
        with np.errstate(invalid="ignore", over="ignore"):
            coarse = np.floor(v / GRAIN) * GRAIN
            rest = v - coarse  # exact, in [0, GRAIN)
            fine = rest.astype(dtype)
            carry = fine >= GRAIN  # rounded up to GRAIN: carried (lo is then negative)
            coarse, fine = np.where(carry, coarse + GRAIN, coarse), np.where(carry, 0, fine).astype(dtype)
            # fine may have rounded up onto a whole number: lo is negative, and `split_exact` borrows.
            lo = (rest - np.where(carry, GRAIN, fine.astype(np.float64))).astype(dtype)
        coarse = np.asarray(coarse, dtype)
        # Static: whole (exact integer paths), concretely fractional (float paths), or, for a
        # batch of both, None: decided per member, as for traced durations and `lrjax.stack`.
        # Decided from what is stored (1e-300 is 0), as repr and configs write it.
        is_whole = (fine % 1 == 0) & (lo == 0)
        whole = True if np.all(is_whole) else False if not np.any(is_whole) else None
        return cls(coarse, np.asarray(fine), np.asarray(lo), whole)

    def _combine(self, other: Duration, sign: int) -> Duration:
        # coarse parts add exactly; fine parts by an exact two-sum, renormalised back into
        # [0, GRAIN) by another (moving a multiple of GRAIN to coarse): their rounding errors join lo.
        # In NumPy when concrete: presets combine durations when built, which then dispatches nothing.
        whole = True if self.whole and other.whole else None
        parts = (*self.parts(), *other.parts())
        xp = array_module(*parts)
        coarse = self.coarse + sign * other.coarse
        fine, err = two_sum(self.fine, sign * other.fine)
        carry = xp.floor(fine / GRAIN) * GRAIN
        fine, err_carry = two_sum(fine, -carry)
        lo = None if whole else (err + err_carry) + (_lo(self) + sign * _lo(other))
        return Duration(xp.asarray(coarse + carry), xp.asarray(fine), lo, whole)

    def general(self) -> Duration:
        """The same duration with ``whole`` left undecided (None): it then has a ``lo`` leaf (0 if it was whole)."""
        return Duration(self.coarse, self.fine, self.lo, None)

    def times(self, r: Rate) -> Duration:
        """``self * r``, within about 2**-46 of it relatively (float64's precision in float32 leaves), traced or not.

        Concretely in float64; traced, as a product of double floats (`_double`).
        """
        if all(concrete(x) is not None for x in (*self.parts(), *r.parts())):
            return Duration.of(self.exact() * r.exact(), self.dtype)
        dtype = self.dtype
        rate = Double.of_sum(*(jnp.asarray(x, dtype) for x in ((r.offset,) if r.offset else ()) + (r.hi, r.lo)))
        product = mul(Double.of_sum(*(jnp.asarray(x, dtype) for x in self.parts())), rate)
        d = Duration.of(product.hi)
        return Duration(d.coarse, d.fine, d.lo + product.lo, None)

    def length_to(self, end: Duration) -> jax.Array:
        """``end - self`` as a float, rounded about once (not exact: for smooth formulas)."""
        return (end.coarse - self.coarse) + ((end.fine - self.fine) + (_lo(end) - _lo(self)))

    def __add__(self, other: Duration) -> Duration:
        return self._combine(other, 1)

    def __sub__(self, other: Duration) -> Duration:
        return self._combine(other, -1)

    def split_exact(self, int_dtype: np.dtype) -> tuple[jax.Array, jax.Array, jax.Array | None, jax.Array]:
        """``(k, rest, lo, ok)``: the whole part ``k`` in ``int_dtype`` and the fraction ``rest + lo`` in [0, 1).

        ``rest`` is exact in the dtype and ``lo`` (None for a whole duration) is
        what it leaves; ``ok`` is False where ``k`` does not fit (or is < 0),
        and then ``k`` is 0 and ``rest`` the rounded total.
        """
        xp = array_module(*self.parts())
        with np.errstate(over="ignore", invalid="ignore"):  # NumPy: k wraps as XLA's does, and is then rejected
            kc, rc, ok_c = _split(self.coarse, int_dtype, xp)
            kf, rf, ok_f = _split(self.fine, int_dtype, xp)
            k = kc + kf
            ok = ok_c & ok_f & (k >= kc)  # k < kc: the sum wrapped around
            rest, lo = rc + rf, self.lo
            if lo is not None:  # a negative lo on a whole rest borrows one step: rest + lo stays in [0, 1)
                borrow = (rest + lo) < 0
                k = k - borrow.astype(k.dtype)
                rest = xp.where(borrow, rest + 1, rest)
                ok = ok & (k >= 0)
                lo = xp.where(ok, lo, 0).astype(rest.dtype)
            return xp.where(ok, k, 0).astype(k.dtype), xp.where(ok, rest, self.total()).astype(rest.dtype), lo, ok

    def split(self, int_dtype: np.dtype) -> tuple[jax.Array, jax.Array, jax.Array]:
        """``(k, rest, ok)`` with ``k`` the whole part in ``int_dtype``; ``ok`` False where it does not fit (or < 0)."""
        k, rest, lo, ok = self.split_exact(int_dtype)
        if lo is not None:
            xp = array_module(rest, lo, ok)
            rest = xp.where(ok, xp.minimum(rest + lo, _below_one(rest.dtype)), rest).astype(rest.dtype)
        return k, rest, ok

    def is_whole(self) -> jax.Array | bool:
        """True when statically known whole, else a traced test (fractional parts are all in ``fine`` and ``lo``)."""
        return True if self.whole else (self.fine % 1 == 0) & (self.lo == 0)


def _lo(x: Duration | Step) -> Any:
    return 0 if x.lo is None else x.lo


def _below_one(dtype: np.dtype) -> np.ndarray:
    return np.nextafter(np.asarray(1, dtype), np.asarray(0, dtype))


@jax.tree_util.register_pytree_with_keys_class
class Rate(Pair):
    """A multiplier raised to large powers (``rate ** t``), held as ``offset + hi + lo``: two floating leaves.

    ``hi`` is the rate less ``offset`` rounded to the leaf dtype and ``lo`` what
    that rounding lost, so a rate given as a Python float keeps float64
    precision: float32's rounding of 0.9999 alone would put ``0.9999 ** 1e5``
    off by 3e-3. A traced rate has ``lo = 0``. Both are leaves: the rate vmaps
    and differentiates (a derivative in ``hi`` is one in the rate).
    ``offset`` is static, 0 or 1, and decided by the field, not the value: a
    factor that is at least 1 and whose excess over 1 matters (`restart`'s
    ``mult``, whose cycle starts scale as ``1 / (mult - 1)``) is held as
    ``mult - 1``, so that ``1.0001`` keeps every digit of its ``0.0001``.

    >>> import lrjax
    >>> s = lrjax.exponential(1.0, rate=0.9999, steps=1)
    >>> s, float(s.rate.hi) == 0.9999
    (exponential(init=1.0, rate=0.9999, steps=1), False)
    >>> round(float(s(100_000)) / 0.9999**100_000, 6)
    1.0
    >>> m = lrjax.restart(lrjax.cosine(1.0, steps=10), period=10, mult=1.0001).mult
    >>> m.offset, float(m.hi + m.lo) == 0.0001, float(m.exact()) == 1.0001
    (1, False, True)
    """

    __slots__ = ("hi", "lo", "offset")
    PARTS = ("hi", "lo")

    def __init__(self, hi: Any, lo: Any, offset: int = 0):
        self.hi, self.lo, self.offset = hi, lo, offset

    def _aux(self) -> int:
        return self.offset

    @classmethod
    def tree_unflatten(cls, offset: int, children: Any) -> Rate:
        return cls(*children, offset)

    def total(self) -> jax.Array:
        return (self.hi + self.offset) + self.lo if self.offset else self.hi + self.lo

    def exact(self) -> np.ndarray:
        return super().exact() + self.offset

    def like(self, value: Any) -> Rate:
        return Rate.of(value, self.dtype, self.offset)

    def excess(self, dtype: np.dtype) -> tuple[jax.Array, jax.Array]:
        """``rate - 1`` as an unevaluated sum ``(hi, lo)`` of two floats of ``dtype``: exact for ``offset = 1``."""
        hi, lo = (jnp.asarray(x, dtype) for x in (self.hi, self.lo))
        if self.offset == 1:
            return hi, lo
        hi, err = two_sum(hi, jnp.asarray(-1, dtype))
        return hi, err + lo

    @classmethod
    def of(cls, x: Any, dtype: np.dtype | None = None, offset: int = 0) -> Rate:
        """A rate from a number or array (concrete or traced), held less ``offset``; a Rate is re-held if its offset differs."""
        if isinstance(x, Rate):
            if x.offset == offset:
                return x
            v = x.exact() if all(concrete(p) is not None for p in x.parts()) else x.total()
            return cls.of(v, x.dtype if dtype is None else dtype, offset)
        floating = hasattr(x, "dtype") and jnp.issubdtype(x.dtype, jnp.floating)
        dtype = jax.dtypes.canonicalize_dtype(dtype or (x.dtype if floating else default_float()))
        v = concrete(x)
        if v is not None:
            v = v.astype(np.float64) - offset
            hi = v.astype(dtype)
            return cls(np.asarray(hi), np.asarray(v - hi.astype(np.float64), dtype), offset)
        x = jnp.asarray(x, dtype) - offset
        return cls(x, jnp.zeros_like(x), offset)


class Step(NamedTuple):
    """The step ``whole + frac (+ lo)``, with ``whole`` a non-negative integer array and ``0 <= frac < 1``.

    ``lo`` (None: 0) is a correction below ``frac``'s last bit, kept where a
    position is a ratio of integers (a cycle stretched by a whole ``mult``), so
    that the distance to a cycle's end keeps its digits (`since`). There
    ``frac`` may be a ratio just below 1 rounded to 1, with ``lo < 0``.
    """

    whole: jax.Array
    frac: jax.Array
    lo: jax.Array | None = None

    @staticmethod
    def select(which: jax.Array, a: Step, b: Step) -> Step:
        """``a`` where ``which``, else ``b``."""
        lo = None if a.lo is None and b.lo is None else jnp.where(which, _lo(a), _lo(b))
        return Step(jnp.where(which, a.whole, b.whole), jnp.where(which, a.frac, b.frac), lo)

    @classmethod
    def of(cls, t: jax.Array, dtype: np.dtype, int_dtype: np.dtype | None = None) -> Step:
        """A step from an integer or float array, clamped at 0 (and at the integer dtype's maximum)."""
        if jnp.issubdtype(t.dtype, jnp.signedinteger):
            whole = jnp.maximum(t, 0)
            return cls(whole, jnp.zeros(whole.shape, dtype))
        if jnp.issubdtype(t.dtype, jnp.integer) or t.dtype == jnp.bool_:
            return cls.of(t.astype(jnp.int32), dtype)
        int_dtype = int_dtype or step_int_dtype()
        t = jnp.maximum(t.astype(dtype), 0)
        whole, frac, ok = _split(t, int_dtype)
        return cls(jnp.where(ok, whole, jnp.iinfo(int_dtype).max), jnp.where(ok, frac, 0))

    def at(self, x: jax.Array | Duration) -> Step:
        """The step ``x`` (a float or duration computed inside a schedule) in this step's dtypes; negative acts as 0."""
        if isinstance(x, Duration):
            k, rest, ok = x.split(self.whole.dtype)
            top = jnp.iinfo(self.whole.dtype).max
            positive = x.total() > 0
            return Step(jnp.where(ok, k, jnp.where(positive, top, 0)), jnp.where(ok, rest, 0).astype(self.frac.dtype))
        return Step.of(jnp.asarray(x, self.frac.dtype), self.frac.dtype, self.whole.dtype)

    def float(self) -> jax.Array:
        x = self.whole.astype(self.frac.dtype) + self.frac
        return x if self.lo is None else x + self.lo

    def since(self, start: Duration) -> jax.Array:
        """``self - start`` as a float; exact whenever ``start`` is whole and the result is below 2**24.

        ``start.coarse`` is a whole multiple of 256 and converts to the step's
        integer type as it is; so does the whole part of ``start.fine``.
        """
        c = start.coarse
        fits = (c >= 0) & (c < int_bound(self.whole.dtype))
        if start.whole:  # fine is a whole number in [0, GRAIN) (concrete, or an int's low bits)
            k = jnp.where(fits, c, 0).astype(self.whole.dtype) + start.fine.astype(self.whole.dtype)
            exact = (self.whole - k).astype(self.frac.dtype) + self.frac
        else:
            whole_fine = jnp.floor(start.fine)
            fits = fits & (whole_fine >= 0) & (whole_fine < GRAIN)
            k = jnp.where(fits, c, 0).astype(self.whole.dtype) + jnp.where(fits, whole_fine, 0).astype(self.whole.dtype)
            # The whole difference in integers, then the fractions, then what the fine part lost.
            exact = (self.whole - k).astype(self.frac.dtype) + (self.frac - (start.fine - whole_fine)) - start.lo
        exact = exact if self.lo is None else exact + self.lo
        return jnp.where(fits, exact, self.float() - start.total())

    def minus(self, offset: Duration) -> Step:
        """``max(self - offset, 0)``, exact in the whole part for every whole ``offset`` (negative acts as 0)."""
        k, rest, ok = offset.split(self.whole.dtype)
        negative = offset.total() < 0
        frac = self.frac - rest.astype(self.frac.dtype)
        borrow = jnp.floor(jnp.where(ok, frac, 0))  # -1 or 0
        whole = self.whole - k + borrow.astype(k.dtype)
        keep = ok & (whole >= 0)
        return Step(
            jnp.where(negative, self.whole, jnp.where(keep, whole, 0)),
            jnp.where(negative, self.frac, jnp.where(keep, frac - borrow, 0)),
            None if self.lo is None else jnp.where(negative | keep, self.lo, 0),
        )


def ramp(t: Step, end: Duration, start: Duration | None = None) -> tuple[jax.Array, jax.Array]:
    """``(done, left)``: the fractions of the ramp from ``start`` (0) to ``end`` passed and still to go.

    ``done = clip((t - start) / (end - start), 0, 1)`` and ``left = 1 - done``, but
    ``left`` is computed from the exact remaining distance, not as ``1 - done``,
    so curves that go to their end value (``left ** power``) keep every digit
    near the end. A ramp of length <= 0 is complete from ``t >= start`` on.
    """
    remaining = -t.since(end)
    total = end.total() if start is None else start.length_to(end)
    safe = jnp.where(total > 0, total, 1)
    # Decided by exact comparison, not by x / length == 1: XLA turns a division
    # by a constant into a multiplication by its reciprocal (150 * (1/150) > 1).
    # A ramp of length <= 0 is finished wherever it has started.
    finished = remaining <= 0
    if start is None:  # a step is never negative: always started
        done = jnp.where(finished, 1, jnp.minimum(t.float() / safe, 1))
        left = jnp.where(finished, 0, jnp.minimum(remaining / safe, 1))
    else:
        elapsed = t.since(start)
        started = elapsed >= 0
        done = jnp.where(finished, 1, jnp.where(started, jnp.clip(elapsed / safe, 0, 1), 0))
        left = jnp.where(finished, 0, jnp.where(started, jnp.clip(remaining / safe, 0, 1), 1))
    return done.astype(t.frac.dtype), left.astype(t.frac.dtype)


def geometric(base: jax.Array, e: jax.Array, bits: int, cap: jax.Array | None = None) -> tuple[jax.Array, jax.Array]:
    """``(base**e, 1 + base + ... + base**(e - 1))`` for whole ``0 <= e < 2**bits``, by binary powering.

    No division and no ``exp``: in unsigned integers (which wrap) the sum is
    exact modulo the type's range; in floats it is exact while it fits the
    mantissa, and ``cap`` (if given) holds every product below overflow.
    Adding ``2**b`` to ``e`` maps ``(P, G)`` to ``(P * base**(2**b), G + P * G(2**b))``.
    """
    held = (lambda x: x) if cap is None else (lambda x: jnp.minimum(x, cap))
    one = jnp.ones_like(base)
    p, g = jnp.broadcast_to(one, jnp.shape(e)), jnp.broadcast_to(jnp.zeros_like(base), jnp.shape(e))
    base_g = one  # G(2**b): the sum of base's 2**b lower powers
    for b in range(bits):
        use = (e >> b) & 1 == 1
        g = jnp.where(use, held(g + p * base_g), g)
        p = jnp.where(use, held(p * base), p)
        base_g, base = held(base_g * (1 + base)), held(base * base)
    return p, g


def _remainder(
    whole: jax.Array, frac: jax.Array, q: jax.Array, n: jax.Array, f: jax.Array, f_lo: jax.Array
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """``whole + frac - q * (n + f + f_lo)`` as ``(integer, float in [-1/2, 1/2], float lo)``, to about 2**-48.

    ``q`` and ``n`` are non-negative integers, ``f`` a duration's fraction and
    ``f_lo`` what it lost. Each product ``q * f`` (``q * f_lo``) is split into
    limbs whose products are exact (so eager and jitted evaluation agree, FMA
    or not); their whole parts are summed in unsigned integers, which wrap, and
    read back as signed (exact as long as the true remainder fits). The parts
    of ``q * f`` below a step are multiples of ``f``'s last bit and add up
    exactly; those of ``q * f_lo`` are added with their rounding errors kept
    (two-sums) in ``lo``. The float part is kept within half a step of 0, so a
    remainder just below a whole number keeps its digits.
    """
    int_dtype, dtype = whole.dtype, frac.dtype
    unsigned = jnp.dtype(f"uint{jnp.iinfo(int_dtype).bits}")
    digits = jnp.finfo(dtype).nmant + 1
    f_bits = half_bits(dtype)
    q_bits = digits - f_bits
    q_limbs = -(-(jnp.iinfo(int_dtype).bits - 1) // q_bits)
    acc = whole.astype(unsigned) - q.astype(unsigned) * n.astype(unsigned)
    rest, small, lo = frac, jnp.zeros_like(frac), jnp.zeros_like(frac)

    def take_whole(x: jax.Array) -> tuple[jax.Array, jax.Array]:
        carry = jnp.round(x)
        return x - carry, carry.astype(int_dtype).astype(unsigned)

    for j in range(q_limbs):
        q_j = ((q >> (j * q_bits)) & ((1 << q_bits) - 1)).astype(dtype)
        for f_h in limbs(f, f_bits, 2):
            p, whole_p = take_whole(jnp.ldexp(q_j * f_h, j * q_bits))  # exact: at most `digits` significant bits
            rest, carry = take_whole(rest - p)  # exact: multiples of f's last bit, within 1
            acc = acc - whole_p + carry
        for f_h in limbs(f_lo, f_bits, 2):
            p, whole_p = take_whole(jnp.ldexp(q_j * f_h, j * q_bits))
            small, e = two_sum(small, -p)
            small, carry = take_whole(small)
            acc, lo = acc - whole_p + carry, lo + e
    rest, e = two_sum(rest, small)
    rest, carry = take_whole(rest)
    return jax.lax.bitcast_convert_type(acc + carry, int_dtype), rest, lo + e


@jax.custom_jvp
def _less_period_multiples(x: jax.Array, count: jax.Array, length: jax.Array, unit: jax.Array) -> jax.Array:
    """``x`` itself, differentiated as ``x - count * length`` (``x`` where ``unit``): a remainder's derivative in its period.

    Remainders computed exactly in integers carry no derivative in the period;
    this adds it without a single operation when nothing is differentiated.
    """
    return x


@_less_period_multiples.defjvp
def _less_period_multiples_jvp(primals, tangents):
    x, count, length, unit = primals
    dx, _, dlength, _ = tangents
    return x, dx - jnp.where(unit, 0, count.astype(dlength.dtype) * dlength)


def floor_div(t: Step, period: Duration) -> tuple[jax.Array, Step]:
    """``(q, r)`` with ``t = q * period + r`` and ``0 <= r < period``; ``q`` is a float.

    For a whole ``period`` (``period.whole``) the quotient is computed exactly
    in integers (then rounded once to the float dtype, so it is exact below
    2**24 in float32) and the remainder is exact. Otherwise the period is
    ``n + f`` (whole ``n``, ``0 <= f < 1`` held as a float plus the duration's
    ``lo``): a float estimate of the quotient is corrected by the remainder,
    computed with ``q * f`` split into exact partial products (`_remainder`),
    so the remainder is exact to the float's last bits at every step and eager
    and jitted evaluation agree. A period shorter than a step (``n = 0``,
    its ``lo`` left out) first reduces the step modulo a whole multiple of it,
    so periods of 1/64 step and more (1/512 under x64) are handled exactly;
    shorter ones keep ``r`` within ``[0, period]``. A period
    <= 0 acts as 1; one beyond the integer type is never completed (q = 0).
    Differentiable in ``period``: ``dr/dperiod = -q``.
    """
    int_dtype, dtype = t.whole.dtype, t.frac.dtype
    top = jnp.iinfo(int_dtype).max
    n, f, f_lo, ok = period.split_exact(int_dtype)
    total = period.total()
    beyond = ~ok & (total > 0)  # longer than any step: never completed
    if period.whole:
        unit = ~ok | (n <= 0)
        n = jnp.where(unit, 1, n)
        q = jnp.where(beyond, 0, t.whole // n)
        return q.astype(dtype), Step(t.whole - q * n, _less_period_multiples(t.frac, q, total, unit), t.lo)
    unit = ~ok | (total <= 0) | ((n == 0) & (f == 0))
    # Derivatives in the period come from `_less_period_multiples` below, not from this exact arithmetic.
    n, f = jnp.where(unit, 1, n), jax.lax.stop_gradient(jnp.where(unit, 0, f).astype(dtype))
    length = jnp.where(unit, 1, total)
    # Shorter than a step: f = m * 2**-k with a whole m, and m steps are 2**k whole periods (lo is left out).
    short = n == 0
    f_lo = jax.lax.stop_gradient(jnp.where(unit | short, 0, f_lo))
    mant, e = jnp.frexp(f)
    digits = jnp.finfo(dtype).nmant + 1
    m = jnp.ldexp(mant, digits)  # whole, below 2**digits
    m_fits = short & (m < int_bound(int_dtype))
    m_int = jnp.where(m_fits, m, 1).astype(int_dtype)
    blocks = jnp.where(m_fits, t.whole // m_int, 0)
    whole = jnp.where(m_fits, t.whole - blocks * m_int, t.whole)
    per_block = jnp.ldexp(jnp.ones_like(f), digits - e)  # periods per block: 2**k
    ceiling = jnp.where(short, top, whole // jnp.maximum(n, 1))  # q <= t / n

    def reduce(q: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
        q = jnp.clip(q, 0, ceiling)
        r_int, r_frac, r_lo = _remainder(whole, t.frac, q, n, f, f_lo)
        return q, r_int, r_frac, r_lo if t.lo is None else r_lo + t.lo

    estimate = jnp.floor((whole.astype(dtype) + t.frac) / length)
    q = jnp.where(estimate < int_bound(int_dtype), estimate, 0).astype(int_dtype)
    q, r_int, r_frac, r_lo = reduce(jnp.where(estimate < int_bound(int_dtype), q, ceiling))
    # The estimate is off by at most 1 + 2**-digits * t / period cycles: one exact correction,
    q, r_int, r_frac, r_lo = reduce(q + jnp.floor((r_int.astype(dtype) + r_frac) / length).astype(int_dtype))
    # then at most one period either way where the remainder is within rounding of 0 or of the period,
    # decided by exact sums (the sign of a float sum is exact; only the tiny lo terms round, near 2**-48).
    low = (r_int < 0) | ((r_int == 0) & ((r_frac < 0) | ((r_frac == 0) & (r_lo < 0))))
    d = r_int - n
    u, u_err = two_sum(r_frac, -f)
    v, v_err = two_sum(d.astype(dtype), u)
    high = (d >= 2) | ((d >= -1) & (v + ((v_err + u_err) + (r_lo - f_lo)) >= 0))
    step = low.astype(int_dtype) - high.astype(int_dtype)  # +1: add a period
    q = q - step
    r_frac, e = two_sum(r_frac, step.astype(dtype) * f)
    r_int, r_lo = r_int + step * n, r_lo + (e + step.astype(dtype) * f_lo)
    r_frac, e = two_sum(r_frac, r_lo)  # the fraction's best float, then its whole part out, exactly
    carry = jnp.floor(r_frac)
    r_frac, e_carry = two_sum(r_frac, -carry)
    r_int, r_lo = r_int + carry.astype(int_dtype), e + e_carry
    # A fraction of 0 less a little: the step just below a whole one (frac 1, lo < 0).
    borrow = (r_frac == 0) & (r_lo < 0)
    r_int, r_frac = r_int - borrow.astype(int_dtype), jnp.where(borrow, 1, r_frac)
    # Only a period under 1/64 step (its quotient beyond the integers) can still be out of [0, period].
    below = r_int < 0
    above = (r_int > n) | ((r_int == n) & (r_frac > f))
    r = Step(
        jnp.where(below, 0, jnp.where(above, n, r_int)),
        jnp.where(below, 0, jnp.where(above, f, r_frac)),
        jnp.where(below | beyond, 0, jnp.where(above, f_lo, r_lo)),
    )
    q = jnp.where(blocks > 0, blocks.astype(dtype) * per_block, 0) + q.astype(dtype)
    q = jnp.where(beyond, 0, q)
    frac = _less_period_multiples(jnp.where(beyond, t.frac, r.frac), q, total, unit)
    return q, Step(jnp.where(beyond, t.whole, r.whole), frac, r.lo)


def count_reached(t: Step, boundaries: Duration) -> jax.Array:
    """How many of the sorted ``boundaries`` are ``<= t``: an integer array shaped like ``t``.

    Whole boundaries are compared in integers, so the count is exact for every
    step; boundaries strictly between two whole steps are compared as floats
    (exact below 2**24 in float32). One search (three with fractional
    boundaries), by binary search beyond 64 boundaries: the program does not
    grow with their number.
    """
    dtype = t.whole.dtype
    top = jnp.iinfo(dtype).max
    # The number of boundaries is static: few are fastest compared all at once.
    method = "compare_all" if boundaries.shape[-1] <= 64 else "scan"
    k, rest, ok = boundaries.split(dtype)
    xp = array_module(*boundaries.parts())  # concrete boundaries: their integer parts computed once, in NumPy
    negative = boundaries.total() < 0
    floor_b = xp.where(ok, k, xp.where(negative, 0, top)).astype(dtype)
    # Boundaries at or beyond 2**31 are never reached (floor_b = top cannot be <= a step
    # that is itself top only if it fits; count those out explicitly).
    reachable = xp.sum(ok | negative, axis=-1, dtype=dtype)

    def at_most(b: jax.Array, whole: jax.Array) -> jax.Array:
        # searchsorted counts in int32 whatever the step's type: one integer type throughout (int64 under x64).
        return jnp.minimum(jnp.searchsorted(b, whole, side="right", method=method).astype(dtype), reachable)

    if boundaries.whole:
        # b <= whole + frac  <=>  b <= whole, for whole b and 0 <= frac < 1.
        return at_most(floor_b, t.whole)
    fractional = ok & (rest > 0)
    ceil_b = xp.where(fractional, floor_b + 1, floor_b)
    low = at_most(ceil_b, t.whole)  # b <= whole
    high = at_most(floor_b, t.whole)  # b < whole + 1
    between = jnp.searchsorted(boundaries.total(), t.float(), side="right", method=method).astype(dtype)
    return jnp.clip(between, low, high)


@jax.custom_jvp
def unit_power_weights(remaining: jax.Array, reached: jax.Array, exponent: jax.Array) -> tuple[jax.Array, jax.Array]:
    """``(remaining**p, 1 - remaining**p)`` for ``p = exponent`` known to be 1: ``(remaining, reached)`` themselves.

    No power is computed, but the derivatives in ``p`` are kept:
    ``d remaining**p / dp = remaining * log(remaining)`` at ``p = 1``.
    ``remaining >= 0``; ``reached`` is ``1 - remaining`` computed as precisely as its caller can.
    """
    return remaining, reached


@unit_power_weights.defjvp
def _unit_power_weights_jvp(primals, tangents):
    remaining, reached, _ = primals
    d_remaining, d_reached, d_exponent = tangents
    # log(remaining) from the fraction reached while it is small (no digits lost near the start).
    early, positive = reached < 0.5, remaining > 0
    log_remaining = jnp.where(early, jnp.log1p(-jnp.where(early, reached, 0)), jnp.log(jnp.where(positive, remaining, 1)))
    slope = jnp.where(positive, remaining * log_remaining, 0) * d_exponent
    return (remaining, reached), (d_remaining + slope, d_reached - slope)


@jax.custom_jvp
def with_tangent(x: jax.Array, y: jax.Array) -> jax.Array:
    """``x`` itself, differentiated as ``y``: an exact value with the derivatives of an equal expression (or its float estimate)."""
    return x


@with_tangent.defjvp
def _with_tangent_jvp(primals, tangents):
    return primals[0], tangents[1]


@jax.custom_jvp
def _pow(base: jax.Array, exponent: jax.Array) -> jax.Array:
    return jnp.power(base, exponent)


@_pow.defjvp
def _pow_jvp(primals: tuple[jax.Array, jax.Array], tangents: tuple[jax.Array, jax.Array]):
    # jnp.power's own rule multiplies by log(base) even where the tangent is 0,
    # giving 0 * -inf = NaN at base 0; callers keep base > 0 here.
    base, exponent = primals
    d_base, d_exponent = tangents
    out = _pow(base, exponent)
    return out, exponent * _pow(base, exponent - 1) * d_base + out * jnp.log(base) * d_exponent


@jax.custom_jvp
def _ratio(lo: jax.Array, hi: jax.Array) -> jax.Array:
    return lo / hi


@_ratio.defjvp
def _ratio_jvp(primals: tuple[jax.Array, jax.Array], tangents: tuple[jax.Array, jax.Array]):
    # d(lo/hi) = (d_lo - (lo/hi) d_hi) / hi: finite for every finite hi != 0, where JAX's
    # rule divides by hi**2, which overflows for |hi| below about 1e-19 (float32).
    lo, hi = primals
    d_lo, d_hi = tangents
    r = lo / hi
    return r, (d_lo - r * d_hi) / hi


def power(base: jax.Array, exponent: jax.Array, scale: jax.Array | None = None) -> jax.Array:
    """``base ** exponent`` for ``base >= 0`` (a negative base acts as 0), finite with finite gradients.

    ``0 ** 0`` is 1. Growth is capped at ``sqrt(finfo.max)`` (about 1.8e19 in
    float32), divided by ``|scale|`` when the result will be multiplied by a
    ``scale`` above 1, by capping the exponent, so neither the value, its
    product with ``scale``, nor their gradients can overflow; below the cap
    this is ``jnp.power``. Meant for a scalar base (a rate or factor) raised to
    per-step exponents.
    """
    rest = None
    if isinstance(base, Rate):
        if base.offset:
            hi, err = two_sum(base.hi, jnp.asarray(base.offset, jnp.result_type(base.hi)))
            base, rest = hi, err + base.lo
        else:
            base, rest = base.hi, base.lo
    dtype = jnp.result_type(base, exponent)
    positive = base > 0
    safe = jnp.where(positive, base, 1)
    log_base = jnp.log(safe)
    limit = np.log(jnp.finfo(dtype).max) / 2
    if scale is not None:
        limit = jnp.maximum(limit - jnp.log(jnp.maximum(jnp.abs(scale), 1)), 0)
    log_cap = log_base
    if rest is not None:
        log_rest = jnp.log1p(jnp.clip(_ratio(rest, safe), -0.5, 0.5))
        # The cap holds for hi ** e and for (hi + lo) ** e (a rate of 1.00000005 is 1.0 + 5e-8).
        log_cap = jnp.maximum(log_base, log_base + log_rest)
    over = exponent * log_cap > limit
    exponent = jnp.where(over, limit / jnp.where(over, log_cap, 1), exponent)
    at_zero = jnp.where(exponent == 0, 1, 0).astype(dtype)
    value = _pow(safe, exponent)
    if rest is not None:
        # (hi + lo) ** e = hi ** e * exp(e * log1p(lo / hi)): the rounding of hi, corrected. Where
        # hi ** e underflows to 0 the correction can exceed the float range (0 * inf): it is held
        # below the cap, which changes only values below the smallest normal float.
        value = value * jnp.exp(jnp.minimum(exponent * log_rest, limit))
    return jnp.where(positive, value, at_zero)


def power_no_growth(base: jax.Array, exponent: jax.Array) -> jax.Array:
    """``base ** exponent`` where it cannot exceed ``max(base, 1)``: ``0 <= base <= 1`` or ``0 <= exponent <= 1``.

    Cheaper than `power` for per-step bases (a cosine half-wave, a ramp
    fraction). A negative base acts as 0 and a negative exponent as 0.
    """
    dtype = jnp.result_type(base, exponent)
    exponent = jnp.maximum(exponent, 0)
    positive = base > 0
    at_zero = jnp.where(exponent == 0, 1, 0).astype(dtype)
    return jnp.where(positive, _pow(jnp.where(positive, base, 1), exponent), at_zero)
