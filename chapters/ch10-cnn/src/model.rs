//! Saving and loading the convolutional network as safetensors (the
//! format chapter 8 uses, which candle, Burn and PyTorch read).
//!
//! Tensors `conv1.weight` (C1, 1, k, k), `conv1.bias`, `conv2.weight`
//! (C2, C1, k, k), `conv2.bias`, `fc1.weight` (hidden, features),
//! `fc1.bias`, `fc2.weight` (classes, hidden), `fc2.bias` — PyTorch's
//! names and layouts for the same layers. The metadata records the format
//! and the architecture; loading checks every shape and value, and a file
//! of chapter 8's fully connected format is named as such.

use std::collections::HashMap;
use std::path::Path;

use ch08_mnist::model::ModelError;
use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors};

use crate::net::{Architecture, Cnn};

/// The metadata's one key. (One key, because safetensors keeps metadata
/// in a hash map whose order changes from run to run: with one, the same
/// network always gives the same bytes.)
const KEY: &str = "nnfs-cnn";
/// The format's version.
const VERSION: &str = "1";
/// The tensors, in [`Cnn::layers`] order: (weight, bias) per layer.
const NAMES: [(&str, &str); 4] = [
    ("conv1.weight", "conv1.bias"),
    ("conv2.weight", "conv2.bias"),
    ("fc1.weight", "fc1.bias"),
    ("fc2.weight", "fc2.bias"),
];

/// The metadata: "version=1 side=28 k=5 channels=20,40 hidden=100
/// classes=10".
fn describe(arch: Architecture) -> String {
    let [c1, c2] = arch.channels;
    format!(
        "version={VERSION} side={} k={} channels={c1},{c2} hidden={} \
         classes={}",
        arch.side, arch.k, arch.hidden, arch.classes
    )
}

/// The architecture a metadata value describes.
fn architecture(text: &str) -> Result<Architecture, String> {
    let field = |key: &str| {
        text.split_whitespace()
            .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
            .ok_or_else(|| format!("no '{key}' in its description"))
    };
    if field("version")? != VERSION {
        return Err(format!("its version is not {VERSION}"));
    }
    let number =
        |s: &str| s.parse::<usize>().map_err(|_| format!("bad size '{s}'"));
    let channels: Vec<usize> = field("channels")?
        .split(',')
        .map(number)
        .collect::<Result<_, _>>()?;
    let [c1, c2] = channels[..] else {
        return Err("the channels need two numbers".into());
    };
    let arch = Architecture {
        side: number(field("side")?)?,
        k: number(field("k")?)?,
        channels: [c1, c2],
        hidden: number(field("hidden")?)?,
        classes: number(field("classes")?)?,
    };
    arch.check()?;
    Ok(arch)
}

/// The bytes of a model file for `net`.
pub fn encode(net: &Cnn<f32>) -> Vec<u8> {
    let bytes: Vec<(Vec<u8>, Vec<usize>)> = net
        .layers()
        .iter()
        .flat_map(|(w, b)| [w, b])
        .map(|t| {
            let data = t.iter().flat_map(|v| v.to_le_bytes()).collect();
            (data, t.shape().to_vec())
        })
        .collect();
    let names = NAMES.iter().flat_map(|(w, b)| [*w, *b]);
    let views = names.zip(&bytes).map(|(name, (data, shape))| {
        let view = TensorView::new(Dtype::F32, shape.clone(), data)
            .expect("shape and bytes agree");
        (name, view)
    });
    let metadata = HashMap::from([(KEY.to_string(), describe(net.arch))]);
    safetensors::serialize(views, Some(metadata))
        .expect("in-memory tensors serialize")
}

/// Saves `net` to `path` atomically.
pub fn save(net: &Cnn<f32>, path: &Path) -> Result<(), ModelError> {
    Ok(shared::files::write_atomically(path, &encode(net))?)
}

/// Reads a network from the bytes of a model file; `path` names it in
/// errors.
pub fn decode(bytes: &[u8], path: &Path) -> Result<Cnn<f32>, ModelError> {
    let corrupt = |reason: String| ModelError::Corrupt {
        path: path.to_path_buf(),
        reason,
    };
    let tensors = SafeTensors::deserialize(bytes)
        .map_err(|e| corrupt(format!("not safetensors ({e})")))?;
    let (_, header) = SafeTensors::read_metadata(bytes)
        .map_err(|e| corrupt(format!("not safetensors ({e})")))?;
    let metadata = header.metadata().clone().unwrap_or_default();
    if metadata.get("format").is_some_and(|f| f == "nnfs-model") {
        return Err(corrupt(
            "a fully connected network (chapter 8's format), not a \
             convolutional one; give it to `ch08-mnist predict`"
                .into(),
        ));
    }
    let description = metadata
        .get(KEY)
        .ok_or_else(|| corrupt(format!("no '{KEY}' in its metadata")))?;
    let arch = architecture(description).map_err(corrupt)?;
    let mut net = Cnn::zeros(arch);
    if tensors.len() != 8 {
        return Err(corrupt(format!("{} tensors, not 8", tensors.len())));
    }
    for ((mut w, mut b), (w_name, b_name)) in
        net.layers_mut().into_iter().zip(NAMES)
    {
        for (to, name) in [(&mut w, w_name), (&mut b, b_name)] {
            let tensor = tensors
                .tensor(name)
                .map_err(|_| corrupt(format!("no tensor '{name}'")))?;
            if tensor.dtype() != Dtype::F32 || tensor.shape() != to.shape() {
                return Err(corrupt(format!(
                    "tensor '{name}' is {:?} {:?}; the architecture needs \
                     F32 {:?}",
                    tensor.dtype(),
                    tensor.shape(),
                    to.shape()
                )));
            }
            let values = tensor
                .data()
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]));
            for (k, (to, v)) in to.iter_mut().zip(values).enumerate() {
                if !v.is_finite() {
                    return Err(corrupt(format!(
                        "entry {k} of '{name}' is {v}, not a finite weight"
                    )));
                }
                *to = v;
            }
        }
    }
    Ok(net)
}

/// Loads a model file.
pub fn load(path: &Path) -> Result<Cnn<f32>, ModelError> {
    let bytes = std::fs::read(path).map_err(|source| ModelError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    decode(&bytes, path)
}
