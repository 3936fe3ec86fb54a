//! Chapter 12's GRU training step (Shakespeare's setting: V = 85, H = 128,
//! 32 windows of 64 steps) on the fast path and in the lesson's code, its
//! matrix products alone (the floor the step cannot beat), and the
//! machine's FMA peak, so the step can be read as a fraction of both.
//! The fast path and the floor run as training runs a step: on a pool
//! thread, the others kept awake until it ends (`fastpath::install`).
//!
//! Run: `cargo bench --bench recurrent` (criterion; `-- --quick` is
//! shorter).

use ch12_sequences::fast::GruWorkspace;
use ch12_sequences::gru::Gru;
use ch12_sequences::language::draw_windows;
use criterion::{Criterion, criterion_group, criterion_main};
use fastpath::gemm;
use ndarray::Array2;
use shared::rng::seeded;

const V: usize = 85;
const H: usize = 128;
const B: usize = 32;
const L: usize = 64;

/// The step's matrix products, on the same shapes, and nothing else.
struct Products {
    h: Array2<f32>,
    w_h: Array2<f32>,
    gates: Array2<f32>,
    states: Array2<f32>,
    w_hy: Array2<f32>,
    z: Array2<f32>,
    dw_hy: Array2<f32>,
    dh: Array2<f32>,
    dw_h: Array2<f32>,
    all_gates: Array2<f32>,
}

impl Products {
    fn new() -> Self {
        let z = |r, c| Array2::from_elem((r, c), 0.01f32);
        Products {
            h: z(B, H),
            w_h: z(3 * H, H),
            gates: z(B, 3 * H),
            states: z(L * B, H),
            w_hy: z(V, H),
            z: z(L * B, V),
            dw_hy: z(V, H),
            dh: z(L * B, H),
            dw_h: z(3 * H, H),
            all_gates: z(L * B, 3 * H),
        }
    }

    fn run(&mut self) {
        let (one, zero) = (1.0f32, 0.0f32);
        for _ in 0..L {
            let (h, w_h) = (self.h.view(), self.w_h.view());
            gemm(one, &h, &w_h.t(), zero, &mut self.gates.view_mut());
        }
        let (s, w_hy) = (self.states.view(), self.w_hy.view());
        gemm(one, &s, &w_hy.t(), zero, &mut self.z.view_mut());
        gemm(one, &self.z.t(), &s, zero, &mut self.dw_hy.view_mut());
        gemm(one, &self.z.view(), &w_hy, zero, &mut self.dh.view_mut());
        for _ in 0..L {
            let (g, w_h) = (self.gates.view(), self.w_h.view());
            gemm(one, &g, &w_h, zero, &mut self.h.view_mut());
        }
        let g = self.all_gates.view();
        gemm(one, &g.t(), &s, zero, &mut self.dw_h.view_mut());
    }
}

/// Flops of the step's products: 2 per multiply-add.
fn step_flops() -> f64 {
    let recurrent = 2 * L * B * H * 3 * H; // forward and back, every step
    let output = 3 * L * B * H * V; // z, ∂C/∂W_hy, ∂C/∂h
    let weights = L * B * 3 * H * H; // ∂C/∂W_h
    2.0 * (recurrent + output + weights) as f64
}

fn bench(c: &mut Criterion) {
    let mut rng = seeded(1);
    let model = Gru::<f32>::new(V, H, &mut rng);
    let stream: Vec<usize> = (0..100_000).map(|i| (i * 7919) % V).collect();
    let windows = draw_windows(&stream, L + 1, B, &mut rng);
    let mut g = model.zeros_like();
    let mut workspace = GruWorkspace::new(&model, L, B);
    let mut products = Products::new();
    let peak = fastpath::peak::gflops_all_threads::<f32>();
    println!(
        "GRU step: {:.0} MFLOP of products; FMA peak on {} threads \
         ({}): {peak:.0} GFLOP/s",
        step_flops() / 1e6,
        fastpath::threads(),
        fastpath::instruction_set()
    );
    let mut group = c.benchmark_group("gru_step");
    // Each step on a pool thread with the others kept awake while it runs
    // (`fastpath::install`), as chapter 12's training engine runs it.
    group.bench_function("fast path", |b| {
        b.iter(|| {
            fastpath::install(|| {
                workspace.loss_and_gradient(&model, windows.view(), &mut g)
            })
        })
    });
    group.bench_function("products only (floor)", |b| {
        b.iter(|| fastpath::install(|| products.run()))
    });
    group.bench_function("lesson", |b| {
        b.iter(|| {
            use ch12_sequences::language::Language;
            model.loss_and_gradient(windows.view())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
