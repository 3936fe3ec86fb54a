//! Turning a photo or a drawing of a handwritten digit into an MNIST-style
//! input.
//!
//! MNIST's digits were prepared in a particular way (LeCun et al.): ink is
//! bright on a dark background, the digit is scaled to fit a 20×20 box
//! keeping its proportions, and placed in a 28×28 image so that its centre
//! of mass is at the centre. A network trained on MNIST expects exactly
//! that. A photo brings more: uneven light, noise, the page's edge, a box
//! around the digit, specks, strokes far thinner or thicker than MNIST's.
//! Each step below deals with one of those, and each is a small function.

use std::collections::VecDeque;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::{DynamicImage, ImageDecoder, ImageReader, Limits};
use ndarray::{Array2, ArrayView2, Zip};

/// The largest image side `predict` reads: a phone's 48-megapixel photo is
/// 8000 pixels wide.
pub const MAX_SIDE: u32 = 12_000;

/// An image that cannot be read as a digit.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// The file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The file is not an image this reads.
    #[error("{}: not a PNG or JPEG image ({reason})", path.display())]
    NotAnImage {
        /// The file.
        path: PathBuf,
        /// What the decoder said.
        reason: String,
    },
    /// Larger than [`MAX_SIDE`], found from the header before decoding.
    #[error(
        "{}: the image is {width}×{height} pixels; at most {MAX_SIDE} a side",
        path.display()
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its width.
        width: u32,
        /// Its height.
        height: u32,
    },
    /// The image has no ink: no digit stands out from the background.
    #[error("{}: the image is blank — no digit to read", path.display())]
    Blank {
        /// The file.
        path: PathBuf,
    },
}

/// Reads a PNG or JPEG as grayscale brightness in [0, 1] (1 = white),
/// shape (height, width), turned upright by its EXIF orientation.
pub fn read_image(path: &Path) -> Result<Array2<f32>, ImageError> {
    let bytes = std::fs::read(path).map_err(|source| ImageError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    decode_image(&bytes, path)
}

/// [`read_image`] from bytes; `path` is only used in errors. The size is
/// checked from the header, before any pixel is decoded.
pub fn decode_image(
    bytes: &[u8],
    path: &Path,
) -> Result<Array2<f32>, ImageError> {
    let not_image = |reason: String| ImageError::NotAnImage {
        path: path.to_path_buf(),
        reason,
    };
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| not_image(e.to_string()))?;
    let mut limits = Limits::default();
    limits.max_alloc = Some(1 << 30); // 1 GiB: a 12,000² RGBA image fits
    reader.limits(limits);
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| not_image(e.to_string()))?;
    let (width, height) = decoder.dimensions();
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(ImageError::TooLarge {
            path: path.to_path_buf(),
            width,
            height,
        });
    }
    let orientation = decoder
        .orientation()
        .map_err(|e| not_image(e.to_string()))?;
    let mut image = DynamicImage::from_decoder(decoder)
        .map_err(|e| not_image(e.to_string()))?;
    image.apply_orientation(orientation);
    Ok(brightness(&image.to_rgba32f()))
}

/// Grey brightness of an RGBA image. Transparent pixels are laid over the
/// colour that contrasts with the opaque ones: white ink on a transparent
/// background reads as a digit, as does black ink.
fn brightness(rgba: &image::Rgba32FImage) -> Array2<f32> {
    let (w, h) = (rgba.width() as usize, rgba.height() as usize);
    let grey = |p: &image::Rgba<f32>| (p[0] + p[1] + p[2]) / 3.0;
    let (mut ink, mut weight) = (0.0f64, 0.0f64);
    for p in rgba.pixels() {
        ink += f64::from(grey(p) * p[3]);
        weight += f64::from(p[3]);
    }
    let opaque_is_light = weight > 0.0 && ink / weight > 0.5;
    let underlay = if opaque_is_light { 0.0 } else { 1.0 };
    Array2::from_shape_fn((h, w), |(r, c)| {
        let p = rgba.get_pixel(c as u32, r as u32);
        let alpha = p[3].clamp(0.0, 1.0);
        grey(p).clamp(0.0, 1.0) * alpha + underlay * (1.0 - alpha)
    })
}

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

// ANCHOR: area
/// Resizes by area averaging: each new pixel is the mean of the source
/// area it covers, fractions of pixels included, so a thin stroke keeps
/// its share of ink instead of being missed between sample points.
pub fn resize_area(
    image: ArrayView2<f32>,
    height: usize,
    width: usize,
) -> Array2<f32> {
    let (h, w) = image.dim();
    let rows = area_weights(h, height); // (height, h)
    let cols = area_weights(w, width); // (width, w)
    rows.dot(&image).dot(&cols.t())
}

/// The (new, old) matrix of an area-averaging resize along one axis: row
/// i holds how much of each old pixel the new pixel i covers, summing to 1.
fn area_weights(old: usize, new: usize) -> Array2<f32> {
    let scale = old as f64 / new as f64; // old pixels per new pixel
    Array2::from_shape_fn((new, old), |(i, k)| {
        let (start, end) = (i as f64 * scale, (i + 1) as f64 * scale);
        let overlap = (end.min(k as f64 + 1.0) - start.max(k as f64)).max(0.0);
        (overlap / scale) as f32
    })
}
// ANCHOR_END: area

/// Shrinks by area averaging so that neither side exceeds `side` (never
/// enlarges).
pub fn shrink_to(image: ArrayView2<f32>, side: usize) -> Array2<f32> {
    let (h, w) = image.dim();
    let scale = (side as f64 / h.max(w) as f64).min(1.0);
    let size = |n: usize| ((n as f64 * scale).round() as usize).max(1);
    if scale == 1.0 {
        return image.to_owned();
    }
    // Large photos: shrink in steps of at most 8×, so the weight matrices
    // stay small.
    let (nh, nw) = (size(h), size(w));
    if h > 8 * nh.max(1) || w > 8 * nw.max(1) {
        let half = resize_area(image, h.div_ceil(8), w.div_ceil(8));
        return shrink_to(half.view(), side);
    }
    resize_area(image, nh, nw)
}

// ANCHOR: background
/// Separates ink from paper under uneven light: the paper's brightness
/// at each pixel is the image *closed* over a square wider than any
/// stroke — the brightest value nearby (which steps over dark strokes),
/// then the darkest of those (which puts edges such as a sheet's back
/// where they were). The ink is how far each pixel is darker than that;
/// for light ink on dark, the same with dark and light swapped.
pub fn ink_above_background(
    grey: ArrayView2<f32>,
    dark_on_light: bool,
) -> Array2<f32> {
    let (h, w) = grey.dim();
    let r = h.max(w) / 8; // a stroke is about 1/7 of a digit, at most
    if dark_on_light {
        let paper = shrink(grow(grey, r).view(), r);
        &paper - &grey
    } else {
        let paper = grow(shrink(grey, r).view(), r);
        &grey - &paper
    }
}
// ANCHOR_END: background

/// Whether the ink is darker than the paper. The photo's middle is
/// mostly paper (even when the photo's edges are a dark desk), and the
/// ink, the minority, pulls the mean away from the median: below it for
/// dark ink.
pub fn ink_is_dark(grey: ArrayView2<f32>) -> bool {
    let (h, w) = grey.dim();
    let middle = grey.slice(ndarray::s![h / 4..h - h / 4, w / 4..w - w / 4]);
    let skew = |part: ArrayView2<f32>| {
        let mut values: Vec<f32> = part.iter().copied().collect();
        part.mean().unwrap_or(0.0) - quantile(&mut values, 0.5)
    };
    // A small digit away from the middle: then the whole photo decides.
    let middle_skew = skew(middle);
    if middle_skew.abs() > 1e-3 {
        middle_skew < 0.0
    } else {
        skew(grey) < 0.0
    }
}

/// The `q` quantile of `values` (reordered in place).
fn quantile(values: &mut [f32], q: f64) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    let k = ((values.len() - 1) as f64 * q).round() as usize;
    *values.select_nth_unstable_by(k, f32::total_cmp).1
}

// ANCHOR: otsu
/// Otsu's threshold: the level that splits the ink values into two groups
/// (background noise, ink) with the largest between-group variance,
/// ω₀ω₁(μ₀ − μ₁)², from a 256-bin histogram. `None` if there is no ink.
pub fn otsu_threshold(ink: ArrayView2<f32>) -> Option<f32> {
    let max = ink.fold(0.0f32, |m, &v| m.max(v));
    if max < MIN_CONTRAST {
        return None;
    }
    let mut histogram = [0.0f64; 256];
    for &v in ink {
        histogram[((v / max * 255.0) as usize).min(255)] += 1.0;
    }
    let total: f64 = histogram.iter().sum();
    let sum: f64 = histogram
        .iter()
        .enumerate()
        .map(|(k, n)| k as f64 * n)
        .sum();
    let (mut n0, mut sum0, mut best) = (0.0, 0.0, (0.0, 0));
    for (k, &n) in histogram.iter().enumerate() {
        n0 += n;
        sum0 += k as f64 * n;
        let n1 = total - n0;
        if n0 == 0.0 || n1 == 0.0 {
            continue;
        }
        let (mu0, mu1) = (sum0 / n0, (sum - sum0) / n1);
        let between = n0 * n1 * (mu0 - mu1).powi(2);
        if between > best.0 {
            best = (between, k);
        }
    }
    Some((best.1 as f32 + 1.0) / 255.0 * max)
}
// ANCHOR_END: otsu

/// Below this difference from the paper, nothing counts as ink.
pub const MIN_CONTRAST: f32 = 0.08;

// ANCHOR: components
/// The digit's pixels: the ink's connected pieces, without the page's
/// edges and frames (pieces touching the image's border, or enclosing
/// another piece) and without specks (pieces under 5 % of the largest).
/// `None` if nothing is left.
pub fn digit_pixels(
    ink: ArrayView2<f32>,
    threshold: f32,
) -> Option<Array2<bool>> {
    let mask = ink.mapv(|v| v >= threshold);
    let (labels, pieces) = connected_pieces(mask.view());
    let inside: Vec<&Piece> =
        pieces.iter().filter(|p| !p.touches_border).collect();
    // A digit drawn to the very edge: then the border pieces are all there is.
    let mut kept: Vec<&Piece> = if inside.is_empty() {
        pieces.iter().collect()
    } else {
        inside
    };
    let encloses = |a: &Piece, b: &Piece| {
        a.top < b.top
            && a.left < b.left
            && a.bottom > b.bottom
            && a.right > b.right
    };
    let frames: Vec<usize> = kept
        .iter()
        .filter(|a| {
            kept.iter().any(|b| b.size * 20 >= a.size && encloses(a, b))
        })
        .map(|p| p.label)
        .collect();
    kept.retain(|p| !frames.contains(&p.label));
    let largest = kept.iter().map(|p| p.size).max()?;
    kept.retain(|p| p.size * 20 >= largest);
    let keep: Vec<bool> = (0..=pieces.len())
        .map(|label| kept.iter().any(|p| p.label == label))
        .collect();
    Some(labels.mapv(|label| label > 0 && keep[label]))
}
// ANCHOR_END: components

/// One 8-connected piece of ink.
#[derive(Debug)]
struct Piece {
    label: usize,
    size: usize,
    top: usize,
    left: usize,
    bottom: usize,
    right: usize,
    touches_border: bool,
}

/// Labels the 8-connected pieces of `mask` (1, 2, …; 0 = no ink) by
/// breadth-first search, with each piece's size and bounding box.
fn connected_pieces(mask: ArrayView2<bool>) -> (Array2<usize>, Vec<Piece>) {
    let (h, w) = mask.dim();
    let mut labels = Array2::zeros((h, w));
    let mut pieces = Vec::new();
    let mut queue = VecDeque::new();
    for start in ndarray::indices((h, w)) {
        if !mask[start] || labels[start] != 0 {
            continue;
        }
        let label = pieces.len() + 1;
        let mut piece = Piece {
            label,
            size: 0,
            top: start.0,
            left: start.1,
            bottom: start.0,
            right: start.1,
            touches_border: false,
        };
        labels[start] = label;
        queue.push_back(start);
        while let Some((r, c)) = queue.pop_front() {
            piece.size += 1;
            piece.top = piece.top.min(r);
            piece.bottom = piece.bottom.max(r);
            piece.left = piece.left.min(c);
            piece.right = piece.right.max(c);
            piece.touches_border |=
                r == 0 || c == 0 || r == h - 1 || c == w - 1;
            for (dr, dc) in [
                (-1, -1),
                (-1, 0),
                (-1, 1),
                (0, -1),
                (0, 1),
                (1, -1),
                (1, 0),
                (1, 1),
            ] {
                let (nr, nc) = (r as isize + dr, c as isize + dc);
                if nr < 0 || nc < 0 || nr >= h as isize || nc >= w as isize {
                    continue;
                }
                let next = (nr as usize, nc as usize);
                if mask[next] && labels[next] == 0 {
                    labels[next] = label;
                    queue.push_back(next);
                }
            }
        }
        pieces.push(piece);
    }
    (labels, pieces)
}

// ANCHOR: strokes
/// The digit's ink at MNIST's contrast and stroke width, cropped to the
/// digit. Ink is scaled so a typical stroke pixel (the median) is 1. A
/// stroke's width is its area over half its outline; MNIST's strokes are about 1/7 of the
/// digit's longer side (the median over its first 10,000 training
/// images), so thinner strokes are widened (a maximum filter) and much
/// thicker ones narrowed (a minimum filter) towards that.
pub fn mnist_strokes(
    ink: ArrayView2<f32>,
    digit: ArrayView2<bool>,
    threshold: f32,
) -> Array2<f32> {
    let (top, left, bottom, right) = bounding_box(digit).expect("a digit");
    let margin = 2;
    let (h, w) = digit.dim();
    let rows = top.saturating_sub(margin)..(bottom + margin + 1).min(h);
    let cols = left.saturating_sub(margin)..(right + margin + 1).min(w);
    let near = grow(
        digit
            .slice(ndarray::s![rows.clone(), cols.clone()])
            .mapv(f32::from)
            .view(),
        1,
    );
    let ink = ink.slice(ndarray::s![rows, cols]);
    let digit_ink: Vec<f32> =
        Zip::from(&ink)
            .and(&near)
            .fold(Vec::new(), |mut v, &i, &n| {
                if n > 0.0 && i >= threshold {
                    v.push(i);
                }
                v
            });
    let solid = quantile(&mut digit_ink.clone(), 0.5).max(threshold);
    let mut strokes = Zip::from(&ink)
        .and(&near)
        .map_collect(|&i, &n| (i / solid).min(1.0) * n);
    let width = stroke_width(strokes.mapv(|v| v >= 0.5).view());
    let target = (bottom - top + 1).max(right - left + 1) as f32 / 7.0;
    let radius = ((target - width) / 2.0).round() as isize;
    if radius > 0 {
        strokes = grow(strokes.view(), radius as usize);
    } else if radius < -1 {
        strokes = shrink(strokes.view(), (-radius - 1) as usize);
    }
    strokes
}
// ANCHOR_END: strokes

/// The mean stroke width of a binary image: its area over half the
/// number of its pixels on an edge (at least 1).
pub fn stroke_width(mask: ArrayView2<bool>) -> f32 {
    let (h, w) = mask.dim();
    let (mut area, mut edge) = (0.0f32, 0.0f32);
    for ((r, c), &m) in mask.indexed_iter() {
        if !m {
            continue;
        }
        area += 1.0;
        let off = |dr: isize, dc: isize| {
            let (nr, nc) = (r as isize + dr, c as isize + dc);
            nr < 0
                || nc < 0
                || nr >= h as isize
                || nc >= w as isize
                || !mask[(nr as usize, nc as usize)]
        };
        if off(-1, 0) || off(1, 0) || off(0, -1) || off(0, 1) {
            edge += 1.0;
        }
    }
    if edge == 0.0 {
        0.0
    } else {
        (2.0 * area / edge).max(1.0)
    }
}

/// The smallest box holding every `true`: (top, left, bottom, right).
fn bounding_box(
    mask: ArrayView2<bool>,
) -> Option<(usize, usize, usize, usize)> {
    let mut found = None;
    for ((r, c), &m) in mask.indexed_iter() {
        if m {
            let (t, l, b, rt) = found.unwrap_or((r, c, r, c));
            found = Some((t.min(r), l.min(c), b.max(r), rt.max(c)));
        }
    }
    found
}

/// The maximum over a (2r + 1)² square around each pixel.
fn grow(image: ArrayView2<f32>, r: usize) -> Array2<f32> {
    square_filter(image, r, f32::max)
}

/// The minimum over a (2r + 1)² square around each pixel.
fn shrink(image: ArrayView2<f32>, r: usize) -> Array2<f32> {
    square_filter(image, r, f32::min)
}

/// `pick` over a (2r + 1)² square, one axis at a time (the image's edges
/// cut the square short).
fn square_filter(
    image: ArrayView2<f32>,
    r: usize,
    pick: fn(f32, f32) -> f32,
) -> Array2<f32> {
    let mut out = image.to_owned();
    for axis in [ndarray::Axis(0), ndarray::Axis(1)] {
        for mut lane in out.lanes_mut(axis) {
            let filtered = running(&lane.to_vec(), r, pick);
            lane.assign(&ndarray::ArrayView1::from(&filtered));
        }
    }
    out
}

/// `pick` over each window of 2r + 1 values, in three passes whatever r
/// (van Herk, and Gil and Werman): cut the padded line into blocks of
/// 2r + 1; a window spans the end of one block and the start of the next,
/// so it is `pick` of a suffix and a prefix computed once per block.
fn running(line: &[f32], r: usize, pick: fn(f32, f32) -> f32) -> Vec<f32> {
    let k = 2 * r + 1;
    // Padding that never wins: the identity of `pick`.
    let neutral = if pick(0.0, 1.0) == 1.0 {
        f32::MIN
    } else {
        f32::MAX
    };
    let mut padded = vec![neutral; r];
    padded.extend_from_slice(line);
    padded.resize(line.len() + 2 * r, neutral);
    let n = padded.len();
    let mut prefix = padded.clone();
    let mut suffix = padded.clone();
    for i in 1..n {
        if i % k != 0 {
            prefix[i] = pick(prefix[i - 1], padded[i]);
        }
    }
    for i in (0..n - 1).rev() {
        if (i + 1) % k != 0 {
            suffix[i] = pick(suffix[i + 1], padded[i]);
        }
    }
    (0..line.len())
        .map(|j| pick(suffix[j], prefix[j + 2 * r]))
        .collect()
}

// ANCHOR: fit
/// Crops to the ink and scales the longer side to `side` pixels, keeping
/// the proportions, by area averaging.
pub fn fit_into(strokes: ArrayView2<f32>, side: usize) -> Array2<f32> {
    let (top, left, bottom, right) =
        bounding_box(strokes.mapv(|v| v > 0.05).view()).unwrap_or((0, 0, 0, 0));
    let digit = strokes.slice(ndarray::s![top..=bottom, left..=right]);
    let (h, w) = digit.dim();
    let scale = side as f32 / h.max(w) as f32;
    let size = |n: usize| ((n as f32 * scale).round() as usize).clamp(1, side);
    // Rounding can nudge an average a hair past 1.
    resize_area(digit, size(h), size(w)).mapv(|v| v.clamp(0.0, 1.0))
}

/// Places `digit` in a `side`×`side` image with its centre of mass at the
/// centre, as MNIST did.
pub fn centre_by_mass(digit: ArrayView2<f32>, side: usize) -> Array2<f32> {
    let (com_r, com_c) = center_of_mass(digit);
    let middle = (side as f32 - 1.0) / 2.0;
    let offset_r = (middle - com_r).round() as isize;
    let offset_c = (middle - com_c).round() as isize;
    let mut out = Array2::zeros((side, side));
    for ((i, j), &v) in digit.indexed_iter() {
        let (r, c) = (i as isize + offset_r, j as isize + offset_c);
        if (0..side as isize).contains(&r) && (0..side as isize).contains(&c) {
            out[(r as usize, c as usize)] = v;
        }
    }
    out
}
// ANCHOR_END: fit

// ANCHOR: doubts
/// Below this top probability, `predict` says it is unsure.
pub const UNSURE_BELOW: f32 = 0.7;

/// MNIST's range of total ink per 28×28 image (the sum of its pixels),
/// from its 1st to its 99th percentile over the first 10,000 training
/// images: an input outside it is unlike anything the network has seen.
pub const MNIST_INK: (f32, f32) = (39.0, 194.0);

/// Why a prediction should not be trusted, if it should not.
pub fn doubts(mnist: ArrayView2<f32>, confidence: f32) -> Option<String> {
    let ink = mnist.sum();
    if ink < MNIST_INK.0 {
        Some(format!(
            "the digit has less ink ({ink:.0}) than MNIST's ({:.0}–{:.0})",
            MNIST_INK.0, MNIST_INK.1
        ))
    } else if ink > MNIST_INK.1 {
        Some(format!(
            "the digit has more ink ({ink:.0}) than MNIST's ({:.0}–{:.0})",
            MNIST_INK.0, MNIST_INK.1
        ))
    } else if confidence < UNSURE_BELOW {
        Some(format!(
            "its top probability is only {:.0} %",
            100.0 * confidence
        ))
    } else {
        None
    }
}
// ANCHOR_END: doubts

/// The brightness-weighted mean (row, column) of an image.
pub fn center_of_mass(image: ArrayView2<f32>) -> (f32, f32) {
    let total: f32 = image.sum();
    let (mut r, mut c) = (0.0, 0.0);
    for ((i, j), &v) in image.indexed_iter() {
        r += i as f32 * v;
        c += j as f32 * v;
    }
    (r / total, c / total)
}

/// Writes a grayscale image (values in [0, 1], 1 = white) as an 8-bit PNG.
pub fn encode_png(gray: ArrayView2<f32>) -> Vec<u8> {
    let (h, w) = gray.dim();
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, w as u32, h as u32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("writing to memory");
        let data: Vec<u8> = gray
            .iter()
            .map(|&v| (v.clamp(0.0, 1.0) * 255.0).round() as u8)
            .collect();
        writer.write_image_data(&data).expect("writing to memory");
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 120×80 white canvas with a thick dark "7" drawn off-centre.
    fn drawn_seven(dark_on_light: bool) -> Array2<f32> {
        let (paper, ink) = if dark_on_light {
            (1.0, 0.05)
        } else {
            (0.0, 0.95)
        };
        let mut image = Array2::from_elem((120, 80), paper);
        for r in 10..20 {
            for c in 5..45 {
                image[(r, c)] = ink;
            }
        }
        for r in 20..90 {
            let c = 44 - (r - 20) / 3;
            for dc in 0..8 {
                image[(r, c - dc)] = ink;
            }
        }
        image
    }

    #[test]
    fn a_digit_is_scaled_into_20_and_centred_by_mass() {
        for dark_on_light in [true, false] {
            let stages =
                to_mnist(drawn_seven(dark_on_light).view(), Path::new("7.png"))
                    .unwrap();
            let (out, detected) = (stages.mnist, stages.dark_on_light);
            assert_eq!(detected, dark_on_light);
            assert_eq!(out.dim(), (28, 28));
            let rows: Vec<usize> = (0..28)
                .filter(|&r| out.row(r).iter().any(|&v| v > 0.2))
                .collect();
            let cols: Vec<usize> = (0..28)
                .filter(|&c| out.column(c).iter().any(|&v| v > 0.2))
                .collect();
            let height = rows.last().unwrap() - rows[0] + 1;
            let width = cols.last().unwrap() - cols[0] + 1;
            assert!((19..=21).contains(&height), "height {height}");
            assert!(width < height, "keeps proportions: {width} × {height}");
            let (r, c) = center_of_mass(out.view());
            assert!(
                (r - 13.5).abs() <= 0.6 && (c - 13.5).abs() <= 0.6,
                "({r}, {c})"
            );
            assert!(out.iter().all(|&v| (0.0..=1.0).contains(&v)));
        }
    }

    #[test]
    fn running_max_and_min_match_the_naive_window() {
        let line: Vec<f32> =
            (0..37).map(|i| ((i * 7919) % 23) as f32).collect();
        for r in 0..6 {
            for (pick, name) in
                [(f32::max as fn(f32, f32) -> f32, "max"), (f32::min, "min")]
            {
                let naive: Vec<f32> = (0..line.len())
                    .map(|j| {
                        let window =
                            j.saturating_sub(r)..(j + r + 1).min(line.len());
                        line[window].iter().copied().reduce(pick).unwrap()
                    })
                    .collect();
                assert_eq!(running(&line, r, pick), naive, "{name}, r = {r}");
            }
        }
    }

    #[test]
    fn png_round_trip_and_bad_files() {
        let image = drawn_seven(true);
        let decoded =
            decode_image(&encode_png(image.view()), Path::new("a.png"))
                .unwrap();
        assert_eq!(decoded.dim(), (120, 80));
        assert!((decoded[(15, 10)] - 0.05).abs() < 0.01);
        let e = decode_image(b"GIF89a....", Path::new("cat.gif"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("cat.gif: not a PNG or JPEG image ("), "{e}");
        let blank = Array2::from_elem((30, 30), 0.8f32);
        let e = to_mnist(blank.view(), Path::new("blank.png"))
            .unwrap_err()
            .to_string();
        assert_eq!(e, "blank.png: the image is blank — no digit to read");
        let e = read_image(Path::new("/nonexistent.png"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("/nonexistent.png: "), "{e}");
    }

    /// The seven, in an image of another shape, as a photo might show it.
    fn seven_on(
        size: (usize, usize),
        at: (usize, usize),
        paper: impl Fn(usize, usize) -> f32,
    ) -> Array2<f32> {
        let seven = drawn_seven(true);
        Array2::from_shape_fn(size, |(r, c)| {
            let (sr, sc) = (r.wrapping_sub(at.0), c.wrapping_sub(at.1));
            match seven.get((sr, sc)) {
                Some(&v) if v < 0.5 => 0.05 * paper(r, c),
                _ => paper(r, c),
            }
        })
    }

    fn mnist_of(photo: &Array2<f32>) -> Array2<f32> {
        to_mnist(photo.view(), Path::new("test.png")).unwrap().mnist
    }

    /// The mean absolute difference of two 28×28 inputs.
    fn difference(a: &Array2<f32>, b: &Array2<f32>) -> f32 {
        (a - b).mapv(f32::abs).mean().unwrap()
    }

    #[test]
    fn a_frame_a_speck_and_a_dark_desk_are_not_the_digit() {
        let clean = mnist_of(&seven_on((200, 160), (40, 40), |_, _| 1.0));
        // A dark desk around a sheet, a box drawn round the digit, a speck.
        let mut photo = seven_on((200, 160), (40, 40), |r, c| {
            let on_sheet = (12..190).contains(&r) && (15..150).contains(&c);
            if on_sheet { 1.0 } else { 0.15 }
        });
        for k in 0..3 {
            for c in 30..135 {
                photo[(30 + k, c)] = 0.05;
                photo[(172 - k, c)] = 0.05;
            }
            for r in 30..173 {
                photo[(r, 30 + k)] = 0.05;
                photo[(r, 132 - k)] = 0.05;
            }
        }
        for r in 100..104 {
            for c in 136..140 {
                photo[(r, c)] = 0.05;
            }
        }
        let d = difference(&mnist_of(&photo), &clean);
        assert!(d < 0.01, "differs from the clean seven by {d}");
    }

    #[test]
    fn uneven_light_and_noise_leave_the_digit_alone() {
        let clean = mnist_of(&seven_on((200, 160), (40, 40), |_, _| 1.0));
        let mut rng = shared::rng::seeded(5);
        let lit = seven_on((200, 160), (40, 40), |r, c| {
            0.45 + 0.45 * (r + c) as f32 / 360.0
        })
        .mapv(|v| {
            let noise = 0.04 * shared::rng::standard_normal(&mut rng) as f32;
            (v + noise).clamp(0.0, 1.0)
        });
        let d = difference(&mnist_of(&lit), &clean);
        assert!(d < 0.05, "differs from the clean seven by {d}");
    }

    #[test]
    fn hairlines_on_a_huge_canvas_reach_the_network_as_strokes() {
        // A seven of one-pixel lines on a 3000 × 2400 canvas.
        let mut photo = Array2::from_elem((3000, 2400), 1.0f32);
        for c in 800..1600 {
            photo[(700, c)] = 0.0;
        }
        for r in 700..2300 {
            photo[(r, 1600 - (r - 700) / 4)] = 0.0;
        }
        let mnist = mnist_of(&photo);
        let ink = mnist.sum();
        assert!(
            (MNIST_INK.0..=MNIST_INK.1).contains(&ink),
            "ink {ink}, MNIST's {MNIST_INK:?}"
        );
        let width = stroke_width(mnist.mapv(|v| v >= 0.5).view());
        assert!(width >= 2.0, "strokes {width} px wide at 28×28");
    }

    /// A PNG of the seven as white ink on a transparent background.
    fn transparent_png() -> Vec<u8> {
        let seven = drawn_seven(true);
        let (h, w) = seven.dim();
        let mut rgba = image::RgbaImage::new(w as u32, h as u32);
        for ((r, c), &v) in seven.indexed_iter() {
            let alpha = if v < 0.5 { 255 } else { 0 };
            rgba.put_pixel(
                c as u32,
                r as u32,
                image::Rgba([255, 255, 255, alpha]),
            );
        }
        let mut bytes = Vec::new();
        rgba.write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
            .unwrap();
        bytes
    }

    #[test]
    fn white_ink_on_a_transparent_background_is_read() {
        let grey =
            decode_image(&transparent_png(), Path::new("t.png")).unwrap();
        let clean = mnist_of(&drawn_seven(true));
        let d = difference(&mnist_of(&grey), &clean);
        assert!(d < 0.01, "differs from the seven by {d}");
    }

    /// A JPEG of a 60-wide, 30-high image, dark on its left half, with an
    /// EXIF block saying "rotate 90° clockwise to show" (orientation 6).
    fn rotated_jpeg() -> Vec<u8> {
        let image = image::GrayImage::from_fn(60, 30, |x, _| {
            image::Luma([if x < 30 { 0 } else { 255 }])
        });
        let mut jpeg = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
            .unwrap();
        // TIFF, little-endian: one IFD entry, tag 0x0112 (orientation),
        // type SHORT, count 1, value 6.
        let mut tiff =
            b"II*\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0\x06\0\0\0".to_vec();
        tiff.extend([0, 0, 0, 0]); // no next IFD
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend(tiff);
        let length = (app1.len() + 2) as u16;
        let mut out = jpeg[..2].to_vec(); // SOI
        out.extend([0xFF, 0xE1]);
        out.extend(length.to_be_bytes());
        out.extend(app1);
        out.extend(&jpeg[2..]);
        out
    }

    #[test]
    fn a_jpeg_is_turned_upright_by_its_exif_orientation() {
        let grey = decode_image(&rotated_jpeg(), Path::new("p.jpg")).unwrap();
        assert_eq!(grey.dim(), (60, 30), "rotated: 30 wide, 60 high");
        // The dark left half, turned clockwise, is now the top half.
        assert!(grey[(5, 15)] < 0.2 && grey[(55, 15)] > 0.8);
    }

    /// CRC-32 as PNG chunks use it.
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn a_huge_image_is_refused_from_its_header() {
        // A 1×1 PNG whose header is rewritten to claim 40,000 × 40,000.
        let mut png = encode_png(Array2::zeros((1, 1)).view());
        png[16..20].copy_from_slice(&40_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&40_000u32.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        let e = decode_image(&png, Path::new("big.png"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "big.png: the image is 40000×40000 pixels; at most 12000 a side"
        );
    }

    #[test]
    fn unsure_when_the_ink_or_the_confidence_is_unlike_mnist() {
        let typical = Array2::from_elem((28, 28), 100.0 / 784.0);
        assert_eq!(doubts(typical.view(), 0.95), None);
        assert!(doubts(typical.view(), 0.5).unwrap().contains("only 50 %"));
        let faint = Array2::from_elem((28, 28), 10.0 / 784.0);
        assert!(doubts(faint.view(), 0.99).unwrap().contains("less ink"));
        let heavy = Array2::from_elem((28, 28), 0.5);
        assert!(doubts(heavy.view(), 0.99).unwrap().contains("more ink"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        // Random bytes, and a good PNG and JPEG with bytes changed or cut
        // short: an error or an image, never a panic.
        #[test]
        fn no_bytes_make_the_image_reader_panic(
            noise in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
            at in 0usize..4000,
            cut in 0usize..4000,
        ) {
            let path = Path::new("x");
            let _ = decode_image(&noise, path);
            for mut good in [transparent_png(), rotated_jpeg()] {
                let n = good.len();
                for (k, b) in noise.iter().enumerate() {
                    good[(at + 13 * k) % n] ^= b;
                }
                if let Ok(grey) = decode_image(&good, path) {
                    let _ = to_mnist(grey.view(), path);
                }
                let _ = decode_image(&good[..cut.min(n)], path);
            }
        }
    }
}
