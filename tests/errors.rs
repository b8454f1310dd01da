//! One error story: every crate's error converts into `saddle::Error` with
//! `?`, `source()` chains walk down to the innermost error, and messages
//! keep their numbers.
#![cfg(all(feature = "nn", feature = "curvature"))]

use std::error::Error as StdError;

use saddle::curvature::{lanczos, Eigen, Function, Objective, Smooth};
use saddle::dual::FnOperator;
use saddle::dual::{hessian, HessianOptions};
use saddle::nn::{datasets, Activation, Activations, Init, Mlp};
use saddle::objectives::NetworkLoss;
use saddle::tape::Tape;
use saddle::{Origin, Real};

/// The chain of `e` and its sources, as messages.
fn chain(e: &dyn StdError) -> Vec<String> {
    let mut out = vec![e.to_string()];
    let mut next = e.source();
    while let Some(s) = next {
        out.push(s.to_string());
        next = s.source();
    }
    out
}

/// The tape's own error for a 2×2 block given 3 values.
fn tape_error() -> saddle::tape::Error {
    let tape = Tape::<f64>::new();
    tape.constant_block(2, 2, &[1.0, 2.0, 3.0]).unwrap_err()
}

/// Uses nn, dual, tape and curvature, each through `?`: the eigenvalues of
/// the Hessian of x₀² + 3x₁² (exactly 2 and 6), and the size of a network.
fn mixed(x: &[f64], sizes: &[usize], block: usize) -> Result<(Vec<f64>, usize), saddle::Error> {
    let net = Mlp::new(
        sizes,
        Activations::hidden_output(Activation::Tanh, Activation::Identity),
        Init::Xavier,
        7,
    )?;
    let h = hessian(|p| p[0] * p[0] + p[1] * p[1] * 3.0, x)?;
    let e = Eigen::of_symmetric(block, h.as_column_major())?;
    let tape = Tape::<f64>::new();
    tape.constant_block(1, block, &vec![0.0; block])?;
    Ok((e.values().to_vec(), net.num_params()))
}

#[test]
fn question_mark_converts_every_crate_error() {
    // Eigenvalues of diag(2, 6): Hessian entries are exact in forward-over-
    // reverse (products of exact constants), and the eigensolver is
    // backward stable: 1e-12 is ~4500 ulps of 6, far above its error.
    let (values, params) = mixed(&[0.5, -1.0], &[1, 3, 1], 2).unwrap();
    assert!((values[0] - 2.0).abs() < 1e-12 && (values[1] - 6.0).abs() < 1e-12);
    assert_eq!(params, 3 + 3 + 3 + 1);

    let nn = mixed(&[0.5, -1.0], &[1], 2).unwrap_err();
    assert_eq!(nn.origin(), Origin::Nn);
    assert!(nn.as_nn().is_some());

    let dual = mixed(&[], &[1, 3, 1], 2).unwrap_err();
    assert_eq!(dual.origin(), Origin::Dual);
    assert!(dual.to_string().contains("x is empty"), "{dual}");

    // A 2×2 Hessian passed as a 3×3 matrix: curvature names the sizes.
    let curvature = mixed(&[0.5, -1.0], &[1, 3, 1], 3).unwrap_err();
    assert_eq!(curvature.origin(), Origin::Curvature);
    assert!(
        curvature.to_string().contains("got 4 entries for n = 3"),
        "{curvature}"
    );
    assert!(curvature.as_curvature().is_some() && curvature.as_dual().is_none());

    let tape = saddle::Error::from(tape_error());
    assert_eq!(
        (tape.origin(), tape.origin().to_string()),
        (Origin::Tape, "saddle-tape".into())
    );
}

#[test]
fn source_chain_walks_from_nn_through_dual_to_tape() {
    let tape = tape_error();
    let dual = saddle::dual::Error::from(tape.clone());
    let nn = saddle::nn::Error::from(dual.clone());

    // nn → dual → tape, then nothing.
    let s1 = nn.source().expect("nn wraps the dual error");
    assert_eq!(s1.downcast_ref::<saddle::dual::Error>(), Some(&dual));
    let s2 = s1.source().expect("dual wraps the tape error");
    assert_eq!(s2.downcast_ref::<saddle::tape::Error>(), Some(&tape));
    assert!(s2.source().is_none());

    // The facade is transparent: same message, source is the next one down.
    let top = saddle::Error::from(nn);
    assert_eq!(top.origin(), Origin::Nn);
    assert!(top.source().unwrap().is::<saddle::dual::Error>());
    let messages = chain(&top);
    assert_eq!(messages.len(), 3, "{messages:?}");
    // Every level keeps the numbers (printing only the top is enough).
    for m in &messages {
        assert!(
            m.contains("got 3 values for a 2×2 block (expected 4)"),
            "{m}"
        );
    }
}

struct Bowl;
impl Function for Bowl {
    fn eval<S: Real>(&self, x: &[S]) -> S {
        x[0] * x[0]
    }
}

#[test]
fn curvature_error_keeps_the_dual_error_as_source() {
    // Formerly flattened to a String: the dual error is now its source.
    let e = Smooth(Bowl).value_gradient(&[f64::NAN]).unwrap_err();
    let dual = e.source().expect("curvature wraps the dual error");
    assert!(dual.is::<saddle::dual::Error>());
    assert!(e.to_string().contains("x[0] is NaN"), "{e}");
    assert_eq!(saddle::Error::from(e).origin(), Origin::Curvature);
}

#[test]
fn hvp_closure_error_is_the_source_of_the_lanczos_error() {
    // Any error type works as the closure's, boxed: `FnOperator` needs one
    // that accepts saddle-dual's errors too.
    type Boxed = Box<dyn std::error::Error + Send + Sync>;
    let failing = FnOperator::new(3, |_: &[f64]| {
        Err::<Vec<f64>, Boxed>(std::fmt::Error.into())
    });
    let e = lanczos(&failing, 3, 0).unwrap_err();
    assert!(e
        .source()
        .expect("the closure's error")
        .is::<std::fmt::Error>());
    assert!(e.to_string().contains("Lanczos step 0"), "{e}");
    // Strings still work as closure errors, and keep their text.
    let failing = FnOperator::new(3, |_: &[f64]| Err::<Vec<f64>, Boxed>("no HVP here".into()));
    let e = lanczos(&failing, 3, 0).unwrap_err();
    assert!(e.to_string().contains("no HVP here"), "{e}");
}

#[test]
fn network_loss_objective_wraps_the_network_error() {
    let data = datasets::noisy_sine(8, 0.0, 1).unwrap();
    let net = Mlp::new(
        &[1, 3, 1],
        Activations::hidden_output(Activation::Tanh, Activation::Identity),
        Init::Xavier,
        7,
    )
    .unwrap();
    let loss = NetworkLoss::new(&net, &data, HessianOptions::default());
    // 2 parameters for a network of 10: the nn error names both numbers.
    let e = loss.value(&[0.0, 0.0]).unwrap_err();
    let nn = e.source().expect("the objective keeps the network's error");
    assert!(nn.is::<saddle::nn::Error>());
    assert!(
        e.to_string().contains('2') && e.to_string().contains("10"),
        "{e}"
    );
    let top = saddle::Error::from(e);
    assert_eq!(top.origin(), Origin::Curvature);
    assert!(top.source().unwrap().is::<saddle::nn::Error>());
}

#[test]
fn display_keeps_the_numbers() {
    let e = Eigen::of_symmetric(2, &[1.0, f64::NAN, 0.0, 1.0]).unwrap_err();
    assert_eq!(e.to_string(), "entry (1, 0) is NaN: must be finite");
    assert!(e.source().is_none());
    let e = saddle::Error::from(e);
    assert_eq!(e.to_string(), "entry (1, 0) is NaN: must be finite");
}
