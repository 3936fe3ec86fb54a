//! Saving and loading the convolutional network as safetensors (the
//! format chapter 8 uses, which candle, Burn and PyTorch read).
//!
//! Tensors `conv1.weight` (C1, 1, k, k), `conv1.bias`, `conv2.weight`
//! (C2, C1, k, k), `conv2.bias`, `fc1.weight` (hidden, features),
//! `fc1.bias`, `fc2.weight` (classes, hidden), `fc2.bias` — PyTorch's
//! names and layouts for the same layers. The metadata records the format
//! and the architecture; loading checks every shape and value, and a file
//! of chapter 8's fully connected format is named as such.

use std::collections::BTreeMap;
use std::path::Path;

use ch08_mnist::model::{
    ModelError, all_finite, read_f32s, read_metadata, safetensors_bytes,
};
use safetensors::SafeTensors;

use crate::net::{Architecture, Cnn};

/// The metadata's `format`.
const FORMAT: &str = "nnfs-cnn";
/// The format's version (1 kept the architecture in one key).
const VERSION: &str = "2";
/// The largest side, filter, channel count, hidden width or class count a
/// model file may name.
pub const MAX_SIZE: usize = 4096;
/// The most parameters a model file may describe (400 MB of f32).
pub const MAX_PARAMETERS: usize = 100_000_000;
/// The tensors, in [`Cnn::layers`] order: (weight, bias) per layer.
const NAMES: [(&str, &str); 4] = [
    ("conv1.weight", "conv1.bias"),
    ("conv2.weight", "conv2.bias"),
    ("fc1.weight", "fc1.bias"),
    ("fc2.weight", "fc2.bias"),
];

/// The metadata, in chapter 8's scheme: format, version, and the
/// architecture's sizes.
fn describe(arch: Architecture) -> BTreeMap<&'static str, String> {
    let [c1, c2] = arch.channels;
    BTreeMap::from([
        ("format", FORMAT.to_string()),
        ("version", VERSION.to_string()),
        ("side", arch.side.to_string()),
        ("k", arch.k.to_string()),
        ("channels", format!("{c1} {c2}")),
        ("hidden", arch.hidden.to_string()),
        ("classes", arch.classes.to_string()),
    ])
}

/// The architecture a file's metadata describes, checked.
fn architecture(bytes: &[u8]) -> Result<Architecture, String> {
    let metadata = read_metadata(bytes, FORMAT, VERSION)?;
    let field = |key: &str| {
        metadata
            .get(key)
            .ok_or_else(|| format!("no '{key}' in its metadata"))
    };
    // Every size bounded before anything is multiplied or allocated, so a
    // hostile header cannot ask for terabytes or make a product wrap.
    let number = |s: &str| match s.parse::<usize>() {
        Ok(n) if n <= MAX_SIZE => Ok(n),
        Ok(n) => Err(format!("a size of {n} (at most {MAX_SIZE})")),
        Err(_) => Err(format!("bad size '{s}'")),
    };
    let channels: Vec<usize> = field("channels")?
        .split_whitespace()
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
    if arch.parameters() > MAX_PARAMETERS {
        return Err(format!(
            "{} parameters (a model file here holds at most {MAX_PARAMETERS})",
            arch.parameters()
        ));
    }
    Ok(arch)
}

/// The bytes of a model file for `net`, by chapter 8's one writer.
pub fn encode(net: &Cnn<f32>) -> Vec<u8> {
    let names = NAMES.iter().flat_map(|(w, b)| [*w, *b]);
    let tensors: Vec<(String, Vec<usize>, Vec<f32>)> = net
        .layers()
        .iter()
        .flat_map(|(w, b)| [w, b])
        .zip(names)
        .map(|(t, name)| {
            let values = t.iter().copied().collect(); // row-major
            (name.to_string(), t.shape().to_vec(), values)
        })
        .collect();
    safetensors_bytes(&describe(net.arch), &tensors)
}

/// Saves `net` to `path` atomically; a network that diverged (a weight
/// that is not finite) replaces nothing.
pub fn save(net: &Cnn<f32>, path: &Path) -> Result<(), ModelError> {
    let layers = net.layers();
    let values = layers.iter().flat_map(|(w, b)| w.iter().chain(b.iter()));
    all_finite(values, path)?;
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
    let chapter_8 = read_metadata(bytes, "nnfs-model", "2").is_ok();
    if chapter_8 {
        return Err(corrupt(
            "a fully connected network (chapter 8's format), not a \
             convolutional one; give it to `ch08-mnist predict`"
                .into(),
        ));
    }
    let arch = architecture(bytes).map_err(corrupt)?;
    if tensors.len() != 8 {
        return Err(corrupt(format!("{} tensors, not 8", tensors.len())));
    }
    let mut net = Cnn::zeros(arch);
    for ((mut w, mut b), (w_name, b_name)) in
        net.layers_mut().into_iter().zip(NAMES)
    {
        for (to, name) in [(&mut w, w_name), (&mut b, b_name)] {
            let values =
                read_f32s(&tensors, name, to.shape()).map_err(corrupt)?;
            for (to, v) in to.iter_mut().zip(values) {
                *to = v;
            }
        }
    }
    Ok(net)
}

/// Loads a model file.
pub fn load(path: &Path) -> Result<Cnn<f32>, ModelError> {
    let bytes =
        shared::files::read_regular(path).map_err(|source| ModelError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    decode(&bytes, path)
}
