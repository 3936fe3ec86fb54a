//! A steady-state training step allocates nothing.
//!
//! Every heap allocation in this program, on any thread, goes through a
//! counting allocator: the system's own, with a counter beside it. After one warm-up epoch has sized every
//! buffer, a second epoch must not allocate at all. The counter is first
//! shown to work: it sees an update rule that copies the gradient, and it
//! sees the scratch buffer ndarray's own matrix product allocates.

use ch07_minibatches::fast::{Trainer, sgd_update};
use ch07_minibatches::{Cost, Gradients, Network};
use ch08_mnist::{Config, Optimizer};
use ndarray::Array2;
use ndarray::linalg::general_mat_mul;
use shared::rng::{Rng, seeded, uniform};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

/// Heap allocations made so far, by every thread.
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

/// The system's allocator, counting each allocation (a reallocation is
/// one too: the trait's default `realloc` and `alloc_zeroed` call
/// `alloc`).
struct Counting;

// Rust's hook for a program's allocator is an unsafe trait: the caller
// promises valid layouts and pointers, which are passed on unchanged.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the layout is the caller's, as `System` requires it.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.load(Ordering::Relaxed)
}

/// Allocations made while running `work`.
fn count(work: impl FnOnce()) -> u64 {
    let before = allocations();
    work();
    allocations() - before
}

/// Allocations made while running `work` on a thread of the pool, as a
/// training run does: entering the pool from outside queues one job for
/// it, and rayon's queue allocates a block of slots now and then (once
/// per 63 jobs) — per epoch, never per step, so not counted here.
fn count_in_pool(work: impl FnOnce() + Send) -> u64 {
    fastpath::install(|| count(work))
}

/// `n` random images with one-hot targets: columns of (784, n), (10, n).
fn data(rng: &mut Rng, n: usize) -> (Array2<f32>, Array2<f32>) {
    let x = Array2::from_shape_simple_fn((784, n), || {
        uniform(rng, 0.0, 1.0) as f32
    });
    let mut y = Array2::zeros((10, n));
    for k in 0..n {
        y[((uniform(rng, 0.0, 10.0) as usize).min(9), k)] = 1.0;
    }
    (x, y)
}

fn main() {
    let config = Config::default_run();
    let mut rng = seeded(config.seed);
    // Eight full minibatches and a short one.
    let n = 8 * config.batch_size + 10;
    let (x, y) = data(&mut rng, n);
    let mut net: Network<f32> = Network::new(
        &config.sizes,
        config.hidden,
        config.output,
        config.init,
        &mut rng,
    )
    .expect("valid sizes");
    let mut trainer = Trainer::new(&net, n, config.batch_size);
    let mut optimizer =
        Optimizer::new(&net, config.momentum, config.weight_decay);
    let mut epoch = |update: &mut (
                              dyn FnMut(&mut Network<f32>, &Gradients<f32>)
                                  + Send
                          )| {
        trainer.epoch_with(
            &mut net,
            x.view(),
            y.view(),
            config.cost,
            config.batch_size,
            &mut rng,
            |net, grads| update(net, grads),
        )
    };

    // Warm-up: the first steps size the matrix products' buffers.
    epoch(&mut |net, grads| optimizer.step_fast(net, grads, 0.1));

    // The counter works: a copy of the gradient in each step is one each.
    let copying = count_in_pool(|| {
        epoch(&mut |_, grads| drop(grads.nabla_w[0].to_owned()));
    });
    assert_eq!(copying, 9, "a copy per step should be 9 allocations");

    // The steady state: nothing.
    let mut steps = 0;
    let steady = count_in_pool(|| {
        steps = epoch(&mut |net, grads| optimizer.step_fast(net, grads, 0.1));
    });
    assert_eq!(steps, 9);
    assert_eq!(
        steady, 0,
        "an epoch of {steps} training steps (784-256-10, batch {}) made \
         {steady} heap allocations after warm-up",
        config.batch_size
    );
    println!(
        "ok: {steps} steps of 784-256-10 (f32, batch {}, {} threads) after \
         warm-up made 0 allocations (a copying update made {copying})",
        config.batch_size,
        fastpath::threads()
    );

    // The route chapter 8 trains on: the same update made inside backprop.
    let inside = count_in_pool(|| {
        steps = trainer.epoch_update(
            &mut net,
            x.view(),
            y.view(),
            config.cost,
            config.batch_size,
            &mut rng,
            optimizer.update(0.1),
            || {},
        );
    });
    assert_eq!(steps, 9);
    assert_eq!(inside, 0, "the update inside backprop made {inside}");
    println!("ok: {steps} steps with the update inside backprop made 0");

    // Chapter 7's plain SGD (fast path) in f64, sigmoid, quadratic cost.
    let mut rng = seeded(7);
    // Ten minibatches of 10 and one of a single sample.
    let (x, y) = data(&mut rng, 101);
    let (x, y) = (x.mapv(f64::from), y.mapv(f64::from));
    let mut net: Network<f64> = Network::new(
        &[784, 30, 10],
        ch07_minibatches::Activation::Sigmoid,
        ch07_minibatches::Activation::Sigmoid,
        ch07_minibatches::Init::StandardNormal,
        &mut rng,
    )
    .expect("valid sizes");
    let mut trainer = Trainer::new(&net, 101, 10);
    let mut sgd_epoch = || {
        trainer.epoch_with(
            &mut net,
            x.view(),
            y.view(),
            Cost::Quadratic,
            10,
            &mut rng,
            |net, grads| sgd_update(net, grads, 3.0),
        )
    };
    sgd_epoch();
    let steady = count_in_pool(|| {
        sgd_epoch();
    });
    assert_eq!(steady, 0, "chapter 7's SGD epoch made {steady} allocations");
    println!("ok: 11 steps of 784-30-10 (f64, sigmoid, batch 10 and 1) made 0");

    // Why fastpath::gemm exists: ndarray's product allocates every call.
    let (a, b) = (Array2::<f32>::ones((256, 784)), Array2::ones((784, 64)));
    let mut c = Array2::zeros((256, 64));
    general_mat_mul(1.0, &a, &b, 0.0, &mut c);
    let ndarray_product = count(|| general_mat_mul(1.0, &a, &b, 0.0, &mut c));
    assert!(ndarray_product > 0, "ndarray's product stopped allocating");
    println!(
        "ok: one ndarray general_mat_mul made {ndarray_product} allocations"
    );
}
