//! Axis scales and their ticks: round values, labelled with as many digits
//! as the tick spacing needs (so `-0.4`, never `-0.40000000000000013`).

/// How data values map onto an axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scale {
    /// `v`.
    Linear,
    /// `log10 v` (values ≤ 0 are dropped).
    Log,
    /// `sign(v) · log10(1 + |v|/c)`: linear near 0 (|v| ≲ c), logarithmic
    /// beyond, so eigenvalues of both signs and many magnitudes fit.
    SymLog(f64),
}

impl Scale {
    /// The axis coordinate of a data value (`None` where undefined).
    pub fn forward(self, v: f64) -> Option<f64> {
        match self {
            Scale::Linear => v.is_finite().then_some(v),
            Scale::Log => (v > 0.0 && v.is_finite()).then(|| v.log10()),
            Scale::SymLog(c) => v
                .is_finite()
                .then(|| v.signum() * (1.0 + v.abs() / c).log10()),
        }
    }

    /// The data value at an axis coordinate.
    pub fn inverse(self, s: f64) -> f64 {
        match self {
            Scale::Linear => s,
            Scale::Log => 10f64.powf(s),
            Scale::SymLog(c) => s.signum() * c * (10f64.powf(s.abs()) - 1.0),
        }
    }
}

/// A tick: its axis coordinate and its label.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    pub at: f64,
    pub label: String,
}

/// A step of 1, 2 or 5 × 10ᵏ giving about `target` intervals over `span`.
pub fn nice_step(span: f64, target: usize) -> f64 {
    let raw = (span / target.max(1) as f64).abs().max(1e-300);
    let p = 10f64.powf(raw.log10().floor());
    let m = raw / p;
    let nice = if m < 1.5 {
        1.0
    } else if m < 3.5 {
        2.0
    } else if m < 7.5 {
        5.0
    } else {
        10.0
    };
    nice * p
}

/// `v` written with the digits a tick spacing of `step` needs: fixed point
/// for moderate magnitudes; otherwise a mantissa times `10^exp` with the
/// axis's common exponent `exp` (so an axis reads `-0.5e-7, -1.0e-7`, not
/// `-5e-8, -1.0e-7`). `-0` prints as `0`.
pub fn format_tick(v: f64, step: f64, exp: i32) -> String {
    if v == 0.0 || v.abs() < step.abs() * 1e-9 {
        return "0".to_string();
    }
    let step_exp = step.abs().log10().floor() as i32;
    let scientific = exp >= 5 || step.abs() < 1e-3;
    if !scientific {
        let decimals = (-step_exp).max(0) as usize;
        // Steps are 1, 2 or 5 × 10ᵏ: 10⁻ᵏ resolution shows them exactly.
        format!("{v:.decimals$}")
    } else {
        let digits = (exp - step_exp).clamp(0, 6) as usize;
        format!("{:.digits$}e{exp}", v / 10f64.powi(exp))
    }
}

/// A number for prose and titles: `sig` significant digits, fixed point
/// between 10⁻³ and 10⁵, `a.bcde±k` outside.
pub fn sig(v: f64, sig: usize) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let e = v.abs().log10().floor() as i32;
    if (-3..5).contains(&e) {
        let decimals = (sig as i32 - 1 - e).max(0) as usize;
        let s = format!("{v:.decimals$}");
        // 100.0 → 100, 0.50 → 0.5: trailing zeros say nothing here.
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    } else {
        format!("{:.*e}", sig.saturating_sub(1), v)
    }
}

/// Round ticks covering `[lo, hi]` in *axis* coordinates.
pub fn ticks(scale: Scale, lo: f64, hi: f64) -> Vec<Tick> {
    match scale {
        Scale::Linear => linear_ticks(lo, hi, 6),
        Scale::Log => log_ticks(lo, hi),
        Scale::SymLog(c) => symlog_ticks(c, lo, hi),
    }
}

fn linear_ticks(lo: f64, hi: f64, target: usize) -> Vec<Tick> {
    let step = nice_step(hi - lo, target);
    let k0 = (lo / step - 1e-9).ceil() as i64;
    let k1 = (hi / step + 1e-9).floor() as i64;
    let biggest = (k0.abs().max(k1.abs()) as f64 * step).max(step);
    let exp = biggest.log10().floor() as i32;
    (k0..=k1)
        .map(|k| {
            // k · step, computed once from integers: no accumulated noise.
            let v = k as f64 * step;
            Tick {
                at: v,
                label: format_tick(v, step, exp),
            }
        })
        .collect()
}

/// `10ᵏ` with a superscript exponent.
pub fn power_of_ten(k: i32) -> String {
    const SUP: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let mut s = "10".to_string();
    if k < 0 {
        s.push('⁻');
    }
    for d in k.unsigned_abs().to_string().bytes() {
        s.push(SUP[(d - b'0') as usize]);
    }
    s
}

fn log_ticks(lo: f64, hi: f64) -> Vec<Tick> {
    let (k0, k1) = ((lo - 1e-9).ceil() as i32, (hi + 1e-9).floor() as i32);
    if k1 - k0 < 2 {
        // Under two decades: 1, 2, 5 × 10ᵏ (and 3, 7 when that is too few).
        let pick = |ms: &[f64]| -> Vec<Tick> {
            (lo.floor() as i32 - 1..=hi.ceil() as i32)
                .flat_map(|k| ms.iter().map(move |m| m * 10f64.powi(k)))
                .filter(|v| (lo - 1e-9..=hi + 1e-9).contains(&v.log10()))
                .map(|v| Tick {
                    at: v.log10(),
                    label: sig(v, 1),
                })
                .collect()
        };
        let t = pick(&[1.0, 2.0, 5.0]);
        return if t.len() >= 3 {
            t
        } else {
            pick(&[1.0, 2.0, 3.0, 5.0, 7.0])
        };
    }
    let stride = ((k1 - k0) as usize).div_ceil(7).max(1) as i32;
    // Multiples of the stride: 10⁰, 10⁻⁵, 10⁻¹⁰, not 10⁻¹, 10⁻⁶, …
    (k0..=k1)
        .filter(|k| k.rem_euclid(stride) == 0)
        .map(|k| Tick {
            at: k as f64,
            label: power_of_ten(k),
        })
        .collect()
}

fn symlog_ticks(c: f64, lo: f64, hi: f64) -> Vec<Tick> {
    let s = Scale::SymLog(c);
    // Powers of ten from c up to `reach` on one side, at most 4 of them.
    let side = |reach: f64| -> Vec<i32> {
        // From 10c on: s(10c) = log10 11 ≈ 1 clears the 0 tick, s(c) ≈ 0.3
        // would not.
        let (p0, p1) = (
            (10.0 * c).log10().ceil() as i32,
            reach.log10().floor() as i32,
        );
        if p1 < p0 {
            return vec![];
        }
        let stride = ((p1 - p0 + 1) as usize).div_ceil(4) as i32;
        (p0..=p1).filter(|p| (p1 - p) % stride == 0).collect()
    };
    let mut out = vec![];
    for p in side(-s.inverse(lo)).into_iter().rev() {
        out.push((-(10f64.powi(p)), format!("−{}", power_of_ten(p))));
    }
    out.push((0.0, "0".to_string()));
    for p in side(s.inverse(hi)) {
        out.push((10f64.powi(p), power_of_ten(p)));
    }
    out.into_iter()
        .filter_map(|(v, label)| {
            let at = s.forward(v)?;
            (at >= lo - 1e-9 && at <= hi + 1e-9).then_some(Tick { at, label })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_noise_free() {
        let t = ticks(Scale::Linear, -0.43, 0.41);
        let labels: Vec<_> = t.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(
            labels,
            ["-0.4", "-0.3", "-0.2", "-0.1", "0", "0.1", "0.2", "0.3", "0.4"]
        );
        let labels: Vec<_> = ticks(Scale::Linear, -2.6e-7, 0.1e-7)
            .into_iter()
            .map(|t| t.label)
            .collect();
        assert_eq!(
            labels,
            ["-2.5e-7", "-2.0e-7", "-1.5e-7", "-1.0e-7", "-0.5e-7", "0"]
        );
        assert_eq!(format_tick(25_000.0, 5_000.0, 4), "25000");
        assert_eq!(format_tick(250_000.0, 50_000.0, 5), "2.5e5");
        assert_eq!(sig(95.346, 4), "95.35");
        assert_eq!(sig(100.0, 4), "100");
        assert_eq!(sig(-1.8777e-3, 3), "-0.00188");
        assert_eq!(sig(2.5e-7, 3), "2.50e-7");
    }
}
