//! Writing with a model: draw the next token from its prediction, append
//! it, repeat.

use ndarray::ArrayView1;
use rand::Rng as _;
use shared::Real;
use shared::rng::Rng;

use crate::language::{Language, STRETCH};

// ANCHOR: draw
/// Draws a token from softmax(z / τ): τ = 1 samples the model as it is,
/// τ < 1 sharpens it towards its favourite, τ > 1 flattens it.
pub fn draw<T: Real>(
    z: ArrayView1<T>,
    temperature: f64,
    rng: &mut Rng,
) -> usize {
    let z: Vec<f64> = z.iter().map(|v| v.into_f64() / temperature).collect();
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let weights: Vec<f64> = z.iter().map(|v| (v - max).exp()).collect();
    let mut u = rng.random::<f64>() * weights.iter().sum::<f64>();
    for (token, w) in weights.iter().enumerate() {
        if u < *w {
            return token;
        }
        u -= w;
    }
    weights.len() - 1
}

/// Writes up to `count` tokens after `prompt` (at least one token),
/// stopping early after `stop` if it is given (a name's end). The model
/// reads at most the last [`STRETCH`] tokens, as when it is measured.
pub fn sample<T: Real>(
    model: &impl Language<T>,
    prompt: &[usize],
    count: usize,
    temperature: f64,
    stop: Option<usize>,
    rng: &mut Rng,
) -> Vec<usize> {
    let mut text = prompt.to_vec();
    for _ in 0..count {
        let seen = &text[text.len().saturating_sub(STRETCH)..];
        let next = draw(model.next_logits(seen).view(), temperature, rng);
        text.push(next);
        if Some(next) == stop {
            break;
        }
    }
    text.split_off(prompt.len())
}
// ANCHOR_END: draw
