//! Digits nobody drew: renders the digits 0–9 from installed fonts in nine
//! styles — clean, and the ways photos go wrong — runs each through
//! `predict`'s preprocessing and the default model, and prints accuracy
//! per style as the chapter's table.
//!
//! ```sh
//! apt-get install fonts-dejavu-core fonts-liberation2 fonts-freefont-ttf
//! cargo run --release -p ch08-mnist                       # the model
//! cargo run --release -p ch08-mnist --features fonts \
//!     --example digits_nobody_drew
//! cargo run --release -p ch08-mnist --features fonts \
//!     --example digits_nobody_drew -- --held-out   # ten other fonts,
//!                                      # another seed: the test
//! cargo run --release -p ch08-mnist --features fonts \
//!     --example digits_nobody_drew -- --save target/digits  # and save
//!                                                          # the images
//! ```
//!
//! Everything random is seeded: the same images, the same table, every run.
//! The images come from `ch08_mnist::nobody_drew`; chapter 10's example of
//! the same name reads them with chapters 8, 9 and 10's networks.

use std::path::{Path, PathBuf};

use ch08_mnist::nobody_drew::{STYLES, fonts_and_seed, photos};
use ch08_mnist::photo::{doubts, encode_png, to_mnist};
use ndarray::Array2;
fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let list_wrong = args.iter().any(|a| a == "--list-wrong");
    let held_out = args.iter().any(|a| a == "--held-out");
    let (font_names, _) = fonts_and_seed(held_out);
    let args: Vec<&String> = args
        .iter()
        .filter(|a| *a != "--list-wrong" && *a != "--held-out")
        .collect();
    let save = match args.as_slice() {
        [] => None,
        [flag, dir] if *flag == "--save" => Some(PathBuf::from(dir)),
        _ => {
            return Err("usage: digits_nobody_drew [--held-out] [--save DIR] \
                 [--list-wrong]"
                .into());
        }
    };
    let model_path = ch08_mnist::runs::model_path("default");
    let net = ch08_mnist::model::load(&model_path).map_err(|e| {
        format!("{e} (train it first: cargo run --release -p ch08-mnist)")
    })?;
    println!(
        "| Style | Images | Correct | Accuracy | Wrong, flagged unsure \
         | Right, flagged unsure |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    let (mut all, mut all_right) = (0, 0);
    let mut photos = photos(held_out)?.peekable();
    for (s, style) in STYLES.iter().enumerate() {
        let (mut n, mut right, mut wrong, mut flagged) = (0, 0, 0, 0);
        let mut false_alarms = 0;
        while let Some(photo) = photos.next_if(|p| p.style == s) {
            let (f, digit, photo) = (photo.font, photo.digit, photo.image);
            n += 1;
            // A refusal ("blank") counts as wrong, but flagged: the
            // reader is told something is off.
            let Ok(stages) = to_mnist(photo.view(), Path::new(style)) else {
                (wrong, flagged) = (wrong + 1, flagged + 1);
                if let Some(dir) = &save {
                    let empty = Array2::zeros((28, 28));
                    save_pair(dir, s, f, digit, &photo, &empty)?;
                }
                continue;
            };
            let x = ndarray::Array1::from_iter(stages.mnist.iter().copied());
            let p = net.feedforward(x.view());
            let best = ch08_mnist::argmax(p.iter().copied());
            let confidence = p[best] / p.sum();
            if best == usize::from(digit) {
                right += 1;
                if doubts(stages.mnist.view(), confidence).is_some() {
                    false_alarms += 1;
                }
            } else {
                wrong += 1;
                let doubt = doubts(stages.mnist.view(), confidence);
                if doubt.is_some() {
                    flagged += 1;
                }
                if list_wrong {
                    eprintln!(
                        "{style}: {digit} in {} read as {best} ({:.0} %){}",
                        font_names[f],
                        100.0 * confidence,
                        doubt.map_or(String::new(), |d| format!(
                            ", unsure: {d}"
                        ))
                    );
                }
            }
            if let Some(dir) = &save
                && f < 2
            {
                save_pair(dir, s, f, digit, &photo, &stages.mnist)?;
            }
        }
        all += n;
        all_right += right;
        println!(
            "| {style} | {n} | {right} | {:.1} % | {flagged} of {wrong} \
             | {false_alarms} of {right} |",
            100.0 * right as f64 / n as f64
        );
    }
    println!(
        "| **all** | {all} | {all_right} | {:.1} % | | |",
        100.0 * all_right as f64 / all as f64
    );
    Ok(())
}

/// Saves the photo and what the network saw, side by side in a folder per
/// style.
fn save_pair(
    dir: &Path,
    style: usize,
    font: usize,
    digit: u8,
    photo: &Array2<f32>,
    mnist: &Array2<f32>,
) -> Result<(), String> {
    let folder = dir.join(format!("style{style}"));
    std::fs::create_dir_all(&folder)
        .map_err(|e| format!("{}: {e}", folder.display()))?;
    let write = |name: String, image: Array2<f32>| {
        let path = folder.join(name);
        std::fs::write(&path, encode_png(image.view()))
            .map_err(|e| format!("{}: {e}", path.display()))
    };
    write(format!("{digit}-font{font}.png"), photo.clone())?;
    write(
        format!("{digit}-font{font}-seen.png"),
        mnist.mapv(|v| 1.0 - v),
    )
}
