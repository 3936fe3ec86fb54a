//! Chapter 1: one neuron.
//!
//! Covers the weighted sum `z = w·x + b`, the activation `a = f(z)`, the
//! umbrella example, 3Blue1Brown's edge detector on 28×28 images, and
//! how a sigmoid neuron's output moves when a weight or the bias moves.
//!
//! Leaves out: activation functions in depth (chapter 2), layers of neurons
//! (chapter 3), and learning the weights (chapters 5–7).

use std::ops::Range;

use ndarray::{Array1, Array2, ArrayView1, array};

// Your answers, compiled only when they are graded (`cargo exercises`
// turns on `my-answers`): a half-typed answer breaks its own grading and
// nothing else — not this chapter's run, not the later chapters, not
// `cargo test --workspace`.
#[cfg(feature = "my-answers")]
pub mod exercises;
pub mod figures;
mod walkthrough;

/// What `cargo run -p ch01-neuron` runs.
pub const CHAPTER: shared::chapter::Chapter = shared::chapter::Chapter {
    name: "ch01-neuron",
    walkthrough: walkthrough::print,
    figures: figures::all,
};

// ANCHOR: activations
/// ReLU(z) = max(0, z): passes positive sums, silences negative ones.
pub fn relu(z: f64) -> f64 {
    z.max(0.0)
}

/// σ(z) = 1 / (1 + e⁻ᶻ): squashes any sum into (0, 1).
pub fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}
// ANCHOR_END: activations

// ANCHOR: neuron
/// One neuron: a weight for each input, and a bias.
#[derive(Clone, Debug, PartialEq)]
pub struct Neuron {
    /// One weight per input: how much that input counts, and which way.
    pub w: Array1<f64>, // (n,)
    /// Added to the weighted sum: how easily the neuron fires.
    pub b: f64,
}

impl Neuron {
    /// The weighted sum z = w·x + b = w₁x₁ + … + wₙxₙ + b.
    pub fn weighted_sum(&self, x: ArrayView1<f64>) -> f64 {
        assert_eq!(
            self.w.len(),
            x.len(),
            "the neuron has {} weights but the input has {} values",
            self.w.len(),
            x.len()
        );
        self.w.dot(&x) + self.b
    }

    /// The neuron's output a = f(z) for an activation function `f`.
    pub fn activate(&self, x: ArrayView1<f64>, f: fn(f64) -> f64) -> f64 {
        f(self.weighted_sum(x))
    }
}
// ANCHOR_END: neuron

// ANCHOR: umbrella
/// The umbrella neuron. Inputs: x₁ = temperature in °C, x₂ = 1 if
/// it rains. Colder counts for an umbrella (w₁ = −0.5), rain counts a lot
/// (w₂ = 2), and the bias starts the sum at 1.
pub fn umbrella_neuron() -> Neuron {
    Neuron {
        w: array![-0.5, 2.0],
        b: 1.0,
    }
}
// ANCHOR_END: umbrella

// ANCHOR: gradient
impl Neuron {
    /// How a sigmoid neuron's output a = σ(w·x + b) moves with each weight
    /// and with the bias: (∂a/∂w, ∂a/∂b).
    ///
    /// Chain rule: a depends on z, and z on wᵢ and b, so
    /// ∂a/∂wᵢ = σ'(z)·xᵢ and ∂a/∂b = σ'(z)·1, with σ'(z) = σ(z)(1 − σ(z)).
    pub fn sigmoid_gradient(&self, x: ArrayView1<f64>) -> (Array1<f64>, f64) {
        let a = sigmoid(self.weighted_sum(x));
        let da_dz = a * (1.0 - a);
        let da_dw = x.mapv(|xi| da_dz * xi); // (n,)
        let da_db = da_dz;
        (da_dw, da_db)
    }
}
// ANCHOR_END: gradient

// ANCHOR: edge_detector
/// Side of the square images, as in MNIST.
pub const SIDE: usize = 28;

/// A grayscale image, one brightness in [0, 1] per pixel: shape (28, 28).
pub type Image = Array2<f64>;

/// Flattens a 28×28 image row by row into the 784 inputs of a neuron.
pub fn flatten(image: &Image) -> Array1<f64> {
    image.iter().copied().collect() // (784,)
}

/// The rows of the stroke the edge detector looks for.
pub const STROKE_ROWS: Range<usize> = 12..16;
/// The columns it spans.
pub const STROKE_COLS: Range<usize> = 6..22;

/// 3Blue1Brown's edge detector as a 28×28 weight pattern: +1 on a short
/// horizontal stroke, −1 on the three rows just above and just below it,
/// 0 everywhere else.
pub fn edge_detector_weights() -> Array2<f64> {
    let (top, bottom) = (STROKE_ROWS.start, STROKE_ROWS.end);
    let mut w = Array2::zeros((SIDE, SIDE)); // (28, 28)
    paint(&mut w, top - 3..bottom + 3, STROKE_COLS, -1.0);
    paint(&mut w, STROKE_ROWS, STROKE_COLS, 1.0);
    w
}

/// The edge detector as a neuron. The bias −20 is a threshold: the weighted
/// sum must pass 20 before σ(z) gets anywhere near 1.
pub fn edge_detector() -> Neuron {
    Neuron {
        w: flatten(&edge_detector_weights()),
        b: -20.0,
    }
}
// ANCHOR_END: edge_detector

// ANCHOR: images
/// Sets every entry of `m` in the given rows and columns to `value`.
pub fn paint(
    m: &mut Array2<f64>,
    rows: Range<usize>,
    cols: Range<usize>,
    value: f64,
) {
    for r in rows {
        for c in cols.clone() {
            m[(r, c)] = value;
        }
    }
}

/// A blank image with a rectangle of the given brightness painted in.
pub fn bar(rows: Range<usize>, cols: Range<usize>, brightness: f64) -> Image {
    let mut image = Image::zeros((SIDE, SIDE));
    paint(&mut image, rows, cols, brightness);
    image
}

/// The small images the edge detector is shown, with their names.
pub fn test_images() -> Vec<(&'static str, Image)> {
    vec![
        ("bright bar", bar(STROKE_ROWS, STROKE_COLS, 1.0)),
        ("faint bar", bar(STROKE_ROWS, STROKE_COLS, 0.3)),
        ("bar lower down", bar(20..24, STROKE_COLS, 1.0)),
        ("thick bar", bar(9..19, STROKE_COLS, 1.0)),
        ("vertical bar", bar(4..24, 12..16, 1.0)),
        ("blank", Image::zeros((SIDE, SIDE))),
    ]
}
// ANCHOR_END: images

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use shared::gradcheck::{SMOOTH_TOLERANCE, check_gradient};
    use shared::testing::vec_away_from_zero;

    #[test]
    fn umbrella_example() {
        let neuron = umbrella_neuron();
        let x = array![10.0, 1.0]; // 10 °C, raining
        assert_eq!(neuron.weighted_sum(x.view()), -2.0);
        assert_eq!(neuron.activate(x.view(), relu), 0.0);
        // At 0 °C in the rain the sum is 3: take the umbrella.
        assert_eq!(neuron.activate(array![0.0, 1.0].view(), relu), 3.0);
    }

    #[test]
    fn activations_at_known_points() {
        assert_eq!(relu(-2.0), 0.0);
        assert_eq!(relu(1.5), 1.5);
        assert_eq!(sigmoid(0.0), 0.5);
        assert!((sigmoid(2.0) - 0.880_797_077_977_882_3).abs() < 1e-15);
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert_eq!(sigmoid(1000.0), 1.0);
    }

    #[test]
    #[should_panic(expected = "2 weights but the input has 3 values")]
    fn a_wrong_sized_input_names_both_sizes() {
        umbrella_neuron().weighted_sum(array![1.0, 2.0, 3.0].view());
    }

    #[test]
    fn edge_detector_pattern_has_the_expected_weights() {
        let w = edge_detector_weights();
        assert_eq!(w.iter().filter(|&&v| v == 1.0).count(), 4 * 16);
        assert_eq!(w.iter().filter(|&&v| v == -1.0).count(), 6 * 16);
        assert_eq!(w.sum(), 64.0 - 96.0);
    }

    #[test]
    fn edge_detector_lights_up_only_for_its_stroke() {
        let neuron = edge_detector();
        let z: Vec<f64> = test_images()
            .iter()
            .map(|(_, image)| neuron.weighted_sum(flatten(image).view()))
            .collect();
        // bright, faint, lower, thick, vertical, blank
        let expected = [44.0, -0.8, -20.0, -52.0, -28.0, -20.0];
        for (got, want) in z.iter().zip(expected) {
            assert!((got - want).abs() < 1e-12, "z = {got}, want {want}");
        }
        let a = sigmoid(z[0]);
        assert!(a > 0.999_999, "the bright bar fires: {a}");
        assert!(z[1..].iter().all(|&z| sigmoid(z) < 0.5));
    }

    // Inputs away from zero and |z| ≤ 5.5, so no gradient coordinate is
    // too small for finite differences to measure (see shared::gradcheck).
    fn neuron_and_input() -> impl Strategy<Value = (Vec<f64>, Vec<f64>, f64)> {
        (1..=6usize).prop_flat_map(|n| {
            (
                prop::collection::vec(-0.5..0.5f64, n),
                vec_away_from_zero(n, 0.25, 1.5),
                -1.0..1.0f64,
            )
        })
    }

    proptest! {
        // ∂a/∂w and ∂a/∂b against central differences, over random sizes,
        // weights and inputs.
        #[test]
        fn sigmoid_gradient_matches_finite_differences(
            (w, x, b) in neuron_and_input()
        ) {
            let n = w.len();
            let neuron = Neuron { w: Array1::from(w), b };
            let x = Array1::from(x);
            let (da_dw, da_db) = neuron.sigmoid_gradient(x.view());
            // Parameters as one vector: (w₁, …, wₙ, b).
            let mut params = neuron.w.to_vec();
            params.push(b);
            let mut analytic = da_dw.to_vec();
            analytic.push(da_db);
            let a = |p: &[f64]| {
                let neuron = Neuron { w: Array1::from(p[..n].to_vec()), b: p[n] };
                neuron.activate(x.view(), sigmoid)
            };
            let report = check_gradient(a, &params, &analytic);
            prop_assert!(report.passes(SMOOTH_TOLERANCE), "{report}");
        }

        // The same check catches a gradient that forgets σ'(z).
        #[test]
        fn gradient_check_catches_a_missing_sigmoid_derivative(
            (w, x, b) in neuron_and_input()
        ) {
            let n = w.len();
            let neuron = Neuron { w: Array1::from(w), b };
            let x = Array1::from(x);
            let mut params = neuron.w.to_vec();
            params.push(b);
            let mut wrong = x.to_vec(); // ∂z/∂w, not ∂a/∂w
            wrong.push(1.0);
            let a = |p: &[f64]| {
                let neuron = Neuron { w: Array1::from(p[..n].to_vec()), b: p[n] };
                neuron.activate(x.view(), sigmoid)
            };
            let report = check_gradient(a, &params, &wrong);
            prop_assert!(!report.passes(SMOOTH_TOLERANCE), "{report}");
        }
    }
}
