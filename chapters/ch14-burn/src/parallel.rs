//! Data parallelism: split a minibatch across workers, let each compute
//! the gradient of its share, and combine them (an **all-reduce**) into
//! the gradient of the whole minibatch. First by hand, with chapter 7's
//! backprop on threads; then by Burn, one model copy per device.

use std::ops::Range;
use std::thread;

use burn::optim::{GradientsParams, ModuleOptimizer, MultiGradientsParams};
use burn::prelude::*;
use burn::tensor::distributed::{
    DistributedConfig, DistributedContext, ReduceOperation, all_reduce,
};
use ch07_minibatches::{Cost, Gradients, Network, backprop_batch};
use ch08_mnist::labels_to_matrix;
use ch08_mnist::warmup_cosine_eta;
use ch12_sequences::language::{Language, draw_windows};
use ch12_sequences::train::{Adam, clip};
use ch13_transformer::gpt::Gpt;
use ch13_transformer::run::Setting;
use ndarray::{Array1, Array2, ArrayView2, s};
use shared::Real;
use shared::rng::{Rng, seeded};

use crate::compare::cross_entropy;
use crate::model::{Mlp, tensor};

/// The minibatch's columns 0..m cut into `workers` nearly equal,
/// contiguous shares (the first m mod workers get one more).
pub fn shares(m: usize, workers: usize) -> Vec<Range<usize>> {
    assert!(workers > 0, "at least one worker");
    let (size, extra) = (m / workers, m % workers);
    let mut start = 0;
    (0..workers)
        .map(|k| {
            let end = start + size + usize::from(k < extra);
            let share = start..end;
            start = end;
            share
        })
        .collect()
}

// ANCHOR: by_hand
/// The whole minibatch's gradient, computed by `workers` threads: worker
/// k runs chapter 7's `backprop_batch` on its share of mₖ samples, then the
/// all-reduce averages the shares, each weighted by its size:
/// ∇C = Σₖ (mₖ/m) ∇Cₖ.
pub fn data_parallel_gradients<T: Real>(
    net: &Network<T>,
    x: ArrayView2<T>, // (n_in, m)
    y: ArrayView2<T>, // (n_out, m)
    cost: Cost,
    workers: usize,
) -> Gradients<T> {
    let m = x.ncols();
    let partial: Vec<(Gradients<T>, usize)> = thread::scope(|scope| {
        let handles: Vec<_> = shares(m, workers)
            .into_iter()
            .filter(|share| !share.is_empty())
            .map(|share| {
                let (x_k, y_k) = (
                    x.slice(s![.., share.clone()]),
                    y.slice(s![.., share.clone()]),
                );
                scope.spawn(move || {
                    (backprop_batch(net, x_k, y_k, cost), share.len())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a worker"))
            .collect()
    });
    all_reduce_mean(&partial, m)
}

// ANCHOR_END: by_hand

// ANCHOR: all_reduce
/// The all-reduce: Σₖ (mₖ/m) ∇Cₖ over the workers' gradients.
pub fn all_reduce_mean<T: Real>(
    partial: &[(Gradients<T>, usize)],
    m: usize,
) -> Gradients<T> {
    let (first, _) = &partial[0];
    let mut total = Gradients {
        nabla_w: first
            .nabla_w
            .iter()
            .map(|w| Array2::zeros(w.raw_dim()))
            .collect(),
        nabla_b: first
            .nabla_b
            .iter()
            .map(|b| Array1::zeros(b.raw_dim()))
            .collect(),
    };
    for (grads, m_k) in partial {
        let share = T::from_f64(*m_k as f64 / m as f64);
        total.add_scaled(share, grads); // chapter 6's: += (m_k/m) ∇C_k
    }
    total
}
// ANCHOR_END: all_reduce

// ANCHOR: gpt_by_hand
/// Chapter 13's GPT, data-parallel by hand: the batch's windows (columns
/// of `windows`, T + 1 tokens each) cut into `workers` shares, worker k
/// runs chapter 13's hand-written backward pass on its share, and the
/// shares' gradients are combined as chapter 8's were,
/// ∇C = Σₖ (mₖ/m) ∇Cₖ, with mₖ windows in share k. Returns the mean loss
/// and ∇C.
pub fn data_parallel_gpt_gradient(
    gpt: &Gpt<f32>,
    windows: ArrayView2<usize>,
    workers: usize,
) -> (f32, Gpt<f32>) {
    let m = windows.ncols();
    let partial: Vec<((f32, Gpt<f32>), usize)> = thread::scope(|scope| {
        let handles: Vec<_> = shares(m, workers)
            .into_iter()
            .filter(|share| !share.is_empty())
            .map(|share| {
                let w_k = windows.slice(s![.., share.clone()]);
                scope.spawn(move || (gpt.loss_and_gradient(w_k), share.len()))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a worker"))
            .collect()
    });
    let loss = partial
        .iter()
        .map(|((loss, _), m_k)| loss * *m_k as f32 / m as f32)
        .sum();
    let gradients: Vec<(Gpt<f32>, usize)> =
        partial.into_iter().map(|((_, g), m_k)| (g, m_k)).collect();
    (loss, gpt_mean(&gradients, m))
}

/// The all-reduce for chapter 13's GPT: Σₖ (mₖ/m) ∇Cₖ, parameter by
/// parameter.
pub fn gpt_mean(partial: &[(Gpt<f32>, usize)], m: usize) -> Gpt<f32> {
    let mut total = partial[0].0.zeros_like();
    for (g, m_k) in partial {
        let share = *m_k as f32 / m as f32;
        let pairs = total.parameters_mut().into_iter().zip(g.parameters());
        for (sum, part) in pairs {
            sum.scaled_add(share, part);
        }
    }
    total
}
// ANCHOR_END: gpt_by_hand

/// `steps` steps of chapter 13's recipe (`setting`) from chapter 13's first
/// weights on the `train` stream, each step's gradient — the whole
/// batch's, however it is computed — from `gradient`: clipped as chapter
/// 12 clips, then chapter 12's AdamW, the learning rate on chapter 8's
/// warm-up and cosine. Returns the weights after the last step.
pub fn gpt_steps<E>(
    setting: &Setting,
    vocab: usize,
    train: &[usize],
    steps: usize,
    mut gradient: impl FnMut(&Gpt<f32>, ArrayView2<usize>) -> Result<Gpt<f32>, E>,
) -> Result<Gpt<f32>, E> {
    let r = &setting.recipe;
    let mut gpt = Gpt::new(setting.config(vocab), &mut seeded(setting.seed));
    let mut adam = Adam::new(&gpt);
    let mut rng: Rng = seeded(r.seed);
    for step in 0..steps {
        let windows = draw_windows(train, r.window, r.batch, &mut rng);
        let mut g = gradient(&gpt, windows.view())?;
        if let Some(c) = r.clip {
            clip(&mut g, c);
        }
        let eta = warmup_cosine_eta(r.eta, step, r.warmup, r.steps);
        adam.step(&mut gpt, &g, eta, r.weight_decay);
    }
    Ok(gpt)
}

// ANCHOR: by_burn
/// One data-parallel step in Burn. Each device gets its own copy of the
/// model (`fork`) and its share of the minibatch; its cost is scaled by
/// mₖ/m, so the devices' gradients *add up* to the whole minibatch's. The
/// optimizer's `step_multi` gathers them on one device, sums them and
/// updates the model once. Pass `[Device::cuda(0), Device::cuda(1)]` and
/// the same code runs on two GPUs; this chapter's run passes the CPU
/// device several times, one thread each.
pub fn data_parallel_step(
    mlp: Mlp,
    optimizer: &mut ModuleOptimizer,
    eta: f64,
    x: ArrayView2<f32>, // (784, m)
    labels: &[u8],
    devices: &[Device], // autodiff devices
) -> Mlp {
    let m = x.ncols();
    let grads = thread::scope(|scope| {
        let handles: Vec<_> = shares(m, devices.len())
            .into_iter()
            .zip(devices)
            .filter(|(share, _)| !share.is_empty())
            .map(|(share, device)| {
                let replica = mlp.clone().fork(device);
                let x_k = x.slice(s![.., share.clone()]);
                let y_k = labels_to_matrix::<f32>(&labels[share.clone()]);
                let weight = share.len() as f64 / m as f64; // mₖ/m
                scope.spawn(move || {
                    let z = replica.forward(tensor(x_k.t(), device));
                    let cost =
                        cross_entropy(z, tensor(y_k.t(), device)) * weight;
                    let grads =
                        GradientsParams::from_grads(cost.backward(), &replica);
                    (grads, device.clone())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a device"))
            .collect()
    });
    optimizer.step_multi(eta, mlp, MultiGradientsParams { grads })
}
// ANCHOR_END: by_burn

// ANCHOR: devices
/// The devices to train on: with `--features cuda`, the first `workers`
/// CUDA GPUs; with `--features wgpu`, the first `workers` discrete GPUs
/// through wgpu (Vulkan, Metal or DirectX); otherwise `workers` handles on
/// Burn's pure-Rust CPU backend. Each gets autodiff.
pub fn devices(workers: usize) -> Vec<Device> {
    let device = |k: usize| -> Device {
        #[cfg(feature = "cuda")]
        return Device::cuda(k).autodiff();
        #[cfg(all(feature = "wgpu", not(feature = "cuda")))]
        return Device::wgpu(DeviceKind::DiscreteGpu(k)).autodiff();
        #[cfg(not(any(feature = "cuda", feature = "wgpu")))]
        {
            let _ = k; // one CPU: every worker shares it
            Device::flex().autodiff()
        }
    };
    (0..workers).map(device).collect()
}
// ANCHOR_END: devices

// ANCHOR: collective
/// The all-reduce as a *collective*, the way multi-GPU training does it:
/// every device calls `all_reduce` on its own gradient tensor and gets the
/// mean back, computed across devices by the backend (on CUDA, with
/// peer-to-peer copies between GPUs). Burn 0.22 runs collectives on its
/// CubeCL backends (CUDA, ROCm, wgpu, CubeCL's CPU); its pure-Rust `flex`
/// CPU backend, which this chapter runs on, has none, so the run uses
/// [`data_parallel_step`] — this function compiles everywhere and is
/// shown on the page, but runs only on a GPU build.
pub fn all_reduce_on_devices<const D: usize>(
    per_device: Vec<Tensor<D>>, // one gradient per device
    devices: &[Device],
) -> Vec<Tensor<D>> {
    let config = DistributedConfig {
        all_reduce_op: ReduceOperation::Mean,
    };
    let _context = DistributedContext::init(devices.to_vec(), config);
    thread::scope(|scope| {
        let handles: Vec<_> = per_device
            .into_iter()
            .map(|g| {
                let ids = devices.to_vec();
                scope.spawn(move || {
                    all_reduce(g, ReduceOperation::Mean, ids).resolve()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a device"))
            .collect()
    })
}
// ANCHOR_END: collective
