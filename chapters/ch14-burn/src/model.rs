//! Chapter 8's network as a Burn module, and the bridges between the two:
//! our `Network` → Burn's `Mlp` (same weights), chapter 8's model file →
//! `Mlp` (loaded by Burn's own safetensors store), ndarray ↔ tensors.
//!
//! One convention differs. We keep samples in **columns** (X is (784, m))
//! and W as (n_out, n_in), so Z = W X + b1ᵀ. Burn keeps samples in **rows**
//! (X is (m, 784)) and its `Linear` weight as (n_in, n_out), so Z = X W + b.
//! The two are the same equation transposed: (W X)ᵀ = Xᵀ Wᵀ.

use std::path::Path;

use burn::module::Param;
use burn::nn::Linear;
use burn::prelude::*;
use burn::store::{ModuleSnapshot, PyTorchToBurnAdapter, SafetensorsStore};
use burn::tensor::activation::relu;
use ch06_backprop::{Activation, Cost, Layer, Network};
use ndarray::{Array1, Array2, ArrayView2};

use crate::Error;

// ANCHOR: mlp
/// Chapter 8's network in Burn: a list of `Linear` layers (each
/// Z = X W + b), ReLU between them, softmax at the end (inside the loss).
/// The field is called `layers`, as in our `Network`, so Burn names its
/// tensors `layers.0.weight`, `layers.0.bias`, … — the names chapter 8's
/// model file uses.
#[derive(Module, Debug)]
pub struct Mlp {
    /// One `Linear` per layer.
    pub layers: Vec<Linear>,
}

impl Mlp {
    /// The logits Z⁽ᴸ⁾ for a batch: x (m, 784) → (m, 10). Chapter 7's
    /// forward pass, A⁽ˡ⁾ = ReLU(A⁽ˡ⁻¹⁾ W + b), the last layer left linear.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let last = self.layers.len() - 1;
        let mut a = x;
        for layer in &self.layers[..last] {
            a = relu(layer.forward(a));
        }
        self.layers[last].forward(a)
    }
}
// ANCHOR_END: mlp

/// Why chapter 14 cannot take a network: it builds ReLU hidden layers and
/// a softmax output trained with cross-entropy (chapter 8's default).
pub fn check_supported(net: &Network<f32>, cost: Cost) -> Result<(), String> {
    let last = net.layers.len() - 1;
    for (l, layer) in net.layers.iter().enumerate() {
        let wanted = match l == last {
            true => Activation::Softmax,
            false => Activation::Relu,
        };
        if layer.activation != wanted {
            return Err(format!(
                "layer {} is {}, chapter 14's Mlp has {} there",
                l + 1,
                layer.activation.name(),
                wanted.name()
            ));
        }
    }
    match cost {
        Cost::CrossEntropy => Ok(()),
        other => Err(format!(
            "it was trained with the {} cost, chapter 14 uses cross-entropy",
            other.name()
        )),
    }
}

// ANCHOR: tensors
/// An ndarray matrix as a Burn tensor of the same shape.
pub fn tensor(a: ArrayView2<f32>, device: &Device) -> Tensor<2> {
    let values: Vec<f32> = a.iter().copied().collect(); // row by row
    Tensor::from_data(TensorData::new(values, [a.nrows(), a.ncols()]), device)
}

/// A Burn tensor back as an ndarray matrix.
pub fn matrix(t: Tensor<2>) -> Array2<f32> {
    let [rows, cols] = t.dims();
    let values = t.into_data().try_into_vec::<f32>().expect("f32 tensor");
    Array2::from_shape_vec((rows, cols), values).expect("sizes agree")
}

/// A rank-1 Burn tensor back as an ndarray vector.
pub fn vector(t: Tensor<1>) -> Array1<f32> {
    Array1::from(t.into_data().try_into_vec::<f32>().expect("f32 tensor"))
}

/// Our network's weights in a Burn `Mlp`: W (n_out, n_in) becomes Burn's
/// weight Wᵀ (n_in, n_out); b is the same vector.
pub fn from_network(net: &Network<f32>, device: &Device) -> Mlp {
    let layers = net
        .layers
        .iter()
        .map(|layer| Linear {
            weight: Param::from_tensor(tensor(layer.w.t(), device)),
            bias: Some(Param::from_tensor(Tensor::from_data(
                TensorData::new(layer.b.to_vec(), [layer.n_out()]),
                device,
            ))),
        })
        .collect();
    Mlp { layers }
}
// ANCHOR_END: tensors

/// The Burn module's weights back in our `Network` (ReLU hidden layers, a
/// softmax output), to compare with ours.
pub fn to_network(mlp: &Mlp) -> Network<f32> {
    let last = mlp.layers.len() - 1;
    let layers = mlp
        .layers
        .iter()
        .enumerate()
        .map(|(l, linear)| {
            let w = matrix(linear.weight.val()).t().to_owned(); // (n_out, n_in)
            let b = vector(linear.bias.as_ref().expect("has a bias").val());
            let activation = match l == last {
                true => Activation::Softmax,
                false => Activation::Relu,
            };
            Layer::new(w, b, activation)
        })
        .collect();
    Network::from_layers(layers)
}

/// An `Mlp` of the given layer sizes (784, 256, 10 …) with Burn's own
/// initial weights; loading a file overwrites them.
pub fn empty_mlp(sizes: &[usize], device: &Device) -> Mlp {
    let layers = sizes
        .windows(2)
        .map(|pair| burn::nn::LinearConfig::new(pair[0], pair[1]).init(device))
        .collect();
    Mlp { layers }
}

// ANCHOR: load
/// Fills every tensor of `module` from the safetensors file at `path`, by
/// name; the file stores a `Linear` weight as (n_out, n_in), PyTorch's
/// layout, and `PyTorchToBurnAdapter` transposes it to Burn's (n_in,
/// n_out) on the way in. A tensor missing or of the wrong shape is said in
/// one line.
pub fn fill_from<M: ModuleSnapshot>(
    module: &mut M,
    path: &Path,
) -> Result<(), String> {
    let mut store = SafetensorsStore::from_file(path)
        .with_from_adapter(PyTorchToBurnAdapter)
        .allow_partial(false);
    let result = module
        .load_from(&mut store)
        .map_err(|e| format!("Burn cannot read it: {e}"))?;
    if !result.is_success() || !result.missing.is_empty() {
        return Err(match result.errors.first() {
            Some(error) => error.to_string(),
            None => format!("missing {:?}", result.missing),
        });
    }
    Ok(())
}

/// Chapter 8's model file, read by **Burn**: chapter 8's loader checks the
/// file and gives the layer sizes; Burn's `SafetensorsStore` then fills an
/// `Mlp` of those sizes.
pub fn load(path: &Path, device: &Device) -> Result<Mlp, Error> {
    let (ours, cost) = ch08_mnist::model::load_with_cost(path)?;
    let unsupported = |why: String| Error::Unsupported {
        path: path.to_path_buf(),
        why,
    };
    check_supported(&ours, cost).map_err(unsupported)?;
    let mut mlp = empty_mlp(&ours.sizes(), device);
    fill_from(&mut mlp, path).map_err(unsupported)?;
    Ok(mlp)
}
// ANCHOR_END: load
