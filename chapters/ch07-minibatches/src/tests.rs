//! Batched backprop against chapter 6's per-sample backprop.

use super::*;
use ndarray::Array1;
use proptest::prelude::*;
use shared::rng::{normal_array, seeded, uniform};

/// A random network and a batch of inputs and targets for it.
fn network_and_batch()
-> impl Strategy<Value = (Network<f64>, Array2<f64>, Array2<f64>, Cost)> {
    let hidden = prop_oneof![
        Just(Activation::Sigmoid),
        Just(Activation::Tanh),
        Just(Activation::Relu),
        Just(Activation::Identity),
    ];
    let head = prop_oneof![
        (
            Just(Cost::Quadratic),
            prop_oneof![
                Just(Activation::Sigmoid),
                Just(Activation::Softmax),
                Just(Activation::Identity),
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
        1..=12usize,
        any::<u64>(),
    )
        .prop_map(|(sizes, hidden, (cost, output), m, seed)| {
            let mut rng = seeded(seed);
            let net =
                Network::new(&sizes, hidden, output, Init::Scaled, &mut rng)
                    .unwrap();
            let x = normal_array(&mut rng, (sizes[0], m), 1.0);
            let n_out = sizes[sizes.len() - 1];
            let y = Array2::from_shape_simple_fn((n_out, m), || {
                uniform(&mut rng, 0.05, 1.0)
            });
            (net, x, y, cost)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    // The batched gradient is the mean of the per-sample gradients, to
    // 1e-10 relative to the gradient's largest entry.
    #[test]
    fn batched_gradient_is_the_mean_of_per_sample_gradients(
        (net, x, y, cost) in network_and_batch()
    ) {
        let m = x.ncols();
        let mut mean = Gradients::zeros_like(&net);
        for (xk, yk) in x.columns().into_iter().zip(y.columns()) {
            mean.add_scaled(1.0 / m as f64, &backprop(&net, xk, yk, cost));
        }
        // A workspace bigger than the batch: only the first m columns count.
        let mut workspace = Workspace::new(&net, m + 3);
        workspace.backprop(&net, x.view(), y.view(), cost);
        // It also reports the batch's summed cost.
        let summed: f64 = x.columns().into_iter().zip(y.columns())
            .map(|(xk, yk)| cost.value(net.feedforward(xk).view(), yk)).sum();
        prop_assert!((workspace.batch_cost - summed).abs() <= 1e-9 * (1.0 + summed.abs()));
        let batched = ch06_backprop::flatten(&workspace.grads);
        let mean = ch06_backprop::flatten(&mean);
        let scale = mean.iter().fold(0.0f64, |s, g| s.max(g.abs())).max(1e-300);
        let worst = batched.iter().zip(&mean).fold(0.0f64, |w, (a, b)| w.max((a - b).abs()));
        prop_assert!(worst / scale <= 1e-10, "relative difference {:e}", worst / scale);
    }

    // The batched forward pass equals chapter 3's.
    #[test]
    fn batched_forward_equals_chapter_3((net, x, _, _) in network_and_batch()) {
        let mut workspace = Workspace::new(&net, x.ncols());
        let ours = workspace.forward(&net, x.view()).to_owned();
        let theirs = net.feedforward_batch(x.view());
        for (a, b) in ours.iter().zip(&theirs) {
            prop_assert!((a - b).abs() <= 1e-12 * (1.0 + b.abs()));
        }
    }
}

#[test]
fn a_wrong_batched_gradient_would_be_caught() {
    // The comparison above is not vacuous: forgetting the 1/m makes the
    // batched gradient m times the mean.
    let mut rng = seeded(5);
    let net = Network::new(
        &[3, 4, 2],
        Activation::Tanh,
        Activation::Softmax,
        Init::Scaled,
        &mut rng,
    )
    .unwrap();
    let x = normal_array(&mut rng, (3, 4), 1.0);
    let y =
        Array2::from_shape_fn((2, 4), |(i, k)| f64::from(u8::from(i == k % 2)));
    let mut workspace = Workspace::new(&net, 4);
    workspace.backprop(&net, x.view(), y.view(), Cost::CrossEntropy);
    let mut sum = Gradients::zeros_like(&net);
    for (xk, yk) in x.columns().into_iter().zip(y.columns()) {
        sum.add_scaled(1.0, &backprop(&net, xk, yk, Cost::CrossEntropy));
    }
    let batched = ch06_backprop::flatten(&workspace.grads);
    let sum = ch06_backprop::flatten(&sum);
    let scale = sum.iter().fold(0.0f64, |s, g| s.max(g.abs()));
    let worst = batched
        .iter()
        .zip(&sum)
        .fold(0.0f64, |w, (a, b)| w.max((a - b).abs()));
    assert!(
        worst / scale > 0.5,
        "a sum is not a mean: {}",
        worst / scale
    );
}

#[test]
fn every_update_frequency_learns_and_online_makes_the_most_updates() {
    let curves = compare::update_frequencies();
    for curve in &curves {
        assert!(
            curve.losses.last().unwrap() < &curve.losses[0],
            "batch {}",
            curve.batch_size
        );
    }
    let updates: Vec<usize> =
        curves.iter().map(|c| *c.updates.last().unwrap()).collect();
    assert_eq!(
        updates,
        [200 * compare::EPOCHS, 20 * compare::EPOCHS, compare::EPOCHS]
    );
    // Per epoch, online learning is furthest ahead; per update, full batch.
    assert!(curves[0].losses.last() < curves[2].losses.last());
}

#[test]
fn shuffling_is_seeded() {
    let net = Network::<f64>::new(
        &[2, 3, 2],
        Activation::Tanh,
        Activation::Softmax,
        Init::Scaled,
        &mut seeded(1),
    )
    .unwrap();
    let x = normal_array(&mut seeded(2), (2, 20), 1.0);
    let y = Array2::from_shape_fn((2, 20), |(i, k)| {
        f64::from(u8::from(i == k % 2))
    });
    let run = |seed| {
        let mut net = net.clone();
        let mut trainer = Trainer::new(&net, 20, 5);
        trainer.epoch(
            &mut net,
            x.view(),
            y.view(),
            Cost::CrossEntropy,
            Sgd {
                eta: 0.1,
                batch_size: 5,
            },
            &mut seeded(seed),
        );
        net
    };
    assert_eq!(run(3), run(3));
    assert_ne!(run(3), run(4));
    let _ = Array1::<f64>::zeros(1);
}

/// The two-thread update is chapter 6's update, to the bit, both for a
/// layer large enough to be split (784 × 64 weights) and a small one.
#[test]
fn sgd_update_equals_chapter_6s_update() {
    let mut rng = seeded(11);
    let net = Network::<f32>::new(
        &[784, 64, 10],
        Activation::Relu,
        Activation::Softmax,
        Init::He,
        &mut rng,
    )
    .expect("valid sizes");
    let mut grads = Gradients::zeros_like(&net);
    for g in grads.nabla_w.iter_mut() {
        g.mapv_inplace(|_| uniform(&mut rng, -1.0, 1.0) as f32);
    }
    for g in grads.nabla_b.iter_mut() {
        g.mapv_inplace(|_| uniform(&mut rng, -1.0, 1.0) as f32);
    }
    let (mut expected, mut actual) = (net.clone(), net.clone());
    apply_gradients(&mut expected, &grads, 0.1);
    shared::matmul::install(|| sgd_update(&mut actual, &grads, 0.1));
    for (e, a) in expected.layers.iter().zip(&actual.layers) {
        assert_eq!(e.w, a.w);
        assert_eq!(e.b, a.b);
    }
    assert_ne!(net.layers[0].w, actual.layers[0].w, "nothing was updated");
}
