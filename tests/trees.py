"""Hypothesis strategies for random schedule trees, built from the field declarations.

Every public kind of `lrjax._registry.KINDS` except ``from_fn`` (a Python
function) and ``plateau`` (a controller, not a schedule of steps) is drawn:
each declared field gets a number, duration, list, choice, flag or child
schedule from its `Param` (kind, bounds, ``whole``, ``optional``,
``options``), with extremes mixed in (durations 0, 1 and near 2**31, values
0, 1e-30 and 1e30, ``mult`` just above 1 and 1000, ...). The few relations
between fields that the declarations cannot say (lengths of ``values`` and
``boundaries``, ``steps <= total_steps``, positive ends of exponential
ramps, ...) are met by `_RELATIONS`, so that most draws are valid; a draw
the constructor still rejects is discarded with ``assume(False)``.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import jax
import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

import lrjax
from lrjax._fields import param_of
from lrjax._registry import KINDS
from lrjax._schedule import Product, Schedule, Sum
from lrjax._tree import Tree

INT_MAX = 2**31 - 1
#: Float32 growth cap of `lrjax._arith.power` (sqrt of the largest float32), used for magnitude bounds.
GROWTH = 1.9e19

#: The kinds drawn: every public kind that is a schedule of steps built from numbers.
DRAWN = {name: kind for name, kind in KINDS.items() if name not in ("from_fn", "plateau")}


def _takes_schedules(kind: type[Tree]) -> bool:
    return any(param_of(f).kind in ("schedule", "schedules") for f in kind.declared())


LEAF_KINDS = sorted(n for n, k in DRAWN.items() if not _takes_schedules(k))
COMBINATORS = sorted(n for n, k in DRAWN.items() if _takes_schedules(k))

# Pools of numbers ---------------------------------------------------------------

ORDINARY = [0.0, 1.0, -1.0, 0.5, 2.0, 0.1, -0.25, 3.0, 1e-3, 10.0, 1000.0]
EXTREME = [1e-30, -1e-30, 1e30, -1e30, 1e20, 1e-20]
WHOLE_DURATIONS = [0, 1, 2, 3, 5, 7, 10, 100, 255, 256, 257, 1000, 10**6, 2**24 - 1, 2**24, 2**24 + 1, 2**31 - 2, INT_MAX]
FRACTIONAL_DURATIONS = [0.5, 2.5, 0.25, 7.75, 1e6 + 0.25, 2**24 + 0.5]

#: Numbers for fields whose meaning the declaration does not give (rates, exponents, multipliers).
BY_NAME: dict[str, list[Any]] = {
    "mult": [1.0, 1.0000001, 1.001, 1.5, 2.0, 3.0, 17.0, 1000.0],
    "factor": [0.0, 0.5, 0.9, 1.0, 1.1, 2.0, 1e-30],
    "rate": [0.0, 0.5, 0.99, 1.0, 2.0, 10.0, 1e-30, 1e30],
    "power": [0.5, 1.0, 2.0, 3.0, 1e-3, 0.0, 30.0],
    "pct_start": [0.0, 0.1, 0.3, 0.5, 1.0, 1e-30],
    "div": [1.0, 25.0, 1e4, 0.5],
    "final_div": [1.0, 25.0, 1e4, 0.5],
    "lower": [-7.0, -1.0, 0.0, 3.0, -30.0],
    "upper": [3.0, 1.0, 0.0, -7.0, 30.0],
    "seed": [0, 1, 42, 2**24 - 1],
    "bound": [None, 0.5, 2.0, 1e-30],
    "limit": [None, 1, 2, 5, 1000],
}


def _allowed(x: Any, p: Any) -> bool:
    if x is None:
        return p.optional
    return not ((p.ge is not None and x < p.ge) or (p.gt is not None and x <= p.gt) or (p.le is not None and x > p.le)
                or (p.lt is not None and x >= p.lt) or (p.whole and x % 1 != 0))


def numbers(name: str, p: Any, extreme: bool = True) -> st.SearchStrategy:
    """A strategy for one scalar value field, within its declared range."""
    pool = BY_NAME.get(name, ORDINARY + (EXTREME if extreme else []))
    pool = [x for x in pool if _allowed(x, p)]
    if p.optional:
        pool = pool + [None]
    assert pool, (name, p)
    choices = st.sampled_from(pool)
    if name in BY_NAME or p.whole:
        return choices
    lo = max(-1e3, p.ge if p.ge is not None else -1e3, p.gt if p.gt is not None else -1e3)
    hi = min(1e3, p.le if p.le is not None else 1e3, p.lt if p.lt is not None else 1e3)
    floats = st.floats(lo, hi, width=32, exclude_min=p.gt is not None).filter(lambda x: _allowed(x, p))
    return st.one_of(choices, floats)


def durations(p: Any) -> st.SearchStrategy:
    pool = [d for d in WHOLE_DURATIONS + FRACTIONAL_DURATIONS if _allowed(d, p)]
    small = st.integers(0 if p.gt is None else 1, 50)
    return st.one_of(st.sampled_from(pool), small) | (st.none() if p.optional else st.nothing())


def boundaries(n: int) -> st.SearchStrategy:
    one = st.one_of(st.sampled_from(WHOLE_DURATIONS + FRACTIONAL_DURATIONS), st.integers(0, 300))
    return st.lists(one, min_size=n, max_size=n).map(sorted)


def vector(n: int) -> st.SearchStrategy:
    return st.lists(st.one_of(st.sampled_from(ORDINARY + EXTREME), st.floats(-1e3, 1e3, width=32)), min_size=n, max_size=n)


# Relations between fields -------------------------------------------------------


def _sorted_pair(kwargs, a, b):
    if kwargs.get(a) is not None and kwargs.get(b) is not None and kwargs[a] > kwargs[b]:
        kwargs[a], kwargs[b] = kwargs[b], kwargs[a]


def _positive(kwargs, *names):
    for n in names:
        x = kwargs.get(n)
        if not isinstance(x, (int, float)) or x <= 0:
            kwargs[n] = abs(x) if isinstance(x, (int, float)) and x != 0 else 1e-3


def _one_cycle(kwargs):
    top = 0.5 if kwargs["three_phase"] else 1.0  # three phases: the second is as long as the first
    if kwargs["pct_start"] * kwargs["steps"] < 1 or kwargs["pct_start"] > top:
        kwargs["pct_start"] = top


def _cooldown(kwargs):
    _sorted_pair(kwargs, "steps", "total_steps")
    if kwargs["shape"] == "exponential":
        _positive(kwargs, "end")


def _warmup(kwargs):
    if kwargs["shape"] == "exponential":
        _positive(kwargs, "init")


def _wsd(kwargs):
    if kwargs["shape"] == "exponential":
        _positive(kwargs, "peak", "end")


#: Relations the declarations cannot state, met after drawing (each edits the keyword arguments in place).
_RELATIONS = {
    "cooldown": _cooldown,
    "warmup": _warmup,
    "wsd": _wsd,
    "clip": lambda kw: _sorted_pair(kw, "min", "max"),
    "warmup_cosine": lambda kw: _sorted_pair(kw, "warmup_steps", "total_steps"),
    "warmup_linear": lambda kw: _sorted_pair(kw, "warmup_steps", "total_steps"),
    "one_cycle": _one_cycle,
    "one_cycle_momentum": _one_cycle,
}

#: Kinds with several children: these are drawn shallower, so that a tree stays small enough to compile quickly.
_BRANCHING = ("blend",)

#: The lengths of vector fields, from one drawn count ``n`` (>= 1 knot where a kind needs one).
_LENGTHS = {
    "piecewise_constant": {"values": 1, "boundaries": 0},
    "piecewise_linear": {"values": 0, "boundaries": 0},
    "multistep": {"boundaries": 0},
    "join": {"schedules": 1, "boundaries": 0},
}


# Trees --------------------------------------------------------------------------


@st.composite
def kind_of(draw, name: str, depth: int) -> Schedule:
    """One node of kind ``name`` with children up to ``depth`` deep."""
    kind = DRAWN[name]
    n = draw(st.integers(1 if name == "piecewise_linear" else 0, 3))
    kwargs: dict[str, Any] = {}
    for f in kind.declared():
        p = param_of(f)
        use_default = f.default is not dataclasses.MISSING and draw(st.integers(0, 3)) == 0
        if use_default:
            continue
        extra = _LENGTHS.get(name, {}).get(f.name)
        if p.kind == "duration":
            kwargs[f.name] = draw(durations(p))
        elif p.kind == "values":
            kwargs[f.name] = draw(vector(n + extra))
        elif p.kind == "durations":
            kwargs[f.name] = draw(boundaries(n + extra))
        elif p.kind == "choice":
            kwargs[f.name] = draw(st.sampled_from(p.options))
        elif p.kind == "flag":
            kwargs[f.name] = draw(st.booleans())
        elif p.kind == "schedule":
            kwargs[f.name] = draw(schedules(depth - (1 if name not in _BRANCHING else 2)))
        elif p.kind == "schedules":
            kwargs[f.name] = [draw(schedules(depth - 2)) for _ in range(n + extra)]
        elif p.numeric:  # value, rate: one number
            kwargs[f.name] = draw(numbers(f.name, p))
        else:
            raise AssertionError(f"{name}.{f.name}: a field kind the harness does not draw: {p.kind}")
    relation = _RELATIONS.get(name)
    if relation is not None:
        for f in kind.declared():  # relations read every field, defaults included
            if f.name not in kwargs and f.default is not dataclasses.MISSING:
                kwargs[f.name] = f.default
        relation(kwargs)
    try:
        return kind(**kwargs)
    except ValueError:
        assume(False)


def schedules(depth: int = 3) -> st.SearchStrategy:
    """A random schedule tree at most ``depth`` combinators deep: kinds, presets, ``+``, ``*``, ``-`` and ``/``."""
    leaves = st.sampled_from(LEAF_KINDS).flatmap(lambda n: kind_of(n, 0))
    if depth <= 0:
        return leaves
    inner = st.sampled_from(COMBINATORS).flatmap(lambda n: kind_of(n, depth))
    return st.one_of(leaves, inner, arithmetic(depth))


@st.composite
def arithmetic(draw, depth: int) -> Schedule:
    op = draw(st.sampled_from(["+", "*", "-", "neg", "scale", "divide", "radd"]))
    a = draw(schedules(depth - (2 if op in ("+", "*", "-") else 1)))
    c = draw(st.sampled_from([0.5, -2.0, 3.0, 1e-3, 1e20]))
    if op in ("+", "*", "-"):
        b = draw(schedules(depth - 2))
        return {"+": a + b, "*": a * b, "-": a - b}[op]
    return {"neg": -a, "scale": c * a, "divide": a / c, "radd": c + a}[op]


# Properties of drawn trees ------------------------------------------------------


def nodes(tree: Tree):
    """Every schedule node of ``tree``, itself included (presets also through their composition)."""
    yield tree
    for f in tree.declared():
        x = getattr(tree, f.name)
        if isinstance(x, Tree):
            yield from nodes(x)
        elif isinstance(x, tuple):
            for v in x:
                if isinstance(v, Tree):
                    yield from nodes(v)


def has_noise(tree: Tree) -> bool:
    return any(isinstance(n, lrjax.noise) for n in nodes(tree))


def largest_leaf(tree: Tree) -> float:
    leaves = [np.max(np.abs(np.asarray(x, np.float64))) for x in jax.tree.leaves(tree) if np.size(x)]
    return float(max(leaves, default=0.0))


def number(x: Any) -> np.ndarray:
    """A concrete leaf or leaf pair (`Duration`, ...) as float64."""
    return x.exact() if hasattr(x, "exact") else np.asarray(x, np.float64)


def _value_leaves(tree: Tree) -> float:
    """Largest |number| among a node's own numbers that are not durations (nor children)."""
    out = 0.0
    for f in tree.declared():
        p, x = param_of(f), getattr(tree, f.name)
        if x is not None and p.numeric and p.kind not in ("duration", "durations"):
            out = max(out, float(np.max(np.abs(number(x)), initial=0.0)))
    return out


def bound(tree: Tree) -> float:
    """A generous upper bound on |value| of ``tree`` and of every intermediate it computes (float64, may be inf)."""
    with np.errstate(over="ignore"):
        return _bound(tree)


def _grows(x: Any) -> bool:
    return x is not None and bool(np.any(number(x) > 1))


def _bound(s: Tree) -> float:
    own = max(_value_leaves(s), 1.0)
    children = [_bound(c) for c in _direct(s)]
    if isinstance(s, Product):
        return children[0] * children[1]
    if isinstance(s, Sum):
        return children[0] + children[1]
    if isinstance(s, lrjax.noise):
        return 10.0
    if isinstance(s, lrjax.blend):
        return (children[0] + children[1]) * (1 + children[2])
    if isinstance(s, lrjax.one_cycle):
        div, final_div = float(np.min(number(s.div))), float(np.min(number(s.final_div)))
        return own / min(1.0, div) / min(1.0, div * final_div) * 4
    if isinstance(s, lrjax.multistep):
        return own * max(1.0, float(np.max(number(s.factor)))) ** s.boundaries.shape[-1]
    growing = [getattr(s, name, None) for name in ("rate", "factor")]
    if isinstance(s, lrjax.cyclic) and s.mode != "exp_range":
        growing = []
    growth = GROWTH if any(_grows(x) for x in growing) else 1.0
    if isinstance(s, (lrjax.exponential, lrjax.step_decay)) and growth > 1:
        return max(own, GROWTH) * 4
    own = 4 * own * growth  # cyclic's low + (high - low) h, tanh's end + (init - end) / 2 (1 - tanh)
    return max([own] + [c * growth * 4 for c in children])


def _direct(s: Tree) -> list[Tree]:
    out = []
    for f in s.declared():
        x = getattr(s, f.name)
        if isinstance(x, Tree):
            out.append(x)
        elif isinstance(x, tuple):
            out.extend(v for v in x if isinstance(v, Tree))
    return out


def kinds_in(tree: Tree) -> set[str]:
    return {n.name for n in nodes(tree)}


@st.composite
def perturbed_config(draw, config: dict) -> dict:
    """``config`` with some of its numbers changed (the structure kept): the second member of a stacked pair."""

    def walk(node):
        if isinstance(node, dict):
            return {k: (v if k == "type" else walk(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        if isinstance(node, bool) or node is None or isinstance(node, str):
            return node
        change = draw(st.sampled_from(["keep", "keep", "double", "half", "plus"]))
        if change == "keep":
            return node
        if isinstance(node, int):  # durations and whole numbers stay whole
            return {"double": 2 * node, "half": node // 2, "plus": node + 1}[change]
        return {"double": 2 * node, "half": node / 2, "plus": node + 1.0}[change] if math.isfinite(node) else node

    return {**config, "schedule": walk(config["schedule"])}
