"""`lrjax.find_lr` against brute force: do its suggestions train as well as the best of a grid?

Two tasks, both adam, minibatches of 128 drawn per step from a fixed key (the
same batches for every run):

- ``spiral``: the demo's 5-class spirals (512 training points), MLP 2-32-32-5;
- ``digits``: scikit-learn's 8x8 digits (the first 1437 images for training, standardized), MLP 64-64-10.

For each task it trains full runs of ``STEPS`` steps at a log grid of rates
(4 per decade), once as a constant rate and once as the peak of
``lrjax.one_cycle``, and records the loss on the held-out split (spiral: the other 512
points; digits: the last 360 images) after the run.
Then it runs the range test (``RANGE_STEPS`` steps, 1e-6 to 10) and the
parallel scan (16 rates, 1e-7 to 10, ``PARALLEL_STEPS`` steps), trains a full
run at each suggestion, used as a constant rate and as a one-cycle peak, and
reports the final loss over the grid's best of the same kind. Cost: wall time
(compiles included) of the range test against one training run of the same
length, and of the parallel scan against N separate runs (one compile, N calls).

Run: ``python benchmarks/find_lr.py`` (a few minutes on 2 CPU cores). Prints
markdown tables and writes ``results/find_lr.json``.
"""

from __future__ import annotations

import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from _common import report

import lrjax
from lrjax._demo import cross_entropy, init_mlp, spirals
from lrjax._find_lr import _parallel_program, _range_program

STEPS = 1000
RANGE_STEPS = 200
PARALLEL_STEPS = 250
BATCH = 128
GRID = np.geomspace(1e-4, 1.0, 17)  # 4 per decade
#: How find_lr documents each range-test suggestion's use (LRFinderResult.peak and .constant).
DOCUMENTED = {"valley": "one-cycle peak", "steep": "constant"}


def spiral_task():
    x, y = spirals(jax.random.key(0), 1024, classes=5)
    return (x[:512], y[:512]), (x[512:], y[512:]), init_mlp(jax.random.key(1), (2, 32, 32, 5))


def digits_task():
    from sklearn.datasets import load_digits

    data = load_digits()
    x = (data.data - data.data.mean(0)) / (data.data.std(0) + 1e-6)
    x, y = jnp.asarray(x, jnp.float32), jnp.asarray(data.target)
    return (x[:1437], y[:1437]), (x[1437:], y[1437:]), init_mlp(jax.random.key(1), (64, 64, 10))


def batches_of(x, y):
    def batch(i):
        idx = jax.random.randint(jax.random.fold_in(jax.random.key(7), i), (BATCH,), 0, x.shape[0])
        return x[idx], y[idx]

    return batch


def loss_fn(params, batch):
    return cross_entropy(params, *batch)


def full_runs(train, test, params, make_schedule, steps=STEPS):
    """A jitted, vmapped function: an array of rates -> (held-out loss, training-set loss) after a full run at each."""
    batch = batches_of(*train)

    def one(lr):
        tx = lrjax.inject(optax.adam)(learning_rate=make_schedule(lr))

        def step(carry, i):
            params, state = carry
            grads = jax.grad(loss_fn)(params, batch(i))
            updates, state = tx.update(grads, state, params)
            return (optax.apply_updates(params, updates), state), None

        (final, _), _ = jax.lax.scan(step, (params, tx.init(params)), jnp.arange(steps))
        return cross_entropy(final, *test), cross_entropy(final, *train)

    return jax.jit(jax.vmap(one))


def timed(fn, *args):
    start = time.perf_counter()
    out = jax.block_until_ready(fn(*args))
    return out, time.perf_counter() - start


def task(name, train, test, params) -> dict:
    print(f"\n## {name}", flush=True)
    kinds = {
        "constant": lambda lr: lrjax.constant(lr),
        "one-cycle peak": lambda lr: lrjax.one_cycle(lr, steps=STEPS),
    }
    runs = {kind: full_runs(train, test, params, make) for kind, make in kinds.items()}
    grid, grid_train = {}, {}
    for kind, run in runs.items():
        held_out, train_loss = run(jnp.asarray(GRID, jnp.float32))
        grid[kind], grid_train[kind] = np.asarray(held_out), np.asarray(train_loss)
    best = {kind: float(np.nanmin(np.where(np.isfinite(g), g, np.nan))) for kind, g in grid.items()}
    best_lr = {kind: float(GRID[np.nanargmin(np.where(np.isfinite(g), g, np.nan))]) for kind, g in grid.items()}

    batch = batches_of(*train)
    r, range_s = timed(lambda: lrjax.find_lr(loss_fn, params, batch, steps=RANGE_STEPS, min_lr=1e-6, max_lr=10.0))
    p, parallel_s = timed(lambda: lrjax.find_lr(loss_fn, params, batch, steps=PARALLEL_STEPS, method="parallel"))
    minimum = r.suggestions["minimum"]
    suggestions = {
        "range: steep": r.suggestions["steep"],
        "range: valley": r.suggestions["valley"],
        "range: minimum": minimum,
        "range: minimum/10 (fastai)": None if minimum is None else minimum / 10,
        "parallel": p.suggestions["parallel"],
    }
    documented = {"range: " + rule: kind for rule, kind in DOCUMENTED.items()} | {"parallel": "constant"}
    given = {rule: lr for rule, lr in suggestions.items() if lr is not None}
    lrs = jnp.asarray(list(given.values()), jnp.float32)
    at = {kind: jax.tree.map(np.asarray, run(lrs)) for kind, run in runs.items()}
    rows = []
    for k, (rule, lr) in enumerate(given.items()):
        for kind in kinds:
            rows.append({"task": name, "rule": rule, "lr": lr, "used as": kind, "documented use": documented.get(rule) == kind,
                         "final loss": float(at[kind][0][k]), "grid best": best[kind], "grid best lr": best_lr[kind],
                         "ratio": float(at[kind][0][k]) / best[kind], "train loss": float(at[kind][1][k]),
                         "grid best train loss": float(np.nanmin(grid_train[kind]))})

    # Cost, end to end (compiles included): the finder against runs that each compile too.
    constant_run = lambda n: full_runs(train, test, params, lambda lr: lrjax.constant(lr), steps=n)  # noqa: E731
    one_lr = jnp.asarray([1e-3], jnp.float32)
    _, one_range_s = timed(constant_run(RANGE_STEPS), one_lr)
    single = constant_run(PARALLEL_STEPS)
    _, compile_and_one_s = timed(single, one_lr)
    _, one_s = timed(single, one_lr)
    n = len(p.lrs)
    # Execution only (second calls of compiled programs): the finder's own jitted programs, called again.
    range_exec = _range_program(loss_fn, lambda _, i: batch(i), optax.adam, {}, RANGE_STEPS)
    ramp = lrjax.exponential(1e-6, rate=1e7, steps=RANGE_STEPS - 1)
    args = (params, None, ramp, jnp.asarray(0.9), jnp.asarray(4.0))
    timed(range_exec, *args)
    parallel_exec = _parallel_program(loss_fn, lambda _, i: batch(i), optax.adam, {}, PARALLEL_STEPS)
    timed(parallel_exec, params, None, jnp.asarray(p.lrs))
    one_range = constant_run(RANGE_STEPS)
    timed(one_range, one_lr)
    exec_s = {name: min(timed(fn, *a)[1] for _ in range(5)) for name, (fn, a) in {
        "range": (range_exec, args), "one_range": (one_range, (one_lr,)),
        "parallel": (parallel_exec, (params, None, jnp.asarray(p.lrs))), "one_parallel": (single, (one_lr,))}.items()}
    cost = {"range_s": range_s, "one_run_s": one_range_s, "range_over_one_run": range_s / one_range_s,
            "parallel_s": parallel_s, "n": n, "n_runs_one_compile_s": compile_and_one_s + (n - 1) * one_s,
            "n_runs_n_compiles_s": n * compile_and_one_s,
            "exec_range_s": exec_s["range"], "exec_one_run_s": exec_s["one_range"],
            "exec_parallel_s": exec_s["parallel"], "exec_n_runs_s": n * exec_s["one_parallel"]}
    return {"rows": rows, "cost": cost, "grid": {k: g.tolist() for k, g in grid.items()}, "grid_lrs": GRID.tolist(),
            "range": {"suggestions": r.suggestions, "diverged_lr": None if r.diverged_at is None else float(r.lrs[r.diverged_at])},
            "parallel": {"suggestion": p.suggestions["parallel"], "lrs": p.lrs.tolist(), "final_losses": p.final_losses.tolist()}}


def main() -> None:
    results = {"steps": STEPS, "range_steps": RANGE_STEPS, "parallel_steps": PARALLEL_STEPS, "batch": BATCH, "tasks": {}}
    for name, make in (("spiral", spiral_task), ("digits", digits_task)):
        results["tasks"][name] = task(name, *make())
    print(f"\nFull runs: {STEPS} adam steps, batch {BATCH}; final loss = held-out loss after the run; ratio = final loss at the "
          "suggestion / best final loss of the grid (17 rates, 1e-4 to 1) used the same way. **Bold**: the documented use.\n")
    print("| task | rule | suggested lr | used as | held-out loss | grid best (at lr) | ratio | training loss (grid best) |")
    print("|---|---|---:|---|---:|---:|---:|---:|")
    for name, t in results["tasks"].items():
        for row in t["rows"]:
            ratio = f"{row['ratio']:.2f}x"
            ratio = f"**{ratio}**" if row["documented use"] else ratio
            print(f"| {name} | {row['rule']} | {row['lr']:.3g} | {row['used as']} | {row['final loss']:.4f} | "
                  f"{row['grid best']:.4f} ({row['grid best lr']:.3g}) | {ratio} | {row['train loss']:.2g} ({row['grid best train loss']:.2g}) |")
    print("\nCost, end to end (compiles included; each find_lr call compiles its program). N separate runs: one compiled "
          "function called N times (lr an argument), or N compiles (lr baked in, as with an optax closure).\n")
    print("| task | range test | one run, same length | ratio | parallel scan, N=16 | N runs, 1 compile | ratio | N runs, N compiles | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, t in results["tasks"].items():
        c = t["cost"]
        print(f"| {name} | {c['range_s']:.2f} s | {c['one_run_s']:.2f} s | {c['range_s'] / c['one_run_s']:.2f}x | {c['parallel_s']:.2f} s "
              f"| {c['n_runs_one_compile_s']:.2f} s | {c['parallel_s'] / c['n_runs_one_compile_s']:.2f}x "
              f"| {c['n_runs_n_compiles_s']:.2f} s | {c['parallel_s'] / c['n_runs_n_compiles_s']:.2f}x |")
    print("\nCost, execution only (best of 5 calls of the compiled programs):\n")
    print("| task | range test | one run, same length | ratio | parallel scan, N=16 | N x one run | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, t in results["tasks"].items():
        c = t["cost"]
        print(f"| {name} | {1e3 * c['exec_range_s']:.1f} ms | {1e3 * c['exec_one_run_s']:.1f} ms | {c['exec_range_s'] / c['exec_one_run_s']:.2f}x "
              f"| {1e3 * c['exec_parallel_s']:.1f} ms | {1e3 * c['exec_n_runs_s']:.1f} ms | {c['exec_parallel_s'] / c['exec_n_runs_s']:.2f}x |")
    report("find_lr", results)


if __name__ == "__main__":
    main()
