//! Better inputs: mean subtraction and normalisation, principal component
//! analysis (PCA) and whitening — all fitted on the training images only,
//! then applied unchanged to validation and test images.

use ndarray::{Array1, Array2, ArrayView2, Axis, NewAxis, s};
use shared::rng::{Rng, normal_array};

// ANCHOR: standardise
/// The mean image μ (784,) and the pixels' overall standard deviation s
/// of the training images X (784, n).
pub fn mean_and_spread(x: ArrayView2<f64>) -> (Array1<f64>, f64) {
    let mu = x.mean_axis(Axis(1)).expect("at least one image"); // (784,)
    let centred = &x - &mu.slice(s![.., NewAxis]);
    let s = centred.mapv(|v| v * v).mean().expect("pixels").sqrt();
    (mu, s)
}

/// (X − μ1ᵀ) / s: every pixel's mean 0, the pixels' spread 1. One s for
/// all pixels: a border pixel that is always 0 stays 0 rather than being
/// divided by its own spread of 0.
pub fn standardise(
    x: ArrayView2<f64>,
    mu: &Array1<f64>,
    s: f64,
) -> Array2<f64> {
    (&x - &mu.slice(s![.., NewAxis])) / s
}
// ANCHOR_END: standardise

// ANCHOR: pca
/// The principal components: the directions in pixel space along which
/// the images vary most, with the variance along each.
pub struct Pca {
    /// μ, the mean image (784,).
    pub mean: Array1<f64>,
    /// U: one component per column, unit length, orthogonal, (784, k).
    pub components: Array2<f64>,
    /// λ: the variance along each component, largest first, (k,).
    pub variances: Array1<f64>,
    /// The total variance, trace(Σ): what all 784 components explain.
    pub total_variance: f64,
}

/// The covariance matrix Σ = (X − μ)(X − μ)ᵀ / n of images X (784, n).
pub fn covariance(x: ArrayView2<f64>, mu: &Array1<f64>) -> Array2<f64> {
    let centred = &x - &mu.slice(s![.., NewAxis]); // (784, n)
    centred.dot(&centred.t()) / x.ncols() as f64 // (784, 784)
}

/// The first `k` principal components of images X (784, n): the
/// eigenvectors of Σ with the largest eigenvalues, Σuᵢ = λᵢuᵢ.
pub fn pca(x: ArrayView2<f64>, k: usize, rng: &mut Rng) -> Pca {
    let mean = x.mean_axis(Axis(1)).expect("at least one image");
    let sigma = covariance(x, &mean);
    let (components, variances) = top_eigenvectors(&sigma, k, rng);
    Pca {
        mean,
        components,
        variances,
        total_variance: sigma.diag().sum(),
    }
}
// ANCHOR_END: pca

// ANCHOR: whiten
impl Pca {
    /// Each image's coordinates along the k components, Uᵀ(x − μ): the
    /// image described by k numbers instead of 784.
    pub fn project(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let centred = &x - &self.mean.slice(s![.., NewAxis]); // (784, n)
        self.components.t().dot(&centred) // (k, n)
    }

    /// PCA whitening: each image's coordinates along the k components,
    /// divided by the spread along each: x̃ = (Λ + ε)^(−½) Uᵀ(x − μ).
    /// The whitened inputs are uncorrelated, each with variance ≈ 1.
    pub fn whiten(&self, x: ArrayView2<f64>, eps: f64) -> Array2<f64> {
        let coords = self.project(x); // Uᵀ(x − μ): (k, n)
        let scale = self.variances.mapv(|l| 1.0 / (l + eps).sqrt()); // (k,)
        coords * scale.slice(s![.., NewAxis])
    }

    /// ZCA whitening, for looking at: the whitened coordinates turned
    /// back into pixel space, U x̃ (784, n). Smooth shading is flattened;
    /// edges — where neighbouring pixels differ — stand out.
    pub fn zca(&self, x: ArrayView2<f64>, eps: f64) -> Array2<f64> {
        self.components.dot(&self.whiten(x, eps))
    }

    /// The fraction of the total variance the first j components explain,
    /// for j = 1..=k.
    pub fn explained(&self) -> Vec<f64> {
        let mut total = 0.0;
        self.variances
            .iter()
            .map(|l| {
                total += l;
                total / self.total_variance
            })
            .collect()
    }
}
// ANCHOR_END: whiten

/// The `k` eigenvectors of the symmetric matrix `a` (n, n) with the
/// largest eigenvalues, by subspace iteration: multiply k random vectors
/// by `a` again and again, keeping them orthonormal; the directions with
/// large eigenvalues grow fastest and take over. A final small
/// eigenproblem (Rayleigh–Ritz, solved by Jacobi rotations) sorts the
/// vectors within the subspace.
pub fn top_eigenvectors(
    a: &Array2<f64>,
    k: usize,
    rng: &mut Rng,
) -> (Array2<f64>, Array1<f64>) {
    let n = a.nrows();
    let k = k.min(n);
    // A few extra vectors speed convergence of the last wanted ones.
    let width = (k + 10).min(n);
    let mut q = orthonormalise(normal_array(rng, (n, width), 1.0));
    for _ in 0..150 {
        q = orthonormalise(a.dot(&q));
    }
    let h = q.t().dot(&a.dot(&q)); // (width, width)
    let (values, vectors) = jacobi_eigen(h);
    let mut order: Vec<usize> = (0..width).collect();
    order.sort_by(|&i, &j| values[j].total_cmp(&values[i]));
    let order = &order[..k];
    let rotated = q.dot(&vectors); // (n, width)
    let mut u = rotated.select(Axis(1), order);
    // A sign convention, so runs agree: each component's largest entry
    // is positive.
    for mut column in u.columns_mut() {
        let big = column
            .iter()
            .fold(0.0f64, |b, &v| if v.abs() > b.abs() { v } else { b });
        if big < 0.0 {
            column.mapv_inplace(|v| -v);
        }
    }
    let lambda = order.iter().map(|&i| values[i]).collect();
    (u, lambda)
}

/// Modified Gram–Schmidt on the columns.
fn orthonormalise(mut q: Array2<f64>) -> Array2<f64> {
    for j in 0..q.ncols() {
        for i in 0..j {
            let (done, mut rest) = q.view_mut().split_at(Axis(1), j);
            let qi = done.column(i);
            let mut qj = rest.column_mut(0);
            let r = qi.dot(&qj);
            qj.scaled_add(-r, &qi);
        }
        let mut qj = q.column_mut(j);
        let norm = qj.dot(&qj).sqrt().max(1e-300);
        qj /= norm;
    }
    q
}

/// Eigenvalues and eigenvectors (columns) of a small symmetric matrix by
/// cyclic Jacobi rotations: each rotation zeroes one off-diagonal entry.
pub fn jacobi_eigen(mut a: Array2<f64>) -> (Array1<f64>, Array2<f64>) {
    let n = a.nrows();
    let mut v = Array2::eye(n);
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[(i, j)] * a[(i, j)])
            .sum();
        if off < 1e-22 * a.diag().mapv(|d| d * d).sum().max(1e-300) {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                if a[(p, q)].abs() < 1e-300 {
                    continue;
                }
                let theta = (a[(q, q)] - a[(p, p)]) / (2.0 * a[(p, q)]);
                let t = theta.signum()
                    / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[(k, p)], a[(k, q)]);
                    a[(k, p)] = c * akp - s * akq;
                    a[(k, q)] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[(p, k)], a[(q, k)]);
                    a[(p, k)] = c * apk - s * aqk;
                    a[(q, k)] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let (vkp, vkq) = (v[(k, p)], v[(k, q)]);
                    v[(k, p)] = c * vkp - s * vkq;
                    v[(k, q)] = s * vkp + c * vkq;
                }
            }
        }
    }
    (a.diag().to_owned(), v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::testing::close;

    use shared::rng::seeded;

    /// Points with known principal directions: variances 9, 4, 1, 0.25 …
    /// along a random orthonormal basis.
    fn known(n: usize, dims: usize) -> (Array2<f64>, Array2<f64>, Vec<f64>) {
        let mut rng = seeded(11);
        let basis = orthonormalise(normal_array(&mut rng, (dims, dims), 1.0));
        let spreads: Vec<f64> =
            (0..dims).map(|i| 3.0 / 1.5f64.powi(i as i32)).collect();
        // Rows of mean 0, exactly orthogonal, then scaled: the sample
        // covariance is exactly diag(spreads²).
        let mut coords = normal_array(&mut rng, (dims, n), 1.0);
        for mut row in coords.rows_mut() {
            let mean = row.mean().unwrap();
            row -= mean;
        }
        let mut coords = orthonormalise(coords.t().to_owned()).t().to_owned();
        for (i, mut row) in coords.rows_mut().into_iter().enumerate() {
            row *= spreads[i] * (n as f64).sqrt();
        }
        let variances = spreads.iter().map(|s| s * s).collect();
        (basis.dot(&coords), basis, variances)
    }

    #[test]
    fn pca_finds_the_known_directions_and_variances() {
        let (x, basis, variances) = known(400, 12);
        let mut rng = seeded(2);
        let found = pca(x.view(), 4, &mut rng);
        for (i, want) in variances.iter().take(4).enumerate() {
            let got = found.variances[i];
            assert!((got - want).abs() < 1e-6, "λ{i} = {got} ≠ {want}");
            let cos = found.components.column(i).dot(&basis.column(i));
            assert!((cos.abs() - 1.0).abs() < 1e-6, "u{i}: cos {cos}");
        }
        let total: f64 = variances.iter().sum();
        assert!((found.total_variance - total).abs() < 1e-6);
        let explained = found.explained();
        assert!((explained[0] - variances[0] / total).abs() < 1e-6);
    }

    #[test]
    fn whitened_inputs_are_uncorrelated_with_unit_variance() {
        let (x, _, _) = known(400, 12);
        let mut rng = seeded(3);
        let found = pca(x.view(), 5, &mut rng);
        let white = found.whiten(x.view(), 0.0); // (5, 400)
        let sigma = white.dot(&white.t()) / 400.0;
        assert!(
            close(&sigma, &Array2::eye(5), 1e-6),
            "covariance of whitened data:\n{sigma:.4}"
        );
    }

    #[test]
    fn jacobi_diagonalises_a_symmetric_matrix() {
        let mut rng = seeded(4);
        let b = normal_array(&mut rng, (6, 6), 1.0);
        let a = &b + &b.t();
        let (values, vectors) = jacobi_eigen(a.clone());
        let back = vectors.dot(&Array2::from_diag(&values)).dot(&vectors.t());
        assert!(close(&back, &a, 1e-9));
    }

    #[test]
    fn standardised_pixels_have_mean_zero_and_spread_one() {
        let mut rng = seeded(5);
        let x = normal_array(&mut rng, (20, 50), 3.0) + 7.0;
        let (mu, s) = mean_and_spread(x.view());
        let z = standardise(x.view(), &mu, s);
        assert!(z.mean_axis(Axis(1)).unwrap().iter().all(|m| m.abs() < 1e-9));
        assert!((z.mapv(|v| v * v).mean().unwrap() - 1.0).abs() < 1e-9);
    }
}
