//! The last steps, as MNIST did them: crop to the ink, scale the longer
//! side into 20 pixels by area averaging, and place the centre of mass at
//! the middle of 28×28; then whether the result is like MNIST's enough to
//! trust the network's answer.
//!
//! Leaves out: the network itself, which `predict` runs on the result.

use ndarray::{Array2, ArrayView2};

use super::ink::resize_area;
use super::strokes::bounding_box;

// ANCHOR: fit
/// Crops to the ink and scales the longer side to `side` pixels, keeping
/// the proportions, by area averaging.
pub fn fit_into(strokes: ArrayView2<f32>, side: usize) -> Array2<f32> {
    let (top, left, bottom, right) =
        bounding_box(strokes.mapv(|v| v > 0.05).view()).unwrap_or((0, 0, 0, 0));
    let digit = strokes.slice(ndarray::s![top..=bottom, left..=right]);
    let (h, w) = digit.dim();
    let scale = side as f32 / h.max(w) as f32;
    let size = |n: usize| ((n as f32 * scale).round() as usize).clamp(1, side);
    // Rounding can nudge an average a hair past 1.
    resize_area(digit, size(h), size(w)).mapv(|v| v.clamp(0.0, 1.0))
}

/// Places `digit` in a `side`×`side` image with its centre of mass at the
/// centre, as MNIST did.
pub fn centre_by_mass(digit: ArrayView2<f32>, side: usize) -> Array2<f32> {
    let (com_r, com_c) = center_of_mass(digit);
    let middle = (side as f32 - 1.0) / 2.0;
    let offset_r = (middle - com_r).round() as isize;
    let offset_c = (middle - com_c).round() as isize;
    let mut out = Array2::zeros((side, side));
    for ((i, j), &v) in digit.indexed_iter() {
        let (r, c) = (i as isize + offset_r, j as isize + offset_c);
        if (0..side as isize).contains(&r) && (0..side as isize).contains(&c) {
            out[(r as usize, c as usize)] = v;
        }
    }
    out
}
// ANCHOR_END: fit

// ANCHOR: doubts
/// Below this top probability, `predict` says it is unsure.
pub const UNSURE_BELOW: f32 = 0.7;

/// MNIST's range of total ink per 28×28 image (the sum of its pixels),
/// from its 1st to its 99th percentile over the first 10,000 training
/// images: an input outside it is unlike anything the network has seen.
pub const MNIST_INK: (f32, f32) = (39.0, 194.0);

/// Why a prediction should not be trusted, if it should not.
pub fn doubts(mnist: ArrayView2<f32>, confidence: f32) -> Option<String> {
    let ink = mnist.sum();
    if ink < MNIST_INK.0 {
        Some(format!(
            "the digit has less ink ({ink:.0}) than MNIST's ({:.0}–{:.0})",
            MNIST_INK.0, MNIST_INK.1
        ))
    } else if ink > MNIST_INK.1 {
        Some(format!(
            "the digit has more ink ({ink:.0}) than MNIST's ({:.0}–{:.0})",
            MNIST_INK.0, MNIST_INK.1
        ))
    } else if confidence < UNSURE_BELOW {
        Some(format!(
            "its top probability is only {:.0} %",
            100.0 * confidence
        ))
    } else {
        None
    }
}
// ANCHOR_END: doubts

/// The brightness-weighted mean (row, column) of an image.
pub fn center_of_mass(image: ArrayView2<f32>) -> (f32, f32) {
    let total: f32 = image.sum();
    let (mut r, mut c) = (0.0, 0.0);
    for ((i, j), &v) in image.indexed_iter() {
        r += i as f32 * v;
        c += j as f32 * v;
    }
    (r / total, c / total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsure_when_the_ink_or_the_confidence_is_unlike_mnist() {
        let typical = Array2::from_elem((28, 28), 100.0 / 784.0);
        assert_eq!(doubts(typical.view(), 0.95), None);
        assert!(doubts(typical.view(), 0.5).unwrap().contains("only 50 %"));
        let faint = Array2::from_elem((28, 28), 10.0 / 784.0);
        assert!(doubts(faint.view(), 0.99).unwrap().contains("less ink"));
        let heavy = Array2::from_elem((28, 28), 0.5);
        assert!(doubts(heavy.view(), 0.99).unwrap().contains("more ink"));
    }
}
