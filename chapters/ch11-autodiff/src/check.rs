//! Checks one operation's backward rule against finite differences.

use ndarray::Array2;
use shared::gradcheck::{Report, check_measurable};

use crate::tensor::*;
use shared::rng::{Rng, normal_array};

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

/// An operation and inputs for it.
pub type OpAt = (Box<dyn Op<f64>>, Vec<Array2<f64>>);

/// Every operation with inputs it is differentiable at.
pub fn ops_and_inputs(
    rng: &mut Rng,
    (n, k, m): (usize, usize, usize),
) -> Vec<OpAt> {
    let mut normal = |shape| normal_array(rng, shape, 1.0);
    let away =
        |a: Array2<f64>| a.mapv(|v| if v >= 0.0 { v + 0.1 } else { v - 0.1 });
    let x = normal((n, m));
    let positive = normal((n, m)).mapv(|v| 0.5 + v.abs());
    let y = normal((n, m)).mapv(f64::abs);
    vec![
        (Box::new(MatMul), vec![normal((n, k)), normal((k, m))]),
        (Box::new(AddColumn), vec![x.clone(), normal((n, 1))]),
        (Box::new(Sigmoid), vec![x.clone()]),
        (Box::new(Tanh), vec![x.clone()]),
        (Box::new(Relu), vec![away(x.clone())]),
        (Box::new(Softmax), vec![x.clone()]),
        (Box::new(Sub), vec![x.clone(), normal((n, m))]),
        (Box::new(Mul), vec![x.clone(), normal((n, m))]),
        (Box::new(Ln), vec![positive]),
        (Box::new(Scale(-0.7)), vec![x.clone()]),
        (Box::new(ColumnSums), vec![x.clone()]),
        (Box::new(Mean), vec![x.clone()]),
        (Box::new(SoftmaxCrossEntropy), vec![x, y]),
    ]
}
