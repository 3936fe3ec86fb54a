//! The chapter's backward rules against finite differences (f64), each
//! check shown to catch a plausible wrong gradient.

use ndarray::{Array2, ArrayView2, s};
use shared::gradcheck::{Report, check_gradient, check_measurable};
use shared::rng::{Rng, normal_array, seeded};

use crate::bigram::NeuralBigram;
use crate::count::{bigram_nll, bigram_probabilities, count_bigrams};
use crate::gru::Gru;
use crate::language::{Language, draw_windows, flat, with_flat};
use crate::lookup::{lookup, lookup_gradient, next_token_loss};
use crate::mlp::Mlp;
use crate::rnn::Rnn;

const VOCAB: usize = 5;

/// The model's gradient on `windows` against central differences of its
/// loss, on every coordinate they can measure to 1e-7 (chapter 6).
pub(crate) fn check_model<M: Language<f64>>(
    model: &M,
    windows: ArrayView2<usize>,
    gradient: &[f64],
) -> Report {
    let loss = |w: &[f64]| with_flat(model, w).loss(windows);
    check_measurable(loss, &flat(model), gradient)
}

fn windows(len: usize, batch: usize, rng: &mut Rng) -> Array2<usize> {
    let stream: Vec<usize> = (0..200)
        .map(|_| rand::Rng::random_range(rng, 0..VOCAB))
        .collect();
    draw_windows(&stream, len, batch, rng)
}

fn model_check<M: Language<f64>>(model: &M, w: ArrayView2<usize>) -> Report {
    let (_, g) = model.loss_and_gradient(w);
    check_model(model, w, &flat(&g))
}

#[test]
fn counting_gives_columns_that_are_distributions() {
    let stream = [0, 1, 2, 1, 2, 0, 1];
    let n = count_bigrams(&stream, 3);
    assert_eq!(n[[1, 0]], 2.0); // 0 → 1 twice
    assert_eq!(n[[2, 1]], 2.0);
    assert_eq!(n.sum(), 6.0);
    let p = bigram_probabilities(n.view(), 0.5);
    for column in p.columns() {
        assert!((column.sum() - 1.0).abs() < 1e-12);
    }
    // −(ln ⅔ + ln ⅔·…) by hand for α = 0: P(1|0) = 1, P(2|1) = 1, …
    let exact = bigram_probabilities(n.view(), 0.0);
    let by_hand =
        -(1.0f64.ln() * 2.0 + (2.0f64 / 2.0).ln() * 2.0 + (0.5f64).ln() * 2.0)
            / 6.0;
    assert!((bigram_nll(exact.view(), &stream) - by_hand).abs() < 1e-12);
}

#[test]
fn the_lookup_is_a_product_with_one_hot_columns() {
    let w = normal_array(&mut seeded(1), (3, VOCAB), 1.0);
    let tokens = [4, 0, 4];
    let mut one_hot = Array2::zeros((VOCAB, 3));
    for (j, &t) in tokens.iter().enumerate() {
        one_hot[[t, j]] = 1.0;
    }
    assert_eq!(lookup(w.view(), &tokens), w.dot(&one_hot));
    let delta = normal_array(&mut seeded(2), (3, 3), 1.0);
    assert_eq!(
        lookup_gradient(delta.view(), &tokens, VOCAB),
        delta.dot(&one_hot.t())
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(12))]

    /// The scatter-add against finite differences of C = Σ δ ⊙ lookup(W);
    /// the same check refuses a lookup gradient that assigns instead of
    /// adding (a token read twice counted once).
    #[test]
    fn lookup_gradient_matches_finite_differences(seed in 0u64..1000) {
        let mut rng = seeded(seed);
        let w = normal_array(&mut rng, (3, VOCAB), 1.0);
        let delta = normal_array(&mut rng, (3, 6), 1.0);
        let tokens = [1, 3, 1, 0, 1, 4];
        let cost = |v: &[f64]| {
            let w = ndarray::ArrayView2::from_shape((3, VOCAB), v).unwrap();
            (&lookup(w, &tokens) * &delta).sum()
        };
        let g = lookup_gradient(delta.view(), &tokens, VOCAB);
        let flat_w: Vec<f64> = w.iter().copied().collect();
        let right: Vec<f64> = g.iter().copied().collect();
        proptest::prop_assert!(check_gradient(cost, &flat_w, &right).passes(1e-7));
        let mut wrong = Array2::zeros((3, VOCAB));
        for (j, &t) in tokens.iter().enumerate() {
            wrong.column_mut(t).assign(&delta.column(j));
        }
        let wrong: Vec<f64> = wrong.iter().copied().collect();
        proptest::prop_assert!(!check_gradient(cost, &flat_w, &wrong).passes(1e-3));
    }

    /// The loss's gradient (softmax − y)/n, column by column.
    #[test]
    fn next_token_loss_gradient_matches(seed in 0u64..1000) {
        let z = normal_array(&mut seeded(seed), (VOCAB, 4), 2.0);
        let next = [0, 4, 4, 2];
        let (_, dz) = next_token_loss(z.view(), &next);
        let cost = |v: &[f64]| {
            let z = ndarray::ArrayView2::from_shape((VOCAB, 4), v).unwrap();
            next_token_loss(z, &next).0
        };
        let flat_z: Vec<f64> = z.iter().copied().collect();
        let g: Vec<f64> = dz.iter().copied().collect();
        proptest::prop_assert!(check_measurable(cost, &flat_z, &g).passes(1e-7));
    }

    /// The neural bigram's whole gradient.
    #[test]
    fn neural_bigram_gradient_matches(seed in 0u64..1000) {
        let mut rng = seeded(seed);
        let mut model = NeuralBigram::<f64>::new(VOCAB);
        model.w = normal_array(&mut rng, (VOCAB, VOCAB), 1.0);
        let w = windows(4, 3, &mut rng);
        proptest::prop_assert!(model_check(&model, w.view()).passes(1e-7));
    }

    /// The MLP's whole gradient, embeddings included.
    #[test]
    fn mlp_gradient_matches(seed in 0u64..1000) {
        let mut rng = seeded(seed);
        let model = Mlp::<f64>::new(VOCAB, 3, 2, 6, &mut rng);
        let w = windows(6, 3, &mut rng);
        proptest::prop_assert!(model_check(&model, w.view()).passes(1e-7));
    }

    /// One RNN step (windows of two tokens: read one, predict one).
    #[test]
    fn one_rnn_step_matches(seed in 0u64..1000) {
        let mut rng = seeded(seed);
        let model = Rnn::<f64>::new(VOCAB, 4, &mut rng);
        let w = windows(2, 3, &mut rng);
        proptest::prop_assert!(model_check(&model, w.view()).passes(1e-7));
    }

    /// BPTT through a whole random sequence; the same check refuses BPTT
    /// that drops the path through hₜ₋₁ (W_hh set to 0 on the way back:
    /// ∂C/∂hₜ then comes from this step's output alone).
    #[test]
    fn bptt_matches_and_the_check_catches_a_dropped_path(seed in 0u64..1000) {
        let mut rng = seeded(seed);
        let model = Rnn::<f64>::new(VOCAB, 4, &mut rng);
        let w = windows(9, 2, &mut rng);
        proptest::prop_assert!(model_check(&model, w.view()).passes(1e-7));
        let x = w.slice(s![..-1, ..]);
        let (h, z) = model.forward(x);
        let (all, next) = crate::rnn::predictions(w.view(), &z);
        let (_, dz) = next_token_loss(all.view(), &next);
        let cut = Rnn { w_hh: Array2::zeros((4, 4)), ..model.clone() };
        let dz = crate::rnn::per_step(dz.view(), z.len());
        let (wrong, _) = cut.backward(x, &h, &dz);
        proptest::prop_assert!(
            !check_model(&model, w.view(), &flat(&wrong)).passes(1e-3)
        );
    }

    /// The GRU's whole gradient through a sequence; the same check
    /// refuses the update gate's gradient with the wrong sign.
    #[test]
    fn gru_gradient_matches_and_catches_a_wrong_sign(seed in 0u64..1000) {
        let mut rng = seeded(seed);
        let model = Gru::<f64>::new(VOCAB, 3, &mut rng);
        let w = windows(7, 2, &mut rng);
        proptest::prop_assert!(model_check(&model, w.view()).passes(1e-7));
        let (_, mut wrong) = model.loss_and_gradient(w.view());
        for m in [&mut wrong.w_x, &mut wrong.w_h, &mut wrong.b_x, &mut wrong.b_h] {
            m.slice_mut(s![3..6, ..]).mapv_inplace(|v| -v);
        }
        proptest::prop_assert!(
            !check_model(&model, w.view(), &flat(&wrong)).passes(1e-3)
        );
    }
}

/// The largest difference between two models' parameters.
fn largest_difference<T: shared::Real, M: Language<T>>(a: &M, b: &M) -> f64 {
    let pairs = a.parameters().into_iter().zip(b.parameters());
    pairs
        .flat_map(|(p, q)| {
            p.iter()
                .zip(q)
                .map(|(x, y)| (x.into_f64() - y.into_f64()).abs())
                .collect::<Vec<_>>()
        })
        .fold(0.0, f64::max)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(8))]

    /// The GRU's fast path computes the lesson's loss and gradient.
    #[test]
    fn fast_gru_is_the_lesson(seed in 0u64..1000, len in 1usize..9, batch in 1usize..6) {
        let mut rng = seeded(seed);
        let model = Gru::<f64>::new(VOCAB, 5, &mut rng);
        let w = windows(len + 1, batch, &mut rng);
        let (loss, g) = model.loss_and_gradient(w.view());
        let mut fast = crate::fast::GruWorkspace::new(&model, len, batch);
        let mut g_fast = model.zeros_like();
        let loss_fast = fast.loss_and_gradient(&model, w.view(), &mut g_fast);
        proptest::prop_assert!((loss - loss_fast).abs() < 1e-12);
        proptest::prop_assert!(largest_difference(&g, &g_fast) < 1e-12);
        proptest::prop_assert!((fast.loss(&model, w.view()) - loss).abs() < 1e-12);
    }

    /// The RNN's fast path computes the lesson's loss and gradient.
    #[test]
    fn fast_rnn_is_the_lesson(seed in 0u64..1000, len in 1usize..9, batch in 1usize..6) {
        let mut rng = seeded(seed);
        let model = Rnn::<f64>::new(VOCAB, 5, &mut rng);
        let w = windows(len + 1, batch, &mut rng);
        let (loss, g) = model.loss_and_gradient(w.view());
        let mut fast = crate::fast::RnnWorkspace::new(&model, len, batch);
        let mut g_fast = model.zeros_like();
        let loss_fast = fast.loss_and_gradient(&model, w.view(), &mut g_fast);
        proptest::prop_assert!((loss - loss_fast).abs() < 1e-12);
        proptest::prop_assert!(largest_difference(&g, &g_fast) < 1e-12);
        proptest::prop_assert!((fast.loss(&model, w.view()) - loss).abs() < 1e-12);
    }
}

/// The fast path gives bit-identical gradients on 1, 2, 3 and 8 threads
/// (more threads than this machine may have), in f32 and at a size where
/// the products are split between threads.
#[test]
fn fast_path_is_the_same_on_any_thread_count() {
    let mut rng = seeded(5);
    let gru = Gru::<f32>::new(30, 96, &mut rng);
    let rnn = Rnn::<f32>::new(30, 96, &mut rng);
    let stream: Vec<usize> = (0..5000)
        .map(|_| rand::Rng::random_range(&mut rng, 0..30))
        .collect();
    let w = draw_windows(&stream, 33, 40, &mut rng);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a pool");
        pool.install(|| {
            let mut g = gru.zeros_like();
            let mut fast = crate::fast::GruWorkspace::new(&gru, 32, 40);
            let a = fast.loss_and_gradient(&gru, w.view(), &mut g);
            let mut h = rnn.zeros_like();
            let mut fast = crate::fast::RnnWorkspace::new(&rnn, 32, 40);
            let b = fast.loss_and_gradient(&rnn, w.view(), &mut h);
            (a, g, b, h)
        })
    };
    let one = run(1);
    for threads in [2, 3, 8] {
        assert_eq!(run(threads), one, "{threads} threads");
    }
}

/// Adam's step, run in vector loops over pieces on every thread, gives
/// the bits of AdamW's rule applied entry by entry (λ on the matrices,
/// none on the vectors), three steps in a row, on 1, 3 and 8 threads.
#[test]
fn adams_step_is_the_rule_entry_by_entry() {
    use crate::train::Adam;
    use ch09_generalisation::optim::adamw_rule;
    use ndarray::Zip;
    let mut rng = seeded(7);
    let start = Gru::<f32>::new(30, 96, &mut rng);
    let g = Gru::<f32>::new(30, 96, &mut rng);
    let (eta, lambda) = (0.01, 0.1);
    let mut expected = start.clone();
    let mut m: Vec<_> =
        start.parameters().iter().map(|p| p.mapv(|_| 0.0)).collect();
    let mut v = m.clone();
    for t in 1..=3 {
        let parts = expected.parameters_mut().into_iter().zip(g.parameters());
        for ((w, g), (m, v)) in parts.zip(m.iter_mut().zip(&mut v)) {
            let decay = if w.ncols() > 1 { lambda } else { 0.0 };
            let rule = adamw_rule(eta, t, decay);
            Zip::from(w).and(m).and(v).and(g).for_each(rule);
        }
    }
    for threads in [1, 3, 8] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a pool");
        let mut model = start.clone();
        let mut adam = Adam::new(&model);
        pool.install(|| {
            for _ in 0..3 {
                adam.step(&mut model, &g, eta as f64, lambda as f64);
            }
        });
        assert!(model == expected, "{threads} threads");
    }
}

/// Measuring a stream predicts every token after the first once: for a
/// bigram table, exactly the counted model's loss over all pairs.
#[test]
fn a_stream_is_measured_on_every_pair() {
    let mut rng = seeded(4);
    let stream: Vec<usize> = (0..3 * crate::language::STRETCH * 70 + 17)
        .map(|_| rand::Rng::random_range(&mut rng, 0..VOCAB))
        .collect();
    let counts = count_bigrams(&stream, VOCAB);
    let p = bigram_probabilities(counts.view(), 0.5);
    let table = NeuralBigram { w: p.mapv(f64::ln) };
    let measured = crate::language::stream_nll(&table, &stream);
    assert!((measured - bigram_nll(p.view(), &stream)).abs() < 1e-12);
}
