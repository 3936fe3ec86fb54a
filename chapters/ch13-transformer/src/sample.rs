//! Writing with a GPT: top-k, temperature and a seed, one token at a
//! time through the key-value cache.

use ch12_sequences::sample::draw;
use ndarray::{Array1, ArrayView1};
use shared::Real;
use shared::rng::Rng;

use crate::gpt::Gpt;

// ANCHOR: top_k
/// Keeps the k largest logits (and any tied with the k-th) and sets the
/// rest to −∞: the draw then never picks a token outside the model's k
/// favourites, however long the tail of unlikely ones.
pub fn top_k<T: Real>(z: ArrayView1<T>, k: usize) -> Array1<T> {
    let mut sorted = z.to_vec();
    sorted.sort_by(|a, b| b.into_f64().total_cmp(&a.into_f64()));
    let cut = sorted[k.clamp(1, sorted.len()) - 1];
    z.mapv(|v| if v >= cut { v } else { T::neg_infinity() })
}
// ANCHOR_END: top_k

/// How to draw each token.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Drawing {
    /// Temperature τ: the logits are divided by it.
    pub temperature: f64,
    /// Only the k most likely tokens may be drawn (None: any).
    pub top_k: Option<usize>,
}

// ANCHOR: generate
/// Writes up to `count` tokens after `prompt` (not empty),
/// stopping after `stop` if given; `on_token` sees each as it is drawn.
/// The prompt is read into the cache once, then each new token costs one
/// column through the model. When the cache is full (`block` tokens),
/// it is refilled from the last half of the text, so the model always
/// reads between block/2 and block tokens back.
pub fn generate<T: Real>(
    gpt: &Gpt<T>,
    prompt: &[usize],
    count: usize,
    how: Drawing,
    stop: Option<usize>,
    rng: &mut Rng,
    mut on_token: impl FnMut(usize),
) -> Vec<usize> {
    let block = gpt.config().block;
    let mut text = prompt.to_vec();
    let mut cache = gpt.kv_cache();
    let mut z = Array1::zeros(0);
    for &token in &text[text.len().saturating_sub(block)..] {
        z = gpt.decode(&mut cache, token);
    }
    for _ in 0..count {
        let z_k = match how.top_k {
            Some(k) => top_k(z.view(), k),
            None => z.clone(),
        };
        let next = draw(z_k.view(), how.temperature, rng);
        text.push(next);
        on_token(next);
        if Some(next) == stop {
            break;
        }
        if cache.len == block {
            cache = gpt.kv_cache();
            for &token in &text[text.len() - block / 2..text.len() - 1] {
                gpt.decode(&mut cache, token);
            }
        }
        z = gpt.decode(&mut cache, next);
    }
    text.split_off(prompt.len())
}
// ANCHOR_END: generate
