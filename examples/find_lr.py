"""`lrjax.find_lr` on the demo's spiral task: the range test and the parallel scan, side by side.

Run from the repository root (needs matplotlib, the ``plot`` extra):

    python examples/find_lr.py              # writes docs/find_lr.png

An MLP (2-32-32-5) on 512 spiral points, adam, minibatches of 128 drawn per
step from a fixed key. It prints the suggestions and the schedules built from them.
"""

from __future__ import annotations

import pathlib
import sys

import jax
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import lrjax  # noqa: E402
from lrjax._demo import cross_entropy, init_mlp, spirals  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[1] / "docs" / "find_lr.png"


def main(out: pathlib.Path = OUT) -> None:
    x, y = spirals(jax.random.key(0), 1024, classes=5)
    x, y = x[:512], y[:512]
    params = init_mlp(jax.random.key(1), (2, 32, 32, 5))

    def batch(i):
        idx = jax.random.randint(jax.random.fold_in(jax.random.key(7), i), (128,), 0, 512)
        return x[idx], y[idx]

    def loss_fn(params, batch):
        return cross_entropy(params, *batch)

    ramp = lrjax.find_lr(loss_fn, params, batch, steps=200, min_lr=1e-6, max_lr=10.0)
    scan = lrjax.find_lr(loss_fn, params, batch, steps=250, method="parallel")
    print("range test:", {k: f"{v:.3g}" for k, v in ramp.suggestions.items()},
          "diverged from", None if ramp.diverged_at is None else f"{ramp.lrs[ramp.diverged_at]:.3g}")
    print("parallel scan:", {k: f"{v:.3g}" for k, v in scan.suggestions.items()})
    print("one-cycle at the range test's peak:", ramp.to_one_cycle(1000))
    print("constant at the parallel scan's rate:", scan.to_constant())

    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.5))
    ramp.plot(ax=left)
    left.set(title="range test: 200 steps, lr 1e-6 -> 10", ylim=(1.3, 2.2))
    scan.plot(ax=right)
    right.set(title="parallel scan: 16 constant rates x 250 steps, one compile", yscale="log")
    fig.tight_layout()
    out.parent.mkdir(exist_ok=True)
    fig.savefig(out, dpi=100)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
