"""`Schedule`: an immutable PyTree whose numeric hyperparameters are leaves.

This module holds all of the PyTree mechanics. A concrete schedule is a short
final subclass that declares its fields and implements `_evaluate`. Fields are
leaves by default and become static (part of the tree structure) only when
declared with `static()`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, ClassVar

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from ._arith import Step


def static(**kwargs: Any) -> Any:
    """Declares a structural field: hashed into the tree definition, never traced."""
    return dataclasses.field(metadata={"static": True}, **kwargs)


def duration(**kwargs: Any) -> Any:
    """Declares a leaf measured in steps (shown as an integer in `repr` when whole)."""
    return dataclasses.field(metadata={"duration": True}, **kwargs)


class Schedule:
    r"""Base class of every lrjax schedule: a callable, immutable PyTree.

    A schedule maps an optimizer step to a value, ``schedule(step) -> Array``,
    so it can be passed anywhere optax accepts a schedule
    (``optax.adamw(learning_rate=lrjax.cosine(1e-3, 10_000))``).

    **Leaves and structure.** Every numeric hyperparameter (values, rates,
    powers, durations, boundaries) is a PyTree leaf, so a schedule passed as an
    argument to a jitted function can change any of them without recompiling,
    and `jax.vmap`, `jax.grad` and sharding apply to them like to any array.
    Only structure is static: the kind of schedule, the number of pieces, shape
    names such as ``"cosine"`` and flags such as ``staircase``.

    **Steps.** ``step`` may be a Python number, a NumPy or JAX scalar, or an
    array of any shape; the result has the same shape. Integer steps (optax's
    int32 counts) use exact integer arithmetic for floors, remainders and
    boundary comparisons wherever durations are whole numbers, so every step up
    to ``2**31 - 1`` is handled exactly. Steps below 0 behave as step 0.

    **Dtype.** Results have the floating dtype of the hyperparameters: float32
    by default, float64 when ``jax_enable_x64`` is on and they were given as
    float64 (Python numbers then become float64).

    **Validation.** Constructors check concrete arguments and raise
    `ValueError` naming the argument, the value and what is allowed. Traced
    arguments (inside `jit` or `vmap`) cannot be checked; a traced value out of
    range is clamped to the nearest allowed value (a negative duration acts as
    0, a non-positive period, timescale or divisor as 1, a negative rate or
    factor as 0), so outputs stay finite for every step (given finite inputs;
    unsorted traced boundaries give finite but meaningless values). Rebuilding a schedule from
    its leaves (as JAX does inside transformations) never re-runs conversion
    or validation.
    """

    #: Name of the public constructor, used by `repr`.
    name: ClassVar[str]
    _leaf_fields: ClassVar[tuple[str, ...]]
    _static_fields: ClassVar[tuple[str, ...]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataclasses.dataclass(frozen=True, eq=False, repr=False)(cls)
        fields = dataclasses.fields(cls)
        cls._static_fields = tuple(f.name for f in fields if f.metadata.get("static"))
        cls._leaf_fields = tuple(f.name for f in fields if not f.metadata.get("static"))
        jax.tree_util.register_pytree_with_keys(
            cls, _flatten_with_keys, _unflatten_for(cls), flatten_func=_flatten
        )

    def __call__(self, step: ArrayLike) -> jax.Array:
        t = Step.of(jnp.asarray(step), self.dtype)
        out = jnp.asarray(self._evaluate(t), self.dtype)
        return jnp.broadcast_to(out, jnp.broadcast_shapes(out.shape, t.whole.shape))

    def _evaluate(self, t: Step) -> jax.Array:
        """Value at the non-negative step ``t``. Combinators call it on their children."""
        raise NotImplementedError

    # Algebra: every operator builds a schedule (see `_algebra`); numbers become constants.
    def __add__(self, other: Any) -> Schedule:
        return _algebra().add(self, other)

    def __radd__(self, other: Any) -> Schedule:
        return _algebra().add(other, self)

    def __sub__(self, other: Any) -> Schedule:
        return _algebra().add(self, -other)

    def __rsub__(self, other: Any) -> Schedule:
        return _algebra().add(other, -self)

    def __mul__(self, other: Any) -> Schedule:
        return _algebra().multiply(self, other)

    def __rmul__(self, other: Any) -> Schedule:
        return _algebra().multiply(other, self)

    def __truediv__(self, other: Any) -> Schedule:
        return _algebra().divide(self, other)

    def __neg__(self) -> Schedule:
        return _algebra().multiply(-1.0, self)

    @property
    def dtype(self) -> np.dtype:
        """The floating dtype of the hyperparameters, which results take."""
        floats = [x for x in jax.tree.leaves(self) if jnp.issubdtype(jnp.result_type(x), jnp.floating)]
        return jnp.result_type(*floats) if floats else jnp.result_type(float)

    def __repr__(self) -> str:
        fields = dataclasses.fields(self)
        parts = (f"{f.name}={format_value(getattr(self, f.name), f.metadata.get('duration', False))}" for f in fields)
        return f"{self.name}({', '.join(parts)})"


def _algebra() -> Any:
    from . import _algebra  # imported late: _algebra subclasses Schedule

    return _algebra


def _flatten_with_keys(s: Schedule) -> tuple[list[tuple[Any, Any]], tuple[Any, ...]]:
    leaves = [(jax.tree_util.GetAttrKey(n), getattr(s, n)) for n in s._leaf_fields]
    return leaves, tuple(getattr(s, n) for n in s._static_fields)


def _flatten(s: Schedule) -> tuple[list[Any], tuple[Any, ...]]:
    return [getattr(s, n) for n in s._leaf_fields], tuple(getattr(s, n) for n in s._static_fields)


def _unflatten_for(cls: type[Schedule]) -> Callable[[tuple[Any, ...], Any], Schedule]:
    def unflatten(aux: tuple[Any, ...], children: Any) -> Schedule:
        # Bypasses __init__: JAX rebuilds trees with tracers, None or object()
        # placeholders, which must not be converted or validated.
        s = object.__new__(cls)
        for name, value in zip(cls._leaf_fields, children, strict=True):
            object.__setattr__(s, name, value)
        for name, value in zip(cls._static_fields, aux, strict=True):
            object.__setattr__(s, name, value)
        return s

    return unflatten


def format_value(x: Any, whole: bool = False) -> str:
    if isinstance(x, (Schedule, str, bool)) or x is None:
        return repr(x)
    if callable(x):
        return getattr(x, "__name__", repr(x))
    if isinstance(x, (tuple, list)):
        return "[" + ", ".join(format_value(v, whole) for v in x) + "]"
    try:
        a = np.asarray(x)
    except (jax.errors.TracerArrayConversionError, jax.errors.ConcretizationTypeError):
        return repr(x)
    if a.ndim:
        return "[" + ", ".join(format_value(v, whole) for v in a) + "]"
    if whole and np.isfinite(a) and a == np.round(a):
        return str(int(a))
    return str(a)
