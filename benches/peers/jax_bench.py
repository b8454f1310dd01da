#!/usr/bin/env python3
"""JAX on the saddle benchmark workloads (W1, W2, W5 of BENCHMARKS.md).

Protocol (the same as saddle's criterion benches, see BENCHMARKS.md):
float64, every op under jax.jit, one core (run.sh sets XLA_FLAGS, the
OMP/MKL/OpenBLAS thread counts and taskset -c 0), the result awaited with
block_until_ready on every call, the first call (compile) and a warm-up
excluded, then the median over many samples of the time per call.

Before timing anything, every workload's values are checked against the
reference values of BENCHMARKS.md to 1e-10 relative, so both sides measure
the same function; a mismatch exits with status 1 before any timing.

Writes one JSON object {key: {"median_ns", "samples", "calls_per_sample",
"note"}} (key = "<workload>/<op>", e.g. "w1/gradient/1000") to --out.
"""

import argparse
import gc
import json
import os
import platform
import resource
import statistics
import sys
import time

import jax
import jaxlib
import jax.numpy as jnp
import numpy as np

jax.config.update("jax_enable_x64", True)

RTOL = 1e-10

# --- reference values (BENCHMARKS.md) ------------------------------------

W1_REF = {
    10: dict(f=436.971366160762273, gnorm=867.077288193687195,
             vhv=2502.18145032581242, trace=5274.42566432292642),
    100: dict(f=4806.33186066181497, gnorm=2878.46973763001051,
              vhv=29018.5422605203967, trace=58031.5197049076451),
    1000: dict(f=48516.4772802216175, gnorm=9146.20080372639495,
               vhv=292480.451508161961, trace=585425.650971635943),
}
W2_REF = {
    "small": dict(f=0.138317210377813110, gnorm=0.296683577708078128,
                  vhv=3.27245034409413016, trace=3.06563020972173783),
    "medium": dict(f=0.134622710295607295, gnorm=0.285382229292418299,
                   vhv=1.25863652295648998, trace=7.65649938037956446),
}
W5_REF = dict(f=1.6129753562745837, gnorm=0.04420699623310858,
              gv=0.04532049644412157, vhv=0.6508839895578975,
              hvnorm=0.5822922578944741, trace=1.2658068778431744,
              vgv=0.581243885950868)

# --- workloads, inputs in f64 in the order BENCHMARKS.md writes them -----


def w1_point(n):
    i = np.arange(n, dtype=np.float64)
    return 0.8 * np.cos(0.7 * i)


def direction(n):
    p = np.arange(n, dtype=np.float64)
    return np.sin(1.3 * p + 0.5)


def rosenbrock(x):
    """W1, written as a JAX user writes it: vector ops on shifted slices."""
    a, b = x[:-1], x[1:]
    return jnp.sum(100.0 * (b - a * a) ** 2 + (1.0 - a) ** 2)


def mlp_params(sizes):
    """Params = concat over layers l = 1..L of [W row-major, b]."""
    parts = []
    for l, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        idx = np.arange(fan_in * fan_out, dtype=np.float64)
        parts.append(0.5 * np.sin(1.7 * idx + l) / np.sqrt(float(fan_in)))
        k = np.arange(fan_out, dtype=np.float64)
        parts.append(0.1 * np.cos(0.9 * k + l))
    return np.concatenate(parts)


def mlp_inputs(n, d_in):
    k = np.arange(n * d_in, dtype=np.float64)
    return np.sin(0.37 * k + 0.1).reshape(n, d_in)


def make_forward(sizes):
    """Row-vector MLP z = aW + b on the flat parameter vector; tanh hidden,
    identity output. The unflattening is static slicing inside the jitted
    function, so gradients and Hessians are with respect to the flat vector,
    as in saddle."""
    shapes = list(zip(sizes[:-1], sizes[1:]))

    def forward(p, x):
        a, o = x, 0
        for l, (fi, fo) in enumerate(shapes):
            w = p[o:o + fi * fo].reshape(fi, fo)
            o += fi * fo
            b = p[o:o + fo]
            o += fo
            a = a @ w + b
            if l + 1 < len(shapes):
                a = jnp.tanh(a)
        return a

    return forward


def w2(sizes, n):
    forward = make_forward(sizes)
    x = mlp_inputs(n, sizes[0])
    y = 0.5 * np.cos(0.23 * np.arange(n, dtype=np.float64))

    def loss(p, x, y):
        r = forward(p, x)[:, 0] - y
        return jnp.mean(r * r)

    p = mlp_params(sizes)
    return loss, p, (jnp.asarray(x), jnp.asarray(y))


W5_SIZES = [10, 64, 64, 5]
W5_N = 256


def w5():
    forward = make_forward(W5_SIZES)
    x = mlp_inputs(W5_N, W5_SIZES[0])
    i = np.arange(W5_N)
    c = (3 * i + i // 7) % 5

    def loss(p, x, c):
        z = forward(p, x)
        picked = jnp.take_along_axis(z, c[:, None], axis=1)[:, 0]
        return jnp.mean(jax.nn.logsumexp(z, axis=1) - picked)

    def ggnvp(p, v, x, c):
        """G v = Jᵀ H_z J v: jvp of the logits, H_z in closed form
        ((diag(s) − s sᵀ)/N per row), then vjp of the logits."""
        logits = lambda q: forward(q, x)
        z, jv = jax.jvp(logits, (p,), (v,))
        s = jax.nn.softmax(z, axis=1)
        hz = (s * jv - s * jnp.sum(s * jv, axis=1, keepdims=True)) / W5_N
        _, pullback = jax.vjp(logits, p)
        return pullback(hz)[0]

    def ggn(p, x, c):
        """Dense G = Σ_i J_iᵀ H_i J_i with J = jacfwd of the logits."""
        j = jax.jacfwd(lambda q: forward(q, x))(p)  # (N, 5, P)
        s = jax.nn.softmax(forward(p, x), axis=1)  # (N, 5)
        hj = (s[:, :, None] * j - s[:, :, None] * jnp.einsum("nk,nkp->np", s, j)[:, None, :]) / W5_N
        k = j.shape[0] * j.shape[1]
        return j.reshape(k, -1).T @ hj.reshape(k, -1)

    p = mlp_params(W5_SIZES)
    return loss, ggnvp, ggn, p, (jnp.asarray(x), jnp.asarray(c))


# --- derivative ops ---------------------------------------------------------


def hvp_of(loss):
    """H v as forward-over-reverse: jvp of grad."""
    g = jax.grad(loss)

    def hvp(p, v, *data):
        return jax.jvp(lambda q: g(q, *data), (p,), (v,))[1]

    return hvp


def twenty_hvps_loop(hvp):
    """20 HVPs in a jitted lax.fori_loop: iteration i computes H((i+1) v)
    and accumulates it. The direction depends on the loop index, so XLA
    cannot hoist the tangent and adjoint work out of the loop (it may hoist
    the direction-independent forward pass, as it would for any user).
    Result: 210 H v."""

    def run(p, v, *data):
        def body(i, acc):
            return acc + hvp(p, (i + 1.0) * v, *data)

        return jax.lax.fori_loop(0, 20, body, jnp.zeros_like(p))

    return run


def twenty_hvps_vmap(hvp):
    """20 HVPs batched with vmap over the directions (i+1) v, i = 0..19: one
    forward pass, 20 tangent lanes. Result: their sum, 210 H v."""

    def run(p, v, *data):
        scales = jnp.arange(1.0, 21.0)
        hv = jax.vmap(lambda s: hvp(p, s * v, *data))(scales)
        return jnp.sum(hv, axis=0)

    return run


# --- checks -------------------------------------------------------------------

failures = []


def check(name, got, want):
    got = float(got)
    rel = abs(got - want) / abs(want)
    ok = rel <= RTOL
    print(f"  check {name:<28} {got:.17g}  ref {want:.17g}  rel {rel:.1e}  {'ok' if ok else 'MISMATCH'}")
    if not ok:
        failures.append(name)


# --- timing -----------------------------------------------------------------


def median_ns(fn, args, samples, sample_s, warmup_s):
    """Compile, warm up, then `samples` samples of k calls each (k chosen so
    a sample lasts about sample_s); the median of the per-call times."""
    jax.block_until_ready(fn(*args))  # compile
    t_end = time.perf_counter() + warmup_s
    calls, t0 = 0, time.perf_counter()
    while True:
        jax.block_until_ready(fn(*args))
        calls += 1
        if time.perf_counter() >= t_end:
            break
    per_call = (time.perf_counter() - t0) / calls
    k = max(1, int(sample_s / per_call))
    times = []
    gc_was = gc.isenabled()
    gc.disable()
    try:
        for _ in range(samples):
            t = time.perf_counter_ns()
            for _ in range(k):
                jax.block_until_ready(fn(*args))
            times.append((time.perf_counter_ns() - t) / k)
    finally:
        if gc_was:
            gc.enable()
    return statistics.median(times), samples, k


class Timer:
    def __init__(self, quick, only):
        self.results = {}
        self.quick = quick
        self.only = only
        # quick: a smoke test; full: 100 samples of ≥ 2 ms, ~0.3 s warm-up.
        self.samples, self.sample_s, self.warmup_s = (10, 0.002, 0.05) if quick else (100, 0.002, 0.3)

    def time(self, key, fn, args, note="", samples=None):
        if self.only and not any(key.startswith(o) for o in self.only):
            return
        s = samples or self.samples
        med, n, k = median_ns(fn, args, s, self.sample_s, self.warmup_s)
        self.results[key] = dict(median_ns=med, samples=n, calls_per_sample=k, note=note)
        print(f"  {key:<32} {fmt_ns(med):>10}   ({n} samples × {k} calls){'  ' + note if note else ''}",
              flush=True)


def fmt_ns(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


# --- main -------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help="smoke test: W1 n ≤ 100, W2-small, W5 without the dense matrices; few samples")
    ap.add_argument("--check-only", action="store_true",
                    help="check every value against the references (full sizes, dense matrices included), time nothing")
    ap.add_argument("--only", action="append", default=[],
                    help="time only keys starting with this prefix (repeatable), e.g. w2/hvp")
    ap.add_argument("--out", default=None, help="write the medians as JSON here")
    args = ap.parse_args()
    quick = args.quick
    heavy_samples = 5  # W2-medium / W5 dense Hessian and GGN take seconds each

    print(f"JAX {jax.__version__} (jaxlib {jaxlib.__version__}), Python {platform.python_version()}, "
          f"devices {jax.devices()}, XLA_FLAGS={os.environ.get('XLA_FLAGS', '')!r}, "
          f"affinity {sorted(os.sched_getaffinity(0))}")
    timer = Timer(quick, args.only)
    w1_sizes = [10, 100] if quick else [10, 100, 1000]
    w2_sizes = [("small", [4, 16, 16, 1], 64)] + ([] if quick else [("medium", [8, 64, 64, 1], 256)])
    dense = not quick

    # W1 -------------------------------------------------------------------
    f1 = jax.jit(rosenbrock)
    g1 = jax.jit(jax.grad(rosenbrock))
    hvp1 = jax.jit(lambda x, v: jax.jvp(jax.grad(rosenbrock), (x,), (v,))[1])
    h1 = jax.jit(jax.hessian(rosenbrock))
    w1_args = {}
    print("W1 extended Rosenbrock: values")
    for n in w1_sizes:
        x, v = jnp.asarray(w1_point(n)), jnp.asarray(direction(n))
        w1_args[n] = (x, v)
        ref = W1_REF[n]
        check(f"w1 n={n} f", f1(x), ref["f"])
        check(f"w1 n={n} |g|", jnp.linalg.norm(g1(x)), ref["gnorm"])
        check(f"w1 n={n} vHv", jnp.dot(v, hvp1(x, v)), ref["vhv"])
        check(f"w1 n={n} trace H", jnp.trace(h1(x)), ref["trace"])

    # W2 -------------------------------------------------------------------
    w2_ops = {}
    print("W2 MLP regression: values")
    for name, sizes, n in w2_sizes:
        loss, p, data = w2(sizes, n)
        p, v = jnp.asarray(p), jnp.asarray(direction(p.size))
        hvp = hvp_of(loss)
        ops = dict(
            loss=jax.jit(loss),
            gradient=jax.jit(jax.grad(loss)),
            hvp=jax.jit(hvp),
            loop=jax.jit(twenty_hvps_loop(hvp)),
            vmap=jax.jit(twenty_hvps_vmap(hvp)),
            hessian=jax.jit(jax.hessian(loss)),
        )
        w2_ops[name] = (ops, p, v, data)
        ref = W2_REF[name]
        check(f"w2-{name} f", ops["loss"](p, *data), ref["f"])
        check(f"w2-{name} |g|", jnp.linalg.norm(ops["gradient"](p, *data)), ref["gnorm"])
        check(f"w2-{name} vHv", jnp.dot(v, ops["hvp"](p, v, *data)), ref["vhv"])
        check(f"w2-{name} vHv (fori_loop)/210", jnp.dot(v, ops["loop"](p, v, *data)) / 210.0, ref["vhv"])
        check(f"w2-{name} vHv (vmap)/210", jnp.dot(v, ops["vmap"](p, v, *data)) / 210.0, ref["vhv"])
        if dense or name == "small":
            check(f"w2-{name} trace H", jnp.trace(ops["hessian"](p, *data)), ref["trace"])

    # W5 -------------------------------------------------------------------
    print("W5 softmax cross-entropy: values")
    loss5, ggnvp5, ggn5, p5, data5 = w5()
    p5, v5 = jnp.asarray(p5), jnp.asarray(direction(p5.size))
    hvp5 = hvp_of(loss5)
    ops5 = dict(
        loss=jax.jit(loss5),
        gradient=jax.jit(jax.grad(loss5)),
        hvp=jax.jit(hvp5),
        ggnvp=jax.jit(ggnvp5),
        hessian=jax.jit(jax.hessian(loss5)),
        ggn=jax.jit(ggn5),
    )
    g5 = ops5["gradient"](p5, *data5)
    hv5 = ops5["hvp"](p5, v5, *data5)
    check("w5 f", ops5["loss"](p5, *data5), W5_REF["f"])
    check("w5 |g|", jnp.linalg.norm(g5), W5_REF["gnorm"])
    check("w5 g.v", jnp.dot(g5, v5), W5_REF["gv"])
    check("w5 vHv", jnp.dot(v5, hv5), W5_REF["vhv"])
    check("w5 |Hv|", jnp.linalg.norm(hv5), W5_REF["hvnorm"])
    check("w5 vGv", jnp.dot(v5, ops5["ggnvp"](p5, v5, *data5)), W5_REF["vgv"])
    if dense:
        check("w5 trace H", jnp.trace(ops5["hessian"](p5, *data5)), W5_REF["trace"])
        check("w5 vGv (dense G)", v5 @ ops5["ggn"](p5, *data5) @ v5, W5_REF["vgv"])

    if failures:
        print(f"JAX values differ from the references: {failures}", file=sys.stderr)
        sys.exit(1)
    if args.check_only:
        print("all values match the references; --check-only: nothing timed")
        return

    # timing ---------------------------------------------------------------
    print("timing (median per call)")
    for n in w1_sizes:
        x, v = w1_args[n]
        timer.time(f"w1/f/{n}", f1, (x,))
        timer.time(f"w1/gradient/{n}", g1, (x,))
        timer.time(f"w1/hvp/{n}", hvp1, (x, v), "jvp of grad")
        timer.time(f"w1/hessian/{n}", h1, (x,), "jax.hessian")
    for name, (ops, p, v, data) in w2_ops.items():
        timer.time(f"w2/loss/{name}", ops["loss"], (p, *data))
        timer.time(f"w2/gradient/{name}", ops["gradient"], (p, *data))
        timer.time(f"w2/hvp/{name}", ops["hvp"], (p, v, *data), "jvp of grad")
        timer.time(f"w2/20_hvps_loop/{name}", ops["loop"], (p, v, *data), "lax.fori_loop")
        timer.time(f"w2/20_hvps_vmap/{name}", ops["vmap"], (p, v, *data), "vmap over 20 directions")
        if name == "small":
            timer.time(f"w2/hessian/{name}", ops["hessian"], (p, *data), "jax.hessian")
        else:
            timer.time(f"w2/hessian/{name}", ops["hessian"], (p, *data), f"jax.hessian, {heavy_samples} samples",
                       samples=heavy_samples)
    timer.time("w5/loss", ops5["loss"], (p5, *data5))
    timer.time("w5/gradient", ops5["gradient"], (p5, *data5))
    timer.time("w5/hvp", ops5["hvp"], (p5, v5, *data5), "jvp of grad")
    timer.time("w5/ggnvp", ops5["ggnvp"], (p5, v5, *data5), "jvp, H_z, vjp")
    if dense:
        timer.time("w5/hessian", ops5["hessian"], (p5, *data5), f"jax.hessian, {heavy_samples} samples",
                   samples=heavy_samples)
        timer.time("w5/ggn", ops5["ggn"], (p5, *data5), f"jacfwd + matmul, {heavy_samples} samples",
                   samples=heavy_samples)

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of the JAX process: {peak_mb:.0f} MB")
    if args.out:
        meta = dict(jax=jax.__version__, jaxlib=jaxlib.__version__, python=platform.python_version(),
                    xla_flags=os.environ.get("XLA_FLAGS", ""), affinity=sorted(os.sched_getaffinity(0)),
                    quick=quick, peak_rss_mb=peak_mb)
        with open(args.out, "w") as fh:
            json.dump(dict(meta=meta, results=timer.results), fh, indent=1)


if __name__ == "__main__":
    main()
