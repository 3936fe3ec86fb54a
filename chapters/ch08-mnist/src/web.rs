//! The book's draw-a-digit page (`book/src/draw-a-digit.md`) runs chapter
//! 8's default network in the browser. This module writes the model file
//! the page reads, and the Rust side of the browser test that proves the
//! page computes what `predict` computes
//! (`tests/browser/check-draw.mjs`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2};

use crate::Error;
use crate::model;
use crate::photo::{encode_png, read_image, to_mnist};

/// Where the page's model file lives in the book's sources.
pub fn page_model_path() -> PathBuf {
    shared::figures::workspace_root()
        .join("book")
        .join("src")
        .join("draw")
        .join("model.safetensors")
}

/// Writes `model_file` (checked by loading it) as the page's model:
/// the same safetensors file, with the same weights.
pub fn export(model_file: &Path, out: &Path) -> Result<(), Error> {
    let (net, cost) = model::load_with_cost(model_file)?;
    let sizes = net.sizes();
    if sizes[0] != 784 || sizes[sizes.len() - 1] != 10 {
        return Err(Error::Other(format!(
            "{}: layer sizes {sizes:?}; the page needs 784 inputs and 10 \
             outputs",
            model_file.display()
        )));
    }
    let bytes = model::encode(&net, cost);
    shared::files::write_atomically(out, &bytes)?;
    let shown: Vec<String> = sizes.iter().map(usize::to_string).collect();
    shared::say!(
        "Wrote {} ({}, {} KB) for the draw-a-digit page",
        shared::figures::display_path(out),
        shown.join("-"),
        bytes.len().div_ceil(1000)
    );
    Ok(())
}

/// Photos for the browser test, written as PNGs into `dir`: the chapter's
/// photo of a seven (uneven light, a frame, a speck, noise), the same
/// photo inverted and enlarged 4× (so the page has to shrink it), and five
/// MNIST test digits enlarged 10×, light on dark.
pub fn write_photos(
    dir: &Path,
    test_images: &Array2<f32>,
) -> Result<(), Error> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::Other(format!("{}: {e}", dir.display())))?;
    let save = |name: &str, grey: &Array2<f32>| -> Result<(), Error> {
        let path = dir.join(name);
        shared::files::write_atomically(&path, &encode_png(grey.view()))?;
        Ok(())
    };
    let seven = crate::figures::photo_of_a_seven();
    save("photo-seven.png", &seven)?;
    let (h, w) = seven.dim();
    let big = Array2::from_shape_fn((4 * h, 4 * w), |(r, c)| {
        1.0 - seven[(r / 4, c / 4)]
    });
    save("photo-seven-inverted-large.png", &big)?;
    for k in 0..5 {
        let digit = test_images.column(k);
        let enlarged = Array2::from_shape_fn((280, 280), |(r, c)| {
            digit[(r / 10) * 28 + c / 10]
        });
        save(&format!("mnist-test-{k}.png"), &enlarged)?;
    }
    Ok(())
}

/// The Rust side of the browser test, as JSON on stdout: the first `count`
/// MNIST test images with the network's probabilities for each, and, for
/// every PNG in `images`, the 28×28 input `predict` makes of it and the
/// probabilities.
pub fn reference(
    model_file: &Path,
    test_images: &Array2<f32>,
    labels: &[u8],
    count: usize,
    images: &Path,
) -> Result<String, Error> {
    let net = model::load(model_file)?;
    let numbers = |values: &mut dyn Iterator<Item = f32>| {
        let shown: Vec<String> = values.map(|v| v.to_string()).collect();
        format!("[{}]", shown.join(","))
    };
    let mut json = String::from("{\"test\":[");
    for (k, (x, label)) in test_images
        .columns()
        .into_iter()
        .zip(labels)
        .take(count)
        .enumerate()
    {
        let p = net.feedforward(x);
        let pixels = x.iter().map(|&v| (v * 255.0).round());
        let _ = write!(
            json,
            "{}{{\"label\":{},\"pixels\":{},\"probabilities\":{}}}",
            if k == 0 { "" } else { "," },
            label,
            numbers(&mut pixels.into_iter()),
            numbers(&mut p.iter().copied())
        );
    }
    json.push_str("],\"images\":{");
    let mut files: Vec<PathBuf> = std::fs::read_dir(images)
        .map_err(|e| Error::Other(format!("{}: {e}", images.display())))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    files.sort();
    for (k, file) in files.iter().enumerate() {
        let stages = to_mnist(read_image(file)?.view(), file)?;
        let x = Array1::from_iter(stages.mnist.iter().copied());
        let p = net.feedforward(x.view());
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        let _ = write!(
            json,
            "{}\"{name}\":{{\"mnist\":{},\"probabilities\":{}}}",
            if k == 0 { "" } else { "," },
            numbers(&mut x.iter().copied()),
            numbers(&mut p.iter().copied())
        );
    }
    json.push_str("}}");
    Ok(json)
}
