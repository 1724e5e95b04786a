"""The ``lrjax`` command (also ``python -m lrjax``): ``show``, ``plot`` and ``demo``.

A SPEC is an lrjax expression (``"warmup(cosine(init=1e-3, steps=10000), steps=500)"``)
or the path of a JSON config written by `lrjax.to_config`. A bad SPEC or option
ends the command with status 2 and a one-line error on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

#: Most steps `show` evaluates; longer horizons are sampled evenly.
MAX_POINTS = 1_000_000
#: Most milestones `show` finds on its own (besides the first and last step).
MAX_MILESTONES = 8
_INT32_MAX = 2**31 - 1


class UsageError(Exception):
    """A bad SPEC or option: reported as one line, with exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse with errors on one line: ``lrjax show: error: ...`` and exit status 2 (no usage block)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _Parser(prog="lrjax", description="Learning-rate schedules as PyTrees for JAX and optax.")
    commands = parser.add_subparsers(dest="command", required=True)

    show = commands.add_parser("show", help="print a schedule, its values at milestones, min/max and a sparkline")
    show.add_argument("spec", help="an lrjax expression, or the path of a JSON config")
    show.add_argument("--steps", type=_count, help="last step to evaluate (default: from the schedule's durations)")
    show.add_argument("--at", type=_step_list, help="comma-separated steps to print, e.g. 0,100,1000")
    show.add_argument("--config", action="store_true", help="also print the schedule's JSON config (lrjax.to_config)")

    plot = commands.add_parser("plot", help="draw one or more schedules in one figure")
    plot.add_argument("spec", nargs="+", help="lrjax expressions or paths of JSON configs")
    plot.add_argument("--steps", type=_count, help="last step to draw (default: from the schedules' durations)")
    plot.add_argument("--out", default="lrjax-plot.png", help="image file to write (default: lrjax-plot.png)")
    plot.add_argument("--log", action="store_true", help="logarithmic value axis")

    demo = commands.add_parser("demo", help="train a small MLP under 18 schedules in one jitted, vmapped step")
    demo.add_argument("--steps", type=_count, default=600, help="training steps per configuration (a multiple of 50)")
    demo.add_argument("--out", default="lrjax-demo.png", help="figure to write when matplotlib is installed ('' for none)")

    args = parser.parse_args(argv)
    if args.command == "demo":
        if args.steps < 50 or args.steps % 50:
            parser.error(f"--steps must be a positive multiple of 50, got {args.steps}")
        from ._demo import run  # imported late: the parser answers --help without loading JAX

        run(steps=args.steps, out=args.out or None)
        return 0
    try:
        if args.command == "show":
            _show(args.spec, args.steps, args.at, args.config)
        else:
            _plot(args.spec, args.steps, args.out, args.log)
    except UsageError as e:
        print(f"lrjax {args.command}: error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `lrjax show ... | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _count(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an int in [1, {_INT32_MAX}], got {text!r}") from None
    if not 1 <= n <= _INT32_MAX:
        raise argparse.ArgumentTypeError(f"must be an int in [1, {_INT32_MAX}], got {text}")
    return n


def _step_list(text: str) -> list[int]:
    try:
        steps = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be comma-separated ints, got {text!r}") from None
    if not steps or not all(0 <= s <= _INT32_MAX for s in steps):
        raise argparse.ArgumentTypeError(f"must be steps in [0, {_INT32_MAX}], got {text!r}")
    return steps


def load(spec: str) -> Any:
    """The schedule a SPEC names: a JSON config file if the path exists or ends in .json, else an expression."""
    import lrjax

    from ._tree import batch_shape

    try:
        if spec.endswith(".json") or os.path.isfile(spec):
            try:
                with open(spec, encoding="utf-8") as f:
                    config = json.load(f)
            except OSError as e:
                raise UsageError(f"cannot read {spec}: {e.strerror}") from None
            except UnicodeDecodeError as e:
                raise UsageError(f"{spec} is not UTF-8 text ({e.reason} at byte {e.start})") from None
            except json.JSONDecodeError as e:
                raise UsageError(f"{spec} is not valid JSON: {e}") from None
            except RecursionError:
                raise UsageError(f"{spec} is nested too deeply to be a config") from None
            schedule = lrjax.from_config(config)
        else:
            schedule = lrjax.parse(spec)
    except ValueError as e:
        raise UsageError(str(e)) from None
    if not isinstance(schedule, lrjax.Schedule):
        raise UsageError(f"{spec!r} is a {type(schedule).__name__}, not a schedule of steps")
    if shape := batch_shape(schedule):
        raise UsageError(f"{spec!r} is a batch of {shape} schedules; give one schedule per SPEC")
    return schedule


def horizon(tree: Any) -> int:
    """A step count that shows the whole of ``tree`` and a little after: 1.1 times the sum of its durations (at least 100).

    Durations inside `per_epoch` count in epochs, so they are multiplied by
    the steps per epoch. This is a display default, not a property of the schedule.
    """
    import numpy as np

    from ._algebra import per_epoch
    from ._arith import Duration
    from ._tree import Tree

    def total(x: Any) -> float:
        if isinstance(x, (tuple, list)):
            return sum(total(v) for v in x)
        if not isinstance(x, Tree):
            return 0.0
        fields = [getattr(x, f.name) for f in x.declared()]
        own = sum(float(np.max(v.exact(), initial=0)) for v in fields if isinstance(v, Duration))
        children = sum(total(v) for v in fields)
        return float(np.max(x.steps_per_epoch.exact())) * children if isinstance(x, per_epoch) else own + children

    return int(min(max(round(1.1 * total(tree)), 100), _INT32_MAX))


def _grid(last: int) -> Any:
    import numpy as np

    return np.arange(last + 1) if last < MAX_POINTS else np.unique(np.linspace(0, last, MAX_POINTS).round().astype(np.int64))


def milestones(steps: Any, v: Any) -> list[int]:
    """Steps where the curve visibly changes course (a kink or a jump), where it settles, and the first and last step.

    A step counts when the slope into it and the slope out of it differ by
    more than 60% of their summed sizes and by more than 1e-4 of the value
    range. A jump flags the steps on both sides of it; the later one (where the
    new value starts) is kept. The curve settles at the step after its last
    change, where a smooth decay that reaches its end value stops.
    """
    import numpy as np

    v = np.asarray(v, np.float64)
    slope = np.diff(v)
    change = np.abs(np.diff(slope))
    size = np.abs(slope[1:]) + np.abs(slope[:-1])
    span = float(np.ptp(v)) if v.size else 0.0
    found = np.flatnonzero((change > 0.6 * size) & (change > 1e-4 * span)) + 1
    found = [i for j, i in enumerate(found) if j + 1 == len(found) or found[j + 1] != i + 1]  # the last of neighbours
    found = sorted(found, key=lambda i: -change[i - 1])[:MAX_MILESTONES]
    moving = np.flatnonzero(v != v[-1])
    settled = [moving[-1] + 1] if moving.size else []
    return sorted({int(steps[0]), *(int(steps[i]) for i in [*found, *settled]), int(steps[-1])})


def sparkline(v: Any, width: int = 64) -> str:
    """The curve as one line of block characters (ASCII when stdout cannot print them), bucket means; ``?`` where not finite."""
    import numpy as np

    blocks = "▁▂▃▄▅▆▇█"
    try:
        blocks.encode(sys.stdout.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        blocks = "_.-=+*#@"
    v = np.asarray(v, np.float64)
    means = np.array([b.mean() for b in np.array_split(v, min(width, v.size))])
    finite = np.isfinite(means)
    if not finite.any():
        return "?" * means.size
    low, high = means[finite].min(), means[finite].max()
    scaled = np.zeros(means.shape) if high == low else (np.where(finite, means, low) - low) / (high - low)
    level = np.round(scaled * (len(blocks) - 1)).astype(int)
    return "".join(blocks[i] if ok else "?" for i, ok in zip(level, finite))


def _show(spec: str, steps: int | None, at: list[int] | None, config: bool) -> None:
    import numpy as np

    import lrjax

    schedule = load(spec)
    last = steps if steps is not None else horizon(schedule)
    grid = _grid(last)
    # One compiled call: the curve, and the requested steps with it.
    asked = np.asarray(at if at is not None else [], np.int64)
    both = np.asarray(lrjax.values(schedule, np.concatenate([grid, asked])))
    curve = both[: grid.size]
    picked = at if at is not None else milestones(grid, curve)
    picked_values = both[grid.size :] if at is not None else curve[np.searchsorted(grid, picked)]
    sampled = "" if grid.size == last + 1 else f", sampled at {grid.size} steps"
    print(repr(schedule))
    print()
    print(f"{'step':>12}  value")
    for s, v in zip(picked, picked_values):
        print(f"{s:>12}  {v:.6g}")
    print()
    low, high = int(np.argmin(curve)), int(np.argmax(curve))
    print(f"min {curve[low]:.6g} at step {grid[low]}, max {curve[high]:.6g} at step {grid[high]} (steps 0 to {last}{sampled})")
    print(sparkline(curve))
    if config:
        print()
        print(json.dumps(lrjax.to_config(schedule), indent=2))


def _plot(specs: list[str], steps: int | None, out: str, log: bool) -> None:
    schedules = {spec if len(spec) <= 70 else spec[:67] + "...": load(spec) for spec in specs}
    last = steps if steps is not None else max(horizon(s) for s in schedules.values())
    try:
        import matplotlib
    except ImportError:
        raise UsageError("plot needs matplotlib: pip install 'lrjax[plot]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import lrjax

    ax = lrjax.plot(schedules, _grid(last), log=log)
    try:
        ax.figure.savefig(out, dpi=120)
    except (OSError, ValueError) as e:
        raise UsageError(f"cannot write {out}: {e}") from None
    plt.close(ax.figure)
    print(f"wrote {out}")
