//! Saving and loading a trained network, as **safetensors** — the format
//! candle, Burn and PyTorch read:
//!
//! ```text
//! 8 bytes: n, the header's length (little-endian u64)
//! n bytes: a JSON header — for each tensor its dtype, shape and where its
//!          bytes are; and "__metadata__", our description of the network
//! the tensors' bytes, little-endian f32
//! ```
//!
//! The tensors are `layers.0.weight` (shape [n₁, n₀]), `layers.0.bias`
//! ([n₁]), `layers.1.weight`, …; the metadata records the format and its
//! version, the layer sizes, the activations and the cost, so a loader can
//! check the file before trusting it: a file that is not safetensors, of
//! another format or version, with an unknown activation, a tensor of the
//! wrong shape or a weight that is not finite is an error naming the file.
//!
//! [`safetensors_bytes`], [`read_metadata`] and [`read_f32s`] are the one
//! writer and the checked reading every later chapter's model files use
//! (chapter 10's network has other tensors and other metadata, in the
//! same scheme: a `format` and a `version` beside the model's own keys).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2};
use safetensors::{Dtype, SafeTensors};

use crate::{Activation, Cost, Network};
use ch03_forward::Layer;

/// A model file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// Reading or writing failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Writing failed.
    #[error(transparent)]
    Write(#[from] shared::Error),
    /// The network's weights are not all finite (training diverged):
    /// nothing is saved.
    #[error(
        "{}: not saved: the network has weights that are not finite \
         numbers (training diverged; try a smaller learning rate)",
        path.display()
    )]
    Diverged {
        /// The file that was not written.
        path: PathBuf,
    },
    /// The file is not a model of this format.
    #[error("{}: not a model file: {reason}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },
}

/// The metadata's `format`.
const FORMAT: &str = "nnfs-model";
/// Version 1 was a text header and raw floats; 2 is safetensors.
const VERSION: &str = "2";

fn activation_by_name(name: &str) -> Option<Activation> {
    [
        Activation::Identity,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Relu,
        Activation::Softmax,
    ]
    .into_iter()
    .find(|a| a.name() == name)
}

fn cost_by_name(name: &str) -> Option<Cost> {
    [Cost::Quadratic, Cost::CrossEntropy]
        .into_iter()
        .find(|c| c.name() == name)
}

/// A layer's tensor names: `layers.L.weight`, `layers.L.bias`.
fn tensor_names(l: usize) -> (String, String) {
    (format!("layers.{l}.weight"), format!("layers.{l}.bias"))
}

// ANCHOR: safetensors
/// The bytes of a safetensors file holding `tensors` (name, shape and
/// values, in this order) and `metadata` (written sorted by key). Written
/// by hand, it is short: the JSON header names each tensor's dtype, shape
/// and byte range; and the same tensors always give the same bytes.
pub fn safetensors_bytes(
    metadata: &BTreeMap<&str, String>,
    tensors: &[(String, Vec<usize>, Vec<f32>)],
) -> Vec<u8> {
    let fields: Vec<String> = metadata
        .iter()
        .map(|(key, value)| format!("{}:{}", json(key), json(value)))
        .collect();
    let metadata = format!(r#""__metadata__":{{{}}}"#, fields.join(","));
    let mut entries = vec![metadata];
    let mut data: Vec<u8> = Vec::new(); // the tensors, one after another
    for (name, shape, values) in tensors {
        let start = data.len();
        data.extend(values.iter().flat_map(|v| v.to_le_bytes()));
        let shape: Vec<String> = shape.iter().map(usize::to_string).collect();
        let offsets = format!("[{start},{}]", data.len());
        entries.push(format!(
            r#"{}:{{"dtype":"F32","shape":[{}],"data_offsets":{offsets}}}"#,
            json(name),
            shape.join(","),
        ));
    }
    let mut header = format!("{{{}}}", entries.join(","));
    // Padded with spaces so the tensors start 8-byte aligned.
    while header.len() % 8 != 0 {
        header.push(' ');
    }
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend(header.as_bytes());
    bytes.extend(data);
    bytes
}

// ANCHOR_END: safetensors

// ANCHOR: save
/// The bytes of a model file for `net`, trained with `cost`: each layer's
/// weight, row by row, and bias, and what the network is, in metadata.
pub fn encode(net: &Network<f32>, cost: Cost) -> Vec<u8> {
    let sizes: Vec<String> = net.sizes().iter().map(usize::to_string).collect();
    let activations: Vec<&str> =
        net.layers.iter().map(|l| l.activation.name()).collect();
    let metadata = BTreeMap::from([
        ("format", FORMAT.to_string()),
        ("version", VERSION.to_string()),
        ("sizes", sizes.join(" ")), // e.g. "784 256 10"
        ("activations", activations.join(" ")), // e.g. "relu softmax"
        ("cost", cost.name().to_string()),
    ]);
    let mut tensors = Vec::new();
    for (l, layer) in net.layers.iter().enumerate() {
        let (weight, bias) = tensor_names(l);
        let w = layer.w.iter().copied().collect(); // row by row
        tensors.push((weight, vec![layer.n_out(), layer.n_in()], w));
        tensors.push((bias, vec![layer.n_out()], layer.b.to_vec()));
    }
    safetensors_bytes(&metadata, &tensors)
}

/// Saves `net`, trained with `cost`, to `path` atomically.
pub fn save(
    net: &Network<f32>,
    cost: Cost,
    path: &Path,
) -> Result<(), ModelError> {
    Ok(shared::files::write_atomically(
        path,
        &encode_finite(net, cost, path)?,
    )?)
}
// ANCHOR_END: save

/// [`encode`], for a network whose every weight and bias is finite; one
/// that diverged is refused (naming `path`, the file it would have
/// replaced), so a failed run never replaces a good model.
pub fn encode_finite(
    net: &Network<f32>,
    cost: Cost,
    path: &Path,
) -> Result<Vec<u8>, ModelError> {
    let values = net.layers.iter().flat_map(|l| l.w.iter().chain(&l.b));
    all_finite(values, path)?;
    Ok(encode(net, cost))
}

/// An error naming `path` unless every value is finite: the check every
/// model writer makes before it writes.
pub fn all_finite<'a>(
    mut values: impl Iterator<Item = &'a f32>,
    path: &Path,
) -> Result<(), ModelError> {
    match values.all(|v| v.is_finite()) {
        true => Ok(()),
        false => Err(ModelError::Diverged {
            path: path.to_path_buf(),
        }),
    }
}

// ANCHOR: load
/// Reads a model from the bytes of a file; `path` is used in errors.
/// Returns the network and the cost it was trained with.
pub fn decode(
    bytes: &[u8],
    path: &Path,
) -> Result<(Network<f32>, Cost), ModelError> {
    let corrupt = |reason: String| ModelError::Corrupt {
        path: path.to_path_buf(),
        reason,
    };
    let tensors = SafeTensors::deserialize(bytes)
        .map_err(|e| corrupt(format!("not safetensors ({e})")))?;
    let (sizes, activations, cost) = describe(bytes).map_err(corrupt)?;
    let mut layers = Vec::new();
    for (l, (pair, f)) in sizes.windows(2).zip(activations).enumerate() {
        let (n_in, n_out) = (pair[0], pair[1]);
        let (weight, bias) = tensor_names(l);
        // W is (n_out, n_in), row by row.
        let w =
            read_f32s(&tensors, &weight, &[n_out, n_in]).map_err(corrupt)?;
        let b = read_f32s(&tensors, &bias, &[n_out]).map_err(corrupt)?;
        let w = Array2::from_shape_vec((n_out, n_in), w).expect("checked");
        layers.push(Layer::new(w, Array1::from(b), f));
    }
    if tensors.len() != 2 * layers.len() {
        return Err(corrupt(format!(
            "{} tensors for {} layers (want a weight and a bias each)",
            tensors.len(),
            layers.len()
        )));
    }
    Ok((Network::from_layers(layers), cost))
}
// ANCHOR_END: load

/// The network a file describes in its metadata: layer sizes, activations
/// and cost, each checked.
fn describe(
    bytes: &[u8],
) -> Result<(Vec<usize>, Vec<Activation>, Cost), String> {
    let metadata = read_metadata(bytes, FORMAT, VERSION)?;
    let field = |key: &str| {
        metadata
            .get(key)
            .cloned()
            .ok_or_else(|| format!("no '{key}' in its metadata"))
    };
    let sizes: Vec<usize> = field("sizes")?
        .split_whitespace()
        .map(|s| s.parse().map_err(|_| format!("bad layer size '{s}'")))
        .collect::<Result<_, _>>()?;
    ch03_forward::validate_sizes(&sizes).map_err(|e| e.to_string())?;
    let activations: Vec<Activation> = field("activations")?
        .split_whitespace()
        .map(|s| {
            activation_by_name(s)
                .ok_or_else(|| format!("unknown activation '{s}'"))
        })
        .collect::<Result<_, _>>()?;
    if activations.len() != sizes.len() - 1 {
        return Err(format!(
            "{} layers but {} activations",
            sizes.len() - 1,
            activations.len()
        ));
    }
    let cost_name = field("cost")?;
    let cost = cost_by_name(&cost_name)
        .ok_or_else(|| format!("unknown cost '{cost_name}'"))?;
    Ok((sizes, activations, cost))
}

/// A safetensors file's metadata, once its `format` and `version` are
/// checked to be `format` and `version`.
pub fn read_metadata(
    bytes: &[u8],
    format: &str,
    version: &str,
) -> Result<std::collections::HashMap<String, String>, String> {
    let (_, header) = SafeTensors::read_metadata(bytes)
        .map_err(|e| format!("not safetensors ({e})"))?;
    let metadata = header.metadata().clone().unwrap_or_default();
    let field = |key: &str| {
        metadata
            .get(key)
            .ok_or_else(|| format!("no '{key}' in its metadata"))
    };
    let found = field("format")?;
    if found != format {
        return Err(format!("its format is '{found}', not '{format}'"));
    }
    let found = field("version")?;
    if found != version {
        return Err(format!(
            "version {found} is not supported (this program reads version \
             {version})"
        ));
    }
    Ok(metadata)
}

/// One tensor's values, checked for its dtype, its shape and finiteness.
pub fn read_f32s(
    tensors: &SafeTensors,
    name: &str,
    shape: &[usize],
) -> Result<Vec<f32>, String> {
    let tensor = tensors
        .tensor(name)
        .map_err(|_| format!("no tensor '{name}'"))?;
    if tensor.dtype() != Dtype::F32 || tensor.shape() != shape {
        return Err(format!(
            "tensor '{name}' is {:?} {:?}; the model needs F32 {shape:?}",
            tensor.dtype(),
            tensor.shape()
        ));
    }
    let values: Vec<f32> = tensor
        .data()
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    if let Some(k) = values.iter().position(|v| !v.is_finite()) {
        return Err(format!(
            "entry {k} of '{name}' is {}, not a finite weight",
            values[k]
        ));
    }
    Ok(values)
}

/// `text` as a JSON string: quoted, with quotes, backslashes and control
/// characters escaped.
fn json(text: &str) -> String {
    let mut out = String::from('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Loads a model file: the network and the cost it was trained with.
pub fn load(path: &Path) -> Result<Network<f32>, ModelError> {
    load_with_cost(path).map(|(net, _)| net)
}

/// [`load`], also returning the cost the network was trained with.
pub fn load_with_cost(path: &Path) -> Result<(Network<f32>, Cost), ModelError> {
    let bytes =
        shared::files::read_regular(path).map_err(|source| ModelError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    decode(&bytes, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Init;
    use shared::rng::seeded;

    fn net() -> Network<f32> {
        Network::new(
            &[6, 4, 3],
            Activation::Relu,
            Activation::Softmax,
            Init::He,
            &mut seeded(1),
        )
        .unwrap()
    }

    /// A model file with its JSON header edited by `edit`.
    fn with_header(edit: impl Fn(&str) -> String) -> Vec<u8> {
        let good = encode(&net(), Cost::CrossEntropy);
        let n = u64::from_le_bytes(good[..8].try_into().unwrap()) as usize;
        let header = std::str::from_utf8(&good[8..8 + n]).unwrap();
        let new = edit(header);
        let mut bytes = (new.len() as u64).to_le_bytes().to_vec();
        bytes.extend(new.as_bytes());
        bytes.extend(&good[8 + n..]);
        bytes
    }

    fn err(bytes: &[u8]) -> String {
        decode(bytes, Path::new("m.model")).unwrap_err().to_string()
    }

    #[test]
    fn round_trips_exactly_as_safetensors() {
        let bytes = encode(&net(), Cost::CrossEntropy);
        let (back, cost) = decode(&bytes, Path::new("m")).unwrap();
        assert_eq!(back, net());
        assert_eq!(cost, Cost::CrossEntropy);
        // What another safetensors reader sees.
        let other = SafeTensors::deserialize(&bytes).unwrap();
        let w = other.tensor("layers.0.weight").unwrap();
        assert_eq!((w.dtype(), w.shape()), (Dtype::F32, &[4usize, 6][..]));
        let (_, header) = SafeTensors::read_metadata(&bytes).unwrap();
        let meta = header.metadata().clone().unwrap();
        assert_eq!(meta["sizes"], "6 4 3");
        assert_eq!(meta["activations"], "relu softmax");
        assert_eq!(meta["cost"], "cross-entropy");
        // The same network, the same bytes (a retrained model that did not
        // change does not change its file).
        assert_eq!(encode(&net(), Cost::CrossEntropy), bytes);
        let n = u64::from_le_bytes(bytes[..8].try_into().unwrap());
        assert_eq!(n % 8, 0, "the tensors start 8-byte aligned");
    }

    #[test]
    fn the_writer_sorts_its_metadata_and_escapes_every_string() {
        let odd = "a \"quoted\" \\ value\nwith a newline";
        let metadata = BTreeMap::from([
            ("zeta", "last".to_string()),
            ("alpha", odd.to_string()),
            ("format", "test".to_string()),
        ]);
        let tensors = vec![
            ("b \"two\"".to_string(), vec![2], vec![1.0, 2.0]),
            ("a".to_string(), vec![1, 3], vec![3.0, 4.0, 5.0]),
        ];
        let bytes = safetensors_bytes(&metadata, &tensors);
        let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        let header = std::str::from_utf8(&bytes[8..8 + n]).unwrap();
        let (alpha, format) = (header.find("alpha"), header.find("format"));
        assert!(alpha < format && format < header.find("zeta"), "{header}");
        // Another reader finds every string and number as written.
        let (_, read) = SafeTensors::read_metadata(&bytes).unwrap();
        assert_eq!(read.metadata().clone().unwrap()["alpha"], odd);
        let other = SafeTensors::deserialize(&bytes).unwrap();
        assert_eq!(read_f32s(&other, "b \"two\"", &[2]), Ok(vec![1.0, 2.0]));
        assert_eq!(read_f32s(&other, "a", &[1, 3]), Ok(vec![3.0, 4.0, 5.0]));
        assert_eq!(safetensors_bytes(&metadata, &tensors), bytes);
        let wrong = read_metadata(&bytes, "nnfs-model", "2").unwrap_err();
        assert_eq!(wrong, "its format is 'test', not 'nnfs-model'");
    }

    #[test]
    fn corrupt_files_are_clear_errors() {
        let good = encode(&net(), Cost::CrossEntropy);
        assert!(
            err(b"hello")
                .starts_with("m.model: not a model file: not safetensors (")
        );
        assert!(
            err(&good[..good.len() - 3]).contains("not safetensors"),
            "{}",
            err(&good[..good.len() - 3])
        );
        assert!(
            err(b"nnfs-model 1\nsizes 6 4 3\nend\n")
                .contains("not a model file: not safetensors"),
        );
        let v3 =
            with_header(|h| h.replace(r#""version":"2""#, r#""version":"3""#));
        assert!(
            err(&v3).contains("version 3 is not supported"),
            "{}",
            err(&v3)
        );
        let odd = with_header(|h| h.replace("relu softmax", "swish softmax"));
        assert!(err(&odd).contains("unknown activation 'swish'"));
        let cost = with_header(|h| h.replace("cross-entropy", "hinge"));
        assert!(err(&cost).contains("unknown cost 'hinge'"));
        let zero = with_header(|h| h.replace(r#""6 4 3""#, r#""6 0 3""#));
        assert!(
            err(&zero).contains("layer 1 has zero neurons"),
            "{}",
            err(&zero)
        );
        // Another shape than the tensors: named with both shapes.
        let shape = with_header(|h| h.replace(r#""6 4 3""#, r#""6 4 2""#));
        assert!(
            err(&shape).contains("'layers.1.weight' is F32 [3, 4]"),
            "{}",
            err(&shape)
        );
        // Sizes whose product overflows: an error, not a panic.
        let huge = with_header(|h| {
            h.replace(r#""6 4 3""#, r#""1 4611686018427387904 1""#)
        });
        assert!(err(&huge).contains("is F32 [4, 6]"), "{}", err(&huge));
        // A NaN weight is refused, with its place.
        let mut nan = good.clone();
        let at = nan.len() - 4;
        nan[at..].copy_from_slice(&f32::NAN.to_le_bytes());
        assert!(
            err(&nan).contains("entry 2 of 'layers.1.bias' is NaN"),
            "{}",
            err(&nan)
        );
    }

    proptest::proptest! {
        // Random bytes, and a good file with bytes changed, cut short or
        // extended: always an error or a network, never a panic.
        #[test]
        fn no_bytes_make_the_loader_panic(
            noise in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
            at in 0usize..600,
            cut in 0usize..600,
        ) {
            let _ = decode(&noise, Path::new("r.model"));
            let mut good = encode(&net(), Cost::Quadratic);
            let n = good.len();
            for (k, b) in noise.iter().enumerate() {
                let i = (at + 7 * k) % n;
                good[i] ^= b;
            }
            let _ = decode(&good, Path::new("m.model"));
            let _ = decode(&good[..cut.min(n)], Path::new("m.model"));
            good.extend_from_slice(&noise);
            let _ = decode(&good, Path::new("m.model"));
        }
    }
}
