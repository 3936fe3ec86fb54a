//! Chapter 4: loss — how wrong is the network?
//!
//! Covers one-hot targets; the quadratic cost ½‖y − a‖² and its gradient
//! a − y; cross-entropy on softmax outputs, computed stably from the
//! weighted inputs, with its gradient softmax(z) − y; the average cost of an
//! untrained network; and why cross-entropy keeps learning where a
//! saturated sigmoid under the quadratic cost stalls.
//!
//! Leaves out: lowering the cost (chapters 5–7).

use ndarray::{Array1, ArrayView1};
use shared::Real;

// Your answers, compiled only when they are graded (`cargo exercises`
// turns on `my-answers`): a half-typed answer breaks its own grading and
// nothing else — not this chapter's run, not the later chapters, not
// `cargo test --workspace`.
#[cfg(feature = "my-answers")]
pub mod exercises;
pub mod figures;
mod walkthrough;

pub use ch02_activations::softmax;

/// What `cargo run -p ch04-loss` runs.
pub const CHAPTER: shared::chapter::Chapter = shared::chapter::Chapter {
    name: "ch04-loss",
    walkthrough: walkthrough::print,
    figures: figures::all,
};

/// A label that cannot be a target.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LossError {
    /// The label is not one of the classes.
    #[error("target {label} is outside 0–{}", classes - 1)]
    LabelOutOfRange {
        /// The label given.
        label: usize,
        /// How many classes there are.
        classes: usize,
    },
}

// ANCHOR: one_hot
/// The target vector for a label: 1 at the label, 0 elsewhere. For the
/// digit 3 with 10 classes: (0, 0, 0, 1, 0, 0, 0, 0, 0, 0).
pub fn one_hot<T: Real>(
    label: usize,
    classes: usize,
) -> Result<Array1<T>, LossError> {
    if label >= classes {
        return Err(LossError::LabelOutOfRange { label, classes });
    }
    let mut y = Array1::zeros(classes);
    y[label] = T::one();
    Ok(y)
}
// ANCHOR_END: one_hot

fn check_shapes(a: usize, y: usize) {
    assert_eq!(a, y, "the output has {a} entries but the target has {y}");
}

// ANCHOR: quadratic
/// The quadratic cost C = ½‖y − a‖² = ½ Σᵢ (yᵢ − aᵢ)².
pub fn quadratic_cost<T: Real>(a: ArrayView1<T>, y: ArrayView1<T>) -> T {
    check_shapes(a.len(), y.len());
    let half = T::from_f64(0.5);
    half * a
        .iter()
        .zip(y)
        .fold(T::zero(), |s, (&ai, &yi)| s + (yi - ai) * (yi - ai))
}

/// ∂C/∂a for the quadratic cost: a − y.
pub fn quadratic_cost_gradient<T: Real>(
    a: ArrayView1<T>,
    y: ArrayView1<T>,
) -> Array1<T> {
    check_shapes(a.len(), y.len());
    &a - &y
}
// ANCHOR_END: quadratic

// ANCHOR: cross_entropy
/// Cross-entropy C = −Σᵢ yᵢ ln aᵢ of probabilities `a` against `y`.
///
/// A probability of exactly 0 for the true class would give ln 0 = −∞;
/// it is clamped to the smallest positive number, so C stays finite.
pub fn cross_entropy<T: Real>(a: ArrayView1<T>, y: ArrayView1<T>) -> T {
    check_shapes(a.len(), y.len());
    -a.iter().zip(y).fold(T::zero(), |s, (&ai, &yi)| {
        s + yi * ai.max(T::min_positive_value()).ln()
    })
}

/// Cross-entropy of softmax(z) against `y`, computed from the weighted
/// inputs `z` without forming the probabilities:
/// ln sᵢ = zᵢ − ln Σⱼ e^{zⱼ}, and ln Σⱼ e^{zⱼ} = m + ln Σⱼ e^{zⱼ − m} with
/// m = max z, so nothing overflows and no log of 0 is taken.
pub fn softmax_cross_entropy<T: Real>(z: ArrayView1<T>, y: ArrayView1<T>) -> T {
    check_shapes(z.len(), y.len());
    let m = z.fold(T::neg_infinity(), |m, &v| m.max(v));
    let log_sum_exp = m + z.fold(T::zero(), |s, &v| s + (v - m).exp()).ln();
    -z.iter()
        .zip(y)
        .fold(T::zero(), |s, (&zi, &yi)| s + yi * (zi - log_sum_exp))
}

/// ∂C/∂z for softmax followed by cross-entropy: softmax(z) − y, for any
/// target that sums to 1. The two derivatives' messy parts cancel.
pub fn softmax_cross_entropy_gradient<T: Real>(
    z: ArrayView1<T>,
    y: ArrayView1<T>,
) -> Array1<T> {
    check_shapes(z.len(), y.len());
    softmax(z) - y
}
// ANCHOR_END: cross_entropy

// ANCHOR: cost
/// A cost function on the network's output, for training (chapters 6–8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cost {
    /// ½‖y − a‖², with any output activation.
    Quadratic,
    /// −Σ y ln a, meant for softmax outputs.
    CrossEntropy,
}

impl Cost {
    /// The cost of one output `a` against its target `y`.
    pub fn value<T: Real>(self, a: ArrayView1<T>, y: ArrayView1<T>) -> T {
        match self {
            Cost::Quadratic => quadratic_cost(a, y),
            Cost::CrossEntropy => cross_entropy(a, y),
        }
    }

    /// ∂C/∂a: how the cost changes with each output.
    pub fn gradient<T: Real>(
        self,
        a: ArrayView1<T>,
        y: ArrayView1<T>,
    ) -> Array1<T> {
        match self {
            Cost::Quadratic => quadratic_cost_gradient(a, y),
            Cost::CrossEntropy => {
                check_shapes(a.len(), y.len());
                let tiny = T::min_positive_value();
                Array1::from_shape_fn(a.len(), |i| -y[i] / a[i].max(tiny))
            }
        }
    }

    /// The name used in printouts and model files.
    pub fn name(self) -> &'static str {
        match self {
            Cost::Quadratic => "quadratic",
            Cost::CrossEntropy => "cross-entropy",
        }
    }
}
// ANCHOR_END: cost

// ANCHOR: saturation
/// One sigmoid output neuron, a = σ(z), with target y: ∂C/∂z under the
/// quadratic cost, (a − y)·σ'(z) …
pub fn sigmoid_quadratic_dz(z: f64, y: f64) -> f64 {
    let a = ch02_activations::sigmoid(z);
    (a - y) * a * (1.0 - a)
}

/// … and under the binary cross-entropy −[y ln a + (1 − y) ln(1 − a)]:
/// just a − y. The σ'(z) that vanishes when the neuron saturates is gone.
pub fn sigmoid_cross_entropy_dz(z: f64, y: f64) -> f64 {
    ch02_activations::sigmoid(z) - y
}

/// The binary cross-entropy of one sigmoid neuron, from z: written with
/// ln σ(z) = −ln(1 + e⁻ᶻ) so it is finite for any z.
pub fn sigmoid_cross_entropy(z: f64, y: f64) -> f64 {
    // ln(1 + eˣ) computed without overflow for large x.
    let softplus = |x: f64| x.max(0.0) + (-x.abs()).exp().ln_1p();
    y * softplus(-z) + (1.0 - y) * softplus(z)
}
// ANCHOR_END: saturation

#[cfg(test)]
mod tests;
