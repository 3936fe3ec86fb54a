//! The book's write-with-the-model page (`book/src/write-with-the-model.md`)
//! runs chapter 13's GPTs in the browser. This module writes the model
//! files the page reads, and the Rust side of the browser test that proves
//! the page computes what this chapter computes
//! (`tests/browser/check-write.mjs`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use ch12_sequences::language::Language;
use ch12_sequences::read_model;
use ndarray::Array2;
use rand::Rng as _;
use shared::rng::seeded;

use crate::Error;
use crate::gpt::{Gpt, attention_weights};
use crate::model::{Saved, encode, load};

/// The models the page offers unless told otherwise: the chapter's three.
pub const PAGE_MODELS: [&str; 3] =
    ["ch13-names", "ch13-names-bpe", "ch13-shakespeare"];

/// Where the page's model files live in the book's sources.
pub fn page_dir() -> PathBuf {
    shared::figures::workspace_root()
        .join("book")
        .join("src")
        .join("write")
}

/// Writes `model_file` (checked by loading it) into `out_dir` as
/// `NAME.safetensors`, the same file with the same weights, for the page.
pub fn export(
    model_file: &Path,
    name: &str,
    out_dir: &Path,
) -> Result<(), Error> {
    let saved = read_model(model_file, "ch13-transformer", load)?;
    std::fs::create_dir_all(out_dir).map_err(|e| {
        Error::Usage(format!("{}: {e}", shared::figures::display_path(out_dir)))
    })?;
    let out = out_dir.join(format!("{name}.safetensors"));
    let bytes = encode(&saved, &out)?;
    shared::files::write_atomically(&out, &bytes)?;
    let c = saved.gpt.config();
    shared::say!(
        "Wrote {} ({} layers, {} heads, width {}, context {}, {} tokens; \
         {} KB) for the write-with-the-model page",
        shared::figures::display_path(&out),
        c.layers,
        c.heads,
        c.width,
        c.block,
        c.vocab,
        (bytes.len() + 500) / 1000
    );
    Ok(())
}

/// The same model in f64: every f32 weight widened exactly.
fn widened(gpt: &Gpt<f32>) -> Gpt<f64> {
    let mut wide: Gpt<f64> = Gpt::new(gpt.config(), &mut seeded(0));
    for (w, n) in wide.parameters_mut().into_iter().zip(gpt.parameters()) {
        *w = n.mapv(f64::from);
    }
    wide
}

/// `[a,b,…]` with each number written so that it reads back exactly.
fn list<T: std::fmt::Display>(values: impl Iterator<Item = T>) -> String {
    let shown: Vec<String> = values.map(|v| v.to_string()).collect();
    format!("[{}]", shown.join(","))
}

/// Each column of z as a list.
fn columns<T: std::fmt::Display + Copy>(z: &Array2<T>) -> String {
    list(z.columns().into_iter().map(|c| list(c.iter().copied())))
}

/// The logits of the full forward pass after every token of `text` (its
/// last `block` tokens), in f64 and in f32, and the f64 pass's attention
/// weights.
fn prompt_json(
    saved: &Saved,
    wide: &Gpt<f64>,
    text: &str,
) -> Result<String, Error> {
    let tokens = saved
        .encode(text)
        .map_err(|e| Error::Usage(format!("--prompt {text:?}: {e}")))?;
    if tokens.is_empty() {
        return Err(Error::Usage("--prompt is empty".to_string()));
    }
    let block = wide.config().block;
    let seen = &tokens[tokens.len().saturating_sub(block)..];
    let x = Array2::from_shape_vec((seen.len(), 1), seen.to_vec())
        .expect("a column of tokens");
    let (z64, cache) = wide.forward(x.view());
    let (z32, _) = saved.gpt.forward(x.view());
    // Each block's heads: for query i, its weights on keys 0 … i.
    let layers = (0..wide.blocks.len()).map(|l| {
        list(attention_weights(&cache, l).iter().map(|p| {
            let rows = p.columns().into_iter().enumerate();
            list(rows.map(|(i, column)| list(column.iter().take(i + 1))))
        }))
    });
    let text_json = format!("{text:?}"); // Rust's escapes are JSON's here
    Ok(format!(
        "{{\"text\":{text_json},\"tokens\":{},\"logits\":{},\
         \"logits_f32\":{},\"attention\":{}}}",
        list(seen.iter()),
        columns(&z64),
        columns(&z32),
        list(layers)
    ))
}

/// The Rust side of the browser test, as JSON on stdout: for each prompt,
/// its tokens, the logits after each (the f64 forward pass on the file's
/// weights, and the f32 one `sample` uses) and every head's attention
/// weights (layer, head, query, key); and the first `draws`
/// uniform numbers of the generator seeded with `seed`, as `sample`
/// draws them.
pub fn reference(
    model_file: &Path,
    prompts: &[String],
    seed: u64,
    draws: usize,
) -> Result<String, Error> {
    let saved = read_model(model_file, "ch13-transformer", load)?;
    let wide = widened(&saved.gpt);
    let mut json = String::from("{\"prompts\":[");
    for (k, text) in prompts.iter().enumerate() {
        json += if k == 0 { "" } else { "," };
        json += &prompt_json(&saved, &wide, text)?;
    }
    let mut rng = seeded(seed);
    let uniform = (0..draws).map(|_| rng.random::<f64>());
    let _ = write!(json, "],\"seed\":{seed},\"random\":{}}}", list(uniform));
    Ok(json)
}
