//! A trained model of any kind, saved as safetensors with its vocabulary
//! and sizes in the metadata, and read back with every check chapter 8's
//! loader makes (format, version, sizes within bounds before anything is
//! allocated, each tensor's dtype, shape and finiteness).

use std::collections::BTreeMap;
use std::path::Path;

use ch08_mnist::model::{
    ModelError, all_finite, read_f32s, read_metadata, safetensors_bytes,
};
use ndarray::Array2;
use safetensors::SafeTensors;

use crate::bigram::NeuralBigram;
use crate::corpus::{Corpus, Vocab};
use crate::gru::Gru;
use crate::language::Language;
use crate::mlp::Mlp;
use crate::rnn::Rnn;

/// The metadata's `format`.
const FORMAT: &str = "nnfs-language-model";
/// The only version so far.
const VERSION: &str = "1";

/// The kinds of model, from counting to the gated cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// Counted bigrams (smoothed), saved as a table of log-probabilities.
    Bigram,
    /// The same table, learned by gradient descent.
    NeuralBigram,
    /// Embeddings of the last k characters, a tanh layer, softmax.
    Mlp,
    /// The plain recurrent network.
    Rnn,
    /// The gated recurrent unit.
    Gru,
}

impl Kind {
    /// Its name on the command line and in files.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Bigram => "bigram",
            Kind::NeuralBigram => "neural-bigram",
            Kind::Mlp => "mlp",
            Kind::Rnn => "rnn",
            Kind::Gru => "gru",
        }
    }

    /// Its name in tables: "bigram (counted)", "GRU".
    pub fn title(self) -> &'static str {
        match self {
            Kind::Bigram => "bigram (counted)",
            Kind::NeuralBigram => "bigram (learned)",
            Kind::Mlp => "MLP",
            Kind::Rnn => "RNN",
            Kind::Gru => "GRU",
        }
    }

    fn by_name(name: &str) -> Option<Kind> {
        [
            Kind::Bigram,
            Kind::NeuralBigram,
            Kind::Mlp,
            Kind::Rnn,
            Kind::Gru,
        ]
        .into_iter()
        .find(|k| k.name() == name)
    }
}

/// A model's parameters, whatever its kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Net {
    /// A bigram table (counted or learned).
    Bigram(NeuralBigram<f32>),
    /// Bengio's MLP.
    Mlp(Mlp<f32>),
    /// The plain RNN.
    Rnn(Rnn<f32>),
    /// The GRU.
    Gru(Gru<f32>),
}

/// Runs `$body` with `$m` bound to the model inside a [`Net`].
#[macro_export]
macro_rules! with_net {
    ($net:expr, |$m:ident| $body:expr) => {
        match $net {
            $crate::model::Net::Bigram($m) => $body,
            $crate::model::Net::Mlp($m) => $body,
            $crate::model::Net::Rnn($m) => $body,
            $crate::model::Net::Gru($m) => $body,
        }
    };
}

/// A model and what it needs to be used: its kind, the corpus it learned
/// and that corpus's vocabulary.
#[derive(Clone, Debug, PartialEq)]
pub struct Saved {
    /// What kind of model.
    pub kind: Kind,
    /// The corpus it was trained on.
    pub corpus: Corpus,
    /// Its vocabulary: token i is `vocab.symbol(i)`.
    pub vocab: Vocab,
    /// The parameters.
    pub net: Net,
}

/// The tensor names of each kind, in `parameters()` order.
fn tensor_names(net: &Net) -> &'static [&'static str] {
    match net {
        Net::Bigram(_) => &["w"],
        Net::Mlp(_) => &["c", "w1", "b1", "w2", "b2"],
        Net::Rnn(_) => &["w_xh", "w_hh", "b", "w_hy", "c"],
        Net::Gru(_) => &["w_x", "b_x", "w_h", "b_h", "w_hy", "c"],
    }
}

/// The corpus a model file names (chapter 13's files use it too).
pub fn corpus_by_name(name: &str) -> Option<Corpus> {
    [Corpus::Names, Corpus::Shakespeare]
        .into_iter()
        .find(|c| c.name() == name)
}

/// The hidden size, embedding size and context of a net (0 where none).
fn sizes(net: &Net) -> (usize, usize, usize) {
    match net {
        Net::Bigram(_) => (0, 0, 1),
        Net::Mlp(m) => (m.w1.nrows(), m.c.nrows(), m.k),
        Net::Rnn(m) => (m.hidden(), 0, 1),
        Net::Gru(m) => (m.hidden(), 0, 1),
    }
}

// ANCHOR: save
/// The file's bytes: the parameters under their names, and in the
/// metadata the kind, corpus, vocabulary and sizes. Refused (naming
/// `path`) if any weight is not finite.
pub fn encode(saved: &Saved, path: &Path) -> Result<Vec<u8>, ModelError> {
    let (hidden, embedding, context) = sizes(&saved.net);
    let metadata = BTreeMap::from([
        ("format", FORMAT.to_string()),
        ("version", VERSION.to_string()),
        ("kind", saved.kind.name().to_string()),
        ("corpus", saved.corpus.name().to_string()),
        ("vocab", saved.vocab.to_metadata()),
        ("hidden", hidden.to_string()),
        ("embedding", embedding.to_string()),
        ("context", context.to_string()),
    ]);
    let parameters = with_net!(&saved.net, |m| m.parameters());
    all_finite(parameters.iter().flat_map(|p| p.iter()), path)?;
    let names = tensor_names(&saved.net).iter();
    let tensors: Vec<(String, Vec<usize>, Vec<f32>)> = names
        .zip(&parameters)
        .map(|(name, p)| {
            (
                name.to_string(),
                p.shape().to_vec(),
                p.iter().copied().collect(),
            )
        })
        .collect();
    Ok(safetensors_bytes(&metadata, &tensors))
}

/// Saves a model to `path` atomically.
pub fn save(saved: &Saved, path: &Path) -> Result<(), ModelError> {
    Ok(shared::files::write_atomically(
        path,
        &encode(saved, path)?,
    )?)
}
// ANCHOR_END: save

/// The largest sizes a model file may ask for: checked before anything is
/// allocated, so a hostile header cannot ask for terabytes.
pub const MAX_HIDDEN: usize = 4096;
/// The largest embedding.
pub const MAX_EMBEDDING: usize = 1024;
/// The longest context.
pub const MAX_CONTEXT: usize = 64;

/// Reads a model from a file's bytes; `path` is used in errors.
pub fn decode(bytes: &[u8], path: &Path) -> Result<Saved, ModelError> {
    let corrupt = |reason: String| ModelError::Corrupt {
        path: path.to_path_buf(),
        reason,
    };
    let tensors = SafeTensors::deserialize(bytes)
        .map_err(|e| corrupt(format!("not safetensors ({e})")))?;
    let metadata = read_metadata(bytes, FORMAT, VERSION).map_err(corrupt)?;
    let field = |key: &str| {
        metadata
            .get(key)
            .cloned()
            .ok_or_else(|| corrupt(format!("no '{key}' in its metadata")))
    };
    let number = |key: &str, low: usize, high: usize| {
        let text = field(key)?;
        match text.parse::<usize>() {
            Ok(n) if (low..=high).contains(&n) => Ok(n),
            _ => Err(corrupt(format!(
                "its {key} is '{text}', not a number from {low} to {high}"
            ))),
        }
    };
    let kind_name = field("kind")?;
    let kind = Kind::by_name(&kind_name)
        .ok_or_else(|| corrupt(format!("unknown kind '{kind_name}'")))?;
    let corpus_name = field("corpus")?;
    let corpus = corpus_by_name(&corpus_name)
        .ok_or_else(|| corrupt(format!("unknown corpus '{corpus_name}'")))?;
    let vocab = Vocab::from_metadata(&field("vocab")?)
        .map_err(|e| corrupt(format!("its vocabulary: {e}")))?;
    let v = vocab.len();
    let read = |name: &str, shape: (usize, usize)| {
        read_f32s(&tensors, name, &[shape.0, shape.1])
            .map(|values| {
                Array2::from_shape_vec(shape, values).expect("checked")
            })
            .map_err(corrupt)
    };
    let net = match kind {
        Kind::Bigram | Kind::NeuralBigram => Net::Bigram(NeuralBigram {
            w: read("w", (v, v))?,
        }),
        Kind::Mlp => {
            let (h, d) = (
                number("hidden", 1, MAX_HIDDEN)?,
                number("embedding", 1, MAX_EMBEDDING)?,
            );
            let k = number("context", 1, MAX_CONTEXT)?;
            Net::Mlp(Mlp {
                c: read("c", (d, v))?,
                w1: read("w1", (h, k * d))?,
                b1: read("b1", (h, 1))?,
                w2: read("w2", (v, h))?,
                b2: read("b2", (v, 1))?,
                k,
            })
        }
        Kind::Rnn => {
            let h = number("hidden", 1, MAX_HIDDEN)?;
            Net::Rnn(Rnn {
                w_xh: read("w_xh", (h, v))?,
                w_hh: read("w_hh", (h, h))?,
                b: read("b", (h, 1))?,
                w_hy: read("w_hy", (v, h))?,
                c: read("c", (v, 1))?,
            })
        }
        Kind::Gru => {
            let h = number("hidden", 1, MAX_HIDDEN)?;
            Net::Gru(Gru {
                w_x: read("w_x", (3 * h, v))?,
                b_x: read("b_x", (3 * h, 1))?,
                w_h: read("w_h", (3 * h, h))?,
                b_h: read("b_h", (3 * h, 1))?,
                w_hy: read("w_hy", (v, h))?,
                c: read("c", (v, 1))?,
            })
        }
    };
    let expected = tensor_names(&net).len();
    if tensors.len() != expected {
        return Err(corrupt(format!(
            "{} tensors; a {} model has {expected}",
            tensors.len(),
            kind.name()
        )));
    }
    Ok(Saved {
        kind,
        corpus,
        vocab,
        net,
    })
}

/// Loads a model file.
pub fn load(path: &Path) -> Result<Saved, ModelError> {
    let bytes =
        shared::files::read_regular(path).map_err(|source| ModelError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    decode(&bytes, path)
}
