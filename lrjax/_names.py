"""The names that build lrjax trees: the vocabulary of expressions and configs."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any

from ._pytree import Tree


def _kinds(cls: type[Tree]) -> list[type[Tree]]:
    found = [cls] if "name" in vars(cls) and cls.__module__.startswith("lrjax.") else []
    return found + [k for sub in cls.__subclasses__() for k in _kinds(sub)]


@functools.cache
def constructors() -> dict[str, Callable[..., Tree]]:
    """Every lrjax tree kind's public constructor and every preset, by name (``"cosine"``, ``"sgdr"``, ...)."""
    from . import _presets

    presets = {n: f for n, f in vars(_presets).items() if inspect.isfunction(f) and f.__module__ == _presets.__name__ and n[0] != "_"}
    return {**{kind.name: kind.constructor() for kind in _kinds(Tree)}, **presets}


def construct(name: str, args: Sequence[Any], kwargs: dict[str, Any]) -> Tree:
    """``constructors()[name](*args, **kwargs)``, with a ValueError for arguments it does not take."""
    fn = constructors()[name]
    try:
        inspect.signature(fn).bind(*args, **kwargs)
    except TypeError as e:
        raise ValueError(f"{name}: {e}") from None
    return fn(*args, **kwargs)
