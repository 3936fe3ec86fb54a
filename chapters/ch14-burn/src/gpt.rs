//! Chapter 13's GPT as a Burn module, read from chapter 13's model file by
//! Burn's own safetensors store.
//!
//! The field names are the file's tensor names (nanoGPT's, which chapter
//! 13 writes): `transformer.wte.weight`, `transformer.h.0.attn.c_attn.
//! weight`, … Burn names a module's tensors by its fields, so the file
//! loads with no renaming beyond what `PyTorchToBurnAdapter` does anyway
//! (each `Linear` weight transposed, a LayerNorm's `weight` and `bias`
//! read as Burn's `gamma` and `beta`).
//!
//! As in chapter 14's MLP, Burn keeps tokens in **rows**: a batch is
//! (B, T) token ids, the activations (B, T, d), where chapter 13 keeps
//! one token per column.

use std::path::Path;

use burn::module::{ModuleMapper, ModuleVisitor, Param};
use burn::nn::{
    Dropout, DropoutConfig, Embedding, EmbeddingConfig, LayerNorm,
    LayerNormConfig, Linear, LinearConfig,
};
use burn::prelude::*;
use burn::tensor::Gradients;
use burn::tensor::activation::{gelu_approximate, softmax};
use ch12_sequences::language::Language;
use ch13_transformer::gpt::Config;
use ch13_transformer::model::Saved;
use ndarray::{Array2, ArrayView2};
use shared::rng::seeded;

use crate::Error;
use crate::model::{fill_from, matrix};

// ANCHOR: gpt_modules
/// The GPT: token and position embeddings, the blocks, a final LayerNorm;
/// the output layer is the token embedding again (z = h W_teᵀ).
#[derive(Module, Debug)]
pub struct Gpt {
    /// Everything but the (tied) output layer, under nanoGPT's name.
    pub transformer: Transformer,
}

/// The GPT's body.
#[derive(Module, Debug)]
pub struct Transformer {
    /// Token embeddings (V, d).
    pub wte: Embedding,
    /// Position embeddings (T, d).
    pub wpe: Embedding,
    /// The blocks, first to last.
    pub h: Vec<Block>,
    /// The final LayerNorm.
    pub ln_f: LayerNorm,
    /// Dropout on the embeddings' sum (training only).
    pub drop: Dropout,
}

/// One pre-norm block: x + attention(LN₁(x)), then + MLP(LN₂(x)).
#[derive(Module, Debug)]
pub struct Block {
    /// LayerNorm before attention.
    pub ln_1: LayerNorm,
    /// Causal self-attention.
    pub attn: Attention,
    /// LayerNorm before the MLP.
    pub ln_2: LayerNorm,
    /// The MLP.
    pub mlp: Feedforward,
}

/// Causal self-attention: queries, keys and values in one `Linear`
/// (features 0..d are q, d..2d k, 2d..3d v; head h owns d_h of each), the
/// heads' outputs side by side, then the output projection.
#[derive(Module, Debug)]
pub struct Attention {
    /// W_qkv (d → 3d).
    pub c_attn: Linear,
    /// W_o (d → d).
    pub c_proj: Linear,
    /// Heads (not a parameter).
    pub heads: usize,
    /// Dropout on the attention weights.
    pub attn_dropout: Dropout,
    /// Dropout on the branch's output.
    pub resid_dropout: Dropout,
}

/// The MLP: d → 4d, GELU (tanh form, chapter 13's), 4d → d.
#[derive(Module, Debug)]
pub struct Feedforward {
    /// The first layer.
    pub c_fc: Linear,
    /// The second.
    pub c_proj: Linear,
    /// Dropout on the branch's output.
    pub dropout: Dropout,
}
// ANCHOR_END: gpt_modules

// ANCHOR: gpt_forward
impl Attention {
    /// x (B, T, d) → (B, T, d): softmax(q kᵀ/√d_h, future masked) v per
    /// head, the heads joined, then W_o.
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let [b, t, d] = x.dims();
        let (heads, d_h) = (self.heads, d / self.heads);
        let qkv = self.c_attn.forward(x);
        // (B, T, d) → (B, heads, T, d_h)
        let split = |part: usize| {
            qkv.clone()
                .narrow(2, part * d, d)
                .reshape([b, t, heads, d_h])
                .swap_dims(1, 2)
        };
        let (q, k, v) = (split(0), split(1), split(2));
        let scores = q.matmul(k.swap_dims(2, 3)) / (d_h as f64).sqrt();
        // True above the diagonal: the keys after each query.
        let future = Tensor::<2, Bool>::tril_mask([t, t], 0, &scores.device())
            .unsqueeze::<4>()
            .expand([b, heads, t, t]);
        let p = softmax(scores.mask_fill(future, f32::NEG_INFINITY), 3);
        let p = self.attn_dropout.forward(p);
        let o = p.matmul(v).swap_dims(1, 2).reshape([b, t, d]);
        self.resid_dropout.forward(self.c_proj.forward(o))
    }
}

impl Feedforward {
    /// x (B, T, d) → (B, T, d).
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let h = self.c_proj.forward(gelu_approximate(self.c_fc.forward(x)));
        self.dropout.forward(h)
    }
}

impl Block {
    /// x + attention(LN₁(x)), then + MLP(LN₂(·)).
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let x = x.clone() + self.attn.forward(self.ln_1.forward(x));
        x.clone() + self.mlp.forward(self.ln_2.forward(x))
    }
}

impl Gpt {
    /// The logits for a batch of windows, tokens (B, T) → (B, T, V).
    pub fn forward(&self, tokens: Tensor<2, Int>) -> Tensor<3> {
        let [b, t] = tokens.dims();
        let body = &self.transformer;
        let wte = body.wte.weight.val(); // (V, d)
        let [vocab, d] = wte.dims();
        let positions = body.wpe.weight.val().narrow(0, 0, t); // (T, d)
        let mut h = body.drop.forward(
            body.wte.forward(tokens)
                + positions.unsqueeze::<3>().expand([b, t, d]),
        );
        for block in &body.h {
            h = block.forward(h);
        }
        let h = body.ln_f.forward(h).reshape([b * t, d]);
        h.matmul(wte.transpose()).reshape([b, t, vocab])
    }
}
// ANCHOR_END: gpt_forward

/// A GPT of chapter 13's sizes with Burn's own initial weights; loading a
/// file overwrites them. LayerNorm's ε is chapter 13's, 10⁻⁵; dropout at
/// rate `dropout` at GPT-2's four places (Burn drops only on an autodiff
/// device, that is, while training).
pub fn empty_gpt(c: Config, dropout: f64, device: &Device) -> Gpt {
    let d = c.width;
    let drop = || DropoutConfig::new(dropout).init();
    let norm = || {
        LayerNormConfig::new(d)
            .with_epsilon(ch13_transformer::ops::EPSILON)
            .init(device)
    };
    let linear = |i, o| LinearConfig::new(i, o).init(device);
    let h = (0..c.layers)
        .map(|_| Block {
            ln_1: norm(),
            attn: Attention {
                c_attn: linear(d, 3 * d),
                c_proj: linear(d, d),
                heads: c.heads,
                attn_dropout: drop(),
                resid_dropout: drop(),
            },
            ln_2: norm(),
            mlp: Feedforward {
                c_fc: linear(d, 4 * d),
                c_proj: linear(4 * d, d),
                dropout: drop(),
            },
        })
        .collect();
    Gpt {
        transformer: Transformer {
            wte: EmbeddingConfig::new(c.vocab, d).init(device),
            wpe: EmbeddingConfig::new(c.block, d).init(device),
            h,
            ln_f: norm(),
            drop: drop(),
        },
    }
}

// ANCHOR: load
/// Chapter 13's model file, read by **Burn**: chapter 13's loader checks
/// the file and gives the sizes (and chapter 13's own copy, returned
/// beside Burn's); Burn's `SafetensorsStore` then fills a `Gpt` of those
/// sizes, every tensor by its name.
pub fn load(path: &Path, device: &Device) -> Result<(Gpt, Saved), Error> {
    let saved = ch13_transformer::model::load(path)?;
    let mut gpt = empty_gpt(saved.gpt.config(), 0.0, device);
    fill_from(&mut gpt, path).map_err(|why| Error::Unsupported {
        path: path.to_path_buf(),
        why,
    })?;
    Ok((gpt, saved))
}
// ANCHOR_END: load

/// Burn's logits for chapter 13's windows x (T, B) (window b in column b),
/// laid out as chapter 13's: (V, B·T), column b·T + t for token t of
/// window b.
pub fn burn_logits(
    gpt: &Gpt,
    x: ArrayView2<usize>,
    device: &Device,
) -> Array2<f32> {
    let (t, b) = x.dim();
    let z = gpt.forward(token_ids(x, device)); // (B, T, V)
    let vocab = z.dims()[2];
    matrix(z.reshape([b * t, vocab])).t().to_owned()
}

/// Token ids (B, T) for chapter 13's tokens x (T, B): window b becomes
/// row b.
fn token_ids(x: ArrayView2<usize>, device: &Device) -> Tensor<2, Int> {
    let (t, b) = x.dim();
    let ids: Vec<i64> = x.t().iter().map(|&token| token as i64).collect();
    Tensor::from_data(TensorData::new(ids, [b, t]), device)
}

// ANCHOR: loss
/// The mean next-token loss over chapter 13's windows (T + 1, B): the
/// first T tokens of each window read, each next token predicted. Chapter
/// 14's cross-entropy of the logits against one-hot next tokens.
pub fn burn_loss(
    gpt: &Gpt,
    windows: ArrayView2<usize>,
    device: &Device,
) -> Tensor<1> {
    let (rows, b) = windows.dim();
    let t = rows - 1;
    let z = gpt.forward(token_ids(windows.slice(ndarray::s![..t, ..]), device));
    let vocab = z.dims()[2];
    // One-hot next tokens, row b·T + t.
    let mut y = vec![0.0f32; b * t * vocab];
    for window in 0..b {
        for position in 0..t {
            let next = windows[[position + 1, window]];
            y[(window * t + position) * vocab + next] = 1.0;
        }
    }
    let y = Tensor::from_data(TensorData::new(y, [b * t, vocab]), device);
    crate::compare::cross_entropy(z.reshape([b * t, vocab]), y)
}
// ANCHOR_END: loss

// ANCHOR: gradient
/// The mean next-token loss over chapter 13's windows (T + 1, B) and its
/// gradient, by **Burn's autodiff** (`gpt` on an autodiff device),
/// returned in chapter 13's shapes to set beside its hand-written
/// backward pass.
pub fn burn_gradient(
    gpt: &Gpt,
    windows: ArrayView2<usize>,
    device: &Device,
) -> (f32, ch13_transformer::gpt::Gpt<f32>) {
    let loss = burn_loss(gpt, windows, device);
    let value = scalar(loss.clone());
    let grads = loss.backward();
    (value, in_chapter_13s_shapes(gpt, Some(&grads)))
}
// ANCHOR_END: gradient

/// A one-number tensor's number.
pub fn scalar(t: Tensor<1>) -> f32 {
    t.into_data().try_into_vec::<f32>().expect("f32")[0]
}

/// Burn's GPT as chapter 13's `Gpt`: the same numbers in chapter 13's
/// layout (tokens in columns).
pub fn to_ours(gpt: &Gpt) -> ch13_transformer::gpt::Gpt<f32> {
    in_chapter_13s_shapes(gpt, None)
}

/// The sizes of Burn's GPT, in chapter 13's words.
pub fn config_of(gpt: &Gpt) -> Config {
    let body = &gpt.transformer;
    let [vocab, width] = body.wte.weight.dims();
    Config {
        vocab,
        block: body.wpe.weight.dims()[0],
        layers: body.h.len(),
        heads: body.h.first().map_or(1, |block| block.attn.heads),
        width,
    }
}

// Burn visits a module's parameters in the order of its fields: wte, wpe,
// then each block's ln_1 (γ, β), c_attn, c_proj, ln_2, c_fc, c_proj, then
// ln_f — the order of chapter 13's `Language::parameters`. So one walk
// over Burn's parameters pairs each with chapter 13's matrix of the same
// name. A matrix is transposed on the way (Burn keeps tokens in rows); a
// vector is chapter 13's (n, 1) column.

/// Every parameter's value (`grads`: None) or gradient, in chapter 13's
/// shapes and order.
struct Collect<'a> {
    grads: Option<&'a Gradients>,
    found: Vec<Array2<f32>>,
}

impl ModuleVisitor for Collect<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let t = match self.grads {
            Some(grads) => param.grad(grads).expect("a parameter's gradient"),
            None => param.val(),
        };
        let dims = t.dims();
        let values = t.into_data().try_into_vec::<f32>().expect("f32");
        let a = match D {
            1 => Array2::from_shape_vec((dims[0], 1), values),
            _ => Array2::from_shape_vec((dims[0], dims[1]), values)
                .map(|m| m.t().to_owned()),
        };
        self.found.push(a.expect("sizes agree"));
    }
}

fn in_chapter_13s_shapes(
    gpt: &Gpt,
    grads: Option<&Gradients>,
) -> ch13_transformer::gpt::Gpt<f32> {
    let mut collect = Collect {
        grads,
        found: Vec::new(),
    };
    gpt.visit(&mut collect);
    let mut ours =
        ch13_transformer::gpt::Gpt::new(config_of(gpt), &mut seeded(0));
    let slots = ours.parameters_mut();
    assert_eq!(slots.len(), collect.found.len(), "one matrix per parameter");
    for (slot, value) in slots.into_iter().zip(collect.found) {
        assert_eq!(slot.dim(), value.dim(), "a parameter's shape");
        *slot = value;
    }
    ours
}

/// Fills Burn's parameters, in visiting order, from chapter 13's.
struct Fill<'a> {
    ours: std::vec::IntoIter<&'a Array2<f32>>,
}

impl ModuleMapper for Fill<'_> {
    fn map_float<const D: usize>(
        &mut self,
        param: Param<Tensor<D>>,
    ) -> Param<Tensor<D>> {
        let a = self
            .ours
            .next()
            .expect("as many parameters as chapter 13's");
        param.map(|t| {
            let tracked = t.is_require_grad();
            let value = burn_layout::<D>(a, &t.device());
            assert_eq!(t.dims(), value.dims(), "a parameter's shape");
            value.set_require_grad(tracked)
        })
    }
}

/// Chapter 13's gradient `g` as Burn's `GradientsParams` for `gpt`'s
/// parameters (to give Burn's optimizer the very gradient chapter 13's
/// gets).
pub fn gradients_params(
    gpt: &Gpt,
    g: &ch13_transformer::gpt::Gpt<f32>,
) -> burn::optim::GradientsParams {
    let mut register = Register {
        ours: g.parameters().into_iter(),
        grads: burn::optim::GradientsParams::new(),
    };
    gpt.visit(&mut register);
    register.grads
}

/// Registers chapter 13's matrices, in visiting order, as gradients.
struct Register<'a> {
    ours: std::vec::IntoIter<&'a Array2<f32>>,
    grads: burn::optim::GradientsParams,
}

impl ModuleVisitor for Register<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let a = self
            .ours
            .next()
            .expect("as many parameters as chapter 13's");
        // Gradients live outside autodiff, as `backward` gives them.
        let t = burn_layout::<D>(a, &param.device()).inner();
        self.grads.register(param.id, t);
    }
}

/// Chapter 13's matrix `a` as Burn keeps it: a matrix transposed, a
/// column (n, 1) as a vector (n).
fn burn_layout<const D: usize>(a: &Array2<f32>, device: &Device) -> Tensor<D> {
    let (values, shape): (Vec<f32>, Vec<usize>) = match D {
        1 => (a.iter().copied().collect(), vec![a.nrows()]),
        _ => (a.t().iter().copied().collect(), vec![a.ncols(), a.nrows()]),
    };
    Tensor::from_data(TensorData::new(values, shape), device)
}

/// Chapter 13's GPT as a Burn module on `device`, the same numbers, with
/// dropout at rate `dropout` while training.
pub fn from_ours(
    ours: &ch13_transformer::gpt::Gpt<f32>,
    dropout: f64,
    device: &Device,
) -> Gpt {
    let gpt = empty_gpt(ours.config(), dropout, device);
    let mut fill = Fill {
        ours: ours.parameters().into_iter(),
    };
    gpt.map(&mut fill)
}
