//! The GPT: token and position embeddings, a stack of Transformer blocks
//! (pre-norm: LayerNorm, causal self-attention, a residual add;
//! LayerNorm, an MLP with GELU, a residual add), a final LayerNorm and the
//! output layer, which shares its weights with the token embedding.
//!
//! A batch is B windows of T tokens side by side: column b·T + t holds
//! token t of window b.

use ch02_activations::softmax;
use ch12_sequences::language::Language;
use ch12_sequences::lookup::{lookup, lookup_gradient, next_token_loss};
use ndarray::{Array1, Array2, ArrayView2, Axis, s};
use shared::Real;
use shared::rng::{Rng, normal_array};

use crate::ops::{
    Normalized, attention, attention_backward, gelu, gelu_derivative,
    layer_norm, layer_norm_backward, linear, linear_backward,
};

/// A GPT's sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// Tokens in the vocabulary (V).
    pub vocab: usize,
    /// The longest context the model reads (T, its block size).
    pub block: usize,
    /// Transformer blocks (N).
    pub layers: usize,
    /// Attention heads per block.
    pub heads: usize,
    /// Numbers per token (d, the width); a multiple of `heads`.
    pub width: usize,
}

/// One Transformer block's parameters (d the width).
#[derive(Clone, Debug, PartialEq)]
pub struct Block<T> {
    /// The first LayerNorm's gain γ₁ (d, 1).
    pub ln1_gain: Array2<T>,
    /// Its shift β₁ (d, 1).
    pub ln1_bias: Array2<T>,
    /// Queries, keys and values stacked (3d, d): W_q, W_k, W_v.
    pub w_qkv: Array2<T>,
    /// Their biases (3d, 1).
    pub b_qkv: Array2<T>,
    /// The heads' output projection W_o (d, d).
    pub w_o: Array2<T>,
    /// Its bias (d, 1).
    pub b_o: Array2<T>,
    /// The second LayerNorm's gain γ₂ (d, 1).
    pub ln2_gain: Array2<T>,
    /// Its shift β₂ (d, 1).
    pub ln2_bias: Array2<T>,
    /// The MLP's first layer (4d, d).
    pub w_fc: Array2<T>,
    /// Its bias (4d, 1).
    pub b_fc: Array2<T>,
    /// The MLP's second layer (d, 4d).
    pub w_proj: Array2<T>,
    /// Its bias (d, 1).
    pub b_proj: Array2<T>,
}

/// A GPT's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Gpt<T> {
    /// Token embeddings (d, V), also the output layer: z = W_teᵀ h.
    pub wte: Array2<T>,
    /// Position embeddings (d, T).
    pub wpe: Array2<T>,
    /// The blocks, first to last.
    pub blocks: Vec<Block<T>>,
    /// The final LayerNorm's gain (d, 1).
    pub lnf_gain: Array2<T>,
    /// Its shift (d, 1).
    pub lnf_bias: Array2<T>,
    /// Attention heads per block (not a parameter).
    pub heads: usize,
}

/// What the attention branch keeps for its backward pass.
#[derive(Clone, Debug)]
pub struct AttendCache<T> {
    a: Array2<T>,
    norm1: Normalized<T>,
    qkv: Array2<T>,
    /// Every attention weight matrix P, window by window, head by head.
    pub weights: Vec<Array2<T>>,
    o: Array2<T>,
}

/// What the MLP branch keeps.
#[derive(Clone, Debug)]
pub struct MlpCache<T> {
    c: Array2<T>,
    norm2: Normalized<T>,
    u: Array2<T>,
    g: Array2<T>,
}

/// What a block's forward pass keeps for its backward pass.
#[derive(Clone, Debug)]
pub struct BlockCache<T> {
    /// The attention branch's values.
    pub attend: AttendCache<T>,
    /// The MLP branch's.
    pub mlp: MlpCache<T>,
}

/// What the whole forward pass keeps.
#[derive(Clone, Debug)]
pub struct Cache<T> {
    tokens: Vec<usize>,
    /// Tokens per window.
    pub t: usize,
    /// Each block's values.
    pub blocks: Vec<BlockCache<T>>,
    h: Array2<T>,
    norm_f: Normalized<T>,
}

impl<T: Real> Block<T> {
    fn new(d: usize, layers: usize, rng: &mut Rng) -> Self {
        let normal = |rng: &mut Rng, shape: (usize, usize), std: f64| {
            normal_array(rng, shape, std).mapv(T::from_f64)
        };
        // The two projections that add into the residual stream start
        // smaller, so N blocks' additions keep its spread near 1 (GPT-2).
        let residual = 0.02 / (2.0 * layers as f64).sqrt();
        Block {
            ln1_gain: Array2::ones((d, 1)),
            ln1_bias: Array2::zeros((d, 1)),
            w_qkv: normal(rng, (3 * d, d), 0.02),
            b_qkv: Array2::zeros((3 * d, 1)),
            w_o: normal(rng, (d, d), residual),
            b_o: Array2::zeros((d, 1)),
            ln2_gain: Array2::ones((d, 1)),
            ln2_bias: Array2::zeros((d, 1)),
            w_fc: normal(rng, (4 * d, d), 0.02),
            b_fc: Array2::zeros((4 * d, 1)),
            w_proj: normal(rng, (d, 4 * d), residual),
            b_proj: Array2::zeros((d, 1)),
        }
    }

    /// The parameters, in a fixed order.
    pub fn parameters(&self) -> [&Array2<T>; 12] {
        [
            &self.ln1_gain,
            &self.ln1_bias,
            &self.w_qkv,
            &self.b_qkv,
            &self.w_o,
            &self.b_o,
            &self.ln2_gain,
            &self.ln2_bias,
            &self.w_fc,
            &self.b_fc,
            &self.w_proj,
            &self.b_proj,
        ]
    }

    fn parameters_mut(&mut self) -> [&mut Array2<T>; 12] {
        let Block {
            ln1_gain,
            ln1_bias,
            w_qkv,
            b_qkv,
            w_o,
            b_o,
            ln2_gain,
            ln2_bias,
            w_fc,
            b_fc,
            w_proj,
            b_proj,
        } = self;
        [
            ln1_gain, ln1_bias, w_qkv, b_qkv, w_o, b_o, ln2_gain, ln2_bias,
            w_fc, b_fc, w_proj, b_proj,
        ]
    }

    /// A block's gradient, to be filled in: every parameter 0.
    pub fn zeros_like(&self) -> Self {
        let mut zero = self.clone();
        for p in zero.parameters_mut() {
            p.fill(T::zero());
        }
        zero
    }

    // ANCHOR: block
    /// The block on x (d, B·T), windows of `t` tokens: two branches, each
    /// read from a LayerNorm of the stream and added back to it,
    /// x₁ = x + attend(x) and x₂ = x₁ + mlp(x₁).
    pub fn forward(
        &self,
        x: Array2<T>,
        heads: usize,
        t: usize,
    ) -> (Array2<T>, BlockCache<T>) {
        let (r1, attend) = self.attend(x.view(), heads, t);
        let x1 = x + r1;
        let (r2, mlp) = self.mlp(x1.view());
        (&x1 + &r2, BlockCache { attend, mlp })
    }

    /// The attention branch: W_o heads(W_qkv LN₁(x) + b_qkv) + b_o.
    pub fn attend(
        &self,
        x: ArrayView2<T>,
        heads: usize,
        t: usize,
    ) -> (Array2<T>, AttendCache<T>) {
        let (a, norm1) = layer_norm(&self.ln1_gain, &self.ln1_bias, x);
        let qkv = linear(&self.w_qkv, &self.b_qkv, a.view());
        let (o, weights) = multi_head(qkv.view(), heads, t);
        let r = linear(&self.w_o, &self.b_o, o.view());
        (
            r,
            AttendCache {
                a,
                norm1,
                qkv,
                weights,
                o,
            },
        )
    }

    /// The MLP branch: W_proj GELU(W_fc LN₂(x) + b_fc) + b_proj.
    pub fn mlp(&self, x: ArrayView2<T>) -> (Array2<T>, MlpCache<T>) {
        let (c, norm2) = layer_norm(&self.ln2_gain, &self.ln2_bias, x);
        let u = linear(&self.w_fc, &self.b_fc, c.view());
        let g = u.mapv(gelu);
        let r = linear(&self.w_proj, &self.b_proj, g.view());
        (r, MlpCache { c, norm2, u, g })
    }
    // ANCHOR_END: block

    // ANCHOR: block_backward
    /// Back through the block, from δ = ∂C/∂x₂: each residual addition
    /// passes δ on unchanged and adds what comes back through its branch.
    /// Returns ∂C/∂x and the block's gradient.
    pub fn backward(
        &self,
        cache: &BlockCache<T>,
        delta: Array2<T>,
        heads: usize,
        t: usize,
    ) -> (Array2<T>, Block<T>) {
        let mut g = self.zeros_like();
        let dx1 = &delta + &self.mlp_backward(&cache.mlp, delta.view(), &mut g);
        let through =
            self.attend_backward(&cache.attend, dx1.view(), (heads, t), &mut g);
        (dx1 + through, g)
    }
    // ANCHOR_END: block_backward

    // ANCHOR: branches_backward
    /// Back through the attention branch from δ = ∂C/∂r: its parameters'
    /// gradients written into `g`; returns ∂C/∂x.
    pub fn attend_backward(
        &self,
        cache: &AttendCache<T>,
        delta: ArrayView2<T>,
        (heads, t): (usize, usize),
        g: &mut Block<T>,
    ) -> Array2<T> {
        let (d_o, d_w_o, d_b_o) =
            linear_backward(&self.w_o, cache.o.view(), delta);
        let d_qkv = multi_head_backward(
            cache.qkv.view(),
            &cache.weights,
            d_o.view(),
            heads,
            t,
        );
        let (da, d_w_qkv, d_b_qkv) =
            linear_backward(&self.w_qkv, cache.a.view(), d_qkv.view());
        let (dx, d_ln1_gain, d_ln1_bias) =
            layer_norm_backward(&self.ln1_gain, &cache.norm1, da.view());
        (g.w_o, g.b_o, g.w_qkv, g.b_qkv) = (d_w_o, d_b_o, d_w_qkv, d_b_qkv);
        (g.ln1_gain, g.ln1_bias) = (d_ln1_gain, d_ln1_bias);
        dx
    }

    /// Back through the MLP branch from δ = ∂C/∂r: its parameters'
    /// gradients written into `g`; returns ∂C/∂x.
    pub fn mlp_backward(
        &self,
        cache: &MlpCache<T>,
        delta: ArrayView2<T>,
        g: &mut Block<T>,
    ) -> Array2<T> {
        let (dg, d_w_proj, d_b_proj) =
            linear_backward(&self.w_proj, cache.g.view(), delta);
        let du = dg * &cache.u.mapv(gelu_derivative);
        let (dc, d_w_fc, d_b_fc) =
            linear_backward(&self.w_fc, cache.c.view(), du.view());
        let (dx, d_ln2_gain, d_ln2_bias) =
            layer_norm_backward(&self.ln2_gain, &cache.norm2, dc.view());
        (g.w_proj, g.b_proj, g.w_fc, g.b_fc) =
            (d_w_proj, d_b_proj, d_w_fc, d_b_fc);
        (g.ln2_gain, g.ln2_bias) = (d_ln2_gain, d_ln2_bias);
        dx
    }
    // ANCHOR_END: branches_backward
}

/// Rows of head `h`'s part `m` (0 queries, 1 keys, 2 values) of qkv
/// (3d, ·), for the window of columns starting at `start`.
fn head_rows(
    m: usize,
    h: usize,
    d: usize,
    heads: usize,
) -> std::ops::Range<usize> {
    let d_h = d / heads;
    m * d + h * d_h..m * d + (h + 1) * d_h
}

// ANCHOR: multi_head
/// Multi-head attention: the heads side by side. Head h of window b reads
/// its own rows of the stacked queries, keys and values qkv (3d, B·T) and
/// writes its own rows of the output o (d, B·T). Returns o and every P.
pub fn multi_head<T: Real>(
    qkv: ArrayView2<T>,
    heads: usize,
    t: usize,
) -> (Array2<T>, Vec<Array2<T>>) {
    let d = qkv.nrows() / 3;
    let mut o = Array2::zeros((d, qkv.ncols()));
    let mut weights = Vec::new();
    for start in (0..qkv.ncols()).step_by(t) {
        let window = start..start + t;
        for h in 0..heads {
            let part =
                |m| qkv.slice(s![head_rows(m, h, d, heads), window.clone()]);
            let (o_h, p) = attention(part(0), part(1), part(2));
            o.slice_mut(s![head_rows(0, h, d, heads), window.clone()])
                .assign(&o_h);
            weights.push(p);
        }
    }
    (o, weights)
}

// ANCHOR_END: multi_head

// ANCHOR: multi_head_backward
/// Back through the heads: each head's ∂C/∂q, ∂C/∂k, ∂C/∂v written into
/// its rows of ∂C/∂qkv.
pub fn multi_head_backward<T: Real>(
    qkv: ArrayView2<T>,
    weights: &[Array2<T>],
    d_o: ArrayView2<T>,
    heads: usize,
    t: usize,
) -> Array2<T> {
    let d = qkv.nrows() / 3;
    let mut d_qkv = Array2::zeros(qkv.raw_dim());
    let mut weights = weights.iter();
    for start in (0..qkv.ncols()).step_by(t) {
        let window = start..start + t;
        for h in 0..heads {
            let part =
                |m| qkv.slice(s![head_rows(m, h, d, heads), window.clone()]);
            let p = weights.next().expect("one P per head and window");
            let delta =
                d_o.slice(s![head_rows(0, h, d, heads), window.clone()]);
            let (dq, dk, dv) = attention_backward(
                (part(0), part(1), part(2)),
                p.view(),
                delta,
            );
            for (m, dm) in [dq, dk, dv].iter().enumerate() {
                d_qkv
                    .slice_mut(s![head_rows(m, h, d, heads), window.clone()])
                    .assign(dm);
            }
        }
    }
    d_qkv
}
// ANCHOR_END: multi_head_backward

impl<T: Real> Gpt<T> {
    /// A GPT with GPT-2's first weights: N(0, 0.02²) everywhere, the
    /// residual projections smaller, biases 0 and LayerNorm gains 1.
    pub fn new(config: Config, rng: &mut Rng) -> Self {
        let Config {
            vocab,
            block,
            layers,
            heads,
            width: d,
        } = config;
        assert!(
            d.is_multiple_of(heads),
            "the width is a multiple of the heads"
        );
        let normal = |rng: &mut Rng, shape: (usize, usize)| {
            normal_array(rng, shape, 0.02).mapv(T::from_f64)
        };
        let wte = normal(rng, (d, vocab));
        let wpe = normal(rng, (d, block));
        let blocks = (0..layers).map(|_| Block::new(d, layers, rng)).collect();
        Gpt {
            wte,
            wpe,
            blocks,
            lnf_gain: Array2::ones((d, 1)),
            lnf_bias: Array2::zeros((d, 1)),
            heads,
        }
    }

    /// Its sizes.
    pub fn config(&self) -> Config {
        Config {
            vocab: self.wte.ncols(),
            block: self.wpe.ncols(),
            layers: self.blocks.len(),
            heads: self.heads,
            width: self.wte.nrows(),
        }
    }

    /// All zeros, the shape of this one.
    pub fn zeros_like(&self) -> Self {
        let mut zero = self.clone();
        for p in zero.parameters_mut() {
            p.fill(T::zero());
        }
        zero
    }

    // ANCHOR: forward
    /// Each token's vector h⁰ (d, B·T) as it enters the first block: its
    /// token's embedding plus its position's, for the tokens x (T, B).
    pub fn embed(&self, x: ArrayView2<usize>) -> Array2<T> {
        let t = x.nrows();
        let tokens: Vec<usize> = x.t().iter().copied().collect();
        let positions: Vec<usize> = (0..tokens.len()).map(|j| j % t).collect();
        lookup(self.wte.view(), &tokens) + lookup(self.wpe.view(), &positions)
    }

    /// The logits (V, B·T) of the token after each of the tokens x (T, B),
    /// T at most the block size, and what the backward pass needs.
    pub fn forward(&self, x: ArrayView2<usize>) -> (Array2<T>, Cache<T>) {
        let t = x.nrows();
        let tokens: Vec<usize> = x.t().iter().copied().collect();
        let mut h = self.embed(x);
        let mut blocks = Vec::new();
        for block in &self.blocks {
            let (out, cache) = block.forward(h, self.heads, t);
            h = out;
            blocks.push(cache);
        }
        let (hf, norm_f) = layer_norm(&self.lnf_gain, &self.lnf_bias, h.view());
        let z = self.wte.t().dot(&hf);
        let cache = Cache {
            tokens,
            t,
            blocks,
            h: hf,
            norm_f,
        };
        (z, cache)
    }
    // ANCHOR_END: forward

    // ANCHOR: backward
    /// The gradient of every parameter from δ = ∂C/∂z: back through the
    /// output layer, the final LayerNorm, the blocks last to first and the
    /// two embeddings. W_te gets two parts: as the output layer and as
    /// the lookup.
    pub fn backward(&self, cache: &Cache<T>, dz: ArrayView2<T>) -> Gpt<T> {
        let mut g = self.zeros_like();
        g.wte = cache.h.dot(&dz.t());
        let dh = self.wte.dot(&dz);
        let (mut dx, d_gain, d_bias) =
            layer_norm_backward(&self.lnf_gain, &cache.norm_f, dh.view());
        (g.lnf_gain, g.lnf_bias) = (d_gain, d_bias);
        for (l, block) in self.blocks.iter().enumerate().rev() {
            let (d_before, d_block) =
                block.backward(&cache.blocks[l], dx, self.heads, cache.t);
            (dx, g.blocks[l]) = (d_before, d_block);
        }
        let vocab = self.wte.ncols();
        g.wte += &lookup_gradient(dx.view(), &cache.tokens, vocab);
        for (j, column) in dx.columns().into_iter().enumerate() {
            let mut position = g.wpe.column_mut(j % cache.t);
            position += &column;
        }
        g
    }
    // ANCHOR_END: backward

    /// The mean loss and gradient of a piece of windows (at most block + 1
    /// tokens): rows 0 … T − 1 read, rows 1 … T predicted, the predictions
    /// from `piece.first` on scored.
    fn piece_loss(&self, piece: &Piece) -> (T, Gpt<T>) {
        let rows = piece.rows;
        let x = rows.slice(s![..-1, ..]);
        let (z, cache) = self.forward(x);
        let t = x.nrows();
        let scored: Vec<usize> =
            (0..z.ncols()).filter(|j| j % t >= piece.first).collect();
        let next: Vec<usize> =
            scored.iter().map(|&j| rows[[j % t + 1, j / t]]).collect();
        let z_scored = z.select(Axis(1), &scored);
        let (cost, dz_scored) = next_token_loss(z_scored.view(), &next);
        let mut dz = Array2::zeros(z.raw_dim());
        for (i, &j) in scored.iter().enumerate() {
            dz.column_mut(j).assign(&dz_scored.column(i));
        }
        (cost, self.backward(&cache, dz.view()))
    }

    /// A key-value cache for this model (empty).
    pub fn kv_cache(&self) -> KvCache<T> {
        let (d, block) = (self.wte.nrows(), self.wpe.ncols());
        let empty = || Array2::zeros((d, block));
        KvCache {
            keys: self.blocks.iter().map(|_| empty()).collect(),
            values: self.blocks.iter().map(|_| empty()).collect(),
            len: 0,
        }
    }

    // ANCHOR: decode
    /// The logits after one more token, reading the keys and values of the
    /// tokens before it from the cache instead of computing them again:
    /// one column through each block. The cache must have room (fewer
    /// than `block` tokens in it).
    pub fn decode(&self, cache: &mut KvCache<T>, token: usize) -> Array1<T> {
        let (d, i) = (self.wte.nrows(), cache.len);
        let mut x =
            lookup(self.wte.view(), &[token]) + lookup(self.wpe.view(), &[i]);
        for (l, block) in self.blocks.iter().enumerate() {
            let (a, _) = layer_norm(&block.ln1_gain, &block.ln1_bias, x.view());
            let qkv = linear(&block.w_qkv, &block.b_qkv, a.view());
            let column = |m: usize| qkv.slice(s![m * d..(m + 1) * d, 0]);
            cache.keys[l].column_mut(i).assign(&column(1));
            cache.values[l].column_mut(i).assign(&column(2));
            let mut o = Array2::zeros((d, 1));
            for h in 0..self.heads {
                let rows = head_rows(0, h, d, self.heads);
                let q = qkv.slice(s![head_rows(0, h, d, self.heads), ..]);
                let k = cache.keys[l].slice(s![rows.clone(), ..=i]);
                let v = cache.values[l].slice(s![rows.clone(), ..=i]);
                // The newest token may look at every key in the cache.
                let scale = T::from_f64(1.0 / (q.nrows() as f64).sqrt());
                let p = softmax((k.t().dot(&q) * scale).column(0));
                o.slice_mut(s![rows, 0]).assign(&v.dot(&p));
            }
            x = &x + &linear(&block.w_o, &block.b_o, o.view());
            let (c, _) = layer_norm(&block.ln2_gain, &block.ln2_bias, x.view());
            let g = linear(&block.w_fc, &block.b_fc, c.view()).mapv(gelu);
            x = &x + &linear(&block.w_proj, &block.b_proj, g.view());
        }
        cache.len += 1;
        let (hf, _) = layer_norm(&self.lnf_gain, &self.lnf_bias, x.view());
        self.wte.t().dot(&hf).column(0).to_owned()
    }
    // ANCHOR_END: decode
}

/// The keys and values of every block for the tokens read so far.
#[derive(Clone, Debug)]
pub struct KvCache<T> {
    keys: Vec<Array2<T>>,
    values: Vec<Array2<T>>,
    /// Tokens in the cache.
    pub len: usize,
}

/// A piece of a long window: at most block + 1 of its rows, and the
/// first of the piece's predictions (from 0) that counts.
#[derive(Clone, Copy, Debug)]
pub struct Piece<'a> {
    /// The rows.
    pub rows: ArrayView2<'a, usize>,
    /// Predictions before this one were counted in an earlier piece.
    pub first: usize,
}

// ANCHOR: pieces
/// A window longer than the model's context, cut into pieces of block + 1
/// rows starting every block/2 rows. Each piece counts only the
/// predictions the piece before did not reach, so every token after the
/// first is predicted once, and (but for the first block) from at least
/// block/2 tokens before it.
pub fn pieces(windows: ArrayView2<'_, usize>, block: usize) -> Vec<Piece<'_>> {
    let predictions = windows.nrows() - 1;
    let stride = (block / 2).max(1);
    let (mut all, mut done, mut start) = (Vec::new(), 0, 0);
    while done < predictions {
        let end = (start + block).min(predictions);
        let rows = windows.slice_move(s![start..=end, ..]);
        all.push(Piece {
            rows,
            first: done - start,
        });
        (done, start) = (end, start + stride);
    }
    all
}
// ANCHOR_END: pieces

impl<T: Real> Language<T> for Gpt<T> {
    fn context(&self) -> usize {
        1
    }

    fn loss_and_gradient(&self, windows: ArrayView2<usize>) -> (T, Self) {
        let all = pieces(windows, self.wpe.ncols());
        let total = T::from_f64((windows.nrows() - 1) as f64);
        let mut loss = T::zero();
        let mut g = self.zeros_like();
        for piece in all {
            let counted = piece.rows.nrows() - 1 - piece.first;
            let share = T::from_f64(counted as f64) / total;
            let (c, gp) = self.piece_loss(&piece);
            loss += c * share;
            let parts = g.parameters_mut().into_iter().zip(gp.parameters());
            for (sum, part) in parts {
                sum.scaled_add(share, part);
            }
        }
        (loss, g)
    }

    fn next_logits(&self, prefix: &[usize]) -> Array1<T> {
        let seen = &prefix[prefix.len().saturating_sub(self.wpe.ncols())..];
        let x = Array2::from_shape_vec((seen.len(), 1), seen.to_vec())
            .expect("a column");
        let (z, _) = self.forward(x.view());
        z.column(z.ncols() - 1).to_owned()
    }

    fn parameters(&self) -> Vec<&Array2<T>> {
        let mut all = vec![&self.wte, &self.wpe];
        for block in &self.blocks {
            all.extend(block.parameters());
        }
        all.extend([&self.lnf_gain, &self.lnf_bias]);
        all
    }

    fn parameters_mut(&mut self) -> Vec<&mut Array2<T>> {
        let mut all = vec![&mut self.wte, &mut self.wpe];
        for block in &mut self.blocks {
            all.extend(block.parameters_mut());
        }
        all.extend([&mut self.lnf_gain, &mut self.lnf_bias]);
        all
    }
}

/// Layer `l`'s attention weights from a forward pass: one (T, T) matrix
/// per window and head, window-major.
pub fn attention_weights<T>(cache: &Cache<T>, l: usize) -> &[Array2<T>] {
    &cache.blocks[l].attend.weights
}
