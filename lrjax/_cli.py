"""The ``lrjax`` command (also ``python -m lrjax``)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lrjax", description="Learning-rate schedules as PyTrees for JAX and optax.")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="train a small MLP under 18 schedules in one jitted, vmapped step")
    demo.add_argument("--steps", type=int, default=600, help="training steps per configuration (a multiple of 50)")
    demo.add_argument("--out", default="lrjax-demo.png", help="figure to write when matplotlib is installed ('' for none)")
    args = parser.parse_args(argv)
    if args.steps < 50 or args.steps % 50:
        parser.error(f"--steps must be a positive multiple of 50, got {args.steps}")

    from ._demo import run  # imported late: the parser answers --help without loading JAX

    run(steps=args.steps, out=args.out or None)
    return 0
