//! A trained GPT saved as safetensors, its tensors named and shaped as a
//! PyTorch GPT (nanoGPT's module names) names and shapes them, so that
//! PyTorch can load it; the corpus, vocabulary and sizes in the metadata.
//! Read back with every check chapter 8's loader makes: format and
//! version, sizes within bounds before anything is allocated, each
//! tensor's dtype, shape and finiteness.

use std::collections::BTreeMap;
use std::path::Path;

use ch08_mnist::model::{
    ModelError, all_finite, read_f32s, read_metadata, safetensors_bytes,
};
use ch12_sequences::corpus::{Corpus, Vocab};
use ch12_sequences::language::Language;
use ch12_sequences::model::corpus_by_name;
use ndarray::Array2;
use safetensors::SafeTensors;

use crate::gpt::{Config, Gpt};

/// The metadata's `format`.
const FORMAT: &str = "nnfs-gpt";
/// The only version so far.
const VERSION: &str = "1";

/// The largest width a file (or the command line) may ask for.
pub const MAX_WIDTH: usize = 2048;
/// The most blocks.
pub const MAX_LAYERS: usize = 48;
/// The longest context.
pub const MAX_BLOCK: usize = 2048;
/// The most heads.
pub const MAX_HEADS: usize = 64;
/// The most parameters a model may have.
pub const MAX_PARAMETERS: usize = 100_000_000;

/// The most byte-pair merges a file may hold.
pub const MAX_MERGES: usize = 100_000;

/// A GPT and what it needs to be used: the corpus it learned, that
/// corpus's characters, and the byte-pair merges on top of them, if any.
#[derive(Clone, Debug, PartialEq)]
pub struct Saved {
    /// The corpus it was trained on.
    pub corpus: Corpus,
    /// Its characters: token i < `vocab.len()` is `vocab.symbol(i)`.
    pub vocab: Vocab,
    /// The byte-pair merges, in the order learned: token `vocab.len() + i`
    /// is pair i (none: the model reads characters).
    pub merges: Vec<(usize, usize)>,
    /// The parameters.
    pub gpt: Gpt<f32>,
}

impl Saved {
    /// The tokens of `text`: its characters, merged as the model learned.
    pub fn encode(&self, text: &str) -> Result<Vec<usize>, String> {
        let characters = self.vocab.encode(text)?;
        Ok(crate::bpe::encode(
            &characters,
            self.vocab.len(),
            &self.merges,
        ))
    }

    /// The characters token `t` stands for.
    pub fn spell(&self, tokens: &[usize]) -> String {
        let symbols = self.vocab.len();
        self.vocab
            .decode(&crate::bpe::decode(tokens, symbols, &self.merges))
    }

    /// The merges as metadata: "a b,c d,…".
    fn merges_text(&self) -> String {
        let pairs: Vec<String> = self
            .merges
            .iter()
            .map(|(a, b)| format!("{a} {b}"))
            .collect();
        pairs.join(",")
    }
}

/// Reads merges written by `merges_text`, each pair of tokens made before
/// it (characters, or earlier merges).
fn read_merges(
    text: &str,
    symbols: usize,
) -> Result<Vec<(usize, usize)>, String> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let pairs: Vec<&str> = text.split(',').collect();
    if pairs.len() > MAX_MERGES {
        return Err(format!(
            "{} merges, more than the {MAX_MERGES} allowed",
            pairs.len()
        ));
    }
    pairs
        .iter()
        .enumerate()
        .map(|(i, pair)| {
            let known = symbols + i;
            let parts: Vec<Option<usize>> =
                pair.split(' ').map(|p| p.parse().ok()).collect();
            match parts[..] {
                [Some(a), Some(b)] if a < known && b < known => Ok((a, b)),
                _ => Err(format!(
                    "merge {i} is '{pair}', not two tokens below {known}"
                )),
            }
        })
        .collect()
}

/// The number of parameters of a GPT of these sizes.
pub fn parameters_of(c: Config) -> usize {
    let d = c.width;
    let block = 12 * d * d + 13 * d;
    c.vocab * d + c.block * d + c.layers * block + 2 * d
}

/// Why these sizes cannot make a GPT, if they cannot.
pub fn check_config(c: Config) -> Result<(), String> {
    let within =
        |what: &str, n: usize, high: usize| match (1..=high).contains(&n) {
            true => Ok(()),
            false => Err(format!("{what} is {n}, not from 1 to {high}")),
        };
    within("the width", c.width, MAX_WIDTH)?;
    within("the number of layers", c.layers, MAX_LAYERS)?;
    within("the context", c.block, MAX_BLOCK)?;
    within("the number of heads", c.heads, MAX_HEADS)?;
    if !c.width.is_multiple_of(c.heads) {
        return Err(format!(
            "a width of {} cannot be cut into {} heads of equal size",
            c.width, c.heads
        ));
    }
    let count = parameters_of(c);
    match count <= MAX_PARAMETERS {
        true => Ok(()),
        false => Err(format!(
            "{count} parameters, more than the {MAX_PARAMETERS} this chapter \
             allows"
        )),
    }
}

/// A block's tensor names after `transformer.h.{l}.`, in `parameters()`
/// order.
const BLOCK_NAMES: [&str; 12] = [
    "ln_1.weight",
    "ln_1.bias",
    "attn.c_attn.weight",
    "attn.c_attn.bias",
    "attn.c_proj.weight",
    "attn.c_proj.bias",
    "ln_2.weight",
    "ln_2.bias",
    "mlp.c_fc.weight",
    "mlp.c_fc.bias",
    "mlp.c_proj.weight",
    "mlp.c_proj.bias",
];

/// Every tensor's name, in `parameters()` order.
pub fn tensor_names(layers: usize) -> Vec<String> {
    let mut names = vec![
        "transformer.wte.weight".to_string(),
        "transformer.wpe.weight".to_string(),
    ];
    for l in 0..layers {
        for name in BLOCK_NAMES {
            names.push(format!("transformer.h.{l}.{name}"));
        }
    }
    names.push("transformer.ln_f.weight".to_string());
    names.push("transformer.ln_f.bias".to_string());
    names
}

/// Whether PyTorch holds this parameter transposed: the embeddings, one
/// row per token or position.
fn transposed(name: &str) -> bool {
    name.ends_with("wte.weight") || name.ends_with("wpe.weight")
}

/// A parameter as PyTorch holds it: the embeddings one row per token or
/// position (our columns), biases and gains as vectors, weights (out, in)
/// as ours are.
fn to_torch(name: &str, p: &Array2<f32>) -> (Vec<usize>, Vec<f32>) {
    if transposed(name) {
        (vec![p.ncols(), p.nrows()], p.t().iter().copied().collect())
    } else if p.ncols() == 1 {
        (vec![p.nrows()], p.iter().copied().collect())
    } else {
        (p.shape().to_vec(), p.iter().copied().collect())
    }
}

// ANCHOR: save
/// The file's bytes. Refused (naming `path`) if any weight is not finite.
pub fn encode(saved: &Saved, path: &Path) -> Result<Vec<u8>, ModelError> {
    let c = saved.gpt.config();
    let tokenizer = match saved.merges.is_empty() {
        true => "characters",
        false => "bpe",
    };
    let metadata = BTreeMap::from([
        ("format", FORMAT.to_string()),
        ("version", VERSION.to_string()),
        ("corpus", saved.corpus.name().to_string()),
        ("tokenizer", tokenizer.to_string()),
        ("vocab", saved.vocab.to_metadata()),
        ("merges", saved.merges_text()),
        ("layers", c.layers.to_string()),
        ("heads", c.heads.to_string()),
        ("width", c.width.to_string()),
        ("block", c.block.to_string()),
    ]);
    let parameters = saved.gpt.parameters();
    all_finite(parameters.iter().flat_map(|p| p.iter()), path)?;
    let tensors: Vec<(String, Vec<usize>, Vec<f32>)> = tensor_names(c.layers)
        .into_iter()
        .zip(&parameters)
        .map(|(name, p)| {
            let (shape, values) = to_torch(&name, p);
            (name, shape, values)
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
    let number = |key: &str| {
        let text = field(key)?;
        text.parse::<usize>().map_err(|_| {
            corrupt(format!("its {key} is '{text}', not a whole number"))
        })
    };
    let corpus_name = field("corpus")?;
    let corpus = corpus_by_name(&corpus_name)
        .ok_or_else(|| corrupt(format!("unknown corpus '{corpus_name}'")))?;
    let vocab = Vocab::from_metadata(&field("vocab")?)
        .map_err(|e| corrupt(format!("its vocabulary: {e}")))?;
    let tokenizer = field("tokenizer")?;
    let merges = match tokenizer.as_str() {
        "characters" => Vec::new(),
        "bpe" => read_merges(&field("merges")?, vocab.len())
            .map_err(|e| corrupt(format!("its merges: {e}")))?,
        _ => return Err(corrupt(format!("unknown tokenizer '{tokenizer}'"))),
    };
    let config = Config {
        vocab: vocab.len() + merges.len(),
        block: number("block")?,
        layers: number("layers")?,
        heads: number("heads")?,
        width: number("width")?,
    };
    check_config(config).map_err(corrupt)?;
    let names = tensor_names(config.layers);
    if tensors.len() != names.len() {
        return Err(corrupt(format!(
            "{} tensors; a GPT of {} layers has {}",
            tensors.len(),
            config.layers,
            names.len()
        )));
    }
    // A model of the right shape, whose every tensor is then read.
    let mut gpt: Gpt<f32> = Gpt::new(config, &mut shared::rng::seeded(0));
    for (name, p) in names.iter().zip(gpt.parameters_mut()) {
        let (shape, _) = to_torch(name, p);
        let values = read_f32s(&tensors, name, &shape).map_err(corrupt)?;
        let read = match transposed(name) {
            true => Array2::from_shape_vec((shape[0], shape[1]), values)
                .map(|m| m.reversed_axes()),
            false => Array2::from_shape_vec(p.raw_dim(), values),
        };
        let read = read.expect("the shape was checked");
        *p = read.as_standard_layout().to_owned();
    }
    Ok(Saved {
        corpus,
        vocab,
        merges,
        gpt,
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
