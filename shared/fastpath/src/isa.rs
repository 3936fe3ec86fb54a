//! Which vector instructions the fast path runs: the widest the CPU has,
//! unless a benchmark asks for narrower ones to compare them on one
//! machine (the appendix's ladder runs AVX2 and AVX-512 side by side).

use pulp::Arch;
use std::sync::atomic::{AtomicU8, Ordering};

/// The widest instructions the fast path may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Instructions {
    /// The widest the CPU has (the default).
    Widest,
    /// At most 256-bit vectors: AVX2+FMA on an AVX-512 machine, the
    /// widest elsewhere.
    Avx2,
    /// One lane: the same kernels without SIMD.
    Scalar,
}

static LIMIT: AtomicU8 = AtomicU8::new(0);

/// Limits every later product and elementwise loop, on every thread, to
/// `set`, until called again: for measurement (the result differs only
/// in rounding). Returns the limit it replaced.
pub fn limit_instructions(set: Instructions) -> Instructions {
    let code = match set {
        Instructions::Widest => 0,
        Instructions::Avx2 => 1,
        Instructions::Scalar => 2,
    };
    match LIMIT.swap(code, Ordering::Relaxed) {
        0 => Instructions::Widest,
        1 => Instructions::Avx2,
        _ => Instructions::Scalar,
    }
}

/// The instruction set to run now: the CPU's widest, within the limit.
#[inline]
pub(crate) fn arch() -> Arch {
    match LIMIT.load(Ordering::Relaxed) {
        0 => Arch::new(),
        1 => at_most_avx2(),
        _ => Arch::Scalar,
    }
}

#[cfg(target_arch = "x86_64")]
fn at_most_avx2() -> Arch {
    match Arch::new() {
        Arch::V4(_) => pulp::x86::V3::try_new().map_or(Arch::Scalar, Arch::V3),
        widest => widest,
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn at_most_avx2() -> Arch {
    Arch::new()
}
