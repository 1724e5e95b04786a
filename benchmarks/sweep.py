"""A 64-configuration schedule sweep: one compile per configuration (optax) vs one for all (lrjax).

(a) optax: for each configuration an ``optax.adamw`` with its own
    ``warmup_cosine_decay_schedule`` and its own jitted step: the schedule is a
    closure, so every configuration compiles anew (optax issue #577).
(b) lrjax: ``grid`` + ``inject`` + ``stack``: the 64 schedules live in 64
    stacked optimizer states and one ``jit(vmap(step))`` trains them together.

Both train the same MLP on the same data for the same number of steps, and the
final parameters are checked to agree. It reports compilations and total wall
time (compiles included), and separately the per-step cost of an
lrjax-scheduled step against the same step with a constant learning rate
(a larger MLP, steps timed in turns). It prints a markdown table and writes
``results/sweep.json``.

Run: ``python benchmarks/sweep.py`` (about a minute and a half on 2 CPU cores).
"""

from __future__ import annotations

import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from _common import report

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


def sweep() -> dict:
    x = jax.random.normal(jax.random.key(0), (128, 16))
    y = jax.random.randint(jax.random.key(1), (128,), 0, 4)
    params = init(jax.random.key(2), SWEEP_MLP)
    configs = [(p, w) for p in PEAKS for w in WARMUPS]

    optax_compiles: list[int] = []
    start = time.perf_counter()
    optax_params = []
    for peak, warm in configs:
        optimizer = optax.adamw(optax.warmup_cosine_decay_schedule(0.0, peak, warm, STEPS, end_value=0.01 * peak))
        run = jax.jit(trainer(optimizer, x, y, optax_compiles))
        optax_params.append(jax.block_until_ready(run(params, optimizer.init(params))[0]))
    optax_s = time.perf_counter() - start

    lrjax_compiles: list[int] = []
    start = time.perf_counter()
    schedules, _ = lrjax.grid(lambda peak, warm: lrjax.warmup_cosine(peak, warm, STEPS, end=0.01 * peak), peak=PEAKS, warm=WARMUPS)
    states = jax.vmap(lambda s: lrjax.inject(optax.adamw)(learning_rate=s).init(params))(schedules)
    optimizer = lrjax.inject(optax.adamw)(learning_rate=jax.tree.map(lambda leaf: leaf[0], schedules))
    batched = jax.tree.map(lambda p: jnp.broadcast_to(p, (len(configs), *p.shape)), params)
    run = jax.jit(jax.vmap(trainer(optimizer, x, y, lrjax_compiles)))
    lrjax_params = jax.block_until_ready(run(batched, states)[0])
    lrjax_s = time.perf_counter() - start

    for i, ours in enumerate(optax_params):
        for a, b in zip(jax.tree.leaves(ours), jax.tree.leaves(jax.tree.map(lambda p: p[i], lrjax_params))):
            np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-4)  # 200 adam steps; vmapped matmuls sum in another order
    return {"configs": len(configs), "steps": STEPS, "optax_compiles": len(optax_compiles), "optax_s": optax_s,
            "lrjax_compiles": len(lrjax_compiles), "lrjax_s": lrjax_s}


def overhead(rounds: int = 25) -> dict:
    """Seconds per step of one training run: lrjax-scheduled vs constant learning rate, timed in turns."""
    x = jax.random.normal(jax.random.key(0), (128, 256))
    y = jax.random.randint(jax.random.key(1), (128,), 0, 10)
    params = init(jax.random.key(2), (256, 512, 512, 10))
    variants = {
        "optax.adamw(1e-3)": optax.adamw(1e-3),
        "lrjax.inject(adamw)(warmup_cosine)": lrjax.inject(optax.adamw)(learning_rate=lrjax.warmup_cosine(1e-3, 20, STEPS)),
        "optax.adamw(lrjax.warmup_cosine)": optax.adamw(lrjax.warmup_cosine(1e-3, 20, STEPS)),
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
    s = sweep()
    o = overhead()
    base = o["optax.adamw(1e-3)"]
    print(f"\n| sweep of 64 schedules, {STEPS} steps each (MLP {'-'.join(map(str, SWEEP_MLP))}) | compilations | wall time (s) |")
    print("|---|---:|---:|")
    print(f"| optax: one jitted step per configuration | {s['optax_compiles']} | {s['optax_s']:.2f} |")
    print(f"| lrjax: inject + stack + vmap | {s['lrjax_compiles']} | {s['lrjax_s']:.2f} |")
    print(f"\nlrjax sweep: {s['optax_s'] / s['lrjax_s']:.1f}x less wall time, {s['optax_compiles']} -> {s['lrjax_compiles']} compilations")
    print("\n| one training step (MLP 256-512-512-10, batch 128) | time per step (ms) | vs constant lr |")
    print("|---|---:|---:|")
    for name, t in o.items():
        print(f"| {name} | {t * 1e3:.3f} | {100 * (t / base - 1):+.1f}% |")
    report("sweep", {"sweep": s, "seconds_per_step": o})

if __name__ == "__main__":
    main()
