//! Chapter 13's GPT training step in nanoGPT's CPU setting (V = 85,
//! d = 128, 4 blocks of 4 heads, 12 windows of 64 tokens) on the fast
//! path and in the lesson's code, its matrix products alone (the floor
//! the step cannot beat), and the machine's FMA peak, so the step can be
//! read as a fraction of both.
//!
//! Run: `cargo bench --bench transformer` (criterion; `-- --quick` is
//! shorter).

use ch12_sequences::language::{Language, draw_windows};
use ch13_transformer::gpt::{Config, Gpt};
use criterion::{Criterion, criterion_group, criterion_main};
use fastpath::{gemm, gemm_serial};
use ndarray::Array2;
use rayon::prelude::*;
use shared::rng::seeded;

const V: usize = 85;
const D: usize = 128;
const LAYERS: usize = 4;
const HEADS: usize = 4;
const T: usize = 64;
const B: usize = 12;
const N: usize = T * B;

/// One product C (m, n) ← A (m, k) · B (k, n), its buffers made once.
struct Product {
    a: Array2<f32>,
    b: Array2<f32>,
    c: Array2<f32>,
}

impl Product {
    fn new(m: usize, k: usize, n: usize) -> Self {
        let z = |r, c| Array2::from_elem((r, c), 0.01f32);
        Product {
            a: z(m, k),
            b: z(k, n),
            c: z(m, n),
        }
    }

    fn run(&mut self) {
        let (a, b) = (self.a.view(), self.b.view());
        gemm(1.0, &a, &b, 0.0, &mut self.c.view_mut());
    }

    /// On the calling thread alone (attention's small products run side
    /// by side, one (window, head) pair per thread, as the fast path
    /// runs them).
    fn run_serial(&mut self) {
        let (a, b) = (self.a.view(), self.b.view());
        gemm_serial(1.0, &a, &b, 0.0, &mut self.c.view_mut());
    }

    fn flops(&self) -> f64 {
        let ((m, k), n) = (self.a.dim(), self.b.ncols());
        2.0 * (m * k * n) as f64
    }
}

/// The step's large products on the same shapes: per block each linear
/// layer forward (W x) and back (Wᵀδ and δxᵀ), and the output layer's
/// three; each run `times` times.
fn products() -> Vec<(Product, usize)> {
    let mut all = Vec::new();
    for (out, inp) in [(3 * D, D), (D, D), (4 * D, D), (D, 4 * D)] {
        all.push((Product::new(out, inp, N), LAYERS));
        all.push((Product::new(inp, out, N), LAYERS));
        all.push((Product::new(out, N, inp), LAYERS));
    }
    all.push((Product::new(N, D, V), 1)); // zᵀ
    all.push((Product::new(D, N, V), 1)); // ∂W_te
    all.push((Product::new(D, V, N), 1)); // ∂h
    all
}

/// Attention's small products, for one (window, head) pair: S = kᵀq and
/// ∂P = vᵀδ (T × T from d_h), and o = vP, ∂v, ∂q, ∂k (d_h × T from T).
fn pair_products() -> Vec<Product> {
    let d_h = D / HEADS;
    let mut all = Vec::new();
    for _ in 0..2 {
        all.push(Product::new(T, d_h, T));
    }
    for _ in 0..4 {
        all.push(Product::new(d_h, T, T));
    }
    all
}

fn bench(c: &mut Criterion) {
    let config = Config {
        vocab: V,
        block: T,
        layers: LAYERS,
        heads: HEADS,
        width: D,
    };
    let mut rng = seeded(1);
    let gpt = Gpt::<f32>::new(config, &mut rng);
    let stream: Vec<usize> = (0..100_000).map(|i| (i * 7919) % V).collect();
    let windows = draw_windows(&stream, T + 1, B, &mut rng);
    let mut floor = products();
    let pairs = LAYERS * B * HEADS;
    let mut attention: Vec<Vec<Product>> =
        (0..pairs).map(|_| pair_products()).collect();
    let large: f64 = floor.iter().map(|(p, n)| p.flops() * *n as f64).sum();
    let small: f64 = attention.iter().flatten().map(Product::flops).sum();
    let flops = large + small;
    let peak = fastpath::peak::gflops_all_threads::<f32>();
    println!(
        "GPT step: {:.0} MFLOP of products; FMA peak on {} threads ({}): \
         {peak:.0} GFLOP/s",
        flops / 1e6,
        fastpath::threads(),
        fastpath::instruction_set()
    );
    let mut group = c.benchmark_group("gpt_step");
    group.sample_size(20);
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a pool of one thread");
    let every = fastpath::threads();
    for (threads, pool) in [(1, Some(&one)), (every, None)] {
        let on = |work: &mut (dyn FnMut() + Send)| match pool {
            Some(p) => p.install(work),
            None => fastpath::install(work),
        };
        group.bench_function(format!("fast path, {threads} threads"), |b| {
            b.iter(|| {
                on(&mut || {
                    ch13_transformer::fast::loss_and_gradient(
                        &gpt,
                        windows.view(),
                        true,
                    );
                })
            })
        });
        group.bench_function(format!("floor, {threads} threads"), |b| {
            b.iter(|| {
                on(&mut || {
                    for (p, times) in floor.iter_mut() {
                        for _ in 0..*times {
                            p.run();
                        }
                    }
                    attention.par_iter_mut().for_each(|pair| {
                        pair.iter_mut().for_each(Product::run_serial)
                    });
                })
            })
        });
    }
    group.bench_function("lesson", |b| {
        b.iter(|| gpt.loss_and_gradient(windows.view()))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
