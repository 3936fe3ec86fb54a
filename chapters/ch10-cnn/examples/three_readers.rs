//! Digits nobody drew, read by three networks: chapter 8's printed and
//! photographed digits (`ch08_mnist::nobody_drew`, the same images as
//! chapter 8's example `digits_nobody_drew`), each brought to 28×28 by `predict`'s
//! steps, then read by chapter 8's network, chapter 9's (trained on
//! shifted digits) and this chapter's CNN. Accuracy per style, and on
//! MNIST's test set for comparison.
//!
//! ```sh
//! apt-get install fonts-dejavu-core fonts-liberation2 fonts-freefont-ttf
//! cargo run --release -p ch08-mnist            # the three models
//! cargo run --release -p ch09-generalisation
//! cargo run --release -p ch10-cnn
//! cargo run --release -p ch10-cnn --example three_readers -- --held-out
//! ```
//!
//! Without `--held-out`, the fonts chapter 8's preprocessing was developed
//! on; with it, the ten it was tested on once. Everything is seeded.

use std::path::Path;
use std::process::ExitCode;

use ch08_mnist::nobody_drew::{STYLES, photos};
use ch08_mnist::photo::to_mnist;
use ch08_mnist::runs::model_path;
use ch08_mnist::{Mnist, predict_all};
use ndarray::{Array2, ArrayView2};
use shared::data::DataSet;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("three_readers: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What to run when a saved model is missing.
fn missing(e: impl std::fmt::Display, package: &str) -> String {
    format!("{e} (train it first: cargo run --release -p {package})")
}

/// How many of the predictions are the labels.
fn right(predictions: &[u8], labels: &[u8]) -> usize {
    predictions
        .iter()
        .zip(labels)
        .filter(|(p, y)| p == y)
        .count()
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let held_out = match args.as_slice() {
        [] => false,
        [flag] if flag == "--held-out" => true,
        _ => return Err("usage: three_readers [--held-out]".into()),
    };
    let mlp8 = ch08_mnist::model::load(&model_path("default"))
        .map_err(|e| missing(e, "ch08-mnist"))?;
    let mlp9 = ch08_mnist::model::load(&model_path("ch09"))
        .map_err(|e| missing(e, "ch09-generalisation"))?;
    let cnn = ch10_cnn::model::load(&model_path("ch10"))
        .map_err(|e| missing(e, "ch10-cnn"))?;
    let readers = |x: ArrayView2<f32>| {
        [
            predict_all(&mlp8, x),
            predict_all(&mlp9, x),
            ch10_cnn::train::predict_all(&cnn, x),
        ]
    };
    // Every style's images as 28×28 inputs, one column each; an image the
    // preprocessing refuses (it finds no digit) is counted wrong.
    let mut inputs: Vec<Vec<f32>> = vec![Vec::new(); STYLES.len()];
    let mut labels: Vec<Vec<u8>> = vec![Vec::new(); STYLES.len()];
    let mut refused = vec![0; STYLES.len()];
    for photo in photos(held_out)? {
        let style = Path::new(STYLES[photo.style]);
        match to_mnist(photo.image.view(), style) {
            Ok(stages) => {
                inputs[photo.style].extend(stages.mnist.iter().copied());
                labels[photo.style].push(photo.digit);
            }
            Err(_) => refused[photo.style] += 1,
        }
    }
    let pct = |right: usize, n: usize| 100.0 * right as f64 / n as f64;
    println!("| Style | Images | Ch. 8 MLP | Ch. 9 MLP | Ch. 10 CNN |");
    println!("|---|---:|---:|---:|---:|");
    let (mut all, mut all_right) = (0, [0; 3]);
    for (s, style) in STYLES.iter().enumerate() {
        let read = labels[s].len();
        let x = Array2::from_shape_vec((read, 784), inputs[s].clone())
            .map_err(|e| e.to_string())?
            .reversed_axes();
        let n = read + refused[s];
        let counts = readers(x.view()).map(|p| right(&p, &labels[s]));
        all += n;
        for (total, c) in all_right.iter_mut().zip(counts) {
            *total += c;
        }
        let [a, b, c] = counts.map(|c| pct(c, n));
        println!("| {style} | {n} | {a:.1} % | {b:.1} % | {c:.1} % |");
    }
    let [a, b, c] = all_right.map(|c| pct(c, all));
    println!(
        "| **all** | {all} | **{a:.1} %** | **{b:.1} %** | **{c:.1} %** |"
    );
    let mnist = Mnist::load(DataSet::Mnist).map_err(|e| e.to_string())?;
    let y = &mnist.labels_test;
    let [a, b, c] =
        readers(mnist.x_test.view()).map(|p| pct(right(&p, y), y.len()));
    println!(
        "| MNIST's test digits | {} | {a:.2} % | {b:.2} % | {c:.2} % |",
        y.len()
    );
    Ok(())
}
