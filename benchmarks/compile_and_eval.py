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
1M int32 steps (caches cleared before each, the variants of a group in turns,
best of 3, or of 2 at 1000 pieces where optax compiles once), the number of
ops in the lowered (StableHLO) program, and the best time to evaluate the 1M
steps, the variants timed in turns. ``join`` at 10 and 100 pieces is also
measured with the schedule passed as an ARGUMENT (leaves traced, as in
optimizer state).

Issue 11 adds:

- traced-leaf evaluation over 1e7 steps: ``jit(lambda s, t: s(t))`` with the
  schedule as an argument, and ``lrjax.values`` end to end, for cosine,
  warmup_cosine, one_cycle and sgdr (mult=2), against a hand-written ``jnp``
  expression of the same curve whose parameters are arguments too (and the
  schedule closed over, for reference);
- 1000 equal cosine cycles BUILT INSIDE the traced function (``lrjax.sgdr``
  with mult=1, ``lrjax.cycle``, ``lrjax.restart``), caches cleared: compile
  time against optax's ``sgdr_schedule`` of 1000 cycles (built inside too,
  compiled once) and against the hand-written expression.

The machines are shared and noisy: compare ratios within a row group, not
absolute times across runs. It prints markdown tables of ratios and writes
JSON next to this file (``results/compile_and_eval.json``).

Run: ``python benchmarks/compile_and_eval.py`` (about 7 minutes on 2 CPU
cores; ``--quick`` for 10 and 100 pieces and fewer repetitions, ``--skip
pieces traced inside`` to leave out sections; ``STEPS`` and ``EVAL_STEPS`` in
the environment change the numbers of steps).
"""

from __future__ import annotations

import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from _common import ops, report

import lrjax

STEPS = int(__import__("os").environ.get("STEPS", 1_000_000))
PIECES = (10, 100, 1000)
PEAK, END = 1.0, 0.01


class Argument:
    """A schedule passed to the jitted function as an argument (its leaves traced), not closed over."""

    def __init__(self, schedule):
        self.schedule = schedule


class Inside:
    """A schedule built inside the traced function by ``make()`` (as ``optax.adamw(lrjax.sgdr(...))`` in a jitted step)."""

    def __init__(self, make):
        self.make = make


def lower(variant, t, vmapped: bool = True):
    apply = (lambda s, steps: jax.vmap(s)(steps)) if vmapped else (lambda s, steps: s(steps))
    if isinstance(variant, Argument):
        return jax.jit(apply).lower(variant.schedule, t)
    if isinstance(variant, Inside):
        return jax.jit(lambda steps: apply(variant.make(), steps)).lower(t)
    return jax.jit(lambda steps: apply(variant, steps)).lower(t)


def compile_group(variants: dict, t, repeats: int = 3, vmapped: bool = True, only_once=()) -> dict:
    """Trace + compile times from cleared caches, the variants in turns, best of ``repeats``; values and op counts.

    Variants named in ``only_once`` compile in the first round only (optax's 1000 pieces take seconds).
    """
    results = {name: {"times": []} for name in variants}
    for round_ in range(repeats):
        for name, variant in variants.items():
            if round_ and name in only_once:
                continue
            jax.clear_caches()
            start = time.perf_counter()
            lowered = lower(variant, t, vmapped)
            compiled = lowered.compile()
            results[name]["times"].append(time.perf_counter() - start)
            results[name]["compiled"] = compiled
            results[name]["lowered"] = lowered
    for name, variant in variants.items():
        r = results[name]
        r["compile_s"], r["compile_spread"] = min(r["times"]), max(r["times"]) / min(r["times"])
        r["hlo_ops"] = ops(r.pop("lowered"))["ops"]
        r["args"] = (variant.schedule, t) if isinstance(variant, Argument) else (t,)
        r["values"] = np.asarray(r["compiled"](*r["args"]))
    return results


def compile_one(schedule, t, repeats: int = 3) -> dict:
    return compile_group({"one": schedule}, t, repeats)["one"]


def time_side_by_side(results: dict, t, rounds: int = 15) -> None:
    """Best-of-``rounds`` evaluation time, the variants taking turns so that load affects all alike."""
    best = {name: float("inf") for name in results}
    worst = {name: 0.0 for name in results}
    for _ in range(rounds):
        for name, r in results.items():
            start = time.perf_counter()
            jax.block_until_ready(r["compiled"](*r.get("args", (t,))))
            elapsed = time.perf_counter() - start
            best[name], worst[name] = min(best[name], elapsed), max(worst[name], elapsed)
    for name, r in results.items():
        r["eval_s"], r["eval_spread"] = best[name], worst[name] / best[name]


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
        "lrjax cycle": lrjax.cycle(lrjax.cosine(PEAK, END, steps=period), period=period, limit=n),
        "lrjax restart": lrjax.restart(lrjax.cosine(PEAK, END, steps=period), period=period, mult=1.0, limit=n),
        "hand-written jnp": bound,
    }


def piecewise_variants(n: int) -> dict:
    boundaries = (np.arange(1, n + 1) * (STEPS // (n + 1))).tolist()
    scales = [0.995] * n
    values = np.cumprod([1.0] + scales).tolist()
    return {
        "optax piecewise_constant_schedule": optax.piecewise_constant_schedule(1.0, dict(zip(boundaries, scales))),
        "lrjax piecewise_constant": lrjax.piecewise_constant(values, boundaries=boundaries),
    }


def join_variants(n: int) -> dict:
    length = STEPS // n
    peaks = np.linspace(1.0, 0.1, n).tolist()
    boundaries = (np.arange(1, n) * length).tolist()
    return {
        "optax join_schedules": optax.join_schedules(
            [optax.cosine_decay_schedule(p, length) for p in peaks], boundaries
        ),
        "lrjax join": lrjax.join([lrjax.cosine(p, steps=length) for p in peaks], boundaries=boundaries),
        **({"lrjax join (argument)": Argument(lrjax.join([lrjax.cosine(p, steps=length) for p in peaks], boundaries=boundaries))}
           if n <= 100 else {}),
    }


EVAL_STEPS = int(__import__("os").environ.get("EVAL_STEPS", 10_000_000))


def traced_variants() -> dict:
    """curve -> (lrjax schedule, hand-written f(params, t), its params): both evaluated with their parameters traced."""
    n = EVAL_STEPS
    pi = jnp.pi

    def cosine(p, t):
        frac = jnp.minimum(t, p["steps"]).astype(jnp.float32) / p["steps"]
        return p["peak"] * 0.5 * (1 + jnp.cos(pi * frac))

    def warmup_cosine(p, t):
        tf = t.astype(jnp.float32)
        frac = jnp.clip((tf - p["warmup"]) / (p["total"] - p["warmup"]), 0.0, 1.0)
        return jnp.where(tf < p["warmup"], p["peak"] * tf / p["warmup"], p["peak"] * 0.5 * (1 + jnp.cos(pi * frac)))

    def one_cycle(p, t):  # pct_start 0.3, div 25, final_div 1e4, cosine shape (torch OneCycleLR)
        tf = t.astype(jnp.float32)
        low = p["peak"] / 25.0
        rise = 0.3 * p["steps"]
        up = jnp.clip(tf / rise, 0.0, 1.0)
        down = jnp.clip((tf - rise) / (p["steps"] - rise), 0.0, 1.0)
        first = p["peak"] + (low - p["peak"]) * 0.5 * (1 + jnp.cos(pi * up))
        second = low / 1e4 + (p["peak"] - low / 1e4) * 0.5 * (1 + jnp.cos(pi * down))
        return jnp.where(tf < rise, first, second)

    def sgdr(p, t):  # mult = 2: cycle i = floor(log2(t / period + 1)), in floats (misrounds at some restarts)
        tf = t.astype(jnp.float32)
        i = jnp.floor(jnp.log2(tf / p["period"] + 1))
        length = p["period"] * 2**i
        frac = (tf - (length - p["period"])) / length
        return p["peak"] * 0.5 * (1 + jnp.cos(pi * frac))

    f32 = lambda **kw: {k: jnp.float32(v) for k, v in kw.items()}  # noqa: E731
    return {
        "cosine": (lrjax.cosine(PEAK, steps=n), cosine, f32(peak=PEAK, steps=n)),
        "warmup_cosine": (lrjax.warmup_cosine(PEAK, warmup_steps=n // 100, total_steps=n), warmup_cosine,
                          f32(peak=PEAK, warmup=n // 100, total=n)),
        "one_cycle": (lrjax.one_cycle(PEAK, steps=n), one_cycle, f32(peak=PEAK, steps=n)),
        "sgdr (mult=2)": (lrjax.sgdr(PEAK, period=10_000, mult=2.0), sgdr, f32(peak=PEAK, period=10_000)),
    }


def traced_eval(rounds: int) -> list:
    """``lrjax.values``-style evaluation over 1e7 steps, leaves traced, against the hand-written expression."""
    t = jnp.arange(EVAL_STEPS, dtype=jnp.int32)
    rows = []
    for curve, (schedule, hand, params) in traced_variants().items():
        funcs = {
            "lrjax, schedule as argument": (jax.jit(lambda s, steps: s(steps)), (schedule, t)),
            "lrjax.values(s, n) (end to end)": (lambda: lrjax.values(schedule, EVAL_STEPS - 1), ()),
            "lrjax, closed over": (jax.jit(lambda steps, s=schedule: s(steps)), (t,)),
            "hand-written jnp, parameters as argument": (jax.jit(hand), (params, t)),
        }
        results = {}
        for name, (fn, args) in funcs.items():
            start = time.perf_counter()
            values = np.asarray(fn(*args))
            results[name] = {"first_call_s": time.perf_counter() - start, "fn": fn, "args": args, "values": values}
        reference = results["hand-written jnp, parameters as argument"]["values"]
        for name, r in results.items():
            diff = np.abs(r["values"] - reference)
            r["max_abs_diff_vs_hand"] = float(diff.max())
            r["steps_differing_by_1e-3_peak"] = int((diff > 1e-3 * PEAK).sum())
        best = dict.fromkeys(results, float("inf"))
        worst = dict.fromkeys(results, 0.0)
        for _ in range(rounds):
            for name, r in results.items():
                start = time.perf_counter()
                jax.block_until_ready(r["fn"](*r["args"]))
                elapsed = time.perf_counter() - start
                best[name], worst[name] = min(best[name], elapsed), max(worst[name], elapsed)
        bound = best["hand-written jnp, parameters as argument"]
        for name, r in results.items():
            rows.append({"curve": curve, "variant": name, "eval_s": best[name], "eval_spread": worst[name] / best[name],
                         "vs_hand": best[name] / bound, "first_call_s": r["first_call_s"],
                         "max_abs_diff_vs_hand": r["max_abs_diff_vs_hand"],
                         "steps_differing_by_1e-3_peak": r["steps_differing_by_1e-3_peak"]})
            print(f"  {curve:16s} {name:42s} eval {best[name] * 1e3:8.1f} ms  {best[name] / bound:5.2f}x hand  "
                  f"(spread {worst[name] / best[name]:.2f}, max diff {r['max_abs_diff_vs_hand']:.2g})", flush=True)
    return rows


def restart_inside(repeats: int) -> list:
    """1000 equal cosine cycles built inside the traced function, caches cleared: compile vs optax and the hand-written bound."""
    n = 1000
    period = STEPS // n
    t = jnp.arange(STEPS, dtype=jnp.int32)
    cycle = dict(init_value=PEAK, peak_value=PEAK, warmup_steps=0, decay_steps=period, end_value=END)
    bound = sgdr_variants(n)["hand-written jnp"]
    variants = {
        "optax sgdr_schedule (1000 cycles)": Inside(lambda: optax.sgdr_schedule([cycle] * n)),
        "lrjax.sgdr(mult=1.0)": Inside(lambda: lrjax.sgdr(PEAK, period=period, mult=1.0, end=END)),
        "lrjax.cycle(cosine, limit=1000)": Inside(lambda: lrjax.cycle(lrjax.cosine(PEAK, END, steps=period), period=period, limit=n)),
        "lrjax.restart(cosine, mult=1, limit=1000)": Inside(
            lambda: lrjax.restart(lrjax.cosine(PEAK, END, steps=period), period=period, mult=1.0, limit=n)),
        "hand-written jnp": bound,
    }
    results = compile_group(variants, t, repeats, only_once=("optax sgdr_schedule (1000 cycles)",))
    reference = results["optax sgdr_schedule (1000 cycles)"]["values"]
    rows = []
    for name, r in results.items():
        max_diff = float(np.max(np.abs(r["values"] - reference)))
        assert max_diff <= 2e-6 * float(np.max(np.abs(reference))), (name, max_diff)
        rows.append({"variant": name, "compile_s": r["compile_s"], "compile_spread": r["compile_spread"],
                     "compiles": len(r["times"]), "hlo_ops": r["hlo_ops"], "max_abs_diff_vs_optax": max_diff})
    optax_s = rows[0]["compile_s"]
    hand_s = rows[-1]["compile_s"]
    for r in rows:
        r["optax_over_this"], r["this_over_hand"] = optax_s / r["compile_s"], r["compile_s"] / hand_s
    return rows


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="10 and 100 pieces only, fewer repetitions")
    ap.add_argument("--skip", nargs="*", default=(), choices=("pieces", "traced", "inside"))
    args = ap.parse_args()
    pieces = PIECES[:2] if args.quick else PIECES
    t = jnp.arange(STEPS, dtype=jnp.int32)
    rows = []
    for kind, variants in (("sgdr", sgdr_variants), ("piecewise_constant", piecewise_variants), ("join", join_variants)):
        if "pieces" in args.skip:
            break
        for n in pieces:
            optax_name = next(name for name in variants(n) if name.startswith("optax"))
            results = compile_group(variants(n), t, repeats=2 if n >= 1000 or args.quick else 3,
                                    only_once=(optax_name,) if n >= 1000 else ())
            reference = results[optax_name]["values"]
            time_side_by_side(results, t, rounds=3 if args.quick else 15 if n < 1000 else 5)
            for name, m in results.items():
                max_diff = float(np.max(np.abs(m["values"] - reference)))
                assert max_diff <= 2e-6 * float(np.max(np.abs(reference))), (kind, n, name, max_diff)
                rows.append({"curve": kind, "pieces": n, "variant": name, "max_abs_diff_vs_optax": max_diff,
                             **{k: v for k, v in m.items() if k not in ("values", "compiled", "args")}})
                print(f"  {kind:18s} {n:5d} {name:34s} compile {m['compile_s']:7.3f} s  "
                      f"ops {m['hlo_ops']:6d}  eval {m['eval_s'] * 1e3:8.2f} ms", flush=True)

    def row(kind, n, name):
        return next(r for r in rows if r["curve"] == kind and r["pieces"] == n and r["variant"] == name)

    if rows:
        print("\n| curve | pieces | variant | trace+compile (s) | spread | HLO ops | eval 1M steps (ms) | spread | "
              "compile: this / optax | eval: this / optax | eval: this / bound |")
        print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        optax_row = next(x for x in rows if x["curve"] == r["curve"] and x["pieces"] == r["pieces"]
                         and x["variant"].startswith("optax"))
        r["compile_speedup_vs_optax"] = optax_row["compile_s"] / r["compile_s"]
        r["compile_vs_optax"] = r["compile_s"] / optax_row["compile_s"]
        r["eval_vs_optax"] = r["eval_s"] / optax_row["eval_s"]
        bound = row(r["curve"], r["pieces"], "hand-written jnp") if r["curve"] == "sgdr" else None
        r["eval_vs_bound"] = r["eval_s"] / bound["eval_s"] if bound else None
        ratio = f"{r['eval_vs_bound']:.2f}x" if bound else ""
        print(f"| {r['curve']} | {r['pieces']} | {r['variant']} | {r['compile_s']:.3f} | {r['compile_spread']:.2f} | "
              f"{r['hlo_ops']} | {r['eval_s'] * 1e3:.2f} | {r['eval_spread']:.2f} | {r['compile_vs_optax']:.2f}x | "
              f"{r['eval_vs_optax']:.2f}x | {ratio} |")

    joins = [r for r in rows if r["curve"] == "join" and r["variant"].startswith("lrjax") and r["pieces"] <= 100]
    if joins:
        print("\n| join of cosines (issue 11) | pieces | compile / optax join_schedules (target <= 1.5x) | "
              "eval 1M / optax (target <= 1.2x) |")
        print("|---|---:|---:|---:|")
        for r in joins:
            ok = lambda v, lim: "met" if v <= lim else f"missed by {100 * (v / lim - 1):.0f}%"  # noqa: E731
            print(f"| {r['variant']} | {r['pieces']} | {r['compile_vs_optax']:.2f}x ({ok(r['compile_vs_optax'], 1.5)}) | "
                  f"{r['eval_vs_optax']:.2f}x ({ok(r['eval_vs_optax'], 1.2)}) |")

    traced = [] if "traced" in args.skip else traced_eval(rounds=3 if args.quick else 7)
    if traced:
        print(f"\n| curve, {EVAL_STEPS:.0e} steps | variant | eval (ms) | spread | **this / hand-written** | max abs diff vs hand |")
        print("|---|---|---:|---:|---:|---:|")
        for r in traced:
            print(f"| {r['curve']} | {r['variant']} | {r['eval_s'] * 1e3:.1f} | {r['eval_spread']:.2f} | "
                  f"**{r['vs_hand']:.2f}x** | {r['max_abs_diff_vs_hand']:.2g} |")
        print("(targets: schedule as argument / lrjax.values at most 1.5x for cosine, warmup_cosine, one_cycle; 2x for sgdr)")

    inside = [] if "inside" in args.skip else restart_inside(repeats=3 if args.quick else 5)
    if inside:
        print("\n| 1000 equal cycles, built inside the traced function, caches cleared | compile (s) | spread | HLO ops | "
              "**optax / this** (target >= 100x) | **this / hand-written** (target <= 2x) |")
        print("|---|---:|---:|---:|---:|---:|")
        for r in inside:
            print(f"| {r['variant']} | {r['compile_s']:.3f} | {r['compile_spread']:.2f} | {r['hlo_ops']} | "
                  f"**{r['optax_over_this']:.0f}x** | **{r['this_over_hand']:.2f}x** |")

    report("compile_and_eval", {"steps": STEPS, "eval_steps": EVAL_STEPS, "rows": rows, "traced_eval": traced,
                                "restart_inside": inside})


if __name__ == "__main__":
    main()
