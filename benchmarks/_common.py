"""What both benchmarks share: the machine they ran on, and where their results go."""

from __future__ import annotations

import json
import os
import pathlib
import platform

import jax
import optax


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "backend": jax.default_backend(),
        "devices": [str(d) for d in jax.devices()],
        "jax": jax.__version__,
        "optax": optax.__version__,
        "python": platform.python_version(),
    }


def report(name: str, payload: dict) -> None:
    """Prints the machine and writes ``payload`` (with it) to ``results/<name>.json`` next to this file."""
    info = machine()
    print(f"\nMachine: {info['cpu']}, {info['cores']} cores, backend {info['backend']}, jax {info['jax']}, optax {info['optax']}")
    out = pathlib.Path(__file__).parent / "results" / f"{name}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"machine": info, **payload}, indent=2) + "\n")
    print(f"wrote {out}")


def ops(lowered) -> dict:
    """Size of a lowered (StableHLO) program: operations, and the conditionals and loops among them."""
    text = lowered.as_text()
    return {
        "ops": sum(1 for line in text.splitlines() if " = " in line),
        "conditionals": text.count("stablehlo.case") + text.count("stablehlo.if"),
        "loops": text.count("stablehlo.while"),
    }


def interleaved(fns: dict, rounds: int) -> dict:
    """Runs every ``fns[name]()`` once per round, in turns, ``rounds`` times; returns each name's list of seconds.

    A function returns its own measured seconds (so that it can exclude setup), or None to be timed whole.
    """
    import time

    times: dict = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.perf_counter()
            measured = fn()
            times[name].append(measured if measured is not None else time.perf_counter() - start)
    return times


def best(times: list) -> dict:
    """The best of N and the spread (max / min) of a list of seconds."""
    return {"best_s": min(times), "spread": max(times) / min(times), "n": len(times)}
