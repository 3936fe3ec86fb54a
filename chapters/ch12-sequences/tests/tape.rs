//! Chapter 11's tape engine, given the recurrent networks' operations,
//! computes the gradients of chapter 12's hand-written BPTT: the RNN and
//! the GRU unrolled on the tape, every parameter's gradient compared.

use ch11_autodiff::tensor::{Sigmoid, SoftmaxCrossEntropy, Tanh, Tape, Var};
use ch12_sequences::gru::Gru;
use ch12_sequences::language::{Language, draw_windows};
use ch12_sequences::lookup::next_token_loss;
use ch12_sequences::rnn::{Rnn, per_step, predictions};
use ndarray::{Array2, ArrayView2, Axis, concatenate, s};
use shared::rng::seeded;

const V: usize = 5;

/// One-hot columns (V, B) for one row of tokens.
fn one_hot(tokens: ndarray::ArrayView1<usize>) -> Array2<f64> {
    let mut x = Array2::zeros((V, tokens.len()));
    for (j, &t) in tokens.iter().enumerate() {
        x[[t, j]] = 1.0;
    }
    x
}

/// a + b, from the tape's operations.
fn add(tape: &mut Tape<f64>, a: Var, b: Var) -> Var {
    let minus_b = tape.scale(-1.0, b);
    tape.sub(a, minus_b)
}

/// The mean loss over every prediction, (1/L) Σₜ meanₜ(CE), as the
/// lesson's `next_token_loss` computes it.
fn cost_of(
    tape: &mut Tape<f64>,
    windows: ArrayView2<usize>,
    logits: &[Var],
) -> Var {
    let steps = logits.len();
    let mut cost = None;
    for (t, &z) in logits.iter().enumerate() {
        let y = tape.constant(one_hot(windows.row(t + 1)));
        let ce = tape.apply(SoftmaxCrossEntropy, &[z, y]);
        let mean = tape.mean(ce);
        let share = tape.scale(1.0 / steps as f64, mean);
        cost = Some(match cost {
            None => share,
            Some(c) => add(tape, c, share),
        });
    }
    cost.expect("at least one step")
}

/// The RNN's loss and gradient by the tape.
fn rnn_on_tape(
    model: &Rnn<f64>,
    windows: ArrayView2<usize>,
) -> (f64, Rnn<f64>) {
    let mut tape = Tape::new();
    let w_xh = tape.param(model.w_xh.clone());
    let w_hh = tape.param(model.w_hh.clone());
    let b = tape.param(model.b.clone());
    let w_hy = tape.param(model.w_hy.clone());
    let c = tape.param(model.c.clone());
    let batch = windows.ncols();
    let mut h = tape.constant(Array2::zeros((model.hidden(), batch)));
    let mut logits = Vec::new();
    for t in 0..windows.nrows() - 1 {
        let x = tape.constant(one_hot(windows.row(t)));
        let input = tape.matmul(w_xh, x);
        let recurrent = tape.matmul(w_hh, h);
        let a = add(&mut tape, input, recurrent);
        let a = tape.add_column(a, b);
        h = tape.apply(Tanh, &[a]);
        let z = tape.matmul(w_hy, h);
        logits.push(tape.add_column(z, c));
    }
    let cost = cost_of(&mut tape, windows, &logits);
    let g = tape.backward(cost);
    let of = |v| g.of(&tape, v);
    let gradient = Rnn {
        w_xh: of(w_xh),
        w_hh: of(w_hh),
        b: of(b),
        w_hy: of(w_hy),
        c: of(c),
    };
    (tape.value(cost)[[0, 0]], gradient)
}

/// The GRU's loss and gradient by the tape: each gate's rows of the
/// stacked weights a parameter of its own, h′ = n + u ⊙ (h − n).
fn gru_on_tape(
    model: &Gru<f64>,
    windows: ArrayView2<usize>,
) -> (f64, Gru<f64>) {
    let n_h = model.hidden();
    let mut tape = Tape::new();
    let rows = |m: &Array2<f64>, i: usize| {
        m.slice(s![i * n_h..(i + 1) * n_h, ..]).to_owned()
    };
    let mut gate = |i: usize| {
        [
            tape.param(rows(&model.w_x, i)),
            tape.param(rows(&model.b_x, i)),
            tape.param(rows(&model.w_h, i)),
            tape.param(rows(&model.b_h, i)),
        ]
    };
    let (r_p, u_p, n_p) = (gate(0), gate(1), gate(2));
    let w_hy = tape.param(model.w_hy.clone());
    let c = tape.param(model.c.clone());
    let batch = windows.ncols();
    let mut h = tape.constant(Array2::zeros((n_h, batch)));
    let mut logits = Vec::new();
    for t in 0..windows.nrows() - 1 {
        let x = tape.constant(one_hot(windows.row(t)));
        // W_x x + b_x and W_h h + b_h for one gate.
        let halves = |tape: &mut Tape<f64>, p: [Var; 4]| {
            let gx = tape.matmul(p[0], x);
            let gx = tape.add_column(gx, p[1]);
            let gh = tape.matmul(p[2], h);
            let gh = tape.add_column(gh, p[3]);
            (gx, gh)
        };
        let (rx, rh) = halves(&mut tape, r_p);
        let (ux, uh) = halves(&mut tape, u_p);
        let (nx, nh) = halves(&mut tape, n_p);
        let r_in = add(&mut tape, rx, rh);
        let r = tape.apply(Sigmoid, &[r_in]);
        let u_in = add(&mut tape, ux, uh);
        let u = tape.apply(Sigmoid, &[u_in]);
        let scaled = tape.mul(r, nh);
        let n_in = add(&mut tape, nx, scaled);
        let n = tape.apply(Tanh, &[n_in]);
        let h_minus_n = tape.sub(h, n);
        let kept = tape.mul(u, h_minus_n);
        h = add(&mut tape, n, kept);
        let z = tape.matmul(w_hy, h);
        logits.push(tape.add_column(z, c));
    }
    let cost = cost_of(&mut tape, windows, &logits);
    let g = tape.backward(cost);
    let stack = |k: usize| {
        let parts: Vec<Array2<f64>> =
            [r_p, u_p, n_p].iter().map(|p| g.of(&tape, p[k])).collect();
        let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
        concatenate(Axis(0), &views).expect("same columns")
    };
    let gradient = Gru {
        w_x: stack(0),
        b_x: stack(1),
        w_h: stack(2),
        b_h: stack(3),
        w_hy: g.of(&tape, w_hy),
        c: g.of(&tape, c),
    };
    (tape.value(cost)[[0, 0]], gradient)
}

/// The largest absolute and relative difference between two gradients,
/// entry by entry (relative to the larger of the two entries, or 10⁻¹²
/// where both are smaller).
fn differences<M: Language<f64>>(a: &M, b: &M) -> (f64, f64) {
    let (p, q) = (a.parameters(), b.parameters());
    assert_eq!(p.len(), q.len(), "the same parameters");
    let (mut absolute, mut relative) = (0.0f64, 0.0f64);
    for (p, q) in p.into_iter().zip(q) {
        assert_eq!(p.dim(), q.dim(), "the same shapes");
        for (x, y) in p.iter().zip(q) {
            let d = (x - y).abs();
            absolute = absolute.max(d);
            relative = relative.max(d / x.abs().max(y.abs()).max(1e-12));
        }
    }
    (absolute, relative)
}

/// Twelve random batches of windows: 1 to 12 steps, 1 to 4 sequences.
fn cases() -> Vec<(u64, Array2<usize>)> {
    (0..12)
        .map(|seed| {
            let mut rng = seeded(100 + seed);
            let stream: Vec<usize> = (0..300)
                .map(|_| rand::Rng::random_range(&mut rng, 0..V))
                .collect();
            let len = 2 + seed as usize; // 1 to 12 steps
            let batch = 1 + seed as usize % 4;
            (seed, draw_windows(&stream, len, batch, &mut rng))
        })
        .collect()
}

/// Prints (absolute, relative) differences, for the book to quote.
fn report(what: &str, (a, r): (f64, f64)) {
    println!("{what}: {a:.1e} absolute, {r:.1e} relative");
}

/// The lesson's inputs x (L, B) and ∂C/∂zₜ per step, for a BPTT call.
fn inputs_and_dz(
    windows: ArrayView2<usize>,
    z: &[Array2<f64>],
) -> Vec<Array2<f64>> {
    let (all, next) = predictions(windows, z);
    let (_, dz) = next_token_loss(all.view(), &next);
    per_step(dz.view(), z.len())
}

#[test]
fn the_tape_computes_the_rnns_bptt() {
    let (mut worst_abs, mut worst_rel) = (0.0f64, 0.0f64);
    for (seed, windows) in cases() {
        let model = Rnn::<f64>::new(V, 4, &mut seeded(seed));
        let (loss, by_hand) = model.loss_and_gradient(windows.view());
        let (tape_loss, by_tape) = rnn_on_tape(&model, windows.view());
        assert!((loss - tape_loss).abs() < 1e-14, "{loss} vs {tape_loss}");
        let (a, r) = differences(&by_hand, &by_tape);
        (worst_abs, worst_rel) = (worst_abs.max(a), worst_rel.max(r));
    }
    report("RNN, tape vs BPTT, worst", (worst_abs, worst_rel));
    assert!(worst_rel < 1e-12, "{worst_rel}");
}

#[test]
fn the_tape_computes_the_grus_bptt() {
    let (mut worst_abs, mut worst_rel) = (0.0f64, 0.0f64);
    for (seed, windows) in cases() {
        let model = Gru::<f64>::new(V, 3, &mut seeded(seed));
        let (loss, by_hand) = model.loss_and_gradient(windows.view());
        let (tape_loss, by_tape) = gru_on_tape(&model, windows.view());
        assert!((loss - tape_loss).abs() < 1e-14, "{loss} vs {tape_loss}");
        let (a, r) = differences(&by_hand, &by_tape);
        (worst_abs, worst_rel) = (worst_abs.max(a), worst_rel.max(r));
    }
    report("GRU, tape vs BPTT, worst", (worst_abs, worst_rel));
    assert!(worst_rel < 1e-12, "{worst_rel}");
}

/// The comparison sees an RNN's BPTT that drops the path through hₜ₋₁
/// (W_hh zeroed for the backward pass only, as in `src/tests.rs`), on
/// every case of two steps or more (one step has no path to cut); each
/// case's worst difference, the smallest of them reported.
#[test]
fn the_comparison_sees_the_rnns_recurrent_path_cut() {
    let (mut least_abs, mut least_rel) = (f64::INFINITY, f64::INFINITY);
    for (seed, windows) in cases().into_iter().skip(1) {
        let model = Rnn::<f64>::new(V, 4, &mut seeded(seed));
        let x = windows.slice(s![..-1, ..]);
        let (h, z) = model.forward(x);
        let dz = inputs_and_dz(windows.view(), &z);
        let cut = Rnn {
            w_hh: Array2::zeros(model.w_hh.raw_dim()),
            ..model.clone()
        };
        let (wrong, _) = cut.backward(x, &h, &dz);
        let (_, by_tape) = rnn_on_tape(&model, windows.view());
        let (a, r) = differences(&wrong, &by_tape);
        (least_abs, least_rel) = (least_abs.min(a), least_rel.min(r));
    }
    report("RNN, tape vs cut BPTT, smallest", (least_abs, least_rel));
    assert!(least_abs > 1e-4 && least_rel > 1e-2, "the cut is seen");
}

/// The same for the GRU: W_h zeroed for the backward pass only, so only
/// the direct path u ⊙ hₜ₋₁ carries the gradient back a step.
#[test]
fn the_comparison_sees_the_grus_recurrent_path_cut() {
    let (mut least_abs, mut least_rel) = (f64::INFINITY, f64::INFINITY);
    for (seed, windows) in cases().into_iter().skip(1) {
        let model = Gru::<f64>::new(V, 3, &mut seeded(seed));
        let x = windows.slice(s![..-1, ..]);
        let (steps, z) = model.forward(x);
        let dz = inputs_and_dz(windows.view(), &z);
        let cut = Gru {
            w_h: Array2::zeros(model.w_h.raw_dim()),
            ..model.clone()
        };
        let (wrong, _) = cut.backward(x, &steps, &dz);
        let (_, by_tape) = gru_on_tape(&model, windows.view());
        let (a, r) = differences(&wrong, &by_tape);
        (least_abs, least_rel) = (least_abs.min(a), least_rel.min(r));
    }
    report("GRU, tape vs cut BPTT, smallest", (least_abs, least_rel));
    assert!(least_abs > 1e-4 && least_rel > 1e-2, "the cut is seen");
}
