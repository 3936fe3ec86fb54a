//! The gradient checks of backprop: the heart of the book.

use super::*;
use ndarray::Array1;
use proptest::prelude::*;
use shared::gradcheck::{SMOOTH_TOLERANCE, check_gradient};
use shared::rng::{normal_array, seeded, uniform};

/// A random network, input, target and cost: 1–4 layers of widths 1–8,
/// every activation, both costs (cross-entropy with softmax or sigmoid
/// outputs, whose values lie in (0, 1)).
#[derive(Debug)]
struct Case {
    net: Network<f64>,
    x: Array1<f64>,
    y: Array1<f64>,
    cost: Cost,
}

fn case(smooth_only: bool) -> impl Strategy<Value = Case> {
    let hidden = if smooth_only {
        prop_oneof![
            Just(Activation::Sigmoid),
            Just(Activation::Tanh),
            Just(Activation::Identity)
        ]
        .boxed()
    } else {
        Just(Activation::Relu).boxed()
    };
    let head = prop_oneof![
        (
            Just(Cost::Quadratic),
            prop_oneof![
                Just(Activation::Sigmoid),
                Just(Activation::Tanh),
                Just(Activation::Identity),
                Just(Activation::Softmax),
            ]
        ),
        (
            Just(Cost::CrossEntropy),
            prop_oneof![Just(Activation::Softmax), Just(Activation::Sigmoid)]
        ),
    ];
    (
        prop::collection::vec(1..=8usize, 2..=5),
        hidden,
        head,
        any::<u64>(),
    )
        .prop_map(|(sizes, hidden, (cost, output), seed)| {
            let mut rng = seeded(seed);
            let net =
                Network::new(&sizes, hidden, output, Init::Scaled, &mut rng)
                    .unwrap();
            let away = |v: f64| v.signum() * (0.3 + v.abs());
            let x = normal_array(&mut rng, sizes[0], 1.0).mapv(away);
            let n_out = sizes[sizes.len() - 1];
            let y = match cost {
                // A probability distribution as the target.
                Cost::CrossEntropy => {
                    let raw = Array1::from_shape_simple_fn(n_out, || {
                        uniform(&mut rng, 0.1, 1.0)
                    });
                    let total = raw.sum();
                    raw / total
                }
                Cost::Quadratic => normal_array(&mut rng, n_out, 1.0),
            };
            Case { net, x, y, cost }
        })
}

/// Whether finite differences can measure every coordinate of `grad` to
/// 1e-7. They carry round-off of about 2e-11·|C| (see shared::gradcheck)
/// and truncation of about h²·|C'''|/6 ≈ 1e-10, so a coordinate must be
/// exactly 0 (both sides then agree exactly) or at least 1e-3·max(|C|, 1).
fn measurable(case: &Case, grad: &[f64]) -> bool {
    let c = cost_of(case, &parameters(&case.net)).abs().max(1.0);
    grad.iter().all(|g| *g == 0.0 || g.abs() >= 1e-3 * c)
}

fn cost_of(case: &Case, params: &[f64]) -> f64 {
    let net = with_parameters(&case.net, params);
    case.cost
        .value(net.feedforward(case.x.view()).view(), case.y.view())
}

/// True when no hidden weighted input is within 1e-3 of ReLU's kink.
fn away_from_kinks(case: &Case) -> bool {
    let trace = case.net.forward_trace(case.x.view());
    trace.zs.iter().zip(&case.net.layers).all(|(z, layer)| {
        layer.activation != Activation::Relu || z.iter().all(|v| v.abs() > 1e-3)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn backprop_matches_finite_differences_for_smooth_networks(case in case(true)) {
        let analytic = flatten(&backprop(&case.net, case.x.view(), case.y.view(), case.cost));
        prop_assume!(measurable(&case, &analytic));
        let report = check_gradient(|p| cost_of(&case, p), &parameters(&case.net), &analytic);
        prop_assert!(report.passes(SMOOTH_TOLERANCE), "sizes {:?}, {:?}: {report}", case.net.sizes(), case.cost);
    }

    // ReLU has a kink at 0: sample networks whose weighted inputs stay away.
    #[test]
    fn backprop_matches_finite_differences_for_relu_networks(case in case(false)) {
        prop_assume!(away_from_kinks(&case));
        let analytic = flatten(&backprop(&case.net, case.x.view(), case.y.view(), case.cost));
        prop_assume!(measurable(&case, &analytic));
        let report = check_gradient(|p| cost_of(&case, p), &parameters(&case.net), &analytic);
        prop_assert!(report.passes(SMOOTH_TOLERANCE), "sizes {:?}, {:?}: {report}", case.net.sizes(), case.cost);
    }

    // A backprop with one sign flipped — the error passed back as −Wᵀδ —
    // is caught by the same check whenever the network has a hidden layer.
    #[test]
    fn a_backprop_with_one_sign_flipped_is_caught(case in case(true)) {
        prop_assume!(case.net.layers.len() >= 2);
        let wrong = flatten(&backprop_with_flipped_sign(&case));
        let right = flatten(&backprop(&case.net, case.x.view(), case.y.view(), case.cost));
        // Only where the flip changes something (e.g. not a 1-wide softmax
        // output, whose cost is constant).
        prop_assume!(wrong.iter().zip(&right).any(|(w, r)| (w - r).abs() > 1e-6));
        let report = check_gradient(|p| cost_of(&case, p), &parameters(&case.net), &wrong);
        prop_assert!(!report.passes(SMOOTH_TOLERANCE), "sizes {:?}: {report}", case.net.sizes());
    }

    #[test]
    fn parameters_round_trip(case in case(true)) {
        let params = parameters(&case.net);
        prop_assert_eq!(with_parameters(&case.net, &params), case.net);
    }
}

/// Backprop with a bug: BP2 uses −Wᵀδ instead of Wᵀδ.
fn backprop_with_flipped_sign(case: &Case) -> Gradients<f64> {
    let net = &case.net;
    let Trace { zs, activations: a } = net.forward_trace(case.x.view());
    let f = |l: usize| net.layers[l].activation;
    let last = net.layers.len() - 1;
    let mut grads = Gradients::zeros_like(net);
    let mut delta = output_error(
        case.cost,
        f(last),
        &zs[last],
        &a[last + 1],
        case.y.view(),
    );
    for l in (0..=last).rev() {
        grads.nabla_b[l] = delta.clone();
        grads.nabla_w[l] = outer(&delta, &a[l]);
        if l > 0 {
            let g = -net.layers[l].w.t().dot(&delta); // the bug
            delta = backward_through(f(l - 1), &zs[l - 1], &a[l], g);
        }
    }
    grads
}

#[test]
fn f32_backprop_agrees_with_f64() {
    let mut rng = seeded(9);
    let net64 = Network::<f64>::new(
        &[4, 5, 3],
        Activation::Sigmoid,
        Activation::Softmax,
        Init::Scaled,
        &mut rng,
    )
    .unwrap();
    let net32 = Network::<f32>::new(
        &[4, 5, 3],
        Activation::Sigmoid,
        Activation::Softmax,
        Init::Scaled,
        &mut seeded(9),
    )
    .unwrap();
    let x = ndarray::array![0.5, -1.0, 0.25, 2.0];
    let y = one_hot::<f64>(2, 3).unwrap();
    let g64 =
        flatten(&backprop(&net64, x.view(), y.view(), Cost::CrossEntropy));
    let g32 = flatten(&backprop(
        &net32,
        x.mapv(|v| v as f32).view(),
        y.mapv(|v| v as f32).view(),
        Cost::CrossEntropy,
    ));
    for (a, b) in g64.iter().zip(&g32) {
        assert!((a - f64::from(*b)).abs() < 1e-5, "{a} vs {b}");
    }
}

#[test]
fn training_on_xor_learns_it() {
    let run = xor::chapter_run();
    assert!(run.losses[0] > 0.6, "starts near ln 2: {}", run.losses[0]);
    assert!(
        *run.losses.last().unwrap() < 0.1,
        "{}",
        run.losses.last().unwrap()
    );
    assert!(xor::accuracy(&run.net, run.x.view(), &run.labels) > 0.95);
}
