//! Every backward rule against finite differences (f64), alone on random
//! shapes and composed into a whole GPT; each check shown to catch a
//! plausible wrong rule.

use ch12_sequences::language::{Language, draw_windows, flat, with_flat};
use ndarray::{Array2, ArrayView2, s};
use proptest::prelude::*;
use shared::gradcheck::{Report, SMOOTH_TOLERANCE, check_measurable};
use shared::rng::{Rng, normal_array, seeded};
use shared::testing::property;

use crate::gpt::{Config, Gpt, multi_head, multi_head_backward};
use crate::ops::{
    Normalized, attention, attention_backward, causal_softmax, gelu,
    gelu_derivative, layer_norm, layer_norm_backward, linear, linear_backward,
    softmax_backward,
};

fn random(rng: &mut Rng, shape: (usize, usize)) -> Array2<f64> {
    normal_array(rng, shape, 1.0)
}

/// Several matrices as one list, and back.
fn join(parts: &[&Array2<f64>]) -> Vec<f64> {
    parts.iter().flat_map(|p| p.iter().copied()).collect()
}

fn split(values: &[f64], shapes: &[(usize, usize)]) -> Vec<Array2<f64>> {
    let mut rest = values;
    shapes
        .iter()
        .map(|&shape| {
            let (here, after) = rest.split_at(shape.0 * shape.1);
            rest = after;
            Array2::from_shape_vec(shape, here.to_vec()).expect("sized")
        })
        .collect()
}

/// Checks a backward rule: the cost C = Σ R ⊙ f(inputs) for a fixed
/// random R, whose ∂C/∂(output) is R, against central differences.
fn check_rule(
    inputs: &[&Array2<f64>],
    forward: impl Fn(&[Array2<f64>]) -> Array2<f64>,
    backward: impl Fn(&[Array2<f64>], ArrayView2<f64>) -> Vec<Array2<f64>>,
    rng: &mut Rng,
) -> Report {
    let shapes: Vec<(usize, usize)> = inputs.iter().map(|p| p.dim()).collect();
    let at: Vec<Array2<f64>> = inputs.iter().map(|p| (*p).clone()).collect();
    let r = random(rng, forward(&at).dim());
    let cost = |v: &[f64]| (forward(&split(v, &shapes)) * &r).sum();
    let gradients = backward(&at, r.view());
    let analytic = join(&gradients.iter().collect::<Vec<_>>());
    check_measurable(cost, &join(inputs), &analytic)
}

fn sizes() -> impl Strategy<Value = (usize, usize, usize, u64)> {
    (1usize..6, 1usize..6, 1usize..6, any::<u64>())
}

type Rule = fn(&[Array2<f64>], ArrayView2<f64>) -> Vec<Array2<f64>>;

fn linear_rule(p: &[Array2<f64>], delta: ArrayView2<f64>) -> Vec<Array2<f64>> {
    let (dx, dw, db) = linear_backward(&p[1], p[0].view(), delta);
    vec![dx, dw, db]
}

#[test]
fn the_linear_layer_backward_matches_finite_differences() {
    property(64, sizes(), |(n_in, n_out, n, seed)| {
        let mut rng = seeded(seed);
        let x = random(&mut rng, (n_in, n));
        let w = random(&mut rng, (n_out, n_in));
        let b = random(&mut rng, (n_out, 1));
        let forward = |p: &[Array2<f64>]| linear(&p[1], &p[2], p[0].view());
        let report = check_rule(&[&x, &w, &b], forward, linear_rule, &mut rng);
        prop_assert!(report.passes(SMOOTH_TOLERANCE), "{report}");
        Ok(())
    });
}

fn layer_norm_forward(p: &[Array2<f64>]) -> Array2<f64> {
    layer_norm(&p[1], &p[2], p[0].view()).0
}

fn layer_norm_rule(
    p: &[Array2<f64>],
    delta: ArrayView2<f64>,
) -> Vec<Array2<f64>> {
    let (_, cache) = layer_norm(&p[1], &p[2], p[0].view());
    let (dx, dg, db) = layer_norm_backward(&p[1], &cache, delta);
    vec![dx, dg, db]
}

/// LayerNorm's backward pass without its mean term (as if μ were a
/// constant): a plausible slip.
fn layer_norm_without_mean(
    p: &[Array2<f64>],
    delta: ArrayView2<f64>,
) -> Vec<Array2<f64>> {
    let (_, Normalized { x_hat, inv_sigma }) =
        layer_norm(&p[1], &p[2], p[0].view());
    let g = &delta * &p[1];
    let d = p[0].nrows() as f64;
    let gx = (&g * &x_hat).sum_axis(ndarray::Axis(0)) / d;
    let dx = (g - &x_hat * &gx) * &inv_sigma;
    let mut right = layer_norm_rule(p, delta);
    right[0] = dx;
    right
}

fn layer_norm_check(seed: u64, d: usize, n: usize, rule: Rule) -> Report {
    let mut rng = seeded(seed);
    let x = random(&mut rng, (d, n)) * 2.0 + 0.5;
    let gamma = random(&mut rng, (d, 1));
    let beta = random(&mut rng, (d, 1));
    check_rule(&[&x, &gamma, &beta], layer_norm_forward, rule, &mut rng)
}

#[test]
fn layer_norm_backward_matches_finite_differences() {
    property(64, sizes(), |(d, _, n, seed)| {
        let report = layer_norm_check(seed, d + 1, n, layer_norm_rule);
        prop_assert!(report.passes(SMOOTH_TOLERANCE), "{report}");
        Ok(())
    });
}

#[test]
fn layer_norm_normalises_each_column() {
    let mut rng = seeded(3);
    let x = random(&mut rng, (8, 5)) * 7.0 + 3.0;
    let ones = Array2::ones((8, 1));
    let (y, _) = layer_norm(&ones, &Array2::zeros((8, 1)), x.view());
    for column in y.columns() {
        let mean = column.sum() / 8.0;
        let variance = column.mapv(|v| (v - mean).powi(2)).sum() / 8.0;
        assert!(mean.abs() < 1e-12 && (variance - 1.0).abs() < 1e-5);
    }
}

#[test]
fn the_check_catches_layer_norm_without_its_mean_term() {
    let report = layer_norm_check(1, 6, 3, layer_norm_without_mean);
    assert!(report.worst > 1e-3, "{report}");
}

#[test]
fn gelu_derivative_matches_finite_differences() {
    for i in -400..=400 {
        let x = i as f64 / 50.0;
        let h = 1e-5;
        let numeric = (gelu(x + h) - gelu(x - h)) / (2.0 * h);
        assert!((gelu_derivative(x) - numeric).abs() < 1e-8, "at {x}");
    }
    // GELU is near x for large x, near 0 for very negative x.
    assert!((gelu(6.0f64) - 6.0).abs() < 1e-6 && gelu(-6.0f64).abs() < 1e-6);
}

fn attention_forward(p: &[Array2<f64>]) -> Array2<f64> {
    attention(p[0].view(), p[1].view(), p[2].view()).0
}

fn attention_rule(
    p: &[Array2<f64>],
    delta: ArrayView2<f64>,
) -> Vec<Array2<f64>> {
    let (_, weights) = attention(p[0].view(), p[1].view(), p[2].view());
    let qkv = (p[0].view(), p[1].view(), p[2].view());
    let (dq, dk, dv) = attention_backward(qkv, weights.view(), delta);
    vec![dq, dk, dv]
}

/// ∂C/∂q with the score gradient transposed: k (∂C/∂S)ᵀ.
fn attention_transposed(
    p: &[Array2<f64>],
    delta: ArrayView2<f64>,
) -> Vec<Array2<f64>> {
    let (q, k, v) = (p[0].view(), p[1].view(), p[2].view());
    let (_, weights) = attention(q, k, v);
    let scale = 1.0 / (q.nrows() as f64).sqrt();
    let dp = v.t().dot(&delta);
    let ds = softmax_backward(weights.view(), dp.view()) * scale;
    let mut right = attention_rule(p, delta);
    right[0] = k.dot(&ds.t());
    right
}

/// The softmax's backward rule applied to the weights without the mask
/// (every key visible), as if the mask did not matter going back.
fn attention_unmasked_backward(
    p: &[Array2<f64>],
    delta: ArrayView2<f64>,
) -> Vec<Array2<f64>> {
    let (q, k, v) = (p[0].view(), p[1].view(), p[2].view());
    let scale = 1.0 / (q.nrows() as f64).sqrt();
    let s = k.t().dot(&q) * scale;
    let mut unmasked = s.clone();
    for mut column in unmasked.columns_mut() {
        let max = column.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
        column.mapv_inplace(|v| (v - max).exp());
        let total = column.sum();
        column.mapv_inplace(|v| v / total);
    }
    let (_, weights) = attention(q, k, v);
    let dp = v.t().dot(&delta);
    let ds = softmax_backward(unmasked.view(), dp.view()) * scale;
    vec![k.dot(&ds), q.dot(&ds.t()), delta.dot(&weights.t())]
}

fn attention_check(seed: u64, d_h: usize, t: usize, rule: Rule) -> Report {
    let mut rng = seeded(seed);
    let q = random(&mut rng, (d_h, t));
    let k = random(&mut rng, (d_h, t));
    let v = random(&mut rng, (d_h, t));
    check_rule(&[&q, &k, &v], attention_forward, rule, &mut rng)
}

#[test]
fn attention_backward_matches_finite_differences() {
    property(64, sizes(), |(d_h, _, t, seed)| {
        let report = attention_check(seed, d_h, t, attention_rule);
        prop_assert!(report.passes(SMOOTH_TOLERANCE), "{report}");
        Ok(())
    });
}

#[test]
fn the_check_catches_a_transposed_attention_gradient() {
    let report = attention_check(2, 3, 4, attention_transposed);
    assert!(report.worst > 1e-3, "{report}");
}

#[test]
fn the_check_catches_a_softmax_backward_that_ignores_the_mask() {
    let report = attention_check(2, 3, 4, attention_unmasked_backward);
    assert!(report.worst > 1e-3, "{report}");
}

#[test]
fn the_causal_mask_hides_the_future() {
    let mut rng = seeded(4);
    let s = random(&mut rng, (5, 5));
    let p = causal_softmax(s.view());
    for i in 0..5 {
        assert!((p.column(i).sum() - 1.0).abs() < 1e-12);
        assert!(p.slice(s![i + 1.., i]).iter().all(|&w| w == 0.0));
    }
    // The first token can only look at itself.
    assert_eq!(p[[0, 0]], 1.0);
}

#[test]
fn multi_head_backward_matches_finite_differences() {
    property(32, (1usize..4, 1usize..3, 1usize..4, any::<u64>()), |c| {
        let (heads, d_h, t, seed) = c;
        let (d, windows) = (heads * d_h, 2);
        let mut rng = seeded(seed);
        let qkv = random(&mut rng, (3 * d, windows * t));
        let forward = |p: &[Array2<f64>]| multi_head(p[0].view(), heads, t).0;
        let rule = |p: &[Array2<f64>], delta: ArrayView2<f64>| {
            let (_, weights) = multi_head(p[0].view(), heads, t);
            vec![multi_head_backward(p[0].view(), &weights, delta, heads, t)]
        };
        let report = check_rule(&[&qkv], forward, rule, &mut rng);
        prop_assert!(report.passes(SMOOTH_TOLERANCE), "{report}");
        Ok(())
    });
}

/// A tiny random GPT with its LayerNorm gains and biases moved off 1 and
/// 0, so that every parameter's gradient is exercised.
pub(crate) fn tiny(config: Config, seed: u64) -> Gpt<f64> {
    let mut rng = seeded(seed);
    let mut gpt = Gpt::new(config, &mut rng);
    for p in gpt.parameters_mut() {
        *p += &normal_array(&mut rng, p.raw_dim(), 0.3);
    }
    gpt
}

fn windows(vocab: usize, len: usize, batch: usize, seed: u64) -> Array2<usize> {
    let mut rng = seeded(seed);
    let stream: Vec<usize> = (0..100)
        .map(|_| rand::Rng::random_range(&mut rng, 0..vocab))
        .collect();
    draw_windows(&stream, len, batch, &mut rng)
}

fn gpt_check(gpt: &Gpt<f64>, w: ArrayView2<usize>) -> Report {
    let (_, g) = gpt.loss_and_gradient(w);
    let loss = |v: &[f64]| with_flat(gpt, v).loss(w);
    check_measurable(loss, &flat(gpt), &flat(&g))
}

const TINY: Config = Config {
    vocab: 5,
    block: 4,
    layers: 2,
    heads: 2,
    width: 8,
};

#[test]
fn the_whole_gpt_gradient_matches_finite_differences() {
    property(8, (1usize..=4, 1usize..3, any::<u64>()), |(t, b, seed)| {
        let gpt = tiny(TINY, seed);
        let w = windows(TINY.vocab, t + 1, b, seed);
        let report = gpt_check(&gpt, w.view());
        prop_assert!(report.passes(SMOOTH_TOLERANCE), "{report}");
        Ok(())
    });
}

#[test]
fn a_window_longer_than_the_block_is_measured_in_pieces() {
    let gpt = tiny(TINY, 7);
    let w = windows(TINY.vocab, 11, 2, 7);
    let report = gpt_check(&gpt, w.view());
    assert!(report.passes(SMOOTH_TOLERANCE), "{report}");
    // Ten predictions, context 4: pieces start every 2 rows and count
    // 4, 2, 2 and 2 new predictions.
    let pieces = crate::gpt::pieces(w.view(), 4);
    let starts: Vec<(usize, usize)> =
        pieces.iter().map(|p| (p.rows.nrows(), p.first)).collect();
    assert_eq!(starts, [(5, 0), (5, 2), (5, 2), (5, 2)]);
    // The last prediction of the window is the last piece's last one.
    let last = pieces[3].rows;
    assert_eq!(last.row(4), w.row(10));
    // The first piece alone is a window the model reads whole.
    let first = gpt.loss(pieces[0].rows);
    let (whole, _) = gpt.loss_and_gradient(w.slice(s![..5, ..]));
    assert_eq!(first, whole);
}

#[test]
fn a_token_never_sees_the_tokens_after_it() {
    let gpt = tiny(TINY, 5);
    let x = ndarray::array![[1], [2], [3], [4]];
    let (z, _) = gpt.forward(x.view());
    let mut changed = x.clone();
    changed[[3, 0]] = 0;
    let (z2, _) = gpt.forward(changed.view());
    assert_eq!(z.slice(s![.., ..3]), z2.slice(s![.., ..3]));
    assert_ne!(z.column(3), z2.column(3));
}

#[test]
fn the_kv_cache_gives_the_full_pass_logits() {
    let gpt = tiny(TINY, 6);
    let tokens = [3, 1, 4, 1];
    let mut cache = gpt.kv_cache();
    for i in 0..tokens.len() {
        let decoded = gpt.decode(&mut cache, tokens[i]);
        let full = gpt.next_logits(&tokens[..=i]);
        let worst = (&decoded - &full)
            .mapv(f64::abs)
            .fold(0.0, |m: f64, &v| m.max(v));
        assert!(worst < 1e-12, "token {i}: {worst}");
    }
}

#[test]
fn the_parameter_count_is_nanogpts() {
    let config = Config {
        vocab: 65,
        block: 64,
        layers: 4,
        heads: 4,
        width: 128,
    };
    let gpt: Gpt<f32> = Gpt::new(config, &mut seeded(1));
    let (d, v, t, n) = (128, 65, 64, 4);
    let per_block = 4 * d + 3 * d * d + 3 * d + d * d + d + 8 * d * d + 5 * d;
    let expected = v * d + t * d + n * per_block + 2 * d;
    assert_eq!(ch12_sequences::language::parameter_count(&gpt), expected);
    // nanoGPT prints 0.80M: it leaves out the position embeddings.
    assert_eq!(expected - t * d, 801_664);
}

#[test]
fn the_fast_path_computes_the_lessons_loss_and_gradient() {
    property(6, (1usize..=4, 1usize..4, 0usize..2, any::<u64>()), |c| {
        let (t, b, longer, seed) = c;
        let gpt = tiny(TINY, seed);
        // Windows within the context, and longer ones cut into pieces.
        let w = windows(TINY.vocab, t + 1 + longer * 6, b, seed);
        let (loss, worst) = fast_against_lesson(&gpt, &gpt, w.view());
        prop_assert!(loss < 1e-12, "loss off by {loss}");
        prop_assert!(worst < 1e-12, "worst difference {worst}");
        Ok(())
    });
}

/// How far the fast path on `fast_model` is from the lesson on `gpt` (the
/// same parameters, perhaps stored otherwise): the loss's difference and
/// the gradient's largest.
fn fast_against_lesson(
    gpt: &Gpt<f64>,
    fast_model: &Gpt<f64>,
    w: ArrayView2<usize>,
) -> (f64, f64) {
    let (loss, g) = gpt.loss_and_gradient(w);
    let (fast, fast_g) = crate::fast::loss_and_gradient(fast_model, w, true);
    let (a, f) = (flat(&g), flat(&fast_g.expect("asked for")));
    let worst = a
        .iter()
        .zip(&f)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max);
    ((loss - fast).abs(), worst)
}

/// A model may come with its arrays stored column by column (chapter
/// 14 reads one out of Burn's tensors): the fast path gives the lesson's
/// loss and gradient for it too.
#[test]
fn the_fast_path_takes_a_model_stored_column_by_column() {
    use ndarray::ShapeBuilder;
    let gpt = tiny(TINY, 7);
    let mut by_columns = gpt.clone();
    for p in by_columns.parameters_mut() {
        let mut f = Array2::zeros(p.raw_dim().f());
        f.assign(p);
        *p = f;
    }
    assert!(!by_columns.wte.is_standard_layout(), "stored by columns");
    let w = windows(TINY.vocab, TINY.block + 1, 3, 7);
    let (loss, worst) = fast_against_lesson(&gpt, &by_columns, w.view());
    assert!(loss < 1e-12, "loss off by {loss}");
    assert!(worst < 1e-12, "worst difference {worst}");
}

/// A GPT small enough to test in f32 in milliseconds, with windows over
/// more than one chunk of columns.
const SMALL: Config = Config {
    vocab: 7,
    block: 8,
    layers: 2,
    heads: 2,
    width: 16,
};

/// The fast path reuses the arrays of a thread's last step (`scratch`):
/// a step after another model's step on other windows gives the bits of
/// the same step on a fresh thread, which has nothing kept. A reused
/// array not written over entirely would carry the other step's numbers.
#[test]
fn arrays_kept_from_another_step_leave_no_trace() {
    let config = SMALL;
    let (gpt, other): (Gpt<f32>, Gpt<f32>) = (
        Gpt::new(config, &mut seeded(3)),
        Gpt::new(config, &mut seeded(9)),
    );
    let (w, other_w) = (windows(7, 9, 9, 4), windows(7, 9, 9, 5));
    let step = |gpt: &Gpt<f32>, w: &Array2<usize>| {
        let (loss, g) = crate::fast::loss_and_gradient(gpt, w.view(), true);
        (loss, g.expect("asked for"))
    };
    let fresh = std::thread::scope(|s| s.spawn(|| step(&gpt, &w)).join());
    let (loss, g) = fresh.expect("the fresh thread's step");
    let after = std::thread::scope(|s| {
        s.spawn(|| {
            step(&other, &other_w);
            crate::fast::loss_and_gradient(&other, other_w.view(), false);
            step(&gpt, &w)
        })
        .join()
    });
    let (after_loss, after_g) = after.expect("the step after another");
    assert_eq!(loss, after_loss);
    assert!(g == after_g);
}

/// As chapter 12's training engine, the fast path writes its gradient
/// into the caller's arrays: every entry of them, whatever they held
/// (here NaN), and a model of another shape is replaced. Windows longer
/// than the context (two pieces) and dropout included.
#[test]
fn the_engine_overwrites_the_gradient_it_is_given() {
    use ch12_sequences::train::Engine;
    let gpt: Gpt<f32> = Gpt::new(SMALL, &mut seeded(3));
    for (w, p) in [(windows(7, 9, 9, 4), 0.0), (windows(7, 13, 3, 5), 0.2)] {
        let (loss, g) = match p > 0.0 {
            false => {
                let (loss, g) =
                    crate::fast::loss_and_gradient(&gpt, w.view(), true);
                (loss, g.expect("asked for"))
            }
            true => crate::fast::loss_and_gradient_dropped(
                &gpt,
                w.view(),
                p,
                &mut seeded(8),
            ),
        };
        let mut dirty = gpt.clone();
        for q in dirty.parameters_mut() {
            q.fill(f32::NAN);
        }
        let other = Gpt::new(Config { layers: 1, ..SMALL }, &mut seeded(4));
        for mut into in [dirty, other] {
            let mut engine = crate::fast::Fast::with_dropout(p, 8);
            let got = engine.gradient(&gpt, w.view(), &mut into);
            assert_eq!(loss, got);
            assert!(g == into, "dropout {p}");
        }
    }
}

#[test]
fn the_fast_path_gives_the_same_numbers_for_any_thread_count() {
    let config = SMALL;
    let gpt: Gpt<f32> = Gpt::new(config, &mut seeded(3));
    // 9 windows of 8 tokens: 72 columns, more than one chunk.
    let w = windows(7, 9, 9, 4);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a pool");
        pool.install(|| crate::fast::loss_and_gradient(&gpt, w.view(), true))
    };
    let (loss, g) = run(1);
    let g = g.expect("asked for");
    for threads in [2, 3, 16] {
        let (other, other_g) = run(threads);
        assert_eq!(loss, other, "{threads} threads");
        assert!(g == other_g.expect("asked for"), "{threads} threads");
    }
}

#[test]
fn the_figures_render_from_a_small_run() {
    let gpt = tiny(TINY, 9);
    let x = ndarray::array![[1], [2], [3], [4]];
    let (_, cache) = gpt.forward(x.view());
    let record = |steps, loss| ch12_sequences::train::Record {
        steps,
        train_loss: loss,
        validation_loss: loss,
        largest_norm: 1.0,
        seconds: 1.0,
    };
    let drawn = crate::figures::Drawn {
        attention: Some((
            1,
            crate::gpt::attention_weights(&cache, 1).to_vec(),
            vec!['a', 'b', ' ', '\n'],
        )),
        positions: Some(gpt.wpe.clone()),
        histories: vec![(
            "Names".to_string(),
            vec![("GPT".to_string(), vec![record(10, 2.0), record(20, 1.5)])],
        )],
        highway: vec![
            ("with".to_string(), vec![1.0, 0.9, 0.8]),
            ("without".to_string(), vec![1.0, 0.0, -0.01]),
        ],
        spread: Some([vec![(0.1, 0.4), (-0.1, 0.3)], vec![(0.0, 1.0); 2]]),
    };
    let dir = std::env::temp_dir()
        .join(format!("nnfs-ch13-figures-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a folder");
    let written = crate::figures::write_all(&dir, &drawn).expect("written");
    assert_eq!(written.len(), 5);
    for path in written {
        let svg = std::fs::read_to_string(&path).expect("readable");
        assert!(svg.len() > 2000, "{} is nearly empty", path.display());
    }
}

#[test]
fn byte_pair_encoding_merges_left_to_right_and_decodes_back() {
    use crate::bpe::{decode, encode, learn, merge, most_frequent_pair};
    // "a a a" holds the pair (a, a) once, at the start.
    assert_eq!(merge(&[0, 0, 0], (0, 0), 5), [5, 0]);
    // In "abcabcab" the most frequent pairs are (a, b), three times.
    let text = [0, 1, 2, 0, 1, 2, 0, 1];
    assert_eq!(most_frequent_pair(&text, 3), Some((0, 1)));
    let rules = learn(&text, 3, 10);
    assert_eq!(rules[0], (0, 1));
    // Then "ab c ab c ab": (ab, c) and (c, ab) tie, twice each; the
    // smaller pair wins, and after it nothing repeats: two merges, not ten.
    assert_eq!(rules, [(0, 1), (2, 3)]);
    assert_eq!(encode(&text, 3, &rules), [3, 4, 4]);
    let mut rng = seeded(8);
    for _ in 0..20 {
        let stream: Vec<usize> = (0..300)
            .map(|_| rand::Rng::random_range(&mut rng, 0..4))
            .collect();
        let rules = learn(&stream, 4, 30);
        let tokens = encode(&stream, 4, &rules);
        assert!(tokens.len() < stream.len());
        assert_eq!(decode(&tokens, 4, &rules), stream);
    }
}

/// The dropout gradient (masks drawn from `seed`) against finite
/// differences of the loss with the masks drawn from `loss_seed`.
fn dropout_check(
    gpt: &Gpt<f64>,
    w: ArrayView2<usize>,
    seed: u64,
    loss_seed: u64,
) -> Report {
    use crate::fast::loss_and_gradient_dropped as dropped;
    let p = 0.3;
    let (_, g) = dropped(gpt, w, p, &mut seeded(seed));
    let loss =
        |v: &[f64]| dropped(&with_flat(gpt, v), w, p, &mut seeded(loss_seed)).0;
    check_measurable(loss, &flat(gpt), &flat(&g))
}

#[test]
fn dropout_backward_matches_finite_differences_with_its_masks() {
    property(4, (1usize..=4, 1usize..3, 0usize..2, any::<u64>()), |c| {
        let (t, b, longer, seed) = c;
        let gpt = tiny(TINY, seed);
        let w = windows(TINY.vocab, t + 1 + longer * 4, b, seed);
        // One thread: the same numbers (a test below shows it), without
        // a fork-join per product across the thousands of tiny passes the
        // finite differences take.
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build();
        let report = one
            .expect("a pool")
            .install(|| dropout_check(&gpt, w.view(), seed, seed));
        prop_assert!(report.passes(SMOOTH_TOLERANCE), "{report}");
        Ok(())
    });
}

#[test]
fn the_check_catches_a_gradient_taken_with_other_masks() {
    let gpt = tiny(TINY, 5);
    let w = windows(TINY.vocab, 5, 2, 5);
    assert!(!dropout_check(&gpt, w.view(), 5, 6).passes(SMOOTH_TOLERANCE));
}

#[test]
fn dropout_drops_and_is_the_same_for_any_thread_count() {
    let gpt: Gpt<f32> = Gpt::new(TINY, &mut seeded(3));
    let w = windows(TINY.vocab, 5, 9, 4);
    let run = |threads: usize, p: f64| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a pool");
        pool.install(|| {
            crate::fast::loss_and_gradient_dropped(
                &gpt,
                w.view(),
                p,
                &mut seeded(8),
            )
        })
    };
    let (loss, g) = run(1, 0.2);
    for threads in [2, 5] {
        let (other, other_g) = run(threads, 0.2);
        assert_eq!(loss, other, "{threads} threads");
        assert!(g == other_g, "{threads} threads");
    }
    // Rate 0 is no dropout at all; any other rate changes the loss.
    let (plain, _) = crate::fast::loss_and_gradient(&gpt, w.view(), false);
    assert_eq!(run(1, 0.0).0, plain);
    assert_ne!(loss, plain);
}

#[test]
fn the_gradient_down_the_stack_matches_finite_differences() {
    use crate::run::gradient_by_depth;
    let gpt = tiny(TINY, 4);
    let w = windows(TINY.vocab, 4, 2, 4);
    let x = gpt.embed(w.view());
    let shape = x.dim();
    let top = normal_array(&mut seeded(1), shape, 1.0);
    let top = &top / top.iter().map(|v| v * v).sum::<f64>().sqrt();
    let mut bottoms = Vec::new();
    for residual in [true, false] {
        // C(x) = ⟨top, stack(x)⟩, with the top gradient_by_depth draws.
        let cost = |v: &[f64]| {
            let mut h = Array2::from_shape_vec(shape, v.to_vec()).expect("x");
            for b in &gpt.blocks {
                let r1 = b.attend(h.view(), 2, 4).0;
                let x1 = if residual { &h + &r1 } else { r1 };
                let r2 = b.mlp(x1.view()).0;
                h = if residual { &x1 + &r2 } else { r2 };
            }
            (&h * &top).sum()
        };
        let flat_x: Vec<f64> = x.iter().copied().collect();
        let numeric = shared::gradcheck::numerical_gradient(cost, &flat_x);
        let norm = numeric.iter().map(|v| v * v).sum::<f64>().sqrt();
        let cosine =
            numeric.iter().zip(&top).map(|(a, b)| a * b).sum::<f64>() / norm;
        let seen = gradient_by_depth(
            &gpt.blocks,
            x.clone(),
            (2, 4),
            residual,
            &mut seeded(1),
        );
        assert_eq!(seen.len(), TINY.layers + 1);
        let (at_bottom, cosine_at_bottom) = seen[TINY.layers];
        assert!(
            (at_bottom - norm).abs() < 1e-6 * norm,
            "{residual}: {at_bottom} against {norm}"
        );
        assert!((cosine_at_bottom - cosine).abs() < 1e-6, "{residual}");
        bottoms.push(at_bottom);
    }
    // The identity paths change what arrives: the check tells them apart.
    assert!((bottoms[0] - bottoms[1]).abs() > 1e-3 * bottoms[0]);
}
