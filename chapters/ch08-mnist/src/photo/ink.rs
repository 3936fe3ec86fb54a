//! The ink against the paper: shrinking a photo by area averaging (so a
//! thin stroke keeps its share of ink), the paper's brightness estimated
//! at every pixel by a closing, whether ink is darker than paper, and how
//! far from the paper counts as ink (Otsu's threshold).
//!
//! Leaves out: which ink is the digit (`pieces`) and the square filters
//! the closing is made of (`strokes`).

use ndarray::{Array2, ArrayView2};

use super::strokes::{grow, shrink};

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
pub(super) fn quantile(values: &mut [f32], q: f64) -> f32 {
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
