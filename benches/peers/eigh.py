"""NumPy's symmetric eigensolvers (LAPACK) on the matrices of the `eigen`
criterion group, one thread, for a side-by-side with saddle's
`eigen/{full,values_only}/<n>` rows.

The `curvature` bench writes each matrix to `target/eigen-peers/<n>.f64`
(raw little-endian f64, column-major, n² values); this script times
`numpy.linalg.eigh` (values and vectors) and `numpy.linalg.eigvalsh`
(values only) on each, median of --reps runs (1 for n > 3000), prints one
line per matrix, and if the criterion medians of this run exist prints
saddle / NumPy.

    target/peers-venv/bin/python benches/peers/eigh.py [--reps 5] [--dir target/eigen-peers]
"""

import argparse
import json
import os
import pathlib
import platform
import statistics
import sys
import time

# One thread in every BLAS NumPy may be linked to; must precede the import.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import numpy as np  # noqa: E402


def median_time(f, a, reps):
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        f(a)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def criterion_median_s(root, group_id):
    path = root / "criterion" / group_id / "new" / "estimates.json"
    try:
        return json.loads(path.read_text())["median"]["point_estimate"] * 1e-9
    except (OSError, KeyError, ValueError):
        return None


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dir", default="target/eigen-peers")
    p.add_argument("--reps", type=int, default=5)
    args = p.parse_args()
    folder = pathlib.Path(args.dir)
    files = sorted(folder.glob("*.f64"), key=lambda f: int(f.stem))
    if not files:
        sys.exit(f"no matrices in {folder}: run `cargo bench --bench curvature -- eigen/` first")
    print(f"{cpu_model()}; NumPy {np.__version__}, one thread")
    print(f"{'n':>6} {'eigh':>10} {'eigvalsh':>10} {'faer full':>10} {'faer vals':>10} "
          f"{'full/eigh':>10} {'vals/eigvalsh':>14}")
    for f in files:
        n = int(f.stem)
        a = np.fromfile(f, dtype="<f8")
        if a.size != n * n:
            sys.exit(f"{f}: {a.size} values, expected {n}² = {n * n}")
        a = a.reshape((n, n), order="F")
        reps = 1 if n > 3000 else args.reps
        # Warm-up (allocations, first-touch) except for the huge one.
        if reps > 1:
            np.linalg.eigvalsh(a)
        t_eigh = median_time(np.linalg.eigh, a, reps)
        t_vals = median_time(np.linalg.eigvalsh, a, reps)
        root = folder.parent
        full = criterion_median_s(root, f"eigen/full/{n}")
        vals = criterion_median_s(root, f"eigen/values_only/{n}")
        fmt = lambda t: "–" if t is None else f"{t:.4f}"  # noqa: E731
        ratio = lambda x, y: "–" if x is None else f"{x / y:.3f}"  # noqa: E731
        print(f"{n:>6} {t_eigh:>10.4f} {t_vals:>10.4f} {fmt(full):>10} {fmt(vals):>10} "
              f"{ratio(full, t_eigh):>10} {ratio(vals, t_vals):>14}   (s, median of {reps})")


if __name__ == "__main__":
    main()
