"""`Tree`: the PyTree mechanics every lrjax object shares, in one place.

A subclass is made a frozen dataclass and registered as a keyed PyTree once.
Fields are leaves unless declared `static()`, which makes them part of the
tree structure (hashed, never traced). Unflattening bypasses ``__init__``:
JAX rebuilds trees with tracers, None or object() placeholders, which must not
be converted or validated again.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from typing import Any, ClassVar

import jax


def static(**kwargs: Any) -> Any:
    """Declares a structural field: hashed into the tree definition, never traced."""
    return dataclasses.field(metadata={"static": True}, **kwargs)


def duration(*, vector: bool = False) -> Any:
    """Declares a leaf measured in steps (written as an integer when whole); ``vector`` as in `vector`."""
    return dataclasses.field(metadata={"duration": True, "vector": vector})


def vector() -> Any:
    """Declares a leaf that is a 1-D array in an unbatched tree (so its batch axes are all but the last)."""
    return dataclasses.field(metadata={"vector": True})


class Tree:
    """Base of lrjax's PyTrees: frozen dataclasses whose non-static fields are leaves.

    Each subclass is built by a public function called `name`, defined in the
    subclass's module, whose parameters are the subclass's fields (`arguments`
    says otherwise where they are not). That is what `repr`, `lrjax.parse` and
    `lrjax.to_config` rely on.
    """

    #: Name of the public constructor, defined in the same module.
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

    @classmethod
    def constructor(cls) -> Callable[..., Tree]:
        """The public function that builds this kind of tree."""
        return getattr(sys.modules[cls.__module__], cls.name)

    def arguments(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """Positional and keyword arguments that make ``constructor()`` rebuild this tree."""
        return (), {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def __repr__(self) -> str:
        from ._expression import write  # imported late: _expression needs the whole package

        return write(self)


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
