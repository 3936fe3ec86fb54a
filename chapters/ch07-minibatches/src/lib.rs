//! Chapter 7: minibatches and stochastic gradient descent.
//!
//! Covers epochs, seeded shuffling and minibatches; the notes' three update
//! frequencies (online, minibatch, full batch) compared; backprop for a
//! whole minibatch at once as matrix products, written into buffers
//! allocated once; and the hyperparameters that govern training.
//!
//! Leaves out: the refinements chapter 8 adds for MNIST (momentum, weight
//! decay, learning-rate schedules).

use ndarray::parallel::prelude::*;
use ndarray::{
    Array2, ArrayView2, ArrayViewMut2, Axis, ShapeBuilder, Slice, Zip,
};
use rand::seq::SliceRandom;
use shared::Real;
use shared::matmul::MatMul;
use shared::rng::Rng;

use ch02_activations::{relu_prime, sigmoid_prime, tanh_prime};
pub use ch06_backprop::{
    Activation, Cost, Gradients, Init, Network, apply_gradients, backprop,
};

pub mod compare;
pub mod exercises;
pub mod figures;
pub mod solutions;
mod walkthrough;

/// What `cargo run -p ch07-minibatches` runs.
pub const CHAPTER: shared::chapter::Chapter = shared::chapter::Chapter {
    name: "ch07-minibatches",
    walkthrough: walkthrough::print,
    figures: figures::all,
};

// ANCHOR: workspace
/// Scratch space for batched backprop, allocated once for a network and a
/// largest batch size, then reused for every minibatch: a training step
/// allocates nothing.
pub struct Workspace<T: Real> {
    /// Z⁽ˡ⁾ for each layer, (n_l, batch).
    zs: Vec<Array2<T>>,
    /// A⁽ˡ⁾ for each layer, (n_l, batch); the input is not copied.
    activations: Vec<Array2<T>>,
    /// δ⁽ˡ⁾ for each layer, (n_l, batch).
    deltas: Vec<Array2<T>>,
    /// The mean gradient of the last batch.
    pub grads: Gradients<T>,
    /// The summed cost of the last batch's samples.
    pub batch_cost: f64,
    /// The largest batch the buffers hold.
    capacity: usize,
    /// The matrix products, with their own scratch space.
    matmul: MatMul<T>,
}

impl<T: Real> Workspace<T> {
    /// Buffers for `net` and batches of up to `capacity` samples.
    pub fn new(net: &Network<T>, capacity: usize) -> Self {
        let per_layer = || -> Vec<Array2<T>> {
            net.layers
                .iter()
                .map(|l| Array2::zeros((l.n_out(), capacity)))
                .collect()
        };
        Workspace {
            zs: per_layer(),
            activations: per_layer(),
            deltas: per_layer(),
            grads: Gradients::zeros_like(net),
            batch_cost: 0.0,
            capacity,
            matmul: MatMul::new(),
        }
    }
}
// ANCHOR_END: workspace

/// The first `m` columns of a buffer.
fn cols<T>(a: &mut Array2<T>, m: usize) -> ArrayViewMut2<'_, T> {
    a.slice_axis_mut(Axis(1), Slice::from(0..m))
}

// ANCHOR: batch_forward
impl<T: Real> Workspace<T> {
    /// Forward pass for a batch (columns of `x`), keeping Z and A. Returns
    /// a view of the output, (n_out, m).
    pub fn forward(
        &mut self,
        net: &Network<T>,
        x: ArrayView2<T>,
    ) -> ArrayView2<'_, T> {
        let m = x.ncols();
        assert!(
            m <= self.capacity,
            "batch of {m} > capacity {}",
            self.capacity
        );
        for (l, layer) in net.layers.iter().enumerate() {
            let (before, after) = self.activations.split_at_mut(l);
            let a_in = if l == 0 {
                x
            } else {
                before[l - 1].slice_axis(Axis(1), Slice::from(0..m))
            };
            let mut z = cols(&mut self.zs[l], m);
            let mut a = cols(&mut after[0], m);
            // Z = W A_in
            self.matmul.gemm(
                T::one(),
                layer.w.view(),
                a_in,
                T::zero(),
                z.view_mut(),
            );
            // + b, added to every column; then A = f(Z). Row by row: row i
            // is neuron i for every sample, contiguous in memory.
            let softmax = layer.activation == Activation::Softmax;
            for ((mut z_i, mut a_i), &b_i) in
                z.rows_mut().into_iter().zip(a.rows_mut()).zip(&layer.b)
            {
                z_i.mapv_inplace(|z| z + b_i);
                a_i.assign(&z_i);
                if !softmax {
                    layer.activation.apply_in_place(a_i);
                }
            }
            if softmax {
                // Softmax mixes a column's entries: one sample at a time.
                for column in a.columns_mut() {
                    layer.activation.apply_in_place(column);
                }
            }
        }
        let last = net.layers.len() - 1;
        self.activations[last].slice_axis(Axis(1), Slice::from(0..m))
    }
}
// ANCHOR_END: batch_forward

// ANCHOR: batch_backprop
impl<T: Real> Workspace<T> {
    /// Backprop for a whole minibatch: the mean over its samples of the
    /// gradient of the cost, written into `self.grads`. The same four
    /// equations as chapter 6, with one column per sample.
    pub fn backprop(
        &mut self,
        net: &Network<T>,
        x: ArrayView2<T>, // (n_in, m)
        y: ArrayView2<T>, // (n_out, m)
        cost: Cost,
    ) {
        let m = x.ncols();
        self.forward(net, x);
        let last = net.layers.len() - 1;
        let inv_m = T::one() / T::from_f64(m as f64);

        // (BP1) Δᴸ, one column per sample.
        {
            let z = self.zs[last].slice_axis(Axis(1), Slice::from(0..m));
            let a =
                self.activations[last].slice_axis(Axis(1), Slice::from(0..m));
            self.batch_cost = a
                .columns()
                .into_iter()
                .zip(y.columns())
                .map(|(ak, yk)| cost.value(ak, yk).into_f64())
                .sum();
            let mut delta = cols(&mut self.deltas[last], m);
            output_error_batch(
                cost,
                net.layers[last].activation,
                z,
                a,
                y,
                &mut delta,
            );
        }
        for l in (0..=last).rev() {
            let (lower, upper) = self.deltas.split_at_mut(l);
            let delta = upper[0].slice_axis(Axis(1), Slice::from(0..m));
            let a_in = if l == 0 {
                x
            } else {
                self.activations[l - 1].slice_axis(Axis(1), Slice::from(0..m))
            };
            // (BP3) ∂C/∂b = mean of δ over the batch
            for (nb, row) in self.grads.nabla_b[l].iter_mut().zip(delta.rows())
            {
                *nb = row.sum() * inv_m;
            }
            // (BP4) ∂C/∂W = Δ A_inᵀ / m: the sum of the outer products
            self.matmul.gemm(
                inv_m,
                delta,
                a_in.t(),
                T::zero(),
                self.grads.nabla_w[l].view_mut(),
            );
            if l > 0 {
                // (BP2) Δ⁽ˡ⁻¹⁾ = (W⁽ˡ⁾ᵀ Δ⁽ˡ⁾) ⊙ f'(Z⁽ˡ⁻¹⁾)
                let mut prev = cols(&mut lower[l - 1], m);
                self.matmul.gemm(
                    T::one(),
                    net.layers[l].w.t(),
                    delta,
                    T::zero(),
                    prev.view_mut(),
                );
                let z = self.zs[l - 1].slice_axis(Axis(1), Slice::from(0..m));
                let a = self.activations[l - 1]
                    .slice_axis(Axis(1), Slice::from(0..m));
                backward_through_batch(
                    net.layers[l - 1].activation,
                    z,
                    a,
                    &mut prev,
                );
            }
        }
    }
}

/// (BP1) for a batch, written into `delta`.
fn output_error_batch<T: Real>(
    cost: Cost,
    activation: Activation,
    z: ArrayView2<T>,
    a: ArrayView2<T>,
    y: ArrayView2<T>,
    delta: &mut ArrayViewMut2<T>,
) {
    // ∂C/∂A, or A − Y directly for softmax with cross-entropy.
    let tiny = T::min_positive_value();
    match cost {
        Cost::Quadratic => Zip::from(&mut *delta)
            .and(&a)
            .and(&y)
            .for_each(|d, &a, &y| *d = a - y),
        Cost::CrossEntropy if activation == Activation::Softmax => {
            Zip::from(&mut *delta)
                .and(&a)
                .and(&y)
                .for_each(|d, &a, &y| *d = a - y);
            return;
        }
        Cost::CrossEntropy => Zip::from(&mut *delta)
            .and(&a)
            .and(&y)
            .for_each(|d, &a, &y| *d = -y / a.max(tiny)),
    }
    backward_through_batch(activation, z, a, delta);
}

/// Multiplies each column g of `grad` by the activation's Jacobian
/// transpose, in place: g ⊙ f'(z), or a ⊙ (g − a·g) for softmax.
fn backward_through_batch<T: Real>(
    activation: Activation,
    z: ArrayView2<T>,
    a: ArrayView2<T>,
    grad: &mut ArrayViewMut2<T>,
) {
    match activation {
        Activation::Softmax => {
            for (mut g, a) in grad.columns_mut().into_iter().zip(a.columns()) {
                let a_dot_g = a.dot(&g);
                Zip::from(&mut g)
                    .and(&a)
                    .for_each(|g, &a| *g = a * (*g - a_dot_g));
            }
        }
        // One `match` per batch rather than per entry, so each loop
        // compiles to vector instructions.
        Activation::Identity => {}
        Activation::Sigmoid => times(grad, z, sigmoid_prime),
        Activation::Tanh => times(grad, z, tanh_prime),
        Activation::Relu => times(grad, z, relu_prime),
    }
}

/// g ← g ⊙ f'(z), entry by entry.
fn times<T: Real>(
    grad: &mut ArrayViewMut2<T>,
    z: ArrayView2<T>,
    f_prime: impl Fn(T) -> T,
) {
    Zip::from(grad).and(&z).for_each(|g, &z| *g *= f_prime(z));
}
// ANCHOR_END: batch_backprop

// ANCHOR: sgd
/// The settings of stochastic gradient descent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sgd {
    /// The learning rate η.
    pub eta: f64,
    /// Samples per update; 1 is online learning, the data set size is
    /// full-batch gradient descent.
    pub batch_size: usize,
}

/// Arrays with fewer entries than this are updated on one thread: for them,
/// waking the second costs more than it saves.
pub const PAR_MIN_LEN: usize = 1 << 14;

/// Chapter 6's update, W ← W − η ∂C/∂W and b ← b − η ∂C/∂b, on both
/// cores: every weight's update is independent of the others, so each
/// thread takes a share of the rows.
pub fn sgd_update<T: Real>(net: &mut Network<T>, grads: &Gradients<T>, eta: T) {
    for (layer, (nw, nb)) in net
        .layers
        .iter_mut()
        .zip(grads.nabla_w.iter().zip(&grads.nabla_b))
    {
        Zip::from(&mut layer.w)
            .and(nw)
            .into_par_iter()
            .with_min_len(PAR_MIN_LEN)
            .for_each(|(w, &g)| *w -= eta * g);
        layer.b.scaled_add(-eta, nb);
    }
}

/// Buffers for one run of SGD: the workspace, the shuffled order, and one
/// minibatch of inputs and targets.
pub struct Trainer<T: Real> {
    /// Batched-backprop scratch space.
    pub workspace: Workspace<T>,
    order: Vec<usize>,
    x_batch: Array2<T>, // (n_in, batch)
    y_batch: Array2<T>, // (n_out, batch)
    /// The mean cost over the samples of the last epoch, each measured on
    /// its minibatch just before that minibatch's update.
    pub epoch_cost: f64,
}

impl<T: Real> Trainer<T> {
    /// A trainer for `net` on `n` samples with the given batch size.
    pub fn new(net: &Network<T>, n: usize, batch_size: usize) -> Self {
        let sizes = net.sizes();
        Trainer {
            workspace: Workspace::new(net, batch_size),
            order: (0..n).collect(),
            x_batch: Array2::zeros((sizes[0], batch_size).f()),
            y_batch: Array2::zeros((sizes[sizes.len() - 1], batch_size).f()),
            epoch_cost: 0.0,
        }
    }

    /// One epoch: shuffle the samples (columns of `x`, targets `y`), then
    /// one gradient step per minibatch. Returns the number of updates.
    pub fn epoch(
        &mut self,
        net: &mut Network<T>,
        x: ArrayView2<T>,
        y: ArrayView2<T>,
        cost: Cost,
        sgd: Sgd,
        rng: &mut Rng,
    ) -> usize {
        let eta = T::from_f64(sgd.eta);
        self.epoch_with(net, x, y, cost, sgd.batch_size, rng, |net, grads| {
            sgd_update(net, grads, eta)
        })
    }

    /// [`epoch`](Self::epoch) with any update rule: `update` receives the
    /// network and each minibatch's mean gradient (chapter 8 adds momentum
    /// and weight decay this way).
    #[allow(clippy::too_many_arguments, reason = "each is one SGD setting")]
    pub fn epoch_with(
        &mut self,
        net: &mut Network<T>,
        x: ArrayView2<T>,
        y: ArrayView2<T>,
        cost: Cost,
        batch_size: usize,
        rng: &mut Rng,
        update: impl FnMut(&mut Network<T>, &Gradients<T>) + Send,
    ) -> usize {
        // On the matrix-product threads, so each product hands half its
        // work to the other thread directly.
        shared::matmul::install(|| {
            self.epoch_on_this_thread(net, x, y, cost, batch_size, rng, update)
        })
    }

    #[allow(clippy::too_many_arguments, reason = "as epoch_with")]
    fn epoch_on_this_thread(
        &mut self,
        net: &mut Network<T>,
        x: ArrayView2<T>,
        y: ArrayView2<T>,
        cost: Cost,
        batch_size: usize,
        rng: &mut Rng,
        mut update: impl FnMut(&mut Network<T>, &Gradients<T>),
    ) -> usize {
        self.order.shuffle(rng);
        let mut updates = 0;
        let mut total_cost = 0.0;
        for chunk in self.order.chunks(batch_size) {
            let m = chunk.len();
            gather(chunk, x, &mut self.x_batch);
            gather(chunk, y, &mut self.y_batch);
            let xb = self.x_batch.slice_axis(Axis(1), Slice::from(0..m));
            let yb = self.y_batch.slice_axis(Axis(1), Slice::from(0..m));
            self.workspace.backprop(net, xb, yb, cost);
            total_cost += self.workspace.batch_cost;
            update(net, &self.workspace.grads);
            updates += 1;
        }
        self.epoch_cost = total_cost / self.order.len().max(1) as f64;
        updates
    }
}

/// Copies the columns `indices` of `src` into the first columns of `dst`.
/// Reading scattered images waits on memory, so both threads do half.
fn gather<T: Real>(
    indices: &[usize],
    src: ArrayView2<T>,  // (n, samples)
    dst: &mut Array2<T>, // (n, batch)
) {
    let half = indices.len() / 2;
    let (first, second) = indices.split_at(half);
    let (mut dst1, mut dst2) = dst.view_mut().split_at(Axis(1), half);
    let copy = |indices: &[usize], dst: &mut ArrayViewMut2<T>| {
        for (j, &k) in indices.iter().enumerate() {
            dst.column_mut(j).assign(&src.column(k));
        }
    };
    rayon::join(|| copy(first, &mut dst1), || copy(second, &mut dst2));
}
// ANCHOR_END: sgd

/// The average cost over all samples, computed batch by batch.
pub fn average_cost<T: Real>(
    net: &Network<T>,
    workspace: &mut Workspace<T>,
    x: ArrayView2<T>,
    y: ArrayView2<T>,
    cost: Cost,
) -> f64 {
    let mut total = 0.0;
    let n = x.ncols();
    let mut start = 0;
    while start < n {
        let end = (start + workspace.capacity).min(n);
        let xb = x.slice_axis(Axis(1), Slice::from(start..end));
        let yb = y.slice_axis(Axis(1), Slice::from(start..end));
        let a = workspace.forward(net, xb);
        for (ak, yk) in a.columns().into_iter().zip(yb.columns()) {
            total += cost.value(ak, yk).into_f64();
        }
        start = end;
    }
    total / n as f64
}

#[cfg(test)]
mod tests;
