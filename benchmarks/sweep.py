"""A 64-configuration schedule sweep: one compile per configuration (optax) vs one for all (lrjax).

(a) optax: for each configuration an ``optax.adamw`` with its own
    ``warmup_cosine_decay_schedule`` and its own jitted step: the schedule is a
    closure, so every configuration compiles anew (optax issue #577).
(b) lrjax: ``grid`` + ``inject`` + ``stack``: the 64 schedules live in 64
    stacked optimizer states and one ``jit(vmap(step))`` trains them together.

(c) the limit: one compile plus the same batched run with the schedules
    replaced by a constant lr (``jit(vmap(init + train))`` of ``optax.adamw(1e-3)``).

(b) is timed three ways: as the README writes it, the init inside the one
jitted, vmapped run (``jax.jit(jax.vmap(lambda s, p: train(p, tx_for(s).init(p))))``,
as the limit does); with the stacked states built first by a jitted init
(``jax.jit(jax.vmap(lambda s: tx_for(s).init(params)))``); and eagerly
(``jax.vmap(init)``);
(b) and (c) run in turns, JAX's caches cleared before each, best of N with the
spread. The warm init alone (eager vs cached jitted) is timed too.

Both train the same MLP on the same data for the same number of steps, and the
final parameters are checked to agree. It reports compilations and total wall
time (compiles included), and separately the per-step cost of an
lrjax-scheduled step against the same step with a constant learning rate
(a larger MLP, steps timed in turns; ``train_step.py`` measures this per
schedule kind). It prints markdown tables and writes ``results/sweep.json``.

Run: ``python benchmarks/sweep.py`` (about 2 to 3 minutes on 2 CPU cores;
``--quick`` for fewer repetitions).
"""

from __future__ import annotations

import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from _common import best, interleaved, report

import lrjax

STEPS = 200
#: A small step, where compiling dominates: the ratio shrinks as the step's own compute grows
#: (both sides compute the same 64 x 200 steps; with a 32-64-10 MLP on 256 examples it was 7.4x).
SWEEP_MLP = (16, 32, 4)
PEAKS = [1e-3, 2e-3, 3e-3, 5e-3, 1e-2, 2e-2, 3e-2, 5e-2]
WARMUPS = [0, 5, 10, 20, 30, 50, 75, 100]


def init(key, sizes):
    keys = jax.random.split(key, len(sizes) - 1)
    return [(jax.random.normal(k, (m, n)) / jnp.sqrt(m), jnp.zeros(n)) for k, m, n in zip(keys, sizes[:-1], sizes[1:])]


def loss(params, x, y):
    for w, b in params[:-1]:
        x = jnp.tanh(x @ w + b)
    w, b = params[-1]
    return optax.softmax_cross_entropy_with_integer_labels(x @ w + b, y).mean()


def trainer(optimizer, x, y, counter):
    def run(params, state):
        counter.append(1)  # runs only while tracing

        def step(carry, _):
            params, state = carry
            grads = jax.grad(loss)(params, x, y)
            updates, state = optimizer.update(grads, state, params)
            return (optax.apply_updates(params, updates), state), None

        return jax.lax.scan(step, (params, state), length=STEPS)[0]

    return run


def sweep(rounds: int) -> dict:
    x = jax.random.normal(jax.random.key(0), (128, 16))
    y = jax.random.randint(jax.random.key(1), (128,), 0, 4)
    params = init(jax.random.key(2), SWEEP_MLP)
    configs = [(p, w) for p in PEAKS for w in WARMUPS]
    batched = jax.tree.map(lambda p: jnp.broadcast_to(p, (len(configs), *p.shape)), params)

    optax_compiles: list[int] = []
    jax.clear_caches()
    start = time.perf_counter()
    optax_params = []
    for peak, warm in configs:
        optimizer = optax.adamw(optax.warmup_cosine_decay_schedule(0.0, peak, warm, STEPS, end_value=0.01 * peak))
        run = jax.jit(trainer(optimizer, x, y, optax_compiles))
        optax_params.append(jax.block_until_ready(run(params, optimizer.init(params))[0]))
    optax_s = time.perf_counter() - start

    def make(peak, warm):
        return lrjax.warmup_cosine(peak, warmup_steps=warm, total_steps=STEPS, end=0.01 * peak)

    def tx_for(s):
        return lrjax.inject(optax.adamw)(learning_rate=s)

    compiles: dict = {"lrjax": [], "lrjax, jitted init": [], "lrjax, init in the sweep": [], "limit": []}
    phases: dict = {name: [] for name in compiles}
    out: dict = {}

    def lrjax_sweep(jitted_init: bool):
        name = "lrjax, jitted init" if jitted_init else "lrjax"

        def go():
            jax.clear_caches()
            t0 = time.perf_counter()
            schedules, _ = lrjax.grid(make, peak=PEAKS, warm=WARMUPS)
            t1 = time.perf_counter()
            build = jax.vmap(lambda s: tx_for(s).init(params))
            states = jax.block_until_ready((jax.jit(build) if jitted_init else build)(schedules))
            t2 = time.perf_counter()
            optimizer = tx_for(jax.tree.map(lambda leaf: leaf[0], schedules))
            run = jax.jit(jax.vmap(trainer(optimizer, x, y, compiles[name])))
            out[name] = jax.block_until_ready(run(batched, states)[0])
            t3 = time.perf_counter()
            phases[name].append({"grid_s": t1 - t0, "init_s": t2 - t1, "compile_and_run_s": t3 - t2})
            return t3 - t0
        return go

    def lrjax_one_jit():
        # The README pattern: the stacked states are built inside the one jitted, vmapped run.
        name = "lrjax, init in the sweep"
        jax.clear_caches()
        t0 = time.perf_counter()
        schedules, _ = lrjax.grid(make, peak=PEAKS, warm=WARMUPS)
        t1 = time.perf_counter()

        def train_one(schedule, p):
            optimizer = tx_for(schedule)
            return trainer(optimizer, x, y, compiles[name])(p, optimizer.init(p))

        out[name] = jax.block_until_ready(jax.jit(jax.vmap(train_one))(schedules, batched)[0])
        t2 = time.perf_counter()
        phases[name].append({"grid_s": t1 - t0, "compile_and_run_s": t2 - t1})
        return t2 - t0

    def limit():
        # The same batched training with the schedules replaced by a constant: one compile plus the batched run.
        jax.clear_caches()
        t0 = time.perf_counter()
        optimizer = optax.adamw(1e-3)
        train = trainer(optimizer, x, y, compiles["limit"])
        run = jax.jit(jax.vmap(lambda p: train(p, optimizer.init(p))))
        jax.block_until_ready(run(batched))
        elapsed = time.perf_counter() - t0
        phases["limit"].append({"compile_and_run_s": elapsed})
        return elapsed

    times = interleaved({"lrjax": lrjax_sweep(False), "lrjax, jitted init": lrjax_sweep(True),
                         "lrjax, init in the sweep": lrjax_one_jit, "limit": limit}, rounds)

    # Init alone, warm (second and later calls): eager vmapped init vs the cached jitted one.
    schedules, _ = lrjax.grid(make, peak=PEAKS, warm=WARMUPS)
    eager_init = jax.vmap(lambda s: tx_for(s).init(params))
    jitted_init = jax.jit(eager_init)
    jax.block_until_ready(jitted_init(schedules))
    init_times = interleaved({"eager vmap init": lambda: jax.block_until_ready(eager_init(schedules)) and None,
                              "jitted vmap init (cached)": lambda: jax.block_until_ready(jitted_init(schedules)) and None},
                             max(rounds, 5))

    for name in ("lrjax", "lrjax, jitted init", "lrjax, init in the sweep"):
        lrjax_params = out[name]
        for i, ours in enumerate(optax_params):
            for a, b in zip(jax.tree.leaves(ours), jax.tree.leaves(jax.tree.map(lambda p: p[i], lrjax_params))):
                np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-4)  # 200 adam steps; vmapped matmuls sum in another order
    return {"configs": len(configs), "steps": STEPS, "optax_compiles": len(optax_compiles), "optax_s": optax_s,
            "lrjax_compiles": len(compiles["lrjax, init in the sweep"]) // rounds, "lrjax_s": min(times["lrjax, init in the sweep"]),
            "times": {name: best(v) | {"all_s": v} for name, v in times.items()},
            "phases": phases, "init": {name: best(v) | {"all_s": v} for name, v in init_times.items()}}


def overhead(rounds: int = 25) -> dict:
    """Seconds per step of one training run: lrjax-scheduled vs constant learning rate, timed in turns."""
    x = jax.random.normal(jax.random.key(0), (128, 256))
    y = jax.random.randint(jax.random.key(1), (128,), 0, 10)
    params = init(jax.random.key(2), (256, 512, 512, 10))
    variants = {
        "optax.adamw(1e-3)": optax.adamw(1e-3),
        "lrjax.inject(adamw)(warmup_cosine)": lrjax.inject(optax.adamw)(learning_rate=lrjax.warmup_cosine(1e-3, warmup_steps=20, total_steps=STEPS)),
        "optax.adamw(lrjax.warmup_cosine)": optax.adamw(lrjax.warmup_cosine(1e-3, warmup_steps=20, total_steps=STEPS)),
        "optax.inject_hyperparams(adamw)(optax warmup_cosine)": optax.inject_hyperparams(optax.adamw)(
            learning_rate=optax.warmup_cosine_decay_schedule(0.0, 1e-3, 20, STEPS)
        ),
    }
    runs = {name: jax.jit(trainer(opt, x, y, [])) for name, opt in variants.items()}
    states = {name: opt.init(params) for name, opt in variants.items()}
    for name in runs:
        jax.block_until_ready(runs[name](params, states[name]))
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(rounds):
        for name, run in runs.items():
            start = time.perf_counter()
            jax.block_until_ready(run(params, states[name]))
            best[name] = min(best[name], (time.perf_counter() - start) / STEPS)
    return best


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    s = sweep(rounds=2 if args.quick else 5)
    o = overhead(rounds=5 if args.quick else 25)
    base = o["optax.adamw(1e-3)"]
    t = s["times"]
    limit = t["limit"]["best_s"]
    print(f"\n| sweep of 64 schedules, {STEPS} steps each (MLP {'-'.join(map(str, SWEEP_MLP))}) | compilations | "
          "wall time (s, best) | spread | **vs the limit** (target <= 1.5x) |")
    print("|---|---:|---:|---:|---:|")
    print(f"| optax: one jitted step per configuration (once) | {s['optax_compiles']} | {s['optax_s']:.2f} | | "
          f"{s['optax_s'] / limit:.1f}x |")
    for name, label in (("lrjax, init in the sweep", "lrjax: README pattern (`grid` + one `jit(vmap(init + train))`)"),
                        ("lrjax, jitted init", "lrjax: `grid` + `jax.jit(jax.vmap(init))` + one `jit(vmap(train))`"),
                        ("lrjax", "lrjax: `grid` + eager `jax.vmap(init)` + one `jit(vmap(train))`"),
                        ("limit", "the limit: one compile + the batched run with a constant lr")):
        print(f"| {label} | 1 | {t[name]['best_s']:.2f} | {t[name]['spread']:.2f} | **{t[name]['best_s'] / limit:.2f}x** |")
    for name in ("lrjax, init in the sweep", "lrjax, jitted init", "lrjax"):
        ph = min(s["phases"][name], key=lambda p: sum(p.values()))
        print(f"  {name}: " + ", ".join(f"{k[:-2]} {v:.3f} s" for k, v in ph.items()))
    i = s["init"]
    e, j = i["eager vmap init"]["best_s"], i["jitted vmap init (cached)"]["best_s"]
    print("\n| stacked init of 64 states | time (ms, best) | spread |\n|---|---:|---:|")
    print(f"| eager `jax.vmap(init)` | {e * 1e3:.1f} | {i['eager vmap init']['spread']:.2f} |")
    print(f"| `jax.jit(jax.vmap(init))`, cached | {j * 1e3:.2f} | {i['jitted vmap init (cached)']['spread']:.2f} |")
    print(f"eager / jitted: {e / j:.0f}x; first jitted call (compile included) in the sweep: "
          f"{min(p['init_s'] for p in s['phases']['lrjax, jitted init']):.3f} s")
    print(f"\nlrjax sweep: {s['optax_s'] / s['lrjax_s']:.1f}x less wall time than optax, {s['optax_compiles']} -> 1 compilations")
    print("\n| one training step (MLP 256-512-512-10, batch 128) | time per step (ms) | vs constant lr |")
    print("|---|---:|---:|")
    for name, v in o.items():
        print(f"| {name} | {v * 1e3:.3f} | {100 * (v / base - 1):+.1f}% |")
    report("sweep", {"sweep": s, "seconds_per_step": o})


if __name__ == "__main__":
    main()
