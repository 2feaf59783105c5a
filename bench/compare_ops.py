#!/usr/bin/env python3
"""bench/compare_ops.py — the per-operation costs of two kernels side by side, in one session.

Runs the kernel's per-operation benchmarks (op/…/kernel, op/timer) of two bench_omni binaries
alternately (old, new, old, new, …) so that both see the same machine load, and writes the
medians over the rounds to a JSON file that bench/report.py turns into the "Cost of the issue-8
fixes" section of bench/RESULTS.md.

  git worktree add /work/bench-old f617ff5
  cmake -S /work/bench-old -B /work/bench-old/build-bench -DCMAKE_BUILD_TYPE=Release \\
        -DOMNI_BUILD_TESTS=OFF -DOMNI_BUILD_APPS=OFF
  cmake --build /work/bench-old/build-bench -j2 --target bench_omni
  bench/compare_ops.py --old /work/bench-old/build-bench/bin/bench_omni --old-rev f617ff5 \\
        --new build-bench/bin/bench_omni --new-rev HEAD --rounds 9 --out bench/fix-cost.json

Per op and per binary: p50 = median over the rounds of each run's p50 (one run = 2,000 batches
of 256 calls, each timed alone); p99 likewise. Both include the ~20–30 ns rdtscp stamp (op/timer).
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile

FILTER = ("^op/(timer|(submit_offer|accept|close|pause|resume|decline|push_timeout|set_status|"
          "policy_check|submit_offer_policy)/(kernel|plugin)/)")


def op_name(bench_name: str) -> str:
    # "op/close/kernel/iterations:2000/manual_time" -> "close/kernel"
    parts = [p for p in bench_name.split("/") if ":" not in p and p != "manual_time"]
    return "/".join(parts[1:])


def run_once(binary: str) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as tmp:
        subprocess.run([binary, f"--benchmark_filter={FILTER}", "--benchmark_format=console",
                        f"--benchmark_out={tmp.name}", "--benchmark_out_format=json"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        data = json.load(open(tmp.name))
    out = {}
    for b in data["benchmarks"]:
        out[op_name(b["name"])] = {k: b.get(k, 0.0)
                                   for k in ("p50_ns", "p99_ns", "ns_per_op", "back_pressure")}
    return out


def rev(path: str, spec: str) -> str:
    try:
        return subprocess.run(["git", "-C", path, "rev-parse", "--short", spec], check=True,
                              capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return spec


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--old", required=True)
    ap.add_argument("--new", required=True)
    ap.add_argument("--old-rev", default="old")
    ap.add_argument("--new-rev", default="new")
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    load_start = os.getloadavg()
    started = datetime.datetime.now(datetime.timezone.utc)
    runs = {"old": [], "new": []}
    for i in range(a.rounds):
        for side in ("old", "new"):
            runs[side].append(run_once(getattr(a, side)))
        print(f"compare_ops: round {i + 1}/{a.rounds} "
              f"(load {os.getloadavg()[0]:.2f})", file=sys.stderr)
    load_end = os.getloadavg()

    ops = []
    for name in runs["new"][0]:
        if not all(name in r for r in runs["old"]):
            continue
        row = {"op": name}
        for side in ("old", "new"):
            for key in ("p50_ns", "p99_ns", "ns_per_op"):
                values = [r[name][key] for r in runs[side]]
                row[f"{side}_{key}"] = statistics.median(values)
                row[f"{side}_{key}_runs"] = values
            row[f"{side}_back_pressure"] = max(r[name]["back_pressure"] for r in runs[side])
        row["p50_ratio"] = row["new_p50_ns"] / row["old_p50_ns"] if row["old_p50_ns"] else None
        row["p99_ratio"] = row["new_p99_ns"] / row["old_p99_ns"] if row["old_p99_ns"] else None
        ops.append(row)

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    result = {
        "date": started.isoformat(timespec="seconds"),
        "load_average_start": [round(x, 2) for x in load_start],
        "load_average_end": [round(x, 2) for x in load_end],
        "rounds": a.rounds,
        "order": "alternating old, new per round",
        "old": {"rev": rev(root, a.old_rev), "binary": a.old},
        "new": {"rev": rev(root, a.new_rev), "binary": a.new},
        "ops": ops,
    }
    with open(a.out, "w") as f:
        json.dump(result, f, indent=1)
    for row in ops:
        print(f"{row['op']:32} p50 {row['old_p50_ns']:8.1f} {row['new_p50_ns']:8.1f} "
              f"x{row['p50_ratio'] or 0:5.2f}   p99 {row['old_p99_ns']:8.1f} "
              f"{row['new_p99_ns']:8.1f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
