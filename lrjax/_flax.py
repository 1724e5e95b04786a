"""flax.serialization support for lrjax's PyTrees, registered only once the user has imported flax.

flax looks serialization handlers up by exact type and ignores JAX's PyTree
registration, so each concrete `Tree` class (and `Duration`) needs its own handler, or
``flax.serialization.to_bytes`` of an optimizer state holding a schedule
raises ``TypeError: can not serialize 'Warmup' object``.

lrjax never imports flax itself. Handlers are registered

- when lrjax is imported after ``flax.serialization``;
- when ``flax.serialization`` is imported after lrjax, through a one-shot
  import hook that removes itself once it has fired;
- at the points where optimizer states are built or read (`inject`,
  `scale_by_schedule`, `scale_by_plateau`, `hyperparams`, `set_schedules`), which
  also covers `Tree` classes defined after flax was imported.

A schedule's state dict holds its leaf fields by name (the names orbax and
``nnx.state`` use too). Static fields (kinds, shape names, flags, whether a
duration is whole) are not stored: as with ``flax.struct`` they come from the restore target, so a
checkpoint restores into a schedule of the same structure, built by the code.
"""

from __future__ import annotations

import dataclasses
import importlib.abc
import importlib.util
import sys
import threading
from typing import Any

import jax

from ._arith import Duration, Rate
from ._tree import Tree

_MODULE = "flax.serialization"
_lock = threading.RLock()


def register_if_imported() -> None:
    """Registers a handler for `Duration` and every concrete `Tree` class that lacks one, if flax.serialization is imported."""
    serialization = sys.modules.get(_MODULE)
    if serialization is None or not hasattr(serialization, "register_serialization_state"):
        return
    with _lock:
        for cls in [Duration, Rate, *_concrete_trees(Tree)]:
            if not serialization.is_serializable(cls):
                serialization.register_serialization_state(cls, _to_state_dict, _from_state_dict)


def _concrete_trees(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        if dataclasses.fields(sub):  # classes without fields are abstract bases, not PyTrees
            found.append(sub)
        found.extend(_concrete_trees(sub))
    return found


def _children(tree: Any) -> tuple[list[tuple[str, Any]], Any]:
    """The tree's children one level down, named by their keys, and the one-level structure."""
    pairs, treedef = jax.tree_util.tree_flatten_with_path(tree, is_leaf=lambda x: x is not tree)
    return [(_key_name(path[0]), child) for path, child in pairs], treedef


def _key_name(key: Any) -> str:
    for attribute in ("name", "key", "idx"):
        if hasattr(key, attribute):
            return str(getattr(key, attribute))
    return str(key)


def _to_state_dict(tree: Any) -> dict[str, Any]:
    from flax import serialization  # already imported: this handler is only registered then

    children, _ = _children(tree)
    return {name: serialization.to_state_dict(child) for name, child in children}


def _from_state_dict(target: Any, state: Any) -> Any:
    from flax import serialization

    children, treedef = _children(target)
    names = [name for name, _ in children]
    where = serialization.current_path() or "."
    if not isinstance(state, dict) or set(state) != set(names):
        got = sorted(state) if isinstance(state, dict) else type(state).__name__
        raise ValueError(
            f"lrjax: the checkpoint at {where} does not hold a {getattr(target, 'name', type(target).__name__)} of the target's structure "
            f"(fields {names}, got {got}); restore into a target built with the checkpoint's schedule, "
            "then replace it with lrjax.set_schedules"
        )
    restored = []
    for name, child in children:
        value = serialization.from_state_dict(child, state[name], name=name)
        if hasattr(child, "shape") and hasattr(value, "shape") and (child.shape, child.dtype) != (value.shape, value.dtype):
            raise ValueError(
                f"lrjax: {where}/{name} is {value.dtype}{list(value.shape)} in the checkpoint "
                f"and {child.dtype}{list(child.shape)} in the target"
            )
        restored.append(value)
    return jax.tree_util.tree_unflatten(treedef, restored)


class _RegisterOnImport(importlib.abc.MetaPathFinder):
    """Runs `register_if_imported` right after flax.serialization executes, then gets out of the way."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != _MODULE:
            return None
        _remove_hook()
        try:
            spec = importlib.util.find_spec(fullname)
        except Exception:  # let the ordinary finders import it (and report any problem) as if lrjax were absent
            return None
        loader = getattr(spec, "loader", None)
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        execute = loader.exec_module

        def exec_module(module: Any) -> None:
            execute(module)
            register_if_imported()

        loader.exec_module = exec_module
        return spec


_hook = _RegisterOnImport()


def _remove_hook() -> None:
    with _lock:
        if _hook in sys.meta_path:
            sys.meta_path.remove(_hook)


def install() -> None:
    """Registers now if flax.serialization is imported; otherwise waits for it with the import hook."""
    with _lock:
        if _MODULE in sys.modules:
            register_if_imported()
        elif _hook not in sys.meta_path:
            sys.meta_path.insert(0, _hook)
