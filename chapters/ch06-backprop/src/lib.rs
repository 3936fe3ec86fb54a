//! Chapter 6: backpropagation and the chain rule.
//!
//! Covers the chain rule on a chain of one neuron per layer (3Blue1Brown
//! part 4), then the four backprop equations for a whole network, written
//! on chapter 3's `Network` with chapter 4's costs; flattening a network's
//! parameters for gradient checks; training a small network on a
//! two-dimensional problem; and vanishing gradients.
//!
//! Leaves out: minibatches and batched (matrix) backprop (chapter 7).

use ch02_activations::{relu_prime, sigmoid_prime, tanh_prime};
use ndarray::{Array1, Array2, ArrayView1, Axis};
use shared::Real;

pub use ch03_forward::{Activation, Init, Layer, Network, Trace};
pub use ch04_loss::{Cost, one_hot};

pub mod chain;
// Your answers, compiled only when they are graded (`cargo exercises`
// turns on `my-answers`): a half-typed answer breaks its own grading and
// nothing else — not this chapter's run, not the later chapters, not
// `cargo test --workspace`.
#[cfg(feature = "my-answers")]
pub mod exercises;
pub mod figures;
mod walkthrough;
pub mod xor;

/// What `cargo run -p ch06-backprop` runs.
pub const CHAPTER: shared::chapter::Chapter = shared::chapter::Chapter {
    name: "ch06-backprop",
    walkthrough: walkthrough::print,
    figures: figures::all,
};

// ANCHOR: gradients
/// ∂C/∂W and ∂C/∂b for every layer, shaped like the layers themselves.
#[derive(Clone, Debug, PartialEq)]
pub struct Gradients<T: Real> {
    /// ∂C/∂W⁽ˡ⁾, one per layer, each shaped (n_out, n_in).
    pub nabla_w: Vec<Array2<T>>,
    /// ∂C/∂b⁽ˡ⁾, one per layer, each shaped (n_out,).
    pub nabla_b: Vec<Array1<T>>,
}

impl<T: Real> Gradients<T> {
    /// All zeros, shaped like `net`.
    pub fn zeros_like(net: &Network<T>) -> Self {
        Gradients {
            nabla_w: net
                .layers
                .iter()
                .map(|l| Array2::zeros(l.w.dim()))
                .collect(),
            nabla_b: net
                .layers
                .iter()
                .map(|l| Array1::zeros(l.b.len()))
                .collect(),
        }
    }

    /// Adds `scale · other` to these gradients (for averaging).
    pub fn add_scaled(&mut self, scale: T, other: &Gradients<T>) {
        for (w, ow) in self.nabla_w.iter_mut().zip(&other.nabla_w) {
            w.scaled_add(scale, ow);
        }
        for (b, ob) in self.nabla_b.iter_mut().zip(&other.nabla_b) {
            b.scaled_add(scale, ob);
        }
    }
}
// ANCHOR_END: gradients

// ANCHOR: backward_through
/// Carries a gradient g = ∂C/∂a back through a layer's activation to
/// ∂C/∂z = J_f(z)ᵀ g: g ⊙ f'(z) for an elementwise f; for softmax, whose
/// Jacobian is diag(a) − a aᵀ, a ⊙ (g − (a·g)).
pub fn backward_through<T: Real>(
    f: Activation,
    z: &Array1<T>, // (n,)
    a: &Array1<T>, // (n,) = f(z)
    g: Array1<T>,  // (n,)
) -> Array1<T> {
    match f {
        Activation::Identity => g,
        Activation::Sigmoid => g * z.mapv(sigmoid_prime),
        Activation::Tanh => g * z.mapv(tanh_prime),
        Activation::Relu => g * z.mapv(relu_prime),
        Activation::Softmax => a * &(&g - a.dot(&g)),
    }
}
// ANCHOR_END: backward_through

// ANCHOR: output_error
/// (BP1) The output layer's error δᴸ = ∇ₐC ⊙ f'(zᴸ).
///
/// For softmax with cross-entropy the two factors combine into a − y
/// (chapter 4), which is also the numerically safe way to compute it.
pub fn output_error<T: Real>(
    cost: Cost,
    f: Activation,
    z: &Array1<T>, // (n_L,)
    a: &Array1<T>, // (n_L,)
    y: ArrayView1<T>,
) -> Array1<T> {
    match (cost, f) {
        (Cost::CrossEntropy, Activation::Softmax) => a - &y,
        _ => backward_through(f, z, a, cost.gradient(a.view(), y)),
    }
}
// ANCHOR_END: output_error

// ANCHOR: backprop
/// The gradient of the cost of one sample (x, y) with respect to every
/// weight and bias of `net`: one forward pass, one backward pass.
///
/// The page counts layers 1…L; the code counts `layers[0..L]`, so the
/// page's W⁽ˡ⁾ is `layers[l - 1].w`. `zs[l]` belongs to `layers[l]`, and
/// `a[l]` is that layer's input (`a[0]` = x, `a[L]` the output).
pub fn backprop<T: Real>(
    net: &Network<T>,
    x: ArrayView1<T>,
    y: ArrayView1<T>,
    cost: Cost,
) -> Gradients<T> {
    // feedforward, keeping every z and a
    let Trace { zs, activations: a } = net.forward_trace(x);
    let f = |l: usize| net.layers[l].activation;
    let last = net.layers.len() - 1;
    let mut grads = Gradients::zeros_like(net);

    // backward pass
    // BP1: δ = ∇ₐC ⊙ f'(z) at the output
    let mut delta = output_error(cost, f(last), &zs[last], &a[last + 1], y);
    for l in (0..=last).rev() {
        grads.nabla_b[l] = delta.clone(); // BP3: ∂C/∂b = δ
        grads.nabla_w[l] = outer(&delta, &a[l]); // BP4: ∂C/∂W = δ aᵀ
        if l > 0 {
            let g = net.layers[l].w.t().dot(&delta); // Wᵀ δ
            delta = backward_through(f(l - 1), &zs[l - 1], &a[l], g); // BP2
        }
    }
    grads
}

/// The outer product u vᵀ: shape (u.len(), v.len()).
pub fn outer<T: Real>(u: &Array1<T>, v: &Array1<T>) -> Array2<T> {
    let column = u.view().insert_axis(Axis(1)); // (m, 1)
    let row = v.view().insert_axis(Axis(0)); // (1, n)
    column.dot(&row)
}
// ANCHOR_END: backprop

// ANCHOR: update
/// One gradient-descent step: W ← W − η ∂C/∂W and b ← b − η ∂C/∂b.
pub fn apply_gradients<T: Real>(
    net: &mut Network<T>,
    grads: &Gradients<T>,
    eta: T,
) {
    for (layer, (nw, nb)) in net
        .layers
        .iter_mut()
        .zip(grads.nabla_w.iter().zip(&grads.nabla_b))
    {
        layer.w.scaled_add(-eta, nw);
        layer.b.scaled_add(-eta, nb);
    }
}
// ANCHOR_END: update

/// The average cost of `net` over samples (columns of `x`, targets `y`),
/// one sample at a time. (Chapters 7 and 8 compute the same with a
/// batch, and take their arguments in the same order.)
pub fn average_cost<T: Real>(
    net: &Network<T>,
    x: ndarray::ArrayView2<T>, // (n_in, samples)
    y: ndarray::ArrayView2<T>, // (n_out, samples)
    cost: Cost,
) -> T {
    let total = x
        .columns()
        .into_iter()
        .zip(y.columns())
        .fold(T::zero(), |s, (xk, yk)| {
            s + cost.value(net.feedforward(xk).view(), yk)
        });
    total / T::from_f64(x.ncols() as f64)
}

/// Every weight and bias of `net` in one vector: layer by layer, W row by
/// row, then b. The order the gradient checks use.
pub fn parameters<T: Real>(net: &Network<T>) -> Vec<T> {
    net.layers
        .iter()
        .flat_map(|l| l.w.iter().chain(&l.b).copied())
        .collect()
}

/// `net` with its parameters replaced by `params` (in [`parameters`]'
/// order). Panics if the count is wrong.
pub fn with_parameters<T: Real>(net: &Network<T>, params: &[T]) -> Network<T> {
    let mut net = net.clone();
    let mut rest = params;
    for layer in &mut net.layers {
        for v in layer.w.iter_mut().chain(layer.b.iter_mut()) {
            let (first, tail) = rest.split_first().expect("enough parameters");
            *v = *first;
            rest = tail;
        }
    }
    assert!(rest.is_empty(), "{} parameters left over", rest.len());
    net
}

/// The gradients as one vector, in [`parameters`]' order.
pub fn flatten<T: Real>(grads: &Gradients<T>) -> Vec<T> {
    grads
        .nabla_w
        .iter()
        .zip(&grads.nabla_b)
        .flat_map(|(w, b)| w.iter().chain(b).copied())
        .collect()
}

#[cfg(test)]
mod tests;
