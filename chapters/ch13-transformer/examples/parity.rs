//! Writes what `benches/compare/gpt_parity.py` checks against PyTorch:
//! the logits of a saved GPT on the first `block` characters of its
//! validation text, and its loss and gradient on one batch of training
//! windows (drawn with seed 5), computed by the lesson's code in f32.
//!
//!     cargo run --release -p ch13-transformer --example parity -- \
//!         MODEL.safetensors OUT_DIR
//!
//! OUT_DIR receives `logits.safetensors` (the tokens and the logits,
//! one row per position), `batch.safetensors` (the windows, one column
//! each, and the loss) and `gradient.safetensors` (the gradient as a model
//! file: every tensor under its PyTorch name and shape).

use std::collections::BTreeMap;
use std::path::PathBuf;

use ch08_mnist::model::safetensors_bytes;
use ch12_sequences::language::{Language, draw_windows};
use ch13_transformer::model::{Saved, load, save};
use shared::rng::seeded;

/// Windows in the batch.
const BATCH: usize = 12;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model, out] = args.as_slice() else {
        return Err("usage: parity MODEL.safetensors OUT_DIR".into());
    };
    let (model, out) = (PathBuf::from(model), PathBuf::from(out));
    std::fs::create_dir_all(&out)?;
    let saved = load(&model)?;
    let text = saved.corpus.load(&mut |line| eprintln!("{line}"))?;
    let gpt = &saved.gpt;
    let t = gpt.config().block;

    let tokens = &text.validation[..t];
    let x = ndarray::Array2::from_shape_vec((t, 1), tokens.to_vec())?;
    let (z, _) = gpt.forward(x.view());
    let as_f32 = |v: &[usize]| v.iter().map(|&t| t as f32).collect();
    let logits = vec![
        ("tokens".to_string(), vec![t], as_f32(tokens)),
        (
            "logits".to_string(),
            vec![t, z.nrows()],
            z.t().iter().copied().collect(),
        ),
    ];
    let none = BTreeMap::new();
    let bytes = safetensors_bytes(&none, &logits);
    std::fs::write(out.join("logits.safetensors"), bytes)?;

    let windows = draw_windows(&text.train, t + 1, BATCH, &mut seeded(5));
    let (loss, gradient) = gpt.loss_and_gradient(windows.view());
    let batch = vec![
        (
            "windows".to_string(),
            vec![t + 1, BATCH],
            windows.iter().map(|&t| t as f32).collect(),
        ),
        ("loss".to_string(), vec![1], vec![loss]),
    ];
    let bytes = safetensors_bytes(&none, &batch);
    std::fs::write(out.join("batch.safetensors"), bytes)?;
    let as_model = Saved {
        gpt: gradient,
        ..saved.clone()
    };
    save(&as_model, &out.join("gradient.safetensors"))?;
    eprintln!("loss on the batch: {loss:.6}; files in {}", out.display());
    Ok(())
}
