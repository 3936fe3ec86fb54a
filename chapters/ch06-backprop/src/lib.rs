//! Chapter 6: backpropagation and the chain rule.
//!
//! Covers the chain rule on a chain of one neuron per layer (3Blue1Brown
//! part 4), then the four backprop equations for a whole network, written
//! on chapter 3's `Network` with chapter 4's costs; flattening a network's
//! parameters for gradient checks; training a small network on a
//! two-dimensional problem; and vanishing gradients.
//!
//! Leaves out: minibatches and batched (matrix) backprop (chapter 7).

use ndarray::{Array1, Array2, ArrayView1, Axis};
use shared::Real;

pub use ch03_forward::{Activation, Init, Layer, Network, Trace};
pub use ch04_loss::{Cost, one_hot};

pub mod chain;
pub mod exercises;
pub mod figures;
pub mod solutions;
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
/// Passes a gradient g = ∂C/∂a back through a layer's activation to
/// ∂C/∂z = J_f(z)ᵀ g. Elementwise: g ⊙ f'(z). Softmax, whose Jacobian is
/// diag(a) − a aᵀ: a ⊙ (g − a·g).
pub fn backward_through<T: Real>(
    activation: Activation,
    z: ArrayView1<T>,
    a: ArrayView1<T>,
    g: ArrayView1<T>,
) -> Array1<T> {
    match activation {
        Activation::Softmax => {
            let a_dot_g = a.dot(&g);
            Array1::from_shape_fn(a.len(), |i| a[i] * (g[i] - a_dot_g))
        }
        elementwise => Array1::from_shape_fn(z.len(), |i| {
            g[i] * elementwise.derivative(z[i]).expect("elementwise")
        }),
    }
}
// ANCHOR_END: backward_through

// ANCHOR: output_error
/// (BP1) The output layer's error δᴸ = ∂C/∂zᴸ.
///
/// In general ∂C/∂a passed back through the activation; for softmax with
/// cross-entropy the two combine into a − y (chapter 4), which is also
/// the numerically safe way to compute it.
pub fn output_error<T: Real>(
    cost: Cost,
    activation: Activation,
    z: ArrayView1<T>,
    a: ArrayView1<T>,
    y: ArrayView1<T>,
) -> Array1<T> {
    match (cost, activation) {
        (Cost::CrossEntropy, Activation::Softmax) => &a - &y,
        _ => backward_through(activation, z, a, cost.gradient(a, y).view()),
    }
}
// ANCHOR_END: output_error

// ANCHOR: backprop
/// The gradient of the cost of one sample (x, y) with respect to every
/// weight and bias of `net`: one forward pass, one backward pass.
pub fn backprop<T: Real>(
    net: &Network<T>,
    x: ArrayView1<T>,
    y: ArrayView1<T>,
    cost: Cost,
) -> Gradients<T> {
    // Feedforward, keeping every z⁽ˡ⁾ and a⁽ˡ⁾. `zs[l]` and `activations[l + 1]`
    // belong to layer l (counting from 0); `activations[0]` is the input.
    let Trace { zs, activations } = net.forward_trace(x);
    let last = net.layers.len() - 1;
    let mut grads = Gradients::zeros_like(net);

    // Backward pass.
    let mut delta = output_error(
        cost,
        net.layers[last].activation,
        zs[last].view(),
        activations[last + 1].view(),
        y,
    ); // (BP1)
    for l in (0..=last).rev() {
        let a_in = activations[l].view(); // the layer's input
        grads.nabla_b[l] = delta.clone(); // (BP3) ∂C/∂b = δ
        grads.nabla_w[l] = outer(delta.view(), a_in); // (BP4) ∂C/∂W = δ aᵀ
        if l > 0 {
            // (BP2) δ⁽ˡ⁻¹⁾ = f'(z⁽ˡ⁻¹⁾) ⊙ (W⁽ˡ⁾ᵀ δ⁽ˡ⁾)
            let g = net.layers[l].w.t().dot(&delta);
            delta = backward_through(
                net.layers[l - 1].activation,
                zs[l - 1].view(),
                activations[l].view(),
                g.view(),
            );
        }
    }
    grads
}

/// The outer product u vᵀ: shape (u.len(), v.len()).
pub fn outer<T: Real>(u: ArrayView1<T>, v: ArrayView1<T>) -> Array2<T> {
    let column = u.insert_axis(Axis(1)); // (m, 1)
    let row = v.insert_axis(Axis(0)); // (1, n)
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

/// The average cost of `net` over samples (columns of `x`, targets `ys`).
pub fn average_cost<T: Real>(
    net: &Network<T>,
    cost: Cost,
    x: ndarray::ArrayView2<T>,
    ys: ndarray::ArrayView2<T>,
) -> T {
    let total = x
        .columns()
        .into_iter()
        .zip(ys.columns())
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
