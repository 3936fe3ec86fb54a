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
