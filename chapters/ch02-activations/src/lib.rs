//! Chapter 2: activation functions.
//!
//! Covers sigmoid, ReLU, tanh and softmax with their derivatives (softmax:
//! its Jacobian), in numerically stable forms that stay finite for inputs
//! as large as ±10⁴ in `f32` and `f64`; saturation; and a sum of shifted,
//! scaled sigmoids approximating a bumpy curve (universal approximation).
//!
//! Leaves out: layers (chapter 3) and how derivatives drive learning
//! (chapters 5–6).

use ndarray::{Array1, Array2, ArrayView1, ArrayViewMut1};
use shared::Real;

pub mod approximation;
// Your answers, compiled only when they are graded (`cargo exercises`
// turns on `my-answers`): a half-typed answer breaks its own grading and
// nothing else — not this chapter's run, not the later chapters, not
// `cargo test --workspace`.
#[cfg(feature = "my-answers")]
pub mod exercises;
pub mod figures;
mod walkthrough;

/// What `cargo run -p ch02-activations` runs.
pub const CHAPTER: shared::chapter::Chapter = shared::chapter::Chapter {
    name: "ch02-activations",
    walkthrough: walkthrough::print,
    figures: figures::all,
};

// ANCHOR: sigmoid
/// σ(z) = 1 / (1 + e⁻ᶻ), chapter 1's formula for any [`Real`].
///
/// Safe as written: for very negative z, e⁻ᶻ overflows to ∞ and σ(z)
/// becomes 1/∞ = 0, the right limit. (The equal-looking eᶻ / (1 + eᶻ)
/// would give ∞/∞ = NaN for large z.)
pub fn sigmoid<T: Real>(z: T) -> T {
    T::one() / (T::one() + (-z).exp())
}

/// σ'(z) = σ(z)(1 − σ(z)): at most 1/4, at z = 0.
pub fn sigmoid_prime<T: Real>(z: T) -> T {
    let s = sigmoid(z);
    s * (T::one() - s)
}
// ANCHOR_END: sigmoid

// ANCHOR: relu
/// ReLU(z) = max(0, z).
pub fn relu<T: Real>(z: T) -> T {
    z.max(T::zero())
}

/// ReLU'(z): 1 for z > 0, 0 for z < 0. At the kink z = 0 the derivative
/// does not exist; we take 0, as most libraries do.
pub fn relu_prime<T: Real>(z: T) -> T {
    if z > T::zero() { T::one() } else { T::zero() }
}
// ANCHOR_END: relu

// ANCHOR: tanh
/// tanh(z) = (eᶻ − e⁻ᶻ) / (eᶻ + e⁻ᶻ), in (−1, 1). The standard library's
/// `tanh` is stable for any input.
pub fn tanh<T: Real>(z: T) -> T {
    z.tanh()
}

/// tanh'(z) = 1 − tanh²(z): at most 1, at z = 0.
pub fn tanh_prime<T: Real>(z: T) -> T {
    let t = z.tanh();
    T::one() - t * t
}
// ANCHOR_END: tanh

// ANCHOR: softmax
/// softmax(z)ᵢ = e^{zᵢ} / Σⱼ e^{zⱼ}: scores → probabilities.
///
/// Subtracting max(z) first changes nothing mathematically (the factor
/// e^{−max} cancels) but keeps every exponent ≤ 0, so nothing overflows.
pub fn softmax<T: Real>(z: ArrayView1<T>) -> Array1<T> {
    let mut s = z.to_owned();
    softmax_in_place(s.view_mut());
    s
}

/// [`softmax`] overwriting its input (for batches, chapter 7).
pub fn softmax_in_place<T: Real>(mut z: ArrayViewMut1<T>) {
    let max = z.fold(T::neg_infinity(), |m, &v| m.max(v));
    z.mapv_inplace(|v| (v - max).exp());
    let sum = z.sum();
    z.mapv_inplace(|v| v / sum);
}

/// The textbook formula without the shift: overflows to NaN once some
/// zᵢ > 88 in `f32` (or 709 in `f64`). Kept to show why the shift matters.
pub fn naive_softmax<T: Real>(z: ArrayView1<T>) -> Array1<T> {
    let e = z.mapv(|v| v.exp());
    let sum = e.sum();
    e.mapv(|v| v / sum)
}

/// The Jacobian of softmax, ∂sᵢ/∂zⱼ = sᵢ([i = j] − sⱼ): shape (n, n).
///
/// Each output depends on every input, so softmax has a full matrix where
/// an elementwise function has a diagonal.
pub fn softmax_jacobian<T: Real>(z: ArrayView1<T>) -> Array2<T> {
    let s = softmax(z);
    let n = s.len();
    Array2::from_shape_fn((n, n), |(i, j)| {
        let same = if i == j { T::one() } else { T::zero() }; // [i = j]
        s[i] * (same - s[j])
    })
}
// ANCHOR_END: softmax

// ANCHOR: activation
/// An activation function for a whole layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    /// a = z: no squashing (for outputs that are plain numbers).
    Identity,
    /// a = σ(z).
    Sigmoid,
    /// a = tanh(z).
    Tanh,
    /// a = max(0, z).
    Relu,
    /// a = softmax(z): the outputs form a probability distribution.
    Softmax,
}

impl Activation {
    /// Applies the function to a layer's weighted sums.
    pub fn apply<T: Real>(self, z: ArrayView1<T>) -> Array1<T> {
        let mut a = z.to_owned();
        self.apply_in_place(a.view_mut());
        a
    }

    /// Applies the function in place.
    pub fn apply_in_place<T: Real>(self, mut z: ArrayViewMut1<T>) {
        match self {
            Activation::Identity => {}
            Activation::Sigmoid => z.mapv_inplace(sigmoid),
            Activation::Tanh => z.mapv_inplace(tanh),
            Activation::Relu => z.mapv_inplace(relu),
            Activation::Softmax => softmax_in_place(z),
        }
    }

    /// The derivative f'(z) of an elementwise function; `None` for
    /// softmax, which has a [`jacobian`](Self::jacobian) instead.
    pub fn derivative<T: Real>(self, z: T) -> Option<T> {
        match self {
            Activation::Identity => Some(T::one()),
            Activation::Sigmoid => Some(sigmoid_prime(z)),
            Activation::Tanh => Some(tanh_prime(z)),
            Activation::Relu => Some(relu_prime(z)),
            Activation::Softmax => None,
        }
    }

    /// The Jacobian ∂aᵢ/∂zⱼ, shape (n, n): diagonal with f'(zᵢ) for an
    /// elementwise function, full for softmax.
    pub fn jacobian<T: Real>(self, z: ArrayView1<T>) -> Array2<T> {
        match self {
            Activation::Softmax => softmax_jacobian(z),
            elementwise => Array2::from_diag(
                &z.mapv(|v| elementwise.derivative(v).expect("elementwise")),
            ),
        }
    }

    /// The name used in printouts and model files.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Identity => "identity",
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Relu => "relu",
            Activation::Softmax => "softmax",
        }
    }
}
// ANCHOR_END: activation

// ANCHOR: collapse
/// Two linear layers with nothing between them, W₂(W₁x + b₁) + b₂, and
/// the one layer they equal, W′x + b′ with W′ = W₂W₁ and b′ = W₂b₁ + b₂.
pub fn two_linear_layers(
    (w1, b1): (&Array2<f64>, &Array1<f64>),
    (w2, b2): (&Array2<f64>, &Array1<f64>),
    x: &Array1<f64>,
) -> (Array1<f64>, Array1<f64>) {
    let two = w2.dot(&(w1.dot(x) + b1)) + b2;
    let (w, b) = (w2.dot(w1), w2.dot(b1) + b2);
    (two, w.dot(x) + b)
}
// ANCHOR_END: collapse

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use proptest::prelude::*;
    use shared::gradcheck::{
        SMOOTH_TOLERANCE, check_gradient, compare, numerical_jacobian,
    };
    use shared::testing::away_from_zero;

    #[test]
    fn known_values() {
        assert_eq!(sigmoid(0.0), 0.5);
        assert_eq!(sigmoid_prime(0.0), 0.25);
        assert_eq!(relu(-3.0), 0.0);
        assert_eq!(relu_prime(2.0), 1.0);
        assert_eq!(tanh_prime(0.0), 1.0);
        let s = softmax(array![1.0, 2.0, 3.0].view());
        let e = [1.0f64.exp(), 2.0f64.exp(), 3.0f64.exp()];
        let total: f64 = e.iter().sum();
        for i in 0..3 {
            assert!((s[i] - e[i] / total).abs() < 1e-15);
        }
    }

    #[test]
    fn sigmoid_is_chapter_ones_sigmoid() {
        for z in [-30.0, -2.5, 0.0, 0.7, 12.0] {
            assert_eq!(sigmoid(z), ch01_neuron::sigmoid(z));
        }
    }

    #[test]
    fn extreme_inputs_stay_finite_and_correct() {
        for z in [1e4, -1e4, 1e30, -1e30, f64::MAX, f64::MIN] {
            let s = sigmoid(z);
            assert!(s.is_finite(), "σ({z}) = {s}");
            assert_eq!(s, if z > 0.0 { 1.0 } else { 0.0 });
            assert_eq!(sigmoid(z as f32), s as f32);
        }
        let z = array![1e4f32, -1e4, 0.0];
        assert_eq!(softmax(z.view()), array![1.0f32, 0.0, 0.0]);
        let tie = softmax(array![1e4f64, 1e4].view());
        assert_eq!(tie, array![0.5, 0.5]);
    }

    #[test]
    fn the_naive_softmax_overflows_where_the_stable_one_does_not() {
        let z = array![100.0f32, 99.0];
        assert!(naive_softmax(z.view()).iter().any(|v| v.is_nan()));
        let s = softmax(z.view());
        assert!((s[0] - 1.0 / (1.0 + (-1.0f32).exp())).abs() < 1e-6);
    }

    proptest! {
        #[test]
        fn sigmoid_is_finite_symmetric_and_monotone(z in -1e4..1e4f64) {
            for s in [sigmoid(z), sigmoid(z as f32) as f64] {
                prop_assert!((0.0..=1.0).contains(&s), "σ({z}) = {s}");
            }
            prop_assert!((sigmoid(z) + sigmoid(-z) - 1.0).abs() < 1e-15);
            prop_assert!(sigmoid(z + 0.5) >= sigmoid(z));
        }

        #[test]
        fn softmax_is_a_distribution_even_for_huge_inputs(
            z in prop::collection::vec(-1e4..1e4f64, 1..12)
        ) {
            let z = Array1::from(z);
            for s in [softmax(z.view()), softmax(z.mapv(|v| v as f32).view())
                .mapv(f64::from)]
            {
                prop_assert!(s.iter().all(|v| (0.0..=1.0).contains(v)));
                prop_assert!((s.sum() - 1.0).abs() < 1e-5, "sum {}", s.sum());
            }
            let s = softmax(z.view());
            // The largest score gets the largest probability.
            let argmax = |v: &Array1<f64>| v.iter().enumerate()
                .fold((0, f64::MIN), |b, (i, &x)| if x > b.1 { (i, x) } else { b }).0;
            prop_assert_eq!(s[argmax(&z)], s.fold(0.0, |m: f64, &v| m.max(v)));
        }

        #[test]
        fn softmax_agrees_with_the_formula_where_the_formula_is_safe(
            z in prop::collection::vec(-20.0..20.0f64, 1..12)
        ) {
            let z = Array1::from(z);
            let stable = softmax(z.view());
            let naive = naive_softmax(z.view());
            for (s, n) in stable.iter().zip(&naive) {
                prop_assert!((s - n).abs() <= 1e-14 * n.max(1e-300) + 1e-300);
            }
        }

        #[test]
        fn elementwise_derivatives_match_finite_differences(
            z in away_from_zero(0.01, 4.0)
        ) {
            // ReLU is sampled at |z| ≥ 0.01, away from its kink at 0.
            for act in [
                Activation::Identity,
                Activation::Sigmoid,
                Activation::Tanh,
                Activation::Relu,
            ] {
                let f = |x: &[f64]| act.apply(ndarray::aview1(x))[0];
                let analytic = act.derivative(z).unwrap();
                let report = check_gradient(f, &[z], &[analytic]);
                prop_assert!(
                    report.passes(SMOOTH_TOLERANCE), "{}: {report}", act.name()
                );
            }
        }

        #[test]
        fn softmax_jacobian_matches_finite_differences(
            z in prop::collection::vec(-1.0..1.0f64, 2..7)
        ) {
            let analytic = softmax_jacobian(ndarray::aview1(&z));
            let numeric = numerical_jacobian(
                |x| softmax(ndarray::aview1(x)).to_vec(),
                &z,
            );
            let report = compare(
                analytic.as_slice().unwrap(),
                numeric.as_slice().unwrap(),
            );
            prop_assert!(report.passes(SMOOTH_TOLERANCE), "{report}");
        }

        // The check is not vacuous: a Jacobian missing its off-diagonal
        // terms (treating softmax as elementwise) is caught.
        #[test]
        fn a_diagonal_only_softmax_jacobian_is_caught(
            z in prop::collection::vec(-1.0..1.0f64, 2..7)
        ) {
            let s = softmax(ndarray::aview1(&z));
            let wrong = Array2::from_diag(&s.mapv(|v| v * (1.0 - v)));
            let numeric = numerical_jacobian(
                |x| softmax(ndarray::aview1(x)).to_vec(),
                &z,
            );
            let report = compare(
                wrong.as_slice().unwrap(),
                numeric.as_slice().unwrap(),
            );
            prop_assert!(!report.passes(SMOOTH_TOLERANCE), "{report}");
        }
    }

    #[test]
    fn two_linear_layers_are_one() {
        let mut rng = shared::rng::seeded(2);
        let mut random = |shape: (usize, usize)| {
            shared::rng::normal_array(&mut rng, shape, 1.0)
        };
        let (w1, w2) = (random((5, 4)), random((3, 5)));
        let column = |m: Array2<f64>| m.column(0).to_owned();
        let (b1, b2, x) = (
            column(random((5, 1))),
            column(random((3, 1))),
            column(random((4, 1))),
        );
        let (two, one) = two_linear_layers((&w1, &b1), (&w2, &b2), &x);
        let gap = (&two - &one)
            .mapv(f64::abs)
            .fold(0.0, |a: f64, &v| a.max(v));
        assert!(gap < 1e-12, "two layers and one differ by {gap}");
        // With a ReLU between them they are not one layer.
        let bent = w2.dot(&(w1.dot(&x) + &b1).mapv(relu)) + &b2;
        let bend = (&bent - &one)
            .mapv(f64::abs)
            .fold(0.0, |a: f64, &v| a.max(v));
        assert!(bend > 1e-3, "a ReLU between them changed nothing ({bend})");
    }
}
