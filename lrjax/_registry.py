"""The public kinds by name: exactly what expressions and configs may build.

Listed explicitly (not found by scanning subclasses), so that `lrjax.parse` and
`lrjax.from_config` accept the public constructors and nothing else. Compat
kinds are named with their module (``keras.PolynomialDecay``).
"""

from __future__ import annotations

from ._algebra import blend, clip, per_epoch, shift
from ._anneal import cosine, linear, polynomial, tanh
from ._cycle import cycle, restart
from ._cyclical import cyclic, one_cycle, one_cycle_momentum
from ._decay import exponential, inverse_sqrt, inverse_time, multistep, step_decay
from ._from_fn import from_fn
from ._join import join
from ._noise import noise
from ._piecewise import piecewise_constant, piecewise_linear
from ._plateau import plateau
from ._presets import sgdr, warmup_cosine, warmup_inverse_sqrt, warmup_linear, wsd
from ._ramps import cooldown, warmup
from ._schedule import Product, Sum, constant
from ._tree import Tree
from .compat.keras import StretchedPolynomial

#: Every public kind, by the name expressions and configs use.
KINDS: dict[str, type[Tree]] = {
    kind.name: kind
    for kind in (
        # primitives
        constant, linear, polynomial, cosine, tanh, exponential, inverse_time, inverse_sqrt, step_decay, multistep,
        piecewise_constant, piecewise_linear, one_cycle, one_cycle_momentum, cyclic, noise, from_fn,
        # combinators and modifiers
        join, warmup, cooldown, restart, cycle, clip, shift, per_epoch, blend,
        # presets
        warmup_cosine, warmup_linear, sgdr, warmup_inverse_sqrt, wsd,
        # controllers
        plateau,
        # compat kinds without a native equivalent
        StretchedPolynomial,
    )
}

#: The operator nodes ``s1 + s2`` and ``s1 * s2``; configs write them as ``"type": "+"`` and ``"*"``.
OPERATORS: dict[str, type[Tree]] = {"+": Sum, "*": Product}

#: What an expression or a config may not build: ``from_fn`` holds a Python function.
UNWRITABLE = {"from_fn"}
