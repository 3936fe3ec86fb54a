//! Chapter 3: layers as matrices, and the forward pass.
//!
//! Covers a layer `a' = f(W a + b)` with `W` of shape `(n_out, n_in)`; a
//! network built from a list of layer sizes with seeded initialisation;
//! feedforward for one sample and for a batch (samples as columns);
//! parameter counting; the coat example; and the Jacobians of a layer
//! with respect to its input and its weights.
//!
//! Leaves out: how wrong the output is (chapter 4) and how to improve the
//! weights (chapters 5–7).

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use shared::Real;
use shared::rng::{Rng, standard_normal};

pub use ch02_activations::Activation;

pub mod examples;
// Your answers, compiled only when they are graded (`cargo exercises`
// turns on `my-answers`): a half-typed answer breaks its own grading and
// nothing else — not this chapter's run, not the later chapters, not
// `cargo test --workspace`.
#[cfg(feature = "my-answers")]
pub mod exercises;
pub mod figures;
mod walkthrough;

/// What `cargo run -p ch03-forward` runs.
pub const CHAPTER: shared::chapter::Chapter = shared::chapter::Chapter {
    name: "ch03-forward",
    walkthrough: walkthrough::print,
    figures: figures::all,
};

/// A list of layer sizes that cannot make a network.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NetworkError {
    /// Fewer than two sizes: a network needs an input and an output.
    #[error(
        "layer sizes {0:?}: need at least two (inputs and outputs), \
         e.g. [784, 16, 16, 10]"
    )]
    TooFewLayers(Vec<usize>),
    /// A layer of width zero.
    #[error("layer sizes {sizes:?}: layer {index} has zero neurons")]
    ZeroWidth {
        /// All the sizes given.
        sizes: Vec<usize>,
        /// Which one is zero (0 = the input).
        index: usize,
    },
}

/// Checks that `sizes` can make a network.
pub fn validate_sizes(sizes: &[usize]) -> Result<(), NetworkError> {
    if sizes.len() < 2 {
        return Err(NetworkError::TooFewLayers(sizes.to_vec()));
    }
    match sizes.iter().position(|&n| n == 0) {
        Some(index) => Err(NetworkError::ZeroWidth {
            sizes: sizes.to_vec(),
            index,
        }),
        None => Ok(()),
    }
}

// ANCHOR: layer
/// A fully connected layer: every output neuron sees every input.
#[derive(Clone, Debug, PartialEq)]
pub struct Layer<T: Real> {
    /// Row j holds the weights of output neuron j.
    pub w: Array2<T>, // (n_out, n_in)
    /// One bias per output neuron.
    pub b: Array1<T>, // (n_out,)
    /// The activation function f.
    pub activation: Activation,
}

impl<T: Real> Layer<T> {
    /// A layer from its weights and biases. Panics if they disagree.
    pub fn new(w: Array2<T>, b: Array1<T>, activation: Activation) -> Self {
        assert_eq!(
            w.nrows(),
            b.len(),
            "W has shape {:?} but b has {} entries",
            w.dim(),
            b.len()
        );
        Layer { w, b, activation }
    }

    /// Inputs per neuron.
    pub fn n_in(&self) -> usize {
        self.w.ncols()
    }

    /// Neurons in the layer.
    pub fn n_out(&self) -> usize {
        self.w.nrows()
    }

    /// The weighted inputs z = W a + b.
    pub fn weighted_input(&self, a: ArrayView1<T>) -> Array1<T> {
        self.check_input(a.len());
        self.w.dot(&a) + &self.b // (n_out,)
    }

    /// The layer's output a' = f(W a + b).
    pub fn forward(&self, a: ArrayView1<T>) -> Array1<T> {
        self.activation.apply(self.weighted_input(a).view())
    }

    fn check_input(&self, n: usize) {
        assert_eq!(
            self.n_in(),
            n,
            "W has shape {:?} but the input has {} rows",
            self.w.dim(),
            n
        );
    }
}
// ANCHOR_END: layer

// ANCHOR: batch
impl<T: Real> Layer<T> {
    /// The layer applied to a whole batch at once: column k of `x` is
    /// sample k. Z = W X + b, with b added to every column.
    pub fn forward_batch(&self, x: ArrayView2<T>) -> Array2<T> {
        self.check_input(x.nrows());
        let mut z = self.w.dot(&x); // (n_out, batch)
        z += &self.b.view().insert_axis(Axis(1)); // (n_out, 1) broadcasts
        activate_columns(self.activation, &mut z);
        z
    }
}

/// Applies `activation` to each column (sample) of `z` in place.
pub fn activate_columns<T: Real>(activation: Activation, z: &mut Array2<T>) {
    for column in z.columns_mut() {
        activation.apply_in_place(column);
    }
}
// ANCHOR_END: batch

// ANCHOR: jacobians
impl<T: Real> Layer<T> {
    /// ∂a'/∂a, shape (n_out, n_in): how each output moves with each input.
    /// Chain rule: ∂a'/∂z · ∂z/∂a = J_f(z) · W.
    pub fn input_jacobian(&self, a: ArrayView1<T>) -> Array2<T> {
        let z = self.weighted_input(a);
        self.activation.jacobian(z.view()).dot(&self.w)
    }

    /// ∂a'/∂W, shape (n_out, n_out·n_in), with W flattened row by row:
    /// ∂a'ᵢ/∂Wⱼₖ = J_f(z)ᵢⱼ · aₖ, since Wⱼₖ reaches the output only
    /// through zⱼ, and ∂zⱼ/∂Wⱼₖ = aₖ.
    pub fn weight_jacobian(&self, a: ArrayView1<T>) -> Array2<T> {
        let z = self.weighted_input(a);
        let jf = self.activation.jacobian(z.view()); // (n_out, n_out)
        let (n_out, n_in) = self.w.dim();
        Array2::from_shape_fn((n_out, n_out * n_in), |(i, col)| {
            let (j, k) = (col / n_in, col % n_in);
            jf[(i, j)] * a[k]
        })
    }
}
// ANCHOR_END: jacobians

// ANCHOR: init
/// How to draw the initial weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Init {
    /// Weights and biases from N(0, 1), as in Nielsen's `network.py`.
    StandardNormal,
    /// Weights from N(0, 1/n_in), biases 0: a neuron's weighted sum then
    /// starts with variance about 1 however many inputs it has.
    Scaled,
    /// Weights from N(0, 2/n_in), biases 0 (He et al., 2015): the same
    /// idea for ReLU, which zeroes half its inputs.
    He,
}
// ANCHOR_END: init

// ANCHOR: network
/// A feedforward network: layers applied one after another.
#[derive(Clone, Debug, PartialEq)]
pub struct Network<T: Real> {
    /// Layer 1 first; the input layer has no weights and no entry here.
    pub layers: Vec<Layer<T>>,
}

impl<T: Real> Network<T> {
    /// A network with the given layer sizes, e.g. `[784, 16, 16, 10]`,
    /// `hidden` activations and an `output` activation, weights drawn by
    /// `init` from `rng`.
    pub fn new(
        sizes: &[usize],
        hidden: Activation,
        output: Activation,
        init: Init,
        rng: &mut Rng,
    ) -> Result<Self, NetworkError> {
        validate_sizes(sizes)?;
        let last = sizes.len() - 2;
        let layers = sizes
            .windows(2)
            .enumerate()
            .map(|(l, pair)| {
                let (n_in, n_out) = (pair[0], pair[1]);
                let (w_std, b_std) = match init {
                    Init::StandardNormal => (1.0, 1.0),
                    Init::Scaled => (1.0 / (n_in as f64).sqrt(), 0.0),
                    Init::He => ((2.0 / n_in as f64).sqrt(), 0.0),
                };
                let mut normal =
                    |std: f64| T::from_f64(std * standard_normal(rng));
                let w = Array2::from_shape_simple_fn((n_out, n_in), || {
                    normal(w_std)
                });
                let b = Array1::from_shape_simple_fn(n_out, || normal(b_std));
                let f = if l == last { output } else { hidden };
                Layer::new(w, b, f)
            })
            .collect();
        Ok(Network { layers })
    }

    /// A network from ready-made layers. Panics if consecutive layers'
    /// shapes do not fit.
    pub fn from_layers(layers: Vec<Layer<T>>) -> Self {
        for (l, pair) in layers.windows(2).enumerate() {
            assert_eq!(
                pair[0].n_out(),
                pair[1].n_in(),
                "layer {} has W {:?} but layer {} has W {:?}",
                l + 1,
                pair[0].w.dim(),
                l + 2,
                pair[1].w.dim()
            );
        }
        Network { layers }
    }

    /// The layer sizes, input first: e.g. `[784, 16, 16, 10]`.
    pub fn sizes(&self) -> Vec<usize> {
        let mut sizes = vec![self.layers[0].n_in()];
        sizes.extend(self.layers.iter().map(Layer::n_out));
        sizes
    }
}
// ANCHOR_END: network

// ANCHOR: forward
impl<T: Real> Network<T> {
    /// The network's output for one input: each layer feeds the next.
    pub fn feedforward(&self, x: ArrayView1<T>) -> Array1<T> {
        let mut a = x.to_owned();
        for layer in &self.layers {
            a = layer.forward(a.view());
        }
        a
    }

    /// The outputs for a batch: column k of `x` is sample k, column k of
    /// the result its output.
    pub fn feedforward_batch(&self, x: ArrayView2<T>) -> Array2<T> {
        let mut a = x.to_owned(); // (n_in, batch)
        for layer in &self.layers {
            a = layer.forward_batch(a.view());
        }
        a // (n_out, batch)
    }

    /// Every layer's weighted inputs z⁽ˡ⁾ and activations a⁽ˡ⁾ for one
    /// input; `activations[0]` is the input itself. Backprop (chapter 6)
    /// needs all of them.
    pub fn forward_trace(&self, x: ArrayView1<T>) -> Trace<T> {
        let mut trace = Trace {
            zs: Vec::with_capacity(self.layers.len()),
            activations: vec![x.to_owned()],
        };
        for layer in &self.layers {
            let a = trace.activations.last().expect("the input is there");
            let z = layer.weighted_input(a.view());
            trace.activations.push(layer.activation.apply(z.view()));
            trace.zs.push(z);
        }
        trace
    }
}

/// The intermediate values of one forward pass.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace<T: Real> {
    /// z⁽¹⁾ … z⁽ᴸ⁾.
    pub zs: Vec<Array1<T>>,
    /// a⁽⁰⁾ = x, a⁽¹⁾ … a⁽ᴸ⁾.
    pub activations: Vec<Array1<T>>,
}
// ANCHOR_END: forward

// ANCHOR: count
/// How many numbers a network of the given sizes learns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParameterCount {
    /// Σ n₍ₗ₋₁₎ · nₗ: one weight per connection.
    pub weights: usize,
    /// Σ nₗ over all layers but the input: one bias per neuron.
    pub biases: usize,
}

impl ParameterCount {
    /// Counts the parameters of a network with layer sizes `sizes`.
    pub fn of(sizes: &[usize]) -> Result<Self, NetworkError> {
        validate_sizes(sizes)?;
        Ok(ParameterCount {
            weights: sizes.windows(2).map(|p| p[0] * p[1]).sum(),
            biases: sizes[1..].iter().sum(),
        })
    }

    /// Weights plus biases.
    pub fn total(&self) -> usize {
        self.weights + self.biases
    }
}
// ANCHOR_END: count

#[cfg(test)]
mod tests;
