//! The fast path's primitives: what makes training fast, kept apart from
//! the lessons.
//!
//! The chapters teach with ndarray's `dot`: one equation, one expression.
//! Training runs (chapters 8 and later) go through a second copy of the
//! same step, the fast path, built on this crate. The book's appendix "How
//! fast is it?" teaches what is here, rung by rung:
//!
//! - [`gemm`]: C ← α·A·B + β·C, called like ndarray's `general_mat_mul`;
//!   blocked, packed, a SIMD micro-kernel with the widest instructions the
//!   CPU has ([`instruction_set`]), split across every thread of the
//!   current rayon pool, and allocation-free once [`prepare`] has sized
//!   each thread's packing buffers;
//!   [`aligned_zeros`] makes matrices whose rows start cache lines, for
//!   the dot-product kernel that a long k with both operands along k
//!   goes to;
//! - [`gemm_bias`]: the same product with a column added to each of C's
//!   columns as C is written (a layer's W x + b in one pass);
//!   [`gemm_by_rows`]: C cut between threads by rows, where a later pass
//!   over C's memory (an update) should find each part where it was
//!   written; [`gemm_by_rows_then`]: that product with an update rule
//!   applied to each block of it as it is made, on the thread that made
//!   it (a weight update inside the weight gradient's product);
//! - [`simd!`] and [`exp`]: elementwise loops compiled for the same widest
//!   instructions, with an exponential that vectorizes (softmaxes, GELU),
//!   and sums kept in lanes that vectorize in one fixed order ([`sum_of`],
//!   [`dot_of`]);
//! - [`threads`], [`install`]: the threads it uses (sized by the
//!   chapters' runner, `shared::runner::use_threads`), kept awake while
//!   a training loop runs inside `install` ([`let_threads_sleep`] turns
//!   that off, for measuring it);
//! - [`ladder`]: the slower products the appendix climbs from (the naive
//!   triple loop, loop order, cache blocking, packing), and [`peak`]: the
//!   machine's fused multiply-add peak, the ceiling they are measured
//!   against.
//!
//! **Same numbers for any thread count.** Threads split C into pieces;
//! every entry of C is summed over k in the same order whatever piece it
//! falls in, so the result is bit-identical for 1, 2, 3 … 16 threads.
//!
//! Knows nothing of chapters, networks or the book; depends on no
//! workspace crate.

mod elementwise;
mod gemm;
mod isa;
pub mod ladder;
pub mod peak;
mod pool;

pub use elementwise::{LANES, across, dot_of, exp, sum_of};
#[doc(hidden)]
pub use elementwise::{Level as __Level, level as __level, plain as __plain};
pub use gemm::{
    Element, aligned_zeros, gemm, gemm_bias, gemm_by_rows, gemm_by_rows_then,
    gemm_serial, instruction_set, prepare, with_scratch,
};
pub use isa::{Instructions, limit_instructions};
pub use pool::{install, let_threads_sleep, threads};
