//! The convolutional network of this chapter, one image at a time: conv →
//! ReLU → max-pool → conv → ReLU → max-pool → fully connected (ReLU) →
//! softmax, and its backprop, written with the layer functions of
//! [`conv`](crate::conv) and [`pool`](crate::pool).
//!
//! This is the lesson path: gradient-checked in f64. Training runs the
//! batched copy in `fast.rs`, which tests prove computes the same.

use ndarray::{
    Array1, Array2, Array3, Array4, ArrayView1, ArrayView3, ArrayViewD,
    ArrayViewMutD, Axis,
};
use shared::Real;
use shared::rng::{Rng, normal_array};

use ch02_activations::{relu, relu_prime, softmax};

use crate::conv::{Geometry, conv_backward, conv_forward};
use crate::pool::{max_pool, max_pool_backward};

/// The network's shape: image side, filter side, the two convolution
/// layers' channel counts, the hidden layer's width, the classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Architecture {
    /// Side of the square input image.
    pub side: usize,
    /// Side k of every filter (stride 1, no padding).
    pub k: usize,
    /// Filters in the first and second convolution layers.
    pub channels: [usize; 2],
    /// Neurons in the fully connected hidden layer.
    pub hidden: usize,
    /// Output classes.
    pub classes: usize,
}

/// Every max-pool block is 2 × 2.
pub const POOL: usize = 2;

impl Architecture {
    /// The chapter's network for MNIST: 28×28 → conv 5×5×20 → pool →
    /// conv 5×5×40 → pool → 100 → 10.
    pub const MNIST: Architecture = Architecture {
        side: 28,
        k: 5,
        channels: [20, 40],
        hidden: 100,
        classes: 10,
    };

    /// The side of the maps after conv layer `l` (0 or 1) and after its
    /// pooling.
    pub fn sides(self, l: usize) -> (usize, usize) {
        let mut side = self.side;
        let mut conv = 0;
        for _ in 0..=l {
            conv = Geometry::valid(self.k).output_side(side);
            side = conv / POOL;
        }
        (conv, side)
    }

    /// Whether the shapes fit: every map divides into pooling blocks.
    pub fn check(self) -> Result<(), String> {
        let mut side = self.side;
        for l in 0..2 {
            if side < self.k {
                return Err(format!(
                    "a {0}×{0} filter does not fit the {side}×{side} maps \
                     of layer {1}",
                    self.k,
                    l + 1
                ));
            }
            let conv = side - self.k + 1;
            if !conv.is_multiple_of(POOL) {
                return Err(format!(
                    "layer {}'s {conv}×{conv} maps do not split into \
                     {POOL}×{POOL} pooling blocks",
                    l + 1
                ));
            }
            side = conv / POOL;
        }
        if self.channels.contains(&0) || self.hidden == 0 || self.classes < 2 {
            return Err("every layer needs at least one unit".into());
        }
        Ok(())
    }

    /// Inputs to the fully connected layer: the second pooled maps,
    /// flattened.
    pub fn features(self) -> usize {
        let (_, side) = self.sides(1);
        self.channels[1] * side * side
    }

    /// Weights and biases of each layer, in order.
    pub fn parameter_counts(self) -> [(usize, usize); 4] {
        let [c1, c2] = self.channels;
        let k2 = self.k * self.k;
        [
            (c1 * k2, c1),
            (c2 * c1 * k2, c2),
            (self.hidden * self.features(), self.hidden),
            (self.classes * self.hidden, self.classes),
        ]
    }

    /// All parameters.
    pub fn parameters(self) -> usize {
        self.parameter_counts().iter().map(|(w, b)| w + b).sum()
    }
}

/// The network's parameters (and, with the same shapes, its gradients).
#[derive(Clone, Debug, PartialEq)]
pub struct Cnn<T: Real> {
    /// Its shape.
    pub arch: Architecture,
    /// First convolution's filters (C1, 1, k, k) and biases (C1).
    pub w1: Array4<T>,
    /// First convolution's biases (C1).
    pub b1: Array1<T>,
    /// Second convolution's filters (C2, C1, k, k).
    pub w2: Array4<T>,
    /// Second convolution's biases (C2).
    pub b2: Array1<T>,
    /// Hidden layer's weights (hidden, features).
    pub w3: Array2<T>,
    /// Hidden layer's biases (hidden).
    pub b3: Array1<T>,
    /// Output layer's weights (classes, hidden).
    pub w4: Array2<T>,
    /// Output layer's biases (classes).
    pub b4: Array1<T>,
}

impl<T: Real> Cnn<T> {
    /// All zeros: the shape of a gradient.
    pub fn zeros(arch: Architecture) -> Cnn<T> {
        let [c1, c2] = arch.channels;
        let k = arch.k;
        Cnn {
            arch,
            w1: Array4::zeros((c1, 1, k, k)),
            b1: Array1::zeros(c1),
            w2: Array4::zeros((c2, c1, k, k)),
            b2: Array1::zeros(c2),
            w3: Array2::zeros((arch.hidden, arch.features())),
            b3: Array1::zeros(arch.hidden),
            w4: Array2::zeros((arch.classes, arch.hidden)),
            b4: Array1::zeros(arch.classes),
        }
    }

    /// He initialisation (chapter 9): weights from N(0, 2/fan-in), where a
    /// filter's fan-in is C·k·k; biases 0.
    pub fn new(arch: Architecture, rng: &mut Rng) -> Cnn<T> {
        let mut net = Cnn::zeros(arch);
        for (mut w, _) in net.layers_mut() {
            let fan_in = w.len() / w.shape()[0];
            let std = (2.0 / fan_in as f64).sqrt();
            let init = normal_array(rng, w.raw_dim(), std);
            w.zip_mut_with(&init, |w, &v| *w = T::from_f64(v));
        }
        net
    }

    /// The four layers' (weights, biases), read-only, in order.
    pub fn layers(&self) -> [(ArrayViewD<'_, T>, ArrayViewD<'_, T>); 4] {
        [
            (self.w1.view().into_dyn(), self.b1.view().into_dyn()),
            (self.w2.view().into_dyn(), self.b2.view().into_dyn()),
            (self.w3.view().into_dyn(), self.b3.view().into_dyn()),
            (self.w4.view().into_dyn(), self.b4.view().into_dyn()),
        ]
    }

    /// The four layers' (weights, biases), to change, in order.
    pub fn layers_mut(
        &mut self,
    ) -> [(ArrayViewMutD<'_, T>, ArrayViewMutD<'_, T>); 4] {
        [
            (self.w1.view_mut().into_dyn(), self.b1.view_mut().into_dyn()),
            (self.w2.view_mut().into_dyn(), self.b2.view_mut().into_dyn()),
            (self.w3.view_mut().into_dyn(), self.b3.view_mut().into_dyn()),
            (self.w4.view_mut().into_dyn(), self.b4.view_mut().into_dyn()),
        ]
    }

    /// Every parameter in one list (layer by layer, weights then biases).
    pub fn to_vec(&self) -> Vec<T> {
        self.layers()
            .iter()
            .flat_map(|(w, b)| w.iter().chain(b.iter()).copied())
            .collect::<Vec<_>>()
    }

    /// Sets every parameter from a list in [`to_vec`](Self::to_vec)'s order.
    pub fn set_from(&mut self, values: &[T]) {
        assert_eq!(values.len(), self.arch.parameters(), "parameter count");
        let mut values = values.iter();
        for (mut w, mut b) in self.layers_mut() {
            for v in w.iter_mut().chain(b.iter_mut()) {
                *v = *values.next().expect("counted");
            }
        }
    }
}

/// What a forward pass remembers for the backward pass.
#[derive(Clone, Debug)]
pub struct Trace<T: Real> {
    /// The input image (1, side, side).
    pub x: Array3<T>,
    /// First convolution's weighted input (C1, 24, 24) and its pooled,
    /// rectified maps a1 (C1, 12, 12).
    pub z1: Array3<T>,
    /// a1 = max_pool(relu(z1)).
    pub a1: Array3<T>,
    /// Second convolution's weighted input (C2, 8, 8).
    pub z2: Array3<T>,
    /// a2 = max_pool(relu(z2)), (C2, 4, 4).
    pub a2: Array3<T>,
    /// a2 flattened: the fully connected layer's input (features).
    pub f: Array1<T>,
    /// Hidden weighted input (hidden).
    pub z3: Array1<T>,
    /// Hidden activations (hidden).
    pub a3: Array1<T>,
    /// Output weighted input, the logits (classes).
    pub z4: Array1<T>,
    /// Output probabilities, softmax(z4).
    pub a4: Array1<T>,
}

// ANCHOR: forward
impl<T: Real> Cnn<T> {
    /// The forward pass for one image x (1, side, side).
    pub fn forward(&self, x: ArrayView3<T>) -> Trace<T> {
        let conv = Geometry::valid(self.arch.k);
        let z1 = conv_forward(x, self.w1.view(), self.b1.view(), conv);
        let a1 = max_pool(z1.mapv(relu).view(), POOL);
        let z2 = conv_forward(a1.view(), self.w2.view(), self.b2.view(), conv);
        let a2 = max_pool(z2.mapv(relu).view(), POOL);
        let f = a2.flatten().to_owned(); // (C2·4·4)
        let z3 = self.w3.dot(&f) + &self.b3;
        let a3 = z3.mapv(relu);
        let z4 = self.w4.dot(&a3) + &self.b4;
        let a4 = softmax(z4.view());
        let x = x.to_owned();
        Trace {
            x,
            z1,
            a1,
            z2,
            a2,
            f,
            z3,
            a3,
            z4,
            a4,
        }
    }
}
// ANCHOR_END: forward

// ANCHOR: backprop
impl<T: Real> Cnn<T> {
    /// The gradient of the cross-entropy cost of one image with label `y`.
    pub fn backprop(&self, x: ArrayView3<T>, y: usize) -> Cnn<T> {
        let t = self.forward(x);
        let conv = Geometry::valid(self.arch.k);
        let mut nabla = Cnn::zeros(self.arch);
        // output layer: δ⁴ = a⁴ − y (softmax with cross-entropy)
        let mut delta4 = t.a4.clone();
        delta4[y] -= T::one();
        (nabla.w4, nabla.b4) = (outer(&delta4, &t.a3), delta4.clone());
        // hidden layer: δ³ = W⁴ᵀ δ⁴ ⊙ relu'(z³)
        let delta3 = self.w4.t().dot(&delta4) * t.z3.mapv(relu_prime);
        (nabla.w3, nabla.b3) = (outer(&delta3, &t.f), delta3.clone());
        // unflatten: ∂C/∂a² has the shape of the pooled maps
        let nabla_a2 = self
            .w3
            .t()
            .dot(&delta3)
            .into_shape_with_order(t.a2.raw_dim())
            .expect("same size");
        // second conv: back through the pool, then ⊙ relu'(z²)
        let delta2 =
            max_pool_backward(t.z2.mapv(relu).view(), nabla_a2.view(), POOL)
                * t.z2.mapv(relu_prime);
        let g2 =
            conv_backward(t.a1.view(), self.w2.view(), delta2.view(), conv);
        (nabla.w2, nabla.b2) = (g2.nabla_w, g2.nabla_b);
        // first conv: the same, from ∂C/∂a¹
        let delta1 =
            max_pool_backward(t.z1.mapv(relu).view(), g2.nabla_x.view(), POOL)
                * t.z1.mapv(relu_prime);
        let g1 = conv_backward(x, self.w1.view(), delta1.view(), conv);
        (nabla.w1, nabla.b1) = (g1.nabla_w, g1.nabla_b);
        nabla
    }
}
// ANCHOR_END: backprop

/// u vᵀ.
fn outer<T: Real>(u: &Array1<T>, v: &Array1<T>) -> Array2<T> {
    u.view()
        .insert_axis(Axis(1))
        .dot(&v.view().insert_axis(Axis(0)))
}

impl<T: Real> Cnn<T> {
    /// The cross-entropy cost −ln a⁴[y] of one image.
    pub fn cost(&self, x: ArrayView3<T>, y: usize) -> T {
        -self.forward(x).a4[y].ln()
    }

    /// The most likely class of one image.
    pub fn predict(&self, x: ArrayView3<T>) -> usize {
        ch08_mnist::argmax(self.forward(x).z4.iter().copied())
    }
}

/// An image (side·side pixels, row by row) as the network's (1, side, side).
pub fn as_image<T: Real>(pixels: ArrayView1<T>, side: usize) -> Array3<T> {
    pixels
        .to_owned()
        .into_shape_with_order((1, side, side))
        .expect("side·side pixels")
}
