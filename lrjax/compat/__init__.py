"""Peers' schedules with the peers' names, arguments and values, as lrjax schedules.

One module per peer: `lrjax.compat.optax`, `lrjax.compat.torch`,
`lrjax.compat.timm`, `lrjax.compat.transformers` and `lrjax.compat.keras`.
Each function takes the peer's arguments (``base_lr`` where the peer reads the
learning rate from an optimizer) and returns an lrjax schedule built from
lrjax's own primitives, whose value at step ``t`` is what the peer uses for the
update with 0-based index ``t``. Every number is a leaf, so the peer's recipe
gains ``jax.vmap``, ``jax.grad`` and recompilation-free changes. None of the
peers is imported. Each module's docstring lists where lrjax deliberately
differs; the README has the migration table.

>>> from lrjax.compat import torch
>>> s = torch.CosineAnnealingWarmRestarts(base_lr=1.0, T_0=3, T_mult=2)
>>> [round(float(s(t)), 3) for t in range(6)]
[1.0, 0.75, 0.25, 1.0, 0.933, 0.75]
"""

import importlib

#: One module per peer, imported on first use (``lrjax.parse`` needs only `keras`).
__all__ = ["keras", "optax", "timm", "torch", "transformers"]


def __getattr__(name: str):
    if name not in __all__:
        raise AttributeError(f"module 'lrjax.compat' has no attribute {name!r}")
    return importlib.import_module(f".{name}", __name__)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
