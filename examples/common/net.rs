//! The network, data and progress bars the examples share.

use indicatif::{ProgressBar, ProgressStyle};
use saddle::nn::{datasets, Activation, Activations, Dataset, Init, Mlp};

/// A progress bar `what [=====>   ] pos/len msg (elapsed)`.
pub fn bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "  {what} [{{bar:40}}] {{pos}}/{{len}} {{msg}} ({{elapsed}})"
        ))
        .expect("a valid template")
        .progress_chars("=> "),
    );
    bar
}

/// The default problem of `analyze_mlp`: 200 samples of y = sin x + noise
/// (σ = 0.1) and a tanh MLP `[1, hidden…, 1]` (Xavier initialisation),
/// both from `seed`.
pub fn sine_problem(hidden: &[usize], seed: u64) -> Result<(Dataset, Mlp), saddle::nn::Error> {
    let data = datasets::noisy_sine(200, 0.1, seed)?;
    let mut sizes = vec![1];
    sizes.extend(hidden);
    sizes.push(1);
    let net = Mlp::new(
        &sizes,
        Activations::hidden_output(Activation::Tanh, Activation::Identity),
        Init::Xavier,
        seed,
    )?;
    Ok((data, net))
}

/// The parameter groups `W⁽ˡ⁾`, `b⁽ˡ⁾` of a network and their index ranges
/// in the flat parameter vector.
pub fn parameter_groups(net: &Mlp) -> Vec<(String, std::ops::Range<usize>)> {
    const SUP: [&str; 10] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"];
    let sup = |l: usize| -> String {
        l.to_string()
            .bytes()
            .map(|d| SUP[(d - b'0') as usize])
            .collect()
    };
    (0..net.num_layers())
        .flat_map(|l| {
            let (w, b) = net.layer_ranges(l);
            let k = sup(l + 1);
            [(format!("W⁽{k}⁾"), w), (format!("b⁽{k}⁾"), b)]
        })
        .collect()
}

/// `θ + t v`.
pub fn along(theta: &[f64], v: &[f64], t: f64) -> Vec<f64> {
    theta.iter().zip(v).map(|(a, b)| a + t * b).collect()
}

/// How far the second-order model `m(t) = s t + ½ λ t²` of
/// `δ(t) = L(θ + t v) − L(θ)` can be trusted: twice the largest `t`
/// (doubling from 10⁻⁶ up to 8) at which `|δ − m| ≤ 25% |m|` at `±t`. A
/// plot over that range shows both where the quadratic model describes the
/// loss and where higher-order terms take over.
pub fn trusted_range(delta: impl Fn(f64) -> Option<f64>, slope: f64, lambda: f64) -> f64 {
    let model = |t: f64| slope * t + 0.5 * lambda * t * t;
    let mut t_good = 1e-6;
    while t_good < 4.0 {
        let t = 2.0 * t_good;
        let ok = [t, -t].iter().all(|&s| {
            let m = model(s);
            delta(s).is_some_and(|d| (d - m).abs() <= 0.25 * m.abs().max(1e-15))
        });
        if !ok {
            break;
        }
        t_good = t;
    }
    2.0 * t_good
}
