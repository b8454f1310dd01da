//! Tolerances and the report of one comparison.

use std::fmt;

/// When a claimed entry counts as equal to its reference:
/// `|claimed − reference| ≤ abs + rel · max(|claimed|, |reference|)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tolerance {
    /// Absolute slack, for entries near zero.
    pub abs: f64,
    /// Relative slack.
    pub rel: f64,
}

impl Default for Tolerance {
    /// `abs = rel = 10⁻⁶`: for comparisons against finite differences (see
    /// the crate doc for why).
    fn default() -> Self {
        Tolerance {
            abs: 1e-6,
            rel: 1e-6,
        }
    }
}

impl Tolerance {
    /// A tolerance with the given absolute and relative slack.
    pub fn new(abs: f64, rel: f64) -> Self {
        Tolerance { abs, rel }
    }

    /// The slack allowed for this pair of numbers.
    pub fn allowed(&self, claimed: f64, reference: f64) -> f64 {
        self.abs + self.rel * claimed.abs().max(reference.abs())
    }

    /// `Err` naming the field unless both slacks are finite and `≥ 0` (a
    /// negative slack would make every error pass, a NaN every error fail).
    pub fn validate(&self) -> Result<(), String> {
        for (name, value) in [("abs", self.abs), ("rel", self.rel)] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(format!(
                    "tolerance {name} = {value} is not a finite number ≥ 0"
                ));
            }
        }
        Ok(())
    }
}

/// The entry that came closest to (or furthest past) its tolerance.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Worst {
    /// Its index in the compared vector (row-major for matrices).
    pub index: usize,
    /// The claimed value.
    pub claimed: f64,
    /// The reference value.
    pub reference: f64,
    /// `|claimed − reference|`.
    pub abs_error: f64,
    /// `|claimed − reference| / max(|claimed|, |reference|)` (0 if both are 0).
    pub rel_error: f64,
}

/// The outcome of one check: how many entries were compared and the worst.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    what: &'static str,
    entries: usize,
    worst: Option<Worst>,
    /// `abs_error / allowed` of the worst entry: `≤ 1` passes.
    ratio: f64,
    length_mismatch: Option<(usize, usize)>,
    /// Why the check could not be made (bad input to the check itself).
    problem: Option<String>,
    tolerance: Tolerance,
}

impl Report {
    /// Compares `claimed` entry by entry with `reference`.
    ///
    /// The report fails (never panics) when the lengths differ or the
    /// tolerance is invalid ([`Tolerance::validate`]).
    pub fn compare(
        what: &'static str,
        claimed: &[f64],
        reference: &[f64],
        tolerance: Tolerance,
    ) -> Report {
        let mut report = Report {
            what,
            entries: claimed.len(),
            worst: None,
            ratio: 0.0,
            length_mismatch: None,
            problem: None,
            tolerance,
        };
        if let Err(problem) = tolerance.validate() {
            return Report::invalid(what, problem, tolerance);
        }
        if claimed.len() != reference.len() {
            report.length_mismatch = Some((claimed.len(), reference.len()));
            report.ratio = f64::INFINITY;
            return report;
        }
        for (index, (&c, &r)) in claimed.iter().zip(reference).enumerate() {
            let abs_error = (c - r).abs();
            let scale = c.abs().max(r.abs());
            let rel_error = if scale == 0.0 { 0.0 } else { abs_error / scale };
            let ratio = if abs_error.is_nan() {
                f64::INFINITY
            } else if abs_error == 0.0 {
                0.0
            } else {
                abs_error / tolerance.allowed(c, r)
            };
            if report.worst.is_none() || ratio > report.ratio {
                report.ratio = ratio;
                report.worst = Some(Worst {
                    index,
                    claimed: c,
                    reference: r,
                    abs_error,
                    rel_error,
                });
            }
        }
        report
    }

    /// A failed report for a check that could not be made, saying why
    /// (`problem`, e.g. "x is empty").
    pub fn invalid(what: &'static str, problem: impl Into<String>, tolerance: Tolerance) -> Report {
        Report {
            what,
            entries: 0,
            worst: None,
            ratio: f64::INFINITY,
            length_mismatch: None,
            problem: Some(problem.into()),
            tolerance,
        }
    }

    /// Why the check could not be made, if it could not.
    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    /// True when every entry is within tolerance.
    pub fn passed(&self) -> bool {
        self.ratio <= 1.0
    }

    /// The worst entry (`None` when nothing was compared).
    pub fn worst(&self) -> Option<Worst> {
        self.worst
    }

    /// Number of entries compared.
    pub fn entries(&self) -> usize {
        self.entries
    }

    /// The worst entry's error divided by its allowed slack (`≤ 1` passes).
    pub fn ratio(&self) -> f64 {
        self.ratio
    }

    /// Panics with the report unless it passed.
    ///
    /// # Panics
    /// If any entry is outside tolerance.
    #[track_caller]
    pub fn assert_passed(&self) {
        assert!(self.passed(), "{self}");
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.passed() { "passed" } else { "FAILED" };
        if let Some(problem) = &self.problem {
            return write!(f, "{} check {verdict}: {problem}", self.what);
        }
        if let Some((c, r)) = self.length_mismatch {
            return write!(
                f,
                "{} check {verdict}: claimed has {c} entries, reference {r}",
                self.what
            );
        }
        write!(
            f,
            "{} check {verdict} over {} entries",
            self.what, self.entries
        )?;
        if let Some(w) = self.worst {
            write!(
                f,
                "; worst at index {}: claimed {:e}, reference {:e}, abs error {:.3e}, rel error {:.3e} (tolerance abs {:e}, rel {:e})",
                w.index, w.claimed, w.reference, w.abs_error, w.rel_error, self.tolerance.abs, self.tolerance.rel
            )?;
        }
        Ok(())
    }
}
