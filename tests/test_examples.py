"""The README's quickstart script runs as documented."""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_quickstart_trains_and_traces_once():
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "quickstart.py")], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    losses = [float(line.split(":")[1]) for line in lines if "final loss" in line]
    assert len(losses) == 6 and all(loss < 1e-2 for loss in losses), result.stdout
    assert lines[-1].startswith("train() was traced 1 time(s)"), result.stdout
