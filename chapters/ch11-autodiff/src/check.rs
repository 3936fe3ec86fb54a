//! Checks one operation's backward rule against finite differences.

use ndarray::Array2;
use shared::gradcheck::{Report, check_measurable};

use crate::tensor::Op;

// ANCHOR: check_op
/// Checks `op`'s backward rule at the inputs `x`: with a fixed random
/// matrix R shaped like the output, L(x) = Σ R ⊙ op(x) has ∂L/∂y = R, so
/// the rule's answer for g = R must be L's gradient, which central
/// differences measure. Returns the worst relative error over every entry
/// of every input (coordinates too small to measure are skipped).
pub fn check_op(
    op: &dyn Op<f64>,
    x: &[Array2<f64>],
    r: &Array2<f64>,
) -> Report {
    let inputs: Vec<&Array2<f64>> = x.iter().collect();
    let y = op.forward(&inputs);
    assert_eq!(
        y.dim(),
        r.dim(),
        "R must be shaped like {}'s output",
        op.name()
    );
    // the backward rule's ∂L/∂x, every input flattened into one list
    let analytic: Vec<f64> = (0..x.len())
        .flat_map(|i| op.backward(i, &inputs, &y, r))
        .collect();
    // L at the same inputs, flattened the same way
    let flat: Vec<f64> = x.iter().flat_map(|a| a.iter().copied()).collect();
    let loss = |p: &[f64]| {
        let mut rest = p;
        let moved: Vec<Array2<f64>> = x
            .iter()
            .map(|a| {
                let (these, tail) = rest.split_at(a.len());
                rest = tail;
                Array2::from_shape_vec(a.dim(), these.to_vec()).expect("sizes")
            })
            .collect();
        let refs: Vec<&Array2<f64>> = moved.iter().collect();
        (op.forward(&refs) * r).sum()
    };
    check_measurable(loss, &flat, &analytic)
}
// ANCHOR_END: check_op
