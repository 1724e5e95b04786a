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
