//! What the workspace tests share: the list of chapters.

use shared::chapter::Chapter;

/// Every chapter crate, in book order. A test checks this list against
/// `chapters/`, so a new chapter cannot be left out.
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
