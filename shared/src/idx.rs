//! The IDX file format of MNIST, read with every field checked.
//!
//! An IDX file is a big-endian header — two zero bytes, a type byte (0x08
//! for unsigned bytes), the number of dimensions — then one u32 per
//! dimension, then the data. Image files have 3 dimensions (count, rows,
//! columns); label files have 1 (count). Anything else, or fewer bytes than
//! the header promises, is an error that names the file.

use std::path::{Path, PathBuf};

/// A file that is not what it should be.
#[derive(Debug, thiserror::Error)]
pub enum IdxError {
    /// The file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The magic number is not the one expected.
    #[error(
        "{}: not an IDX {kind} file (magic number {found:#010x}, \
         expected {expected:#010x})",
        path.display()
    )]
    BadMagic {
        /// The file.
        path: PathBuf,
        /// "image" or "label".
        kind: &'static str,
        /// The magic number read.
        found: u32,
        /// The magic number wanted.
        expected: u32,
    },
    /// The file is shorter (or longer) than its header says.
    #[error(
        "{}: truncated or corrupt: the header promises {expected} bytes, \
         the file has {found}",
        path.display()
    )]
    WrongLength {
        /// The file.
        path: PathBuf,
        /// Bytes the header promises.
        expected: u64,
        /// Bytes present.
        found: u64,
    },
    /// Images and labels disagree in number.
    #[error(
        "{} has {images} images but {} has {labels} labels",
        images_path.display(),
        labels_path.display()
    )]
    CountMismatch {
        /// The image file.
        images_path: PathBuf,
        /// Images in it.
        images: usize,
        /// The label file.
        labels_path: PathBuf,
        /// Labels in it.
        labels: usize,
    },
    /// A label is not a digit.
    #[error("{}: label {label} at index {index} is not a digit 0–9", path.display())]
    BadLabel {
        /// The file.
        path: PathBuf,
        /// Where.
        index: usize,
        /// The label.
        label: u8,
    },
}

/// Images from an IDX file: `count` images of `rows × cols` bytes, one
/// image after another, row by row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Images {
    /// How many images.
    pub count: usize,
    /// Rows per image.
    pub rows: usize,
    /// Columns per image.
    pub cols: usize,
    /// `count · rows · cols` pixel bytes, 0 = background, 255 = ink.
    pub pixels: Vec<u8>,
}

const IMAGE_MAGIC: u32 = 0x0000_0803;
const LABEL_MAGIC: u32 = 0x0000_0801;

fn be_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// Checks the header of `bytes`: its magic and that its length is exactly
/// what the dimensions promise. Returns the dimensions.
fn header(
    bytes: &[u8],
    path: &Path,
    kind: &'static str,
    magic: u32,
    dims: usize,
) -> Result<Vec<usize>, IdxError> {
    let header_len = 4 + 4 * dims;
    let short = || IdxError::WrongLength {
        path: path.to_path_buf(),
        expected: header_len as u64,
        found: bytes.len() as u64,
    };
    if bytes.len() < 4 {
        return Err(short());
    }
    let found = be_u32(bytes, 0);
    if found != magic {
        return Err(IdxError::BadMagic {
            path: path.to_path_buf(),
            kind,
            found,
            expected: magic,
        });
    }
    if bytes.len() < header_len {
        return Err(short());
    }
    let sizes: Vec<usize> = (0..dims)
        .map(|d| be_u32(bytes, 4 + 4 * d) as usize)
        .collect();
    // Three u32 dimensions can multiply past u64: saturate, since no file
    // is that long anyway.
    let body = sizes
        .iter()
        .try_fold(1u64, |n, &s| n.checked_mul(s as u64))
        .unwrap_or(u64::MAX);
    let expected = body.saturating_add(header_len as u64);
    if bytes.len() as u64 != expected {
        return Err(IdxError::WrongLength {
            path: path.to_path_buf(),
            expected,
            found: bytes.len() as u64,
        });
    }
    Ok(sizes)
}

/// Parses an image file's bytes; `path` is only used in errors.
pub fn parse_images(bytes: &[u8], path: &Path) -> Result<Images, IdxError> {
    let sizes = header(bytes, path, "image", IMAGE_MAGIC, 3)?;
    Ok(Images {
        count: sizes[0],
        rows: sizes[1],
        cols: sizes[2],
        pixels: bytes[16..].to_vec(),
    })
}

/// Parses a label file's bytes, requiring every label to be 0–9.
pub fn parse_labels(bytes: &[u8], path: &Path) -> Result<Vec<u8>, IdxError> {
    header(bytes, path, "label", LABEL_MAGIC, 1)?;
    let labels = bytes[8..].to_vec();
    if let Some((index, &label)) =
        labels.iter().enumerate().find(|(_, l)| **l > 9)
    {
        return Err(IdxError::BadLabel {
            path: path.to_path_buf(),
            index,
            label,
        });
    }
    Ok(labels)
}

fn read(path: &Path) -> Result<Vec<u8>, IdxError> {
    crate::files::read_regular(path).map_err(|source| IdxError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads a matching pair of image and label files.
pub fn read_pair(
    images_path: &Path,
    labels_path: &Path,
) -> Result<(Images, Vec<u8>), IdxError> {
    let images = parse_images(&read(images_path)?, images_path)?;
    let labels = parse_labels(&read(labels_path)?, labels_path)?;
    if images.count != labels.len() {
        return Err(IdxError::CountMismatch {
            images_path: images_path.to_path_buf(),
            images: images.count,
            labels_path: labels_path.to_path_buf(),
            labels: labels.len(),
        });
    }
    Ok((images, labels))
}

/// The bytes of an IDX image file (for tests and tools that write data).
pub fn encode_images(images: &Images) -> Vec<u8> {
    let mut bytes = IMAGE_MAGIC.to_be_bytes().to_vec();
    for d in [images.count, images.rows, images.cols] {
        bytes.extend((d as u32).to_be_bytes());
    }
    bytes.extend(&images.pixels);
    bytes
}

/// The bytes of an IDX label file.
pub fn encode_labels(labels: &[u8]) -> Vec<u8> {
    let mut bytes = LABEL_MAGIC.to_be_bytes().to_vec();
    bytes.extend((labels.len() as u32).to_be_bytes());
    bytes.extend(labels);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir()
            .join(format!("idx-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn two_images() -> Images {
        Images {
            count: 2,
            rows: 2,
            cols: 3,
            pixels: (0..12).collect(),
        }
    }

    #[test]
    fn round_trips_images_and_labels() {
        let dir = scratch("ok");
        let (ip, lp) = (dir.join("img"), dir.join("lab"));
        std::fs::write(&ip, encode_images(&two_images())).unwrap();
        std::fs::write(&lp, encode_labels(&[3, 9])).unwrap();
        let (images, labels) = read_pair(&ip, &lp).unwrap();
        assert_eq!(images, two_images());
        assert_eq!(labels, [3, 9]);
    }

    #[test]
    fn a_truncated_file_names_the_file_and_the_sizes() {
        let mut bytes = encode_images(&two_images());
        bytes.pop();
        let e = parse_images(&bytes, Path::new("train-images")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "train-images: truncated or corrupt: the header promises 28 bytes, \
             the file has 27"
        );
        let e = parse_images(&bytes[..10], Path::new("x")).unwrap_err();
        assert!(e.to_string().contains("promises 16 bytes"), "{e}");
        let e = parse_labels(&[], Path::new("y")).unwrap_err();
        assert!(e.to_string().starts_with("y: truncated"), "{e}");
    }

    #[test]
    fn a_wrong_magic_number_is_named() {
        let bytes = encode_labels(&[1, 2]);
        let e =
            parse_images(&bytes, Path::new("labels-as-images")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "labels-as-images: not an IDX image file (magic number 0x00000801, \
             expected 0x00000803)"
        );
    }

    #[test]
    fn a_label_above_nine_is_rejected() {
        let e = parse_labels(&encode_labels(&[1, 12, 3]), Path::new("l"))
            .unwrap_err();
        assert_eq!(e.to_string(), "l: label 12 at index 1 is not a digit 0–9");
    }

    #[test]
    fn mismatched_counts_name_both_files() {
        let dir = scratch("count");
        let (ip, lp) = (dir.join("img"), dir.join("lab"));
        std::fs::write(&ip, encode_images(&two_images())).unwrap();
        std::fs::write(&lp, encode_labels(&[3, 9, 1])).unwrap();
        let e = read_pair(&ip, &lp).unwrap_err().to_string();
        assert!(
            e.contains("has 2 images but") && e.contains("has 3 labels"),
            "{e}"
        );
    }

    #[test]
    fn a_missing_file_is_named() {
        let e = read_pair(Path::new("/nonexistent/img"), Path::new("l"))
            .unwrap_err();
        assert!(e.to_string().starts_with("/nonexistent/img: "), "{e}");
    }

    proptest::proptest! {
        // Random bytes, and good files with bytes changed or cut short:
        // always an error or the data, never a panic.
        #[test]
        fn no_bytes_make_the_reader_panic(
            noise in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
            at in 0usize..64,
            cut in 0usize..64,
        ) {
            let path = Path::new("f.idx");
            let _ = parse_images(&noise, path);
            let _ = parse_labels(&noise, path);
            for mut good in [encode_images(&two_images()), encode_labels(&[3, 7])] {
                let n = good.len();
                for (k, b) in noise.iter().enumerate() {
                    good[(at + 5 * k) % n] ^= b;
                }
                let _ = parse_images(&good, path);
                let _ = parse_labels(&good, path);
                let _ = parse_images(&good[..cut.min(n)], path);
                let _ = parse_labels(&good[..cut.min(n)], path);
            }
        }
    }
}
