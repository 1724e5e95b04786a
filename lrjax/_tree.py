"""`Tree`: the PyTree mechanics every lrjax object shares, in one place.

A subclass declares its fields with `lrjax._fields` and is made a frozen
dataclass and a keyed PyTree once. Fields declared static (choices, flags,
functions, derived structure) are part of the tree structure; every other
field is a leaf. ``__init__`` converts and validates each field from its
declaration, then calls the class's ``__check_init__`` for checks that relate
several fields. Unflattening bypasses ``__init__``: JAX rebuilds trees with
tracers, None or object() placeholders, which must not be converted or
validated again.

``repr`` writes the lrjax expression that rebuilds the tree (`write`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import jax
import numpy as np

from ._arith import Duration, Pair, concrete
from ._fields import Param, param_of


class Tree:
    """Base of lrjax's PyTrees: frozen dataclasses whose declared numeric fields are leaves.

    A subclass sets `name`, the public name that builds it (in expressions and
    configs), and declares its fields; fields before ``_: KW_ONLY`` may be
    given positionally.
    """

    #: The public name of this kind, as expressions and configs write it.
    name: ClassVar[str]
    _leaf_fields: ClassVar[tuple[str, ...]]
    _static_fields: ClassVar[tuple[str, ...]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = cls.__name__
        dataclasses.dataclass(frozen=True, eq=False, repr=False)(cls)
        fields = dataclasses.fields(cls)
        static = tuple(f.name for f in fields if "derived" in f.metadata or (param_of(f) is not None and param_of(f).static))
        cls._static_fields = static
        cls._leaf_fields = tuple(f.name for f in fields if f.name not in static)
        if fields:
            jax.tree_util.register_pytree_with_keys(cls, _flatten_with_keys, _unflatten_for(cls), flatten_func=_flatten)

    def __post_init__(self) -> None:
        for f in self.declared():
            object.__setattr__(self, f.name, param_of(f).convert(self.name, f.name, getattr(self, f.name)))
        self._check_batch_shapes()
        self.__check_init__()

    def __check_init__(self) -> None:
        """Checks that relate several fields, and decisions of derived structure; run after conversion."""

    @classmethod
    def declared(cls) -> Iterator[dataclasses.Field]:
        """The fields that are arguments, in order."""
        return (f for f in dataclasses.fields(cls) if param_of(f) is not None)

    @classmethod
    def positional(cls) -> tuple[str, ...]:
        """The arguments that may be given by position (those before ``KW_ONLY``)."""
        return tuple(f.name for f in cls.declared() if not f.kw_only)

    def arguments(self) -> dict[str, Any]:
        """The arguments that rebuild this tree with ``type(self)(**arguments)``."""
        return {f.name: getattr(self, f.name) for f in self.declared()}

    def require(self, requirement: str, holds: Callable[..., Any], *names: str) -> None:
        """A check across fields (``holds(*values)`` on their concrete values), skipped when any is traced."""
        arrays = [_concrete_value(getattr(self, n)) for n in names]
        if any(a is None for a in arrays) or np.all(holds(*arrays)):
            return
        params = {f.name: param_of(f) for f in self.declared()}
        got = ", ".join(f"{n}={_display(getattr(self, n), params[n])}" for n in names)
        raise ValueError(f"{self.name}: {requirement}, got {got}")

    def _check_batch_shapes(self) -> None:
        shapes = {}
        for f in self.declared():
            p, x = param_of(f), getattr(self, f.name)
            if p.kind in ("schedule", "schedules"):  # a child's batch must agree with the node's (found by tests/test_fuzz.py)
                for i, child in enumerate(x if isinstance(x, (tuple, list)) else [x]):
                    if isinstance(child, Tree):
                        shapes[f.name if p.kind == "schedule" else f"{f.name}[{i}]"] = batch_shape(child)
                continue
            if x is None or not p.numeric:
                continue
            shape = np.shape(x.main if isinstance(x, Pair) else x)
            shapes[f.name] = shape[:-1] if p.vector else shape
        batched = {n: s for n, s in shapes.items() if s}
        if len(set(batched.values())) > 1:
            listed = ", ".join(f"{n} {s}" for n, s in batched.items())
            raise ValueError(f"{self.name}: batched arguments must have one batch shape, got {listed}")

    def __repr__(self) -> str:
        return write(self)


def _concrete_value(x: Any) -> np.ndarray | None:
    if isinstance(x, Pair):
        return x.exact() if concrete(x.main) is not None else None
    return None if x is None else concrete(x)


def _static(s: Tree) -> tuple[Any, ...]:
    decide = getattr(s, "decided", None)
    if decide is not None:
        decide()  # a preset's structure, found the first time it is needed
    return tuple(getattr(s, n) for n in s._static_fields)


def _display(x: Any, param: Param) -> str:
    """A concrete leaf as repr writes it (the number the user gave)."""
    n = number(x, param)
    return str(n) if not isinstance(n, float) or not n.is_integer() else str(int(n))


def _flatten_with_keys(s: Tree) -> tuple[list[tuple[Any, Any]], tuple[Any, ...]]:
    leaves = [(jax.tree_util.GetAttrKey(n), getattr(s, n)) for n in s._leaf_fields]
    return leaves, _static(s)


def _flatten(s: Tree) -> tuple[list[Any], tuple[Any, ...]]:
    return [getattr(s, n) for n in s._leaf_fields], _static(s)


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


def batch_shape(tree: Any) -> tuple[int, ...]:
    """The leading axes a stacked tree adds to its leaves (the longest found; unbatched leaves add none)."""
    found: tuple[int, ...] = ()
    for x, param in _children(tree):
        if isinstance(x, Tree):
            shape = batch_shape(x)
        else:
            shape = np.shape(x.main if isinstance(x, Pair) else x)
            shape = shape[:-1] if param.vector else shape
        found = shape if len(shape) > len(found) else found
    return found


def batch_axes(tree: Any, batch: tuple[int, ...]) -> Any:
    """``tree`` with each leaf replaced by 0 where it carries the batch axes and None where it does not: vmap's in_axes."""
    def axis(x: Any, param: Param) -> Any:
        shape = np.shape(x)
        shape = shape[:-1] if param.vector else shape
        return 0 if len(shape) >= len(batch) and len(batch) else None

    _static(tree)  # decide a preset's structure from its values, not from the axes
    out = object.__new__(type(tree))
    for name in tree._static_fields:
        object.__setattr__(out, name, getattr(tree, name))
    for f in dataclasses.fields(tree):
        if f.name in tree._static_fields:
            continue
        x, param = getattr(tree, f.name), param_of(f)
        if isinstance(x, Tree):
            y = batch_axes(x, batch)
        elif isinstance(x, (tuple, list)):
            y = type(x)(batch_axes(v, batch) for v in x)
        elif isinstance(x, dict):
            y = {k: axis(v, param) for k, v in x.items()}
        elif isinstance(x, Pair):
            a = axis(x.main, param)
            y = x.map(lambda _: a)
        else:
            y = None if x is None else axis(x, param)
        object.__setattr__(out, f.name, y)
    return out


def _children(tree: Tree) -> Iterator[tuple[Any, Param]]:
    for f in tree.declared():
        x, param = getattr(tree, f.name), param_of(f)
        if x is None or param.static:
            continue
        if isinstance(x, (tuple, list)):
            yield from ((v, param) for v in x)
        elif isinstance(x, dict):
            yield from ((v, param) for v in x.values())
        else:
            yield x, param


# Writing expressions -----------------------------------------------------------


def plain(a: np.ndarray, whole: bool = False) -> Any:
    """A concrete array as Python numbers (nested lists), each the shortest decimal that converts back exactly.

    ``whole`` writes whole numbers as ints (for durations, given in float64).
    """
    if a.ndim:
        return [plain(v, whole) for v in a]
    if a.dtype == np.bool_:
        return bool(a)
    if whole and np.isfinite(a) and a == np.round(a) and abs(a) < 2**53:  # beyond, the float is exact and parse reads it
        return int(a)
    short = float(str(a))  # numpy prints the shortest decimal that reads back as the same value of its dtype
    return short if a.dtype.type(short) == a else float(a)


def number(x: Any, param: Param) -> Any:
    """A concrete leaf as Python numbers; a `Duration` or `Rate` as the shortest decimal of its exact float64 total."""
    if isinstance(x, Pair):
        return None if concrete(x.main) is None else plain_pair(x)
    a = concrete(x)
    return None if a is None else plain(a, whole=param.whole)


def plain_pair(x: Pair) -> Any:
    """The shortest decimal (of up to 17 digits) that reads back as the same parts; whole durations as ints."""
    total = x.exact()
    if total.ndim:
        return [plain_pair(x.map(lambda p, i=i: np.asarray(p)[i])) for i in range(len(total))]
    if isinstance(x, Duration) and np.isfinite(total) and total % 1 == 0:
        return plain(total, whole=True)
    parts = [np.asarray(p) for p in x.parts()]
    for digits in range(1, 18):
        short = float(f"{float(total):.{digits}g}")
        again = [np.asarray(p) for p in x.like(np.float64(short)).parts()]
        if len(again) == len(parts) and all(a.dtype == b.dtype and np.array_equal(a, b) for a, b in zip(again, parts)):
            return short
    return float(total)


def write(tree: Tree) -> str:
    """The expression that rebuilds ``tree``: arguments equal to their defaults are left out."""
    custom = getattr(tree, "write", None)
    if custom is not None:
        return custom()
    parts = []
    positional = True
    for f in tree.declared():
        param, x = param_of(f), getattr(tree, f.name)
        if f.default is not dataclasses.MISSING and _equals(x, f.default, param):
            positional = False
            continue
        text = write_value(x, param)
        # The schedule(s) a combinator wraps come first, unnamed: warmup(cosine(...), steps=500).
        if positional and not f.kw_only and param.kind in ("schedule", "schedules"):
            parts.append(text)
        else:
            positional = False
            parts.append(f"{f.name}={text}")
    return f"{tree.name}({', '.join(parts)})"


def _equals(x: Any, default: Any, param: Param) -> bool:
    if default is None or isinstance(default, (str, bool)):
        return x is default or (isinstance(x, type(default)) and x == default)
    n = number(x, param) if param.numeric else None
    return n is not None and not isinstance(n, list) and n == default


def write_value(x: Any, param: Param) -> str:
    if isinstance(x, Tree) or isinstance(x, (str, bool)) or x is None:
        return repr(x)
    if param.kind == "function":
        return getattr(x, "__name__", repr(x))
    if param.kind == "schedules":
        return "[" + ", ".join(repr(v) for v in x) + "]"
    n = number(x, param)
    return repr(x) if n is None else repr(n)
