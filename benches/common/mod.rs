//! Ratios of criterion medians measured in the same run, printed by every
//! bench group after it finishes.
//!
//! The ratios are computed from the medians criterion itself reports, not
//! from a second measurement: after a group finishes, criterion has written
//! each benchmark's statistics to
//! `<criterion dir>/<group>/<function>/<parameter>/new/estimates.json`, and
//! [`Ratios`] reads `median.point_estimate` (ns per iteration) back from
//! there. A second timer next to criterion would cost run time and could
//! disagree with the numbers printed just above it.
//!
//! A file counts only if it was written since this bench process started
//! its first group ([`run_started`]), so a ratio never mixes this run with an
//! earlier one (e.g. when a filter skipped one of its two benchmarks); such a
//! ratio is printed as "not measured in this run" instead.
//!
//! The criterion directory is found the way criterion finds it:
//! `$CRITERION_HOME`, else `$CARGO_TARGET_DIR/criterion`, else the target
//! directory that `cargo metadata` names, else `target/criterion`.
//!
//! `estimates.json` is read with a small scanner rather than a JSON parser
//! (the root package has no JSON dev-dependency); it relies only on the
//! object `"median":{…,"point_estimate":<number>,…}` that criterion has
//! written in this layout since 0.3. If that ever changes, the ratio reads
//! "unreadable", it does not panic.

// Each bench target compiles its own copy of this module and uses a subset.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// When this bench process started measuring, truncated to whole seconds
/// (file systems with coarse timestamps would otherwise reject a file
/// written in the same second). The first call fixes it: call it (through
/// [`Ratios::new`]) at the start of the first group.
pub fn run_started() -> SystemTime {
    static STARTED: OnceLock<SystemTime> = OnceLock::new();
    *STARTED.get_or_init(|| {
        let now = SystemTime::now();
        let secs = now
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        UNIX_EPOCH + Duration::from_secs(secs)
    })
}

/// Whether criterion is measuring in this process (`cargo bench`): it
/// measures only when given `--bench` and none of `--test`, `--list`,
/// `--profile-time` (the same rule as `Criterion::configure_from_args`).
/// `cargo test --benches` runs each benchmark once and writes nothing, so
/// there are no ratios to print.
pub fn measuring() -> bool {
    let args: Vec<String> = std::env::args().collect();
    let has = |flag: &str| {
        args.iter()
            .any(|a| a == flag || a.starts_with(&format!("{flag}=")))
    };
    has("--bench") && !has("--test") && !has("--list") && !has("--profile-time")
}

/// The directory criterion writes to, found as criterion finds it.
pub fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(target).join("criterion");
    }
    cargo_metadata_target_dir()
        .unwrap_or_else(|| PathBuf::from("target"))
        .join("criterion")
}

/// `target_directory` from `cargo metadata` (cargo sets `$CARGO` for the
/// processes it runs).
fn cargo_metadata_target_dir() -> Option<PathBuf> {
    let cargo = std::env::var_os("CARGO")?;
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let key = "\"target_directory\":\"";
    let start = text.find(key)? + key.len();
    let end = start + text[start..].find('"')?;
    Some(PathBuf::from(&text[start..end]))
}

/// `median.point_estimate` from the text of a criterion `estimates.json`.
pub fn median_from_estimates(json: &str) -> Option<f64> {
    let median = json.find("\"median\":")?;
    let rest = &json[median..];
    let key = "\"point_estimate\":";
    let start = rest.find(key)? + key.len();
    let rest = &rest[start..];
    let end = rest.find([',', '}'])?;
    let value: f64 = rest[..end].trim().parse().ok()?;
    (value.is_finite() && value > 0.0).then_some(value)
}

/// The median (ns) of benchmark `id` (`group/function/parameter`, as
/// criterion prints it) if criterion wrote it during this run.
pub enum Median {
    /// Measured in this run, ns per iteration.
    Ns(f64),
    /// No estimates file written since [`run_started`].
    NotMeasured,
    /// A fresh file whose median could not be read.
    Unreadable,
}

fn median_of(dir: &Path, id: &str) -> Median {
    let path = dir.join(id).join("new").join("estimates.json");
    let fresh = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .map(|t| t >= run_started())
        .unwrap_or(false);
    if !fresh {
        return Median::NotMeasured;
    }
    match std::fs::read_to_string(&path)
        .ok()
        .as_deref()
        .and_then(median_from_estimates)
    {
        Some(ns) => Median::Ns(ns),
        None => Median::Unreadable,
    }
}

/// The bound a ratio is stated against.
#[derive(Clone, Copy)]
pub enum Target {
    /// No stated target: printed for information.
    None,
    /// The ratio should be at most this.
    AtMost(f64),
}

struct Row {
    label: String,
    num: String,
    den: String,
    den_scale: f64,
    target: Target,
}

/// The ratios one bench group states its targets in, printed after the
/// group from the medians of the same run.
pub struct Ratios {
    title: String,
    rows: Vec<Row>,
}

impl Ratios {
    /// Starts the ratio list of a group; fixes [`run_started`] if this is
    /// the first group of the process.
    pub fn new(title: &str) -> Self {
        run_started();
        Ratios {
            title: title.to_string(),
            rows: Vec::new(),
        }
    }

    /// Adds `median(num) / median(den)`; ids are `group/function/parameter`.
    pub fn ratio(&mut self, label: &str, num: &str, den: &str, target: Target) -> &mut Self {
        self.scaled(label, num, den, 1.0, target)
    }

    /// Adds `median(num) / (den_scale · median(den))`, e.g. 20 HVPs against
    /// 20 × one HVP.
    pub fn scaled(
        &mut self,
        label: &str,
        num: &str,
        den: &str,
        den_scale: f64,
        target: Target,
    ) -> &mut Self {
        self.rows.push(Row {
            label: label.to_string(),
            num: num.to_string(),
            den: den.to_string(),
            den_scale,
            target,
        });
        self
    }

    /// Prints every ratio (only when criterion is measuring).
    pub fn print(&self) {
        if !measuring() {
            return;
        }
        let dir = criterion_dir();
        println!("\n{} — ratios of this run's medians:", self.title);
        let width = self.rows.iter().map(|r| r.label.len()).max().unwrap_or(0);
        for row in &self.rows {
            let value = match (median_of(&dir, &row.num), median_of(&dir, &row.den)) {
                (Median::Ns(a), Median::Ns(b)) => Ok(a / (row.den_scale * b)),
                (Median::Unreadable, _) => Err(format!("unreadable estimates for {}", row.num)),
                (_, Median::Unreadable) => Err(format!("unreadable estimates for {}", row.den)),
                (Median::NotMeasured, _) => Err(format!("not measured in this run: {}", row.num)),
                (_, Median::NotMeasured) => Err(format!("not measured in this run: {}", row.den)),
            };
            let label = &row.label;
            match value {
                Ok(r) => {
                    let verdict = match row.target {
                        Target::None => String::new(),
                        Target::AtMost(t) if r <= t => format!("  (target ≤ {t}: met)"),
                        Target::AtMost(t) => format!("  (target ≤ {t}: NOT met)"),
                    };
                    println!("  {label:<width$}  {r:>9.3}{verdict}");
                }
                Err(why) => println!("  {label:<width$}          –  ({why})"),
            }
        }
    }
}
