"""How long `aiwatch check --offline` takes as a whole process, against the floor for any tool on
this stack: `python -c "import sqlmodel"`. Both are measured in the same run, interleaved, and the
medians compared, because these machines are noisy. Target (issue 2): ratio <= 1.5.

Run: `make bench` (or `.venv/bin/python bench/check_startup.py [--runs N]`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 1.5


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    aiwatch = str(Path(sys.executable).parent / "aiwatch")
    with tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIWATCH_")}
        env.update(HOME=home, XDG_DATA_HOME=f"{home}/data")
        commands = {
            "floor: python -c 'import sqlmodel'": [sys.executable, "-c", "import sqlmodel"],
            "aiwatch check --offline": [aiwatch, "check", "--offline"],
            "aiwatch timeline --format json": [aiwatch, "timeline", "--format", "json"],
        }
        for cmd in commands.values():  # warm the OS cache, create and sync the database
            timed(cmd, env)
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, cmd in commands.items():
                samples[name].append(timed(cmd, env))
    floor = statistics.median(samples[next(iter(commands))])
    print(f"{'command':<38} {'median ms':>10} {'min ms':>8} {'ratio':>7}")
    for name, values in samples.items():
        median = statistics.median(values)
        print(
            f"{name:<38} {median * 1000:>10.0f} {min(values) * 1000:>8.0f} {median / floor:>7.2f}"
        )
    ratio = statistics.median(samples["aiwatch check --offline"]) / floor
    verdict = "OK" if ratio <= TARGET else "OVER TARGET"
    print(f"check/floor ratio {ratio:.2f} (target <= {TARGET}): {verdict}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
