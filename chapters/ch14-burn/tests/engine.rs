//! Burn against the book: the same weights give the same logits, Burn's
//! autodiff gives chapter 7's gradients, Burn's step is chapter 8's step,
//! Burn's training is chapter 8's training, and both all-reduces equal one
//! step on the whole minibatch — for any number of workers.

use burn::prelude::*;
use ch07_minibatches::{Activation, Cost, Init, Network, backprop_batch};
use ch08_mnist::{Config, Optimizer, TrainingPath, labels_to_matrix};
use ch14_burn::compare::{
    burn_gradients, burn_logits, gradient_difference, max_difference,
    our_gradients, our_logits,
};
use ch14_burn::model::{from_network, load, to_network};
use ch14_burn::parallel::{
    data_parallel_gradients, data_parallel_step, devices, shares,
};
use ch14_burn::train::{burn_step, optimizer, train_burn};
use ndarray::Array2;
use proptest::prelude::*;
use rand::Rng as _;
use shared::rng::{Rng, normal_array, seeded};
use shared::testing::property;

fn network<T: shared::Real>(rng: &mut Rng, sizes: &[usize]) -> Network<T> {
    Network::new(sizes, Activation::Relu, Activation::Softmax, Init::He, rng)
        .expect("valid sizes")
}

fn minibatch<T: shared::Real>(
    rng: &mut Rng,
    n_in: usize,
    m: usize,
) -> (Array2<T>, Vec<u8>) {
    let x = normal_array(rng, (n_in, m), 1.0).mapv(T::from_f64);
    let labels = (0..m).map(|_| rng.random_range(0..10u8)).collect();
    (x, labels)
}

/// Sizes n_in, hidden…, 10 (the cost takes digit labels).
fn sizes() -> impl Strategy<Value = Vec<usize>> {
    (1..12usize, prop::collection::vec(1..12usize, 1..3)).prop_map(
        |(n_in, hidden)| {
            let mut sizes = vec![n_in];
            sizes.extend(hidden);
            sizes.push(10);
            sizes
        },
    )
}

fn largest_weight_difference(a: &Network<f32>, b: &Network<f32>) -> f32 {
    a.layers
        .iter()
        .zip(&b.layers)
        .map(|(p, q)| {
            max_difference(&p.w, &q.w).max(max_difference(&p.b, &q.b))
        })
        .fold(0.0, f32::max)
}

#[test]
fn our_network_goes_into_burn_and_comes_back_bit_for_bit() {
    property(40, (sizes(), any::<u64>()), |(sizes, seed)| {
        let net = network::<f32>(&mut seeded(seed), &sizes);
        let back = to_network(&from_network(&net, &Device::flex()));
        prop_assert_eq!(&back, &net);
        Ok(())
    });
}

#[test]
fn burn_gives_our_logits_and_our_predictions() {
    property(
        40,
        (sizes(), 1..20usize, any::<u64>()),
        |(sizes, m, seed)| {
            let mut rng = seeded(seed);
            let net = network::<f32>(&mut rng, &sizes);
            let (x, _) = minibatch::<f32>(&mut rng, sizes[0], m);
            let device = Device::flex();
            let ours = our_logits(&net, x.view());
            let burns =
                burn_logits(&from_network(&net, &device), x.view(), &device);
            let worst = max_difference(&ours, &burns);
            prop_assert!(worst <= 1e-5, "logits differ by {worst:.1e}");
            Ok(())
        },
    );
}

#[test]
fn burns_autodiff_gives_chapter_7s_backprop_gradients() {
    property(
        40,
        (sizes(), 1..20usize, any::<u64>()),
        |(sizes, m, seed)| {
            let mut rng = seeded(seed);
            let net = network::<f32>(&mut rng, &sizes);
            let (x, labels) = minibatch::<f32>(&mut rng, sizes[0], m);
            let device = Device::flex().autodiff();
            let ours = our_gradients(&net, x.view(), &labels);
            let burns = burn_gradients(
                &from_network(&net, &device),
                x.view(),
                &labels,
                &device,
            );
            let (worst, largest) = gradient_difference(&ours, &burns);
            prop_assert!(
                worst <= 1e-5,
                "gradients differ by {worst:.1e} (largest {largest:.2})"
            );
            Ok(())
        },
    );
}

#[test]
fn the_gradient_comparison_catches_a_wrong_gradient() {
    // Burn's gradients of a network with one weight changed by 0.1 are
    // not the gradients of ours: the comparison must say so.
    let mut rng = seeded(7);
    let net = network::<f32>(&mut rng, &[6, 5, 10]);
    let (x, labels) = minibatch::<f32>(&mut rng, 6, 16);
    let mut other = net.clone();
    other.layers[0].w[(2, 3)] += 0.1;
    let device = Device::flex().autodiff();
    let ours = our_gradients(&net, x.view(), &labels);
    let burns = burn_gradients(
        &from_network(&other, &device),
        x.view(),
        &labels,
        &device,
    );
    let (worst, _) = gradient_difference(&ours, &burns);
    assert!(worst > 1e-3, "a changed weight went unnoticed: {worst:.1e}");
}

#[test]
fn burns_step_with_our_rule_is_chapter_8s_step() {
    property(
        20,
        (sizes(), 1..20usize, any::<u64>()),
        |(sizes, m, seed)| {
            let mut rng = seeded(seed);
            let mut net = network::<f32>(&mut rng, &sizes);
            let device = Device::flex().autodiff();
            let config = Config::default_run();
            let mut mlp = from_network(&net, &device);
            let mut burn_optimizer = optimizer(&config);
            let mut ours =
                Optimizer::new(&net, config.momentum, config.weight_decay);
            for eta in [0.1, 0.05, 0.02] {
                let (x, labels) = minibatch::<f32>(&mut rng, sizes[0], m);
                let grads = our_gradients(&net, x.view(), &labels);
                ours.step(&mut net, &grads, eta as f32);
                mlp = burn_step(
                    mlp,
                    &mut burn_optimizer,
                    eta,
                    x.view(),
                    &labels,
                    &device,
                );
            }
            let worst = largest_weight_difference(&net, &to_network(&mlp));
            prop_assert!(worst <= 1e-5, "after three steps: {worst:.1e}");
            Ok(())
        },
    );
}

#[test]
fn burns_training_is_chapter_8s_training() {
    // Chapter 8's recipe on a small made-up problem: the lesson path and
    // Burn start from the same weights and see the same minibatches.
    let mut rng = seeded(3);
    let (x, labels) = minibatch::<f32>(&mut rng, 20, 300);
    let (x_val, labels_val) = minibatch::<f32>(&mut rng, 20, 100);
    let config = Config {
        sizes: vec![20, 16, 10],
        epochs: 3,
        path: TrainingPath::Lesson,
        ..Config::default_run()
    };
    let y = labels_to_matrix::<f32>(&labels);
    let (ours, our_history) = ch08_mnist::train(
        &config,
        x.view(),
        y.view(),
        x_val.view(),
        &labels_val,
        |_| {},
        || {},
    );
    let device = Device::flex().autodiff();
    let run = || {
        train_burn(
            &config,
            x.view(),
            &labels,
            x_val.view(),
            &labels_val,
            &device,
            |_| {},
        )
    };
    let (burns, burn_history) = run();
    let worst = largest_weight_difference(&ours, &burns);
    assert!(
        worst <= 1e-4,
        "after 3 epochs the weights differ by {worst:.1e}"
    );
    for (a, b) in our_history.iter().zip(&burn_history) {
        assert!((a.train_loss - b.train_loss).abs() < 1e-4, "{a:?} {b:?}");
        assert_eq!(a.validation_accuracy, b.validation_accuracy);
    }
    // And Burn's run is the same every time.
    let (again, _) = run();
    assert_eq!(again, burns);
}

#[test]
fn shares_cut_the_minibatch_into_contiguous_nearly_equal_pieces() {
    property(200, (0..300usize, 1..17usize), |(m, workers)| {
        let pieces = shares(m, workers);
        prop_assert_eq!(pieces.len(), workers);
        prop_assert_eq!(pieces[0].start, 0);
        prop_assert_eq!(pieces[workers - 1].end, m);
        for pair in pieces.windows(2) {
            prop_assert_eq!(pair[0].end, pair[1].start);
            prop_assert!(pair[0].len() >= pair[1].len());
            prop_assert!(pair[0].len() - pair[1].len() <= 1);
        }
        Ok(())
    });
}

#[test]
fn the_all_reduce_by_hand_equals_the_whole_minibatch() {
    // More workers than this machine has cores, and more than samples.
    let cases = (sizes(), 1..40usize, 1..24usize, any::<u64>());
    property(60, cases, |(sizes, m, workers, seed)| {
        let mut rng = seeded(seed);
        let net = network::<f64>(&mut rng, &sizes);
        let (x, labels) = minibatch::<f64>(&mut rng, sizes[0], m);
        let y = labels_to_matrix::<f64>(&labels);
        let cost = Cost::CrossEntropy;
        let whole = backprop_batch(&net, x.view(), y.view(), cost);
        let split =
            data_parallel_gradients(&net, x.view(), y.view(), cost, workers);
        for (a, b) in whole.nabla_w.iter().zip(&split.nabla_w) {
            let worst = max_abs(a, b);
            prop_assert!(worst <= 1e-12, "{workers} workers: {worst:.1e}");
        }
        for (a, b) in whole.nabla_b.iter().zip(&split.nabla_b) {
            let worst = max_abs(a, b);
            prop_assert!(worst <= 1e-12, "{workers} workers: {worst:.1e}");
        }
        Ok(())
    });
}

fn max_abs<D: ndarray::Dimension>(
    a: &ndarray::Array<f64, D>,
    b: &ndarray::Array<f64, D>,
) -> f64 {
    a.iter().zip(b).fold(0.0, |m, (x, y)| m.max((x - y).abs()))
}

#[test]
fn the_all_reduce_check_catches_an_unweighted_mean() {
    // Shares of 3 and 1 averaged as equals are not the whole batch's mean.
    let mut rng = seeded(11);
    let net = network::<f64>(&mut rng, &[4, 5, 10]);
    let (x, labels) = minibatch::<f64>(&mut rng, 4, 4);
    let y = labels_to_matrix::<f64>(&labels);
    let cost = Cost::CrossEntropy;
    let whole = backprop_batch(&net, x.view(), y.view(), cost);
    let a = backprop_batch(
        &net,
        x.slice(ndarray::s![.., ..3]),
        y.slice(ndarray::s![.., ..3]),
        cost,
    );
    let b = backprop_batch(
        &net,
        x.slice(ndarray::s![.., 3..]),
        y.slice(ndarray::s![.., 3..]),
        cost,
    );
    let plain = (&a.nabla_w[0] + &b.nabla_w[0]) / 2.0;
    assert!(max_abs(&whole.nabla_w[0], &plain) > 1e-6);
}

#[test]
fn burns_data_parallel_step_equals_one_step_on_the_whole_minibatch() {
    property(
        12,
        (sizes(), 1..30usize, 2..9usize, any::<u64>()),
        |(sizes, m, k, seed)| {
            let mut rng = seeded(seed);
            let net = network::<f32>(&mut rng, &sizes);
            let config = Config::default_run();
            let devices = devices(k);
            let (mut one, mut many) = (optimizer(&config), optimizer(&config));
            let (mut a, mut b) = (
                from_network(&net, &devices[0]),
                from_network(&net, &devices[0]),
            );
            for _ in 0..2 {
                let (x, labels) = minibatch::<f32>(&mut rng, sizes[0], m);
                a = burn_step(a, &mut one, 0.1, x.view(), &labels, &devices[0]);
                b = data_parallel_step(
                    b,
                    &mut many,
                    0.1,
                    x.view(),
                    &labels,
                    &devices,
                );
            }
            let worst =
                largest_weight_difference(&to_network(&a), &to_network(&b));
            prop_assert!(worst <= 1e-5, "{k} devices, m = {m}: {worst:.1e}");
            Ok(())
        },
    );
}

#[test]
fn burn_loads_what_chapter_8_saves_and_names_a_bad_file() {
    let dir =
        std::env::temp_dir().join(format!("ch14-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let net = network::<f32>(&mut seeded(5), &[7, 6, 10]);
    let good = dir.join("good.safetensors");
    ch08_mnist::model::save(&net, Cost::CrossEntropy, &good).unwrap();
    let mlp = load(&good, &Device::flex()).unwrap();
    assert_eq!(to_network(&mlp), net, "Burn read the very same weights");

    let sigmoid = Network::<f32>::new(
        &[7, 6, 10],
        Activation::Sigmoid,
        Activation::Sigmoid,
        Init::He,
        &mut seeded(5),
    )
    .unwrap();
    let other = dir.join("sigmoid.safetensors");
    ch08_mnist::model::save(&sigmoid, Cost::Quadratic, &other).unwrap();
    let corrupt = dir.join("corrupt.safetensors");
    std::fs::write(&corrupt, b"not a model").unwrap();
    let missing = dir.join("missing.safetensors");
    for path in [&other, &corrupt, &missing] {
        let error = load(path, &Device::flex()).unwrap_err().to_string();
        assert_eq!(error.lines().count(), 1, "{error}");
        assert!(error.contains(&path.display().to_string()), "{error}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_page_and_the_code_name_the_pinned_burn_version() {
    let manifest = include_str!("../Cargo.toml");
    let pin = format!("version = \"={}\"", ch14_burn::BURN_VERSION);
    assert!(manifest.contains(&pin), "Cargo.toml pins {pin}");
    let page = include_str!("../../../book/src/ch14-burn.md");
    assert!(page.contains(&format!("Burn {}", ch14_burn::BURN_VERSION)));
}

#[test]
fn burn_gives_the_same_numbers_on_any_number_of_threads() {
    // Burn's CPU backend multiplies matrices on rayon's pool; the logits
    // and gradients must not depend on its size (more threads than cores
    // included).
    let mut rng = seeded(13);
    let net = network::<f32>(&mut rng, &[300, 200, 10]);
    let (x, labels) = minibatch::<f32>(&mut rng, 300, 128);
    let device = Device::flex().autodiff();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mlp = from_network(&net, &device);
            let z = burn_logits(&mlp, x.view(), &device);
            let g = burn_gradients(&mlp, x.view(), &labels, &device);
            (z, g.nabla_w, g.nabla_b)
        })
    };
    let one = run(1);
    for threads in [2, 3, 8] {
        assert!(run(threads) == one, "{threads} threads differ from 1");
    }
}
