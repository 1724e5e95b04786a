"""Compile time, program size and evaluation speed: optax vs lrjax vs a hand-written bound.

For 10, 100 and 1000 pieces of three curves:

- sgdr: equal cosine cycles held at the end after the last one. optax
  ``sgdr_schedule`` (one warmup-cosine per cycle, joined) vs
  ``lrjax.cycle(cosine, period, limit=n)`` and ``lrjax.restart(..., mult=1)``, and a
  hand-written single ``jnp`` expression of the same curve as the bound;
- piecewise_constant: optax ``piecewise_constant_schedule`` vs ``lrjax.piecewise_constant``;
- join: optax ``join_schedules`` of n cosines vs ``lrjax.join``.

Each variant is first checked to give the same values as optax on the 1M
steps. Then it measures: trace + compile time of ``jit(vmap(schedule))`` over
1M int32 steps (best of 3, caches cleared), the number of ops in the lowered (StableHLO) program, and the
best time to evaluate the 1M steps, with the variants of one curve timed in
turns (the machines are shared and noisy: compare ratios within a row group,
not absolute times across runs). It prints a markdown table and writes
JSON next to this file (``results/compile_and_eval.json``).

Run: ``python benchmarks/compile_and_eval.py`` (about 6 minutes on 2 CPU cores).
"""

from __future__ import annotations

import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from _common import report

import lrjax

STEPS = 1_000_000
PIECES = (10, 100, 1000)
PEAK, END = 1.0, 0.01


def compile_one(schedule, t, repeats: int = 3) -> dict:
    """Best of ``repeats`` trace + compile times, from cleared caches each time."""
    times = []
    for _ in range(repeats):
        jax.clear_caches()

        def f(steps):
            return jax.vmap(schedule)(steps)

        start = time.perf_counter()
        lowered = jax.jit(f).lower(t)
        compiled = lowered.compile()
        times.append(time.perf_counter() - start)
    compile_s = min(times)
    ops = sum(1 for line in lowered.as_text().splitlines() if " = " in line)
    return {"compiled": compiled, "compile_s": compile_s, "hlo_ops": ops, "values": np.asarray(compiled(t))}


def time_side_by_side(results: dict, t, rounds: int = 15) -> None:
    """Best-of-``rounds`` evaluation time, the variants taking turns so that load affects all alike."""
    best = {name: float("inf") for name in results}
    for _ in range(rounds):
        for name, r in results.items():
            start = time.perf_counter()
            r["compiled"](t).block_until_ready()
            best[name] = min(best[name], time.perf_counter() - start)
    for name, r in results.items():
        r["eval_s"] = best[name]


def sgdr_variants(n: int) -> dict:
    period = STEPS // n
    cycle = dict(init_value=PEAK, peak_value=PEAK, warmup_steps=0, decay_steps=period, end_value=END)
    horizon = n * period

    def bound(t):
        # The same curve as one expression: the fastest anyone could write it.
        phase = (t % period).astype(jnp.float32) / period
        value = END + (PEAK - END) * 0.5 * (1 + jnp.cos(jnp.pi * phase))
        return jnp.where(t < horizon, value, END)

    return {
        "optax sgdr_schedule": optax.sgdr_schedule([cycle] * n),
        "lrjax cycle": lrjax.cycle(lrjax.cosine(PEAK, period, end=END), period, limit=n),
        "lrjax restart": lrjax.restart(lrjax.cosine(PEAK, period, end=END), period, mult=1.0, limit=n),
        "hand-written jnp": bound,
    }


def piecewise_variants(n: int) -> dict:
    boundaries = (np.arange(1, n + 1) * (STEPS // (n + 1))).tolist()
    scales = [0.995] * n
    values = np.cumprod([1.0] + scales).tolist()
    return {
        "optax piecewise_constant_schedule": optax.piecewise_constant_schedule(1.0, dict(zip(boundaries, scales))),
        "lrjax piecewise_constant": lrjax.piecewise_constant(boundaries, values),
    }


def join_variants(n: int) -> dict:
    length = STEPS // n
    peaks = np.linspace(1.0, 0.1, n).tolist()
    boundaries = (np.arange(1, n) * length).tolist()
    return {
        "optax join_schedules": optax.join_schedules(
            [optax.cosine_decay_schedule(p, length) for p in peaks], boundaries
        ),
        "lrjax join": lrjax.join([lrjax.cosine(p, length) for p in peaks], boundaries),
    }


def main() -> None:
    t = jnp.arange(STEPS, dtype=jnp.int32)
    rows = []
    for kind, variants in (("sgdr", sgdr_variants), ("piecewise_constant", piecewise_variants), ("join", join_variants)):
        for n in PIECES:
            results = {name: compile_one(schedule, t) for name, schedule in variants(n).items()}
            reference = next(iter(results.values()))["values"]
            time_side_by_side(results, t, rounds=15 if n < 1000 else 5)
            for name, m in results.items():
                max_diff = float(np.max(np.abs(m["values"] - reference)))
                assert max_diff <= 2e-6 * float(np.max(np.abs(reference))), (kind, n, name, max_diff)
                rows.append({"curve": kind, "pieces": n, "variant": name, "max_abs_diff_vs_optax": max_diff,
                             **{k: v for k, v in m.items() if k not in ("values", "compiled")}})
                print(f"  {kind:18s} {n:5d} {name:34s} compile {m['compile_s']:7.3f} s  "
                      f"ops {m['hlo_ops']:6d}  eval {m['eval_s'] * 1e3:8.2f} ms", flush=True)

    def row(kind, n, name):
        return next(r for r in rows if r["curve"] == kind and r["pieces"] == n and r["variant"] == name)

    print("\n| curve | pieces | variant | trace+compile (s) | HLO ops | eval 1M steps (ms) | compile: optax / this | eval: this / bound |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for r in rows:
        optax_row = next(x for x in rows if x["curve"] == r["curve"] and x["pieces"] == r["pieces"]
                         and x["variant"].startswith("optax"))
        r["compile_speedup_vs_optax"] = optax_row["compile_s"] / r["compile_s"]
        bound = row(r["curve"], r["pieces"], "hand-written jnp") if r["curve"] == "sgdr" else None
        r["eval_vs_bound"] = r["eval_s"] / bound["eval_s"] if bound else None
        ratio = f"{r['eval_vs_bound']:.2f}x" if bound else ""
        print(f"| {r['curve']} | {r['pieces']} | {r['variant']} | {r['compile_s']:.3f} | {r['hlo_ops']} | "
              f"{r['eval_s'] * 1e3:.2f} | {r['compile_speedup_vs_optax']:.3g}x | {ratio} |")

    report("compile_and_eval", {"steps": STEPS, "rows": rows})

if __name__ == "__main__":
    main()
