#!/usr/bin/env python3
"""One table: saddle's criterion medians next to JAX's, with their ratio.

Reads JAX's medians from the JSON that jax_bench.py wrote and saddle's from
<criterion dir>/<group>/<function>/<parameter>/new/estimates.json
(median.point_estimate, ns), keeping only estimates written since --since
(the start of this run), so a row never mixes this run with an older one.
A row whose saddle benchmark does not exist yet (or did not run) shows "–".

Standard library only.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess

W1_SIZES = [10, 100, 1000]
W1_DENSE = "dense_hessian_8_lanes_1_threads"


def rows(quick):
    """(workload, op, saddle criterion id or None, JAX key or None, note).

    The saddle ids are those of benches/*.rs, documented in
    benches/peers/README.md.
    """
    out = []
    for n in [10, 100] if quick else W1_SIZES:
        w = f"W1 n={n}"
        out += [
            (w, "f (plain f64)", f"w1/f64/{n}", f"w1/f/{n}", ""),
            (w, "gradient", f"w1/gradient/{n}", f"w1/gradient/{n}", ""),
            (w, "HVP", f"w1/hvp/{n}", f"w1/hvp/{n}", ""),
            (w, "dense Hessian, 1 thread", f"w1/{W1_DENSE}/{n}", f"w1/hessian/{n}", "JAX: jax.hessian"),
            (w, "sparse Hessian, colouring reused", f"w1/sparse_hessian/{n}", None, "no JAX counterpart"),
        ]
        wb = f"W1 n={n}, saddle block ops"
        out += [
            (wb, "gradient", f"w1_block/gradient/{n}", f"w1/gradient/{n}", ""),
            (wb, "HVP", f"w1_block/hvp/{n}", f"w1/hvp/{n}", ""),
            (wb, "dense Hessian, 1 thread", f"w1_block/{W1_DENSE}/{n}", f"w1/hessian/{n}", ""),
        ]
    for name in ["small"] if quick else ["small", "medium"]:
        w = f"W2-{name}"
        hess = "w2/hessian_1_threads/small" if name == "small" else "w2_medium_hessian/threads/1"
        out += [
            (w, "loss (plain f64)", f"w2/loss_f64/{name}", f"w2/loss/{name}", ""),
            (w, "gradient", f"w2/gradient/{name}", f"w2/gradient/{name}", ""),
            (w, "HVP", f"w2/hvp/{name}", f"w2/hvp/{name}", ""),
            (w, "20 HVPs (JAX: lax.fori_loop)", f"w2/20_hvps/{name}", f"w2/20_hvps_loop/{name}",
             "saddle: 20 sequential HVPs"),
            (w, "20 HVPs (JAX: vmap)", f"w2/20_hvps/{name}", f"w2/20_hvps_vmap/{name}",
             "saddle: 20 sequential HVPs"),
            (w, "20 HVPs batched (JAX: lax.fori_loop)", f"w2/20_hvps_batched/{name}",
             f"w2/20_hvps_loop/{name}", "saddle: Mlp::hessian_matrix_product, layer by layer"),
            (w, "20 HVPs batched (JAX: vmap)", f"w2/20_hvps_batched/{name}",
             f"w2/20_hvps_vmap/{name}", "saddle: Mlp::hessian_matrix_product, layer by layer"),
            (w, "dense Hessian, 1 thread", hess, f"w2/hessian/{name}", "JAX: jax.hessian"),
        ]
    out += [
        ("W5", "loss (plain f64)", "w5/loss_f64", "w5/loss", ""),
        ("W5", "gradient", "w5/gradient", "w5/gradient", ""),
        ("W5", "HVP", "w5/hvp", "w5/hvp", ""),
        ("W5", "GGN-vector product", "w5/ggnvp", "w5/ggnvp", "JAX: jvp, H_z, vjp"),
    ]
    if not quick:
        out += [
            ("W5", "dense Hessian, 1 thread", "w5/hessian_1_threads", "w5/hessian", "JAX: jax.hessian"),
            ("W5", "dense GGN, 1 thread", "w5/ggn_1_threads", "w5/ggn", "JAX: jacfwd + matmul"),
        ]
    return out


def criterion_median(criterion_dir, bench_id, since):
    """ns, or None if absent, older than `since`, or unreadable."""
    path = os.path.join(criterion_dir, *bench_id.split("/"), "new", "estimates.json")
    try:
        if os.path.getmtime(path) < since:
            return None
        with open(path) as fh:
            return float(json.load(fh)["median"]["point_estimate"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def fmt_ns(ns):
    if ns is None:
        return "–"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def machine():
    """The machine, as /proc/cpuinfo and the OS describe it."""
    model, flags, mhz, ident = "unknown CPU", set(), None, {}
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "model name" and model == "unknown CPU":
                    model = value.strip()
                elif key == "flags" and not flags:
                    flags = set(value.split())
                elif key == "cpu MHz" and mhz is None:
                    mhz = value.strip()
                elif key in ("cpu family", "model", "stepping") and key not in ident:
                    ident[key] = value.strip()
    except OSError:
        pass
    isa = [f for f in ["avx512f", "avx512dq", "avx512vl", "avx512bw", "avx512_fp16", "avx2", "fma"] if f in flags]
    virt = "virtualised (hypervisor flag)" if "hypervisor" in flags else "bare metal"
    try:
        rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        rustc = "rustc unknown"
    return [
        f"CPU: {model}"
        + (f" (family {ident.get('cpu family', '?')}, model {ident.get('model', '?')}, "
           f"stepping {ident.get('stepping', '?')})" if ident else "")
        + (f", {mhz} MHz reported" if mhz else "") + f"; {os.cpu_count()} cores; {virt}",
        f"instruction sets: {', '.join(isa) if isa else 'none of AVX-512/AVX2/FMA'}",
        f"OS: {platform.system()} {platform.release()}; {rustc}",
        f"load average at report time: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jax", required=True, help="JSON written by jax_bench.py")
    ap.add_argument("--criterion", required=True, help="criterion output directory")
    ap.add_argument("--since", type=float, required=True, help="run start, seconds since the epoch")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--core", default="0")
    ap.add_argument("--out", required=True, help="markdown report to write")
    args = ap.parse_args()

    with open(args.jax) as fh:
        jax_run = json.load(fh)
    jax_res, meta = jax_run["results"], jax_run["meta"]
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")

    lines = [
        "# saddle and JAX side by side",
        "",
        f"Run of `benches/peers/run.sh{' --quick' if args.quick else ''}` on {now}.",
        "",
    ]
    lines += [f"- {m}" for m in machine()]
    lines += [
        f"- JAX {meta['jax']} (jaxlib {meta['jaxlib']}), Python {meta['python']}, float64, jit, "
        f"XLA_FLAGS=`{meta['xla_flags']}`; peak memory of the JAX process {meta['peak_rss_mb']:.0f} MB",
        f"- both sides pinned to core {args.core} (taskset), one thread; medians "
        "(saddle: criterion; JAX: median of per-call times, see BENCHMARKS.md)",
    ]
    if args.quick:
        lines += ["- **--quick: few samples, small sizes only: a smoke test, not a measurement**"]
    # The benchmark process itself keeps about 1 on the 1-minute load average;
    # more than that means other work shared the machine during the run.
    if os.getloadavg()[0] > 1.5:
        lines += ["- **the machine was loaded during this run (1-minute load average above 1.5): "
                  "the numbers are not reliable; rerun on a quiet machine**"]
    lines += [
        "",
        "| workload | op | saddle | JAX | saddle / JAX | note |",
        "|---|---|---|---|---|---|",
    ]
    missing = []
    for workload, op, sid, jkey, note in rows(args.quick):
        s = criterion_median(args.criterion, sid, args.since) if sid else None
        j = jax_res.get(jkey, {}).get("median_ns") if jkey else None
        if sid and s is None:
            missing.append(sid)
        ratio = f"{s / j:.3g}" if s is not None and j is not None else "–"
        lines.append(f"| {workload} | {op} | {fmt_ns(s)} | {fmt_ns(j)} | {ratio} | {note} |")
    lines.append("")
    if missing:
        lines.append("saddle benchmarks not measured in this run (not written yet, or failed): "
                     + ", ".join(f"`{m}`" for m in missing))
        lines.append("")
    text = "\n".join(lines)
    print(text)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as fh:
        fh.write(text)


if __name__ == "__main__":
    main()
