//! Where runs are kept: saved models (`data/models/NAME.safetensors`) and
//! training histories (`data/runs/NAME.tsv`), for `predict` and
//! `figures` to read.

use std::path::{Path, PathBuf};

use crate::{EpochRecord, Error};

/// Where models are kept: `data/models/NAME.safetensors`.
pub fn model_path(name: &str) -> PathBuf {
    shared::figures::workspace_root()
        .join("data")
        .join("models")
        .join(format!("{name}.safetensors"))
}

/// Where run histories are kept: `data/runs/NAME.tsv`.
pub fn history_path(name: &str) -> PathBuf {
    shared::figures::workspace_root()
        .join("data")
        .join("runs")
        .join(format!("{name}.tsv"))
}

/// Saves a run's history as tab-separated values.
pub fn write_history(
    path: &Path,
    history: &[EpochRecord],
) -> Result<(), Error> {
    let text = history_text(history);
    Ok(shared::files::write_atomically(path, text.as_bytes())?)
}

/// A run's history as the text [`write_history`] writes: a header, then
/// one tab-separated line per epoch.
pub fn history_text(history: &[EpochRecord]) -> String {
    let mut text =
        String::from("epoch\ttrain_loss\tvalidation_accuracy\tseconds\n");
    for r in history {
        text.push_str(&format!(
            "{}\t{}\t{}\t{}\n",
            r.epoch, r.train_loss, r.validation_accuracy, r.seconds
        ));
    }
    text
}

/// Reads a history written by [`write_history`].
pub fn read_history(path: &Path) -> Result<Vec<EpochRecord>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        let name = path.file_stem().unwrap_or_default().to_string_lossy();
        let train = match name.as_ref() {
            "default" => "cargo run --release -p ch08-mnist".to_string(),
            "3b1b" | "nielsen" => {
                format!("cargo run --release -p ch08-mnist -- --preset {name}")
            }
            _ => format!("a run with --save-as {name}"),
        };
        Error::Other(format!(
            "{}: {e} (this run's history: `{train}` writes it)",
            path.display()
        ))
    })?;
    text.lines()
        .skip(1)
        .map(|line| {
            let f: Vec<f64> =
                line.split('\t').filter_map(|v| v.parse().ok()).collect();
            match f[..] {
                [e, l, a, s] => Ok(EpochRecord {
                    epoch: e as usize,
                    train_loss: l,
                    validation_accuracy: a,
                    seconds: s,
                }),
                _ => Err(Error::Other(format!(
                    "{}: bad line '{line}'",
                    path.display()
                ))),
            }
        })
        .collect()
}
