//! Reference solutions to chapter 9's exercises, mirroring
//! `src/exercises.rs` region for region. Try each exercise first.

use ndarray::{Array2, ArrayView2};

// ANCHOR: inverted_dropout
/// Exercise 9.1: inverted dropout of a layer's activations A (n, m).
pub fn inverted_dropout(
    a: ArrayView2<f64>,
    keep: ArrayView2<bool>,
    p: f64,
) -> Array2<f64> {
    let mask = keep.mapv(|k| if k { 1.0 / (1.0 - p) } else { 0.0 });
    &a * &mask // A ⊙ M
}
// ANCHOR_END: inverted_dropout

// ANCHOR: shift_image
/// Exercise 9.2: a 28×28 image moved `dx` right and `dy` down.
pub fn shift_image(image: ArrayView2<f32>, dx: i32, dy: i32) -> Array2<f32> {
    let (rows, cols) = image.dim();
    Array2::from_shape_fn((rows, cols), |(r, c)| {
        // New pixel (r, c) comes from (r − dy, c − dx) of the old image.
        let (from_r, from_c) = (r as i32 - dy, c as i32 - dx);
        let inside = (0..rows as i32).contains(&from_r)
            && (0..cols as i32).contains(&from_c);
        if inside {
            image[(from_r as usize, from_c as usize)]
        } else {
            0.0
        }
    })
}
// ANCHOR_END: shift_image

// ANCHOR: adam_step
/// Exercise 9.3: one Adam step.
pub fn adam_step(
    w: &mut [f64],
    m: &mut [f64],
    v: &mut [f64],
    g: &[f64],
    t: i32,
    eta: f64,
) {
    let (beta1, beta2, eps) = (0.9f64, 0.999f64, 1e-8);
    for i in 0..w.len() {
        m[i] = beta1 * m[i] + (1.0 - beta1) * g[i];
        v[i] = beta2 * v[i] + (1.0 - beta2) * g[i] * g[i];
        let m_hat = m[i] / (1.0 - beta1.powi(t));
        let v_hat = v[i] / (1.0 - beta2.powi(t));
        w[i] -= eta * m_hat / (v_hat.sqrt() + eps);
    }
}
// ANCHOR_END: adam_step

// ANCHOR: tame_overfitting
/// Exercise 9.4: regularisation for the 1,000-image run.
pub fn tame_overfitting() -> crate::Settings {
    crate::Settings {
        weight_decay: 1e-3,
        augment: crate::augment::Augment {
            shift: true,
            rotate: true,
            elastic: false,
        },
        ..crate::run::small_baseline(100)
    }
}

/// The validation accuracy, in percent, exercise 9.4 asks for.
pub const TAMED: f64 = 94.0;
// ANCHOR_END: tame_overfitting
