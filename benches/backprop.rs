//! Per-sample against batched backprop for 784-30-10 in f32 (the training
//! type), at batch sizes 1, 10, 32 and 128: samples per second. Batched
//! twice: the lesson's `backprop_batch` and the fast path's `Workspace`.
//!
//! Run: `cargo bench --bench backprop`.

use ch07_minibatches::fast::Workspace;
use ch07_minibatches::{
    Activation, Cost, Gradients, Init, Network, backprop, backprop_batch,
};
use criterion::{
    BenchmarkId, Criterion, Throughput, criterion_group, criterion_main,
};
use ndarray::Array2;
use shared::rng::{DEFAULT_SEED, normal_array, seeded};

fn backprop_throughput(c: &mut Criterion) {
    let mut rng = seeded(DEFAULT_SEED);
    let net = Network::<f32>::new(
        &[784, 30, 10],
        Activation::Sigmoid,
        Activation::Softmax,
        Init::Scaled,
        &mut rng,
    )
    .expect("valid sizes");
    let mut group = c.benchmark_group("backprop 784-30-10 f32");
    for batch in [1usize, 10, 32, 128] {
        let x: Array2<f32> =
            normal_array(&mut rng, (784, batch), 1.0).mapv(|v| v as f32);
        let y: Array2<f32> = Array2::from_shape_fn((10, batch), |(i, k)| {
            f32::from(u8::from(i == k % 10))
        });
        group.throughput(Throughput::Elements(batch as u64));
        group.bench_with_input(
            BenchmarkId::new("per-sample", batch),
            &batch,
            |b, _| {
                let mut mean = Gradients::zeros_like(&net);
                b.iter(|| {
                    for (xk, yk) in x.columns().into_iter().zip(y.columns()) {
                        mean.add_scaled(
                            1.0 / batch as f32,
                            &backprop(&net, xk, yk, Cost::CrossEntropy),
                        );
                    }
                });
            },
        );
        group.bench_with_input(
            BenchmarkId::new("batched (lesson)", batch),
            &batch,
            |b, _| {
                let cost = Cost::CrossEntropy;
                b.iter(|| backprop_batch(&net, x.view(), y.view(), cost));
            },
        );
        let mut workspace = Workspace::new(&net, batch);
        group.bench_with_input(
            BenchmarkId::new("batched (fast)", batch),
            &batch,
            |b, _| {
                // On a pool thread, as a Trainer runs: its products hand
                // work to the other threads directly.
                fastpath::install(|| {
                    b.iter(|| {
                        let cost = Cost::CrossEntropy;
                        workspace.backprop(&net, x.view(), y.view(), cost)
                    })
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, backprop_throughput);
criterion_main!(benches);
