"""Declaring hyperparameters once: what kind of number each is, its default and its allowed range.

A schedule class declares each field with one of the functions here
(``init: jax.Array = value()``, ``steps: Duration = duration(gt=0)``, ...).
The declaration is read by everything else: the one generic conversion and
validation (`Param.convert`, run by `Tree.__post_init__`), ``repr`` and
`lrjax.parse`, configs, `lrjax.stack` and the error messages.

Every number becomes a strongly typed floating leaf (the default float dtype
unless it already is a floating array), so changing a value, or giving an int
where a float was given before, never changes the leaf's abstract value and
never retraces. Durations become exact `Duration`s. Checks run on
concrete values; traced values pass unchecked (see `Schedule`), but their
shapes are checked, which tracing keeps.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ._arith import Duration, Pair, Rate, concrete, default_float

#: Field kinds whose value is part of the tree structure (hashed, never traced).
STATIC_KINDS = ("choice", "flag", "function")
#: Field kinds whose unbatched value is 1-D (their batch axes are all but the last).
VECTOR_KINDS = ("values", "durations")


@dataclasses.dataclass(frozen=True)
class Param:
    """How one field of a tree is converted, checked, written and read back."""

    kind: str
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None
    #: None is allowed (and means "not given").
    optional: bool = False
    #: The number must be whole (a count of cycles, a seed).
    whole: bool = False
    #: For vectors: must be sorted in non-decreasing order.
    ordered: bool = False
    #: For choices: the allowed strings.
    options: tuple[str, ...] = ()
    #: For rates: held less this (static), see `Rate`.
    offset: int = 0
    #: For schedule fields: the converter (numbers to constants), set by `_schedule`.
    to_schedule: Callable[[str, str, Any], Any] | None = None

    @property
    def static(self) -> bool:
        return self.kind in STATIC_KINDS

    @property
    def vector(self) -> bool:
        return self.kind in VECTOR_KINDS

    @property
    def numeric(self) -> bool:
        return self.kind in ("value", "duration", "values", "durations", "rate")

    def allowed(self) -> str:
        bounds = [(">=", self.ge), (">", self.gt), ("<=", self.le), ("<", self.lt)]
        text = " and ".join(f"{op} {show(np.asarray(b))}" for op, b in bounds if b is not None)
        noun = "a whole number" if self.whole else "a finite number"
        return f"{noun} {text}".strip()

    def convert(self, where: str, name: str, x: Any) -> Any:
        """``x`` as this field's leaf (or static value), or a ValueError naming ``where``, ``name``, ``x`` and what is allowed."""
        if x is None and (self.optional or self.kind == "function"):
            return None
        if self.kind == "choice":
            if not isinstance(x, str) or x not in self.options:
                raise ValueError(f"{where}: {name} must be one of {', '.join(repr(o) for o in self.options)}, got {x!r}")
            return x
        if self.kind == "flag":
            if not isinstance(x, (bool, np.bool_)):
                raise ValueError(f"{where}: {name} must be a Python bool (it is structural, not traced), got {x!r}")
            return bool(x)
        if self.kind == "function":
            if not callable(x):
                raise ValueError(f"{where}: {name} must be callable, got {x!r}")
            return x
        if self.kind in ("schedule", "schedules"):
            return self.to_schedule(where, name, x)
        return self._number(where, name, x)

    def _number(self, where: str, name: str, x: Any) -> Any:
        if type(x) in (int, float) and not self.vector:  # the common case, checked without NumPy
            self._check_scalar(where, name, x)
            if self.kind == "duration":
                return Duration.of(x)
            if self.kind == "rate":
                return Rate.of(x, offset=self.offset)
            return np.asarray(x, default_float())
        if isinstance(x, Pair):
            if not isinstance(x, Rate if self.kind == "rate" else Duration):
                raise ValueError(f"{where}: {name} must be a number, got {x!r}")
            v = x.exact() if concrete(x.main) is not None else None
        else:
            v = _concrete_numbers(where, name, x, self.vector)
        if v is not None:
            self._check(where, name, v, x)
        else:
            if not isinstance(x, Pair):
                try:
                    x = jnp.asarray(x)  # a list holding tracers
                except TypeError:
                    raise ValueError(f"{where}: {name} must be a number, got {x!r}") from None
            shape = jnp.shape(x.main if isinstance(x, Pair) else x)
            if self.vector and len(shape) == 0:
                raise ValueError(f"{where}: {name} must be a 1-D sequence of numbers, got a traced scalar")
            dtype = jnp.result_type(x.main if isinstance(x, Pair) else x)
            if not (jnp.issubdtype(dtype, jnp.number) or dtype == jnp.bool_) or jnp.issubdtype(dtype, jnp.complexfloating):
                raise ValueError(f"{where}: {name} must be a real number, got a traced {dtype}")
        if self.kind in ("duration", "durations"):
            return Duration.of(x)
        if self.kind == "rate":
            return Rate.of(x, offset=self.offset)
        return to_leaf(x)

    def _check_scalar(self, where: str, name: str, x: float) -> None:
        if type(x) is int:
            try:
                float(x)
            except OverflowError:  # beyond every float (math.isfinite would raise it)
                _check_float_range(where, name, math.inf, f"an integer of {len(str(abs(x)))} digits")
        ok = math.isfinite(x) and self._within(x) and (not self.whole or x % 1 == 0)
        if not ok:
            raise ValueError(f"{where}: {name} must be {self.allowed()}, got {show(np.asarray(x))}")
        _check_float_range(where, name, abs(x), x)
        # As its leaf stores it, in Python (a NumPy array per argument made building slow); the array check words the error.
        stored = float(x) if default_float() == np.float64 else float(np.float32(x))
        if not self._within(stored):
            self._check_stored(where, name, np.asarray(x, np.float64), x)

    def _within(self, x: Any) -> Any:
        """Where ``x`` (a float or an array) satisfies the bounds (not finiteness or wholeness)."""
        ok = True
        if self.ge is not None:
            ok = ok & (x >= self.ge)
        if self.gt is not None:
            ok = ok & (x > self.gt)
        if self.le is not None:
            ok = ok & (x <= self.le)
        if self.lt is not None:
            ok = ok & (x < self.lt)
        return ok

    def _check_stored(self, where: str, name: str, v: np.ndarray, given: Any) -> None:
        """The bounds hold for the number as its leaf stores it too (1e-300 is 0 in float32, and bound=0 is not > 0)."""
        if self.gt is None and self.lt is None and self.ge is None and self.le is None:
            return
        dtype = np.dtype(default_float())
        with np.errstate(over="ignore", under="ignore"):
            stored = v.astype(dtype).astype(np.float64)
        if not np.all(self._within(stored)):
            shown = show(np.asarray(given)) if isinstance(given, (int, float)) else _given(given, v)
            raise ValueError(f"{where}: {name} must be {self.allowed()}, got {shown} ({show(stored.astype(dtype))} in {dtype.name})")

    def _check(self, where: str, name: str, v: np.ndarray, given: Any) -> None:
        what = "1-D sequence of numbers" if self.vector else "number"
        if self.vector and v.ndim == 0:
            raise ValueError(f"{where}: {name} must be a {what}, got {_given(given, v)}")
        if not self.vector and v.size == 0:
            raise ValueError(f"{where}: {name} must be a number, got an empty array of shape {v.shape}")
        with np.errstate(invalid="ignore"):
            ok = np.isfinite(v) & self._within(v)
            ok &= True if not self.whole else v % 1 == 0
        if not np.all(ok):
            raise ValueError(f"{where}: {name} must be {self.allowed()}, got {_given(given, v)}")
        _check_float_range(where, name, float(np.max(np.abs(v), initial=0.0)), given)
        self._check_stored(where, name, v, given)
        if self.ordered and np.any(np.diff(v, axis=-1) < 0):
            raise ValueError(f"{where}: {name} must be sorted in non-decreasing order, got {_given(given, v)}")


def _check_float_range(where: str, name: str, magnitude: float, given: Any) -> None:
    """A finite number beyond the leaf's float range (1e300 in float32) would become an infinite leaf."""
    top = float(np.finfo(default_float()).max)
    if magnitude > top:
        if isinstance(given, str):
            shown = given
        elif isinstance(given, (int, float)):
            shown = show(np.asarray(given))
        else:
            shown = _given(given, np.abs(np.asarray(magnitude)))
        raise ValueError(f"{where}: {name} must be at most {top:.8g} in magnitude ({np.dtype(default_float()).name}), got {shown}")


def _concrete_numbers(where: str, name: str, x: Any, vector: bool) -> np.ndarray | None:
    """``x`` as a float64 array when concrete (None when traced), or a ValueError for what is not real numbers."""
    try:
        v = concrete(x)
    except ValueError:  # a ragged list
        raise ValueError(f"{where}: {name} must be {'a list' if vector else 'a number or an array'} of numbers of equal lengths, got {x!r}") from None
    except TypeError:
        raise ValueError(f"{where}: {name} must be a number, got {x!r}") from None
    if v is None:
        return None
    if np.iscomplexobj(v):
        raise ValueError(f"{where}: {name} must be a real number, got {x!r}")
    if not (np.issubdtype(v.dtype, np.number)):
        raise ValueError(f"{where}: {name} must be a number, got {x!r}")
    with np.errstate(over="ignore"):
        return v.astype(np.float64)


def _given(x: Any, v: np.ndarray) -> str:
    """What the user passed, as they wrote it where possible."""
    if isinstance(x, Pair):
        return show(v)
    a = concrete(x)
    return show(a) if a is not None and np.issubdtype(a.dtype, np.number) else show(v)


def to_leaf(x: Any) -> jax.Array | np.ndarray:
    """Floating arrays keep their dtype; Python numbers, lists and integer arrays (of any size) become the default float.

    A concrete value becomes a NumPy array (no device round trip when a
    schedule is built; JAX takes NumPy leaves as it takes its own arrays), a
    traced one stays traced.
    """
    floating = hasattr(x, "dtype") and jnp.issubdtype(x.dtype, jnp.floating)
    dtype = jax.dtypes.canonicalize_dtype(x.dtype) if floating else default_float()
    if isinstance(x, jax.core.Tracer):
        return jnp.asarray(x, dtype)
    v = concrete(x)
    return jnp.asarray(x, dtype) if v is None else np.asarray(v, dtype)


def show(v: np.ndarray) -> str:
    """A concrete value as the user would write it: whole numbers as ints, floats as the shortest decimal of their dtype."""
    if v.ndim:
        return "[" + ", ".join(show(e) for e in v) + "]"
    if np.issubdtype(v.dtype, np.floating) and np.isfinite(v) and v == np.round(v) and abs(v) < 2**53:
        return str(int(v))
    if np.issubdtype(v.dtype, np.number):
        return str(v.item() if np.issubdtype(v.dtype, np.integer) else v)
    return repr(v.item())


def declare(param: Param, default: Any) -> Any:
    """A dataclass field declared by ``param``, with ``default`` (``dataclasses.MISSING`` for none)."""
    kwargs: dict[str, Any] = {"metadata": {"param": param}}
    if default is not dataclasses.MISSING:
        kwargs["default"] = default
    return dataclasses.field(**kwargs)


_MISSING = dataclasses.MISSING


def value(default: Any = _MISSING, *, ge: float | None = None, gt: float | None = None, le: float | None = None,
          lt: float | None = None, whole: bool = False, optional: bool = False) -> Any:
    """A number (a floating leaf), e.g. a learning rate, a factor, a power; a default of None makes it optional."""
    return declare(Param("value", ge, gt, le, lt, optional=optional or default is None, whole=whole), default)


def duration(default: Any = _MISSING, *, ge: float | None = 0, gt: float | None = None) -> Any:
    """A length in steps, exact for every whole number (a `Duration`: two leaves, three when fractional); ``>= 0`` unless said otherwise."""
    return declare(Param("duration", ge if gt is None else None, gt, optional=default is None), default)


def rate(default: Any = _MISSING, *, ge: float | None = None, gt: float | None = None, le: float | None = None) -> Any:
    """A number held to float64 precision (a `Rate` leaf pair): a multiplier raised to large powers, a fraction of a long duration."""
    return declare(Param("rate", ge, gt, le), default)


def growth(default: Any = _MISSING) -> Any:
    """A factor >= 1 whose excess over 1 matters (restart's ``mult``): a `Rate` held as ``1 + hi + lo``, so 1.0001 keeps its digits."""
    return declare(Param("rate", ge=1, offset=1), default)


def values(default: Any = _MISSING) -> Any:
    """A 1-D array of numbers (a leaf), e.g. the values of piecewise pieces."""
    return declare(Param("values"), default)


def durations(default: Any = _MISSING) -> Any:
    """A sorted 1-D array of non-negative step positions (boundaries), exact when whole."""
    return declare(Param("durations", ge=0, ordered=True), default)


def choice(*options: str, default: Any = _MISSING) -> Any:
    """One of ``options``: structure, not a leaf."""
    return declare(Param("choice", options=options), default)


def flag(default: Any = _MISSING) -> Any:
    """A Python bool: structure, not a leaf."""
    return declare(Param("flag"), default)


def function() -> Any:
    """A Python function: structure (a new function object compiles anew)."""
    return declare(Param("function"), _MISSING)


def derived(default: Any = None) -> Any:
    """Structure the class decides from concrete values when it is built (not an argument).

    ``default`` is the general choice, which holds for every value: `lrjax.stack`
    falls back to it when the schedules it stacks decided differently.
    """
    return dataclasses.field(default=default, init=False, metadata={"derived": default})


def param_of(f: dataclasses.Field) -> Param | None:
    return f.metadata.get("param")
