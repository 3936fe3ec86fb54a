//! The fast path: the same training step as this chapter's lesson code,
//! with every allocation, copy and thread arranged for speed.
//!
//! The book never includes this module; the appendix "How fast is it?"
//! explains it. What differs from [`backprop_batch`](crate::backprop_batch)
//! and [`epoch_with`](crate::epoch_with), and why:
//!
//! - **Buffers allocated once** ([`Workspace`], [`Trainer`]) for a network
//!   and a largest batch, written in place by every step: a warm step
//!   allocates nothing (a test counts).
//! - **The matrix products** are `fastpath::gemm` (packed, SIMD, split
//!   across every thread); bias, activation and f' are applied row by row,
//!   where a row (one neuron, every sample) is contiguous.
//! - **The minibatch is column-major**, like the data set: copying an
//!   image is one straight copy; the copies are shared among the threads.
//! - **The update** W ← W − η∇W runs on every thread ([`update_each`]),
//!   or, where it is a rule applied weight by weight, inside backprop
//!   ([`Trainer::epoch_update`]): each block of ∇W goes from the product
//!   to the rule while it is in the core's L2 cache, on the thread that
//!   made it, and (where the batch fits one block of k, 512 samples) is
//!   never written to the gradient's memory.
//! - **Copying a minibatch** reads eight images at a time, a cache line
//!   of each in turn, so that eight waits for memory overlap; and the
//!   next minibatch is copied while the step runs (into a second buffer),
//!   by a thread that would otherwise wait for the step's small serial
//!   stretch between the first layer's forward product and its weight
//!   gradient.
//!
//! Every entry is computed the same way whatever the thread count, so
//! results are bit-identical for any number of threads. Against the lesson
//! code, the sums run in another order (blocked products, δ rows summed
//! in place), so the gradients agree to rounding: tests bound the
//! difference (`tests.rs`: 1e-12 relative in f64, 1e-5 in f32).

use ndarray::parallel::prelude::*;
use ndarray::{
    Array2, ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2, Axis,
    ShapeBuilder, Zip, s,
};
use rand::seq::SliceRandom;
use rayon::slice::{ParallelSlice, ParallelSliceMut};
use shared::Real;
use shared::rng::Rng;

use ch02_activations::{
    relu, relu_prime, sigmoid, sigmoid_prime, tanh, tanh_prime,
};
use fastpath::{Element, gemm, gemm_by_rows, gemm_by_rows_then};

use crate::{Activation, Cost, Gradients, Network};

/// A float both paths can train in: [`Real`] for the lessons, [`Element`]
/// for the fast matrix product. `f32` and `f64`.
pub trait Float: Real + Element {}
impl<T: Real + Element> Float for T {}

/// Arrays with fewer entries than this are updated on one thread: for
/// them, waking another costs more than it saves.
pub const PAR_MIN_LEN: usize = 1 << 14;

/// Scratch space for batched backprop, allocated once for a network and a
/// largest batch size, then reused for every minibatch.
pub struct Workspace<T: Float> {
    /// Z⁽ˡ⁾ for each layer, (n_l, capacity).
    zs: Vec<Array2<T>>,
    /// A⁽ˡ⁾ for each layer, (n_l, capacity); the input is not copied.
    activations: Vec<Array2<T>>,
    /// Δ⁽ˡ⁾ for each layer, (n_l, capacity).
    deltas: Vec<Array2<T>>,
    /// The mean gradient of the last batch.
    pub grads: Gradients<T>,
    /// The summed cost of the last batch's samples.
    pub batch_cost: f64,
    /// The largest batch the buffers hold.
    capacity: usize,
    /// Dropout masks for the hidden layers, (n_l, capacity) each: 0 for a
    /// dropped activation, 1/(1 − p) for a kept one. Empty: no dropout.
    masks: Vec<Array2<T>>,
}

impl<T: Float> Workspace<T> {
    /// Buffers for `net` and batches of up to `capacity` samples, and the
    /// matrix product's buffers on every thread of the current pool.
    pub fn new(net: &Network<T>, capacity: usize) -> Self {
        fastpath::prepare::<T>();
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
            masks: Vec::new(),
        }
    }

    /// Hands `fill` each hidden layer's dropout mask for the next `m`
    /// samples, (n_l, m), in layer order, to be filled: the forward pass
    /// multiplies activations by it, the backward pass errors. How the
    /// masks are drawn is chapter 9's; this code only applies them.
    pub fn fill_masks(
        &mut self,
        net: &Network<T>,
        m: usize,
        mut fill: impl FnMut(ArrayViewMut2<T>),
    ) {
        let hidden = net.layers.len() - 1;
        self.masks.resize_with(hidden, || Array2::zeros((0, 0)));
        for (mask, layer) in self.masks.iter_mut().zip(&net.layers) {
            if mask.dim() != (layer.n_out(), self.capacity) {
                *mask = Array2::zeros((layer.n_out(), self.capacity));
            }
            fill(mask.slice_mut(s![.., ..m]));
        }
    }

    /// Sets the dropout masks directly (one per hidden layer, (n_l, m)),
    /// for tests that hold the masks fixed.
    pub fn set_dropout_masks(&mut self, masks: Vec<Array2<T>>) {
        self.masks = masks;
    }

    /// Turns dropout off: the next passes use every neuron.
    pub fn clear_dropout(&mut self) {
        self.masks.clear();
    }

    /// The largest batch the buffers hold.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Forward pass for a batch (columns of `x`), keeping Z and A. Returns
    /// a view of the output, (n_out, m).
    pub fn forward(
        &mut self,
        net: &Network<T>,
        x: ArrayView2<T>,
    ) -> ArrayView2<'_, T> {
        let layers = net.layers.len();
        self.forward_layers(net, x, 0..layers);
        self.activations[layers - 1].slice(s![.., ..x.ncols()])
    }

    /// The forward pass through the layers `layers` (whose inputs are
    /// ready: `x` for the first).
    fn forward_layers(
        &mut self,
        net: &Network<T>,
        x: ArrayView2<T>,
        layers: std::ops::Range<usize>,
    ) {
        let m = x.ncols();
        assert!(
            m <= self.capacity,
            "batch of {m} > capacity {}",
            self.capacity
        );
        for l in layers {
            let layer = &net.layers[l];
            let (before, after) = self.activations.split_at_mut(l);
            let a_in = if l == 0 {
                x
            } else {
                before[l - 1].slice(s![.., ..m])
            };
            let mut z = self.zs[l].slice_mut(s![.., ..m]);
            let mut a = after[0].slice_mut(s![.., ..m]);
            gemm(T::one(), &layer.w.view(), &a_in, T::zero(), &mut z);
            // + b, then A = f(Z), row by row: row i is neuron i for every
            // sample, contiguous in memory.
            let f = layer.activation;
            let (zv, av, b) = (z.view_mut(), a.view_mut(), &layer.b);
            match f {
                // f chosen once per batch, so each pass is one vector loop.
                Activation::Identity | Activation::Softmax => {
                    bias_and(zv, av, b, |z| z)
                }
                Activation::Sigmoid => bias_and(zv, av, b, sigmoid),
                Activation::Tanh => bias_and(zv, av, b, tanh),
                Activation::Relu => bias_and(zv, av, b, relu),
            }
            if f == Activation::Softmax {
                // Softmax mixes a column's entries: one sample at a time.
                for column in a.columns_mut() {
                    f.apply_in_place(column);
                }
            }
            if let Some(mask) = self.masks.get(l) {
                // Dropout: A ← A ⊙ M (hidden layers only; Z is kept for f').
                a *= &mask.slice(s![.., ..m]);
            }
        }
    }

    /// Backprop for a minibatch: the mean gradient into `self.grads`, the
    /// summed cost into `self.batch_cost`.
    pub fn backprop(
        &mut self,
        net: &Network<T>,
        x: ArrayView2<T>, // (n_in, m)
        y: ArrayView2<T>, // (n_out, m)
        cost: Cost,
    ) {
        let net = Net::<T, NoRule<T>, NoRule<T>>::Read(net);
        self.backprop_into(net, x, y, cost, || {});
    }

    /// [`backprop`](Self::backprop), then `update` on `net`, made as each
    /// weight gradient is made ([`fastpath::gemm_by_rows_then`]): the
    /// rule runs on each block of ∇W while the block is in the core's L2
    /// cache, on the thread that made it, rather than in a pass of its
    /// own over memory after backprop. A layer's weights change only after
    /// they have carried the error back to the layer below, so the same
    /// numbers as `backprop` followed by the update ([`update_each`] with
    /// the same rules). The weights' gradients are not kept (they go from
    /// the product to the rule): `self.grads` holds the biases' gradients,
    /// and its weight gradients are scratch.
    pub fn backprop_update<W, B>(
        &mut self,
        net: &mut Network<T>,
        x: ArrayView2<T>, // (n_in, m)
        y: ArrayView2<T>, // (n_out, m)
        cost: Cost,
        update: &mut Update<'_, T, W, B>,
    ) where
        W: Rule<T>,
        B: Fn(&mut T, &mut T, &T) + Send,
    {
        self.backprop_into(Net::Update(net, update), x, y, cost, || {});
    }

    /// Backprop, with `beside` handed to the pool's other threads once the
    /// first layer is through: from there until the first layer's weight
    /// gradient, the step's work is small (the last layers, softmax, the
    /// errors) and mostly runs on this thread alone, so an idle thread
    /// can do something else meanwhile (copy the next minibatch). Returns
    /// when both are done.
    fn backprop_into<W, B>(
        &mut self,
        net: Net<'_, '_, T, W, B>,
        x: ArrayView2<T>, // (n_in, m)
        y: ArrayView2<T>, // (n_out, m)
        cost: Cost,
        beside: impl FnOnce() + Send,
    ) where
        W: Rule<T>,
        B: Fn(&mut T, &mut T, &T) + Send,
    {
        self.forward_layers(net.read(), x, 0..1);
        rayon::join(|| self.backward(net, x, y, cost), beside);
    }

    /// The rest of the forward pass, after the first layer, and the
    /// backward pass.
    fn backward<W, B>(
        &mut self,
        mut net: Net<'_, '_, T, W, B>,
        x: ArrayView2<T>, // (n_in, m)
        y: ArrayView2<T>, // (n_out, m)
        cost: Cost,
    ) where
        W: Rule<T>,
        B: Fn(&mut T, &mut T, &T),
    {
        let m = x.ncols();
        let layers = net.read().layers.len();
        self.forward_layers(net.read(), x, 1..layers);
        let last = net.read().layers.len() - 1;
        let inv_m = T::one() / T::from_f64(m as f64);
        {
            let z = self.zs[last].slice(s![.., ..m]);
            let a = self.activations[last].slice(s![.., ..m]);
            self.batch_cost = a
                .columns()
                .into_iter()
                .zip(y.columns())
                .map(|(ak, yk)| cost.value(ak, yk).into_f64())
                .sum();
            let mut delta = self.deltas[last].slice_mut(s![.., ..m]);
            output_error(
                cost,
                net.read().layers[last].activation,
                z,
                a,
                y,
                &mut delta,
            );
        }
        for l in (0..=last).rev() {
            let (lower, upper) = self.deltas.split_at_mut(l);
            let delta = upper[0].slice(s![.., ..m]);
            let a_in = if l == 0 {
                x
            } else {
                self.activations[l - 1].slice(s![.., ..m])
            };
            // BP3: the mean of δ over the batch.
            for (nb, row) in self.grads.nabla_b[l].iter_mut().zip(delta.rows())
            {
                *nb = row.sum() * inv_m;
            }
            if l > 0 {
                // BP2: (Wᵀ Δ) ⊙ f'(Z), before W changes.
                let layers = &net.read().layers;
                let mut prev = lower[l - 1].slice_mut(s![.., ..m]);
                let w_t = layers[l].w.t();
                gemm(T::one(), &w_t, &delta, T::zero(), &mut prev);
                if let Some(mask) = self.masks.get(l - 1) {
                    // Through dropout: a dropped activation passes no
                    // gradient back; a kept one, its scale 1/(1 − p).
                    prev *= &mask.slice(s![.., ..m]);
                }
                let z = self.zs[l - 1].slice(s![.., ..m]);
                let a = self.activations[l - 1].slice(s![.., ..m]);
                backward_through(layers[l - 1].activation, z, a, &mut prev);
            }
            // BP4: Δ Aᵀ / m, cut between threads by rows, as the update
            // that reads it next cuts the weights.
            let mut nabla_w = self.grads.nabla_w[l].view_mut();
            let a_t = a_in.t();
            match &mut net {
                Net::Read(_) => {
                    let zero = T::zero();
                    gemm_by_rows(inv_m, &delta, &a_t, zero, &mut nabla_w);
                }
                Net::Update(net, update) => {
                    let layer = &mut net.layers[l];
                    let mut w = layer.w.view_mut();
                    let mut v = update.state.nabla_w[l].view_mut();
                    let (g, rule) = (&mut nabla_w, &update.rule_w);
                    gemm_by_rows_then(
                        inv_m, &delta, &a_t, g, &mut w, &mut v, rule,
                    );
                    Zip::from(&mut layer.b)
                        .and(&mut update.state.nabla_b[l])
                        .and(&self.grads.nabla_b[l])
                        .for_each(&update.rule_b);
                }
            }
        }
    }
}

/// An update made inside backprop ([`Workspace::backprop_update`]):
/// `rule_w(w, s, g)` on every weight and `rule_b(b, s, g)` on every bias,
/// each with its gradient g and its entry s of the optimizer's `state`
/// (shaped like the gradients: momentum's velocity, say).
pub struct Update<'s, T: Real, W, B> {
    /// The optimizer's state, one entry per parameter.
    pub state: &'s mut Gradients<T>,
    /// The rule for weights.
    pub rule_w: W,
    /// The rule for biases.
    pub rule_b: B,
}

/// An update rule for one parameter: `rule(p, s, g)` moves the parameter
/// p and its optimizer state s given its gradient g (momentum's
/// v ← μv − ηg, p ← p + v, say).
pub trait Rule<T>: Fn(&mut T, &mut T, &T) + Sync + Send {}
impl<T, F: Fn(&mut T, &mut T, &T) + Sync + Send> Rule<T> for F {}

/// The rule of a backprop with no update.
type NoRule<T> = fn(&mut T, &mut T, &T);

/// The network backprop reads, and the update it makes, if any.
enum Net<'n, 'u, T: Float, W, B> {
    Read(&'n Network<T>),
    Update(&'n mut Network<T>, &'n mut Update<'u, T, W, B>),
}

impl<T: Float, W, B> Net<'_, '_, T, W, B> {
    fn read(&self) -> &Network<T> {
        match self {
            Net::Read(net) => net,
            Net::Update(net, _) => net,
        }
    }
}

/// Z ← Z + b (to every column), then A = f(Z), in one pass over each row:
/// a row is one neuron for every sample, contiguous in memory. Large
/// layers are shared among the threads.
fn bias_and<T: Float>(
    mut z: ArrayViewMut2<T>, // (n, m)
    mut a: ArrayViewMut2<T>, // (n, m)
    b: &ndarray::Array1<T>,  // (n,)
    f: impl Fn(T) -> T + Sync + Send,
) {
    let (m, small) = (z.ncols().max(1), z.len() < PAR_MIN_LEN);
    let row =
        |(mut z_i, mut a_i, &b_i): (ArrayViewMut1<T>, ArrayViewMut1<T>, &T)| {
            match (z_i.as_slice_mut(), a_i.as_slice_mut()) {
                // In the CPU's widest vector instructions.
                (Some(z_i), Some(a_i)) => fastpath::simd!({
                    for (z, a) in z_i.iter_mut().zip(a_i) {
                        *z += b_i;
                        *a = f(*z);
                    }
                }),
                _ => Zip::from(&mut z_i).and(&mut a_i).for_each(|z, a| {
                    *z += b_i;
                    *a = f(*z);
                }),
            }
        };
    let rows = Zip::from(z.rows_mut()).and(a.rows_mut()).and(b);
    if small {
        rows.for_each(|z_i, a_i, b_i| row((z_i, a_i, b_i)));
    } else {
        rows.into_par_iter()
            .with_min_len((PAR_MIN_LEN / m).max(1))
            .for_each(row);
    }
}

/// BP1 for a batch, written into `delta`.
fn output_error<T: Float>(
    cost: Cost,
    f: Activation,
    z: ArrayView2<T>,
    a: ArrayView2<T>,
    y: ArrayView2<T>,
    delta: &mut ArrayViewMut2<T>,
) {
    let tiny = T::min_positive_value();
    let each = Zip::from(&mut *delta).and(&a).and(&y);
    match cost {
        Cost::Quadratic => each.for_each(|d, &a, &y| *d = a - y),
        Cost::CrossEntropy if f == Activation::Softmax => {
            each.for_each(|d, &a, &y| *d = a - y);
            return;
        }
        Cost::CrossEntropy => {
            each.for_each(|d, &a, &y| *d = -y / a.max(tiny));
        }
    }
    backward_through(f, z, a, delta);
}

/// Each column g of `grad` ← J_f(z)ᵀ g, in place.
fn backward_through<T: Float>(
    f: Activation,
    z: ArrayView2<T>,
    a: ArrayView2<T>,
    grad: &mut ArrayViewMut2<T>,
) {
    // One `match` per batch rather than per entry, and f' known when
    // compiling, so each loop compiles to vector instructions.
    match f {
        Activation::Identity => {}
        Activation::Sigmoid => times(grad, z, sigmoid_prime),
        Activation::Tanh => times(grad, z, tanh_prime),
        Activation::Relu => times(grad, z, relu_prime),
        Activation::Softmax => {
            for (mut g, a) in grad.columns_mut().into_iter().zip(a.columns()) {
                let a_dot_g = a.dot(&g);
                Zip::from(&mut g)
                    .and(&a)
                    .for_each(|g, &a| *g = a * (*g - a_dot_g));
            }
        }
    }
}

/// g ← g ⊙ f'(z), entry by entry.
fn times<T: Float>(
    grad: &mut ArrayViewMut2<T>,
    z: ArrayView2<T>,
    f_prime: impl Fn(T) -> T + Sync + Send,
) {
    let (cols, small) = (grad.ncols().max(1), grad.len() < PAR_MIN_LEN);
    let row = |(mut g, z): (ArrayViewMut1<T>, ArrayView1<T>)| match (
        g.as_slice_mut(),
        z.as_slice(),
    ) {
        // In the CPU's widest vector instructions.
        (Some(g), Some(z)) => fastpath::simd!({
            for (g, &z) in g.iter_mut().zip(z) {
                *g *= f_prime(z);
            }
        }),
        _ => Zip::from(&mut g).and(&z).for_each(|g, &z| *g *= f_prime(z)),
    };
    let rows = Zip::from(grad.rows_mut()).and(z.rows());
    if small {
        rows.for_each(|g, z| row((g, z)));
        return;
    }
    rows.into_par_iter()
        .with_min_len(PAR_MIN_LEN / cols)
        .for_each(row);
}

/// Applies `rule(parameter, state, gradient)` to every weight (`rule_w`)
/// and bias (`rule_b`) of `net`, with `state` shaped like the gradients
/// (e.g. momentum's velocity); large arrays on every thread, in chunks of
/// memory run in the CPU's widest vector instructions.
pub fn update_each<T: Float>(
    net: &mut Network<T>,
    state: &mut Gradients<T>,
    grads: &Gradients<T>,
    rule_w: impl Fn(&mut T, &mut T, &T) + Sync + Send,
    rule_b: impl Fn(&mut T, &mut T, &T),
) {
    for (l, layer) in net.layers.iter_mut().enumerate() {
        let (w, s, g) =
            (&mut layer.w, &mut state.nabla_w[l], &grads.nabla_w[l]);
        match (w.as_slice_mut(), s.as_slice_mut(), g.as_slice()) {
            // The same layout, one straight line of memory each.
            (Some(w), Some(s), Some(g)) => {
                let chunk = |((w, s), g): ((&mut [T], &mut [T]), &[T])| {
                    fastpath::simd!({
                        for ((w, s), g) in w.iter_mut().zip(s).zip(g) {
                            rule_w(w, s, g);
                        }
                    })
                };
                if w.len() < PAR_MIN_LEN {
                    chunk(((w, s), g));
                } else {
                    w.par_chunks_mut(PAR_MIN_LEN)
                        .zip(s.par_chunks_mut(PAR_MIN_LEN))
                        .zip(g.par_chunks(PAR_MIN_LEN))
                        .for_each(chunk);
                }
            }
            _ => Zip::from(w).and(s).and(g).for_each(&rule_w),
        }
        Zip::from(&mut layer.b)
            .and(&mut state.nabla_b[l])
            .and(&grads.nabla_b[l])
            .for_each(&rule_b);
    }
}

/// Chapter 6's update, W ← W − η ∂C/∂W and b ← b − η ∂C/∂b, with the
/// large arrays on every thread.
pub fn sgd_update<T: Float>(
    net: &mut Network<T>,
    grads: &Gradients<T>,
    eta: T,
) {
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

/// Buffers for one run of SGD: the workspace, the shuffled order, and two
/// minibatches of inputs and targets (the one a step trains on, and the
/// next, copied meanwhile).
pub struct Trainer<T: Float> {
    /// Batched-backprop scratch space.
    pub workspace: Workspace<T>,
    order: Vec<usize>,
    /// Two minibatches of inputs, (n_in, batch) each, column-major: the
    /// one a step trains on, and the next, copied meanwhile.
    x_batches: [Array2<T>; 2],
    /// Their targets, (n_out, batch) each.
    y_batches: [Array2<T>; 2],
    /// The mean cost over the samples of the last epoch, each measured on
    /// its minibatch just before that minibatch's update.
    pub epoch_cost: f64,
    /// Each minibatch's mean cost in the last epoch, in order, measured
    /// just before its update (a run's loss curve, step by step).
    pub step_costs: Vec<f64>,
    /// Fills one hidden layer's dropout mask before every minibatch (see
    /// [`Workspace::fill_masks`]); `None`: every neuron on.
    pub masks: Option<DrawMask<T>>,
}

/// Draws one layer's dropout mask, (n_l, m), from the training run's
/// generator (chapter 9's `draw_dropout` is one).
pub type DrawMask<T> = Box<dyn FnMut(ArrayViewMut2<T>, &mut Rng) + Send>;

impl<T: Float> Trainer<T> {
    /// A trainer for `net` on `n` samples with the given batch size.
    pub fn new(net: &Network<T>, n: usize, batch_size: usize) -> Self {
        let sizes = net.sizes();
        Trainer {
            workspace: Workspace::new(net, batch_size),
            order: Vec::with_capacity(n),
            x_batches: [0, 1]
                .map(|_| Array2::zeros((sizes[0], batch_size).f())),
            y_batches: [0, 1].map(|_| {
                Array2::zeros((sizes[sizes.len() - 1], batch_size).f())
            }),
            epoch_cost: 0.0,
            step_costs: Vec::with_capacity(n.div_ceil(batch_size.max(1))),
            masks: None,
        }
    }

    /// [`crate::epoch_with`], fast: the same shuffle (the same random
    /// numbers), minibatches and update calls. Returns the number of
    /// updates.
    #[allow(clippy::too_many_arguments, reason = "as crate::epoch_with")]
    pub fn epoch_with(
        &mut self,
        net: &mut Network<T>,
        x: ArrayView2<T>, // (n_in, samples)
        y: ArrayView2<T>, // (n_out, samples)
        cost: Cost,
        batch_size: usize,
        rng: &mut Rng,
        mut update: impl FnMut(&mut Network<T>, &Gradients<T>) + Send,
    ) -> usize {
        self.epoch_steps(net, x, y, batch_size, rng, |w, net, xb, yb, copy| {
            let read = Net::<T, NoRule<T>, NoRule<T>>::Read(net);
            w.backprop_into(read, xb, yb, cost, copy);
            update(net, &w.grads);
        })
    }

    /// [`epoch_with`](Self::epoch_with) with the update made inside each
    /// step's backprop ([`Workspace::backprop_update`]): the same numbers
    /// as `epoch_with` and an update closure that runs [`update_each`]
    /// with the same rules and state, sooner. `after_step` runs after
    /// every step (a progress bar's tick).
    #[allow(clippy::too_many_arguments, reason = "as crate::epoch_with")]
    pub fn epoch_update<W, B>(
        &mut self,
        net: &mut Network<T>,
        x: ArrayView2<T>, // (n_in, samples)
        y: ArrayView2<T>, // (n_out, samples)
        cost: Cost,
        batch_size: usize,
        rng: &mut Rng,
        mut update: Update<'_, T, W, B>,
        mut after_step: impl FnMut() + Send,
    ) -> usize
    where
        W: Rule<T>,
        B: Fn(&mut T, &mut T, &T) + Send,
    {
        self.epoch_steps(net, x, y, batch_size, rng, |w, net, xb, yb, copy| {
            let net = Net::Update(net, &mut update);
            w.backprop_into(net, xb, yb, cost, copy);
            after_step();
        })
    }

    /// One epoch: the shuffle, then for each minibatch its dropout masks
    /// and `step` (backprop and the update), which is handed the copying
    /// of the next minibatch to run beside its backprop.
    fn epoch_steps(
        &mut self,
        net: &mut Network<T>,
        x: ArrayView2<T>, // (n_in, samples)
        y: ArrayView2<T>, // (n_out, samples)
        batch_size: usize,
        rng: &mut Rng,
        mut step: impl FnMut(
            &mut Workspace<T>,
            &mut Network<T>,
            ArrayView2<T>,
            ArrayView2<T>,
            &mut (dyn FnMut() + Send),
        ) + Send,
    ) -> usize {
        assert!(batch_size <= self.workspace.capacity, "batch too large");
        // On a pool thread, so parallel work hands jobs over directly.
        fastpath::install(|| {
            self.order.clear();
            self.order.extend(0..x.ncols());
            self.order.shuffle(rng);
            let mut total_cost = 0.0;
            self.step_costs.clear();
            let mut chunks = self.order.chunks(batch_size.max(1)).peekable();
            if let Some(first) = chunks.peek() {
                gather(first, x, self.x_batches[0].view_mut());
                gather(first, y, self.y_batches[0].view_mut());
            }
            let mut now = 0;
            while let Some(chunk) = chunks.next() {
                let m = chunk.len();
                let [x0, x1] = &mut self.x_batches;
                let [y0, y1] = &mut self.y_batches;
                let ((xb, x_next), (yb, y_next)) = match now {
                    0 => ((x0, x1), (y0, y1)),
                    _ => ((x1, x0), (y1, y0)),
                };
                let (xb, yb) = (xb.slice(s![.., ..m]), yb.slice(s![.., ..m]));
                if let Some(draw) = &mut self.masks {
                    self.workspace.fill_masks(net, m, |mask| draw(mask, rng));
                }
                let next = chunks.peek().copied();
                let mut copy_next = || {
                    if let Some(next) = next {
                        gather(next, x, x_next.view_mut());
                        gather(next, y, y_next.view_mut());
                    }
                };
                step(&mut self.workspace, net, xb, yb, &mut copy_next);
                total_cost += self.workspace.batch_cost;
                self.step_costs.push(self.workspace.batch_cost / m as f64);
                now = 1 - now;
            }
            self.workspace.clear_dropout();
            self.epoch_cost = total_cost / self.order.len().max(1) as f64;
            self.order.len().div_ceil(batch_size)
        })
    }
}

/// Copies the columns `indices` of `src` into the first columns of `dst`.
/// Reading scattered images waits on memory, so every thread takes a
/// share.
fn gather<T: Float>(
    indices: &[usize],
    src: ArrayView2<T>,    // (n, samples)
    dst: ArrayViewMut2<T>, // (n, batch)
) {
    // Small copies (the targets) stay on one thread: a fork and a join
    // would cost more than the copy.
    let entries = indices.len() * src.nrows();
    let threads = if entries < PAR_MIN_LEN {
        1
    } else {
        fastpath::threads()
    };
    gather_in(threads, indices, src, dst);
}

fn gather_in<T: Float>(
    pieces: usize,
    indices: &[usize],
    src: ArrayView2<T>,
    dst: ArrayViewMut2<T>,
) {
    if pieces < 2 || indices.len() < 2 {
        copy_interleaved(indices, src, dst);
        return;
    }
    let left = pieces / 2;
    let at = indices.len() * left / pieces;
    let (first, second) = indices.split_at(at);
    let (dst1, dst2) = dst.split_at(Axis(1), at);
    rayon::join(
        || gather_in(left, first, src, dst1),
        || gather_in(pieces - left, second, src, dst2),
    );
}

/// Images copied at once by [`copy_interleaved`].
const GROUP: usize = 8;

/// Copies the columns `indices` of `src` into the first columns of `dst`,
/// [`GROUP`] columns at a time, a cache line from each in turn: eight
/// streams of reads in flight rather than one, so that the waits for
/// memory overlap (a column alone is 49 lines, a short stream for the
/// processor's prefetcher to get going on).
fn copy_interleaved<T: Float>(
    indices: &[usize],
    src: ArrayView2<T>,
    mut dst: ArrayViewMut2<T>,
) {
    let line = (64 / std::mem::size_of::<T>()).max(1);
    let n = src.nrows();
    let whole = n - n % line;
    let columns = dst.axis_chunks_iter_mut(Axis(1), GROUP);
    for (group, mut out) in indices.chunks(GROUP).zip(columns) {
        let mut ins: [&[T]; GROUP] = Default::default();
        let mut outs: [&mut [T]; GROUP] = Default::default();
        let g = group.len();
        let mut contiguous = true;
        for (j, &k) in group.iter().enumerate() {
            match src.column(k).to_slice() {
                Some(s) => ins[j] = s,
                None => contiguous = false,
            }
        }
        let out_columns = out.axis_iter_mut(Axis(1)).map(|c| c.into_slice());
        for (o, c) in outs.iter_mut().zip(out_columns) {
            match c {
                Some(c) => *o = c,
                None => contiguous = false,
            }
        }
        if !contiguous {
            for (j, &k) in group.iter().enumerate() {
                out.column_mut(j).assign(&src.column(k));
            }
            continue;
        }
        for start in (0..whole).step_by(line) {
            for (o, i) in outs[..g].iter_mut().zip(&ins[..g]) {
                o[start..start + line].copy_from_slice(&i[start..start + line]);
            }
        }
        for (o, i) in outs[..g].iter_mut().zip(&ins[..g]) {
            o[whole..].copy_from_slice(&i[whole..]);
        }
    }
}

/// The largest difference between two networks' parameters, relative to
/// the largest parameter of `b`: how the tests say "the same network".
pub fn network_difference<T: Real>(a: &Network<T>, b: &Network<T>) -> f64 {
    let (a, b) = (ch06_backprop::parameters(a), ch06_backprop::parameters(b));
    let scale = b.iter().fold(0.0f64, |s, p| s.max(p.into_f64().abs()));
    let worst = a.iter().zip(&b).fold(0.0f64, |w, (p, q)| {
        w.max((p.into_f64() - q.into_f64()).abs())
    });
    worst / scale
}

/// Gradients shaped like `net` with entries uniform in [−1, 1): inputs for
/// the tests that an update rule on the fast path is the lesson's.
pub fn random_gradients<T: Real>(
    net: &Network<T>,
    rng: &mut Rng,
) -> Gradients<T> {
    let mut grads = Gradients::zeros_like(net);
    let entries = grads.nabla_w.iter_mut().flat_map(|g| g.iter_mut());
    let entries =
        entries.chain(grads.nabla_b.iter_mut().flat_map(|g| g.iter_mut()));
    for g in entries {
        *g = T::from_f64(shared::rng::uniform(rng, -1.0, 1.0));
    }
    grads
}
