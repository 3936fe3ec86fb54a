//! The graders of chapter 6's exercises — all by finite differences.

use ch02_activations::sigmoid;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, aview1};
use proptest::prelude::*;
use shared::gradcheck::{SMOOTH_TOLERANCE, check_gradient, numerical_gradient};
use shared::rng::{normal_array, seeded};
use shared::testing::{away_from_zero, property};

/// Exercise 6.1.
pub fn last_weight_gradient(f: fn(f64, f64, f64, f64) -> f64) {
    let strategy = (
        away_from_zero(0.2, 1.0),
        away_from_zero(0.2, 2.0),
        -1.0..1.0f64,
        0.0..1.0f64,
    );
    property(200, strategy, |(a_prev, w, b, y)| {
        let cost = |p: &[f64]| (sigmoid(p[0] * a_prev + b) - y).powi(2);
        let analytic = f(a_prev, w, b, y);
        prop_assume!(analytic.abs() > 1e-6);
        let report = check_gradient(cost, &[w], &[analytic]);
        prop_assert!(
            report.passes(SMOOTH_TOLERANCE),
            "a_prev {a_prev}, w {w}, b {b}, y {y}: {report}"
        );
        Ok(())
    });
}

/// Exercise 6.2.
pub fn output_error(f: fn(ArrayView1<f64>, ArrayView1<f64>) -> Array1<f64>) {
    property(200, (1..8usize, any::<u64>()), |(n, seed)| {
        let mut rng = seeded(seed);
        let z = normal_array(&mut rng, n, 1.5);
        let y = normal_array(&mut rng, n, 1.0);
        let cost = |v: &[f64]| {
            0.5 * v
                .iter()
                .zip(&y)
                .map(|(zi, yi)| (sigmoid(*zi) - yi).powi(2))
                .sum::<f64>()
        };
        let analytic = f(z.view(), y.view());
        prop_assert_eq!(analytic.len(), n);
        let report = check_gradient(
            cost,
            z.as_slice().unwrap(),
            analytic.as_slice().unwrap(),
        );
        prop_assert!(report.passes(SMOOTH_TOLERANCE), "{report}");
        Ok(())
    });
}

type HiddenError =
    fn(ArrayView2<f64>, ArrayView1<f64>, ArrayView1<f64>) -> Array1<f64>;

/// Exercise 6.3: the cost C = δ_next · (W_next σ(z)) has ∂C/∂z_next =
/// δ_next, so its gradient with respect to z is exactly BP2.
pub fn hidden_error(f: HiddenError) {
    property(
        200,
        (1..7usize, 1..7usize, any::<u64>()),
        |(n, n_next, seed)| {
            let mut rng = seeded(seed);
            let away = |v: f64| v.signum() * (0.2 + v.abs());
            let w_next: Array2<f64> =
                normal_array(&mut rng, (n_next, n), 1.0).mapv(away);
            let delta_next = normal_array(&mut rng, n_next, 1.0).mapv(away);
            let z = normal_array(&mut rng, n, 1.0);
            let cost = |v: &[f64]| {
                let a = aview1(v).mapv(sigmoid);
                delta_next.dot(&w_next.dot(&a))
            };
            let analytic = f(w_next.view(), delta_next.view(), z.view());
            prop_assert_eq!(analytic.len(), n);
            // Cancellation in W_nextᵀ δ_next can make an entry unmeasurably small.
            prop_assume!(analytic.iter().all(|g| g.abs() > 1e-4));
            let report = check_gradient(
                cost,
                z.as_slice().unwrap(),
                analytic.as_slice().unwrap(),
            );
            prop_assert!(report.passes(SMOOTH_TOLERANCE), "{report}");
            Ok(())
        },
    );
}

/// (∂C/∂W, ∂C/∂b) per layer.
type Backprop = fn(
    &ch06_backprop::Network<f64>,
    ArrayView1<f64>,
    ArrayView1<f64>,
) -> Vec<(Array2<f64>, Array1<f64>)>;

/// Exercise 6.4: on random all-sigmoid networks of 1 to 4 layers, every
/// entry of every gradient against a central difference of
/// C = ½‖a − y‖², the parameters laid out layer by layer (W, then b).
pub fn backprop(f: Backprop) {
    use ch06_backprop::{Activation, Layer, Network};
    let strategy = (prop::collection::vec(1..5usize, 2..6), any::<u64>());
    property(100, strategy, |(sizes, seed)| {
        let mut rng = seeded(seed);
        let away = |v: f64| v.signum() * (0.3 + v.abs());
        let layers: Vec<Layer<f64>> = sizes
            .windows(2)
            .map(|p| {
                let w = normal_array(&mut rng, (p[1], p[0]), 0.7).mapv(away);
                let b = normal_array(&mut rng, p[1], 0.5);
                Layer::new(w, b, Activation::Sigmoid)
            })
            .collect();
        let net = Network::from_layers(layers);
        let x = normal_array(&mut rng, sizes[0], 1.0).mapv(away);
        let y = normal_array(&mut rng, sizes[sizes.len() - 1], 0.5);
        let grads = f(&net, x.view(), y.view());
        prop_assert_eq!(grads.len(), net.layers.len(), "one pair per layer");
        let mut params: Vec<f64> = Vec::new();
        let mut analytic: Vec<f64> = Vec::new();
        for (l, (layer, (dw, db))) in net.layers.iter().zip(&grads).enumerate()
        {
            prop_assert_eq!(
                dw.dim(),
                layer.w.dim(),
                "∂C/∂W of layer {}",
                l + 1
            );
            prop_assert_eq!(
                db.len(),
                layer.b.len(),
                "∂C/∂b of layer {}",
                l + 1
            );
            params.extend(layer.w.iter().chain(&layer.b));
            analytic.extend(dw.iter().chain(db));
        }
        let cost = |p: &[f64]| {
            let mut net = net.clone();
            let mut rest = p;
            for layer in &mut net.layers {
                for v in layer.w.iter_mut().chain(layer.b.iter_mut()) {
                    *v = rest[0];
                    rest = &rest[1..];
                }
            }
            let a = net.feedforward(x.view());
            0.5 * (&a - &y).mapv(|e| e * e).sum()
        };
        // Deep sigmoid layers make some entries tiny (1e-5), where the
        // difference quotient's own error (about 1e-10) is relatively
        // large; so each entry must agree to 1e-6 relatively *or* 1e-9
        // absolutely — still far below any real mistake (a missing σ' is
        // off by tens of percent).
        let numeric = numerical_gradient(cost, &params);
        for (i, (a, n)) in analytic.iter().zip(&numeric).enumerate() {
            prop_assert!(
                (a - n).abs() <= 1e-6 * (a.abs() + n.abs()) + 1e-9,
                "sizes {sizes:?}: parameter {i} of {} (counted layer by \
                 layer, W row by row, then b): yours {a:e}, finite \
                 differences {n:e}",
                params.len()
            );
        }
        Ok(())
    });
}

/// Each grader above shown to reject a plausible wrong answer.
#[cfg(not(feature = "my-answers"))]
mod bite;
