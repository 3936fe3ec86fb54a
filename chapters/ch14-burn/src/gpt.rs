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

use burn::nn::{
    Embedding, EmbeddingConfig, LayerNorm, LayerNormConfig, Linear,
    LinearConfig,
};
use burn::prelude::*;
use burn::tensor::activation::{gelu_approximate, softmax};
use ch13_transformer::gpt::Config;
use ch13_transformer::model::Saved;
use ndarray::{Array2, ArrayView2};

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
}

/// The MLP: d → 4d, GELU (tanh form, chapter 13's), 4d → d.
#[derive(Module, Debug)]
pub struct Feedforward {
    /// The first layer.
    pub c_fc: Linear,
    /// The second.
    pub c_proj: Linear,
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
        let o = p.matmul(v).swap_dims(1, 2).reshape([b, t, d]);
        self.c_proj.forward(o)
    }
}

impl Feedforward {
    /// x (B, T, d) → (B, T, d).
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        self.c_proj.forward(gelu_approximate(self.c_fc.forward(x)))
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
        let mut h = body.wte.forward(tokens)
            + positions.unsqueeze::<3>().expand([b, t, d]);
        for block in &body.h {
            h = block.forward(h);
        }
        let h = body.ln_f.forward(h).reshape([b * t, d]);
        h.matmul(wte.transpose()).reshape([b, t, vocab])
    }
}
// ANCHOR_END: gpt_forward

/// A GPT of chapter 13's sizes with Burn's own initial weights; loading a
/// file overwrites them. LayerNorm's ε is chapter 13's, 10⁻⁵.
pub fn empty_gpt(c: Config, device: &Device) -> Gpt {
    let d = c.width;
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
            },
            ln_2: norm(),
            mlp: Feedforward {
                c_fc: linear(d, 4 * d),
                c_proj: linear(4 * d, d),
            },
        })
        .collect();
    Gpt {
        transformer: Transformer {
            wte: EmbeddingConfig::new(c.vocab, d).init(device),
            wpe: EmbeddingConfig::new(c.block, d).init(device),
            h,
            ln_f: norm(),
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
    let mut gpt = empty_gpt(saved.gpt.config(), device);
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
    let ids: Vec<i64> = x.t().iter().map(|&token| token as i64).collect();
    let tokens =
        Tensor::<2, Int>::from_data(TensorData::new(ids, [b, t]), device);
    let z = gpt.forward(tokens); // (B, T, V)
    let vocab = z.dims()[2];
    matrix(z.reshape([b * t, vocab])).t().to_owned()
}

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
    let (rows, b) = windows.dim();
    let t = rows - 1;
    let x = windows.slice(ndarray::s![..t, ..]);
    let ids: Vec<i64> = x.t().iter().map(|&token| token as i64).collect();
    let tokens =
        Tensor::<2, Int>::from_data(TensorData::new(ids, [b, t]), device);
    let z = gpt.forward(tokens); // (B, T, V)
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
    let loss = crate::compare::cross_entropy(z.reshape([b * t, vocab]), y);
    let value = loss.clone().into_data().try_into_vec::<f32>().expect("f32")[0];
    let grads = loss.backward();
    let grad2 = |p: &burn::module::Param<Tensor<2>>| {
        matrix(p.grad(&grads).expect("a parameter")).t().to_owned()
    };
    let grad1 = |p: &burn::module::Param<Tensor<1>>| {
        let g = p.grad(&grads).expect("a parameter");
        let g = g.into_data().try_into_vec::<f32>().expect("f32");
        Array2::from_shape_vec((g.len(), 1), g).expect("a column")
    };
    let norm = |n: &LayerNorm| {
        (grad1(&n.gamma), grad1(n.beta.as_ref().expect("a shift")))
    };
    let linear = |l: &Linear| {
        (grad2(&l.weight), grad1(l.bias.as_ref().expect("a bias")))
    };
    let body = &gpt.transformer;
    let blocks = body
        .h
        .iter()
        .map(|block| {
            let (ln1_gain, ln1_bias) = norm(&block.ln_1);
            let (w_qkv, b_qkv) = linear(&block.attn.c_attn);
            let (w_o, b_o) = linear(&block.attn.c_proj);
            let (ln2_gain, ln2_bias) = norm(&block.ln_2);
            let (w_fc, b_fc) = linear(&block.mlp.c_fc);
            let (w_proj, b_proj) = linear(&block.mlp.c_proj);
            ch13_transformer::gpt::Block {
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
            }
        })
        .collect();
    let (lnf_gain, lnf_bias) = norm(&body.ln_f);
    let gradient = ch13_transformer::gpt::Gpt {
        wte: grad2(&body.wte.weight), // (d, V), chapter 13's layout
        wpe: grad2(&body.wpe.weight),
        blocks,
        lnf_gain,
        lnf_bias,
        heads: body.h.first().map_or(1, |block| block.attn.heads),
    };
    (value, gradient)
}
// ANCHOR_END: gradient
