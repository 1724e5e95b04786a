"""Sweeps: many schedules (or states) of one structure as one batched PyTree."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ._arith import Duration, Pair
from ._from_fn import from_fn
from ._tree import Tree


def _describe(x: Any) -> str:
    if isinstance(x, Tree):
        return f"{x.name}(...)"
    if x is None:
        return "None"
    return type(x).__name__


def _first_difference(a: Any, b: Any, path: str) -> str | None:
    """Where two trees first differ in structure (kind, static field, presence, length, shape), or None."""
    where = path or "the top"
    if type(a) is not type(b):
        return f"{where}: {_describe(a)} vs {_describe(b)}"
    if isinstance(a, Pair):
        return None if jnp.shape(a.main) == jnp.shape(b.main) else f"{where}: shape {jnp.shape(a.main)} vs {jnp.shape(b.main)}"
    if isinstance(a, Tree):
        for f in dataclasses.fields(a):
            x, y = getattr(a, f.name), getattr(b, f.name)
            if "derived" in f.metadata:
                continue  # decided from values: stacking falls back to the general choice (`general`)
            if f.name in a._static_fields:
                if x != y:
                    return f"{path}.{f.name}: {x!r} vs {y!r}"
            elif found := _first_difference(x, y, f"{path}.{f.name}"):
                return found
        return None
    if isinstance(a, (tuple, list)):
        if len(a) != len(b):
            return f"{where}: {len(a)} vs {len(b)} entries"
        return next((d for i, (x, y) in enumerate(zip(a, b)) if (d := _first_difference(x, y, f"{path}[{i}]"))), None)
    if isinstance(a, dict):
        if a.keys() != b.keys():
            return f"{where}: keys {sorted(a)} vs {sorted(b)}"
        return next((d for k in a if (d := _first_difference(a[k], b[k], f"{path}[{k!r}]"))), None)
    if a is not None and jnp.shape(a) != jnp.shape(b):
        return f"{where}: shape {jnp.shape(a)} vs {jnp.shape(b)}"
    return None


def stack(trees: Sequence[Any]) -> Any:
    """Stacks schedules (or optimizer states) of one structure into one batched PyTree.

    Every leaf gets a leading axis of length ``len(trees)``; ``jax.vmap`` over
    the result runs them side by side. Structures must match (kind, static
    fields such as ``shape``, which optional arguments are given, number of
    pieces); otherwise a ValueError names the first difference.

    >>> import jax, lrjax
    >>> batch = lrjax.stack([lrjax.cosine(1.0, steps=100), lrjax.cosine(2.0, steps=50)])
    >>> print(jax.vmap(lambda s: s(50))(batch))
    [0.5 0. ]
    """
    trees = list(trees)
    if not trees:
        raise ValueError("stack: needs at least one schedule, got none")
    for i, tree in enumerate(trees[1:], 1):
        if found := _first_difference(trees[0], tree, ""):
            raise ValueError(f"stack: schedules[{i}] differs in structure from schedules[0] at {found}")
    stacked = jax.tree.map(_stack_leaves, *general(trees))
    return jax.tree.map(rebuild, stacked, is_leaf=lambda x: isinstance(x, Tree))


def _stack_leaves(*xs: Any) -> Any:
    """Concrete leaves stacked in NumPy (building a sweep dispatches nothing to the device), others in JAX."""
    if all(isinstance(x, (np.ndarray, np.generic, int, float, bool)) for x in xs):
        return np.stack([np.asarray(x) for x in xs])
    return jnp.stack([jnp.asarray(x) for x in xs])


def rebuild(tree: Any) -> Any:
    """``tree`` built again through its constructors, so that what it decides from values is decided for these values."""
    if not isinstance(tree, Tree):
        return tree
    arguments = {name: _rebuilt(value) for name, value in tree.arguments().items()}
    if isinstance(tree, from_fn):
        fn = arguments.pop("fn")
        return from_fn(fn, **arguments)
    return type(tree)(**arguments)


def _rebuilt(x: Any) -> Any:
    if isinstance(x, Tree):
        return rebuild(x)
    if isinstance(x, (tuple, list)):
        return type(x)(_rebuilt(v) for v in x)
    return x


def general(trees: Sequence[Any]) -> list[Any]:
    """``trees`` with the structure decided from their values made to agree.

    Where they decided differently (a duration whole in one and fractional in
    another, a `restart` whose ``mult`` is whole in one), each takes the
    general choice, which holds for every value; the rest is kept.
    """
    a = trees[0]
    if isinstance(a, Duration):
        return list(trees) if all(x.whole == a.whole for x in trees) else [x.general() for x in trees]
    if isinstance(a, Tree):
        for x in trees:
            jax.tree.structure(x)  # decides what a preset decides when first flattened
        columns = {}
        for f in dataclasses.fields(a):
            column = [getattr(x, f.name) for x in trees]
            if "derived" in f.metadata:
                same = all(v == column[0] for v in column)
                column = column if same else [f.metadata["derived"]] * len(trees)
            elif f.name in a._leaf_fields:
                column = general(column)
            columns[f.name] = column
        out = []
        for i, x in enumerate(trees):
            y = object.__new__(type(x))
            for name, column in columns.items():
                object.__setattr__(y, name, column[i])
            out.append(y)
        return out
    if isinstance(a, (tuple, list)):
        rows = list(zip(*(general(list(column)) for column in zip(*trees)))) if len(a) else [()] * len(trees)
        if hasattr(a, "_fields"):  # a NamedTuple (optimizer states)
            return [type(x)(*row) for x, row in zip(trees, rows)]
        return [type(x)(row) for x, row in zip(trees, rows)]
    if isinstance(a, dict):
        columns = {k: general([x[k] for x in trees]) for k in a}
        return [{k: columns[k][i] for k in a} for i in range(len(trees))]
    return list(trees)


def grid(make: Callable[..., Any], **axes: Sequence[Any]) -> tuple[Any, list[dict[str, Any]]]:
    """The cartesian product of ``axes`` passed to ``make``, stacked, and the configurations in the same order.

    >>> import lrjax
    >>> batch, configs = lrjax.grid(lambda peak, warmup: lrjax.warmup_cosine(peak, warmup_steps=warmup, total_steps=1000),
    ...                             peak=[1e-3, 3e-3], warmup=[0, 100])
    >>> configs[1]
    {'peak': 0.001, 'warmup': 100}
    >>> batch.peak.shape
    (4,)
    """
    names = list(axes)
    configs = [dict(zip(names, values)) for values in itertools.product(*(axes[n] for n in names))]
    return stack([make(**config) for config in configs]), configs


def shard_sweep(tree: Any, devices: Sequence[jax.Device] | None = None) -> Any:
    """Places a stacked sweep across devices along its leading axis (a mesh with one axis, ``"sweep"``).

    The sweep size must be a multiple of the number of devices. A function
    ``jax.jit(jax.vmap(step))`` applied to the result then runs each device's
    share of the configurations there; with ``jax.distributed.initialize()``
    the same code spans hosts.

    >>> import jax, lrjax
    >>> batch = lrjax.shard_sweep(lrjax.stack([lrjax.cosine(1.0, steps=100)] * jax.device_count()))
    >>> batch.init.sharding.spec == jax.sharding.PartitionSpec("sweep")
    True
    """
    mesh = jax.sharding.Mesh(np.asarray(devices if devices is not None else jax.devices()), ("sweep",))
    return jax.device_put(tree, jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec("sweep")))
