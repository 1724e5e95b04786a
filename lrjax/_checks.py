"""Converting and validating constructor arguments.

Every numeric argument becomes a strongly typed floating array (the default
float dtype unless it already is a floating array), so that changing a value,
or giving an int where a float was given before, never changes the leaf's
abstract value and never retraces. Checks run only on concrete values; traced
values pass through unchecked (see `Schedule` for what happens to them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike


def concrete(x: Any) -> np.ndarray | None:
    """``x`` as a NumPy array, or None when it is traced."""
    try:
        return np.asarray(x)
    except (jax.errors.TracerArrayConversionError, jax.errors.ConcretizationTypeError):
        return None


def to_leaf(x: ArrayLike) -> jax.Array:
    # Floating arrays keep their dtype; Python numbers, lists and integer arrays (of any size) become the default float.
    floating = hasattr(x, "dtype") and jnp.issubdtype(x.dtype, jnp.floating)
    return jnp.asarray(x, dtype=None if floating else jnp.result_type(float))


def _show(v: np.ndarray) -> str:
    return str(v.tolist()) if v.ndim else repr(v.item())


def number(
    where: str,
    name: str,
    x: ArrayLike,
    *,
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
    lt: float | None = None,
) -> jax.Array:
    """A scalar (or batched) leaf, checked to be finite and within the bounds."""
    v = concrete(x)
    if v is not None:
        if not jnp.issubdtype(v.dtype, jnp.number):
            raise ValueError(f"{where}: {name} must be a number, got {x!r}")
        bounds = [(">=", ge), (">", gt), ("<=", le), ("<", lt)]
        allowed = " and ".join(f"{op} {b:g}" for op, b in bounds if b is not None)
        ok = np.isfinite(v)
        ok &= True if ge is None else v >= ge
        ok &= True if gt is None else v > gt
        ok &= True if le is None else v <= le
        ok &= True if lt is None else v < lt
        if not np.all(ok):
            what = f"a finite number {allowed}" if allowed else "a finite number"
            raise ValueError(f"{where}: {name} must be {what}, got {_show(v)}")
    return to_leaf(x)


def vector(
    where: str, name: str, x: ArrayLike | Sequence[float], *, ge: float | None = None, ordered: bool = False
) -> jax.Array:
    """A 1-D leaf, checked to be finite, bounded below by ``ge`` and, if ``ordered``, non-decreasing."""
    v = concrete(x)
    if v is not None and v.ndim != 1:
        raise ValueError(f"{where}: {name} must be a 1-D sequence of numbers, got {x!r}")
    leaf = number(where, name, x, ge=ge)
    if v is not None and ordered and np.any(np.diff(v) < 0):
        raise ValueError(f"{where}: {name} must be sorted in non-decreasing order, got {_show(v)}")
    return leaf


def related(where: str, requirement: str, holds: Callable[..., Any], **values: Any) -> None:
    """A check across arguments (``holds(**values)``), made when all of them are concrete.

    Raises ``ValueError("<where>: <requirement>, got a=..., b=...")`` otherwise.
    """
    arrays = {name: concrete(value) for name, value in values.items()}
    if any(a is None for a in arrays.values()) or np.all(holds(**arrays)):
        return
    got = ", ".join(f"{name}={_show(a)}" for name, a in arrays.items())
    raise ValueError(f"{where}: {requirement}, got {got}")


def length(where: str, name: str, leaf: jax.Array, expected: int, because: str) -> None:
    n = jnp.shape(leaf)[0]
    if n != expected:
        raise ValueError(f"{where}: {name} must have {expected} entries ({because}), got {n}")


def choice(where: str, name: str, x: Any, options: Sequence[str]) -> str:
    if not isinstance(x, str) or x not in options:
        allowed = ", ".join(repr(o) for o in options)
        raise ValueError(f"{where}: {name} must be one of {allowed}, got {x!r}")
    return x


def flag(where: str, name: str, x: Any) -> bool:
    if not isinstance(x, (bool, np.bool_)):
        raise ValueError(f"{where}: {name} must be a Python bool (it is structural, not traced), got {x!r}")
    return bool(x)
