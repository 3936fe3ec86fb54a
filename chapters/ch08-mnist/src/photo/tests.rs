//! Tests of the whole pipeline, on drawn test images: a seven on paper
//! and on a dark background, on a desk with a box round it and a speck,
//! under uneven light, as hairlines on a huge canvas, as white ink on a
//! transparent PNG, in a JPEG turned by its EXIF orientation; and random
//! bytes, which must never make the reader panic.
//!
//! Leaves out: the tests of one step's own helpers, which live next to
//! their code.

use std::io::Cursor;

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
fn png_round_trip_and_bad_files() {
    let image = drawn_seven(true);
    let decoded =
        decode_image(&encode_png(image.view()), Path::new("a.png")).unwrap();
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
        rgba.put_pixel(c as u32, r as u32, image::Rgba([255, 255, 255, alpha]));
    }
    let mut bytes = Vec::new();
    rgba.write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
        .unwrap();
    bytes
}

#[test]
fn white_ink_on_a_transparent_background_is_read() {
    let grey = decode_image(&transparent_png(), Path::new("t.png")).unwrap();
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

#[test]
fn the_draw_page_refuses_images_at_predicts_limits() {
    // book/src/draw/preprocess.js checks an opened image's header against
    // the same two numbers as decode_image.
    let page =
        shared::figures::workspace_root().join("book/src/draw/preprocess.js");
    let js = std::fs::read_to_string(&page).expect("the draw page's script");
    let constant = |name: &str| -> u64 {
        let line = js
            .lines()
            .find(|l| l.starts_with(&format!("const {name} = ")))
            .unwrap_or_else(|| panic!("no const {name} in preprocess.js"));
        let value = line.trim_end_matches(';').rsplit(' ').next();
        value.and_then(|v| v.parse().ok()).expect("a whole number")
    };
    assert_eq!(constant("MAX_SIDE"), u64::from(read::MAX_SIDE));
    assert_eq!(constant("MAX_DECODE_BYTES"), read::MAX_DECODE_BYTES);
}
