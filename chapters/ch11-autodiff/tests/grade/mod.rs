//! The graders of chapter 11's exercises: each operation's forward rule
//! against the function it names, its backward rule against finite
//! differences (chapter 11's `check_op`), with no answer key.

use ch11_autodiff::check::check_op;
use ch11_autodiff::tensor::Op;
use ndarray::{Array2, Zip};
use proptest::prelude::*;
use shared::gradcheck::SMOOTH_TOLERANCE;
use shared::rng::{normal_array, seeded};
use shared::testing::{close, property};

/// Random shapes and inputs: `inputs(rng, shape)` makes the inputs;
/// `reference` is what the forward rule must compute.
fn grade(
    op: &dyn Op<f64>,
    inputs: fn(&mut shared::rng::Rng, (usize, usize)) -> Vec<Array2<f64>>,
    reference: fn(&[Array2<f64>]) -> Array2<f64>,
) {
    property(60, (1..4usize, 1..5usize, any::<u64>()), |(n, m, seed)| {
        let mut rng = seeded(seed);
        let x = inputs(&mut rng, (n, m));
        let refs: Vec<&Array2<f64>> = x.iter().collect();
        let y = op.forward(&refs);
        let want = reference(&x);
        prop_assert!(
            close(&y, &want, 1e-12),
            "{}'s forward rule gave {y:?}; expected {want:?}",
            op.name()
        );
        let r = normal_array(&mut rng, (n, m), 1.0);
        let report = check_op(op, &x, &r);
        prop_assert!(
            report.passes(SMOOTH_TOLERANCE),
            "{}'s backward rule against finite differences: {report}",
            op.name()
        );
        Ok(())
    });
}

/// Exercise 11.1: exp.
pub fn exp(op: &dyn Op<f64>) {
    grade(
        op,
        |rng, shape| vec![normal_array(rng, shape, 1.0)],
        |x| x[0].mapv(f64::exp),
    );
}

/// Exercise 11.2: the elementwise maximum, on inputs with no near-ties
/// (where max has no derivative).
pub fn maximum(op: &dyn Op<f64>) {
    grade(
        op,
        |rng, shape| {
            let a = normal_array(rng, shape, 1.0);
            let gap = normal_array(rng, shape, 1.0)
                .mapv(|d| if d >= 0.0 { d + 0.1 } else { d - 0.1 });
            vec![a.clone(), a + gap] // |A − B| ≥ 0.1 everywhere
        },
        |x| Zip::from(&x[0]).and(&x[1]).map_collect(|&a, &b| a.max(b)),
    );
}

/// Exercise 11.3: SiLU, x σ(x).
pub fn silu(op: &dyn Op<f64>) {
    grade(
        op,
        |rng, shape| vec![normal_array(rng, shape, 2.0)],
        |x| x[0].mapv(|x| x * ch02_activations::sigmoid(x)),
    );
}

/// Each grader above shown to reject a plausible wrong answer.
#[cfg(not(feature = "my-answers"))]
mod bite;
