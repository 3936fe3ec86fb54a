//! Strokes like MNIST's: the digit's ink at MNIST's contrast, cropped,
//! its strokes measured (area over half the outline) and widened or
//! narrowed towards MNIST's width by square maximum and minimum filters,
//! which run in three passes whatever their size (van Herk, Gil and
//! Werman). The filters also serve `ink`'s closing, and the digit's
//! bounding box `fit`'s crop.
//!
//! Leaves out: scaling into 20×20 and centring (`fit`).

use ndarray::{Array2, ArrayView2, Zip};

use super::ink::quantile;

// ANCHOR: strokes
/// The digit's ink at MNIST's contrast and stroke width, cropped to the
/// digit. Ink is scaled so a typical stroke pixel (the median) is 1. A
/// stroke's width is its area over half its outline; MNIST's strokes are
/// about 1/7 of the digit's longer side (the median over its first 10,000
/// training images), so thinner strokes are widened (a maximum filter) and
/// much thicker ones narrowed (a minimum filter) towards that.
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
pub(super) fn bounding_box(
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
pub(super) fn grow(image: ArrayView2<f32>, r: usize) -> Array2<f32> {
    square_filter(image, r, f32::max)
}

/// The minimum over a (2r + 1)² square around each pixel.
pub(super) fn shrink(image: ArrayView2<f32>, r: usize) -> Array2<f32> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
