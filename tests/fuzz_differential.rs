//! Differential fuzz test: random expressions over every `Float` function,
//! their gradient, HVP, dense and sparse Hessian from `saddle_dual`, against
//! two independent routes.
//!
//! Run it (CI runs the default, a few hundred cases in seconds):
//!
//! ```text
//! cargo test --release --test fuzz_differential -- --nocapture
//! ```
//!
//! The long run sets the number of cases (the seed is fixed, so a run is
//! reproducible; statistics are printed with `--nocapture`):
//!
//! ```text
//! SADDLE_FUZZ_CASES=20000 cargo test --release --test fuzz_differential -- --nocapture
//! ```
//!
//! A failure prints the shrunk expression in function notation (`x0`, `x1`,
//! `x2` are the inputs, `powi[3](a)` is `a.powi(3)`, `plus[2.0](a)` is
//! `a + 2.0` with a plain `f64` operand, a bare number is `Var::cst(c)`),
//! the point and the direction, each route's value and the reason.
//!
//! # What is generated
//!
//! Trees up to [`DEPTH`] levels over [`N`] inputs, with every unary method
//! of `saddle_tape::rules::float_rule_methods!` (all are differentiable
//! somewhere; the rounding functions have derivative 0 almost everywhere),
//! `powi`, `neg`, `relu`, `sigmoid`, `softplus`, arithmetic with a plain
//! `f64` on the right, and every binary method (`powf`, `log`, `max`, `min`,
//! `hypot`, `atan2`, `copysign`, `abs_sub`, `+ − × ÷`). Leaves are inputs or
//! constants (`Var::cst`), so constants reach every argument position.
//! Points and constants are drawn half from special values (0, ±½, ±1, ±1.5,
//! ±2, ±3) or those values nudged by ±10⁻¹², ±10⁻⁸, ±10⁻⁴, and half uniform
//! in [−3, 3]: branch points, ties of `max`/`min`, integers for the rounding
//! functions and negative bases with integer exponents come up often.
//!
//! # The routes and their tolerances
//!
//! 1. **num-dual** (`HyperDual64`): an independent implementation of the
//!    elementary rules; `Hᵢⱼ` is the `ε₁ε₂` part of `f(x + ε₁eᵢ + ε₂eⱼ)`,
//!    `(Hv)ᵢ` of `f(x + ε₁eᵢ + ε₂v)`. Both routes are exact up to rounding,
//!    so an entry passes when
//!    `|saddle − oracle| ≤ 10⁻¹⁰ · scale + 100 · noise`, where
//!    - `scale` is the largest magnitude of any intermediate value or
//!      derivative part in the oracle's evaluation (and of the two
//!      entries): a derivative that is a difference of large terms is only
//!      known to rounding of those terms. `10⁻¹⁰` is about 5·10⁵ ulps of
//!      room for rounding accumulated over the few dozen nodes of a tree,
//!      while a wrong rule is off by O(1);
//!    - `noise` is how far the oracle's own entry moves when every
//!      intermediate value and derivative part is multiplied by an
//!      independent `1 ± 4ε` (two runs): the rounding sensitivity of that
//!      entry. Where the result is ill-conditioned (`log(x, x)` near 1,
//!      `cbrt(x³)` at tiny x, `(x − c)/(x − c)`), two correct
//!      implementations that round differently legitimately differ by far
//!      more than `10⁻¹⁰ · scale`; 100× the measured sensitivity covers
//!      saddle's different rounding and stays orders of magnitude below an
//!      O(1) rule error (each fixed-case failure below exceeds its
//!      allowance by 10⁶ or more).
//!
//!    The oracle's value parts are plain `f64` (num-dual's own formulas
//!    give NaN where f64 does not, e.g. `0^b` as `0^(b−3)·0³`), a subtree
//!    without inputs has zero derivative parts, and `tanh`, `sigmoid`,
//!    `softplus` are written so that their exponentials cannot overflow
//!    (num-dual's `tanh` is `sinh/cosh`, ∞/∞ past 710). The piecewise
//!    functions (`abs`, `max`, the rounding functions, …) have no rules in
//!    num-dual; the oracle selects the branch by the value, as the
//!    mathematics does away from the kink.
//! 2. **Central differences** (`saddle_check`) of `f` (gradient) and of
//!    saddle's gradient (HVP, Hessian), default tolerance 10⁻⁶ (see
//!    `saddle_check`'s crate doc: the Richardson reference is good to about
//!    10⁻¹⁰ relative for smooth, well-scaled functions). Only where that
//!    holds: every intermediate value and derivative part at most 10⁴, and
//!    every kink, jump (including `atan2`'s cut) or singularity farther
//!    than the argument can move, to second order, while the inputs move
//!    100 difference steps. Near branch points differences are
//!    meaningless; route 1 covers those. The Richardson error grows with
//!    the fifth derivative, which the gate above does not see (`asinh` of
//!    `to_degrees(x)` near 0: a scale of 57 makes it 57⁵ times larger, and
//!    the reference is only good to 3·10⁻⁶). So a case that fails at the
//!    standard step is retried once with the step divided by [`FD_REFINE`]:
//!    truncation error falls as the fourth power of the step, so a correct
//!    claim then passes the *same* tolerance, while a wrong rule stays
//!    O(1) off at every step. If it still fails, the failure counts only
//!    when the two references agree with each other within the tolerance
//!    (the differences have converged); where they do not (rounding
//!    amplified near a pole: `tan(atan2(y, −10⁻⁴))` at `y ≈ −1`), route 2
//!    has no evidence either way and route 1 decides alone.
//!
//! # Where derivatives are not compared (and why)
//!
//! - **At a kink, jump or singularity of a non-constant argument** (`|0|`,
//!   `relu(0)`, `max`/`min`/`abs_sub` ties, the rounding functions at their
//!   jumps, `signum(0)`, `copysign` at a zero argument, `hypot`/`atan2` at
//!   the origin, `√`, `∛`, `1/x`, `ln`, `powi` (n < 0) at 0, `ln_1p` at −1,
//!   `asin`/`acos`/`atanh` at ±1, `acosh` at 1, `x ÷ 0`, `log` at base 1 or
//!   an argument 0, `powf` at base 0 unless the exponent is a constant
//!   integer ≥ 0, `powf` at a base < 0 with a non-constant exponent, where
//!   the function is undefined on one side): the derivative is undefined
//!   or infinite, and saddle's value there is a *convention* (documented in
//!   the `rules` module's table, checked by the edge-point tests), which
//!   num-dual does not share. The value is still compared. Smooth functions
//!   are never excluded at their formula's branch points: `softplus(0)`,
//!   `sigmoid(0)`, a negative base with a constant integer exponent.
//! - **Where the value is NaN or infinite** (outside a function's domain,
//!   at a pole, after an overflow): saddle's value must be the same NaN or
//!   infinity; derivatives of an undefined or infinite value are not
//!   compared (num-dual itself gives NaN tangents there, e.g. for a
//!   constant divided by 0).
//! - **Where an intermediate value is not finite but the output is** (a NaN
//!   or infinity discarded by `max`, `min`, a rounding function, a product
//!   with 0): reverse mode multiplies a zero adjoint by a non-finite partial,
//!   0·∞ = NaN, as every reverse-mode system does (JAX's `where` caveat).

use std::time::Instant;

use num_dual::{DualNum, HyperDual64};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{TestCaseError, TestRunner};
use saddle_check::expr::{Node, Tree};
use saddle_check::{check_gradient, check_hessian, check_hvp, strategies, Report, Tolerance};
use saddle_dual::{hessian, hvp, sparse_hessian};
use saddle_tape::Real;

/// Inputs per expression.
const N: usize = 3;
/// Levels per tree.
const DEPTH: u32 = 4;
/// Default number of cases (override with `SADDLE_FUZZ_CASES`).
const DEFAULT_CASES: u32 = 3000;
/// Route 1: relative to the scale of the intermediate terms (module doc).
const ORACLE_REL: f64 = 1e-10;
/// Route 1: multiple of the measured rounding noise allowed (module doc).
const ROUNDING_NOISE: f64 = 100.0;
/// Route 2 only where values and derivatives are at most this large.
const FD_MAGNITUDE: f64 = 1e4;
/// Route 2 only where every branch point is at least this many
/// finite-difference steps (`10⁻³ · max(1, |x|∞)`) away.
const FD_STEPS_TO_KINK: f64 = 100.0;
/// Route 2 retries a failed case with the step divided by this (module
/// doc): 8⁴ ≈ 4·10³ times less truncation error, while rounding error
/// (about `ε · |f| / step`) stays below 10⁻⁸ for values up to
/// [`FD_MAGNITUDE`].
const FD_REFINE: f64 = 8.0;

/// A unary operation: every unary `Float` method, `powi`, the activations
/// of `Real`, and arithmetic with a plain `f64` on the right.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Un {
    Floor,
    Ceil,
    Round,
    Trunc,
    Fract,
    Abs,
    Signum,
    Recip,
    Sqrt,
    Cbrt,
    Exp,
    Exp2,
    ExpM1,
    Ln,
    Log2,
    Log10,
    Ln1p,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
    ToDegrees,
    ToRadians,
    Neg,
    Relu,
    Sigmoid,
    Softplus,
    Powi(i32),
    PlusF64(f64),
    MinusF64(f64),
    TimesF64(f64),
    OverF64(f64),
}

/// A binary operation: every binary `Float` method and `+ − × ÷`.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Bin {
    Add,
    Sub,
    Mul,
    Div,
    Powf,
    Log,
    Max,
    Min,
    Hypot,
    Atan2,
    Copysign,
    AbsSub,
}

const UNARY: [Un; 35] = [
    Un::Floor,
    Un::Ceil,
    Un::Round,
    Un::Trunc,
    Un::Fract,
    Un::Abs,
    Un::Signum,
    Un::Recip,
    Un::Sqrt,
    Un::Cbrt,
    Un::Exp,
    Un::Exp2,
    Un::ExpM1,
    Un::Ln,
    Un::Log2,
    Un::Log10,
    Un::Ln1p,
    Un::Sin,
    Un::Cos,
    Un::Tan,
    Un::Asin,
    Un::Acos,
    Un::Atan,
    Un::Sinh,
    Un::Cosh,
    Un::Tanh,
    Un::Asinh,
    Un::Acosh,
    Un::Atanh,
    Un::ToDegrees,
    Un::ToRadians,
    Un::Neg,
    Un::Relu,
    Un::Sigmoid,
    Un::Softplus,
];

const BINARY: [Bin; 12] = [
    Bin::Add,
    Bin::Sub,
    Bin::Mul,
    Bin::Div,
    Bin::Powf,
    Bin::Log,
    Bin::Max,
    Bin::Min,
    Bin::Hypot,
    Bin::Atan2,
    Bin::Copysign,
    Bin::AbsSub,
];

impl std::fmt::Display for Un {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Un::Powi(n) => write!(f, "powi[{n}]"),
            Un::PlusF64(c) => write!(f, "plus[{c:?}]"),
            Un::MinusF64(c) => write!(f, "minus[{c:?}]"),
            Un::TimesF64(c) => write!(f, "times[{c:?}]"),
            Un::OverF64(c) => write!(f, "over[{c:?}]"),
            other => {
                let name = format!("{other:?}");
                // `ExpM1` → `exp_m1`: the method's name.
                let mut snake = String::new();
                for (i, ch) in name.chars().enumerate() {
                    if ch.is_ascii_uppercase() && i > 0 {
                        snake.push('_');
                    }
                    snake.push(ch.to_ascii_lowercase());
                }
                f.write_str(&snake)
            }
        }
    }
}

impl std::fmt::Display for Bin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self {
            Bin::Add => "add",
            Bin::Sub => "sub",
            Bin::Mul => "mul",
            Bin::Div => "div",
            Bin::Powf => "powf",
            Bin::Log => "log",
            Bin::Max => "max",
            Bin::Min => "min",
            Bin::Hypot => "hypot",
            Bin::Atan2 => "atan2",
            Bin::Copysign => "copysign",
            Bin::AbsSub => "abs_sub",
        };
        f.write_str(name)
    }
}

type Fx = Tree<Un, Bin>;

/// Evaluates on any number type of saddle: `f64`, `Var<f64>`, `Var<Dual>`.
fn eval<S: Real>(e: &Fx, x: &[S]) -> S {
    e.fold(|node: Node<'_, Un, Bin, S>| apply(node, x))
}

/// One node's operation on its children's values.
#[allow(deprecated)] // `Float::abs_sub` is deprecated, but it is a `Float` method users can call.
fn apply<S: Real>(node: Node<'_, Un, Bin, S>, x: &[S]) -> S {
    match node {
        Node::Input(i) => x[i],
        Node::Const(c) => S::cst(c),
        Node::Unary(u, a) => match *u {
            Un::Floor => a.floor(),
            Un::Ceil => a.ceil(),
            Un::Round => a.round(),
            Un::Trunc => a.trunc(),
            Un::Fract => a.fract(),
            Un::Abs => a.abs(),
            Un::Signum => a.signum(),
            Un::Recip => a.recip(),
            Un::Sqrt => a.sqrt(),
            Un::Cbrt => a.cbrt(),
            Un::Exp => a.exp(),
            Un::Exp2 => a.exp2(),
            Un::ExpM1 => a.exp_m1(),
            Un::Ln => a.ln(),
            Un::Log2 => a.log2(),
            Un::Log10 => a.log10(),
            Un::Ln1p => a.ln_1p(),
            Un::Sin => a.sin(),
            Un::Cos => a.cos(),
            Un::Tan => a.tan(),
            Un::Asin => a.asin(),
            Un::Acos => a.acos(),
            Un::Atan => a.atan(),
            Un::Sinh => a.sinh(),
            Un::Cosh => a.cosh(),
            Un::Tanh => a.tanh(),
            Un::Asinh => a.asinh(),
            Un::Acosh => a.acosh(),
            Un::Atanh => a.atanh(),
            Un::ToDegrees => a.to_degrees(),
            Un::ToRadians => a.to_radians(),
            Un::Neg => -a,
            Un::Relu => a.relu(),
            Un::Sigmoid => a.sigmoid(),
            Un::Softplus => a.softplus(),
            Un::Powi(n) => a.powi(n),
            Un::PlusF64(c) => a + c,
            Un::MinusF64(c) => a - c,
            Un::TimesF64(c) => a * c,
            Un::OverF64(c) => a / c,
        },
        Node::Binary(b, l, r) => match b {
            Bin::Add => l + r,
            Bin::Sub => l - r,
            Bin::Mul => l * r,
            Bin::Div => l / r,
            Bin::Powf => l.powf(r),
            Bin::Log => l.log(r),
            Bin::Max => l.max(r),
            Bin::Min => l.min(r),
            Bin::Hypot => l.hypot(r),
            Bin::Atan2 => l.atan2(r),
            Bin::Copysign => l.copysign(r),
            Bin::AbsSub => l.abs_sub(r),
        },
    }
}

// ---------------------------------------------------------------------------
// The oracle: num-dual's hyper-dual numbers.

/// A node's value in the oracle: the hyper-dual number, whether it depends
/// on an input, and its largest derivative part magnitude ("speed").
#[derive(Clone, Copy)]
struct Hd {
    d: HyperDual64,
    varying: bool,
}

/// What the oracle learned about the point while evaluating.
#[derive(Clone, Debug, Default)]
struct Findings {
    /// The first kink, jump or singularity met by a non-constant argument.
    kink: Option<String>,
    /// Some intermediate value is NaN or infinite.
    nonfinite_intermediate: bool,
    /// Largest magnitude of any value or derivative part (finite ones).
    scale: f64,
    /// Smallest distance (input units) of a non-constant argument to a
    /// branch point of its function.
    fd_unsafe: bool,
    /// How far (input units) the finite-difference route must stay clear.
    reach: f64,
    /// A negative base with a constant integer exponent was evaluated on a
    /// non-constant base (issue 9 defect 1): counted to show coverage.
    negative_base_constant_exponent: bool,
    /// `softplus` evaluated exactly at 0 on a non-constant argument (issue
    /// 9 defect 2): counted to show coverage.
    softplus_at_zero: bool,
    /// `copysign` took its sign from a NaN. IEEE 754 leaves the sign of a
    /// NaN produced by arithmetic unspecified (x86 keeps an operand's,
    /// whichever the compiler put first), so the result's sign is too.
    nan_sign_read: bool,
    /// Perturbation stream state; 0 for the exact run.
    perturb: u64,
}

impl Findings {
    fn new() -> Self {
        Findings {
            ..Findings::default()
        }
    }

    /// Notes an intermediate of a composite oracle formula (its terms
    /// bound the rounding error as much as the nodes do) and returns it.
    fn noted(&mut self, d: HyperDual64) -> HyperDual64 {
        let d = self.perturbed(d);
        self.note(&d);
        d
    }

    /// In a perturbed run, `d` with each of its four parts multiplied by
    /// its own `1 ± 4ε` (signs from a xorshift stream): rounding errors of
    /// the parts are independent, and a common factor would preserve the
    /// cancellations whose sensitivity is being measured. `d` otherwise.
    fn perturbed(&mut self, d: HyperDual64) -> HyperDual64 {
        if self.perturb == 0 {
            return d;
        }
        let mut part = |p: f64| {
            self.perturb ^= self.perturb << 13;
            self.perturb ^= self.perturb >> 7;
            self.perturb ^= self.perturb << 17;
            let sign = if self.perturb & 1 == 0 { 1.0 } else { -1.0 };
            p * (1.0 + sign * 4.0 * f64::EPSILON)
        };
        HyperDual64::new(part(d.re), part(d.eps1), part(d.eps2), part(d.eps1eps2))
    }

    /// Notes the largest term of the product rule for `l · r`, whose
    /// `ε₁ε₂` part `l r₁₂ + l₁ r₂ + l₂ r₁ + l₁₂ r` can cancel: the result
    /// is only known to rounding of its largest term.
    fn terms_of_product(&mut self, l: &HyperDual64, r: &HyperDual64) {
        let big = |d: &HyperDual64| {
            [d.re, d.eps1, d.eps2, d.eps1eps2]
                .iter()
                .filter(|p| p.is_finite())
                .fold(0.0_f64, |m, p| m.max(p.abs()))
        };
        let term = big(l) * big(r);
        if term.is_finite() {
            self.scale = self.scale.max(term);
        }
    }

    /// As [`Findings::terms_of_product`] for `l / r = l · (1/r)`, whose
    /// second-order terms reach `|l| |ṙ|² / |r|³` (`atan2(eˣ − 1, x)` near
    /// 0: terms of 10¹⁶ cancelling to 1/24).
    fn terms_of_quotient(&mut self, l: &HyperDual64, r: &HyperDual64) {
        if r.re == 0.0 || !r.re.is_finite() {
            return;
        }
        let inv = 1.0 / r.re.abs();
        let rd = r.eps1.abs().max(r.eps2.abs()).max(r.eps1eps2.abs());
        let recip_parts = HyperDual64::new(
            inv,
            rd * inv * inv,
            rd * inv * inv,
            2.0 * rd * rd * inv * inv * inv + rd * inv * inv,
        );
        self.terms_of_product(l, &recip_parts);
    }

    fn note(&mut self, d: &HyperDual64) {
        for p in [d.re, d.eps1, d.eps2, d.eps1eps2] {
            if p.is_finite() {
                self.scale = self.scale.max(p.abs());
            }
        }
        if !d.re.is_finite() {
            self.nonfinite_intermediate = true;
        }
    }

    /// A non-constant argument (`args`) is `distance` (in its own units)
    /// from a branch point; `at` says which, when the distance is 0.
    fn branch(&mut self, args: &[Hd], distance: f64, at: impl FnOnce() -> String) {
        if !args.iter().any(|a| a.varying) {
            return;
        }
        if distance == 0.0 && self.kink.is_none() {
            self.kink = Some(at());
        }
        self.fd_hazard(args, distance);
    }

    /// A non-constant argument is `distance` from a point where finite
    /// differences go wrong (a branch point, or a jump of the value).
    fn fd_hazard(&mut self, args: &[Hd], distance: f64) {
        if !args.iter().any(|a| a.varying) {
            return;
        }
        // How far the argument can move while the inputs move by `reach`
        // along the directions of this run: to second order.
        let (speed, curvature) = args.iter().fold((0.0_f64, 0.0_f64), |(s, c), a| {
            (
                s.max(a.d.eps1.abs()).max(a.d.eps2.abs()),
                c.max(a.d.eps1eps2.abs()),
            )
        });
        let moves = speed * self.reach + 0.5 * curvature * self.reach * self.reach;
        // A NaN distance or motion counts as "too close".
        if distance.is_nan() || moves.is_nan() || distance <= moves {
            self.fd_unsafe = true;
        }
    }
}

fn cst(c: f64) -> HyperDual64 {
    HyperDual64::from_re(c)
}

/// `f(a)` for a hyper-dual `a = t + ȧ₁ε₁ + ȧ₂ε₂ + ȧ₁₂ε₁ε₂`, given
/// `f(t)`, `f′(t)`, `f″(t)`:
/// `f(t) + f′ȧ₁ε₁ + f′ȧ₂ε₂ + (f′ȧ₁₂ + f″ȧ₁ȧ₂)ε₁ε₂`.
fn chain_hd(a: HyperDual64, v: f64, d1: f64, d2: f64) -> HyperDual64 {
    HyperDual64::new(
        v,
        d1 * a.eps1,
        d1 * a.eps2,
        d1 * a.eps1eps2 + d2 * a.eps1 * a.eps2,
    )
}

/// Replaces the value part, keeping the derivative parts.
fn with_re(mut d: HyperDual64, re: f64) -> HyperDual64 {
    d.re = re;
    d
}

/// Distance from `t` to the nearest integer.
fn to_integer(t: f64) -> f64 {
    (t - t.round()).abs()
}

/// The oracle's evaluation of one tree at hyper-dual inputs.
///
/// Every node's value part is set to the plain `f64` value of its
/// operation (num-dual's formulas differ in the last bits, or give NaN
/// where f64 does not, such as `0^b` as `0^(b−3)·0³`); the derivative
/// parts are num-dual's. With `found.perturb` set, every computed
/// intermediate is multiplied by `1 ± 4ε` (sign pseudo-random) to measure
/// how far rounding alone moves the result.
fn oracle(e: &Fx, x: &[HyperDual64], found: &mut Findings) -> HyperDual64 {
    let result = e.fold(|node: Node<'_, Un, Bin, Hd>| {
        let plain = match &node {
            Node::Input(i) => x[*i].re,
            Node::Const(c) => *c,
            Node::Unary(u, a) => apply(Node::Unary(*u, a.d.re), &[]),
            Node::Binary(b, l, r) => apply(Node::Binary(*b, l.d.re, r.d.re), &[]),
        };
        let computed = matches!(node, Node::Unary(..) | Node::Binary(..));
        let hd = match node {
            Node::Input(i) => Hd {
                d: x[i],
                varying: true,
            },
            Node::Const(c) => Hd {
                d: cst(c),
                varying: false,
            },
            Node::Unary(u, a) => Hd {
                d: oracle_unary(*u, a, found),
                varying: a.varying,
            },
            Node::Binary(b, l, r) => Hd {
                d: oracle_binary(*b, l, r, found),
                varying: l.varying || r.varying,
            },
        };
        // A subtree without inputs is a constant: zero derivatives, even
        // where num-dual's formula would give 0·∞ = NaN (`acos(1)`).
        let d = if hd.varying {
            with_re(hd.d, plain)
        } else {
            cst(plain)
        };
        let d = if computed { found.perturbed(d) } else { d };
        found.note(&d);
        Hd { d, ..hd }
    });
    result.d
}

fn oracle_unary(u: Un, arg: Hd, found: &mut Findings) -> HyperDual64 {
    let a = arg.d;
    let t = a.re;
    let name = u.to_string();
    let mut at = |distance: f64| {
        let (name, t) = (&name, t);
        found.branch(&[arg], distance, || format!("{name} at {t:?}"))
    };
    match u {
        Un::Floor | Un::Ceil | Un::Trunc => {
            at(to_integer(t));
            cst(match u {
                Un::Floor => t.floor(),
                Un::Ceil => t.ceil(),
                _ => t.trunc(),
            })
        }
        Un::Round => {
            at(to_integer(t - 0.5));
            cst(t.round())
        }
        Un::Fract => {
            at(to_integer(t));
            a - cst(t.trunc())
        }
        Un::Signum => {
            at(t.abs());
            cst(t.signum())
        }
        Un::Abs => {
            at(t.abs());
            if t < 0.0 {
                -a
            } else {
                a
            }
        }
        Un::Relu => {
            at(t.abs());
            if t > 0.0 {
                a
            } else {
                cst(0.0)
            }
        }
        Un::Recip => {
            at(t.abs());
            a.recip()
        }
        Un::Sqrt => {
            at(t.abs());
            a.sqrt()
        }
        Un::Cbrt => {
            at(t.abs());
            a.cbrt()
        }
        Un::Ln | Un::Log2 | Un::Log10 => {
            at(t.abs());
            match u {
                Un::Ln => a.ln(),
                Un::Log2 => a.log2(),
                _ => a.log10(),
            }
        }
        Un::Ln1p => {
            at((t + 1.0).abs());
            a.ln_1p()
        }
        // num-dual forms `1 − x²` and `x² − 1`, which lose half the digits
        // near ±1 (at x = 1 + 10⁻⁸: 8 digits); the oracle's slopes use the
        // factored forms, exact to a few ulps, as the chain rule
        // `f(a) = f(t) + f′(t)·ȧ + f″(t)·(ȧ₁ȧ₂)`.
        Un::Asin | Un::Acos => {
            at((1.0 - t.abs()).abs());
            let d1 = ((1.0 - t).sqrt() * (1.0 + t).sqrt()).recip();
            let (v, d1, d2) = if u == Un::Asin {
                (t.asin(), d1, t * d1 * d1 * d1)
            } else {
                (t.acos(), -d1, -t * d1 * d1 * d1)
            };
            chain_hd(a, v, d1, d2)
        }
        Un::Atanh => {
            at((1.0 - t.abs()).abs());
            let d1 = ((1.0 - t) * (1.0 + t)).recip();
            chain_hd(a, t.atanh(), d1, 2.0 * t * d1 * d1)
        }
        Un::Acosh => {
            at((t - 1.0).abs());
            let d1 = ((t - 1.0).sqrt() * (t + 1.0).sqrt()).recip();
            chain_hd(a, t.acosh(), d1, -t * d1 * d1 * d1)
        }
        Un::Tan => {
            // Poles where cos t = 0 (never exactly in f64).
            at(t.cos().abs());
            a.tan()
        }
        Un::Powi(n) => {
            if n < 0 {
                at(t.abs());
            }
            a.powi(n)
        }
        Un::OverF64(c) => {
            // Division by a constant 0 is a singularity of every argument.
            if c == 0.0 {
                at(0.0);
            }
            a / c
        }
        Un::Exp => a.exp(),
        Un::Exp2 => a.exp2(),
        Un::ExpM1 => a.exp_m1(),
        Un::Sin => a.sin(),
        Un::Cos => a.cos(),
        Un::Atan => a.atan(),
        Un::Sinh => a.sinh(),
        Un::Cosh => a.cosh(),
        Un::Tanh => {
            // tanh a = (1 − e^{−2a})/(1 + e^{−2a}) for a ≥ 0, odd: never
            // ∞/∞ (num-dual's sinh/cosh is, past |a| ≈ 710).
            let s = if t < 0.0 { -1.0 } else { 1.0 };
            let e = found.noted((a * (-2.0 * s)).exp());
            (cst(1.0) - e) / (cst(1.0) + e) * s
        }
        Un::Asinh => a.asinh(),
        Un::ToDegrees => a * (180.0 / std::f64::consts::PI),
        Un::ToRadians => a * (std::f64::consts::PI / 180.0),
        Un::Neg => -a,
        Un::Sigmoid => {
            // 1/(1 + e^{−a}) = e^{a}/(1 + e^{a}): the form whose
            // exponential cannot overflow.
            if t >= 0.0 {
                found.noted(cst(1.0) + (-a).exp()).recip()
            } else {
                let e = found.noted(a.exp());
                e / (cst(1.0) + e)
            }
        }
        Un::Softplus => {
            if t == 0.0 && arg.varying {
                found.softplus_at_zero = true;
            }
            // ln(1 + eᵗ) = t + ln(1 + e⁻ᵗ): one analytic function, written
            // so that the exponential never overflows.
            if t > 0.0 {
                a + found.noted((-a).exp()).ln_1p()
            } else {
                found.noted(a.exp()).ln_1p()
            }
        }
        Un::PlusF64(c) => a + c,
        Un::MinusF64(c) => a - c,
        Un::TimesF64(c) => a * c,
    }
}

fn oracle_binary(b: Bin, left: Hd, right: Hd, found: &mut Findings) -> HyperDual64 {
    let (l, r) = (left.d, right.d);
    let (p, q) = (l.re, r.re);
    let name = b.to_string();
    let at = |found: &mut Findings, args: &[Hd], distance: f64| {
        found.branch(args, distance, || format!("{name} at ({p:?}, {q:?})"))
    };
    match b {
        Bin::Add => l + r,
        Bin::Sub => l - r,
        Bin::Mul => {
            found.terms_of_product(&l, &r);
            l * r
        }
        Bin::Div => {
            at(found, &[left, right], q.abs());
            found.terms_of_quotient(&l, &r);
            l / r
        }
        Bin::Powf => {
            if !right.varying {
                // A constant exponent: num-dual's own power rule, valid
                // for negative bases when the exponent is an integer.
                let integer_exponent = q == q.trunc();
                if p < 0.0 && integer_exponent && left.varying {
                    found.negative_base_constant_exponent = true;
                }
                if !(integer_exponent && q >= 0.0) {
                    at(found, &[left], p.abs());
                }
                // The value is f64's: num-dual computes 0^b as
                // 0^(b−3)·0³, which is ∞·0 = NaN for b < 3.
                with_re(l.powf(q), p.powf(q))
            } else {
                // A varying exponent: aᵇ = e^{b ln a}, defined for a > 0
                // only; at a ≤ 0 the function is undefined on one side.
                at(found, &[left, right], p.max(0.0));
                let exponent = found.noted(l.ln()) * r;
                with_re(found.noted(exponent).exp(), p.powf(q))
            }
        }
        Bin::Log => {
            at(
                found,
                &[left, right],
                p.abs().min(q.abs()).min((q - 1.0).abs()),
            );
            found.noted(l.ln()) / found.noted(r.ln())
        }
        Bin::Max | Bin::Min => {
            at(found, &[left, right], (p - q).abs());
            // f64's rule: a NaN argument is ignored.
            let take_left = if b == Bin::Max { p >= q } else { p <= q };
            if q.is_nan() || (take_left && !p.is_nan()) {
                l
            } else {
                r
            }
        }
        Bin::AbsSub => {
            at(found, &[left, right], (p - q).abs());
            if p > q {
                l - r
            } else {
                cst(0.0)
            }
        }
        Bin::Hypot => {
            at(found, &[left, right], p.hypot(q));
            found.noted(l * l + r * r).sqrt()
        }
        Bin::Atan2 => {
            at(found, &[left, right], p.hypot(q));
            // The value jumps by 2π across the cut y = 0, x < 0, where the
            // derivatives are smooth: a hazard for differences only.
            if q < 0.0 {
                found.fd_hazard(&[left, right], p.abs());
            }
            // atan2(y, x) differs from atan(y/x), or from −atan(x/y), by a
            // constant: take the quotient that is at most 1 in magnitude.
            let d = if q.abs() >= p.abs() {
                found.terms_of_quotient(&l, &r);
                found.noted(l / r).atan()
            } else {
                found.terms_of_quotient(&r, &l);
                -found.noted(r / l).atan()
            };
            with_re(d, p.atan2(q))
        }
        Bin::Copysign => {
            at(found, &[left, right], p.abs().min(q.abs()));
            if q.is_nan() {
                found.nan_sign_read = true;
            }
            if p.is_sign_negative() == q.is_sign_negative() {
                l
            } else {
                -l
            }
        }
    }
}

/// The oracle's gradient, `H v` and Hessian (row-major), with findings,
/// and how far rounding moves each (`*_noise`, see [`oracle`]).
struct OracleResult {
    value: f64,
    gradient: Vec<f64>,
    hv: Vec<f64>,
    hessian: Vec<f64>,
    found: Findings,
    gradient_noise: Vec<f64>,
    hv_noise: Vec<f64>,
    hessian_noise: Vec<f64>,
}

/// The base step of saddle-check's central differences at `x`.
fn fd_step(x: &[f64]) -> f64 {
    1e-3 * x.iter().fold(1.0_f64, |m, a| m.max(a.abs()))
}

/// The unit vector `eⱼ` in `ℝᴺ`.
fn unit(j: usize) -> Vec<f64> {
    (0..N).map(|k| if k == j { 1.0 } else { 0.0 }).collect()
}

/// `saddle_check::central_difference` with its step divided by `refine`:
/// `(4 D(h/2) − D(h)) / 3`, `D(h) = (g(x + h v) − g(x − h v)) / 2h`,
/// `h = 10⁻³ · max(1, |x|∞) / (|v|∞ · refine)`.
fn richardson(g: &impl Fn(&[f64]) -> Vec<f64>, x: &[f64], v: &[f64], refine: f64) -> Vec<f64> {
    let vmax = v.iter().fold(0.0_f64, |m, a| m.max(a.abs()));
    if vmax == 0.0 {
        return vec![0.0; g(x).len()];
    }
    let h = fd_step(x) / (vmax * refine);
    let d = |h: f64| -> Vec<f64> {
        let at = |t: f64| -> Vec<f64> { x.iter().zip(v).map(|(a, b)| a + t * b).collect() };
        let (plus, minus) = (g(&at(h)), g(&at(-h)));
        plus.iter()
            .zip(&minus)
            .map(|(p, m)| (p - m) / (2.0 * h))
            .collect()
    };
    let (coarse, fine) = (d(h), d(h / 2.0));
    fine.iter()
        .zip(&coarse)
        .map(|(f, c)| (4.0 * f - c) / 3.0)
        .collect()
}

/// Seeds of the perturbed runs (any nonzero xorshift states).
const PERTURBATIONS: [u64; 2] = [0x9E37_79B9_7F4A_7C15, 0xD1B5_4A32_D192_ED03];

fn oracle_all(e: &Fx, x: &[f64], v: &[f64]) -> OracleResult {
    let exact = oracle_run(e, x, v, 0);
    let n = x.len();
    let mut noise: [Vec<f64>; 3] = [vec![0.0; n], vec![0.0; n], vec![0.0; n * n]];
    for seed in PERTURBATIONS {
        let p = oracle_run(e, x, v, seed);
        let pairs = [
            (&exact.gradient, &p.gradient),
            (&exact.hv, &p.hv),
            (&exact.hessian, &p.hessian),
        ];
        for (noise, (a, b)) in noise.iter_mut().zip(pairs) {
            for (m, (a, b)) in noise.iter_mut().zip(a.iter().zip(b.iter())) {
                let d = (a - b).abs();
                if d.is_finite() {
                    *m = f64::max(*m, d);
                } else if a.is_finite() != b.is_finite() {
                    // Rounding alone changes the class: anything goes.
                    *m = f64::INFINITY;
                }
            }
        }
    }
    let [gradient_noise, hv_noise, hessian_noise] = noise;
    OracleResult {
        gradient_noise,
        hv_noise,
        hessian_noise,
        ..exact
    }
}

fn oracle_run(e: &Fx, x: &[f64], v: &[f64], perturb: u64) -> OracleResult {
    let n = x.len();
    let mut found = Findings::new();
    found.perturb = perturb;
    found.reach = FD_STEPS_TO_KINK * fd_step(x);
    let seed = |d1: &dyn Fn(usize) -> f64, d2: &dyn Fn(usize) -> f64| -> Vec<HyperDual64> {
        (0..n)
            .map(|k| HyperDual64::new(x[k], d1(k), d2(k), 0.0))
            .collect()
    };
    let unit = |i: usize| move |k: usize| if k == i { 1.0 } else { 0.0 };
    let mut gradient = vec![0.0; n];
    let mut hv = vec![0.0; n];
    let mut value = f64::NAN;
    for i in 0..n {
        let y = oracle(e, &seed(&unit(i), &|k| v[k]), &mut found);
        value = y.re;
        gradient[i] = y.eps1;
        hv[i] = y.eps1eps2;
    }
    let mut hessian = vec![0.0; n * n];
    for i in 0..n {
        for j in i..n {
            let y = oracle(e, &seed(&unit(i), &unit(j)), &mut found);
            hessian[i * n + j] = y.eps1eps2;
            hessian[j * n + i] = y.eps1eps2;
        }
    }
    OracleResult {
        value,
        gradient,
        hv,
        hessian,
        found,
        gradient_noise: Vec::new(),
        hv_noise: Vec::new(),
        hessian_noise: Vec::new(),
    }
}

// ---------------------------------------------------------------------------
// Comparison.

/// Same class of non-finite value (NaN, +∞, −∞), or both finite.
fn same_class(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a.is_infinite() && a == b) || (a.is_finite() && b.is_finite())
}

/// Route 1's error of one entry as a fraction of its allowance
/// `ORACLE_REL · scale + ROUNDING_NOISE · noise` (≤ 1 passes); `None` if
/// the classes differ.
fn oracle_error(ours: f64, oracle: f64, scale: f64, noise: f64) -> Option<f64> {
    if !same_class(ours, oracle) {
        return None;
    }
    if !oracle.is_finite() {
        return Some(0.0);
    }
    let s = scale.max(ours.abs()).max(oracle.abs());
    let err = (ours - oracle).abs();
    Some(if err == 0.0 {
        0.0
    } else {
        err / (ORACLE_REL * s + ROUNDING_NOISE * noise)
    })
}

/// Worst errors seen, per route, over a run.
#[derive(Default, Debug)]
struct Stats {
    cases: u64,
    compared: u64,
    at_kink: u64,
    nonfinite_value: u64,
    masked_nonfinite: u64,
    fd_checked: u64,
    /// Route-2 cases that needed the finer step (module doc).
    fd_refined: u64,
    /// Of those, cases where the two steps disagree with each other beyond
    /// the tolerance: the route cannot decide there (module doc).
    fd_unconverged: u64,
    negative_base_constant_exponent: u64,
    softplus_at_zero: u64,
    worst_oracle: [f64; 4],
    worst_fd: [f64; 3],
}

const ORACLE_ROUTES: [&str; 4] = ["gradient", "hvp", "hessian", "sparse_hessian"];
const FD_ROUTES: [&str; 3] = ["gradient", "hvp", "hessian"];

fn compare_oracle(
    route: &str,
    ours: &[f64],
    oracle: &[f64],
    noise: &[f64],
    scale: f64,
    worst: &mut f64,
) -> Result<(), String> {
    if ours.len() != oracle.len() {
        return Err(format!(
            "{route}: {} entries, oracle {}",
            ours.len(),
            oracle.len()
        ));
    }
    for (k, ((&a, &b), &n)) in ours.iter().zip(oracle).zip(noise).enumerate() {
        match oracle_error(a, b, scale, n) {
            Some(ratio) if ratio <= 1.0 => *worst = worst.max(ratio),
            Some(ratio) => {
                return Err(format!(
                    "{route}[{k}]: saddle {a:e}, num-dual {b:e}: error {:.3e} is {ratio:.3e} × the allowed {ORACLE_REL:e} × scale {scale:.3e} + {ROUNDING_NOISE} × rounding noise {n:.3e}",
                    (a - b).abs()
                ))
            }
            None => {
                return Err(format!(
                    "{route}[{k}]: saddle {a:e}, num-dual {b:e}: different non-finite class"
                ))
            }
        }
    }
    Ok(())
}

/// One case: every route, every comparison.
fn run_case(e: &Fx, x: &[f64], v: &[f64], stats: &mut Stats) -> Result<(), String> {
    stats.cases += 1;
    let o = oracle_all(e, x, v);
    let r = hvp(|y| eval(e, y), x, v).map_err(|err| format!("hvp: {err}"))?;
    let h = hessian(|y| eval(e, y), x)
        .map_err(|err| format!("hessian: {err}"))?
        .to_row_major();
    let s = sparse_hessian(|y| eval(e, y), x)
        .map_err(|err| format!("sparse_hessian: {err}"))?
        .to_dense_row_major();
    let plain = eval(e, x);

    // A sign copied from a NaN is unspecified (`Findings::nan_sign_read`),
    // and so is everything computed from it: nothing to compare.
    if o.found.nan_sign_read {
        stats.masked_nonfinite += 1;
        return Ok(());
    }
    // Values: the tape's value is plain f64 arithmetic, bit for bit.
    let same = |a: f64, b: f64| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
    if !same(plain, r.value) {
        return Err(format!(
            "value: hvp's {:e} is not the plain f64 value {plain:e}",
            r.value
        ));
    }
    // At a kink or singularity num-dual's own formulas may give another
    // class (its `powf` computes 0^b as 0^(b−3)·0³ = ∞·0 = NaN), so there
    // only the f64 value above is authoritative.
    let value_agrees = same(plain, o.value);
    if o.found.kink.is_none() && !value_agrees {
        return Err(format!("value: saddle {plain:e}, num-dual {:e}", o.value));
    }

    if o.found.negative_base_constant_exponent {
        stats.negative_base_constant_exponent += 1;
    }
    if o.found.softplus_at_zero {
        stats.softplus_at_zero += 1;
    }
    if o.found.kink.is_some() {
        stats.at_kink += 1;
        return Ok(());
    }
    if !plain.is_finite() {
        stats.nonfinite_value += 1;
        return Ok(());
    }
    if o.found.nonfinite_intermediate && o.value.is_finite() {
        stats.masked_nonfinite += 1;
        return Ok(());
    }
    stats.compared += 1;
    let scale = o.found.scale;
    let w = &mut stats.worst_oracle;
    compare_oracle(
        "gradient",
        &r.gradient,
        &o.gradient,
        &o.gradient_noise,
        scale,
        &mut w[0],
    )?;
    compare_oracle("hvp", &r.hv, &o.hv, &o.hv_noise, scale, &mut w[1])?;
    compare_oracle(
        "hessian",
        &h,
        &o.hessian,
        &o.hessian_noise,
        scale,
        &mut w[2],
    )?;
    compare_oracle(
        "sparse_hessian",
        &s,
        &o.hessian,
        &o.hessian_noise,
        scale,
        &mut w[3],
    )?;

    // Route 2, where central differences are accurate (module doc).
    let smooth_enough =
        !o.found.fd_unsafe && o.found.scale <= FD_MAGNITUDE && !o.found.nonfinite_intermediate;
    if smooth_enough {
        stats.fd_checked += 1;
        let grad = |y: &[f64]| {
            saddle_dual::gradient(|z| eval(e, z), y)
                .map_or_else(|_| vec![f64::NAN; y.len()], |g| g.gradient)
        };
        let tol = Tolerance::default();
        let reports = [
            check_gradient(|y| eval(e, y), x, &r.gradient, tol),
            check_hvp(grad, x, v, &r.hv, tol),
            check_hessian(grad, x, &h, tol),
        ];
        for (k, report) in reports.iter().enumerate() {
            let report = if report.passed() {
                report.clone()
            } else {
                // Truncation error or a wrong claim: a finer step decides.
                stats.fd_refined += 1;
                let f = |y: &[f64]| vec![eval(e, y)];
                let reference = |refine: f64| -> Vec<f64> {
                    match k {
                        0 => (0..N)
                            .map(|j| richardson(&f, x, &unit(j), refine)[0])
                            .collect(),
                        1 => richardson(&grad, x, v, refine),
                        _ => {
                            let mut m = vec![0.0; N * N];
                            for j in 0..N {
                                for (i, c) in richardson(&grad, x, &unit(j), refine)
                                    .into_iter()
                                    .enumerate()
                                {
                                    m[i * N + j] = c;
                                }
                            }
                            m
                        }
                    }
                };
                let (coarse, finer) = (reference(1.0), reference(FD_REFINE));
                let claimed: &[f64] = match k {
                    0 => &r.gradient,
                    1 => &r.hv,
                    _ => &h,
                };
                let refined = Report::compare(FD_ROUTES[k], claimed, &finer, tol);
                if !refined.passed() {
                    // The reference is evidence only where it has converged:
                    // if the two steps disagree with each other by more
                    // than the tolerance, rounding (or truncation) rules the
                    // differences here and the route cannot decide.
                    let converged = Report::compare(FD_ROUTES[k], &finer, &coarse, tol);
                    if !converged.passed() {
                        stats.fd_unconverged += 1;
                        continue;
                    }
                    return Err(format!(
                        "finite differences: {report}\n  and with the step / {FD_REFINE}: {refined}"
                    ));
                }
                refined
            };
            stats.worst_fd[k] = stats.worst_fd[k].max(report.ratio());
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Strategies.

/// 0 three times: the branch point of most functions.
const SPECIAL: [f64; 15] = [
    0.0, 0.0, 0.0, 0.5, -0.5, 1.0, -1.0, 1.5, -1.5, 2.0, -2.0, 3.0, -3.0, 2.5, -2.5,
];
const NUDGE: [f64; 6] = [1e-12, -1e-12, 1e-8, -1e-8, 1e-4, -1e-4];

/// Special values, nudged special values, and uniform values in [−3, 3].
fn number() -> impl Strategy<Value = f64> + Clone {
    prop_oneof![
        1 => -3.0..=3.0,
        1 => select(&SPECIAL[..]),
        1 => (select(&SPECIAL[..]), select(&NUDGE[..])).prop_map(|(a, d)| a + d),
    ]
}

fn unary_op() -> impl Strategy<Value = Un> + Clone {
    prop_oneof![
        6 => select(&UNARY[..]),
        1 => (-3..=4_i32).prop_map(Un::Powi),
        1 => number().prop_map(Un::PlusF64),
        1 => number().prop_map(Un::MinusF64),
        1 => number().prop_map(Un::TimesF64),
        1 => number().prop_map(Un::OverF64),
    ]
}

fn tree() -> impl Strategy<Value = Fx> {
    let leaf = prop_oneof![
        2 => (0..N).prop_map(Fx::Input),
        1 => number().prop_map(Fx::Const),
    ];
    leaf.prop_recursive(DEPTH, 16, 2, |inner| {
        prop_oneof![
            (unary_op(), inner.clone()).prop_map(|(u, a)| Fx::Unary(u, Box::new(a))),
            (select(&BINARY[..]), inner.clone(), inner).prop_map(|(b, l, r)| Fx::Binary(
                b,
                Box::new(l),
                Box::new(r)
            )),
        ]
    })
}

fn cases() -> u32 {
    match std::env::var("SADDLE_FUZZ_CASES") {
        Ok(s) => s
            .parse()
            .unwrap_or_else(|_| panic!("SADDLE_FUZZ_CASES={s:?} is not a case count")),
        Err(_) => DEFAULT_CASES,
    }
}

#[test]
fn saddle_matches_num_dual_and_finite_differences_on_random_expressions() {
    let cases = cases();
    let mut config = strategies::config(cases);
    config.source_file = Some(file!());
    let mut runner = TestRunner::new(config);
    let stats = std::cell::RefCell::new(Stats::default());
    let start = Instant::now();
    let strategy = (
        tree(),
        proptest::collection::vec(number(), N),
        strategies::direction(N),
    );
    let outcome = runner.run(&strategy, |(e, x, v)| {
        run_case(&e, &x, &v, &mut stats.borrow_mut()).map_err(|why| {
            TestCaseError::fail(format!("{why}\n  f = {e}\n  x = {x:?}\n  v = {v:?}"))
        })
    });
    let stats = stats.into_inner();
    println!(
        "fuzz_differential: {cases} cases in {:.1} s; {stats:#?}",
        start.elapsed().as_secs_f64()
    );
    for (route, w) in ORACLE_ROUTES.iter().zip(stats.worst_oracle) {
        println!("  worst error vs num-dual, {route}: {w:.3e} of the allowance");
    }
    for (route, w) in FD_ROUTES.iter().zip(stats.worst_fd) {
        println!("  worst error vs finite differences, {route}: {w:.3e} of the allowed 1e-6·(1 + |entry|)");
    }
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
    // The generator reaches what it must (a test that never visits the
    // branch points proves nothing about them).
    if cases >= DEFAULT_CASES {
        assert!(stats.compared * 4 >= stats.cases, "{stats:#?}");
        assert!(stats.fd_checked * 10 >= stats.cases, "{stats:#?}");
        assert!(stats.at_kink > 0, "{stats:#?}");
        assert!(stats.negative_base_constant_exponent > 0, "{stats:#?}");
        assert!(stats.softplus_at_zero > 0, "{stats:#?}");
    }
}

/// Spot checks of the oracle itself on closed forms, so a mistake in the
/// test's own rules cannot pass for agreement.
#[test]
fn the_oracle_is_right_on_closed_forms() {
    let x = [-2.0, 0.7, 1.3];
    let v = [1.0, 0.0, 0.0];
    // x0.powf(2): H₀₀ = 2 at any base, negative included.
    let e = Fx::Binary(Bin::Powf, Box::new(Fx::Input(0)), Box::new(Fx::Const(2.0)));
    let o = oracle_all(&e, &x, &v);
    assert_eq!((o.value, o.gradient[0], o.hessian[0]), (4.0, -4.0, 2.0));
    assert!(o.found.kink.is_none() && o.found.negative_base_constant_exponent);
    // atan2(x1, x0) at (0.7, −2): ∂/∂y = x/(x²+y²), ∂/∂x = −y/(x²+y²).
    let e = Fx::Binary(Bin::Atan2, Box::new(Fx::Input(1)), Box::new(Fx::Input(0)));
    let o = oracle_all(&e, &x, &v);
    let r2 = 0.49 + 4.0;
    assert!((o.gradient[1] - (-2.0 / r2)).abs() < 1e-15);
    assert!((o.gradient[0] - (-0.7 / r2)).abs() < 1e-15);
    assert_eq!(o.value, 0.7f64.atan2(-2.0));
    // softplus″(0) = σ(0)(1 − σ(0)) = 1/4.
    let e = Fx::Unary(Un::Softplus, Box::new(Fx::Input(0)));
    let o = oracle_all(&e, &[0.0, 0.0, 0.0], &v);
    assert!((o.hessian[0] - 0.25).abs() < 1e-16 && (o.gradient[0] - 0.5).abs() < 1e-16);
    // |x| at 0 is a kink; max at a tie is a kink; both are reported.
    let e = Fx::Unary(Un::Abs, Box::new(Fx::Input(0)));
    assert!(oracle_all(&e, &[0.0; 3], &v).found.kink.is_some());
    let e = Fx::Binary(Bin::Max, Box::new(Fx::Input(0)), Box::new(Fx::Input(1)));
    assert!(oracle_all(&e, &[1.0, 1.0, 0.0], &v).found.kink.is_some());
    // A kink of a constant argument is not one.
    let e = Fx::Binary(
        Bin::Mul,
        Box::new(Fx::Input(0)),
        Box::new(Fx::Unary(Un::Abs, Box::new(Fx::Const(0.0)))),
    );
    assert!(oracle_all(&e, &x, &v).found.kink.is_none());
    // The printed form names methods and plain-f64 operands.
    let e = Fx::Unary(
        Un::PlusF64(2.0),
        Box::new(Fx::Unary(Un::ExpM1, Box::new(Fx::Input(2)))),
    );
    assert_eq!(e.to_string(), "plus[2.0](exp_m1(x2))");
}

/// Builders for the hand-written cases below.
fn input(i: usize) -> Box<Fx> {
    Box::new(Fx::Input(i))
}
fn konst(c: f64) -> Box<Fx> {
    Box::new(Fx::Const(c))
}
fn un(u: Un, a: Box<Fx>) -> Box<Fx> {
    Box::new(Fx::Unary(u, a))
}
fn bin(b: Bin, l: Box<Fx>, r: Box<Fx>) -> Box<Fx> {
    Box::new(Fx::Binary(b, l, r))
}

/// Shrunk failures the fuzzer found (and the two defects it must find),
/// kept as fixed cases so they are checked on every run whatever the
/// random stream reaches. Each is a smooth function at a point where its
/// formula has a branch, so the true derivatives exist and num-dual has
/// them; the test lists every case that fails.
#[test]
fn branch_point_cases_found_by_the_fuzzer() {
    let v = [0.6, -0.3, 0.8];
    let cases: Vec<(&str, Box<Fx>, [f64; 3])> = vec![
        (
            // Issue 9 defect 1: HVP NaN, true H = 2.
            "powf with a constant exponent at a negative base",
            bin(Bin::Powf, input(0), konst(2.0)),
            [-2.0, 0.5, 1.0],
        ),
        (
            // Issue 9 defect 2: (softplus²)'' at 0 is 2σ² + 2 softplus·σ(1−σ).
            "softplus at exactly 0",
            bin(
                Bin::Mul,
                un(Un::Softplus, input(0)),
                un(Un::Softplus, input(0)),
            ),
            [0.0, 0.5, 1.0],
        ),
        (
            // ∂²(aᵇ)/∂a∂b = a^{b−1}(1 + b ln a) = 1/a at b = 0: saddle
            // gives 0 (the rule's `b == 0` shortcut has no tangent).
            "powf with a varying exponent at exactly 0",
            bin(Bin::Powf, input(1), input(0)),
            [0.0, 1.5, 1.0],
        ),
        (
            // d/da (b·a^{b−1}) at b = 1, a = 0 is 0; saddle's dual powf
            // computes (−∞)·0 = NaN for the exponent's zero tangent.
            "powf with constant exponent 1 at base 0",
            bin(Bin::Powf, input(0), konst(1.0)),
            [0.0, 0.5, 1.0],
        ),
        (
            // A constant whose rule has an infinite partial there
            // (acos′(−1) = −∞) gets tangent ∞·0 = NaN on dual numbers,
            // which then poisons H v although the constant's derivative
            // is 0.
            "constant acos(-1) times a variable",
            bin(Bin::Mul, input(0), un(Un::Acos, konst(-1.0))),
            [0.7, 0.5, 1.0],
        ),
        (
            "constant sqrt(0) times a variable",
            bin(Bin::Mul, un(Un::Sin, input(0)), un(Un::Sqrt, konst(0.0))),
            [0.7, 0.5, 1.0],
        ),
        (
            // ln of a negative constant base in the exponent partial.
            "constant powf(-1.5, 2) times a variable",
            bin(
                Bin::Mul,
                un(Un::Sin, input(0)),
                bin(Bin::Powf, konst(-1.5), konst(2.0)),
            ),
            [0.7, 0.5, 1.0],
        ),
        (
            // f64's abs_sub (fdim) is NaN for a NaN argument; the rule
            // returns 0, so the recorded value differs from plain f64
            // and a NaN is silently dropped.
            "abs_sub with a NaN argument",
            bin(Bin::AbsSub, un(Un::Ln, input(0)), input(1)),
            [-1.0, 0.5, 1.0],
        ),
    ];
    let mut failures = Vec::new();
    for (name, e, x) in cases {
        let mut stats = Stats::default();
        if let Err(why) = run_case(&e, &x, &v, &mut stats) {
            failures.push(format!(
                "{name}: {why}\n  f = {e}\n  x = {x:?}\n  v = {v:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
