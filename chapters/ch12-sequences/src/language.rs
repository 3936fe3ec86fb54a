//! What every model of this chapter is: a next-token predictor with
//! parameters, a loss and its gradient on a batch of windows of text.

use ndarray::{Array1, Array2, ArrayView2};
use shared::Real;
use shared::rng::Rng;

use rand::Rng as _;

/// A model that predicts the next token from the ones before it.
///
/// A batch is a matrix of tokens (L, B): each column a window of L tokens
/// cut from the stream, each row a moment in time (the book's convention,
/// columns are samples). The model predicts every token of a window from
/// those before it in the window, starting at row [`Language::context`].
pub trait Language<T: Real>: Clone + Send + Sync {
    /// How many tokens the model reads before its first prediction.
    fn context(&self) -> usize;
    /// The mean loss over the batch's predictions, in nats, and its
    /// gradient (a model-shaped value: one entry per parameter).
    fn loss_and_gradient(&self, windows: ArrayView2<usize>) -> (T, Self);
    /// The mean loss only (no gradient kept).
    fn loss(&self, windows: ArrayView2<usize>) -> T {
        self.loss_and_gradient(windows).0
    }
    /// The logits of the token after `prefix` (never empty).
    fn next_logits(&self, prefix: &[usize]) -> Array1<T>;
    /// Every parameter matrix, in a fixed order.
    fn parameters(&self) -> Vec<&Array2<T>>;
    /// The same, to change.
    fn parameters_mut(&mut self) -> Vec<&mut Array2<T>>;
}

/// The number of parameters of a model.
pub fn parameter_count<T: Real>(model: &impl Language<T>) -> usize {
    model.parameters().iter().map(|p| p.len()).sum()
}

/// A model's parameters in one list, in `parameters()` order (for
/// gradient checks).
pub fn flat<T: Real>(model: &impl Language<T>) -> Vec<T> {
    model
        .parameters()
        .iter()
        .flat_map(|p| p.iter().copied())
        .collect()
}

/// A copy of `model` with its parameters set from one list.
pub fn with_flat<T: Real, M: Language<T>>(model: &M, values: &[T]) -> M {
    let mut model = model.clone();
    let mut values = values.iter();
    for p in model.parameters_mut() {
        for w in p.iter_mut() {
            *w = *values.next().expect("one value per parameter");
        }
    }
    model
}

/// Windows of `len` tokens starting at random places of the stream, one
/// column each: the batch for a training step.
pub fn draw_windows(
    stream: &[usize],
    len: usize,
    batch: usize,
    rng: &mut Rng,
) -> Array2<usize> {
    let last_start = stream.len() - len;
    let mut windows = Array2::zeros((len, batch));
    for mut column in windows.columns_mut() {
        let start = rng.random_range(0..=last_start);
        column.assign(&ndarray::aview1(&stream[start..start + len]));
    }
    windows
}

/// How many tokens long each stretch is when a whole stream is measured.
pub const STRETCH: usize = 256;

// ANCHOR: stream_nll
/// The mean loss of a model over a whole stream (validation or test), in
/// nats per token: every token after the first `context` predicted once,
/// the stream read in stretches of [`STRETCH`] predictions, each stretch
/// starting from the `context` tokens before it, 64 stretches at a time.
pub fn stream_nll<T: Real>(model: &impl Language<T>, stream: &[usize]) -> f64 {
    stream_nll_with(stream, model.context(), |w| model.loss(w).into_f64())
}

/// [`stream_nll`] with any loss function (e.g. a fast path's) for a
/// model that reads `context` tokens before its first prediction.
pub fn stream_nll_with(
    stream: &[usize],
    context: usize,
    mut loss: impl FnMut(ArrayView2<usize>) -> f64,
) -> f64 {
    let predicted = stream.len().saturating_sub(context);
    let (whole, rest) = (predicted / STRETCH, predicted % STRETCH);
    let window = |i: usize, len: usize| {
        let start = i * STRETCH;
        &stream[start..start + context + len]
    };
    let mut total = 0.0;
    for first in (0..whole).step_by(64) {
        let count = 64.min(whole - first);
        let mut windows = Array2::zeros((context + STRETCH, count));
        for (j, mut column) in windows.columns_mut().into_iter().enumerate() {
            column.assign(&ndarray::aview1(window(first + j, STRETCH)));
        }
        total += loss(windows.view()) * (count * STRETCH) as f64;
    }
    if rest > 0 {
        let last = ndarray::aview1(window(whole, rest));
        let windows = last.insert_axis(ndarray::Axis(1));
        total += loss(windows) * rest as f64;
    }
    total / predicted as f64
}
// ANCHOR_END: stream_nll
