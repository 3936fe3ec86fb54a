//! The rungs below [`gemm`](crate::gemm), for the appendix to measure:
//! each is C ← α·A·B + β·C, each a little closer to the machine.
//!
//! 1. [`naive`]: the definition, cᵢⱼ = Σₚ aᵢₚ bₚⱼ, one dot product per
//!    entry; the inner loop walks down a column of B.
//! 2. [`reordered`]: the same sums with the loops in i, p, j order, so
//!    the inner loop walks along rows of B and C (and the compiler
//!    vectorises it with the baseline instructions).
//! 3. [`blocked`]: the reordered loops on blocks that fit in the caches.
//! 4. [`packed`]: blocks copied into the kernel's order and a register
//!    tile, with vectors of one lane (no SIMD): `gemm`'s code, scalar.
//!
//! Then `gemm` itself on one thread (SIMD) and on every thread. All of
//! them compute the same numbers up to rounding; tests check each against
//! [`naive`].

use ndarray::{ArrayView2, ArrayViewMut2};
use pulp::Arch;

use crate::Element;

/// cᵢⱼ ← α Σₚ aᵢₚ bₚⱼ + β cᵢⱼ, entry by entry.
pub fn naive<T: Element>(
    alpha: T,
    a: &ArrayView2<T>, // (m, k)
    b: &ArrayView2<T>, // (k, n)
    beta: T,
    c: &mut ArrayViewMut2<T>, // (m, n)
) {
    for i in 0..a.nrows() {
        for j in 0..b.ncols() {
            let mut dot = T::zero();
            for p in 0..a.ncols() {
                dot = dot + a[(i, p)] * b[(p, j)];
            }
            c[(i, j)] = alpha * dot + scaled(beta, c[(i, j)]);
        }
    }
}

/// β·c, where β = 0 ignores c (even NaN), as BLAS does.
fn scaled<T: Element>(beta: T, c: T) -> T {
    if beta == T::zero() {
        T::zero()
    } else {
        beta * c
    }
}

/// The same sums in i, p, j order: row i of C gains α aᵢₚ × row p of B.
pub fn reordered<T: Element>(
    alpha: T,
    a: &ArrayView2<T>,
    b: &ArrayView2<T>,
    beta: T,
    c: &mut ArrayViewMut2<T>,
) {
    c.map_inplace(|x| *x = scaled(beta, *x));
    let (m, k) = a.dim();
    accumulate(alpha, a, b, c, (0..m, 0..k, 0..b.ncols()));
}

/// C[rows, cols] += α A[rows, ks] B[ks, cols], in i, p, j order.
fn accumulate<T: Element>(
    alpha: T,
    a: &ArrayView2<T>,
    b: &ArrayView2<T>,
    c: &mut ArrayViewMut2<T>,
    (rows, ks, cols): (
        std::ops::Range<usize>,
        std::ops::Range<usize>,
        std::ops::Range<usize>,
    ),
) {
    for i in rows {
        let mut c_i = c.row_mut(i);
        for p in ks.clone() {
            let a_ip = alpha * a[(i, p)];
            let b_p = b.row(p);
            match (c_i.as_slice_mut(), b_p.as_slice()) {
                (Some(c_i), Some(b_p)) => {
                    let (c_i, b_p) =
                        (&mut c_i[cols.clone()], &b_p[cols.clone()]);
                    for (c, &b) in c_i.iter_mut().zip(b_p) {
                        *c = *c + a_ip * b;
                    }
                }
                _ => {
                    for j in cols.clone() {
                        c_i[j] = c_i[j] + a_ip * b_p[j];
                    }
                }
            }
        }
    }
}

/// The reordered loops on blocks of 64 rows, 256 terms and 1024 columns,
/// so that the rows of B a block reuses stay in the cache.
pub fn blocked<T: Element>(
    alpha: T,
    a: &ArrayView2<T>,
    b: &ArrayView2<T>,
    beta: T,
    c: &mut ArrayViewMut2<T>,
) {
    const MB: usize = 64;
    const KB: usize = 256;
    const NB: usize = 1024;
    c.map_inplace(|x| *x = scaled(beta, *x));
    let ((m, k), n) = (a.dim(), b.ncols());
    for j0 in (0..n).step_by(NB) {
        for p0 in (0..k).step_by(KB) {
            for i0 in (0..m).step_by(MB) {
                let block = (
                    i0..(i0 + MB).min(m),
                    p0..(p0 + KB).min(k),
                    j0..(j0 + NB).min(n),
                );
                accumulate(alpha, a, b, c, block);
            }
        }
    }
}

/// `gemm`'s blocking, packing and register tile on one thread, with
/// vectors of one lane: everything but SIMD and threads.
pub fn packed<T: Element>(
    alpha: T,
    a: &ArrayView2<T>,
    b: &ArrayView2<T>,
    beta: T,
    c: &mut ArrayViewMut2<T>,
) {
    T::with_packs(|packs| {
        crate::gemm::run(
            Arch::Scalar,
            alpha,
            a.view(),
            b.view(),
            beta,
            c.view_mut(),
            packs,
        );
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, ShapeBuilder};

    type Rung = fn(
        f64,
        &ArrayView2<f64>,
        &ArrayView2<f64>,
        f64,
        &mut ArrayViewMut2<f64>,
    );

    #[test]
    fn every_rung_computes_the_product() {
        let rungs: [(&str, Rung); 4] = [
            ("reordered", reordered),
            ("blocked", blocked),
            ("packed", packed),
            ("gemm", crate::gemm),
        ];
        for &(m, k, n) in &[(1, 1, 1), (7, 300, 1030), (70, 3, 5)] {
            let a = Array2::from_shape_fn((m, k), |(i, p)| {
                ((i * 7 + p * 3) % 11) as f64 - 5.0
            });
            let mut b = Array2::zeros((k, n).f());
            b.assign(&Array2::from_shape_fn((k, n), |(p, j)| {
                ((p * 5 + j) % 13) as f64 / 4.0
            }));
            let c0 = Array2::from_elem((m, n), 2.0);
            let mut expected = c0.clone();
            naive(0.5, &a.view(), &b.view(), -1.0, &mut expected.view_mut());
            for (name, rung) in rungs {
                let mut c = c0.clone();
                rung(0.5, &a.view(), &b.view(), -1.0, &mut c.view_mut());
                // Small integers and quarters: every rung is exact.
                assert_eq!(c, expected, "{name} on ({m}, {k}, {n})");
            }
        }
    }

    #[test]
    fn the_comparison_catches_a_wrong_rung() {
        let a = Array2::from_elem((3, 4), 1.0);
        let b = Array2::from_elem((4, 5), 1.0);
        let mut right = Array2::zeros((3, 5));
        naive(1.0, &a.view(), &b.view(), 0.0, &mut right.view_mut());
        // Dropping the last term of k (an off-by-one) is seen.
        let mut wrong = Array2::zeros((3, 5));
        let (a3, b3) =
            (a.slice(ndarray::s![.., ..3]), b.slice(ndarray::s![..3, ..]));
        reordered(1.0, &a3, &b3, 0.0, &mut wrong.view_mut());
        assert_ne!(wrong, right);
    }
}
