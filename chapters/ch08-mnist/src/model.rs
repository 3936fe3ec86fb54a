//! Saving and loading a trained network.
//!
//! The format, version 1, is a short text header followed by the numbers:
//!
//! ```text
//! nnfs-model 1
//! sizes 784 256 10
//! activations relu softmax
//! end
//! <W⁽¹⁾ row by row, then b⁽¹⁾, then W⁽²⁾, b⁽²⁾, … as little-endian f32>
//! ```
//!
//! The header records the layer sizes and activations, so a loader can
//! check the file before trusting it: a wrong header, an unknown version
//! or activation, or a body of the wrong length is an error naming the
//! file.

use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2};

use crate::{Activation, Network};
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
    /// The file is not a model of this format.
    #[error("{}: not a model file: {reason}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },
}

const MAGIC: &str = "nnfs-model";
const VERSION: u32 = 1;

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

// ANCHOR: save
/// The bytes of a model file for `net`.
pub fn encode(net: &Network<f32>) -> Vec<u8> {
    let sizes: Vec<String> =
        net.sizes().iter().map(|s| s.to_string()).collect();
    let activations: Vec<&str> =
        net.layers.iter().map(|l| l.activation.name()).collect();
    let mut bytes = format!(
        "{MAGIC} {VERSION}\nsizes {}\nactivations {}\nend\n",
        sizes.join(" "),
        activations.join(" ")
    )
    .into_bytes();
    for layer in &net.layers {
        for v in layer.w.iter().chain(&layer.b) {
            bytes.extend(v.to_le_bytes());
        }
    }
    bytes
}

/// Saves `net` to `path` atomically.
pub fn save(net: &Network<f32>, path: &Path) -> Result<(), ModelError> {
    Ok(shared::files::write_atomically(path, &encode(net))?)
}
// ANCHOR_END: save

// ANCHOR: load
/// Reads a model from the bytes of a file; `path` is used in errors.
pub fn decode(bytes: &[u8], path: &Path) -> Result<Network<f32>, ModelError> {
    let corrupt = |reason: String| ModelError::Corrupt {
        path: path.to_path_buf(),
        reason,
    };
    // The header is text up to and including the line "end".
    let end = bytes
        .windows(5)
        .position(|w| w == b"\nend\n")
        .ok_or_else(|| corrupt(format!("no '{MAGIC}' header")))?;
    let header = std::str::from_utf8(&bytes[..end])
        .map_err(|_| corrupt(format!("no '{MAGIC}' header")))?;
    let mut lines = header.lines();
    let first: Vec<&str> =
        lines.next().unwrap_or("").split_whitespace().collect();
    if first.first() != Some(&MAGIC) {
        return Err(corrupt(format!("no '{MAGIC}' header")));
    }
    if first.get(1) != Some(&"1") {
        return Err(corrupt(format!(
            "version {} is not supported (this program reads version {VERSION})",
            first.get(1).unwrap_or(&"?")
        )));
    }
    let mut field = |name: &str| -> Result<Vec<String>, ModelError> {
        let line = lines.next().unwrap_or("");
        match line.strip_prefix(name).and_then(|r| r.strip_prefix(' ')) {
            Some(rest) => {
                Ok(rest.split_whitespace().map(String::from).collect())
            }
            None => Err(corrupt(format!(
                "expected a '{name}' line, found '{line}'"
            ))),
        }
    };
    let sizes: Vec<usize> = field("sizes")?
        .iter()
        .map(|s| {
            s.parse()
                .map_err(|_| corrupt(format!("bad layer size '{s}'")))
        })
        .collect::<Result<_, _>>()?;
    let activations: Vec<Activation> = field("activations")?
        .iter()
        .map(|s| {
            activation_by_name(s)
                .ok_or_else(|| corrupt(format!("unknown activation '{s}'")))
        })
        .collect::<Result<_, _>>()?;
    ch03_forward::validate_sizes(&sizes).map_err(|e| corrupt(e.to_string()))?;
    if activations.len() != sizes.len() - 1 {
        return Err(corrupt(format!(
            "{} layers but {} activations",
            sizes.len() - 1,
            activations.len()
        )));
    }
    // Checked: a crafted header must not overflow the arithmetic.
    let count = sizes
        .windows(2)
        .try_fold(0usize, |total, p| {
            p[0].checked_mul(p[1])?
                .checked_add(p[1])?
                .checked_add(total)
        })
        .and_then(|count| count.checked_mul(4).map(|_| count))
        .ok_or_else(|| {
            corrupt(format!("layer sizes {sizes:?} are too large"))
        })?;
    let body = &bytes[end + 5..];
    if body.len() != 4 * count {
        return Err(corrupt(format!(
            "layer sizes {sizes:?} need {count} numbers ({} bytes), the file has {} bytes",
            4 * count,
            body.len()
        )));
    }
    let values: Vec<f32> = body
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    if let Some(k) = values.iter().position(|v| !v.is_finite()) {
        return Err(corrupt(format!(
            "number {} of {count} is {}, not a finite weight",
            k + 1,
            values[k]
        )));
    }
    let mut numbers = values.into_iter();
    let layers = sizes
        .windows(2)
        .zip(activations)
        .map(|(pair, activation)| {
            let (n_in, n_out) = (pair[0], pair[1]);
            let w = Array2::from_shape_simple_fn((n_out, n_in), || {
                numbers.next().expect("counted")
            });
            let b = Array1::from_shape_simple_fn(n_out, || {
                numbers.next().expect("counted")
            });
            Layer::new(w, b, activation)
        })
        .collect();
    Ok(Network::from_layers(layers))
}

/// Loads a model file.
pub fn load(path: &Path) -> Result<Network<f32>, ModelError> {
    let bytes = std::fs::read(path).map_err(|source| ModelError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    decode(&bytes, path)
}
// ANCHOR_END: load

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

    #[test]
    fn round_trips_exactly() {
        let bytes = encode(&net());
        assert!(bytes.starts_with(
            b"nnfs-model 1\nsizes 6 4 3\nactivations relu softmax\nend\n"
        ));
        assert_eq!(decode(&bytes, Path::new("m")).unwrap(), net());
    }

    #[test]
    fn corrupt_files_are_clear_errors() {
        let good = encode(&net());
        let err = |bytes: &[u8]| {
            decode(bytes, Path::new("m.model")).unwrap_err().to_string()
        };
        assert_eq!(
            err(b"hello"),
            "m.model: not a model file: no 'nnfs-model' header"
        );
        assert_eq!(
            err(&good[..good.len() - 3]),
            "m.model: not a model file: layer sizes [6, 4, 3] need 43 numbers (172 bytes), the file has 169 bytes"
        );
        let v2 = String::from_utf8_lossy(&good).replacen(
            "nnfs-model 1",
            "nnfs-model 2",
            1,
        );
        assert!(err(v2.as_bytes()).contains("version 2 is not supported"));
        let odd = String::from_utf8_lossy(&good).replacen("relu", "swish", 1);
        assert!(err(odd.as_bytes()).contains("unknown activation 'swish'"));
        let zero = String::from_utf8_lossy(&good).replacen(
            "sizes 6 4 3",
            "sizes 6 0 3",
            1,
        );
        assert!(err(zero.as_bytes()).contains("layer 1 has zero neurons"));
        // Sizes whose product overflows: an error, not a panic.
        let huge = String::from_utf8_lossy(&good).replacen(
            "sizes 6 4 3",
            "sizes 1 4611686018427387904 1",
            1,
        );
        assert!(
            err(huge.as_bytes()).contains("are too large"),
            "{}",
            err(huge.as_bytes())
        );
        // A NaN weight is refused, with its position.
        let mut nan = good.clone();
        let at = nan.len() - 4 * 5;
        nan[at..at + 4].copy_from_slice(&f32::NAN.to_le_bytes());
        assert!(
            err(&nan).contains("number 39 of 43 is NaN"),
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
            at in 0usize..400,
            cut in 0usize..400,
        ) {
            let _ = decode(&noise, Path::new("r.model"));
            let mut good = encode(&net());
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
