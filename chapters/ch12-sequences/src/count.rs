//! The first language model: count which character follows which.

use ndarray::{Array2, ArrayView2, Axis};

// ANCHOR: count
/// N[b, a]: how often token b follows token a in the stream. Column a is
/// everything that came after an a.
pub fn count_bigrams(stream: &[usize], vocab: usize) -> Array2<f64> {
    let mut n = Array2::zeros((vocab, vocab));
    for pair in stream.windows(2) {
        n[[pair[1], pair[0]]] += 1.0;
    }
    n
}

/// P[b, a] = (N[b, a] + α) / Σ_b′ (N[b′, a] + α): each column a
/// distribution over the next token. α > 0 (smoothing) keeps every
/// probability above zero.
pub fn bigram_probabilities(
    counts: ArrayView2<f64>,
    alpha: f64,
) -> Array2<f64> {
    let smoothed = &counts + alpha;
    let totals = smoothed.sum_axis(Axis(0));
    smoothed / &totals
}
// ANCHOR_END: count

// ANCHOR: nll
/// The average negative log-likelihood of a stream under P, in nats:
/// −(1/n) Σᵢ ln P[xᵢ₊₁, xᵢ] over its n pairs.
pub fn bigram_nll(p: ArrayView2<f64>, stream: &[usize]) -> f64 {
    let pairs = stream.windows(2);
    let n = pairs.len() as f64;
    pairs.map(|pair| -p[[pair[1], pair[0]]].ln()).sum::<f64>() / n
}

/// Perplexity e^nll: the number of equally likely characters the model is
/// as unsure as.
pub fn perplexity(nll: f64) -> f64 {
    nll.exp()
}

/// The same loss in bits per character: nll / ln 2.
pub fn bits(nll: f64) -> f64 {
    nll / std::f64::consts::LN_2
}
// ANCHOR_END: nll
