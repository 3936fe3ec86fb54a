//! Chapter 11's engine against chapter 7's hand-written backprop: one
//! minibatch gradient of chapter 8's 784-256-10 network in f32, at batch
//! sizes 16, 64 and 256 — by hand (`backprop_batch`), by the tape
//! (`gradients`), and the tape's recording alone (the forward pass).
//!
//! Run: `cargo bench --bench autodiff`.

use ch07_minibatches::{Cost, Network, backprop_batch};
use ch08_mnist::Config;
use ch11_autodiff::mlp::{gradients, record_cost};
use ch11_autodiff::tensor::Tape;
use criterion::{
    BenchmarkId, Criterion, Throughput, criterion_group, criterion_main,
};
use ndarray::Array2;
use shared::rng::{normal_array, seeded};

fn engine_against_hand(c: &mut Criterion) {
    let config = Config::default_run();
    let mut rng = seeded(config.seed);
    let net = Network::<f32>::new(
        &config.sizes,
        config.hidden,
        config.output,
        config.init,
        &mut rng,
    )
    .expect("valid sizes");
    let cost = Cost::CrossEntropy;
    let mut group = c.benchmark_group("gradient 784-256-10 f32");
    for batch in [16usize, 64, 256] {
        let x: Array2<f32> = normal_array(&mut rng, (784, batch), 1.0)
            .mapv(|v| v.max(0.0) as f32);
        let y: Array2<f32> = Array2::from_shape_fn((10, batch), |(i, k)| {
            f32::from(u8::from(i == k % 10))
        });
        group.throughput(Throughput::Elements(batch as u64));
        group.bench_with_input(
            BenchmarkId::new("by hand", batch),
            &batch,
            |b, _| {
                b.iter(|| backprop_batch(&net, x.view(), y.view(), cost));
            },
        );
        group.bench_with_input(
            BenchmarkId::new("tape", batch),
            &batch,
            |b, _| {
                b.iter(|| gradients(&net, x.view(), y.view(), cost));
            },
        );
        group.bench_with_input(
            BenchmarkId::new("tape: recording only", batch),
            &batch,
            |b, _| {
                b.iter(|| {
                    let mut tape = Tape::new();
                    record_cost(&mut tape, &net, x.view(), y.view(), cost);
                    tape
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, engine_against_hand);
criterion_main!(benches);
