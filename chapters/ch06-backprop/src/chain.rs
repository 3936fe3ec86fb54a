//! The chain rule on the simplest network: a chain of single neurons,
//! x → a₁ → a₂ → … → a_L, with cost C = (a_L − y)² (3Blue1Brown part 4).

use ch02_activations::{sigmoid, sigmoid_prime};

// ANCHOR: chain
/// One sigmoid neuron per layer: aₗ = σ(wₗ aₗ₋₁ + bₗ), with a₀ = x.
#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    /// One weight per layer.
    pub w: Vec<f64>,
    /// One bias per layer.
    pub b: Vec<f64>,
}

impl Chain {
    /// The weighted inputs z₁…z_L and activations a₀…a_L.
    pub fn forward(&self, x: f64) -> (Vec<f64>, Vec<f64>) {
        let (mut zs, mut activations) = (Vec::new(), vec![x]);
        for (w, b) in self.w.iter().zip(&self.b) {
            let z = w * activations.last().expect("a₀ = x") + b;
            zs.push(z);
            activations.push(sigmoid(z));
        }
        (zs, activations)
    }

    /// C = (a_L − y)².
    pub fn cost(&self, x: f64, y: f64) -> f64 {
        let (_, a) = self.forward(x);
        (a[a.len() - 1] - y).powi(2)
    }

    /// (∂C/∂wₗ, ∂C/∂bₗ) for every layer, by the chain rule from the end:
    /// ∂C/∂wₗ = ∂zₗ/∂wₗ · ∂aₗ/∂zₗ · ∂C/∂aₗ = aₗ₋₁ · σ'(zₗ) · ∂C/∂aₗ,
    /// and ∂C/∂aₗ₋₁ = wₗ · σ'(zₗ) · ∂C/∂aₗ passes the blame one layer back.
    pub fn gradient(&self, x: f64, y: f64) -> (Vec<f64>, Vec<f64>) {
        let (zs, a) = self.forward(x);
        let layers = self.w.len();
        let (mut dw, mut db) = (vec![0.0; layers], vec![0.0; layers]);
        let mut dc_da = 2.0 * (a[layers] - y); // ∂C/∂a_L
        for l in (0..layers).rev() {
            let dc_dz = sigmoid_prime(zs[l]) * dc_da;
            dw[l] = a[l] * dc_dz; // a[l]: the input of layer l + 1
            db[l] = dc_dz;
            dc_da = self.w[l] * dc_dz;
        }
        (dw, db)
    }
}
// ANCHOR_END: chain

/// The chapter's three-neuron chain.
pub fn example() -> Chain {
    Chain {
        w: vec![0.8, -1.2, 1.5],
        b: vec![0.1, 0.3, -0.2],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use shared::gradcheck::{SMOOTH_TOLERANCE, check_gradient};
    use shared::testing::vec_away_from_zero;

    proptest! {
        #[test]
        fn chain_gradient_matches_finite_differences(
            (w, b) in (1..6usize).prop_flat_map(|n| (vec_away_from_zero(n, 0.3, 2.0), vec_away_from_zero(n, 0.1, 1.0))),
            x in 0.2..1.0f64,
            y in 0.0..1.0f64,
        ) {
            let chain = Chain { w: w.clone(), b: b.clone() };
            let (dw, db) = chain.gradient(x, y);
            let n = w.len();
            let params: Vec<f64> = w.iter().chain(&b).copied().collect();
            let analytic: Vec<f64> = dw.iter().chain(&db).copied().collect();
            let cost = |p: &[f64]| Chain { w: p[..n].to_vec(), b: p[n..].to_vec() }.cost(x, y);
            let report = check_gradient(cost, &params, &analytic);
            // a_L − y near 0 makes every entry vanish together; skip it.
            prop_assume!(analytic.iter().all(|g| g.abs() > 1e-5));
            prop_assert!(report.passes(SMOOTH_TOLERANCE), "{report}");
        }
    }
}
