"""Renders every lrjax primitive, combinator and preset to docs/gallery/<name>.png and writes docs/gallery.md.

Run from the repository root after changing a schedule or this list:

    python docs/gallery.py

Each entry is an lrjax expression (``lrjax.parse`` reads it, and it is also
Python that builds the schedule with ``from lrjax import *``), so the page
shows each curve next to the one line that builds it. Images of kinds no
longer listed are deleted.
"""

from __future__ import annotations

import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
IMAGES = HERE / "gallery"

#: (section, file name, expression, last step drawn)
ENTRIES = [
    ("Primitives", "constant", "constant(0.001)", 100),
    ("Primitives", "linear", "linear(1.0, 0.1, steps=100)", 120),
    ("Primitives", "polynomial", "polynomial(1.0, 0.01, steps=100, power=2.0)", 120),
    ("Primitives", "cosine", "cosine(1.0, 0.1, steps=100)", 120),
    ("Primitives", "tanh", "tanh(1.0, 0.01, steps=100)", 120),
    ("Primitives", "exponential", "exponential(1.0, rate=0.5, steps=20)", 100),
    ("Primitives", "exponential_staircase", "exponential(1.0, rate=0.5, steps=20, staircase=True)", 100),
    ("Primitives", "inverse_time", "inverse_time(1.0, rate=1.0, steps=10)", 100),
    ("Primitives", "inverse_sqrt", "inverse_sqrt(1.0, steps=10)", 200),
    ("Primitives", "step_decay", "step_decay(1.0, factor=0.5, steps=30)", 120),
    ("Primitives", "multistep", "multistep(1.0, boundaries=[30, 80], factor=0.1)", 120),
    ("Primitives", "piecewise_constant", "piecewise_constant([1.0, 0.5, 0.1], boundaries=[20, 60])", 100),
    ("Primitives", "piecewise_linear", "piecewise_linear([0.0, 1.0, 0.8, 0.0], boundaries=[0, 20, 60, 100])", 110),
    ("Primitives", "piecewise_linear_cosine", "piecewise_linear([0.0, 1.0, 0.0], boundaries=[0, 20, 100], shape='cosine')", 110),
    ("Primitives", "one_cycle", "one_cycle(1.0, steps=100)", 110),
    ("Primitives", "one_cycle_three_phase", "one_cycle(1.0, steps=100, shape='linear', three_phase=True)", 110),
    ("Primitives", "one_cycle_momentum", "one_cycle_momentum(steps=100)", 110),
    ("Primitives", "cyclic", "cyclic(0.1, 1.0, up_steps=20)", 200),
    ("Primitives", "cyclic_triangular2", "cyclic(0.1, 1.0, up_steps=20, mode='triangular2')", 200),
    ("Primitives", "cyclic_exp_range", "cyclic(0.1, 1.0, up_steps=20, mode='exp_range', factor=0.99)", 200),
    ("Primitives", "noise", "1.0 + 0.1 * noise(seed=0, bound=2.0)", 100),
    ("Primitives", "wsd", "wsd(1.0, warmup_steps=10, stable_steps=60, decay_steps=30)", 110),
    ("Primitives", "wsd_sqrt", "wsd(1.0, warmup_steps=10, stable_steps=60, decay_steps=30, shape='sqrt')", 110),
    ("Combinators", "join", "join([linear(0.0, 1.0, steps=10), constant(1.0), cosine(1.0, steps=60)], boundaries=[10, 40])", 110),
    ("Combinators", "warmup", "warmup(cosine(1.0, steps=90), steps=10)", 110),
    ("Combinators", "warmup_global_clock", "warmup(cosine(1.0, steps=100), steps=20, shape='cosine', prefix=False)", 110),
    ("Combinators", "cooldown", "cooldown(inverse_sqrt(1.0, steps=10), steps=20, total_steps=100)", 110),
    ("Combinators", "cycle", "cycle(cosine(1.0, steps=30), period=30, factor=0.8)", 150),
    ("Combinators", "restart", "restart(cosine(1.0, steps=10), period=10, mult=2.0, factor=0.7)", 150),
    ("Combinators", "clip", "clip(linear(0.0, 1.0, steps=100), min=0.2, max=0.8)", 110),
    ("Combinators", "exponential_floor", "clip(exponential(1.0, rate=0.5, steps=20), min=0.2)", 100),
    ("Combinators", "shift", "shift(cosine(1.0, steps=60), steps=30)", 110),
    ("Combinators", "per_epoch", "per_epoch(linear(1.0, 0.0, steps=10), steps_per_epoch=10)", 110),
    ("Combinators", "blend", "blend(cosine(1.0, steps=100), linear(1.0, 0.0, steps=100), weight=linear(0.0, 1.0, steps=100))", 110),
    ("Combinators", "arithmetic", "0.5 * cosine(1.0, steps=100) + 0.1 * cyclic(0.0, 1.0, up_steps=10)", 110),
    ("Presets", "warmup_cosine", "warmup_cosine(1.0, warmup_steps=10, total_steps=100, end=0.05)", 110),
    ("Presets", "warmup_linear", "warmup_linear(1.0, warmup_steps=10, total_steps=100)", 110),
    ("Presets", "sgdr", "sgdr(1.0, period=10, factor=0.8, warmup_steps=5)", 160),
    ("Presets", "warmup_inverse_sqrt", "warmup_inverse_sqrt(1.0, warmup_steps=10)", 200),
]


def markdown() -> str:
    """The gallery page: per section, each curve next to its expression."""
    lines = [
        "# Gallery",
        "",
        "Every lrjax primitive, combinator and preset, drawn by `python docs/gallery.py`.",
        "Each expression can be pasted into `lrjax.parse`, `lrjax show` or `lrjax plot`.",
    ]
    section = None
    for where, name, expression, _ in ENTRIES:
        if where != section:
            section = where
            lines += ["", f"## {section}", "", "| expression | curve |", "|---|---|"]
        lines.append(f"| `{expression}` | ![{name}](gallery/{name}.png) |")
    return "\n".join(lines) + "\n"


def render() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import lrjax

    IMAGES.mkdir(exist_ok=True)
    for _, name, expression, steps in ENTRIES:
        fig, ax = plt.subplots(figsize=(3.6, 2.0), layout="constrained")
        lrjax.plot({name: lrjax.parse(expression)}, steps, ax=ax)
        ax.get_legend().remove()
        ax.set_xlabel("step", fontsize=8)
        ax.set_ylabel("")
        ax.tick_params(labelsize=7)
        fig.savefig(IMAGES / f"{name}.png", dpi=80)
        plt.close(fig)
    listed = {f"{name}.png" for _, name, _, _ in ENTRIES}
    for old in IMAGES.glob("*.png"):
        if old.name not in listed:
            old.unlink()
    (HERE / "gallery.md").write_text(markdown())


if __name__ == "__main__":
    render()
    print(f"wrote {len(ENTRIES)} images to {IMAGES} and {HERE / 'gallery.md'}", file=sys.stderr)
