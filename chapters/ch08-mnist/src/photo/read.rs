//! Reading a photo: PNG or JPEG bytes to grey brightness in [0, 1],
//! turned upright by the EXIF orientation, its size checked from the
//! header before a pixel is decoded; transparent pixels laid over the
//! colour that contrasts with the ink; and the way back, grey to an 8-bit
//! PNG (for `predict --show`, the web page and the tests).
//!
//! Leaves out: everything after the pixels are read (see `photo`).

use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::{DynamicImage, ImageDecoder, ImageReader, Limits};
use ndarray::{Array2, ArrayView2};

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
    /// Decoding the image would take more memory than a photo may.
    #[error(
        "{}: a {width}×{height} image of this kind takes about {:.1} GB to \
         decode and read; at most {:.1} GB (a smaller or 8-bit image will do)",
        path.display(),
        *bytes as f64 / 1e9,
        MAX_DECODE_BYTES as f64 / 1e9
    )]
    TooMuchMemory {
        /// The file.
        path: PathBuf,
        /// Its width.
        width: u32,
        /// Its height.
        height: u32,
        /// The bytes decoding and reading it would take.
        bytes: u64,
    },
    /// The image has no ink: no digit stands out from the background.
    #[error("{}: the image is blank — no digit to read", path.display())]
    Blank {
        /// The file.
        path: PathBuf,
    },
}

/// The most memory decoding and reading one photo may take (bytes).
pub const MAX_DECODE_BYTES: u64 = 2 << 30;

/// Reads a PNG or JPEG as grayscale brightness in [0, 1] (1 = white),
/// shape (height, width), turned upright by its EXIF orientation.
pub fn read_image(path: &Path) -> Result<Array2<f32>, ImageError> {
    let bytes =
        shared::files::read_regular(path).map_err(|source| ImageError::Io {
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
    // The decoded pixels, their RGBA f32 copy (16 bytes a pixel) and the
    // brightness (4): counted from the header, before any is allocated.
    let per_pixel = u64::from(decoder.color_type().bytes_per_pixel()) + 20;
    let bytes = u64::from(width) * u64::from(height) * per_pixel;
    if bytes > MAX_DECODE_BYTES {
        return Err(ImageError::TooMuchMemory {
            path: path.to_path_buf(),
            width,
            height,
            bytes,
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
    fn a_16_bit_image_too_big_to_decode_is_refused_from_its_header() {
        // A 1×1 PNG rewritten to claim 11,000 × 11,000 16-bit RGBA: within
        // the side limit, but about 3.4 GB to decode and read.
        let mut png = encode_png(Array2::zeros((1, 1)).view());
        png[16..20].copy_from_slice(&11_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&11_000u32.to_be_bytes());
        png[24] = 16; // bits per sample
        png[25] = 6; // RGBA
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        let e = decode_image(&png, Path::new("deep.png"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("deep.png: a 11000×11000 image"), "{e}");
        assert!(e.contains("3.4 GB to decode"), "{e}");
    }
}
