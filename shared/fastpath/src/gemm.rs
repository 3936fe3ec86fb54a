//! The matrix product C ← α·A·B + β·C that training spends its time in.
//!
//! How it is fast (the classic layout of Goto and van de Geijn, as in BLIS
//! and OpenBLAS); the appendix climbs to it one rung at a time:
//!
//! - **Blocking.** The product is cut into equal blocks of at most `KC`
//!   terms of the inner dimension, `MC` rows of A and `NC` columns of B,
//!   sized so the block of A stays in the core's L2 cache; the kernel
//!   reads a sliver of B in runs of at most `KSUB` terms of k, which stay
//!   in L1 while every tile of the block's rows uses them (each tile's
//!   sums are kept between runs and carried on, in the same order).
//! - **Packing.** Each block is copied once into a buffer laid out in the
//!   order the kernel reads it: `MR` rows of A (or `NR` columns of B) side
//!   by side, one k after another. The kernel then reads memory in a
//!   straight line, whatever the strides of A and B (a transpose costs
//!   nothing extra). An A stored row by row is not copied: the kernel
//!   reads its `MR` rows where they lie, each already a straight line
//!   along k (for W·X, that skips copying all of W at every product).
//! - **The micro-kernel.** It keeps an `MR × NR` tile of C (6 × 16 in f32
//!   on AVX2, 6 × 32 on AVX-512) in 12 vector registers and, for each k,
//!   adds the outer product of a column of A and a row of B with fused
//!   multiply-adds. Where A is packed and there are 32 vector registers
//!   (AVX-512), the tile is 12 × 32: 24 accumulators, each vector of B
//!   loaded serves twice the rows. [`pulp`] picks the widest instructions
//!   the CPU has at run time and keeps all of this safe Rust.
//! - **Threads.** C is cut into one piece per thread of the current rayon
//!   pool (fewer for small products), along its longer side, at whole
//!   tiles; the pieces are computed at once, each thread with its own
//!   packing buffers (kept in the thread between calls, so a warm product
//!   allocates nothing). Every entry of C is summed over k in the same
//!   order whatever piece it is in: bit-identical for any thread count.
//!   A C too small to cut (a 20 × 25 weight gradient summed over a whole
//!   batch's positions) whose k is long is cut along k instead: the
//!   threads share its blocks of k, each block's product is kept apart,
//!   and they are added into C in order — the same operations as one
//!   thread's, so the same bits.
//! - **Dot products, for a long k.** Where A's rows and B's columns both
//!   run along k and k is long (a convolution's ∇W = δ Xᵀ, summed over
//!   every position of a few images: chapter 10's k = 2,304 or 4,096),
//!   packing B would
//!   transpose all of it for a C of a few hundred entries. Instead a
//!   second kernel reads both where they lie and sums each entry of a
//!   4 × 6 tile of C as a dot product, in 64 bytes of lanes (16 `f32`),
//!   folded into one number at the end of each block of k. Its order of
//!   summation is its own (so such a product differs in the last bits
//!   from the same one with B stored row by row), but it is fixed: the
//!   same bits for any thread count and on AVX2 or AVX-512.
//! - **Aligned buffers.** The packing buffers start on a cache line, so
//!   the kernel's vector loads of a packed sliver never straddle two
//!   lines; [`aligned_zeros`] makes matrices whose rows start on lines,
//!   for the dot-product kernel (whose loads then straddle none where a
//!   block of k starts at a multiple of 64 bytes).

use bytemuck::Pod;
use ndarray::linalg::general_mat_vec_mul;
use ndarray::{
    Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut2, Axis, LinalgScalar,
    Slice,
};
use pulp::{Arch, Simd, WithSimd};
use std::cell::RefCell;
use std::ops::Range;
use std::slice::from_mut;

/// Rows of A per micro-kernel tile: 6 (12 accumulators, for 16 vector
/// registers).
const MR: usize = 6;
/// Rows of A per tile where there are 32 vector registers (AVX-512): 24
/// accumulators, so each vector of B loaded serves twice the rows.
const MR_WIDE: usize = 12;
/// Vectors of B per micro-kernel tile row (NR = 2 × the vector's lanes).
const NR_VECTORS: usize = 2;
/// The widest sliver: 2 vectors of 16 lanes (f32 on AVX-512).
const MAX_NR: usize = 32;
/// Terms of the inner dimension per block, at most. The same for every
/// instruction set, so that AVX2 and AVX-512 sum each entry of C in the
/// same order: the same bits on either machine.
const KC: usize = 512;
/// Rows of A per block (a multiple of MR).
const MC: usize = 72;
/// Columns of B per block (a multiple of every NR).
const NC: usize = 1024;
/// Terms of k the kernel reads of a sliver of B before the next tile
/// reads them again: at most 32 KB of B in `f32` on AVX-512, within L1.
const KSUB: usize = 256;
/// Multiply-adds below which a piece is not worth another thread: about
/// a microsecond of one core's work, no more than handing it over and
/// waiting for it costs (chapter 8's small products, 10 × 64 × 256, run
/// faster on one thread than on two).
const PIECE_MIN_WORK: usize = 1 << 18;
/// The shortest k that goes to the dot-product kernel ([`dots`]).
const DOT_MIN_K: usize = 2048;
/// Terms of k per block of the dot-product kernel, at most: long, since
/// each block ends by folding every sum's lanes into one number. A k of
/// more than this is cut into blocks of at least half of it; blocks are
/// never below `DOT_MIN_K`.
const DOT_KC: usize = 8192;
/// Bytes of each row of A and column of B the dot-product kernel reads
/// in one run of k: a strip of 6 columns of B (24 KB) stays in L1 while
/// every tile of A's rows (16 KB each) uses it.
const DOT_SUB_BYTES: usize = 4096;
/// Rows of A per block of the dot-product kernel (a multiple of its
/// tile's rows): the tiles' running sums for one strip of B stay in L1
/// and L2 between runs of k.
const DOT_MC: usize = 192;
/// Bytes of each sum's lanes in the dot-product kernel: one AVX-512
/// vector, two AVX2 vectors, four NEON ones, 16 `f32` one by one. The
/// same lanes on every instruction set, so the same bits.
const DOT_BYTES: usize = 64;
/// The most entries the blocks of a product cut along k may hold apart
/// (one m × n block per `KC` terms of k): 256 KB per thread in `f32`.
const PARTIAL_MAX: usize = 1 << 16;

/// A float the micro-kernel has vectors for: [`f32`] and [`f64`].
pub trait Element: LinalgScalar + PartialEq + Pod + Send + Sync {
    /// A SIMD vector of `Self` for the instruction set `S`.
    type V<S: Simd>: Copy + Pod;
    /// `x` in every lane.
    fn splat<S: Simd>(simd: S, x: Self) -> Self::V<S>;
    /// `a · b + c`, fused where the CPU has fused multiply-add.
    fn fma<S: Simd>(
        simd: S,
        a: Self::V<S>,
        b: Self::V<S>,
        c: Self::V<S>,
    ) -> Self::V<S>;
    /// A slice seen as whole vectors, and what is left over.
    fn as_simd<S: Simd>(xs: &[Self]) -> (&[Self::V<S>], &[Self]);
    /// Runs `f` with this thread's packing buffers for `Self`.
    fn with_packs<R>(f: impl FnOnce(&mut Packs<Self>) -> R) -> R;
    /// e^x without branches, so that a loop of it vectorizes (inside
    /// [`simd`](crate::simd)); within 2 ulp of the C library's.
    fn exp(x: Self) -> Self;
}

thread_local! {
    static PACKS_F32: RefCell<Packs<f32>> = RefCell::default();
    static PACKS_F64: RefCell<Packs<f64>> = RefCell::default();
}

impl Element for f32 {
    type V<S: Simd> = S::f32s;
    #[inline(always)]
    fn splat<S: Simd>(simd: S, x: f32) -> S::f32s {
        simd.splat_f32s(x)
    }
    #[inline(always)]
    fn fma<S: Simd>(simd: S, a: S::f32s, b: S::f32s, c: S::f32s) -> S::f32s {
        simd.mul_add_e_f32s(a, b, c)
    }
    #[inline(always)]
    fn as_simd<S: Simd>(xs: &[f32]) -> (&[S::f32s], &[f32]) {
        S::as_simd_f32s(xs)
    }
    fn with_packs<R>(f: impl FnOnce(&mut Packs<f32>) -> R) -> R {
        PACKS_F32.with_borrow_mut(f)
    }
    #[inline(always)]
    fn exp(x: f32) -> f32 {
        crate::elementwise::exp_f32(x)
    }
}

impl Element for f64 {
    type V<S: Simd> = S::f64s;
    #[inline(always)]
    fn splat<S: Simd>(simd: S, x: f64) -> S::f64s {
        simd.splat_f64s(x)
    }
    #[inline(always)]
    fn fma<S: Simd>(simd: S, a: S::f64s, b: S::f64s, c: S::f64s) -> S::f64s {
        simd.mul_add_e_f64s(a, b, c)
    }
    #[inline(always)]
    fn as_simd<S: Simd>(xs: &[f64]) -> (&[S::f64s], &[f64]) {
        S::as_simd_f64s(xs)
    }
    fn with_packs<R>(f: impl FnOnce(&mut Packs<f64>) -> R) -> R {
        PACKS_F64.with_borrow_mut(f)
    }
    #[inline(always)]
    fn exp(x: f64) -> f64 {
        crate::elementwise::exp_f64(x)
    }
}

/// The widest vector instructions this CPU gives the product: `AVX-512`
/// (x86-64-v4), `AVX2+FMA` (x86-64-v3), `NEON`, or `scalar` (one lane:
/// the same kernel, no SIMD). What the CPU has, whatever
/// [`limit_instructions`](crate::limit_instructions) holds it to.
pub fn instruction_set() -> &'static str {
    struct Width;
    impl WithSimd for Width {
        type Output = usize;
        #[inline(always)]
        fn with_simd<S: Simd>(self, _: S) -> usize {
            size_of::<S::f32s>()
        }
    }
    match (Arch::new().dispatch(Width), cfg!(target_arch = "aarch64")) {
        (64, _) => "AVX-512",
        (32, _) => "AVX2+FMA",
        (16, true) => "NEON",
        _ => "scalar",
    }
}

/// One thread's scratch space: the packed blocks of A and B.
#[derive(Clone, Default)]
pub struct Packs<T> {
    a: Vec<T>,
    b: Vec<T>,
    /// The dot-product kernel's running sums, lane by lane, between runs
    /// of k.
    sums: Vec<T>,
    /// Each block of k's share of a product cut along k.
    partial: Vec<T>,
    /// One block of C (MC × NC at most) on its way to a follow-up rule.
    block: Vec<T>,
    /// [`with_scratch`]'s buffer.
    scratch: Vec<T>,
}

/// Bytes of a cache line, where the packing buffers start: a vector
/// load that straddles two lines costs about twice one that does not,
/// and a large allocation starts 16 bytes past a page.
const LINE: usize = 64;

/// The first `len` entries of `buf` from its first cache line boundary,
/// `buf` grown to hold them (and kept, so that later calls allocate
/// nothing).
fn aligned<T: Element>(buf: &mut Vec<T>, len: usize) -> &mut [T] {
    let extra = LINE / size_of::<T>();
    if buf.len() < len + extra {
        buf.resize(len + extra, T::zero());
    }
    // The address is a multiple of T's size, so this is exact.
    let skip = (buf.as_ptr() as usize).wrapping_neg() % LINE / size_of::<T>();
    &mut buf[skip..skip + len]
}

/// Runs `work` with this thread's scratch buffer of `len` entries, which
/// starts a cache line and whose contents are whatever was left in it:
/// for work buffers that a thread fills and reads back while they are in
/// its core's cache (a piece of a batch's intermediate results), rather
/// than one part of a batch-sized matrix per piece, which the caches
/// would write back to memory. The buffer is kept between calls, so a
/// call allocates only when it asks for more than the thread's buffer
/// holds. Products may run inside `work` (it is not borrowed from the
/// product's buffers); a `with_scratch` inside `work` gets a fresh
/// buffer, allocated on every such call.
pub fn with_scratch<T: Element, R>(
    len: usize,
    work: impl FnOnce(&mut [T]) -> R,
) -> R {
    let mut buffer = T::with_packs(|packs| std::mem::take(&mut packs.scratch));
    let out = work(aligned(&mut buffer, len));
    T::with_packs(|packs| packs.scratch = buffer);
    out
}

/// A (rows, cols) matrix of zeros, stored row by row, whose first entry
/// starts a cache line: where `cols` is a multiple of 16 `f32` (8 `f64`),
/// every row does, and the dot-product kernel's vector loads from it never
/// straddle two lines (about a third faster than from a matrix that
/// starts, as large allocations do, 16 bytes past a line).
pub fn aligned_zeros<T: Element>((rows, cols): (usize, usize)) -> Array2<T> {
    let len = rows * cols;
    let whole = Array1::zeros(len + LINE / size_of::<T>());
    let skip = (whole.as_ptr() as usize).wrapping_neg() % LINE / size_of::<T>();
    whole
        .slice_move(ndarray::s![skip..skip + len])
        .into_shape_with_order((rows, cols))
        .expect("a contiguous run of rows × cols entries")
}

/// Sizes the packing buffers of every thread of the current pool for any
/// product (about 2.5 MB per thread in `f32`), so that no later product
/// allocates, whichever thread it lands on. Work stealing decides which
/// threads a product's pieces run on; without this, a thread's first
/// product would allocate its buffers, at some unpredictable step.
pub fn prepare<T: Element>() {
    rayon::broadcast(|_| {
        T::with_packs(|packs| {
            aligned(&mut packs.a, MC * KC);
            aligned(&mut packs.b, NC * KC);
            let lanes = DOT_BYTES / size_of::<T>();
            aligned(&mut packs.sums, DOT_MC * DOT_MAX_COLS * lanes);
            packs.partial.reserve(PARTIAL_MAX);
            aligned(&mut packs.block, MC.next_multiple_of(MR_WIDE) * NC);
        })
    });
}

/// C ← α·A·B + β·C, for A (m, k), B (k, n), C (m, n), any strides: the
/// same call as ndarray's `general_mat_mul`. With β = 0, C's old contents
/// are ignored (even NaN). A product with one column (n = 1) goes to
/// ndarray's matrix-vector product, which allocates nothing either.
///
/// # Panics
/// If the shapes do not fit together.
pub fn gemm<T: Element>(
    alpha: T,
    a: &ArrayView2<T>,
    b: &ArrayView2<T>,
    beta: T,
    c: &mut ArrayViewMut2<T>,
) {
    let threads = rayon::current_num_threads();
    multiply(alpha, a, b, Start::Scaled(beta), c, threads);
}

/// C ← α·A·B + b·1ᵀ: the product with the column `b` added to each of
/// its columns (a linear layer's W x + b), written in the product's own
/// pass over C instead of a pass of its own. C's old contents are
/// ignored. The same bits as filling C with b and calling [`gemm`] with
/// β = 1.
///
/// # Panics
/// If the shapes do not fit together.
pub fn gemm_bias<T: Element>(
    alpha: T,
    a: &ArrayView2<T>,
    b: &ArrayView2<T>,
    bias: &ArrayView1<T>,
    c: &mut ArrayViewMut2<T>,
) {
    assert_eq!(bias.len(), c.nrows(), "one bias per row of C");
    let threads = rayon::current_num_threads();
    multiply(alpha, a, b, Start::Bias(bias.view()), c, threads);
}

/// [`gemm`] with C cut between the threads by rows wherever it has rows
/// enough (rather than along its longer side): each thread's piece of a
/// row-major C is one run of memory, in order. A parallel pass over C's
/// memory afterwards — a weight update over ∂C/∂W — cuts it the same way
/// (halves, then halves of halves, the first half on the calling
/// thread), so each thread tends to find its part of C still in its own
/// caches. The same numbers as [`gemm`], entry for entry.
///
/// # Panics
/// If the shapes do not fit together.
pub fn gemm_by_rows<T: Element>(
    alpha: T,
    a: &ArrayView2<T>,
    b: &ArrayView2<T>,
    beta: T,
    c: &mut ArrayViewMut2<T>,
) {
    let threads = rayon::current_num_threads();
    let start = Start::Scaled(beta);
    let cut = (Cut::Rows, threads);
    multiply_cut(alpha, a, b, start, c, None::<Follow<T, NoRule<T>>>, cut);
}

/// The product α·A·B, cut between the threads as [`gemm_by_rows`] cuts
/// it, each entry handed to `rule(p, s, c)` with the matching entries of
/// `p` and `s`: a weight update (parameters `p`, the optimizer's state
/// `s`, the gradient) made block by block as the product finishes each
/// block, on the thread that made it, while the block is in the core's L2
/// cache, rather than in a pass of its own that reads the whole gradient
/// back from memory. The rule runs row by row through a block, so that
/// `p` and `s` are read in straight lines the processor prefetches. The
/// same numbers as [`gemm_by_rows`] with β = 0 followed by `rule` over
/// the three, entry by entry.
///
/// `c` is scratch shaped like the product. Where k fits in one block (a
/// weight gradient summed over a minibatch), each block goes to a buffer
/// of the thread's own and `c` is not written; a longer k keeps its
/// partial sums in `c`, and the rarer routes (one column, the
/// dot-product kernel, a product cut along k) write all of it and then
/// apply the rule. Its contents afterwards are unspecified.
///
/// # Panics
/// If the shapes do not fit together, or `p` or `s` is not shaped as C.
pub fn gemm_by_rows_then<T: Element, F>(
    alpha: T,
    a: &ArrayView2<T>,
    b: &ArrayView2<T>,
    c: &mut ArrayViewMut2<T>,
    p: &mut ArrayViewMut2<T>,
    s: &mut ArrayViewMut2<T>,
    rule: &F,
) where
    F: Fn(&mut T, &mut T, &T) + Sync,
{
    assert!(
        p.dim() == c.dim() && s.dim() == c.dim(),
        "parameters {:?} and state {:?} shaped as C {:?}",
        p.dim(),
        s.dim(),
        c.dim()
    );
    let threads = rayon::current_num_threads();
    let start = Start::Scaled(T::zero());
    let (p, s) = (p.view_mut(), s.view_mut());
    let follow = Some(Follow { p, s, rule });
    multiply_cut(alpha, a, b, start, c, follow, (Cut::Rows, threads));
}

/// A rule for products with nothing to follow them.
type NoRule<T> = fn(&mut T, &mut T, &T);

/// What follows a product entry by entry ([`gemm_by_rows_then`]): `rule`
/// on the entries of `p`, `s` and C at the same place. Cut with C.
struct Follow<'a, T, F> {
    p: ArrayViewMut2<'a, T>,
    s: ArrayViewMut2<'a, T>,
    rule: &'a F,
}

impl<'a, T: Element, F: Fn(&mut T, &mut T, &T) + Sync> Follow<'a, T, F> {
    /// The parts for C's two pieces, cut where C is.
    fn split_at(self, axis: Axis, at: usize) -> (Self, Self) {
        let (p1, p2) = self.p.split_at(axis, at);
        let (s1, s2) = self.s.split_at(axis, at);
        let rule = self.rule;
        (Follow { p: p1, s: s1, rule }, Follow { p: p2, s: s2, rule })
    }

    /// The rule over the whole of a finished C.
    fn all(&mut self, c: &ArrayViewMut2<T>) {
        ndarray::Zip::from(&mut self.p)
            .and(&mut self.s)
            .and(c)
            .for_each(self.rule);
    }

    /// The rule over the rows `rows` and columns `cols` of a finished C,
    /// given as `c`, those entries alone.
    #[inline(always)]
    fn block(
        &mut self,
        rows: Range<usize>,
        cols: Range<usize>,
        c: ArrayView2<T>,
    ) {
        let rule = self.rule;
        let (mut p, mut s) = (
            self.p.slice_mut(ndarray::s![rows.clone(), cols.clone()]),
            self.s.slice_mut(ndarray::s![rows, cols]),
        );
        for ((mut p_row, mut s_row), c_row) in
            p.rows_mut().into_iter().zip(s.rows_mut()).zip(c.rows())
        {
            match (p_row.as_slice_mut(), s_row.as_slice_mut(), c_row.to_slice())
            {
                (Some(p), Some(s), Some(c)) => {
                    for ((p, s), c) in p.iter_mut().zip(s).zip(c) {
                        rule(p, s, c);
                    }
                }
                _ => {
                    let each = ndarray::Zip::from(&mut p_row)
                        .and(&mut s_row)
                        .and(&c_row);
                    each.for_each(rule);
                }
            }
        }
    }
}

/// How [`split`] cuts C between threads.
#[derive(Clone, Copy, PartialEq)]
enum Cut {
    /// Along C's longer side.
    Longer,
    /// Along its rows, where there are two tiles' worth or more.
    Rows,
}

/// What the product is added to: β·C, or a column added to every column.
#[derive(Clone, Copy)]
enum Start<'a, T> {
    Scaled(T),
    Bias(ArrayView1<'a, T>),
}

impl<'a, T: Element> Start<'a, T> {
    /// The same start, borrowed for a shorter time (views are invariant
    /// in their lifetime, so the product's views must all share one).
    fn reborrow(&self) -> Start<'_, T> {
        match self {
            Start::Scaled(beta) => Start::Scaled(*beta),
            Start::Bias(b) => Start::Bias(b.view()),
        }
    }

    /// The part of the start for rows `rows` of C.
    fn rows(self, rows: Range<usize>) -> Self {
        match self {
            Start::Bias(b) => Start::Bias(b.slice_move(ndarray::s![rows])),
            scaled => scaled,
        }
    }

    /// C set to its start (for a product with nothing to add: k = 0 or
    /// α = 0).
    fn apply(self, c: &mut ArrayViewMut2<T>) {
        match self {
            Start::Scaled(beta) => scale(beta, c),
            Start::Bias(b) => {
                for (mut row, &b) in c.rows_mut().into_iter().zip(&b) {
                    row.fill(b);
                }
            }
        }
    }
}

/// [`gemm`] on the calling thread alone: for products too small to be
/// worth waking other threads for, called many times in a row (a
/// recurrent network's step), or from inside work already spread across
/// threads. The same numbers as [`gemm`], entry for entry.
///
/// # Panics
/// If the shapes do not fit together.
pub fn gemm_serial<T: Element>(
    alpha: T,
    a: &ArrayView2<T>,
    b: &ArrayView2<T>,
    beta: T,
    c: &mut ArrayViewMut2<T>,
) {
    multiply(alpha, a, b, Start::Scaled(beta), c, 1);
}

/// The product on at most `threads` threads (of the current pool).
fn multiply<T: Element>(
    alpha: T,
    a: &ArrayView2<T>,
    b: &ArrayView2<T>,
    start: Start<T>,
    c: &mut ArrayViewMut2<T>,
    threads: usize,
) {
    let cut = (Cut::Longer, threads);
    multiply_cut(alpha, a, b, start, c, None::<Follow<T, NoRule<T>>>, cut);
}

/// [`multiply`], with C cut between the threads as `cut` says, and
/// `follow` after it.
fn multiply_cut<T: Element, F: Fn(&mut T, &mut T, &T) + Sync>(
    alpha: T,
    a: &ArrayView2<T>,
    b: &ArrayView2<T>,
    start: Start<T>,
    c: &mut ArrayViewMut2<T>,
    follow: Option<Follow<T, F>>,
    (cut, threads): (Cut, usize),
) {
    let ((m, k), (k2, n)) = (a.dim(), b.dim());
    assert!(
        k == k2 && c.dim() == (m, n),
        "matrix product of ({m}, {k}) and ({k2}, {n}) into {:?}",
        c.dim()
    );
    if n == 1 {
        // A matrix times a vector (a batch of one): packing B into
        // slivers of 16 columns would waste 15 of them.
        let beta = match start {
            Start::Scaled(beta) => beta,
            Start::Bias(_) => {
                start.apply(c);
                T::one()
            }
        };
        let mut y = c.column_mut(0);
        general_mat_vec_mul(alpha, a, &b.column(0), beta, &mut y);
        if let Some(mut follow) = follow {
            follow.all(c);
        }
        return;
    }
    let pieces = threads.min((m * n * k / PIECE_MIN_WORK).max(1));
    let arch = crate::isa::arch();
    let start = start.reborrow();
    let (a, b) = (a.view(), b.view());
    let mut follow = follow;
    let follow = follow.as_mut().map(|f| Follow {
        p: f.p.view_mut(),
        s: f.s.view_mut(),
        rule: f.rule,
    });
    let c = Out {
        c: c.view_mut(),
        follow,
    };
    split(arch, pieces, cut, alpha, a, b, start, c);
}

/// Where a product goes: C, and what follows it there.
struct Out<'a, T, F> {
    c: ArrayViewMut2<'a, T>,
    follow: Option<Follow<'a, T, F>>,
}

impl<'a, T: Element, F: Fn(&mut T, &mut T, &T) + Sync> Out<'a, T, F> {
    /// The parts for C's two pieces.
    fn split_at(self, axis: Axis, at: usize) -> (Self, Self) {
        let (c1, c2) = self.c.split_at(axis, at);
        let (f1, f2) = match self.follow {
            Some(f) => {
                let (f1, f2) = f.split_at(axis, at);
                (Some(f1), Some(f2))
            }
            None => (None, None),
        };
        (Out { c: c1, follow: f1 }, Out { c: c2, follow: f2 })
    }

    /// The follow-up over the whole of C, once C is finished.
    fn follow_all(&mut self) {
        if let Some(follow) = &mut self.follow {
            follow.all(&self.c);
        }
    }
}

/// Cuts C into `pieces` as `cut` says, at whole tiles, and computes them
/// at once.
#[allow(clippy::too_many_arguments, reason = "one product, cut in two")]
fn split<'a, T: Element, F: Fn(&mut T, &mut T, &T) + Sync>(
    arch: Arch,
    pieces: usize,
    cut: Cut,
    alpha: T,
    a: ArrayView2<'a, T>,
    b: ArrayView2<'a, T>,
    start: Start<'a, T>,
    c: Out<'a, T, F>,
) {
    let (m, n) = c.c.dim();
    // At whole tiles (nr columns or MR rows), the nearest to an even split.
    let by_rows = cut == Cut::Rows && m >= 2 * MR_WIDE;
    let (axis, len, tile) = if n >= m && !by_rows {
        (
            Axis(1),
            n,
            NR_VECTORS * arch.dispatch(Lanes::<T>::default()),
        )
    } else {
        (Axis(0), m, MR_WIDE)
    };
    let left = pieces / 2;
    let at = (len * left / pieces.max(1) + tile / 2) / tile * tile;
    let uncut = at == 0 || at >= len;
    // A product C cannot be cut for may still be cut along k.
    let k = a.ncols();
    let blocks = k.div_ceil(block_len(k, dots(&a, &b)));
    let k_cut = blocks >= 2 && blocks * m * n <= PARTIAL_MAX;
    if pieces >= 2 && uncut && k_cut && alpha != T::zero() {
        let mut c = c;
        let (a, b, start) = (a.view(), b.view(), start.reborrow());
        split_k(arch, pieces, alpha, a, b, start, c.c.view_mut());
        c.follow_all();
        return;
    }
    if pieces < 2 || uncut {
        T::with_packs(|packs| run_out(arch, alpha, a, b, start, c, packs));
        return;
    }
    let (c1, c2) = c.split_at(axis, at);
    let ((a1, a2), (b1, b2)) = if axis == Axis(1) {
        ((a, a), b.split_at(Axis(1), at))
    } else {
        (a.split_at(Axis(0), at), (b, b))
    };
    let (s1, s2) = if axis == Axis(1) {
        (start, start)
    } else {
        (start.rows(0..at), start.rows(at..len))
    };
    rayon::join(
        || split(arch, left, cut, alpha, a1, b1, s1, c1),
        || split(arch, pieces - left, cut, alpha, a2, b2, s2, c2),
    );
}

/// Terms of k per block for a product with inner dimension `k`: equal
/// blocks of at most `KC` (784 = 2 × 392, not 512 + 272), or `DOT_KC` for
/// the dot-product kernel.
fn block_len(k: usize, dots: bool) -> usize {
    let most = if dots { DOT_KC } else { KC };
    k.div_ceil(k.div_ceil(most).max(1)).max(1)
}

/// Whether a product goes to the dot-product kernel: A's rows and B's
/// columns both run along k, one straight line of memory each, and k is
/// long (a weight gradient δ Xᵀ summed over every position of a batch).
/// Packing such a B would transpose all of it, and a C so much smaller
/// than A and B would read each packed number only a few times; reading
/// both where they lie and summing each entry of C as a dot product
/// costs nothing but the sums. Decided by the shapes and strides alone,
/// so every piece of a product, on any thread, decides the same.
fn dots<T>(a: &ArrayView2<T>, b: &ArrayView2<T>) -> bool {
    a.ncols() >= DOT_MIN_K && a.strides()[1] == 1 && b.strides()[0] == 1
}

/// A product whose C is too small to cut between the threads (a weight
/// gradient summed over many positions: C of 20 × 25, k of 36,864) but
/// whose k has two blocks or more: the blocks of k are shared out
/// instead. Each block's product is kept apart — exactly what one thread
/// computes for that block before adding it to C — and the blocks are
/// then added into C in order on the calling thread: the same operations
/// in the same order as one thread's product, so the same bits.
fn split_k<'a, T: Element>(
    arch: Arch,
    pieces: usize,
    alpha: T,
    a: ArrayView2<'a, T>,
    b: ArrayView2<'a, T>,
    start: Start<'a, T>,
    mut c: ArrayViewMut2<'a, T>,
) {
    let ((m, k), n) = (a.dim(), b.ncols());
    let kc = block_len(k, dots(&a, &b));
    let blocks = k.div_ceil(kc);
    // Taken out of this thread's packs while the blocks run: one of them
    // may run on this thread and need its packs.
    let mut partial = T::with_packs(|packs| std::mem::take(&mut packs.partial));
    partial.clear();
    partial.resize(blocks * m * n, T::zero());
    share_blocks(arch, pieces, a, b, kc, 0..blocks, &mut partial);
    for (i, t) in partial.chunks_exact(m * n).enumerate() {
        // The first block starts from β·C or the bias, later ones add on.
        let start = if i == 0 {
            start.reborrow()
        } else {
            Start::Scaled(T::one())
        };
        for (r, (t, mut c)) in t.chunks_exact(n).zip(c.rows_mut()).enumerate() {
            let (beta, add) = match start {
                Start::Scaled(beta) => (beta, None),
                Start::Bias(ref b) => (T::zero(), Some(b[r])),
            };
            for (c, &t) in c.iter_mut().zip(t) {
                let c = std::slice::from_mut(c);
                match add {
                    None => write_back(alpha, &[t], beta, c),
                    Some(b) => write_bias(alpha, &[t], b, c),
                }
            }
        }
    }
    T::with_packs(|packs| packs.partial = partial);
}

/// Each block of k in `blocks` multiplied on its own into `out` (one
/// m × n block after another), the blocks shared between `pieces`
/// threads.
fn share_blocks<T: Element>(
    arch: Arch,
    pieces: usize,
    a: ArrayView2<T>,
    b: ArrayView2<T>,
    kc: usize,
    blocks: Range<usize>,
    out: &mut [T],
) {
    let (m, n) = (a.nrows(), b.ncols());
    if pieces < 2 || blocks.len() < 2 {
        T::with_packs(|packs| {
            for (i, t) in blocks.zip(out.chunks_exact_mut(m * n)) {
                let terms = i * kc..((i + 1) * kc).min(a.ncols());
                let a = a.slice_axis(Axis(1), Slice::from(terms.clone()));
                let b = b.slice_axis(Axis(0), Slice::from(terms));
                let t = ArrayViewMut2::from_shape((m, n), t)
                    .expect("m × n entries");
                let zero = Start::Scaled(T::zero());
                run_from(arch, T::one(), a, b, zero, t, packs);
            }
        });
        return;
    }
    let left = pieces / 2;
    let mid = blocks.start + blocks.len() * left / pieces;
    let (out1, out2) = out.split_at_mut((mid - blocks.start) * m * n);
    rayon::join(
        || share_blocks(arch, left, a, b, kc, blocks.start..mid, out1),
        || share_blocks(arch, pieces - left, a, b, kc, mid..blocks.end, out2),
    );
}

/// One thread's product, with the CPU's vector instructions.
pub(crate) fn run<T: Element>(
    arch: Arch,
    alpha: T,
    a: ArrayView2<T>,
    b: ArrayView2<T>,
    beta: T,
    c: ArrayViewMut2<T>,
    packs: &mut Packs<T>,
) {
    run_from(arch, alpha, a, b, Start::Scaled(beta), c, packs);
}

fn run_from<'a, T: Element>(
    arch: Arch,
    alpha: T,
    a: ArrayView2<'a, T>,
    b: ArrayView2<'a, T>,
    start: Start<'a, T>,
    c: ArrayViewMut2<'a, T>,
    packs: &mut Packs<T>,
) {
    let c = Out::<T, NoRule<T>> { c, follow: None };
    run_out(arch, alpha, a, b, start, c, packs);
}

/// [`run_from`] into C and what follows it.
fn run_out<'a, T: Element, F: Fn(&mut T, &mut T, &T) + Sync>(
    arch: Arch,
    alpha: T,
    a: ArrayView2<'a, T>,
    b: ArrayView2<'a, T>,
    start: Start<'a, T>,
    Out { c, follow }: Out<'a, T, F>,
    packs: &mut Packs<T>,
) {
    arch.dispatch(Product {
        alpha,
        a,
        b,
        start,
        c,
        follow,
        packs,
    });
}

struct Product<'a, 'p, T, F = NoRule<T>> {
    alpha: T,
    a: ArrayView2<'a, T>,
    b: ArrayView2<'a, T>,
    start: Start<'a, T>,
    c: ArrayViewMut2<'a, T>,
    /// What follows each finished block of C.
    follow: Option<Follow<'a, T, F>>,
    packs: &'p mut Packs<T>,
}

impl<T: Element, F: Fn(&mut T, &mut T, &T) + Sync> WithSimd
    for Product<'_, '_, T, F>
{
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) {
        if self.a.ncols() == 0 || self.alpha == T::zero() {
            // Nothing to add: C is its start (β·C, or the bias).
            let mut c = Out {
                c: self.c,
                follow: self.follow,
            };
            self.start.apply(&mut c.c);
            c.follow_all();
            return;
        }
        if dots(&self.a, &self.b) {
            // Tiles of rows × columns, each sum in DOT_BYTES of lanes
            // (W vectors): as many sums as the vector registers hold.
            let Product {
                alpha,
                a,
                b,
                start,
                mut c,
                follow,
                packs,
            } = self;
            let p = Product {
                alpha,
                a: a.view(),
                b: b.view(),
                start: start.reborrow(),
                c: c.view_mut(),
                follow: None::<Follow<T, NoRule<T>>>,
                packs,
            };
            match size_of::<T::V<S>>() {
                64 => dot_product::<T, S, 4, 6, 1>(simd, p),
                32 => dot_product::<T, S, 2, 3, 2>(simd, p),
                16 => dot_product::<T, S, 2, 3, 4>(simd, p),
                8 => dot_product::<T, S, 1, 1, 8>(simd, p),
                _ => dot_product::<T, S, 1, 1, 16>(simd, p),
            }
            Out { c, follow }.follow_all();
            return;
        }
        // An A read in place keeps tiles of 6 rows (12 row pointers
        // would not fit the general registers); a packed A takes 12
        // where there are 32 vector registers.
        let in_place = self.a.strides()[1] == 1;
        if size_of::<S::f32s>() == 64 && !in_place {
            product::<T, S, MR_WIDE, F>(simd, self);
        } else {
            product::<T, S, MR, F>(simd, self);
        }
    }
}

/// The product with tiles of `R` rows.
#[inline(always)]
fn product<T: Element, S: Simd, const R: usize, F>(
    simd: S,
    p: Product<'_, '_, T, F>,
) where
    F: Fn(&mut T, &mut T, &T) + Sync,
{
    let Product {
        alpha,
        a,
        b,
        start,
        mut c,
        mut follow,
        packs,
    } = p;
    let ((m, k), n) = (a.dim(), b.ncols());
    let nr = NR_VECTORS * lanes::<T, S>();
    // Sized for the largest block this product needs; kept after.
    // Equal blocks rather than full ones and a sliver: 784 = 2 × 392,
    // not 512 + 272.
    let kc_max = block_len(k, false);
    // A whose rows run along k is read where it lies: each row of a
    // sliver is already one straight line in memory.
    let a_in_place = a.strides()[1] == 1 && R == MR;
    let mc_max = m.div_ceil(m.div_ceil(MC)).next_multiple_of(R);
    let a_len = mc_max * kc_max;
    let b_len = NC.min(n.next_multiple_of(nr)) * kc_max;
    let (packed_a, packed_b) =
        (aligned(&mut packs.a, a_len), aligned(&mut packs.b, b_len));
    // A follow-up after a single block of k needs C's blocks for a moment
    // only: they go to a buffer that stays in L2, not to C's memory.
    // (From zero: C's old contents and a bias are not in the buffer.)
    let one_block = kc_max >= k;
    let from_zero = matches!(start, Start::Scaled(beta) if beta == T::zero());
    let mut scratch = match (&follow, one_block && from_zero) {
        (Some(_), true) => {
            let len = mc_max * NC.min(n);
            Some(aligned(&mut packs.block, len))
        }
        _ => None,
    };
    for jc in (0..n).step_by(NC) {
        let nc = NC.min(n - jc);
        for pc in (0..k).step_by(kc_max) {
            let kc = kc_max.min(k - pc);
            pack::<T, S>(b.t(), jc..jc + nc, pc, kc, nr, packed_b);
            // The first block of k starts from β·C or the bias; later
            // ones add to C.
            let start = if pc == 0 {
                start
            } else {
                Start::Scaled(T::one())
            };
            for ic in (0..m).step_by(mc_max) {
                let mc = mc_max.min(m - ic);
                let a_block = if a_in_place {
                    let block = (ic..ic + mc, pc..pc + kc);
                    ASlivers::InPlace(
                        a.slice_move(ndarray::s![block.0, block.1]),
                    )
                } else {
                    pack::<T, S>(a, ic..ic + mc, pc, kc, R, packed_a);
                    ASlivers::Packed(packed_a)
                };
                let (rows, cols) = (ic..ic + mc, jc..jc + nc);
                if let (Some(follow), Some(scratch)) =
                    (follow.as_mut(), scratch.as_deref_mut())
                {
                    // The block into the buffer (its rows and columns
                    // counted from the block's corner), then the rule.
                    let block = Block {
                        alpha,
                        start,
                        kc,
                        rows: 0..mc,
                        cols: 0..nc,
                    };
                    let mut part = ArrayViewMut2::from_shape(
                        (mc, nc),
                        &mut scratch[..mc * nc],
                    )
                    .expect("mc × nc entries");
                    block_product::<T, S, R>(
                        simd, &block, a_block, packed_b, nr, &mut part,
                    );
                    follow.block(rows, cols, part.view());
                    continue;
                }
                let block = Block {
                    alpha,
                    start,
                    kc,
                    rows: rows.clone(),
                    cols: cols.clone(),
                };
                block_product::<T, S, R>(
                    simd, &block, a_block, packed_b, nr, &mut c,
                );
                // What follows C follows its last block of k, block by
                // block while the block is in the core's L2 cache.
                if let Some(follow) = follow.as_mut()
                    && pc + kc == k
                {
                    let part = c.slice(ndarray::s![rows.clone(), cols.clone()]);
                    follow.block(rows, cols, part);
                }
            }
        }
    }
}

/// Lanes in one vector of `T` on the instruction set pulp picked.
struct Lanes<T>(std::marker::PhantomData<T>);

impl<T> Default for Lanes<T> {
    fn default() -> Self {
        Lanes(std::marker::PhantomData)
    }
}

impl<T: Element> WithSimd for Lanes<T> {
    type Output = usize;
    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) -> usize {
        lanes::<T, S>()
    }
}

/// Lanes in one vector of `T` under `S`.
fn lanes<T: Element, S: Simd>() -> usize {
    size_of::<T::V<S>>() / size_of::<T>()
}

/// C ← β·C, where β = 0 clears C (0 · NaN would be NaN).
fn scale<T: Element>(beta: T, c: &mut ArrayViewMut2<T>) {
    if beta == T::zero() {
        c.fill(T::zero());
    } else if beta != T::one() {
        c.map_inplace(|x| *x = *x * beta);
    }
}

/// Copies src[r0.., p0..p0+kc] into `out` as slivers of `width` rows:
/// for each sliver, k by k, its `width` entries side by side, with zeros
/// past row r0 + len. A is packed as it is, B as Bᵀ. Inlined into the
/// product, so that its copies are compiled with the product's vector
/// instructions.
#[inline(always)]
fn pack<T: Element, S: Simd>(
    src: ArrayView2<T>, // (r, k)
    rows: Range<usize>,
    p0: usize,
    kc: usize,
    width: usize,
    out: &mut [T],
) {
    let src = src.slice_axis(Axis(1), Slice::from(p0..p0 + kc));
    let slivers = out.chunks_exact_mut(width * kc);
    for (r0, sliver) in rows.clone().step_by(width).zip(slivers) {
        let here = width.min(rows.end - r0);
        if here < width {
            sliver.fill(T::zero());
        }
        let block = src.slice_axis(Axis(0), Slice::from(r0..r0 + here));
        if block.strides()[0] == 1 || here == 1 {
            // Stored column by column: each k is `here` entries in a row,
            // copied as one piece of a size known when compiling (a small
            // product packs a few hundred of them).
            match here {
                6 => copy_columns::<T, 6>(block, sliver, width),
                8 => copy_columns::<T, 8>(block, sliver, width),
                12 => copy_columns::<T, 12>(block, sliver, width),
                16 => copy_columns::<T, 16>(block, sliver, width),
                32 => copy_columns::<T, 32>(block, sliver, width),
                _ => {
                    let columns = block.columns().into_iter();
                    for (column, out_k) in
                        columns.zip(sliver.chunks_exact_mut(width))
                    {
                        out_k.iter_mut().zip(column).for_each(|(x, v)| {
                            *x = *v;
                        });
                    }
                }
            }
        } else if block.strides()[1] == 1 {
            // Stored row by row: gather one entry from each row per k.
            let mut row_slices: [&[T]; MAX_NR] = [&[]; MAX_NR];
            for (i, slot) in row_slices.iter_mut().take(here).enumerate() {
                *slot = block.row(i).to_slice().expect("unit stride");
            }
            gather::<T, S>(&row_slices[..here], sliver, width);
        } else {
            for (p, out_k) in sliver.chunks_exact_mut(width).enumerate() {
                for (x, v) in out_k.iter_mut().zip(block.column(p)) {
                    *x = *v;
                }
            }
        }
    }
}

/// `out[p·width..][..H]` = column p of `block` (H rows), for every p.
#[inline(always)]
fn copy_columns<T: Element, const H: usize>(
    block: ArrayView2<T>,
    out: &mut [T],
    width: usize,
) {
    let columns = block.columns().into_iter();
    for (column, out_k) in columns.zip(out.chunks_exact_mut(width)) {
        let out_k: &mut [T; H] =
            (&mut out_k[..H]).try_into().expect("H ≤ width");
        match column.to_slice() {
            Some(column) => *out_k = column.try_into().expect("H entries"),
            None => out_k.iter_mut().zip(column).for_each(|(x, v)| *x = *v),
        }
    }
}

/// `out[p·width + i] = rows[i][p]`: a transpose. In `f32` on x86-64,
/// squares of eight rows by eight k go through vector registers
/// ([`transpose_squares`]); the rest, eight k at a time, so that each row
/// is read eight entries at once and each entry is stored without a
/// bounds check of its own.
#[inline(always)]
fn gather<T: Element, S: Simd>(rows: &[&[T]], out: &mut [T], width: usize) {
    const P: usize = 8;
    let kc = out.len() / width;
    let done = transpose_squares::<T, S>(rows, out, width);
    let (whole, rest) = out.split_at_mut(kc / P * P * width);
    for (pb, eight) in whole.chunks_exact_mut(P * width).enumerate() {
        let mut outs = eight.chunks_exact_mut(width);
        let mut outs: [&mut [T]; P] = std::array::from_fn(|_| {
            let out_k = outs.next().expect("P slices of width");
            &mut out_k[..rows.len()]
        });
        for (i, row) in rows.iter().enumerate().skip(done) {
            let v: &[T; P] = row[pb * P..][..P].try_into().expect("P entries");
            for (out_k, &v) in outs.iter_mut().zip(v) {
                out_k[i] = v;
            }
        }
    }
    let p0 = kc / P * P;
    for (p, out_k) in rest.chunks_exact_mut(width).enumerate() {
        for (x, row) in out_k.iter_mut().zip(rows) {
            *x = row[p0 + p];
        }
    }
}

/// The part of [`gather`] done eight rows by eight k at a time in AVX
/// registers: every whole square of the first rows.len() / 8 · 8 rows and
/// kc / 8 · 8 k. Returns how many rows it did (0 where T is not `f32` or
/// the product runs without AVX2).
#[inline(always)]
fn transpose_squares<T: Element, S: Simd>(
    rows: &[&[T]],
    out: &mut [T],
    width: usize,
) -> usize {
    #[cfg(target_arch = "x86_64")]
    if size_of::<T>() == 4
        && size_of::<S::f32s>() >= 32
        && rows.len() >= 8
        && let Some(simd) = pulp::x86::V3::try_new()
    {
        let squares = rows.len() / 8 * 8;
        let out: &mut [f32] = bytemuck::cast_slice_mut(out);
        let kc = out.len() / width;
        // No closure around the intrinsics: a closure does not inherit
        // the caller's AVX, and each intrinsic would become a call.
        for (g, group) in rows[..squares].chunks_exact(8).enumerate() {
            let group: [&[f32]; 8] = std::array::from_fn(|i| {
                bytemuck::cast_slice(&group[i][..kc / 8 * 8])
            });
            for (pb, eight) in out.chunks_exact_mut(8 * width).enumerate() {
                let square: [&[f32; 8]; 8] = std::array::from_fn(|i| {
                    group[i][pb * 8..][..8].try_into().expect("8 entries")
                });
                let square = transpose8(simd, square);
                let outs = eight.chunks_exact_mut(width);
                for (out_k, column) in outs.zip(square) {
                    let out_k: &mut [f32; 8] =
                        (&mut out_k[g * 8..][..8]).try_into().expect("8");
                    *out_k = column;
                }
            }
        }
        return squares;
    }
    let _ = (rows, out, width);
    0
}

/// The columns of an 8 × 8 square of `f32` given by its rows: unpack
/// pairs of rows, shuffle pairs of pairs, then swap 128-bit halves.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn transpose8(simd: pulp::x86::V3, rows: [&[f32; 8]; 8]) -> [[f32; 8]; 8] {
    use std::arch::x86_64::__m256;
    let avx = simd.avx;
    let [r0, r1, r2, r3, r4, r5, r6, r7] = rows;
    let r = |row: &[f32; 8]| -> __m256 { bytemuck::cast(*row) };
    let (r0, r1, r2, r3) = (r(r0), r(r1), r(r2), r(r3));
    let (r4, r5, r6, r7) = (r(r4), r(r5), r(r6), r(r7));
    // t: rows 2j and 2j + 1 interleaved, k = 0, 1, 4, 5 (lo) or 2, 3, 6, 7.
    let t0 = avx._mm256_unpacklo_ps(r0, r1);
    let t1 = avx._mm256_unpackhi_ps(r0, r1);
    let t2 = avx._mm256_unpacklo_ps(r2, r3);
    let t3 = avx._mm256_unpackhi_ps(r2, r3);
    let t4 = avx._mm256_unpacklo_ps(r4, r5);
    let t5 = avx._mm256_unpackhi_ps(r4, r5);
    let t6 = avx._mm256_unpacklo_ps(r6, r7);
    let t7 = avx._mm256_unpackhi_ps(r6, r7);
    // s: four rows of k = q and q + 4 (rows 0–3 in s0–s3, 4–7 in s4–s7).
    let s0 = avx._mm256_shuffle_ps::<0x44>(t0, t2);
    let s1 = avx._mm256_shuffle_ps::<0xEE>(t0, t2);
    let s2 = avx._mm256_shuffle_ps::<0x44>(t1, t3);
    let s3 = avx._mm256_shuffle_ps::<0xEE>(t1, t3);
    let s4 = avx._mm256_shuffle_ps::<0x44>(t4, t6);
    let s5 = avx._mm256_shuffle_ps::<0xEE>(t4, t6);
    let s6 = avx._mm256_shuffle_ps::<0x44>(t5, t7);
    let s7 = avx._mm256_shuffle_ps::<0xEE>(t5, t7);
    let columns = [
        avx._mm256_permute2f128_ps::<0x20>(s0, s4),
        avx._mm256_permute2f128_ps::<0x20>(s1, s5),
        avx._mm256_permute2f128_ps::<0x20>(s2, s6),
        avx._mm256_permute2f128_ps::<0x20>(s3, s7),
        avx._mm256_permute2f128_ps::<0x31>(s0, s4),
        avx._mm256_permute2f128_ps::<0x31>(s1, s5),
        avx._mm256_permute2f128_ps::<0x31>(s2, s6),
        avx._mm256_permute2f128_ps::<0x31>(s3, s7),
    ];
    bytemuck::cast(columns)
}

/// Where one packed block goes in C, and how.
struct Block<'a, T> {
    alpha: T,
    start: Start<'a, T>,
    kc: usize,
    rows: Range<usize>,
    cols: Range<usize>,
}

/// Where the kernel reads a block of A from.
enum ASlivers<'a, T> {
    /// Packed: slivers of MR rows, k by k.
    Packed(&'a [T]),
    /// The block as it lies, each row contiguous along k.
    InPlace(ArrayView2<'a, T>),
}

/// C[rows, cols] ← α·(A's block)(packed B) + β·C[rows, cols], one MR × nr
/// tile at a time.
#[inline(always)]
fn block_product<T: Element, S: Simd, const R: usize>(
    simd: S,
    block: &Block<'_, T>,
    a: ASlivers<T>,
    packed_b: &[T],
    nr: usize,
    c: &mut ArrayViewMut2<T>,
) {
    let (kc, rows, cols) = (block.kc, block.rows.clone(), block.cols.clone());
    let zero = T::splat(simd, T::zero());
    let b_slivers = packed_b.chunks_exact(nr * kc);
    let runs = kc.div_ceil(KSUB);
    if runs == 1 {
        for (jr, b_sliver) in cols.step_by(nr).zip(b_slivers) {
            let (b_vectors, _) = T::as_simd::<S>(b_sliver);
            for ir in rows.clone().step_by(R) {
                let sums = [[zero; NR_VECTORS]; R];
                let at = (ir - rows.start, kc);
                let tile =
                    tile::<T, S, R>(simd, &a, at, 0..kc, sums, b_vectors);
                write_tile(block, nr, ir, jr, tile, c);
            }
        }
        return;
    }
    // A sliver of B with more than KSUB terms of k is read in runs of at
    // most KSUB, each staying in L1 while every tile of the block's rows
    // reads it; a tile's sums are kept between runs and carried on in the
    // same order, so the same bits.
    let run_len = kc.div_ceil(runs);
    let mut kept = [[zero; NR_VECTORS]; MC];
    for (jr, b_sliver) in cols.step_by(nr).zip(b_slivers) {
        let (b_vectors, _) = T::as_simd::<S>(b_sliver);
        for k0 in (0..kc).step_by(run_len) {
            let k1 = kc.min(k0 + run_len);
            let b_run = &b_vectors[k0 * NR_VECTORS..k1 * NR_VECTORS];
            for ir in rows.clone().step_by(R) {
                let i0 = ir - rows.start;
                let sums = match k0 {
                    0 => [[zero; NR_VECTORS]; R],
                    _ => std::array::from_fn(|i| kept[i0 + i]),
                };
                let at = (i0, kc);
                let tile = tile::<T, S, R>(simd, &a, at, k0..k1, sums, b_run);
                match k1 < kc {
                    true => kept[i0..i0 + R].copy_from_slice(&tile),
                    false => write_tile(block, nr, ir, jr, tile, c),
                }
            }
        }
    }
}

/// `sums` plus the tile of rows i0.. of A's block times a sliver of B
/// (`b`, already cut to `terms`), over the terms `terms` of the block's
/// `kc`.
#[inline(always)]
fn tile<T: Element, S: Simd, const R: usize>(
    simd: S,
    a: &ASlivers<T>,
    (i0, kc): (usize, usize),
    terms: Range<usize>,
    sums: [[T::V<S>; NR_VECTORS]; R],
    b: &[T::V<S>],
) -> [[T::V<S>; NR_VECTORS]; R] {
    match a {
        ASlivers::Packed(packed) => {
            // Slivers of R rows, kc terms each, k by k.
            let sliver =
                &packed[i0 * kc + terms.start * R..][..terms.len() * R];
            kernel(simd, sums, sliver, b)
        }
        ASlivers::InPlace(block) => {
            // Rows past the block's end repeat its last row; their part
            // of the tile is never written.
            let last = block.nrows() - 1;
            let row = |i: usize| {
                let row = block.row((i0 + i).min(last));
                let row = row.to_slice().expect("rows contiguous along k");
                &row[terms.clone()]
            };
            let sums = std::array::from_fn(|i| sums[i.min(R - 1)]);
            let tile = kernel_in_place(simd, sums, std::array::from_fn(row), b);
            std::array::from_fn(|i| tile[i.min(MR - 1)])
        }
    }
}

/// C's part of one finished tile (rows ir.., columns jr..): C ← α·tile +
/// β·C, or α·tile + b for a bias b (the same bits as C filled with b and
/// then α·tile + 1·C).
#[inline(always)]
fn write_tile<T: Element, V: Pod, const R: usize>(
    block: &Block<'_, T>,
    nr: usize,
    ir: usize,
    jr: usize,
    tile: [[V; NR_VECTORS]; R],
    c: &mut ArrayViewMut2<T>,
) {
    let (alpha, start, rows) = (block.alpha, block.start, &block.rows);
    let tile: &[T] = bytemuck::cast_slice(&tile);
    // Only the part of the tile inside C is written.
    let width = nr.min(block.cols.end - jr);
    for i in 0..R.min(rows.end - ir) {
        let tile_row = &tile[i * nr..i * nr + width];
        let mut c_row = c.row_mut(ir + i);
        let cols = jr..jr + width;
        let (beta, add) = match start {
            Start::Scaled(beta) => (beta, None),
            Start::Bias(b) => (T::zero(), Some(b[ir + i])),
        };
        match c_row.as_slice_mut() {
            Some(c_row) => {
                let c = &mut c_row[cols.clone()];
                match add {
                    None => write_back(alpha, tile_row, beta, c),
                    Some(b) => write_bias(alpha, tile_row, b, c),
                }
            }
            None => {
                for (j, &t) in cols.zip(tile_row) {
                    let x = std::slice::from_mut(&mut c_row[j]);
                    match add {
                        None => write_back(alpha, &[t], beta, x),
                        Some(b) => write_bias(alpha, &[t], b, x),
                    }
                }
            }
        }
    }
}

/// c ← α·t + β·c, where β = 0 ignores the old c.
#[inline(always)]
fn write_back<T: Element>(alpha: T, t: &[T], beta: T, c: &mut [T]) {
    if beta == T::zero() {
        c.iter_mut().zip(t).for_each(|(c, &t)| *c = alpha * t);
    } else {
        c.iter_mut()
            .zip(t)
            .for_each(|(c, &t)| *c = alpha * t + beta * *c);
    }
}

/// c ← α·t + b.
#[inline(always)]
fn write_bias<T: Element>(alpha: T, t: &[T], b: T, c: &mut [T]) {
    c.iter_mut().zip(t).for_each(|(c, &t)| *c = alpha * t + b);
}

/// The micro-kernel: the MR × nr tile of (A sliver)(B sliver), summed over
/// k onto `acc` with one fused multiply-add per vector per row.
#[inline(always)]
fn kernel<T: Element, S: Simd, const R: usize>(
    simd: S,
    mut acc: [[T::V<S>; NR_VECTORS]; R],
    a: &[T],
    b: &[T::V<S>],
) -> [[T::V<S>; NR_VECTORS]; R] {
    for (a_k, b_k) in a.chunks_exact(R).zip(b.chunks_exact(NR_VECTORS)) {
        for (acc_i, &a_ik) in acc.iter_mut().zip(a_k) {
            let a_ik = T::splat(simd, a_ik);
            for (acc_ij, &b_kj) in acc_i.iter_mut().zip(b_k) {
                *acc_ij = T::fma(simd, a_ik, b_kj, *acc_ij);
            }
        }
    }
    acc
}

/// The micro-kernel on MR rows of A read where they lie (row i of the
/// sliver is `a[i]`, along k): the same sums, in the same order, as
/// [`kernel`] on the packed sliver.
#[inline(always)]
fn kernel_in_place<T: Element, S: Simd>(
    simd: S,
    mut acc: [[T::V<S>; NR_VECTORS]; MR],
    a: [&[T]; MR],
    b: &[T::V<S>],
) -> [[T::V<S>; NR_VECTORS]; MR] {
    let [a0, a1, a2, a3, a4, a5] = a;
    let a_k = a0.iter().zip(a1).zip(a2).zip(a3).zip(a4).zip(a5);
    let b_k = b.chunks_exact(NR_VECTORS);
    for ((((((&x0, &x1), &x2), &x3), &x4), &x5), b_k) in a_k.zip(b_k) {
        for (acc_i, a_ik) in acc.iter_mut().zip([x0, x1, x2, x3, x4, x5]) {
            let a_ik = T::splat(simd, a_ik);
            for (acc_ij, &b_kj) in acc_i.iter_mut().zip(b_k) {
                *acc_ij = T::fma(simd, a_ik, b_kj, *acc_ij);
            }
        }
    }
    acc
}

/// One tile's sums in the dot-product kernel: `R` rows by `C` columns,
/// each `W` vectors of lanes.
type DotTile<T, S, const R: usize, const C: usize, const W: usize> =
    [[[<T as Element>::V<S>; W]; C]; R];

/// The most columns of B in one tile of the dot-product kernel.
const DOT_MAX_COLS: usize = 6;

/// The product for A's rows and B's columns both along k ([`dots`]): each
/// tile of `R` rows of A and `C` columns of B, read where they lie, is
/// `R·C` dot products, each summed in `W` vectors (`DOT_BYTES` of lanes:
/// lane l adds the terms l, l + L, l + 2L, … of the block) and folded
/// into one number at the block's end ([`fold`]). Then C ← α·sum + β·C
/// for the first block of k, C += α·sum for later ones, like the packed
/// kernel.
#[inline(always)]
fn dot_product<
    T: Element,
    S: Simd,
    const R: usize,
    const C: usize,
    const W: usize,
>(
    simd: S,
    p: Product<'_, '_, T>,
) {
    let Product {
        alpha,
        a,
        b,
        start,
        mut c,
        packs,
        ..
    } = p;
    let ((m, k), n) = (a.dim(), b.ncols());
    let lanes = DOT_BYTES / size_of::<T>();
    let kc_max = block_len(k, true);
    let sums_len = DOT_MC.next_multiple_of(R) * C * lanes;
    // One tile's running sums after another, for the rows of a block.
    let kept: &mut [DotTile<T, S, R, C, W>] =
        bytemuck::cast_slice_mut(aligned(&mut packs.sums, sums_len));
    let zero = [[[T::splat(simd, T::zero()); W]; C]; R];
    let run_len = DOT_SUB_BYTES / size_of::<T>();
    for pc in (0..k).step_by(kc_max) {
        let kc = kc_max.min(k - pc);
        let start = if pc == 0 {
            start.reborrow()
        } else {
            Start::Scaled(T::one())
        };
        for ic in (0..m).step_by(DOT_MC) {
            let rows = ic..m.min(ic + DOT_MC);
            for jc in (0..n).step_by(C) {
                // Columns past C's end repeat its last column, rows past
                // the end its last row; those sums are never written.
                let column = |j: usize| {
                    let column = b.column((jc + j).min(n - 1));
                    let column = column.to_slice().expect("along k");
                    &column[pc..pc + kc]
                };
                let columns: [&[T]; C] = std::array::from_fn(column);
                for k0 in (0..kc).step_by(run_len) {
                    let k1 = kc.min(k0 + run_len);
                    let b_run = columns.map(|col| &col[k0..k1]);
                    for (t, ir) in rows.clone().step_by(R).enumerate() {
                        let row = |i: usize| {
                            let row = a.row((ir + i).min(m - 1));
                            let row = row.to_slice().expect("along k");
                            &row[pc + k0..pc + k1]
                        };
                        let tile = &mut kept[t];
                        if k0 == 0 {
                            *tile = zero;
                        }
                        let a_run = std::array::from_fn(row);
                        dot_kernel(simd, tile, a_run, b_run);
                    }
                }
                for (t, ir) in rows.clone().step_by(R).enumerate() {
                    for (i, sums) in kept[t].iter().enumerate() {
                        if ir + i >= m {
                            break;
                        }
                        let (beta, add) = match start {
                            Start::Scaled(beta) => (beta, None),
                            Start::Bias(ref b) => (T::zero(), Some(b[ir + i])),
                        };
                        for (j, lanes) in sums.iter().enumerate() {
                            if jc + j >= n {
                                break;
                            }
                            let t = fold::<T>(bytemuck::cast_slice(lanes));
                            let c = &mut c[(ir + i, jc + j)];
                            match add {
                                None => {
                                    write_back(alpha, &[t], beta, from_mut(c))
                                }
                                Some(b) => {
                                    write_bias(alpha, &[t], b, from_mut(c))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `acc[i][j]` plus the dot product of `a[i]` and `b[j]` (one run of k,
/// the same length each), lane by lane: whole groups of `DOT_BYTES` in
/// vectors, then the last, partial group padded with zeros.
#[inline(always)]
fn dot_kernel<
    T: Element,
    S: Simd,
    const R: usize,
    const C: usize,
    const W: usize,
>(
    simd: S,
    acc: &mut DotTile<T, S, R, C, W>,
    a: [&[T]; R],
    b: [&[T]; C],
) {
    let lanes = DOT_BYTES / size_of::<T>();
    let len = a[0].len();
    let groups = len / lanes;
    let whole = groups * lanes;
    // Each run as groups of W vectors, cut to exactly `groups` long, so
    // that indexing below needs no bounds checks.
    fn in_groups<T: Element, S: Simd, const W: usize>(
        run: &[T],
        whole: usize,
        groups: usize,
    ) -> &[[T::V<S>; W]] {
        let (vectors, _) = T::as_simd::<S>(&run[..whole]);
        &vectors.as_chunks::<W>().0[..groups]
    }
    let a_g = a.map(|run| in_groups::<T, S, W>(run, whole, groups));
    let b_g = b.map(|run| in_groups::<T, S, W>(run, whole, groups));
    let mut sums = *acc;
    for g in 0..groups {
        let b_jg: [[T::V<S>; W]; C] = std::array::from_fn(|j| b_g[j][g]);
        for (sums_i, a_i) in sums.iter_mut().zip(&a_g) {
            let a_ig = a_i[g];
            for (sums_ij, b_jg) in sums_i.iter_mut().zip(&b_jg) {
                for ((sum, &a), &b) in sums_ij.iter_mut().zip(&a_ig).zip(b_jg) {
                    *sum = T::fma(simd, a, b, *sum);
                }
            }
        }
    }
    if whole < len {
        // The last group, padded with zeros: 0·0 adds nothing.
        let pad = |run: &[T]| -> [T::V<S>; W] {
            let mut group = [T::zero(); DOT_BYTES / 4];
            group[..len - whole].copy_from_slice(&run[whole..]);
            let (vectors, _) = T::as_simd::<S>(&group[..lanes]);
            std::array::from_fn(|v| vectors[v])
        };
        let (a_last, b_last) = (a.map(pad), b.map(pad));
        for (sums_i, a_ig) in sums.iter_mut().zip(&a_last) {
            for (sums_ij, b_jg) in sums_i.iter_mut().zip(&b_last) {
                for ((sum, &a), &b) in sums_ij.iter_mut().zip(a_ig).zip(b_jg) {
                    *sum = T::fma(simd, a, b, *sum);
                }
            }
        }
    }
    *acc = sums;
}

/// One sum's lanes folded into a number, in one fixed order: halves
/// added, then halves of those (lanes l and l + 8, then l and l + 4, …).
#[inline(always)]
fn fold<T: Element>(lanes: &[T]) -> T {
    let mut x = [T::zero(); DOT_BYTES / 4];
    x[..lanes.len()].copy_from_slice(lanes);
    let mut half = lanes.len() / 2;
    while half > 0 {
        for l in 0..half {
            x[l] = x[l] + x[l + half];
        }
        half /= 2;
    }
    x[0]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ladder;
    use ndarray::{Array2, ShapeBuilder};
    use proptest::prelude::*;

    /// Numbers in [-1, 1) from a seed (a small LCG: this crate depends on
    /// no workspace crate, not even the seeded RNG of `shared`).
    fn random(seed: u64, rows: usize, cols: usize) -> Array2<f64> {
        let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
        Array2::from_shape_simple_fn((rows, cols), || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695);
            (s >> 11) as f64 / (1u64 << 52) as f64 - 1.0
        })
    }

    /// A (rows, cols) matrix stored column by column.
    fn column_major(seed: u64, rows: usize, cols: usize) -> Array2<f64> {
        let mut out = Array2::zeros((rows, cols).f());
        out.assign(&random(seed, rows, cols));
        out
    }

    fn worst(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
        (a - b).iter().fold(0.0f64, |w, d| w.max(d.abs()))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn matches_the_triple_loop(
            m in 1usize..100, k in 0usize..700,
            n in prop_oneof![Just(1usize), 1usize..100],
            a_transposed: bool, b_transposed: bool,
            alpha in -2.0..2.0f64, beta in prop::sample::select(
                vec![0.0, 1.0, -0.5]),
            seed: u64,
        ) {
            let a = if a_transposed {
                column_major(seed, m, k)
            } else {
                random(seed, m, k)
            };
            let b = if b_transposed {
                column_major(seed ^ 1, k, n)
            } else {
                random(seed ^ 1, k, n)
            };
            let c0 = random(seed ^ 2, m, n);
            let mut expected = c0.clone();
            ladder::naive(alpha, &a.view(), &b.view(), beta,
                &mut expected.view_mut());
            let mut c = c0.clone();
            gemm(alpha, &a.view(), &b.view(), beta, &mut c.view_mut());
            let off = worst(&c, &expected);
            prop_assert!(off <= 1e-12 * (k as f64 + 1.0), "off by {off}");
        }
    }

    /// The one-thread product gives `gemm`'s bits, on a pool of several
    /// threads and whatever the strides (a recurrent step's rows are
    /// every L-th row of a larger matrix).
    #[test]
    fn gemm_serial_is_gemm_to_the_bit() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .expect("a pool");
        pool.install(|| {
            let big = random(5, 96, 128);
            let a = big.slice(ndarray::s![1..;3, ..]); // every third row
            let b = random(6, 128, 200);
            let mut serial = random(7, 32, 200);
            let mut parallel = serial.clone();
            gemm_serial(1.0, &a, &b.view(), 0.5, &mut serial.view_mut());
            gemm(1.0, &a, &b.view(), 0.5, &mut parallel.view_mut());
            assert_eq!(serial, parallel);
        });
    }

    #[test]
    fn f32_matches_f64_to_rounding() {
        let (a, b) = (random(3, 70, 513), random(4, 513, 45));
        let expected = a.dot(&b);
        let mut c = Array2::<f32>::zeros((70, 45));
        let (a32, b32) = (a.mapv(|x| x as f32), b.mapv(|x| x as f32));
        gemm(1.0, &a32.view(), &b32.view(), 0.0, &mut c.view_mut());
        let off = worst(&c.mapv(f64::from), &expected);
        assert!(off < 1e-3, "off by {off}");
    }

    /// The bias added as the product writes C gives the bits of C filled
    /// with the bias and then β = 1: one block of k and two (k > KC), one
    /// column (the matrix-vector product), k = 0, pools of 1–5 threads
    /// (split by rows and by columns).
    #[test]
    fn gemm_bias_is_a_filled_c_plus_the_product() {
        let shapes = [(70, 300, 90), (30, 1100, 200), (200, 64, 40)];
        let more = [(9, 13, 1), (5, 0, 7)];
        for (i, &(m, k, n)) in shapes.iter().chain(&more).enumerate() {
            let a = random(i as u64, m, k).mapv(|x| x as f32);
            let b = column_major(i as u64 + 3, k, n).mapv(|x| x as f32);
            let bias = random(i as u64 + 7, m, 1).mapv(|x| x as f32);
            let bias = bias.column(0);
            let mut filled = Array2::zeros((m, n));
            filled
                .columns_mut()
                .into_iter()
                .for_each(|mut c| c.assign(&bias));
            for threads in 1..=5 {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let (mut expected, mut c) =
                    (filled.clone(), Array2::from_elem((m, n), f32::NAN));
                pool.install(|| {
                    let (a, b) = (a.view(), b.view());
                    gemm(0.5, &a, &b, 1.0, &mut expected.view_mut());
                    gemm_bias(0.5, &a, &b, &bias, &mut c.view_mut());
                });
                assert_eq!(c, expected, "({m}, {k}, {n}), {threads} threads");
            }
        }
    }

    /// The update made as the product is made gives the bits of
    /// `gemm_by_rows` followed by the rule over the three, on every route
    /// a product can take: A read in place and packed, two blocks of k,
    /// one column, k = 0, the dot-product kernel (a long k, both along
    /// k), a product cut along k, and a C whose rows are not contiguous;
    /// pools of 1, 2, 3 and 16 threads. A rule that reads C wrongly (the
    /// entry beside) is caught.
    #[test]
    fn the_follow_up_is_the_product_then_the_rule() {
        let rule = |p: &mut f32, s: &mut f32, &g: &f32| {
            *s = 0.9 * *s - 0.1 * (g + 1e-4 * *p);
            *p += *s;
        };
        // (m, k, n, A stored along k, B stored along k)
        let routes = [
            (256, 64, 784, false, true),
            (256, 64, 784, true, true),
            (40, 1100, 70, true, false),
            (33, 20, 1, true, false),
            (12, 0, 30, true, false),
            (20, 3000, 25, true, true),
            (20, 1200, 25, false, false),
        ];
        for (i, &(m, k, n, a_rows, b_cols)) in routes.iter().enumerate() {
            let i = i as u64;
            let f = |x: Array2<f64>| x.mapv(|x| x as f32);
            let a = match a_rows {
                true => f(random(i, m, k)),
                false => f(column_major(i, m, k)),
            };
            let b = match b_cols {
                true => f(column_major(i + 1, k, n)),
                false => f(random(i + 1, k, n)),
            };
            let (p0, s0) = (f(random(i + 2, m, n)), f(random(i + 3, m, n)));
            for (threads, c_rows) in
                [(1, true), (2, true), (3, false), (16, true)]
            {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let (mut p, mut s) = (p0.clone(), s0.clone());
                let mut c = match c_rows {
                    true => Array2::from_elem((m, n), f32::NAN),
                    false => Array2::from_elem((m, n).f(), f32::NAN),
                };
                let mut expected = (p0.clone(), s0.clone(), c.clone());
                pool.install(|| {
                    let (a, b) = (a.view(), b.view());
                    let (p, s) = (&mut p.view_mut(), &mut s.view_mut());
                    gemm_by_rows_then(
                        0.5,
                        &a,
                        &b,
                        &mut c.view_mut(),
                        p,
                        s,
                        &rule,
                    );
                    let (ep, es, ec) = &mut expected;
                    gemm_by_rows(0.5, &a, &b, 0.0, &mut ec.view_mut());
                    ndarray::Zip::from(ep).and(es).and(&*ec).for_each(rule);
                });
                let at = format!("({m}, {k}, {n}), {threads} threads");
                assert_eq!((p, s), (expected.0, expected.1), "{at}");
            }
        }
        // The comparison sees a product entry handed to the wrong place:
        // p − C, not p − C shifted by a column.
        let (a, b) = (random(1, 24, 16), random(2, 16, 40));
        let (p0, s0) = (random(3, 24, 40), Array2::zeros((24, 40)));
        let mut product = Array2::zeros((24, 40));
        gemm(1.0, &a.view(), &b.view(), 0.0, &mut product.view_mut());
        let (mut p, mut s, mut c) = (p0.clone(), s0, Array2::zeros((24, 40)));
        let (pv, sv) = (&mut p.view_mut(), &mut s.view_mut());
        let step = |p: &mut f64, _: &mut f64, &g: &f64| *p -= g;
        let (a, b) = (a.view(), b.view());
        gemm_by_rows_then(1.0, &a, &b, &mut c.view_mut(), pv, sv, &step);
        let mut shifted = product.clone();
        shifted
            .slice_mut(ndarray::s![.., ..39])
            .assign(&product.slice(ndarray::s![.., 1..]));
        assert_ne!(&p0 - &shifted, p);
        assert_eq!(&p0 - &product, p);
    }

    #[test]
    fn beta_zero_overwrites_nan() {
        let a = Array2::<f64>::ones((7, 3));
        let b = Array2::<f64>::ones((3, 20));
        let mut c = Array2::from_elem((7, 20), f64::NAN);
        gemm(1.0, &a.view(), &b.view(), 0.0, &mut c.view_mut());
        assert!(c.iter().all(|&x| x == 3.0));
        // And an empty inner dimension leaves β·C: here zeros.
        let mut c = Array2::from_elem((7, 20), f64::NAN);
        let (a, b) = (Array2::zeros((7, 0)), Array2::zeros((0, 20)));
        gemm(1.0, &a.view(), &b.view(), 0.0, &mut c.view_mut());
        assert!(c.iter().all(|&x| x == 0.0));
    }

    /// Products of every shape training makes, on pools of 1 to 16
    /// threads (more than this machine has cores), cut along C's longer
    /// side or by rows ([`gemm_by_rows`]): equal to the bit.
    #[test]
    fn every_thread_count_gives_bit_identical_results() {
        let shapes = [(256, 784, 64), (256, 64, 784), (784, 256, 64)];
        // and two for the dot-product kernel (a convolution's ∇W)
        let more = [(300, 60, 33), (40, 4096, 500), (13, 2500, 7)];
        for (i, &(m, k, n)) in shapes.iter().chain(&more).enumerate() {
            let a = random(i as u64, m, k).mapv(|x| x as f32);
            let b = column_major(i as u64 + 9, k, n).mapv(|x| x as f32);
            let on = |threads: usize| {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let mut c = Array2::zeros((m, n));
                pool.install(|| {
                    gemm(1.0, &a.view(), &b.view(), 0.0, &mut c.view_mut())
                });
                c
            };
            let by_rows = |threads: usize| {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let mut c = Array2::zeros((m, n));
                let (a, b) = (a.view(), b.view());
                pool.install(|| {
                    gemm_by_rows(1.0, &a, &b, 0.0, &mut c.view_mut())
                });
                c
            };
            let one = on(1);
            for threads in [2, 3, 4, 8, 16] {
                assert_eq!(on(threads), one, "({m}, {k}, {n}), {threads}");
                let rows = by_rows(threads);
                assert_eq!(rows, one, "by rows: ({m}, {k}, {n}), {threads}");
            }
        }
    }

    /// A product whose C is too small to cut between threads but whose k
    /// is long (a weight gradient's shape: C 20 × 25, k 36,864) is
    /// cut along k instead: the same bits as one thread's, with α and β,
    /// with a bias, and into a C stored column by column.
    #[test]
    fn a_product_cut_along_k_gives_one_threads_bits() {
        let shapes = [(20, 36864, 25), (9, 8000, 20), (8, 9000, 10)];
        for (i, &(m, k, n)) in shapes.iter().enumerate() {
            let i = i as u64;
            let a = random(i, m, k).mapv(|x| x as f32);
            let b = column_major(i + 5, k, n).mapv(|x| x as f32);
            let c0 = random(i + 11, m, n).mapv(|x| x as f32);
            let bias = random(i + 13, m, 1).mapv(|x| x as f32);
            let on = |threads: usize| {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let (a, b) = (a.view(), b.view());
                let mut c = c0.clone();
                let mut by_columns = Array2::zeros((m, n).f());
                by_columns.assign(&c0);
                let mut with_bias = Array2::zeros((m, n));
                pool.install(|| {
                    gemm(0.5, &a, &b, 0.25, &mut c.view_mut());
                    gemm(0.5, &a, &b, 0.25, &mut by_columns.view_mut());
                    let bias = bias.column(0);
                    gemm_bias(0.5, &a, &b, &bias, &mut with_bias.view_mut());
                });
                (c, by_columns, with_bias)
            };
            let one = on(1);
            for threads in [2, 3, 4, 8, 16] {
                assert_eq!(on(threads), one, "({m}, {k}, {n}), {threads}");
            }
        }
    }

    /// A read where it lies (rows along k) and A packed (stored column by
    /// column) give the same numbers to the bit: the two kernels make the
    /// same sums in the same order, partial slivers included.
    #[test]
    fn a_in_place_and_a_packed_agree_to_the_bit() {
        for (m, k, n) in [(256, 784, 64), (37, 600, 70), (5, 3, 33)] {
            let rows = random(m as u64, m, k).mapv(|x| x as f32);
            let mut columns = Array2::zeros((m, k).f());
            columns.assign(&rows);
            let b = random(n as u64, k, n).mapv(|x| x as f32);
            let product = |a: &Array2<f32>| {
                let mut c = Array2::zeros((m, n));
                gemm(1.0, &a.view(), &b.view(), 0.0, &mut c.view_mut());
                c
            };
            assert_eq!(product(&rows), product(&columns), "({m}, {k}, {n})");
        }
    }

    /// A B stored column by column is transposed as it is packed (eight
    /// by eight in vector registers, the edges one by one); stored row by
    /// row, it is copied. The products agree to the bit, whatever is left
    /// over past whole squares of eight columns and eight k (for k below
    /// `DOT_MIN_K`: above it, a B stored column by column goes to the
    /// dot-product kernel).
    #[test]
    fn a_transposed_b_and_a_copied_b_agree_to_the_bit() {
        for (m, k, n) in [(20, 784, 64), (7, 9, 33), (13, 64, 23), (3, 5, 7)] {
            let a = random(m as u64, m, k).mapv(|x| x as f32);
            let rows = random(n as u64, k, n).mapv(|x| x as f32);
            let mut columns = Array2::zeros((k, n).f());
            columns.assign(&rows);
            let product = |b: &Array2<f32>| {
                let mut c = Array2::zeros((m, n));
                gemm(1.0, &a.view(), &b.view(), 0.0, &mut c.view_mut());
                c
            };
            assert_eq!(product(&rows), product(&columns), "({m}, {k}, {n})");
        }
    }

    /// A thread's scratch buffer starts a cache line, is the same memory
    /// from one call to the next (nothing allocated once it is large
    /// enough), and leaves products free to run inside it.
    #[test]
    fn the_scratch_buffer_starts_a_line_and_is_kept() {
        let a = random(1, 7, 30).mapv(|x| x as f32);
        let b = random(2, 30, 9).mapv(|x| x as f32);
        let mut expected = Array2::zeros((7, 9));
        gemm_serial(1.0, &a.view(), &b.view(), 0.0, &mut expected.view_mut());
        let first = with_scratch::<f32, _>(1000, |buf| {
            assert_eq!(buf.len(), 1000);
            assert_eq!(buf.as_ptr() as usize % LINE, 0, "starts a line");
            buf.fill(2.5);
            let mut c = ArrayViewMut2::from_shape((7, 9), &mut buf[..63])
                .expect("63 entries");
            gemm_serial(1.0, &a.view(), &b.view(), 0.0, &mut c);
            assert_eq!(c, expected, "a product inside");
            buf.as_ptr() as usize
        });
        let again = with_scratch::<f32, _>(500, |buf| {
            assert_eq!(buf[100], 2.5, "what was left in it");
            buf.as_ptr() as usize
        });
        assert_eq!(first, again, "the same buffer");
    }

    /// With α = 0 the product adds nothing, on either kernel: C ← β·C,
    /// or the bias (even where A or B hold NaN).
    #[test]
    fn alpha_zero_leaves_the_start() {
        for (m, k, n) in [(7, 30, 9), (5, 3000, 6)] {
            let a = Array2::from_elem((m, k), f64::NAN);
            let b = column_major(1, k, n);
            let c0 = random(2, m, n);
            let mut c = c0.clone();
            gemm(0.0, &a.view(), &b.view(), 0.5, &mut c.view_mut());
            assert_eq!(c, &c0 * 0.5, "({m}, {k}, {n})");
            let bias = random(3, m, 1);
            gemm_bias(
                0.0,
                &a.view(),
                &b.view(),
                &bias.column(0),
                &mut c.view_mut(),
            );
            assert!(
                c.rows()
                    .into_iter()
                    .zip(&bias)
                    .all(|(r, &b)| r.iter().all(|&x| x == b))
            );
        }
    }

    /// The dot-product kernel (A's rows and B's columns along k, k long):
    /// the triple loop's numbers to rounding, in f64 and f32, with α, β
    /// and a bias; edges of tiles in rows and columns, a partial group of
    /// lanes at the end of k, and two blocks of k (k > 8192).
    #[test]
    fn the_dot_product_kernel_matches_the_triple_loop() {
        let shapes =
            [(1, 2048, 2), (5, 2051, 7), (13, 8193, 6), (8, 20000, 13)];
        for (i, &(m, k, n)) in shapes.iter().enumerate() {
            let i = i as u64;
            let (a, b) = (random(i, m, k), column_major(i + 1, k, n));
            assert!(dots(&a.view(), &b.view()), "({m}, {k}, {n})");
            let c0 = random(i + 2, m, n);
            let mut expected = c0.clone();
            let (av, bv) = (a.view(), b.view());
            ladder::naive(0.5, &av, &bv, -0.5, &mut expected.view_mut());
            let mut c = c0.clone();
            gemm(0.5, &av, &bv, -0.5, &mut c.view_mut());
            let off = worst(&c, &expected);
            assert!(off <= 1e-12 * k as f64, "({m}, {k}, {n}): off by {off}");
            let bias = random(i + 3, m, 1);
            let mut with_bias = Array2::from_elem((m, n), f64::NAN);
            gemm_bias(
                0.5,
                &av,
                &bv,
                &bias.column(0),
                &mut with_bias.view_mut(),
            );
            let mut expected = Array2::zeros((m, n));
            ladder::naive(0.5, &av, &bv, 0.0, &mut expected.view_mut());
            expected += &bias;
            let off = worst(&with_bias, &expected);
            assert!(off <= 1e-12 * k as f64, "bias ({m}, {k}, {n}): {off}");
            let (a32, b32) = (a.mapv(|x| x as f32), b.mapv(|x| x as f32));
            let mut c32 = Array2::<f32>::zeros((m, n));
            gemm(1.0, &a32.view(), &b32.view(), 0.0, &mut c32.view_mut());
            let off = worst(&c32.mapv(f64::from), &a.dot(&b));
            assert!(
                off < 1e-3 * (k as f64).sqrt(),
                "f32 ({m}, {k}, {n}): {off}"
            );
        }
    }

    /// The dot-product kernel sums in lanes, not term after term, so where
    /// it applies a B stored column by column (read where it lies) and the
    /// same B stored row by row (packed) differ in the last bits: proof
    /// that the kernel runs (both match the triple loop, above). Below
    /// `DOT_MIN_K` the two layouts agree to the bit (further below).
    #[test]
    fn the_dot_product_kernel_sums_in_another_order() {
        let (m, k, n) = (9, 4096, 11);
        let a = random(1, m, k).mapv(|x| x as f32);
        let rows = random(2, k, n).mapv(|x| x as f32);
        let mut columns = Array2::zeros((k, n).f());
        columns.assign(&rows);
        assert!(dots(&a.view(), &columns.view()));
        assert!(!dots(&a.view(), &rows.view()));
        let product = |b: &Array2<f32>| {
            let mut c = Array2::zeros((m, n));
            gemm(1.0, &a.view(), &b.view(), 0.0, &mut c.view_mut());
            c
        };
        assert_ne!(product(&rows), product(&columns));
    }

    /// `aligned_zeros`: zeros, stored row by row, the first entry on a
    /// 64-byte boundary, for several shapes (large ones come from the
    /// allocator 16 bytes past a line).
    #[test]
    fn aligned_zeros_start_a_cache_line() {
        for shape in [(1, 1), (3, 5), (40, 4096), (500, 4096)] {
            let x = aligned_zeros::<f32>(shape);
            assert_eq!(x.dim(), shape);
            assert!(x.is_standard_layout());
            assert!(x.iter().all(|&v| v == 0.0));
            assert_eq!(x.as_ptr() as usize % LINE, 0, "{shape:?}");
            let y = aligned_zeros::<f64>(shape);
            assert_eq!(y.as_ptr() as usize % LINE, 0, "f64 {shape:?}");
        }
    }

    /// Held to AVX2 on an AVX-512 machine (elsewhere: the same instructions
    /// twice), every product gives the same bits: the blocks of k, and so
    /// the order of every sum, do not depend on the vectors' width (nor
    /// do the dot-product kernel's lanes, 64 bytes on any machine: the
    /// last two shapes, one with a partial group of lanes at the end).
    #[test]
    fn avx2_and_the_widest_instructions_give_the_same_bits() {
        let shapes = [
            (256, 784, 64),
            (256, 64, 784),
            (37, 1100, 70),
            (20, 4100, 25),
            (7, 2049, 9),
        ];
        for (i, &(m, k, n)) in shapes.iter().enumerate() {
            let a = random(i as u64, m, k).mapv(|x| x as f32);
            let b = column_major(i as u64 + 5, k, n).mapv(|x| x as f32);
            let with = |set| {
                let before = crate::limit_instructions(set);
                let mut c = Array2::zeros((m, n));
                gemm(1.0, &a.view(), &b.view(), 0.0, &mut c.view_mut());
                crate::limit_instructions(before);
                c
            };
            let widest = with(crate::Instructions::Widest);
            let avx2 = with(crate::Instructions::Avx2);
            assert_eq!(widest, avx2, "({m}, {k}, {n})");
            // f64: 8 lanes, one AVX-512 vector or two AVX2 ones.
            let (a, b) = (random(7, 5, 3000), column_major(8, 3000, 7));
            let with = |set| {
                let before = crate::limit_instructions(set);
                let mut c = Array2::zeros((5, 7));
                gemm(1.0, &a.view(), &b.view(), 0.0, &mut c.view_mut());
                crate::limit_instructions(before);
                c
            };
            assert_eq!(
                with(crate::Instructions::Widest),
                with(crate::Instructions::Avx2)
            );
        }
    }

    /// The comparison above can fail: a product summed in another order
    /// (k split at 300 of 700, where the product's own blocks are 350 and
    /// 350) differs in the last bits.
    #[test]
    fn another_summation_order_is_caught() {
        let (a, b) = (random(1, 64, 700), random(2, 700, 64));
        let (a, b) = (a.mapv(|x| x as f32), b.mapv(|x| x as f32));
        let mut whole = Array2::zeros((64, 64));
        gemm(1.0, &a.view(), &b.view(), 0.0, &mut whole.view_mut());
        let (a1, a2) = a.view().split_at(Axis(1), 300);
        let (b1, b2) = b.view().split_at(Axis(0), 300);
        let mut halves = Array2::zeros((64, 64));
        gemm(1.0, &a2, &b2, 0.0, &mut halves.view_mut());
        gemm(1.0, &a1, &b1, 1.0, &mut halves.view_mut());
        assert_ne!(whole, halves);
    }

    /// The product runs the widest instructions the CPU reports: on an
    /// AVX-512 machine the AVX-512 kernel (so the tests above test it
    /// there), else AVX2 with FMA. Read from Linux's /proc/cpuinfo.
    #[test]
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    fn runs_the_widest_instructions_the_cpu_has() {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap();
        let flags = cpuinfo
            .lines()
            .find(|line| line.starts_with("flags"))
            .expect("a flags line");
        let has = |flag: &str| flags.split_whitespace().any(|f| f == flag);
        let v4 = ["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"];
        let expected = if v4.iter().all(|f| has(f)) {
            "AVX-512"
        } else if has("avx2") && has("fma") {
            "AVX2+FMA"
        } else {
            "scalar"
        };
        assert_eq!(instruction_set(), expected, "CPU flags: {flags}");
    }

    #[test]
    #[should_panic(expected = "matrix product of (2, 3) and (4, 5)")]
    fn mismatched_shapes_panic_with_the_shapes() {
        let (a, b) = (Array2::<f64>::zeros((2, 3)), Array2::zeros((4, 5)));
        let mut c = Array2::zeros((2, 5));
        gemm(1.0, &a.view(), &b.view(), 0.0, &mut c.view_mut());
    }
}
