//! Chapter 10's convolutional network on the fast path: one training step
//! (forward and backward) and one forward pass on a minibatch of 64, beside
//! two floors. The first is the same step's matrix products alone, with
//! the same layouts, each on the whole batch (the step makes the first
//! layer's ∇W in 16 pieces of four images; this floor makes it as one
//! product), on the same threads. The second makes the products as the
//! step makes them: the convolutions' four images at a time on each
//! thread, their operands in cache (each thread multiplies one piece's
//! buffers over and over, as the step multiplies what im2col or the pass
//! before has just written), the rest on the whole batch. The gap between
//! the step and the second floor is the work around the products
//! (im2col, col2im, pooling, ReLU, the bias, softmax) and the hand-overs
//! between threads. It prints the products' MFLOP and the FMA peak of the same threads,
//! measured in the same run, to put the times against.
//!
//! Run: `cargo bench --bench conv`.

use std::hint::black_box;

use ch10_cnn::Architecture;
use ch10_cnn::fast::{PIECE, Workspace};
use ch10_cnn::net::Cnn;
use criterion::{Criterion, criterion_group, criterion_main};
use ndarray::{Array2, ArrayView2, s};
use rayon::prelude::*;
use shared::rng::{normal_array, seeded};
use std::sync::Mutex;

const BATCH: usize = 64;

/// How a product's operand is stored: as its own rows, or as the rows of
/// its transpose (a view `.t()` of a row-major matrix, as the step
/// multiplies Wᵀ δ and δ Xᵀ).
#[derive(Clone, Copy)]
enum Stored {
    Rows,
    Transposed,
}

/// The (m, k, n) of every matrix product one training step makes, for
/// the architecture and a batch of `m` images, with how the step stores
/// A and B.
fn products(
    arch: Architecture,
    m: usize,
) -> Vec<((usize, usize, usize), Stored, Stored)> {
    let [c1, c2] = arch.channels;
    let k2 = arch.k * arch.k;
    let (conv1, _) = arch.sides(0);
    let (conv2, _) = arch.sides(1);
    let (n1, n2) = (m * conv1 * conv1, m * conv2 * conv2);
    let (f, h, o) = (arch.features(), arch.hidden, arch.classes);
    use Stored::{Rows, Transposed};
    vec![
        ((c1, k2, n1), Rows, Rows),            // Z¹ = W¹ X¹
        ((c2, c1 * k2, n2), Rows, Rows),       // Z² = W² X²
        ((h, f, m), Rows, Rows),               // Z³ = W³ F
        ((o, h, m), Rows, Rows),               // Z⁴ = W⁴ A³
        ((o, m, h), Rows, Transposed),         // ∇W⁴ = δ⁴ A³ᵀ
        ((h, o, m), Transposed, Rows),         // W⁴ᵀ δ⁴
        ((h, m, f), Rows, Transposed),         // ∇W³ = δ³ Fᵀ
        ((f, h, m), Transposed, Rows),         // W³ᵀ δ³
        ((c2, n2, c1 * k2), Rows, Transposed), // ∇W² = δ² X²ᵀ
        ((c1 * k2, c2, n2), Transposed, Rows), // W²ᵀ δ²
        ((c1, n1, k2), Rows, Transposed),      // ∇W¹ = δ¹ X¹ᵀ
    ]
}

/// Which of [`products`] the step makes a piece of [`PIECE`] images at a
/// time (the convolutions' Z = W X, Wᵀ δ² and the first layer's ∇W); it
/// makes the others on the whole batch.
const BY_PIECE: [usize; 4] = [0, 1, 9, 10];

/// One product's operands, how A and B are stored, and C.
type Operands = (Array2<f32>, Stored, Array2<f32>, Stored, Array2<f32>);

/// Operands of the given products of a step on `m` images.
fn operands_of(
    shapes: &[((usize, usize, usize), Stored, Stored)],
) -> Vec<Operands> {
    shapes
        .iter()
        .map(|&((m, k, n), a, b)| {
            let c = fastpath::aligned_zeros((m, n));
            (ones((m, k), a), a, ones((k, n), b), b, c)
        })
        .collect()
}

/// A (rows, cols) matrix of ones stored as `stored` says, starting on a
/// cache line like the step's buffers (`fastpath::aligned_zeros`).
fn ones((rows, cols): (usize, usize), stored: Stored) -> Array2<f32> {
    let mut x = match stored {
        Stored::Rows => fastpath::aligned_zeros((rows, cols)),
        Stored::Transposed => fastpath::aligned_zeros((cols, rows)),
    };
    x.fill(1.0);
    x
}

/// `x` as the operand: itself, or the view of its transpose.
fn view(x: &Array2<f32>, stored: Stored) -> ArrayView2<'_, f32> {
    match stored {
        Stored::Rows => x.view(),
        Stored::Transposed => x.t(),
    }
}

fn bench(c: &mut Criterion) {
    let arch = Architecture::MNIST;
    let net = Cnn::<f32>::new(arch, &mut seeded(1));
    let x: Array2<f32> =
        normal_array(&mut seeded(2), (784, BATCH), 0.3).mapv(|v| v as f32);
    let labels: Vec<u8> = (0..BATCH).map(|k| (k % 10) as u8).collect();
    let columns: Vec<usize> = (0..BATCH).collect();
    let mut work = Workspace::new(arch, BATCH);
    let shapes = products(arch, BATCH);
    let mut operands = operands_of(&shapes);
    // The products as the step makes them: one piece's operands for each
    // thread, and the whole batch's for the rest.
    let piece_shapes = products(arch, PIECE);
    let per_piece: Vec<_> = BY_PIECE.iter().map(|&i| piece_shapes[i]).collect();
    let per_thread: Vec<Mutex<Vec<Operands>>> = (0..fastpath::threads())
        .map(|_| Mutex::new(operands_of(&per_piece)))
        .collect();
    let mut whole: Vec<Operands> = operands_of(&shapes)
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !BY_PIECE.contains(i))
        .map(|(_, o)| o)
        .collect();
    let pieces = BATCH.div_ceil(PIECE);
    let piece_flops: usize =
        per_piece.iter().map(|&((m, k, n), ..)| 2 * m * k * n).sum();
    let whole_flops: usize = shapes
        .iter()
        .enumerate()
        .filter(|(i, _)| !BY_PIECE.contains(i))
        .map(|(_, &((m, k, n), ..))| 2 * m * k * n)
        .sum();
    fastpath::install(fastpath::prepare::<f32>);
    let flops: usize =
        shapes.iter().map(|&((m, k, n), ..)| 2 * m * k * n).sum();
    assert_eq!(
        pieces * piece_flops + whole_flops,
        flops,
        "the same products"
    );
    let peak = fastpath::install(fastpath::peak::gflops_all_threads::<f32>);
    println!(
        "CNN step: {:.0} MFLOP of products; FMA peak on {} threads ({}): \
         {peak:.0} GFLOP/s",
        flops as f64 / 1e6,
        fastpath::threads(),
        fastpath::instruction_set()
    );
    let mut group = c.benchmark_group("cnn batch 64");
    // Every row runs on a pool thread with the other threads kept awake
    // (`fastpath::install`) for all of a sample's iterations, as chapter
    // 10's training does for an epoch: an install waits for the other
    // threads to arrive, which a step in training does not pay.
    group.bench_function("training step", |b| {
        fastpath::install(|| {
            b.iter(|| {
                work.backprop(&net, x.view(), &labels, &columns);
                black_box(work.cost)
            })
        })
    });
    group.bench_function("forward pass", |b| {
        fastpath::install(|| {
            b.iter(|| {
                work.forward(&net, x.view(), &columns);
                black_box(work.output(BATCH)[(0, 0)])
            })
        })
    });
    group.bench_function("matrix-product floor of the step", |b| {
        fastpath::install(|| {
            b.iter(|| {
                for (a, a_stored, b, b_stored, c) in &mut operands {
                    let (a, b) = (view(a, *a_stored), view(b, *b_stored));
                    fastpath::gemm(1.0, &a, &b, 0.0, &mut c.view_mut());
                }
                black_box(operands[0].4[(0, 0)])
            })
        })
    });
    group.bench_function(
        "the step's products as the step makes them, in cache",
        |b| {
            fastpath::install(|| {
                b.iter(|| {
                    (0..pieces).into_par_iter().for_each(|_| {
                        let thread =
                            rayon::current_thread_index().expect("on the pool");
                        let mut mine =
                            per_thread[thread].lock().expect("not poisoned");
                        for (a, a_stored, b, b_stored, c) in mine.iter_mut() {
                            let a = view(a, *a_stored);
                            let b = view(b, *b_stored);
                            let mut c = c.view_mut();
                            fastpath::gemm_serial(1.0, &a, &b, 0.0, &mut c);
                        }
                    });
                    for (a, a_stored, b, b_stored, c) in &mut whole {
                        let (a, b) = (view(a, *a_stored), view(b, *b_stored));
                        fastpath::gemm(1.0, &a, &b, 0.0, &mut c.view_mut());
                    }
                    black_box(whole[0].4[(0, 0)])
                })
            })
        },
    );
    // The second layer's weight gradient alone (the dot-product kernel),
    // its operands' rows starting on cache lines as in the step, and
    // starting 16 bytes past a line, as a large allocation does.
    let ((m, k, n), ..) = shapes[8];
    let wide = |rows: usize| {
        let mut x: Array2<f32> = fastpath::aligned_zeros((rows, k + 16));
        x.fill(1.0);
        x
    };
    let (delta, cols) = (wide(m), wide(n));
    let mut nabla_w = Array2::<f32>::zeros((m, n));
    for (name, skip) in [("on cache lines", 0), ("16 bytes past a line", 4)] {
        let part = s![.., skip..skip + k];
        let (a, b) = (delta.slice(part), cols.slice(part));
        let b = b.t();
        group.bench_function(
            format!("∇W² = δ² X²ᵀ alone, rows {name}"),
            |r| {
                fastpath::install(|| {
                    r.iter(|| {
                        let mut c = nabla_w.view_mut();
                        fastpath::gemm(1.0, &a, &b, 0.0, &mut c);
                        black_box(nabla_w[(0, 0)])
                    })
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
