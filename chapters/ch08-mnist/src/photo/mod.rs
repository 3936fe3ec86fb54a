//! Turning a photo or a drawing of a handwritten digit into an MNIST-style
//! input.
//!
//! MNIST's digits were prepared in a particular way (LeCun et al.): ink is
//! bright on a dark background, the digit is scaled to fit a 20×20 box
//! keeping its proportions, and placed in a 28×28 image so that its centre
//! of mass is at the centre. A network trained on MNIST expects exactly
//! that. A photo brings more: uneven light, noise, the page's edge, a box
//! around the digit, specks, strokes far thinner or thicker than MNIST's.
//! Each step deals with one of those, and each is a small function.
//!
//! The steps live in rooms of their own: `read` (files to grey pixels,
//! and back to PNG), `ink` (the ink against the paper nearby, and how dark
//! ink is), `pieces` (which ink is the digit), `strokes` (strokes brought
//! to MNIST's width) and `fit` (into 20×20, centred in 28×28, and whether
//! the result looks like MNIST's). This file holds the pipeline that runs
//! them in turn; every step is reachable from here, as `photo::to_mnist`,
//! `photo::read_image` and so on.

use std::path::Path;

use ndarray::{Array2, ArrayView2};

mod fit;
mod ink;
mod pieces;
mod read;
mod strokes;

pub use fit::{
    MNIST_INK, UNSURE_BELOW, center_of_mass, centre_by_mass, doubts, fit_into,
};
pub use ink::{
    MIN_CONTRAST, ink_above_background, ink_is_dark, otsu_threshold,
    resize_area, shrink_to,
};
pub use pieces::digit_pixels;
pub use read::{ImageError, MAX_SIDE, decode_image, encode_png, read_image};
pub use strokes::{mnist_strokes, stroke_width};

// ANCHOR: preprocess
/// Every stage of [`to_mnist`], kept so the chapter can draw them and
/// `predict --show` can save the last.
#[derive(Debug)]
pub struct Stages {
    /// The photo, grey, at most [`WORKING_SIDE`] pixels a side.
    pub grey: Array2<f32>,
    /// How far each pixel is from the local background, towards the ink.
    pub ink: Array2<f32>,
    /// The pixels kept as the digit's ink.
    pub digit: Array2<bool>,
    /// The digit's ink, strokes brought to MNIST's thickness, cropped.
    pub strokes: Array2<f32>,
    /// The 28×28 input the network sees.
    pub mnist: Array2<f32>,
    /// Whether the ink was darker than the paper.
    pub dark_on_light: bool,
}

/// Brings a grey image (1 = white) into MNIST's form: 28×28, ink = 1 on
/// background = 0, the digit scaled into 20×20 and its centre of mass at
/// the centre.
pub fn to_mnist(
    photo: ArrayView2<f32>,
    path: &Path,
) -> Result<Stages, ImageError> {
    let blank = || ImageError::Blank {
        path: path.to_path_buf(),
    };
    let grey = shrink_to(photo, WORKING_SIDE); // every pixel counts
    let dark_on_light = ink_is_dark(grey.view());
    let ink = ink_above_background(grey.view(), dark_on_light);
    let threshold = otsu_threshold(ink.view()).ok_or_else(blank)?;
    let digit = digit_pixels(ink.view(), threshold).ok_or_else(blank)?;
    let strokes = mnist_strokes(ink.view(), digit.view(), threshold);
    let fitted = fit_into(strokes.view(), 20);
    let mnist = centre_by_mass(fitted.view(), 28);
    Ok(Stages {
        grey,
        ink,
        digit,
        strokes,
        mnist,
        dark_on_light,
    })
}
// ANCHOR_END: preprocess

/// The working resolution: enough for a digit anywhere in the photo, small
/// enough that every step is quick.
pub const WORKING_SIDE: usize = 480;

#[cfg(test)]
mod tests;
