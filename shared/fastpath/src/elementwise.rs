//! Elementwise work at the width of the CPU's vectors: [`simd!`] compiles
//! a block with the widest instructions this CPU has, so that the plain
//! loops inside it are vectorized by the compiler,
//! [`Element::exp`](crate::Element::exp)
//! is an exponential written to vectorize (the C library's `expf` is
//! called one number at a time), and [`sum_of`] and [`dot_of`] are sums
//! kept in lanes so that they vectorize too, in one fixed order.

/// Compiles the block once for each instruction set the fast path runs
/// (AVX-512, AVX2+FMA, and the machine's plain instructions) and runs the
/// copy for the widest this CPU has (within
/// [`limit_instructions`](crate::limit_instructions)): plain loops over
/// slices inside it, with [`exp`](crate::exp) and arithmetic, come out as
/// vector code. The same results as running it plainly (Rust never fuses
/// a multiply and an add unless asked, so wider vectors change no
/// rounding).
///
/// A macro and not a function taking a closure: a closure called from
/// three places (one per instruction set) is compiled once, for the plain
/// instructions, and called from each; written out three times, each copy
/// is compiled inside its own instruction set.
///
/// ```
/// let mut xs = [0.0f32, 1.0, 2.0];
/// fastpath::simd!(xs.iter_mut().for_each(|x| *x = fastpath::exp(*x)));
/// assert_eq!(xs[0], 1.0);
/// ```
#[macro_export]
macro_rules! simd {
    ($($body:tt)*) => {
        match $crate::__level() {
            #[cfg(target_arch = "x86_64")]
            $crate::__Level::Avx512(s) => s.vectorize(|| { $($body)* }),
            #[cfg(target_arch = "x86_64")]
            $crate::__Level::Avx2(s) => s.vectorize(|| { $($body)* }),
            $crate::__Level::Plain => $crate::__plain(|| { $($body)* }),
        }
    };
}

/// The instruction set [`simd!`] runs now (for the macro only).
#[doc(hidden)]
pub enum Level {
    /// x86-64-v4.
    #[cfg(target_arch = "x86_64")]
    Avx512(pulp::x86::V4),
    /// x86-64-v3.
    #[cfg(target_arch = "x86_64")]
    Avx2(pulp::x86::V3),
    /// Whatever the target compiles for by default (NEON on aarch64).
    Plain,
}

/// Runs `work` with the target's default instructions (for the macro
/// only: the same closure form as the vector arms).
#[doc(hidden)]
#[inline(always)]
pub fn plain<R>(work: impl FnOnce() -> R) -> R {
    work()
}

/// The instruction set to run now, within the limit (for the macro only).
#[doc(hidden)]
#[inline]
pub fn level() -> Level {
    match crate::isa::arch() {
        #[cfg(target_arch = "x86_64")]
        pulp::Arch::V4(s) => Level::Avx512(s),
        #[cfg(target_arch = "x86_64")]
        pulp::Arch::V3(s) => Level::Avx2(s),
        _ => Level::Plain,
    }
}

/// e^x without branches, so that a loop of it vectorizes inside [`simd!`]:
/// within 2 ulp of the C library's `exp`, clamped where e^x would leave
/// the normal floats ([`Element::exp`](crate::Element::exp)).
#[inline(always)]
pub fn exp<T: crate::Element>(x: T) -> T {
    T::exp(x)
}

/// e^x for `f32`, without branches: x = n ln 2 + r with |r| ≤ ln 2 / 2,
/// e^r by its Taylor series to r⁷ (the first term left out is below
/// 6e-9, under half an `f32` ulp), and 2ⁿ built in the exponent bits.
/// Inputs are clamped to [−87, 88], where e^x is a normal `f32`: below,
/// the answer is at most 1.7e-38 instead of smaller; above, 1.7e38 instead
/// of larger.
#[inline(always)]
pub(crate) fn exp_f32(x: f32) -> f32 {
    // Adding 1.5·2²³ rounds to an integer, which lands in the low bits.
    const ROUND: f32 = 12_582_912.0;
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    let x = x.clamp(-87.0, 88.0);
    let shifted = x * std::f32::consts::LOG2_E + ROUND;
    let n = shifted - ROUND;
    let r = (x - n * LN2_HI) - n * LN2_LO;
    let mut p = 1.0 / 5040.0;
    for c in [
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
        1.0,
        1.0,
    ] {
        p = p * r + c;
    }
    let bits = shifted.to_bits().wrapping_sub(ROUND.to_bits()) as i32;
    p * f32::from_bits(((bits + 127) as u32) << 23)
}

/// e^x for `f64`, the same way: the series to r¹³ (the first term left
/// out is below 5e-18), inputs clamped to [−708, 709].
#[inline(always)]
pub(crate) fn exp_f64(x: f64) -> f64 {
    const ROUND: f64 = 6_755_399_441_055_744.0;
    const LN2_HI: f64 = 0.693_147_180_369_123_8;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    let x = x.clamp(-708.0, 709.0);
    let shifted = x * std::f64::consts::LOG2_E + ROUND;
    let n = shifted - ROUND;
    let r = (x - n * LN2_HI) - n * LN2_LO;
    let mut p = 1.0;
    let mut factorial = 1.0;
    let mut coefficients = [0.0; 14];
    for (k, c) in coefficients.iter_mut().enumerate() {
        if k > 0 {
            factorial *= k as f64;
        }
        *c = 1.0 / factorial;
    }
    p *= coefficients[13];
    for c in coefficients[..13].iter().rev() {
        p = p * r + c;
    }
    let bits = shifted.to_bits().wrapping_sub(ROUND.to_bits()) as i64;
    p * f64::from_bits(((bits + 1023) as u64) << 52)
}

/// Lanes a sum is kept in: 16 `f32` fill one AVX-512 vector, so the loops
/// vectorize at every width the fast path runs.
pub const LANES: usize = 16;

/// The lanes brought together by `f` in halves — lane l with lane l + 8,
/// then l + 4, l + 2, l + 1 — so that a vector does the work in four
/// steps instead of sixteen one after the other: a short row's sum is
/// mostly this. One fixed order, whatever the thread.
#[inline(always)]
pub fn across<T: Copy>(mut lanes: [T; LANES], f: impl Fn(T, T) -> T) -> T {
    let mut width = LANES;
    while width > 1 {
        width /= 2;
        for l in 0..width {
            lanes[l] = f(lanes[l], lanes[l + width]);
        }
    }
    lanes[0]
}

/// Σ a_j b_j, kept in [`LANES`] partial sums so that the loop vectorizes:
/// lane l adds the terms j ≡ l (mod 16) in order, then the lanes are
/// added in halves ([`across`]) and the remainder left to right — one
/// fixed order, so the same sum on any thread and at any vector width.
/// Inlined, so that inside a [`simd!`] block it is compiled for that
/// block's instructions.
#[inline(always)]
pub fn dot_of<T: crate::Element>(a: &[T], b: &[T]) -> T {
    let mut lanes = [T::zero(); LANES];
    let (whole_a, whole_b) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let rest = whole_a.remainder().iter().zip(whole_b.remainder());
    for (ca, cb) in whole_a.zip(whole_b) {
        for ((s, &x), &y) in lanes.iter_mut().zip(ca).zip(cb) {
            *s = *s + x * y;
        }
    }
    let lanes = across(lanes, |a, b| a + b);
    rest.fold(lanes, |s, (&x, &y)| s + x * y)
}

/// Σ x_j, in the order [`dot_of`] adds.
#[inline(always)]
pub fn sum_of<T: crate::Element>(xs: &[T]) -> T {
    let mut lanes = [T::zero(); LANES];
    let whole = xs.chunks_exact(LANES);
    let rest = whole.remainder().iter();
    for chunk in whole {
        for (s, &x) in lanes.iter_mut().zip(chunk) {
            *s = *s + x;
        }
    }
    let lanes = across(lanes, |a, b| a + b);
    rest.fold(lanes, |s, &x| s + x)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Within 2 ulp of the C library's exponential over the whole range,
    /// and clamped where documented.
    #[test]
    fn exp_matches_the_library() {
        let mut worst32 = 0.0f64;
        let mut worst64 = 0.0f64;
        for i in 0..=200_000 {
            let x = -87.0 + 175.0 * i as f64 / 200_000.0;
            let (a, b) = (exp_f32(x as f32), (x as f32).exp());
            worst32 = worst32.max(((a - b) / b).abs() as f64);
            let x = -708.0 + 1417.0 * i as f64 / 200_000.0;
            let (a, b) = (exp_f64(x), x.exp());
            worst64 = worst64.max(((a - b) / b).abs());
        }
        assert!(worst32 < 2.0 * f32::EPSILON as f64, "f32: {worst32:e}");
        assert!(worst64 < 2.0 * f64::EPSILON, "f64: {worst64:e}");
        assert_eq!(exp_f32(0.0), 1.0);
        assert_eq!(exp_f64(0.0), 1.0);
        assert!(exp_f32(-1000.0) < 2e-38 && exp_f32(1000.0) > 1e38);
        assert!(exp_f64(-1e6) < 1e-307 && exp_f64(1e6) > 1e307);
    }

    #[test]
    fn simd_runs_the_closure() {
        let mut xs = [1.0f32, 2.0, 3.0];
        crate::simd!(xs.iter_mut().for_each(|x| *x = exp_f32(*x)));
        assert!((xs[2] - 3f32.exp()).abs() < 1e-5);
    }

    /// The lanes' order, written out: lane l sums the terms l, l + 16, …
    /// in order, the lanes meet in halves, then the remainder follows.
    fn by_hand(xs: &[f64]) -> f64 {
        let whole = xs.len() / LANES * LANES;
        let mut lanes = [0.0; LANES];
        for (j, &x) in xs[..whole].iter().enumerate() {
            lanes[j % LANES] += x;
        }
        for width in [8, 4, 2, 1] {
            for l in 0..width {
                lanes[l] += lanes[l + width];
            }
        }
        xs[whole..].iter().fold(lanes[0], |s, &x| s + x)
    }

    #[test]
    fn lane_sums_add_in_their_documented_order() {
        // terms of very different sizes, so that another order rounds
        // differently
        for n in [0, 1, 15, 16, 17, 100, 2304] {
            let xs: Vec<f64> = (0..n)
                .map(|j| {
                    ((j * 7919) % 1000) as f64 * 10f64.powi(j as i32 % 9 - 4)
                })
                .collect();
            assert_eq!(sum_of(&xs).to_bits(), by_hand(&xs).to_bits(), "{n}");
            let ones = vec![1.0; n];
            assert_eq!(dot_of(&xs, &ones).to_bits(), by_hand(&xs).to_bits());
            let plain: f64 = xs.iter().sum();
            if n > 40 {
                assert_ne!(sum_of(&xs).to_bits(), plain.to_bits(), "{n}");
            }
        }
    }
}
