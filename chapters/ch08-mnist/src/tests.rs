//! Tests of chapter 8 on data the tests make.

use super::*;
use ch07_minibatches::fast::{network_difference, random_gradients};
use ndarray::{Array2, array};
use proptest::prelude::*;
use shared::gradcheck::{SMOOTH_TOLERANCE, check_gradient};
use shared::rng::{normal_array, seeded, uniform};

#[test]
fn images_become_contiguous_columns_and_labels_one_hot() {
    let images = Images {
        count: 2,
        rows: 1,
        cols: 3,
        pixels: vec![0, 255, 51, 102, 0, 255],
    };
    let x: Array2<f32> = images_to_matrix(&images);
    assert_eq!(x.dim(), (3, 2));
    let expected = [0.0, 1.0, 0.2];
    for (got, want) in x.column(0).iter().zip(expected) {
        assert!((got - want).abs() < 1e-6, "{got} vs {want}");
    }
    assert!(x.column(1).as_slice().is_some(), "each image is contiguous");
    let y: Array2<f32> = labels_to_matrix(&[3, 0]);
    assert_eq!(
        y.column(0).to_vec(),
        [0., 0., 0., 1., 0., 0., 0., 0., 0., 0.]
    );
    assert_eq!(y[(0, 1)], 1.0);
}

#[test]
fn cosine_schedule_starts_at_eta_and_ends_near_zero() {
    assert_eq!(cosine_eta(0.1, 0, 10), 0.1);
    assert!((cosine_eta(0.1, 5, 10) - 0.05).abs() < 1e-12);
    assert!(cosine_eta(0.1, 9, 10) < 0.003);
}

#[test]
fn momentum_adds_up_repeated_steps_and_weight_decay_shrinks() {
    let mut net = Network::<f64>::new(
        &[2, 1],
        Activation::Identity,
        Activation::Identity,
        Init::Scaled,
        &mut seeded(1),
    )
    .unwrap();
    net.layers[0].w = array![[1.0, -2.0]];
    let mut grads = Gradients::zeros_like(&net);
    grads.nabla_w[0] = array![[1.0, 1.0]];
    let mut optimizer = Optimizer::new(&net, 0.5, 0.0);
    optimizer.step(&mut net, &grads, 0.1); // v = −0.1
    optimizer.step(&mut net, &grads, 0.1); // v = −0.05 − 0.1
    assert!((net.layers[0].w[(0, 0)] - (1.0 - 0.1 - 0.15)).abs() < 1e-12);
    let mut decay = Optimizer::new(&net, 0.0, 0.5);
    let before = net.layers[0].w.clone();
    let zero = Gradients::zeros_like(&net);
    decay.step(&mut net, &zero, 0.1);
    let want = before * 0.95; // w ← w − ηλw
    for (got, want) in net.layers[0].w.iter().zip(&want) {
        assert!((got - want).abs() < 1e-12, "{got} vs {want}");
    }
}

#[test]
fn confusion_and_accuracy_count_right() {
    let predictions = [1, 2, 2, 9];
    let labels = [1, 2, 3, 9];
    assert_eq!(accuracy(&predictions, &labels), 0.75);
    let counts = confusion_matrix(&predictions, &labels);
    assert_eq!(counts[3][2], 1);
    assert_eq!(counts[2][2], 1);
    assert_eq!(counts.iter().flatten().sum::<usize>(), 4);
}

/// A synthetic, learnable "MNIST": each class is a random 784-pixel
/// prototype, and each sample a noisy copy of its class's prototype.
fn synthetic(n: usize, seed: u64) -> (Images, Vec<u8>) {
    let prototypes = normal_array(&mut seeded(99), (10, 784), 1.0);
    let mut rng = seeded(seed);
    let mut pixels = Vec::with_capacity(n * 784);
    let mut labels = Vec::with_capacity(n);
    for _ in 0..n {
        let label = (uniform(&mut rng, 0.0, 10.0) as usize).min(9);
        for p in 0..784 {
            let v = 128.0
                + 40.0 * prototypes[(label, p)]
                + 60.0 * shared::rng::standard_normal(&mut rng);
            pixels.push(v.clamp(0.0, 255.0) as u8);
        }
        labels.push(label as u8);
    }
    (
        Images {
            count: n,
            rows: 28,
            cols: 28,
            pixels,
        },
        labels,
    )
}

#[test]
fn training_on_a_synthetic_data_set_reaches_near_100_percent() {
    let (train_images, train_labels) = synthetic(2000, 1);
    let (test_images, test_labels) = synthetic(500, 2);
    let config = Config {
        sizes: vec![784, 32, 10],
        epochs: 3,
        ..Config::default_run()
    };
    let x = images_to_matrix::<f32>(&train_images);
    let y = labels_to_matrix::<f32>(&train_labels);
    let x_test = images_to_matrix::<f32>(&test_images);
    let mut reported = 0;
    let (_, history) = train(
        &config,
        x.view(),
        y.view(),
        x_test.view(),
        &test_labels,
        |_| reported += 1,
        || {},
    );
    assert_eq!(reported, 3);
    let last = history.last().unwrap();
    assert!(last.validation_accuracy >= 0.99, "{:?}", history);
    assert!(history[2].train_loss < history[0].train_loss);
}

#[test]
fn training_is_seeded() {
    let run = || train_synthetic::<f32>(TrainingPath::Fast);
    assert_eq!(run(), run());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20))]

    // The network chapter 8 trains in f32 is the same generic code as in
    // f64; here, in f64, the minibatch gradient of the exact training path
    // (ch07's backprop_batch, ReLU + softmax + cross-entropy) plus weight decay
    // λW is checked against finite differences of C + λ/2‖W‖².
    #[test]
    fn the_training_gradient_with_weight_decay_matches_finite_differences(seed in any::<u64>()) {
        let mut rng = seeded(seed);
        let net = Network::<f64>::new(&[784, 4, 10], Activation::Relu, Activation::Softmax, Init::He, &mut rng).unwrap();
        let x = normal_array(&mut rng, (784, 3), 0.5).mapv(f64::abs);
        let y = labels_to_matrix::<f64>(&[1, 7, 3]);
        let lambda = 1e-2;
        let grads = &ch07_minibatches::backprop_batch(&net, x.view(), y.view(), Cost::CrossEntropy);
        // Only the last layer's 50 parameters, to keep the check quick.
        let w = &net.layers[1].w;
        let analytic: Vec<f64> = grads.nabla_w[1].iter().zip(w).map(|(g, w)| g + lambda * w).collect();
        let cost = |p: &[f64]| {
            let mut moved = net.clone();
            moved.layers[1].w = Array2::from_shape_vec(w.dim(), p.to_vec()).unwrap();
            let data: f64 = x.columns().into_iter().zip(y.columns())
                .map(|(xk, yk)| Cost::CrossEntropy.value(moved.feedforward(xk).view(), yk))
                .sum::<f64>() / 3.0;
            data + 0.5 * lambda * p.iter().map(|v| v * v).sum::<f64>()
        };
        let trace: Vec<bool> = x.columns().into_iter().map(|xk| {
            net.forward_trace(xk).zs[0].iter().all(|z| z.abs() > 1e-3)
        }).collect();
        prop_assume!(trace.iter().all(|&ok| ok));
        prop_assume!(analytic.iter().all(|g| g.abs() > 1e-3));
        let report = check_gradient(cost, w.as_slice().unwrap(), &analytic);
        prop_assert!(report.passes(SMOOTH_TOLERANCE), "{report}");
    }
}

/// Trains on synthetic data with the given path and element type.
fn train_synthetic<T: Float>(path: TrainingPath) -> Network<T> {
    let (images, labels) = synthetic(600, 4);
    let x = images_to_matrix::<T>(&images);
    let y = labels_to_matrix::<T>(&labels);
    let config = Config {
        sizes: vec![784, 24, 10],
        epochs: 2,
        path,
        ..Config::default_run()
    };
    train(
        &config,
        x.view(),
        y.view(),
        x.view(),
        &labels,
        |_| {},
        || {},
    )
    .0
}

/// Chapter 8's run trains the same network on the lesson path (chapter
/// 7's `epoch_with`, `Optimizer::step`) and the fast path: to 1e-12 of the
/// largest weight in f64, and 1e-5 in f32.
#[test]
fn the_lesson_path_and_the_fast_path_train_the_same_network() {
    let lesson = train_synthetic::<f64>(TrainingPath::Lesson);
    let fast = train_synthetic::<f64>(TrainingPath::Fast);
    let d = network_difference(&fast, &lesson);
    assert!(d <= 1e-12, "f64: {d:e}");
    let lesson = train_synthetic::<f32>(TrainingPath::Lesson);
    let fast = train_synthetic::<f32>(TrainingPath::Fast);
    let d = network_difference(&fast, &lesson);
    assert!(d <= 1e-5, "f32: {d:e}");
    assert!(d > 0.0, "f32 sums in another order: not to the bit");
}

/// The fast path's update is the lesson's update, to the bit.
#[test]
fn the_fast_optimizer_step_is_the_lessons_to_the_bit() {
    let mut rng = seeded(12);
    let net = Network::<f32>::new(
        &[784, 64, 10],
        Activation::Relu,
        Activation::Softmax,
        Init::He,
        &mut rng,
    )
    .unwrap();
    let grads = random_gradients(&net, &mut rng);
    let (mut lesson, mut fast) = (net.clone(), net.clone());
    let mut o_lesson = Optimizer::new(&net, 0.9, 1e-3);
    let mut o_fast = Optimizer::new(&net, 0.9, 1e-3);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap();
    for _ in 0..3 {
        o_lesson.step(&mut lesson, &grads, 0.1);
        pool.install(|| o_fast.step_fast(&mut fast, &grads, 0.1));
    }
    assert!(lesson == fast, "the updates differ");
    o_lesson.step(&mut lesson, &grads, 0.1);
    assert!(lesson != fast, "and a fourth step is seen");
}

/// The default run's training, from start to trained network, is the same
/// to the bit on pools of 1, 2, 3, 4, 8 and 16 threads.
#[test]
fn training_is_bit_identical_for_any_thread_count() {
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| train_synthetic::<f32>(TrainingPath::Fast))
    };
    let one = on(1);
    for threads in [2, 3, 4, 8, 16] {
        assert!(on(threads) == one, "{threads} threads differ from 1");
    }
}

/// `fit` returns the network of the best epoch on validation — the first
/// of equals — with every epoch's record, and `best_epoch` names the same
/// epoch; it is shown to pick by validation, not by the last epoch.
#[test]
fn fit_keeps_the_first_best_epoch_on_validation() {
    use crate::{Epoch, fit};
    struct Seen(f64);
    impl crate::Validated for Seen {
        fn validation_score(&self) -> f64 {
            self.0
        }
    }
    let accuracies = [0.50, 0.70, 0.65, 0.70, 0.60];
    // The "network" is the number of epochs trained; each epoch returns
    // its own number, which `measure` sees.
    let train_epoch = |net: &mut usize, e: usize| {
        *net += 1;
        e
    };
    let mut reported = Vec::new();
    let (net, history) = fit(
        0usize,
        accuracies.len(),
        train_epoch,
        |net: &usize, epoch: Epoch<usize>| {
            assert_eq!((epoch.number, epoch.trained + 1), (*net, *net));
            assert!(epoch.total_seconds >= epoch.seconds);
            Seen(accuracies[epoch.trained])
        },
        |r: &Seen| reported.push(r.0),
    );
    assert_eq!(net, 2, "the first of the two best epochs (2 and 4)");
    assert_eq!(reported, accuracies);
    let best = crate::best_epoch(&history).unwrap();
    assert!(std::ptr::eq(best, &history[1]));
    // Zero epochs: the network as it started, and no best epoch.
    let (net, history) =
        fit(7usize, 0, train_epoch, |_, _| Seen(0.0), |_: &Seen| {});
    assert_eq!(net, 7);
    assert!(crate::best_epoch(&history).is_none());
}

/// The split: training images up to `TRAIN_SIZE` learn, the rest choose,
/// the test set is kept whole; `first` keeps validation and test.
#[test]
fn the_split_keeps_validation_apart_from_training() {
    use shared::data::Split;
    let images = |count: usize, first: u8| Images {
        count,
        rows: 1,
        cols: 2,
        pixels: (0..2 * count).map(|k| first + k as u8).collect(),
    };
    let n = TRAIN_SIZE + 3;
    let train = Split {
        images: images(n, 0),
        labels: (0..n).map(|k| (k % 10) as u8).collect(),
    };
    let test = Split {
        images: images(2, 7),
        labels: vec![4, 2],
    };
    let mnist = Mnist::split(&train, &test);
    assert_eq!((mnist.x.ncols(), mnist.x_val.ncols()), (TRAIN_SIZE, 3));
    assert_eq!(mnist.labels_val, [0, 1, 2]); // images 50,000 to 50,002
    assert_eq!(mnist.x_val.column(0), mnist_column(&train, TRAIN_SIZE));
    assert_eq!(
        (mnist.x_test.ncols(), &mnist.labels_test[..]),
        (2, &[4, 2][..])
    );
    let few = mnist.first(5);
    assert_eq!((few.x.ncols(), few.labels.len()), (5, 5));
    assert_eq!((few.x_val, few.x_test), (mnist.x_val, mnist.x_test));
}

fn mnist_column(split: &shared::data::Split, k: usize) -> ndarray::Array1<f32> {
    images_to_matrix::<f32>(&split.images).column(k).to_owned()
}
