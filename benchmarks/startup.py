"""Start-up and construction costs: the CLI, importing JAX, and building one schedule.

- wall time of fresh processes (best of N, the commands in turns): ``lrjax --help``,
  ``lrjax show "cosine(1e-3, steps=1000)"``, ``python -c "import jax"`` and
  ``python -c pass`` (the interpreter alone);
- microseconds to build one schedule (after a first build, which finds the
  structure): ``lrjax.cosine``, ``lrjax.warmup_cosine``, ``lrjax.sgdr``,
  ``lrjax.one_cycle`` against ``optax.cosine_decay_schedule``.

Prints markdown tables with the issue-11 targets and writes ``results/startup.json``.

Run: ``python benchmarks/startup.py`` (under a minute on 2 CPU cores; ``--quick`` for fewer runs).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time

import optax
from _common import best, interleaved, report

import lrjax

TARGETS = {"lrjax --help": 0.15, 'lrjax show "cosine(1e-3, steps=1000)"': 1.0}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    runs = 3 if args.quick else 10

    cli = shutil.which("lrjax") or os.path.join(os.path.dirname(sys.executable), "lrjax")
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "lrjax --help": [cli, "--help"],
        'lrjax show "cosine(1e-3, steps=1000)"': [cli, "show", "cosine(1e-3, steps=1000)"],
        'python -c "import jax"': [sys.executable, "-c", "import jax"],
        'python -c "import lrjax"': [sys.executable, "-c", "import lrjax"],
    }
    for name, cmd in commands.items():  # once, to check they work and warm the file cache
        subprocess.run(cmd, check=True, capture_output=True)

    def runner(cmd):
        return lambda: subprocess.run(cmd, check=True, capture_output=True) and None

    proc = {name: best(v) | {"all_s": v} for name, v in interleaved({n: runner(c) for n, c in commands.items()}, runs).items()}

    builders = {
        "lrjax.cosine(1e-3, steps=1000)": lambda: lrjax.cosine(1e-3, steps=1000),
        "lrjax.warmup_cosine(1e-3, warmup_steps=100, total_steps=1000)":
            lambda: lrjax.warmup_cosine(1e-3, warmup_steps=100, total_steps=1000),
        "lrjax.sgdr(1e-3, period=100)": lambda: lrjax.sgdr(1e-3, period=100),
        "lrjax.one_cycle(1e-3, steps=1000)": lambda: lrjax.one_cycle(1e-3, steps=1000),
        "optax.cosine_decay_schedule(1e-3, 1000)": lambda: optax.cosine_decay_schedule(1e-3, 1000),
    }
    loops = 200 if args.quick else 1000
    for make in builders.values():
        s = make()
        if isinstance(s, lrjax.Schedule):
            s(0)  # the first evaluation finds a preset's structure

    def timed(make):
        def run():
            start = time.perf_counter()
            for _ in range(loops):
                make()
            return (time.perf_counter() - start) / loops
        return run

    build = {name: best(v) | {"all_s": v}
             for name, v in interleaved({n: timed(m) for n, m in builders.items()}, 5 if args.quick else 15).items()}

    print(f"\n| fresh process (best of {runs}, in turns) | wall time (s) | spread | target | |")
    print("|---|---:|---:|---:|---|")
    for name, r in proc.items():
        target = TARGETS.get(name)
        verdict = "" if target is None else ("met" if r["best_s"] <= target else f"missed by {100 * (r['best_s'] / target - 1):.0f}%")
        print(f"| `{name}` | {r['best_s']:.3f} | {r['spread']:.2f} | {'' if target is None else f'<= {target}'} | {verdict} |")
    ref = build["optax.cosine_decay_schedule(1e-3, 1000)"]["best_s"]
    print(f"\n| building one schedule (best of loops of {loops}) | µs | spread | vs optax | target <= 50 µs |")
    print("|---|---:|---:|---:|---|")
    for name, r in build.items():
        us = r["best_s"] * 1e6
        verdict = "" if name.startswith("optax") else ("met" if us <= 50 else f"missed by {us / 50 - 1:.0%}")
        print(f"| `{name}` | {us:.1f} | {r['spread']:.2f} | {r['best_s'] / ref:.1f}x | {verdict} |")
    report("startup", {"processes": proc, "build_seconds": build, "loops": loops})


if __name__ == "__main__":
    main()
