"""Schedules as JSON-serializable configs: `to_config` and `from_config`.

A config is ``{"format": "lrjax", "version": 2, "schedule": <node>}``, with
``"batch_shape"`` added for stacked schedules. A node is
``{"type": <public name>, <argument>: <value>, ...}`` holding every argument
its kind declares; ``s1 + s2`` and ``s1 * s2`` are nodes of type ``"+"`` and
``"*"`` with ``"left"`` and ``"right"``. Configs written by lrjax 0.1
(version 1) are read through `_from_version_1`, which maps them onto today's
kinds.
"""

from __future__ import annotations

import inspect
import reprlib
from collections.abc import Mapping
from typing import Any

import numpy as np

from ._arith import concrete
from ._fields import param_of
from ._registry import KINDS, OPERATORS, UNWRITABLE
from ._schedule import Product, Sum
from ._tree import Tree, batch_shape, number

#: The ``"format"`` entry of every config.
FORMAT = "lrjax"
#: The config layout this version writes; it reads this one and every earlier one.
VERSION = 2
#: Deepest nesting of nodes `from_config` reads.
MAX_DEPTH = 64


def to_config(tree: Tree) -> dict[str, Any]:
    """A JSON-serializable dict that `from_config` turns back into ``tree``.

    Each node is ``{"type": <constructor name>, <argument>: <value>, ...}``
    with every argument of the constructor; schedules inside combinators are
    nested nodes, durations are exact Python ints (or floats when fractional),
    other numbers the shortest decimal that converts back to the same leaf, and
    vectors lists. Sums and products are ``"+"`` and ``"*"`` nodes. A stacked
    (batched) tree adds ``"batch_shape"`` and its leaves are nested lists with
    the batch axes first.

    A schedule that holds a Python function (`from_fn`) has no config: a
    `ValueError` names where it is. Traced leaves (inside `jit`) cannot be
    written either.

    >>> import json, lrjax
    >>> s = lrjax.warmup(lrjax.cosine(1e-3, steps=10_000), steps=500)
    >>> config = lrjax.to_config(s)
    >>> config["schedule"]["schedule"]
    {'type': 'cosine', 'init': 0.001, 'end': 0.0, 'steps': 10000, 'power': 1.0}
    >>> lrjax.from_config(json.loads(json.dumps(config)))
    warmup(cosine(init=0.001, steps=10000), steps=500)
    """
    if not isinstance(tree, Tree):
        raise ValueError(f"to_config: expected an lrjax schedule, got {type(tree).__name__}")
    config: dict[str, Any] = {"format": FORMAT, "version": VERSION, "schedule": _node(tree, "schedule")}
    if batch := batch_shape(tree):
        config["batch_shape"] = list(batch)
    return config


def _node(tree: Tree, path: str) -> dict[str, Any]:
    if tree.name in UNWRITABLE:
        raise ValueError(
            f"to_config: {path} is {tree!r}, which holds a Python function; "
            "a config stores names and numbers only, so build this schedule in code"
        )
    if isinstance(tree, (Sum, Product)):
        return {"type": tree.name, "left": _node(tree.left, f"{path}.left"), "right": _node(tree.right, f"{path}.right")}
    node: dict[str, Any] = {"type": tree.name}
    for f in tree.declared():
        node[f.name] = _value(getattr(tree, f.name), f"{path}.{f.name}", param_of(f))
    return node


def _value(x: Any, path: str, param: Any) -> Any:
    if isinstance(x, Tree):
        return _node(x, path)
    if x is None or isinstance(x, (str, bool)):
        return x
    if isinstance(x, (tuple, list)):
        return [_value(v, f"{path}[{i}]", param) for i, v in enumerate(x)]
    n = number(x, param)
    if n is None:
        raise ValueError(f"to_config: {path} is traced; write configs outside jit and vmap")
    return n


def from_config(config: Mapping[str, Any]) -> Tree:
    """Rebuilds the schedule `to_config` wrote, validating every argument as its constructor does.

    Leaves take the default float dtype, as when the constructors are called
    with the same numbers. Stacked configs are built as batched leaves at once.
    Configs written by lrjax 0.1 (version 1) load too. An unknown format, a
    newer version, an unknown ``"type"`` or a bad argument raises a
    `ValueError` naming where it is (e.g. ``at schedule.schedule``).

    >>> import lrjax
    >>> lrjax.from_config({"format": "lrjax", "version": 2,
    ...                    "schedule": {"type": "cosine", "init": 1.0, "steps": 100}})
    cosine(init=1.0, steps=100)
    """
    if not isinstance(config, Mapping):
        raise ValueError(f"from_config: expected a dict, got {type(config).__name__}")
    if config.get("format") != FORMAT:
        raise ValueError(f"from_config: not an lrjax config: format must be {FORMAT!r}, got {_short(config.get('format'))}")
    version = config.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= VERSION:
        raise ValueError(f"from_config: this lrjax reads config versions 1 to {VERSION}, got version {_short(version)}")
    unknown = sorted(str(k) for k in set(config) - {"format", "version", "schedule", "batch_shape"})
    if unknown:
        raise ValueError(f"from_config: unknown entries {unknown}; allowed: format, version, schedule, batch_shape")
    if "schedule" not in config:
        raise ValueError("from_config: the config has no 'schedule' entry")
    batch = config.get("batch_shape", [])
    if not isinstance(batch, list) or not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in batch):
        raise ValueError(f"from_config: batch_shape must be a list of positive ints, got {_short(batch)}")
    node = config["schedule"]
    if version == 1:
        node = _from_version_1(node, "schedule", 0)
    tree = _build(node, "schedule", 0)
    if tuple(batch) != batch_shape(tree):
        raise ValueError(f"from_config: batch_shape is {batch}, but the schedule's leaves have batch shape {list(batch_shape(tree))}")
    return tree


def _short(x: Any, n: int = 60) -> str:
    try:
        text = repr(x)
    except RecursionError:  # JSON nested too deeply to print: reprlib stops a few levels down
        text = reprlib.repr(x)
    return text if len(text) <= n else text[: n - 3] + "..."


def _kind(node: Any, path: str, depth: int) -> str:
    if depth > MAX_DEPTH:
        raise ValueError(f"from_config: at {path}: nodes nested deeper than {MAX_DEPTH} levels")
    if not isinstance(node, Mapping) or "type" not in node:
        raise ValueError(f"from_config: at {path}: expected a schedule node {{'type': ..., ...}}, got {_short(node)}")
    name = node["type"]
    if not isinstance(name, str):
        raise ValueError(f"from_config: at {path}: type must be a string naming a kind, got {_short(name)}")
    return name


def _build(node: Any, path: str, depth: int) -> Tree:
    name = _kind(node, path, depth)
    kind = OPERATORS.get(name) or (KINDS.get(name) if name not in UNWRITABLE else None)
    if kind is None:
        raise ValueError(f"from_config: at {path}: unknown type {_short(name)}")
    kwargs = {str(k): _argument(v, f"{path}.{k}", depth) for k, v in node.items() if k != "type"}
    try:
        inspect.signature(kind).bind(**kwargs)
    except TypeError as e:
        raise ValueError(f"from_config: at {path}: {name}: {e}") from None
    try:
        return kind(**kwargs)
    except ValueError as e:
        raise ValueError(f"from_config: at {path}: {e}") from None


def _argument(x: Any, path: str, depth: int) -> Any:
    if isinstance(x, Mapping):
        return _build(x, path, depth + 1)
    if isinstance(x, list) and any(isinstance(v, Mapping) for v in x):
        return [_argument(v, f"{path}[{i}]", depth + 1) for i, v in enumerate(x)]
    if _too_deep(x, MAX_DEPTH):  # lists of lists of numbers: beyond any batch (and beyond what repr can print)
        raise ValueError(f"from_config: at {path}: lists nested deeper than {MAX_DEPTH} levels")
    return x


def _too_deep(x: Any, levels: int) -> bool:
    """Whether lists nest in ``x`` more than ``levels`` deep (looking no deeper than that)."""
    if not isinstance(x, list):
        return False
    return levels == 0 or any(_too_deep(v, levels - 1) for v in x)


# Version 1 (lrjax 0.1) ---------------------------------------------------------

#: Kinds renamed since version 1.
_V1_TYPES = {"add": "+", "multiply": "*", "PolynomialDecay": "keras.PolynomialDecay"}
#: Arguments renamed since version 1, per kind.
_V1_ARGUMENTS = {
    "cosine": {"exponent": "power"},
    "inverse_sqrt": {"timescale": "steps"},
    "step_decay": {"every": "steps"},
    "multistep": {"milestones": "boundaries"},
    "cyclic": {"gamma": "factor"},
    "wsd": {"decay_shape": "shape"},
    "cycle": {"decay": "factor"},
    "restart": {"decay": "factor"},
}


def _from_version_1(node: Any, path: str, depth: int) -> Any:
    """A version-1 node (and its children) as a version-2 node: renamed kinds and arguments, ``exponential(end=...)`` as a clip."""
    name = _kind(node, path, depth)
    renames = _V1_ARGUMENTS.get(name, {})
    out: dict[str, Any] = {"type": _V1_TYPES.get(name, name)}
    for k, v in node.items():
        if k == "type":
            continue
        if isinstance(v, Mapping):
            v = _from_version_1(v, f"{path}.{k}", depth + 1)
        elif isinstance(v, list) and any(isinstance(e, Mapping) for e in v):
            v = [_from_version_1(e, f"{path}.{k}[{i}]", depth + 1) for i, e in enumerate(v)]
        out[renames.get(k, k)] = v
    if name == "PolynomialDecay":
        out.pop("cycle", None)  # version 1 wrote the compat kind's constant cycle=True
    end = out.pop("end", None) if name == "exponential" else None
    if end is not None:
        rate = concrete(out.get("rate"))
        if rate is None or not np.issubdtype(np.asarray(rate).dtype, np.number):
            raise ValueError(f"from_config: at {path}: exponential: rate must be a number, got {_short(out.get('rate'))}")
        if np.all(rate <= 1):
            return {"type": "clip", "schedule": out, "min": end, "max": None}
        if np.all(rate >= 1):
            return {"type": "clip", "schedule": out, "min": None, "max": end}
        raise ValueError(f"from_config: at {path}: a batch of exponential decays with an end and rates on both sides of 1")
    return out
