"""Schedules as JSON-serializable configs: `to_config` and `from_config`."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import jax
import numpy as np

from ._checks import concrete
from ._expression import plain
from ._names import construct, constructors
from ._pytree import Tree
from ._sweep import stack

#: The ``"format"`` entry of every config.
FORMAT = "lrjax"
#: The config layout this version writes and reads.
VERSION = 1


def to_config(tree: Tree) -> dict[str, Any]:
    """A JSON-serializable dict that `from_config` turns back into ``tree``.

    Each node is ``{"type": <constructor name>, <argument>: <value>, ...}``
    with every argument of the constructor; schedules inside combinators are
    nested nodes, numbers are Python ints (whole durations) and floats (the
    shortest decimal that converts back to the same leaf), vector leaves are
    lists. A stacked (batched) tree adds ``"batch_shape"`` and its leaves are
    nested lists with the batch axes first. The config records ``"format"``
    and ``"version"``.

    A schedule that holds a Python function (`from_fn`) has no config: a
    `ValueError` names where it is. Traced leaves (inside `jit`) cannot be
    written either.

    >>> import json, lrjax
    >>> s = lrjax.warmup(lrjax.cosine(1e-3, 10_000), steps=500)
    >>> config = lrjax.to_config(s)
    >>> config["schedule"]["schedule"]
    {'type': 'cosine', 'init': 0.001, 'steps': 10000, 'end': 0.0, 'exponent': 1.0}
    >>> lrjax.from_config(json.loads(json.dumps(config)))
    warmup(cosine(init=0.001, steps=10000), steps=500)
    """
    if not isinstance(tree, Tree):
        raise ValueError(f"to_config: expected an lrjax schedule, got {type(tree).__name__}")
    config: dict[str, Any] = {"format": FORMAT, "version": VERSION, "schedule": _node(tree, "schedule")}
    if batch := _batch_shape(tree):
        config["batch_shape"] = list(batch)
    return config


def _node(tree: Tree, path: str) -> dict[str, Any]:
    args, kwargs = tree.arguments()
    for a in args:
        if callable(a) and not isinstance(a, Tree):
            raise ValueError(
                f"to_config: {path} is {tree.name}({getattr(a, '__name__', a)}, ...), which holds a Python function; "
                "a config stores names and numbers only, so build this schedule in code"
            )
    whole = {f.name: f.metadata.get("duration", False) for f in dataclasses.fields(tree)}
    node = {"type": tree.name}
    for name, value in kwargs.items():
        node[name] = _value(value, f"{path}.{name}", whole.get(name, False))
    return node


def _value(x: Any, path: str, whole: bool) -> Any:
    if isinstance(x, Tree):
        return _node(x, path)
    if x is None or isinstance(x, (str, bool)):
        return x
    if isinstance(x, (tuple, list)):
        return [_value(v, f"{path}[{i}]", whole) for i, v in enumerate(x)]
    a = concrete(x)
    if a is None:
        raise ValueError(f"to_config: {path} is traced; write configs outside jit and vmap")
    return plain(a, whole)


def _batch_shape(tree: Tree) -> tuple[int, ...]:
    """The leading axes a stacked tree adds to its leaves (none for an unbatched tree)."""
    for f in dataclasses.fields(tree):
        x = getattr(tree, f.name)
        for child in x if isinstance(x, (tuple, list)) else [x]:
            if isinstance(child, Tree):
                return _batch_shape(child)
            if child is not None and not isinstance(child, (str, bool)) and not f.metadata.get("static"):
                shape = np.shape(child)
                return shape[: len(shape) - (1 if f.metadata.get("vector") else 0)]
    return ()


def from_config(config: Mapping[str, Any]) -> Tree:
    """Rebuilds the schedule `to_config` wrote, validating every argument as its constructor does.

    Leaves take the default float dtype, as when the constructors are called
    with the same numbers. An unknown format, a newer version, an unknown
    ``"type"`` or a bad argument raises a `ValueError` naming where it is
    (e.g. ``at schedule.schedule``).

    >>> import lrjax
    >>> lrjax.from_config({"format": "lrjax", "version": 1,
    ...                    "schedule": {"type": "cosine", "init": 1.0, "steps": 100}})
    cosine(init=1.0, steps=100)
    """
    if not isinstance(config, Mapping):
        raise ValueError(f"from_config: expected a dict, got {type(config).__name__}")
    if config.get("format") != FORMAT:
        raise ValueError(f"from_config: not an lrjax config: format must be {FORMAT!r}, got {config.get('format')!r}")
    version = config.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= VERSION:
        raise ValueError(f"from_config: this lrjax reads config version {VERSION}, got version {version!r}")
    unknown = sorted(set(config) - {"format", "version", "schedule", "batch_shape"})
    if unknown:
        raise ValueError(f"from_config: unknown entries {unknown}; allowed: format, version, schedule, batch_shape")
    if "schedule" not in config:
        raise ValueError("from_config: the config has no 'schedule' entry")
    batch = config.get("batch_shape", [])
    if not isinstance(batch, list) or not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in batch):
        raise ValueError(f"from_config: batch_shape must be a list of positive ints, got {batch!r}")
    if not batch:
        return _build(config["schedule"], "schedule")
    members = [_build(_member(config["schedule"], index), f"schedule (batch index {list(index)})") for index in np.ndindex(*batch)]
    return jax.tree.map(lambda x: x.reshape(tuple(batch) + x.shape[1:]), stack(members))


def _build(node: Any, path: str) -> Tree:
    if not isinstance(node, Mapping) or "type" not in node:
        raise ValueError(f"from_config: at {path}: expected a schedule node {{'type': ..., ...}}, got {node!r}")
    name = node["type"]
    if name not in constructors():
        raise ValueError(f"from_config: at {path}: unknown type {name!r}")
    kwargs = {k: _argument(v, f"{path}.{k}") for k, v in node.items() if k != "type"}
    try:
        return construct(name, (), kwargs)
    except ValueError as e:
        raise ValueError(f"from_config: at {path}: {e}") from None


def _argument(x: Any, path: str) -> Any:
    if isinstance(x, Mapping):
        return _build(x, path)
    if isinstance(x, list) and any(isinstance(v, Mapping) for v in x):
        return [_argument(v, f"{path}[{i}]") for i, v in enumerate(x)]
    return x


def _member(node: Any, index: tuple[int, ...]) -> Any:
    """One member of a batched node: every numeric list indexed at ``index`` along its batch axes."""
    if isinstance(node, Mapping):
        return {k: v if k == "type" else _member(v, index) for k, v in node.items()}
    if isinstance(node, list):
        if any(isinstance(v, Mapping) for v in node):
            return [_member(v, index) for v in node]
        return np.asarray(node)[index].tolist()
    return node
