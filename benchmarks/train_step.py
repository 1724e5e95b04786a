"""Train-step cost of a schedule kept in optimizer state: lrjax.inject vs optax.inject_hyperparams vs a constant lr.

A realistic step: ``optax.adamw``, an MLP 784-256-256-10, a batch of 128
synthetic examples. For each schedule kind (sgdr with mult=2, restart of a
cosine with mult=1.5, cycle, warmup_cosine, one_cycle, wsd, a join of 3,
piecewise_constant with 100 boundaries) it builds the step with the schedule
in ``lrjax.inject(optax.adamw)`` state and with the equivalent optax schedule
in ``optax.inject_hyperparams(optax.adamw)`` state (where optax has no such
schedule, the table says what stands in), and compares against a constant lr
(``optax.adamw(1e-3)``, and the constant injected by each library).

- compile: trace + lower + compile of the jitted step, JAX's caches cleared
  before each, variants in turns (round-robin), best of N and spread max/min;
- per step: ``STEPS`` steps of the compiled step per repetition (a Python loop,
  as a training loop runs it), variants in turns, best of N; overhead vs the
  constant lr in %, and the median of the per-round paired ratios;
  the same from the process's CPU time (all threads), which a busy machine's
  preemption disturbs less than wall time;
- the size of the lowered step and of the schedule alone with traced leaves.

Prints markdown tables of ratios and writes ``results/train_step.json``.

Run: ``python benchmarks/train_step.py`` (about 5 minutes on 2 CPU cores;
``--quick`` for fewer repetitions).
"""

from __future__ import annotations

import argparse
import statistics
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from _common import best, interleaved, ops, report

import lrjax

PEAK = 1e-3
HORIZON = 10_000
SIZES = (784, 256, 256, 10)
BATCH = 128


def kinds() -> dict:
    """name -> (lrjax schedule, optax schedule, what the optax side is)."""
    sgdr2 = [1000 * 2**i for i in range(4)]  # 15000 >= HORIZON
    r15 = []
    while sum(r15) < HORIZON:
        r15.append(round(1000 * 1.5 ** len(r15)))

    def cosines(lengths):
        return optax.sgdr_schedule([dict(init_value=PEAK, peak_value=PEAK, warmup_steps=0, decay_steps=n, end_value=0.0)
                                    for n in lengths])

    pc_bounds = (np.arange(1, 101) * (HORIZON // 101)).tolist()
    pc_values = (PEAK * 0.97 ** np.arange(101)).tolist()
    return {
        "sgdr (mult=2)": (lrjax.sgdr(PEAK, period=1000, mult=2.0), cosines(sgdr2),
                          f"sgdr_schedule of {len(sgdr2)} cycles"),
        "restart(cosine, mult=1.5)": (lrjax.restart(lrjax.cosine(PEAK, steps=1000), period=1000, mult=1.5), cosines(r15),
                                      f"sgdr_schedule of {len(r15)} cycles (rounded lengths)"),
        "cycle(cosine)": (lrjax.cycle(lrjax.cosine(PEAK, steps=1000), period=1000), cosines([1000] * 10),
                          "sgdr_schedule of 10 cycles"),
        "warmup_cosine": (lrjax.warmup_cosine(PEAK, warmup_steps=500, total_steps=HORIZON),
                          optax.warmup_cosine_decay_schedule(0.0, PEAK, 500, HORIZON), "warmup_cosine_decay_schedule"),
        "one_cycle": (lrjax.one_cycle(PEAK, steps=HORIZON), optax.cosine_onecycle_schedule(HORIZON, PEAK),
                      "cosine_onecycle_schedule"),
        "wsd": (lrjax.wsd(PEAK, warmup_steps=500, stable_steps=7500, decay_steps=2000),
                optax.join_schedules([optax.linear_schedule(0.0, PEAK, 500), optax.constant_schedule(PEAK),
                                      optax.linear_schedule(PEAK, 0.0, 2000)], [500, 8000]),
                "join_schedules(linear, constant, linear)"),
        "join of 3": (lrjax.join([lrjax.linear(0.0, PEAK, steps=500), lrjax.cosine(PEAK, 1e-5, steps=7500),
                                  lrjax.linear(1e-5, 0.0, steps=2000)], boundaries=[500, 8000]),
                      optax.join_schedules([optax.linear_schedule(0.0, PEAK, 500),
                                            optax.cosine_decay_schedule(PEAK, 7500, alpha=1e-5 / PEAK),
                                            optax.linear_schedule(1e-5, 0.0, 2000)], [500, 8000]),
                      "join_schedules of 3"),
        "piecewise_constant(100)": (lrjax.piecewise_constant(pc_values, boundaries=pc_bounds),
                                    optax.piecewise_constant_schedule(PEAK, dict.fromkeys(pc_bounds, 0.97)),
                                    "piecewise_constant_schedule(100)"),
    }


def mlp():
    keys = jax.random.split(jax.random.key(0), len(SIZES))
    params = [(jax.random.normal(k, (m, n)) / jnp.sqrt(m), jnp.zeros(n)) for k, m, n in zip(keys, SIZES[:-1], SIZES[1:])]
    x = jax.random.normal(keys[-1], (BATCH, SIZES[0]))
    y = jax.random.randint(jax.random.key(1), (BATCH,), 0, SIZES[-1])
    return params, x, y


def loss(params, x, y):
    for w, b in params[:-1]:
        x = jax.nn.relu(x @ w + b)
    w, b = params[-1]
    return optax.softmax_cross_entropy_with_integer_labels(x @ w + b, y).mean()


def make_step(tx):
    def step(params, state, x, y):
        grads = jax.grad(loss)(params, x, y)
        updates, state = tx.update(grads, state, params)
        return optax.apply_updates(params, updates), state
    return step


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--steps", type=int, default=50, help="steps per repetition (short bursts: the best of many is robust to preemption)")
    ap.add_argument("--rounds", type=int, default=40, help="repetitions of the per-step timing")
    args = ap.parse_args()
    compile_rounds, step_rounds, steps = (2, 5, 50) if args.quick else (5, args.rounds, args.steps)

    params, x, y = mlp()
    txs = {"constant: optax.adamw(1e-3)": optax.adamw(PEAK),
           "constant: lrjax.inject": lrjax.inject(optax.adamw)(learning_rate=PEAK),
           "constant: optax.inject_hyperparams": optax.inject_hyperparams(optax.adamw)(learning_rate=PEAK)}
    table = kinds()
    for name, (ours, theirs, _) in table.items():
        txs[f"lrjax: {name}"] = lrjax.inject(optax.adamw)(learning_rate=ours)
        txs[f"optax: {name}"] = optax.inject_hyperparams(optax.adamw)(learning_rate=theirs)
    states = {name: tx.init(params) for name, tx in txs.items()}

    # (a) compile time, caches cleared before each, in turns.
    compiled, sizes = {}, {}

    def compile_fn(name):
        def run():
            jax.clear_caches()
            start = time.perf_counter()
            lowered = jax.jit(make_step(txs[name])).lower(params, states[name], x, y)
            compiled[name] = lowered.compile()
            elapsed = time.perf_counter() - start
            sizes[name] = ops(lowered)
            return elapsed
        return run

    print(f"compiling {len(txs)} variants x {compile_rounds} rounds ...", flush=True)
    compile_times = interleaved({name: compile_fn(name) for name in txs}, compile_rounds)

    # Schedule alone, leaves traced (as in the state).
    schedule_ops = {}
    for name, (ours, theirs, _) in table.items():
        t = jnp.zeros((), jnp.int32)
        schedule_ops[name] = {"lrjax_traced": ops(jax.jit(lambda s, t: s(t)).lower(ours, t)),
                              "lrjax_closed": ops(jax.jit(lambda t, s=ours: s(t)).lower(t)),
                              "optax_closed": ops(jax.jit(lambda t, s=theirs: s(t)).lower(t))}

    # (b) per-step time: steps of the compiled step per repetition, in turns.
    def run_fn(name):
        fn = compiled[name]
        def run():
            p, s = params, states[name]
            p, s = fn(p, s, x, y)  # warm
            jax.block_until_ready(p)
            p, s = params, states[name]
            start, cpu = time.perf_counter(), time.process_time()
            for _ in range(steps):
                p, s = fn(p, s, x, y)
            jax.block_until_ready((p, s))
            cpu_times[name].append((time.process_time() - cpu) / steps)
            return (time.perf_counter() - start) / steps
        return run

    cpu_times = {name: [] for name in txs}
    print(f"timing {steps} steps x {step_rounds} rounds ...", flush=True)
    step_times = interleaved({name: run_fn(name) for name in txs}, step_rounds)

    base = "constant: optax.adamw(1e-3)"
    rows = {}
    for name in txs:
        c, s = best(compile_times[name]), best(step_times[name])
        paired = [a / b - 1 for a, b in zip(step_times[name], step_times[base])]
        rows[name] = {"compile": c, "step": s, "ops": sizes[name],
                      "overhead_vs_constant": s["best_s"] / best(step_times[base])["best_s"] - 1,
                      "overhead_paired_median": statistics.median(paired),
                      "cpu_step": best(cpu_times[name]),
                      "cpu_overhead_vs_constant": min(cpu_times[name]) / min(cpu_times[base]) - 1,
                      "compile_times": compile_times[name], "step_times": step_times[name]}

    b = rows[base]
    print(f"\nConstant lr (optax.adamw(1e-3)): compile {b['compile']['best_s']:.3f} s (spread {b['compile']['spread']:.2f}), "
          f"step {b['step']['best_s'] * 1e3:.3f} ms (spread {b['step']['spread']:.2f}), {b['ops']['ops']} ops")
    for name in ("constant: lrjax.inject", "constant: optax.inject_hyperparams"):
        r = rows[name]
        print(f"{name}: compile {r['compile']['best_s']:.3f} s, step overhead {100 * r['overhead_vs_constant']:+.1f}% "
              f"(paired median {100 * r['overhead_paired_median']:+.1f}%, process CPU time {100 * r['cpu_overhead_vs_constant']:+.1f}%), "
              f"{r['ops']['ops']} ops")

    print("\n| schedule in state | optax side | compile lrjax (s) | compile optax (s) | **compile lrjax/optax** (target <= 1.2x) "
          "| spread lrjax / optax | step ops lrjax / optax | schedule ops traced (cond) | closed lrjax / optax |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    summary = []
    for name, (_, _, what) in table.items():
        ours, theirs = rows[f"lrjax: {name}"], rows[f"optax: {name}"]
        ratio = ours["compile"]["best_s"] / theirs["compile"]["best_s"]
        so = schedule_ops[name]
        print(f"| {name} | {what} | {ours['compile']['best_s']:.3f} | {theirs['compile']['best_s']:.3f} | **{ratio:.2f}x** | "
              f"{ours['compile']['spread']:.2f} / {theirs['compile']['spread']:.2f} | {ours['ops']['ops']} / {theirs['ops']['ops']} | "
              f"{so['lrjax_traced']['ops']} ({so['lrjax_traced']['conditionals']}) | "
              f"{so['lrjax_closed']['ops']} / {so['optax_closed']['ops']} |")
        summary.append({"kind": name, "compile_lrjax_s": ours["compile"]["best_s"],
                        "compile_optax_s": theirs["compile"]["best_s"], "optax_side": what, "compile_ratio": ratio,
                        "overhead_lrjax": ours["overhead_vs_constant"], "overhead_optax": theirs["overhead_vs_constant"],
                        "overhead_lrjax_paired_median": ours["overhead_paired_median"],
                        "overhead_optax_paired_median": theirs["overhead_paired_median"],
                        "schedule_ops": so})

    print(f"\n| schedule in state ({steps} steps x best of {step_rounds}) | step lrjax (ms) | step optax (ms) | "
          "**overhead lrjax** (target <= 2%) | overhead optax | paired median lrjax / optax | spread lrjax / optax | "
          "CPU-time overhead lrjax / optax |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in table:
        ours, theirs = rows[f"lrjax: {name}"], rows[f"optax: {name}"]
        print(f"| {name} | {ours['step']['best_s'] * 1e3:.3f} | {theirs['step']['best_s'] * 1e3:.3f} | "
              f"**{100 * ours['overhead_vs_constant']:+.1f}%** | {100 * theirs['overhead_vs_constant']:+.1f}% | "
              f"{100 * ours['overhead_paired_median']:+.1f}% / {100 * theirs['overhead_paired_median']:+.1f}% | "
              f"{ours['step']['spread']:.2f} / {theirs['step']['spread']:.2f} | "
              f"{100 * ours['cpu_overhead_vs_constant']:+.1f}% / {100 * theirs['cpu_overhead_vs_constant']:+.1f}% |")

    report("train_step", {"horizon": HORIZON, "mlp": SIZES, "batch": BATCH, "steps_per_repetition": steps,
                          "compile_rounds": compile_rounds, "step_rounds": step_rounds,
                          "variants": rows, "summary": summary})


if __name__ == "__main__":
    main()
