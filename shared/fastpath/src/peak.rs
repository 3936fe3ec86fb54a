//! The machine's ceiling: how many fused multiply-adds a core can do per
//! second with the widest vectors it has, measured rather than looked up.
//!
//! Twelve independent accumulators (the micro-kernel's tile) each take
//! one fused multiply-add per step, so the CPU's FMA units never wait for
//! a result. Nothing is read from memory.

use std::time::Instant;

use pulp::{Simd, WithSimd};

use crate::Element;

/// Multiply-adds per accumulator per measurement.
const STEPS: usize = 1 << 22;

struct Burn<T> {
    x: T,
}

impl<T: Element> WithSimd for Burn<T> {
    type Output = (T, usize);

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) -> (T, usize) {
        let lanes = size_of::<T::V<S>>() / size_of::<T>();
        // Opaque to the compiler, so the sums cannot be worked out ahead.
        let x = std::hint::black_box(self.x);
        let a = T::splat(simd, x);
        let b = T::splat(simd, T::one() - x * x);
        let mut acc = [T::splat(simd, T::zero()); 12];
        for _ in 0..STEPS {
            for acc in &mut acc {
                *acc = T::fma(simd, a, b, *acc);
            }
        }
        let sum = acc.iter().fold(T::zero(), |s, v| {
            s + bytemuck::cast_slice::<T::V<S>, T>(std::slice::from_ref(v))[0]
        });
        (sum, 12 * STEPS * lanes)
    }
}

/// Floating-point operations one [`burst`] does on one thread with the
/// instruction set this CPU has (2 per multiply-add).
pub fn burst_flops<T: Element>() -> u64 {
    struct Lanes<T>(std::marker::PhantomData<T>);
    impl<T: Element> WithSimd for Lanes<T> {
        type Output = usize;
        #[inline(always)]
        fn with_simd<S: Simd>(self, _: S) -> usize {
            size_of::<T::V<S>>() / size_of::<T>()
        }
    }
    let lanes =
        crate::isa::arch().dispatch(Lanes::<T>(std::marker::PhantomData));
    2 * (12 * STEPS * lanes) as u64
}

/// A fixed burst of fused multiply-adds on this thread: [`burst_flops`]
/// floating-point operations, no memory traffic. Time it to get the peak.
pub fn burst<T: Element>() -> T {
    let half = T::one() / (T::one() + T::one());
    let (sum, _) = crate::isa::arch().dispatch(Burn { x: half });
    sum
}

/// One core's FMA peak in GFLOP/s, best of three bursts.
pub fn gflops_per_core<T: Element>() -> f64 {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(burst::<T>());
            burst_flops::<T>() as f64 / start.elapsed().as_secs_f64() / 1e9
        })
        .fold(0.0, f64::max)
}

/// The peak of every thread of the current pool at once, in GFLOP/s.
pub fn gflops_all_threads<T: Element>() -> f64 {
    rayon::broadcast(|_| gflops_per_core::<T>()).iter().sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_computes_what_it_counts() {
        // Each accumulator sums STEPS products of ½ and ¾: 12·STEPS·3/8.
        let sum = burst::<f64>();
        assert_eq!(sum, 12.0 * STEPS as f64 * 0.375);
        let flops = burst_flops::<f64>();
        assert_eq!(flops % (24 * STEPS as u64), 0);
        assert!(gflops_per_core::<f32>() > 0.0);
    }
}
