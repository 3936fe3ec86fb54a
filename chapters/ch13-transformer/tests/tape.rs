//! Chapter 11's tape engine, given the Transformer's operations (each with
//! the forward and backward rule of `ops`), computes the gradient of the
//! hand-written backward pass: a whole GPT built on the tape from them and
//! the tape's own products, sums and slices, every parameter compared.

use ch11_autodiff::tensor::{AddColumn, Op, SoftmaxCrossEntropy, Tape, Var};
use ch12_sequences::language::{Language, draw_windows, flat};
use ch13_transformer::gpt::{Config, Gpt};
use ch13_transformer::ops::{
    causal_softmax, gelu, gelu_derivative, layer_norm, layer_norm_backward,
    softmax_backward,
};
use ndarray::{Array2, ArrayView2, s};
use shared::rng::{normal_array, seeded};

/// LayerNorm over each column: inputs x, γ, β.
struct LayerNorm;

impl Op<f64> for LayerNorm {
    fn name(&self) -> &'static str {
        "layer-norm"
    }
    fn forward(&self, x: &[&Array2<f64>]) -> Array2<f64> {
        layer_norm(x[1], x[2], x[0].view()).0
    }
    fn backward(
        &self,
        i: usize,
        x: &[&Array2<f64>],
        _: &Array2<f64>,
        g: &Array2<f64>,
    ) -> Array2<f64> {
        let (_, cache) = layer_norm(x[1], x[2], x[0].view());
        let (dx, d_gain, d_bias) = layer_norm_backward(x[1], &cache, g.view());
        [dx, d_gain, d_bias][i].clone()
    }
}

/// GELU, entry by entry.
struct Gelu;

impl Op<f64> for Gelu {
    fn name(&self) -> &'static str {
        "gelu"
    }
    fn forward(&self, x: &[&Array2<f64>]) -> Array2<f64> {
        x[0].mapv(gelu)
    }
    fn backward(
        &self,
        _: usize,
        x: &[&Array2<f64>],
        _: &Array2<f64>,
        g: &Array2<f64>,
    ) -> Array2<f64> {
        g * &x[0].mapv(gelu_derivative)
    }
}

/// The causal softmax of a score matrix.
struct CausalSoftmax;

impl Op<f64> for CausalSoftmax {
    fn name(&self) -> &'static str {
        "causal-softmax"
    }
    fn forward(&self, x: &[&Array2<f64>]) -> Array2<f64> {
        causal_softmax(x[0].view())
    }
    fn backward(
        &self,
        _: usize,
        _: &[&Array2<f64>],
        y: &Array2<f64>,
        g: &Array2<f64>,
    ) -> Array2<f64> {
        softmax_backward(y.view(), g.view())
    }
}

/// y = xᵀ.
struct Transpose;

impl Op<f64> for Transpose {
    fn name(&self) -> &'static str {
        "transpose"
    }
    fn forward(&self, x: &[&Array2<f64>]) -> Array2<f64> {
        x[0].t().to_owned()
    }
    fn backward(
        &self,
        _: usize,
        _: &[&Array2<f64>],
        _: &Array2<f64>,
        g: &Array2<f64>,
    ) -> Array2<f64> {
        g.t().to_owned()
    }
}

/// A block of rows and columns of x, and its gradient scattered back.
struct Part(std::ops::Range<usize>, std::ops::Range<usize>);

impl Op<f64> for Part {
    fn name(&self) -> &'static str {
        "part"
    }
    fn forward(&self, x: &[&Array2<f64>]) -> Array2<f64> {
        x[0].slice(s![self.0.clone(), self.1.clone()]).to_owned()
    }
    fn backward(
        &self,
        _: usize,
        x: &[&Array2<f64>],
        _: &Array2<f64>,
        g: &Array2<f64>,
    ) -> Array2<f64> {
        let mut dx = Array2::zeros(x[0].raw_dim());
        dx.slice_mut(s![self.0.clone(), self.1.clone()]).assign(g);
        dx
    }
}

/// x placed at (rows, columns) of a zero matrix of `shape`.
struct Place(usize, usize, (usize, usize));

impl Op<f64> for Place {
    fn name(&self) -> &'static str {
        "place"
    }
    fn forward(&self, x: &[&Array2<f64>]) -> Array2<f64> {
        let mut y = Array2::zeros(self.2);
        let (r, c) = x[0].dim();
        y.slice_mut(s![self.0..self.0 + r, self.1..self.1 + c])
            .assign(x[0]);
        y
    }
    fn backward(
        &self,
        _: usize,
        x: &[&Array2<f64>],
        _: &Array2<f64>,
        g: &Array2<f64>,
    ) -> Array2<f64> {
        let (r, c) = x[0].dim();
        g.slice(s![self.0..self.0 + r, self.1..self.1 + c])
            .to_owned()
    }
}

fn add(tape: &mut Tape<f64>, a: Var, b: Var) -> Var {
    let minus_b = tape.scale(-1.0, b);
    tape.sub(a, minus_b)
}

/// One-hot columns (size, n) for a list of indices.
fn one_hot(indices: &[usize], size: usize) -> Array2<f64> {
    let mut x = Array2::zeros((size, indices.len()));
    for (j, &i) in indices.iter().enumerate() {
        x[[i, j]] = 1.0;
    }
    x
}

/// The GPT's loss and gradient on the tape.
fn gpt_on_tape(gpt: &Gpt<f64>, windows: ArrayView2<usize>) -> (f64, Vec<f64>) {
    let c = gpt.config();
    let (t, b, d) = (windows.nrows() - 1, windows.ncols(), c.width);
    let (n, d_h) = (t * b, d / c.heads);
    let mut tape = Tape::new();
    let params: Vec<Var> = gpt
        .parameters()
        .iter()
        .map(|p| tape.param((*p).clone()))
        .collect();
    let (wte, wpe) = (params[0], params[1]);
    let tokens: Vec<usize> =
        windows.slice(s![..-1, ..]).t().iter().copied().collect();
    let positions: Vec<usize> = (0..n).map(|j| j % t).collect();
    let x_tokens = tape.constant(one_hot(&tokens, c.vocab));
    let x_positions = tape.constant(one_hot(&positions, c.block));
    let e = tape.matmul(wte, x_tokens);
    let p = tape.matmul(wpe, x_positions);
    let mut h = add(&mut tape, e, p);
    for l in 0..c.layers {
        let q = &params[2 + 12 * l..2 + 12 * (l + 1)];
        let a = tape.apply(LayerNorm, &[h, q[0], q[1]]);
        let z = tape.matmul(q[2], a);
        let qkv = tape.apply(AddColumn, &[z, q[3]]);
        let mut o = None;
        for w in 0..b {
            for head in 0..c.heads {
                let cols = w * t..(w + 1) * t;
                let rows =
                    |m: usize| m * d + head * d_h..m * d + (head + 1) * d_h;
                let part = |tape: &mut Tape<f64>, m| {
                    tape.apply(Part(rows(m), cols.clone()), &[qkv])
                };
                let (q_h, k_h, v_h) = (
                    part(&mut tape, 0),
                    part(&mut tape, 1),
                    part(&mut tape, 2),
                );
                let k_t = tape.apply(Transpose, &[k_h]);
                let scores = tape.matmul(k_t, q_h);
                let scaled = tape.scale(1.0 / (d_h as f64).sqrt(), scores);
                let weights = tape.apply(CausalSoftmax, &[scaled]);
                let o_h = tape.matmul(v_h, weights);
                let at = Place(head * d_h, w * t, (d, n));
                let placed = tape.apply(at, &[o_h]);
                o = Some(match o {
                    None => placed,
                    Some(sum) => add(&mut tape, sum, placed),
                });
            }
        }
        let o = o.expect("at least one head");
        let projected = tape.matmul(q[4], o);
        let projected = tape.apply(AddColumn, &[projected, q[5]]);
        let x1 = add(&mut tape, h, projected);
        let c2 = tape.apply(LayerNorm, &[x1, q[6], q[7]]);
        let u = tape.matmul(q[8], c2);
        let u = tape.apply(AddColumn, &[u, q[9]]);
        let g = tape.apply(Gelu, &[u]);
        let m = tape.matmul(q[10], g);
        let m = tape.apply(AddColumn, &[m, q[11]]);
        h = add(&mut tape, x1, m);
    }
    let last = params.len();
    let hf = tape.apply(LayerNorm, &[h, params[last - 2], params[last - 1]]);
    let wte_t = tape.apply(Transpose, &[wte]);
    let z = tape.matmul(wte_t, hf);
    let next: Vec<usize> =
        windows.slice(s![1.., ..]).t().iter().copied().collect();
    let y = tape.constant(one_hot(&next, c.vocab));
    let ce = tape.apply(SoftmaxCrossEntropy, &[z, y]);
    let cost = tape.mean(ce);
    let grads = tape.backward(cost);
    let gradient = params
        .iter()
        .flat_map(|&p| grads.of(&tape, p).iter().copied().collect::<Vec<_>>())
        .collect();
    (tape.value(cost)[[0, 0]], gradient)
}

#[test]
fn the_tape_computes_the_hand_written_gradient_of_a_whole_gpt() {
    let config = Config {
        vocab: 6,
        block: 5,
        layers: 2,
        heads: 2,
        width: 8,
    };
    let mut worst = (0.0f64, 0.0f64);
    for seed in 0..6 {
        let mut rng = seeded(seed);
        let mut gpt = Gpt::<f64>::new(config, &mut rng);
        for p in gpt.parameters_mut() {
            *p += &normal_array(&mut rng, p.raw_dim(), 0.3);
        }
        let stream: Vec<usize> =
            (0..60).map(|i| (i * 7 + seed as usize) % 6).collect();
        let windows =
            draw_windows(&stream, 1 + 1 + seed as usize % 5, 3, &mut rng);
        let (loss, g) = gpt.loss_and_gradient(windows.view());
        let (tape_loss, tape_g) = gpt_on_tape(&gpt, windows.view());
        let hand = flat(&g);
        let largest = hand.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let diff = hand
            .iter()
            .zip(&tape_g)
            .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
        assert!(
            (loss - tape_loss).abs() < 1e-12,
            "{loss} against {tape_loss}"
        );
        assert!(diff < 1e-12, "seed {seed}: worst difference {diff:e}");
        worst = (worst.0.max(diff), worst.1.max(diff / largest));
    }
    println!(
        "tape against hand-written backward pass: worst difference {:.1e} \
         absolute, {:.1e} relative to the largest entry",
        worst.0, worst.1
    );
}
