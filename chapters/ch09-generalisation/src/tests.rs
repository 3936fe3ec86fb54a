//! Gradient checks of the chapter's new cost term (L2) and layer
//! (dropout), each shown to catch a wrong gradient; the fast path shown to
//! compute what the lesson computes; training shown to be the same on any
//! number of threads.

use ch06_backprop::{flatten, parameters, with_parameters};
use ch07_minibatches::fast::{Workspace, network_difference};
use ch07_minibatches::{
    average_cost, backprop_batch, backward_through_batch, output_error_batch,
};
use ndarray::{Array2, ArrayView2, Axis};
use proptest::prelude::*;
use shared::gradcheck::{Report, check_measurable};
use shared::rng::{normal_array, seeded};
use shared::testing::property;

use crate::regularise::{
    add_l2_gradient, backprop_with_dropout, cost_with_dropout, draw_dropout,
    dropout_masks, forward_with_dropout, l2_penalty,
};
use crate::{Activation, Cost, Gradients, Init, Network};

/// A random network with smooth activations (no ReLU kinks to straddle),
/// inputs and one-hot targets.
fn problem(
    seed: u64,
    sizes: &[usize],
    m: usize,
) -> (Network<f64>, Array2<f64>, Array2<f64>) {
    let mut rng = seeded(seed);
    let net = Network::new(
        sizes,
        Activation::Tanh,
        Activation::Softmax,
        Init::Scaled,
        &mut rng,
    )
    .unwrap();
    let x = normal_array(&mut rng, (sizes[0], m), 1.0);
    let n_out = sizes[sizes.len() - 1];
    let mut y = Array2::zeros((n_out, m));
    for k in 0..m {
        y[(k % n_out, k)] = 1.0;
    }
    (net, x, y)
}

fn sizes() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(2..6usize, 3..5)
}

/// The L2-regularised cost's gradient, by `add` (right or wrong), against
/// central differences of C₀ + λ/2 Σ‖W‖².
fn l2_check(
    seed: u64,
    sizes: &[usize],
    lambda: f64,
    add: fn(&mut Gradients<f64>, &Network<f64>, f64),
) -> Report {
    let (net, x, y) = problem(seed, sizes, 3);
    let cost = Cost::CrossEntropy;
    let mut grads = backprop_batch(&net, x.view(), y.view(), cost);
    add(&mut grads, &net, lambda);
    let f = |p: &[f64]| {
        let net = with_parameters(&net, p);
        average_cost(&net, x.view(), y.view(), cost) + l2_penalty(&net, lambda)
    };
    check_measurable(f, &parameters(&net), &flatten(&grads))
}

#[test]
fn the_l2_gradient_is_the_derivative_of_the_l2_cost() {
    property(64, (sizes(), any::<u64>(), 0.01..1.0f64), |(s, seed, l)| {
        let report = l2_check(seed, &s, l, add_l2_gradient);
        prop_assert!(report.len > 0 && report.passes(1e-7), "{report}");
        Ok(())
    });
}

/// Forgets the 2 of d/dw (w²): λ/2 · W.
fn half_l2(grads: &mut Gradients<f64>, net: &Network<f64>, lambda: f64) {
    add_l2_gradient(grads, net, lambda / 2.0);
}

#[test]
fn the_l2_check_catches_a_halved_gradient() {
    let report = l2_check(3, &[4, 5, 3], 0.5, half_l2);
    assert!(!report.passes(1e-3), "{report}");
}

/// Dropout's gradient (masks fixed) against central differences of the
/// masked cost; `masked_backward` false forgets the masks on the way back.
fn dropout_check(
    seed: u64,
    sizes: &[usize],
    p: f64,
    masked_backward: bool,
) -> Report {
    let (net, x, y) = problem(seed, sizes, 4);
    let mut rng = seeded(seed ^ 1);
    let masks = dropout_masks(&net, 4, p, &mut rng);
    let cost = Cost::CrossEntropy;
    let grads = if masked_backward {
        backprop_with_dropout(&net, x.view(), y.view(), cost, &masks)
    } else {
        backprop_forgetting_masks(&net, x.view(), y.view(), cost, &masks)
    };
    let f = |params: &[f64]| {
        let net = with_parameters(&net, params);
        cost_with_dropout(&net, x.view(), y.view(), cost, &masks)
    };
    check_measurable(f, &parameters(&net), &flatten(&grads))
}

/// A plausible bug: the forward pass drops neurons, the backward pass
/// sends error back through them anyway.
fn backprop_forgetting_masks(
    net: &Network<f64>,
    x: ArrayView2<f64>,
    y: ArrayView2<f64>,
    cost: Cost,
    masks: &[Array2<f64>],
) -> Gradients<f64> {
    let trace = forward_with_dropout(net, x, masks);
    let (zs, a) = (trace.zs, trace.activations);
    let last = net.layers.len() - 1;
    let f = |l: usize| net.layers[l].activation;
    let mut grads = Gradients::zeros_like(net);
    let mut delta =
        output_error_batch(cost, f(last), &zs[last], &a[last + 1], y);
    for l in (0..=last).rev() {
        grads.nabla_b[l] = delta.sum_axis(Axis(1)) / x.ncols() as f64;
        grads.nabla_w[l] = delta.dot(&a[l].t()) / x.ncols() as f64;
        if l > 0 {
            let g = net.layers[l].w.t().dot(&delta); // no ⊙ M
            delta = backward_through_batch(f(l - 1), &zs[l - 1], &a[l], g);
        }
    }
    grads
}

#[test]
fn dropout_backprop_with_fixed_masks_matches_finite_differences() {
    property(64, (sizes(), any::<u64>(), 0.1..0.6f64), |(s, seed, p)| {
        let report = dropout_check(seed, &s, p, true);
        prop_assert!(report.len > 0 && report.passes(1e-7), "{report}");
        Ok(())
    });
}

#[test]
fn the_dropout_check_catches_a_backward_pass_without_masks() {
    let report = dropout_check(5, &[4, 6, 5, 3], 0.5, false);
    assert!(!report.passes(1e-3), "{report}");
}

#[test]
fn dropout_rate_zero_is_the_plain_network() {
    let (net, x, y) = problem(7, &[5, 4, 3], 6);
    let mut rng = seeded(8);
    let masks = dropout_masks(&net, 6, 0.0, &mut rng);
    assert!(masks.iter().all(|m| m.iter().all(|&v| v == 1.0)));
    let plain = backprop_batch(&net, x.view(), y.view(), Cost::CrossEntropy);
    let masked = backprop_with_dropout(
        &net,
        x.view(),
        y.view(),
        Cost::CrossEntropy,
        &masks,
    );
    assert_eq!(flatten(&plain), flatten(&masked));
}

/// The fast path's dropout draws the lesson's masks from the same
/// generator, and its backprop gives the lesson's gradient.
#[test]
fn the_fast_path_dropout_computes_what_the_lesson_computes() {
    property(16, (sizes(), any::<u64>(), 0.1..0.6f64), |(s, seed, p)| {
        let (net, x, y) = problem(seed, &s, 5);
        let cost = Cost::CrossEntropy;
        let masks = dropout_masks(&net, 5, p, &mut seeded(seed));
        let lesson =
            backprop_with_dropout(&net, x.view(), y.view(), cost, &masks);
        let mut workspace = Workspace::new(&net, 5);
        let mut rng = seeded(seed);
        workspace.fill_masks(&net, 5, |mask| draw_dropout(mask, p, &mut rng));
        workspace.backprop(&net, x.view(), y.view(), cost);
        let (a, b) = (flatten(&lesson), flatten(&workspace.grads));
        for (i, (u, v)) in a.iter().zip(&b).enumerate() {
            prop_assert!((u - v).abs() < 1e-12, "entry {}: {} vs {}", i, u, v);
        }
        Ok(())
    });
}

/// Chapter 8's optimizer applies weight decay in its update; with μ = 0
/// that is a plain step on the L2 gradient of this chapter.
#[test]
fn weight_decay_in_the_optimizer_is_a_step_on_the_l2_gradient() {
    let (net, x, y) = problem(9, &[5, 4, 3], 6);
    let grads = backprop_batch(&net, x.view(), y.view(), Cost::CrossEntropy);
    let mut stepped = net.clone();
    let mut optimizer = ch08_mnist::Optimizer::new(&net, 0.0, 0.01);
    optimizer.step(&mut stepped, &grads, 0.5);
    let mut l2 = grads.clone();
    add_l2_gradient(&mut l2, &net, 0.01);
    let mut by_hand = net.clone();
    ch06_backprop::apply_gradients(&mut by_hand, &l2, 0.5);
    assert!(network_difference(&stepped, &by_hand) < 1e-15);
}

/// A small run with every switch on — dropout, augmentation, Adam, weight
/// decay — gives the same network to the bit on 1, 2, 3 and 8 threads.
#[test]
fn training_is_the_same_for_any_thread_count() {
    use crate::augment::Augment;
    use crate::train::{Method, Settings, train};
    use ch08_mnist::Mnist;
    let mut rng = seeded(10);
    let images = |n: usize, rng: &mut _| {
        normal_array(rng, (784, n), 0.3).mapv(|v| v.abs().min(1.0) as f32)
    };
    let data = Mnist {
        x: images(96, &mut rng),
        labels: (0..96).map(|k| (k % 10) as u8).collect(),
        x_val: images(20, &mut rng),
        labels_val: (0..20).map(|k| (k % 10) as u8).collect(),
        x_test: Array2::zeros((784, 0)),
        labels_test: vec![],
    };
    let settings = Settings {
        hidden: vec![24, 16],
        method: Method::Adam,
        eta: 0.01,
        epochs: 2,
        batch_size: 16,
        weight_decay: 1e-3,
        dropout: 0.3,
        augment: Augment {
            shift: true,
            rotate: true,
            elastic: true,
        },
        ..Settings::baseline()
    };
    let on = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| train(&settings, &data, |_| ()))
    };
    let (one, history) = on(1);
    assert_eq!(history.len(), 2);
    for threads in [2, 3, 8] {
        let (net, again) = on(threads);
        assert!(net == one, "{threads} threads train another network");
        let strip = |h: &[crate::Record]| -> Vec<crate::Record> {
            h.iter()
                .map(|r| crate::Record { seconds: 0.0, ..*r })
                .collect()
        };
        assert_eq!(strip(&again), strip(&history));
    }
}

/// The one-pass measurement equals chapter 8's cost and accuracy.
#[test]
fn loss_and_accuracy_agree_with_chapter_8() {
    let mut rng = seeded(12);
    let net = Network::<f32>::new(
        &[30, 12, 10],
        Activation::Relu,
        Activation::Softmax,
        Init::He,
        &mut rng,
    )
    .unwrap();
    let x = normal_array(&mut rng, (30, 2500), 1.0).mapv(|v| v as f32);
    let labels: Vec<u8> = (0..2500).map(|k| (k * 7 % 10) as u8).collect();
    let (loss, accuracy) =
        crate::train::loss_and_accuracy(&net, x.view(), &labels);
    let y = ch08_mnist::labels_to_matrix::<f32>(&labels);
    let want_loss =
        ch08_mnist::average_cost(&net, x.view(), y.view(), Cost::CrossEntropy);
    let predictions = ch08_mnist::predict_all(&net, x.view());
    let want_accuracy = ch08_mnist::accuracy(&predictions, &labels);
    assert!(
        (loss - want_loss).abs() < 1e-6 * want_loss,
        "{loss} {want_loss}"
    );
    assert_eq!(accuracy, want_accuracy);
}
