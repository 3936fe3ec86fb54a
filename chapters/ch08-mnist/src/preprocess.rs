//! Turning any PNG of a handwritten digit into an MNIST-style input.
//!
//! MNIST's digits were prepared in a particular way (LeCun et al.): ink is
//! bright on a dark background, the digit is scaled to fit a 20×20 box
//! keeping its proportions, and placed in a 28×28 image so that its centre
//! of mass is at the centre. A network trained on MNIST expects exactly
//! that, so a photo or a drawing must be brought into the same form.

use std::path::{Path, PathBuf};

use ndarray::{Array2, ArrayView2};

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
    /// The file is not a PNG image.
    #[error("{}: not a PNG image ({reason})", path.display())]
    NotPng {
        /// The file.
        path: PathBuf,
        /// What the decoder said.
        reason: String,
    },
    /// The image has no ink: every pixel is the same shade.
    #[error("{}: the image is blank — no digit to read", path.display())]
    Blank {
        /// The file.
        path: PathBuf,
    },
}

/// Reads a PNG as grayscale brightness in [0, 1] (1 = white), shape
/// (height, width). Colour is averaged; transparency is laid over white.
pub fn read_png(path: &Path) -> Result<Array2<f32>, ImageError> {
    let bytes = std::fs::read(path).map_err(|source| ImageError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    decode_png(&bytes, path)
}

/// [`read_png`] from bytes; `path` is only used in errors.
pub fn decode_png(
    bytes: &[u8],
    path: &Path,
) -> Result<Array2<f32>, ImageError> {
    let not_png = |e: png::DecodingError| ImageError::NotPng {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let mut decoder = png::Decoder::new(bytes);
    // Palette → RGB, 1/2/4-bit → 8-bit, 16-bit → 8-bit.
    decoder.set_transformations(
        png::Transformations::EXPAND | png::Transformations::STRIP_16,
    );
    let mut reader = decoder.read_info().map_err(not_png)?;
    let mut buffer = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buffer).map_err(not_png)?;
    let channels = info.color_type.samples();
    let (width, height) = (info.width as usize, info.height as usize);
    let pixel = |i: usize| -> f32 {
        let p = &buffer[i * channels..(i + 1) * channels];
        let (color, alpha): (f32, f32) = match channels {
            1 => (f32::from(p[0]), 255.0),
            2 => (f32::from(p[0]), f32::from(p[1])),
            3 => (
                (f32::from(p[0]) + f32::from(p[1]) + f32::from(p[2])) / 3.0,
                255.0,
            ),
            _ => (
                (f32::from(p[0]) + f32::from(p[1]) + f32::from(p[2])) / 3.0,
                f32::from(p[3]),
            ),
        };
        let a = alpha / 255.0;
        (color / 255.0) * a + (1.0 - a) // over white
    };
    Ok(Array2::from_shape_fn((height, width), |(r, c)| {
        pixel(r * width + c)
    }))
}

// ANCHOR: preprocess
/// Brings a grayscale image (1 = white) into MNIST's form: 28×28, ink = 1
/// on background = 0, the digit scaled into 20×20 and its centre of mass at
/// the centre. Also returns whether the image was dark ink on light.
pub fn to_mnist(
    gray: ArrayView2<f32>,
    path: &Path,
) -> Result<(Array2<f32>, bool), ImageError> {
    // 1. Polarity: the border is background. If it is light, the ink is
    //    dark, and we invert so that ink is bright, as in MNIST.
    let (h, w) = gray.dim();
    let border: Vec<f32> = gray
        .indexed_iter()
        .filter(|((r, c), _)| *r == 0 || *c == 0 || *r == h - 1 || *c == w - 1)
        .map(|(_, &v)| v)
        .collect();
    let background = border.iter().sum::<f32>() / border.len() as f32;
    let dark_on_light = background > 0.5;
    let ink = gray.mapv(|v| {
        if dark_on_light {
            (background - v).max(0.0)
        } else {
            (v - background).max(0.0)
        }
    });
    let max = ink.fold(0.0f32, |m, &v| m.max(v));
    if max < 0.1 {
        return Err(ImageError::Blank {
            path: path.to_path_buf(),
        });
    }
    let ink = ink.mapv(|v| v / max);

    // 2. Crop to the ink's bounding box (ignoring faint specks).
    let (mut top, mut left, mut bottom, mut right) = (h, w, 0, 0);
    for ((r, c), &v) in ink.indexed_iter() {
        if v > 0.2 {
            (top, left, bottom, right) =
                (top.min(r), left.min(c), bottom.max(r), right.max(c));
        }
    }
    let (box_h, box_w) = (bottom - top + 1, right - left + 1);

    // 3. Scale the longer side to 20 pixels, averaging the source area
    //    each target pixel covers (sampled on a 4×4 grid per pixel).
    let scale = 20.0 / box_h.max(box_w) as f32;
    let (new_h, new_w) = (
        ((box_h as f32 * scale).round() as usize).max(1),
        ((box_w as f32 * scale).round() as usize).max(1),
    );
    let sample = |y: f32, x: f32| -> f32 {
        let (r, c) = (top as f32 + y, left as f32 + x);
        let (r, c) =
            (r.clamp(0.0, (h - 1) as f32), c.clamp(0.0, (w - 1) as f32));
        ink[(r as usize, c as usize)]
    };
    let small = Array2::from_shape_fn((new_h, new_w), |(i, j)| {
        let mut sum = 0.0;
        for a in 0..4 {
            for b in 0..4 {
                let y = (i as f32 + (a as f32 + 0.5) / 4.0) / scale;
                let x = (j as f32 + (b as f32 + 0.5) / 4.0) / scale;
                sum += sample(y, x);
            }
        }
        sum / 16.0
    });

    // 4. Place it in 28×28 with its centre of mass at the centre (13.5, 13.5).
    let (com_r, com_c) = center_of_mass(small.view());
    let offset_r = (13.5 - com_r).round() as isize;
    let offset_c = (13.5 - com_c).round() as isize;
    let mut out = Array2::zeros((28, 28));
    for ((i, j), &v) in small.indexed_iter() {
        let (r, c) = (i as isize + offset_r, j as isize + offset_c);
        if (0..28).contains(&r) && (0..28).contains(&c) {
            out[(r as usize, c as usize)] = v;
        }
    }
    Ok((out, dark_on_light))
}

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
// ANCHOR_END: preprocess

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
            let (out, detected) =
                to_mnist(drawn_seven(dark_on_light).view(), Path::new("7.png"))
                    .unwrap();
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
    fn png_round_trip_and_bad_files() {
        let image = drawn_seven(true);
        let decoded =
            decode_png(&encode_png(image.view()), Path::new("a.png")).unwrap();
        assert_eq!(decoded.dim(), (120, 80));
        assert!((decoded[(15, 10)] - 0.05).abs() < 0.01);
        let e = decode_png(b"GIF89a....", Path::new("cat.gif"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("cat.gif: not a PNG image ("), "{e}");
        let blank = Array2::from_elem((30, 30), 0.8f32);
        let e = to_mnist(blank.view(), Path::new("blank.png"))
            .unwrap_err()
            .to_string();
        assert_eq!(e, "blank.png: the image is blank — no digit to read");
        let e = read_png(Path::new("/nonexistent.png"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("/nonexistent.png: "), "{e}");
    }
}
