//! Batched backprop against chapter 6's per-sample backprop, and the fast
//! path against the lesson code.

use super::*;
use crate::fast::{
    Trainer, Workspace, network_difference, random_gradients, sgd_update,
};
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

/// The largest difference between two gradients, relative to the
/// largest entry of `b`.
fn relative_difference(a: &Gradients<f64>, b: &Gradients<f64>) -> f64 {
    let (a, b) = (ch06_backprop::flatten(a), ch06_backprop::flatten(b));
    let scale = b.iter().fold(0.0f64, |s, g| s.max(g.abs())).max(1e-300);
    let worst = a
        .iter()
        .zip(&b)
        .fold(0.0f64, |w, (p, q)| w.max((p - q).abs()));
    worst / scale
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
        let batched = backprop_batch(&net, x.view(), y.view(), cost);
        let d = relative_difference(&batched, &mean);
        prop_assert!(d <= 1e-10, "relative difference {d:e}");
    }

    // The fast path computes the lesson's gradient, to 1e-12 relative,
    // and the batch's summed cost.
    #[test]
    fn the_fast_path_computes_the_lessons_gradient(
        (net, x, y, cost) in network_and_batch()
    ) {
        let lesson = backprop_batch(&net, x.view(), y.view(), cost);
        // A workspace bigger than the batch: only the first m columns count.
        let mut workspace = Workspace::new(&net, x.ncols() + 3);
        workspace.backprop(&net, x.view(), y.view(), cost);
        let d = relative_difference(&workspace.grads, &lesson);
        prop_assert!(d <= 1e-12, "relative difference {d:e}");
        let summed: f64 = x.columns().into_iter().zip(y.columns())
            .map(|(xk, yk)| cost.value(net.feedforward(xk).view(), yk)).sum();
        prop_assert!((workspace.batch_cost - summed).abs() <= 1e-9 * (1.0 + summed.abs()));
    }

    // Both batched forward passes equal chapter 3's.
    #[test]
    fn batched_forward_equals_chapter_3((net, x, _, _) in network_and_batch()) {
        let theirs = net.feedforward_batch(x.view());
        let lesson = forward_trace_batch(&net, x.view());
        let lesson = lesson.activations.last().unwrap();
        let mut workspace = Workspace::new(&net, x.ncols());
        let fast = workspace.forward(&net, x.view()).to_owned();
        for ((a, b), c) in lesson.iter().zip(&theirs).zip(&fast) {
            prop_assert!((a - b).abs() <= 1e-12 * (1.0 + b.abs()));
            prop_assert!((c - b).abs() <= 1e-12 * (1.0 + b.abs()));
        }
    }
}

fn small_problem() -> (Network<f64>, Array2<f64>, Array2<f64>) {
    let mut rng = seeded(5);
    let net = Network::new(
        &[3, 4, 2],
        Activation::Tanh,
        Activation::Softmax,
        Init::Scaled,
        &mut rng,
    )
    .unwrap();
    let x = normal_array(&mut rng, (3, 20), 1.0);
    let y = Array2::from_shape_fn((2, 20), |(i, k)| {
        f64::from(u8::from(i == k % 2))
    });
    (net, x, y)
}

#[test]
fn a_wrong_batched_gradient_would_be_caught() {
    // The comparison above is not vacuous: forgetting the 1/m makes the
    // batched gradient m times the mean.
    let (net, x, y) = small_problem();
    let batched = backprop_batch(&net, x.view(), y.view(), Cost::CrossEntropy);
    let mut sum = Gradients::zeros_like(&net);
    for (xk, yk) in x.columns().into_iter().zip(y.columns()) {
        sum.add_scaled(1.0, &backprop(&net, xk, yk, Cost::CrossEntropy));
    }
    let d = relative_difference(&batched, &sum);
    assert!(d > 0.5, "a sum is not a mean: {d}");
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
    let (net, x, y) = small_problem();
    let run = |seed| {
        let mut net = net.clone();
        let sgd = Sgd {
            eta: 0.1,
            batch_size: 5,
        };
        let cost = Cost::CrossEntropy;
        sgd_epoch(&mut net, x.view(), y.view(), cost, sgd, &mut seeded(seed));
        net
    };
    assert_eq!(run(3), run(3));
    assert_ne!(run(3), run(4));
}

/// Three epochs of SGD on the lesson path and on the fast path, from the
/// same start and seed.
fn both_paths<T: fast::Float>(
    sizes: &[usize],
    n: usize,
    batch_size: usize,
) -> (Network<T>, Network<T>) {
    let mut rng = seeded(21);
    let start = Network::<T>::new(
        sizes,
        Activation::Relu,
        Activation::Softmax,
        Init::He,
        &mut rng,
    )
    .unwrap();
    let x = normal_array(&mut rng, (sizes[0], n), 1.0).mapv(T::from_f64);
    let y = Array2::from_shape_fn((sizes[sizes.len() - 1], n), |(i, k)| {
        T::from_f64(f64::from(u8::from(i == k % 3)))
    });
    let eta = T::from_f64(0.05);
    let (mut lesson, mut fast) = (start.clone(), start.clone());
    let (mut rng_lesson, mut rng_fast) = (seeded(8), seeded(8));
    let mut trainer = Trainer::new(&fast, n, batch_size);
    for _ in 0..3 {
        let cost = Cost::CrossEntropy;
        epoch_with(
            &mut lesson,
            x.view(),
            y.view(),
            cost,
            batch_size,
            &mut rng_lesson,
            |net, g| apply_gradients(net, g, eta),
        );
        trainer.epoch_with(
            &mut fast,
            x.view(),
            y.view(),
            cost,
            batch_size,
            &mut rng_fast,
            |net, g| sgd_update(net, g, eta),
        );
    }
    (lesson, fast)
}

/// The fast path trains the network the lesson code trains: to 1e-12 of
/// the largest weight in f64, and 1e-5 in f32 (where the two paths'
/// different summation orders round differently).
#[test]
fn the_fast_path_trains_the_lessons_network() {
    let (lesson, fast) = both_paths::<f64>(&[30, 40, 10], 300, 32);
    let d = network_difference(&fast, &lesson);
    assert!(d <= 1e-12, "f64: {d:e}");
    let (lesson, fast) = both_paths::<f32>(&[30, 40, 10], 300, 32);
    let d = network_difference(&fast, &lesson);
    assert!(d <= 1e-5, "f32: {d:e}");
    // And the comparison can fail: one more step on one side is seen.
    let (mut lesson, fast) = both_paths::<f64>(&[30, 40, 10], 300, 32);
    let x = Array2::from_elem((30, 4), 0.5);
    let y =
        Array2::from_shape_fn((10, 4), |(i, k)| f64::from(u8::from(i == k)));
    let g = backprop_batch(&lesson, x.view(), y.view(), Cost::CrossEntropy);
    apply_gradients(&mut lesson, &g, 0.05);
    assert!(network_difference(&fast, &lesson) > 1e-6);
}

/// The fast path trains the same network, to the bit, on pools of 1 to 16
/// threads (more than this machine has cores).
#[test]
fn the_fast_path_is_bit_identical_for_any_thread_count() {
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| both_paths::<f32>(&[784, 64, 10], 256, 64).1)
    };
    let one = on(1);
    for threads in [2, 3, 4, 8, 16] {
        assert!(on(threads) == one, "{threads} threads differ from 1");
    }
}

/// The parallel update is chapter 6's update, to the bit, both for a
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
    let grads = random_gradients(&net, &mut rng);
    let (mut expected, mut actual) = (net.clone(), net.clone());
    apply_gradients(&mut expected, &grads, 0.1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap();
    pool.install(|| sgd_update(&mut actual, &grads, 0.1));
    for (e, a) in expected.layers.iter().zip(&actual.layers) {
        assert_eq!(e.w, a.w);
        assert_eq!(e.b, a.b);
    }
    assert_ne!(net.layers[0].w, actual.layers[0].w, "nothing was updated");
}

/// Dropout masks for every hidden layer of `net`: 0 or 1/(1 − p).
fn masks_for(
    net: &Network<f64>,
    m: usize,
    p: f64,
    seed: u64,
) -> Vec<Array2<f64>> {
    let mut rng = seeded(seed);
    net.layers[..net.layers.len() - 1]
        .iter()
        .map(|l| {
            Array2::from_shape_simple_fn((l.n_out(), m), || {
                if uniform(&mut rng, 0.0, 1.0) < p {
                    0.0
                } else {
                    1.0 / (1.0 - p)
                }
            })
        })
        .collect()
}

/// The largest relative difference between the workspace's gradient and
/// central finite differences of its mean cost, with the masks fixed;
/// `masks_in_gradient: false` computes the gradient without them (a
/// backward pass that forgot dropout).
fn dropout_gradient_error(
    net: &Network<f64>,
    x: &Array2<f64>,
    y: &Array2<f64>,
    masks: &[Array2<f64>],
    masks_in_gradient: bool,
) -> f64 {
    let m = x.ncols();
    let mut ws = Workspace::new(net, m);
    let mean_cost = |ws: &mut Workspace<f64>, net: &Network<f64>| {
        ws.set_dropout_masks(masks.to_vec());
        ws.backprop(net, x.view(), y.view(), Cost::CrossEntropy);
        ws.batch_cost / m as f64
    };
    if masks_in_gradient {
        ws.set_dropout_masks(masks.to_vec());
    }
    ws.backprop(net, x.view(), y.view(), Cost::CrossEntropy);
    let grads = ws.grads.clone();
    let h = 1e-6;
    let mut worst = 0.0f64;
    for l in 0..net.layers.len() {
        for (i, j) in [(0, 0), (1, 2), (2, 1)] {
            let mut plus = net.clone();
            plus.layers[l].w[(i, j)] += h;
            let mut minus = net.clone();
            minus.layers[l].w[(i, j)] -= h;
            let numeric = (mean_cost(&mut ws, &plus)
                - mean_cost(&mut ws, &minus))
                / (2.0 * h);
            let analytic = grads.nabla_w[l][(i, j)];
            let err = (numeric - analytic).abs()
                / numeric.abs().max(analytic.abs()).max(1e-8);
            worst = worst.max(err);
        }
    }
    worst
}

/// Backprop through dropout, with the masks held fixed, is the gradient of
/// the masked network's cost: checked against finite differences on
/// random networks; a backward pass that forgets the masks is caught.
#[test]
fn backprop_through_dropout_matches_finite_differences() {
    for seed in 0..8 {
        let mut rng = seeded(100 + seed);
        // Tanh, smooth everywhere: no ReLU kink for a difference to cross.
        let net = Network::new(
            &[6, 5, 4, 3],
            Activation::Tanh,
            Activation::Softmax,
            Init::Scaled,
            &mut rng,
        )
        .unwrap();
        let x = normal_array(&mut rng, (6, 5), 1.0);
        let y = Array2::from_shape_fn((3, 5), |(i, k)| {
            f64::from(u8::from(i == k % 3))
        });
        let masks = masks_for(&net, 5, 0.4, seed);
        let err = dropout_gradient_error(&net, &x, &y, &masks, true);
        assert!(err < 1e-6, "seed {seed}: relative error {err:e}");
        let wrong = dropout_gradient_error(&net, &x, &y, &masks, false);
        assert!(
            wrong > 1e-3,
            "seed {seed}: a maskless gradient passed ({wrong:e})"
        );
    }
}

/// Dropout of rate 0 changes nothing, and training with dropout is the
/// same to the bit on any number of threads (the masks are drawn in one
/// order, whatever thread uses them).
#[test]
fn dropout_is_seeded_and_the_same_for_any_thread_count() {
    let train = |p: f64, threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut rng = seeded(5);
            let mut net = Network::<f32>::new(
                &[784, 64, 32, 10],
                Activation::Relu,
                Activation::Softmax,
                Init::He,
                &mut rng,
            )
            .unwrap();
            let x = normal_array(&mut rng, (784, 256), 1.0).mapv(|v| v as f32);
            let y = Array2::from_shape_fn((10, 256), |(i, k)| {
                f32::from(u8::from(i == k % 10))
            });
            let mut trainer = Trainer::new(&net, 256, 64);
            // Masks drawn entry by entry from the run's generator (chapter
            // 9's rule; here written out, as chapter 7 cannot call it).
            let keep = 1.0 / (1.0 - p as f32);
            trainer.masks = Some(Box::new(move |mut mask, rng| {
                for v in mask.iter_mut() {
                    let dropped = rand::Rng::random::<f64>(rng) < p;
                    *v = if dropped { 0.0 } else { keep };
                }
            }));
            trainer.epoch_with(
                &mut net,
                x.view(),
                y.view(),
                Cost::CrossEntropy,
                64,
                &mut rng,
                |net, g| sgd_update(net, g, 0.05),
            );
            net
        })
    };
    let one = train(0.5, 1);
    for threads in [2, 3, 8] {
        assert!(train(0.5, threads) == one, "{threads} threads differ");
    }
    assert!(train(0.5, 2) != train(0.0, 2), "dropout changed nothing");
    // Masks of rate 0 are all ones: the same gradient as no dropout.
    let mut rng = seeded(6);
    let net = Network::<f64>::new(
        &[5, 4, 3],
        Activation::Relu,
        Activation::Softmax,
        Init::He,
        &mut rng,
    )
    .unwrap();
    let x = normal_array(&mut rng, (5, 7), 1.0);
    let y =
        Array2::from_shape_fn((3, 7), |(i, k)| f64::from(u8::from(i == k % 3)));
    let mut plain = Workspace::new(&net, 7);
    plain.backprop(&net, x.view(), y.view(), Cost::CrossEntropy);
    let mut rate0 = Workspace::new(&net, 7);
    rate0.fill_masks(&net, 7, |mut mask| mask.fill(1.0));
    rate0.backprop(&net, x.view(), y.view(), Cost::CrossEntropy);
    assert_eq!(plain.grads, rate0.grads);
}

/// The update made inside backprop (`Trainer::epoch_update`) trains the
/// network, and moves the optimizer's state, to the bit as `epoch_with`
/// does with the same rules applied after backprop (`update_each`): a
/// network wide enough for the weight gradient to be cut between threads
/// (pools of 1, 2, 3 and 16 threads), one with three layers and dropout,
/// in f32 and f64. A rule that differs is seen.
#[test]
fn the_update_inside_backprop_is_the_update_after_it() {
    fn run<T: crate::fast::Float>(
        sizes: &[usize],
        threads: usize,
        inside: bool,
        decay: f64,
    ) -> (Network<T>, Gradients<T>, Vec<f64>) {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut rng = seeded(11);
            let (relu, softmax) = (Activation::Relu, Activation::Softmax);
            let mut net =
                Network::<T>::new(sizes, relu, softmax, Init::He, &mut rng)
                    .unwrap();
            let (n_in, n) = (sizes[0], 200);
            let x = normal_array(&mut rng, (n_in, n), 1.0).mapv(T::from_f64);
            let y =
                Array2::from_shape_fn((sizes[sizes.len() - 1], n), |(i, k)| {
                    T::from_f64(f64::from(u8::from(i == k % 10)))
                });
            let mut trainer = Trainer::new(&net, n, 64);
            if sizes.len() > 3 {
                trainer.masks = Some(Box::new(|mut mask, rng| {
                    for v in mask.iter_mut() {
                        let kept = rand::Rng::random::<f64>(rng) < 0.8;
                        *v = T::from_f64(if kept { 1.25 } else { 0.0 });
                    }
                }));
            }
            let mut state = Gradients::zeros_like(&net);
            let (mu, eta) = (T::from_f64(0.9), T::from_f64(0.05));
            let lambda = T::from_f64(decay);
            let rule_w = move |w: &mut T, v: &mut T, &g: &T| {
                *v = mu * *v - eta * (g + lambda * *w);
                *w += *v;
            };
            let rule_b = move |b: &mut T, v: &mut T, &g: &T| {
                *v = mu * *v - eta * g;
                *b += *v;
            };
            let (xv, yv, cost) = (x.view(), y.view(), Cost::CrossEntropy);
            let mut costs = Vec::new();
            for _ in 0..2 {
                if inside {
                    let update = crate::fast::Update {
                        state: &mut state,
                        rule_w,
                        rule_b,
                    };
                    let t = &mut trainer;
                    t.epoch_update(
                        &mut net,
                        xv,
                        yv,
                        cost,
                        64,
                        &mut rng,
                        update,
                        || {},
                    );
                } else {
                    trainer.epoch_with(
                        &mut net,
                        xv,
                        yv,
                        cost,
                        64,
                        &mut rng,
                        |net, g| {
                            crate::fast::update_each(
                                net, &mut state, g, rule_w, rule_b,
                            )
                        },
                    );
                }
                costs.extend(&trainer.step_costs);
            }
            (net, state, costs)
        })
    }
    for threads in [1, 2, 3, 16] {
        let sizes = [784, 256, 10];
        let after = run::<f32>(&sizes, threads, false, 1e-4);
        assert!(
            run::<f32>(&sizes, threads, true, 1e-4) == after,
            "{threads}"
        );
    }
    for sizes in [&[30, 40, 20, 10][..], &[784, 256, 10]] {
        let after = run::<f64>(sizes, 2, false, 1e-4);
        assert!(run::<f64>(sizes, 2, true, 1e-4) == after, "{sizes:?}");
        assert!(run::<f64>(sizes, 2, true, 2e-4) != after, "{sizes:?}");
    }
}
