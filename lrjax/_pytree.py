"""`Tree`: the PyTree mechanics every lrjax object shares, in one place.

A subclass is made a frozen dataclass and registered as a keyed PyTree once.
Fields are leaves unless declared `static()`, which makes them part of the
tree structure (hashed, never traced). Unflattening bypasses ``__init__``:
JAX rebuilds trees with tracers, None or object() placeholders, which must not
be converted or validated again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, ClassVar

import jax
import numpy as np

from ._checks import concrete


def static(**kwargs: Any) -> Any:
    """Declares a structural field: hashed into the tree definition, never traced."""
    return dataclasses.field(metadata={"static": True}, **kwargs)


def duration(**kwargs: Any) -> Any:
    """Declares a leaf measured in steps (shown as an integer in `repr` when whole)."""
    return dataclasses.field(metadata={"duration": True}, **kwargs)


class Tree:
    """Base of lrjax's PyTrees: frozen dataclasses whose non-static fields are leaves."""

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
        if fields:
            jax.tree_util.register_pytree_with_keys(
                cls, _flatten_with_keys, _unflatten_for(cls), flatten_func=_flatten
            )

    def __repr__(self) -> str:
        fields = dataclasses.fields(self)
        parts = (f"{f.name}={format_value(getattr(self, f.name), f.metadata.get('duration', False))}" for f in fields)
        return f"{self.name}({', '.join(parts)})"


def _flatten_with_keys(s: Tree) -> tuple[list[tuple[Any, Any]], tuple[Any, ...]]:
    leaves = [(jax.tree_util.GetAttrKey(n), getattr(s, n)) for n in s._leaf_fields]
    return leaves, tuple(getattr(s, n) for n in s._static_fields)


def _flatten(s: Tree) -> tuple[list[Any], tuple[Any, ...]]:
    return [getattr(s, n) for n in s._leaf_fields], tuple(getattr(s, n) for n in s._static_fields)


def _unflatten_for(cls: type[Tree]) -> Callable[[tuple[Any, ...], Any], Tree]:
    def unflatten(aux: tuple[Any, ...], children: Any) -> Tree:
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
    if isinstance(x, (Tree, str, bool)) or x is None:
        return repr(x)
    if callable(x):
        return getattr(x, "__name__", repr(x))
    if isinstance(x, (tuple, list)):
        return "[" + ", ".join(format_value(v, whole) for v in x) + "]"
    a = concrete(x)
    if a is None:
        return repr(x)
    if a.ndim:
        return "[" + ", ".join(format_value(v, whole) for v in a) + "]"
    if whole and np.isfinite(a) and a == np.round(a):
        return str(int(a))
    return str(a)
