//! The graders of chapter 3's exercises.

use ch03_forward::{Activation, Layer, ParameterCount};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, aview1};
use proptest::prelude::*;
use shared::gradcheck::{SMOOTH_TOLERANCE, compare, numerical_jacobian};
use shared::rng::{normal_array, seeded};
use shared::testing::property;

/// A random sigmoid layer's (W, b, a), weights and inputs away from 0.
fn layer(
    seed: u64,
    n_in: usize,
    n_out: usize,
) -> (Array2<f64>, Array1<f64>, Array1<f64>) {
    let mut rng = seeded(seed);
    let away = |v: f64| v.signum() * (0.2 + v.abs());
    let w = normal_array(&mut rng, (n_out, n_in), 0.5).mapv(away);
    let b = normal_array(&mut rng, n_out, 0.5);
    let a = normal_array(&mut rng, n_in, 1.0).mapv(away);
    (w, b, a)
}

fn shapes() -> impl Strategy<Value = (u64, usize, usize)> {
    (any::<u64>(), 1..8usize, 1..8usize)
}

/// Exercise 3.1.
pub fn count_parameters(f: fn(&[usize]) -> (usize, usize)) {
    assert_eq!(f(&[784, 16, 16, 10]), (12_960, 42), "784-16-16-10");
    assert_eq!(f(&[3, 2, 1]), (8, 3), "the coat network");
    property(200, prop::collection::vec(1..50usize, 2..6), |sizes| {
        let want = ParameterCount::of(&sizes).unwrap();
        prop_assert_eq!(f(&sizes), (want.weights, want.biases), "{:?}", sizes);
        Ok(())
    });
}

type SigmoidLayer =
    fn(ArrayView2<f64>, ArrayView1<f64>, ArrayView1<f64>) -> Array1<f64>;
type LayerJacobian =
    fn(ArrayView2<f64>, ArrayView1<f64>, ArrayView1<f64>) -> Array2<f64>;

/// Exercise 3.2.
pub fn sigmoid_layer(f: SigmoidLayer) {
    property(200, shapes(), |(seed, n_in, n_out)| {
        let (w, b, a) = layer(seed, n_in, n_out);
        let want = Layer::new(w.clone(), b.clone(), Activation::Sigmoid)
            .forward(a.view());
        let got = f(w.view(), b.view(), a.view());
        prop_assert_eq!(got.len(), n_out, "one output per row of W");
        for (g, e) in got.iter().zip(&want) {
            prop_assert!(
                (g - e).abs() < 1e-12,
                "W {:?}: got {got}, want {want}",
                w.dim()
            );
        }
        Ok(())
    });
}

/// Exercise 3.3, graded by finite differences.
pub fn sigmoid_layer_jacobian(f: LayerJacobian) {
    property(200, shapes(), |(seed, n_in, n_out)| {
        let (w, b, a) = layer(seed, n_in, n_out);
        let analytic = f(w.view(), b.view(), a.view());
        prop_assert_eq!(analytic.dim(), (n_out, n_in), "shape (n_out, n_in)");
        let sigmoid_layer =
            Layer::new(w.clone(), b.clone(), Activation::Sigmoid);
        let numeric = numerical_jacobian(
            |x| sigmoid_layer.forward(aview1(x)).to_vec(),
            a.as_slice().unwrap(),
        );
        let analytic: Vec<f64> = analytic.iter().copied().collect();
        let report = compare(&analytic, numeric.as_slice().unwrap());
        prop_assert!(
            report.passes(SMOOTH_TOLERANCE),
            "W {:?}: {report}",
            w.dim()
        );
        Ok(())
    });
}

/// Exercise 3.4: the network's answer on a grid over [−1, 2]², skipping
/// points within 0.05 of the square's edges.
pub fn inside_square(f: fn() -> ch03_forward::Network<f64>) {
    let net = f();
    let sizes = net.sizes();
    assert_eq!(sizes[0], 2, "the input is a point (x, y)");
    assert_eq!(sizes[sizes.len() - 1], 1, "one output: inside or not");
    let steps = 61; // a grid spacing of 0.05
    for i in 0..steps {
        for j in 0..steps {
            let x = -1.0 + 3.0 * i as f64 / (steps - 1) as f64 + 0.013;
            let y = -1.0 + 3.0 * j as f64 / (steps - 1) as f64 + 0.027;
            let near_edge = |v: f64| v.abs() < 0.05 || (v - 1.0).abs() < 0.05;
            let in_band = |v: f64| v > -0.05 && v < 1.05;
            if (near_edge(x) && in_band(y)) || (near_edge(y) && in_band(x)) {
                continue;
            }
            let inside = (0.0..1.0).contains(&x) && (0.0..1.0).contains(&y);
            let a = net.feedforward(ndarray::aview1(&[x, y]))[0];
            assert!(
                (a > 0.5) == inside,
                "at ({x:.3}, {y:.3}), {} the square, the network outputs \
                 {a:.3}",
                if inside { "inside" } else { "outside" }
            );
        }
    }
}

/// Each grader above shown to reject a plausible wrong answer.
#[cfg(not(feature = "my-answers"))]
mod bite;
