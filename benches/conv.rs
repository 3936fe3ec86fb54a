//! Chapter 10's convolutional network on the fast path: one training step
//! (forward and backward) and one forward pass on a minibatch of 64, beside
//! their floor — the same step's matrix products alone, with the same
//! shapes, on the same threads. The gap between step and floor is what
//! im2col, col2im, pooling, ReLU and the bias cost. It prints the
//! products' MFLOP and the FMA peak of the same threads, measured in the
//! same run, to put the times against.
//!
//! Run: `cargo bench --bench conv`.

use std::hint::black_box;

use ch10_cnn::Architecture;
use ch10_cnn::fast::Workspace;
use ch10_cnn::net::Cnn;
use criterion::{Criterion, criterion_group, criterion_main};
use ndarray::Array2;
use shared::rng::{normal_array, seeded};

const BATCH: usize = 64;

/// The (m, k, n) of every matrix product one training step makes, for
/// the architecture and a batch of `m` images.
fn products(arch: Architecture, m: usize) -> Vec<(usize, usize, usize)> {
    let [c1, c2] = arch.channels;
    let k2 = arch.k * arch.k;
    let (conv1, _) = arch.sides(0);
    let (conv2, _) = arch.sides(1);
    let (n1, n2) = (m * conv1 * conv1, m * conv2 * conv2);
    let (f, h, o) = (arch.features(), arch.hidden, arch.classes);
    vec![
        (c1, k2, n1),      // Z¹ = W¹ X¹
        (c2, c1 * k2, n2), // Z² = W² X²
        (h, f, m),         // Z³ = W³ F
        (o, h, m),         // Z⁴ = W⁴ A³
        (o, m, h),         // ∇W⁴ = δ⁴ A³ᵀ
        (h, o, m),         // W⁴ᵀ δ⁴
        (h, m, f),         // ∇W³ = δ³ Fᵀ
        (f, h, m),         // W³ᵀ δ³
        (c2, n2, c1 * k2), // ∇W² = δ² X²ᵀ
        (c1 * k2, c2, n2), // W²ᵀ δ²
        (c1, n1, k2),      // ∇W¹ = δ¹ X¹ᵀ
    ]
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
    let mut operands: Vec<_> = shapes
        .iter()
        .map(|&(m, k, n)| {
            (
                Array2::<f32>::ones((m, k)),
                Array2::<f32>::ones((k, n)),
                Array2::<f32>::zeros((m, n)),
            )
        })
        .collect();
    fastpath::install(fastpath::prepare::<f32>);
    let flops: usize = shapes.iter().map(|&(m, k, n)| 2 * m * k * n).sum();
    let peak = fastpath::install(fastpath::peak::gflops_all_threads::<f32>);
    println!(
        "CNN step: {:.0} MFLOP of products; FMA peak on {} threads ({}): \
         {peak:.0} GFLOP/s",
        flops as f64 / 1e6,
        fastpath::threads(),
        fastpath::instruction_set()
    );
    let mut group = c.benchmark_group("cnn batch 64");
    group.bench_function("training step", |b| {
        b.iter(|| {
            fastpath::install(|| {
                work.backprop(&net, x.view(), &labels, &columns)
            });
            black_box(work.cost)
        })
    });
    group.bench_function("forward pass", |b| {
        b.iter(|| {
            fastpath::install(|| work.forward(&net, x.view(), &columns));
            black_box(work.output(BATCH)[(0, 0)])
        })
    });
    group.bench_function("matrix-product floor of the step", |b| {
        b.iter(|| {
            fastpath::install(|| {
                for (a, bm, cm) in &mut operands {
                    fastpath::gemm(
                        1.0,
                        &a.view(),
                        &bm.view(),
                        0.0,
                        &mut cm.view_mut(),
                    );
                }
            });
            black_box(operands[0].2[(0, 0)])
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
