//! Digits nobody drew: the digits 0–9 rendered from fonts Debian ships, in
//! nine styles — clean, and the ways photos go wrong. Chapter 8's example
//! `digits_nobody_drew` reads them with chapter 8's network; chapter 10's
//! `three_readers` reads the same images with chapters 8, 9 and 10's networks.
//! (Feature `fonts`: it renders with `ab_glyph`.)

use std::path::Path;

use ab_glyph::{Font, FontVec, PxScale};
use ndarray::{Array2, s};
use shared::rng::{Rng, seeded, standard_normal, uniform};

/// Where Debian's font packages put the fonts, and which to use. The
/// preprocessing was developed looking at renders of these ten…
pub const DEVELOPMENT_FONTS: [&str; 10] = [
    "dejavu/DejaVuSans.ttf",
    "dejavu/DejaVuSans-Bold.ttf",
    "dejavu/DejaVuSerif.ttf",
    "dejavu/DejaVuSansMono.ttf",
    "liberation2/LiberationSans-Regular.ttf",
    "liberation2/LiberationSerif-Regular.ttf",
    "liberation2/LiberationMono-Regular.ttf",
    "freefont/FreeSans.ttf",
    "freefont/FreeSerif.ttf",
    "freefont/FreeMono.ttf",
];

/// …and is tested once on these ten, never looked at while developing
/// (`--held-out`), with another seed.
pub const HELD_OUT_FONTS: [&str; 10] = [
    "dejavu/DejaVuSansMono-Bold.ttf",
    "dejavu/DejaVuSerif-Bold.ttf",
    "liberation2/LiberationSans-Bold.ttf",
    "liberation2/LiberationSerif-Bold.ttf",
    "liberation2/LiberationMono-Bold.ttf",
    "liberation2/LiberationSans-Italic.ttf",
    "liberation2/LiberationSerif-Italic.ttf",
    "freefont/FreeSansBold.ttf",
    "freefont/FreeSerifBold.ttf",
    "freefont/FreeMonoBold.ttf",
];
/// Where Debian's font packages put them.
pub const FONT_DIR: &str = "/usr/share/fonts/truetype";

/// The styles, in the table's order.
pub const STYLES: [&str; 9] = [
    "clean",
    "uneven light + noise",
    "sheet on a dark desk",
    "inside a thin box",
    "a speck beside it",
    "thin strokes, 3000² canvas",
    "very thick strokes",
    "tiny and off-centre",
    "blurred + noise",
];

/// One rendered image: its style (an index into [`STYLES`]), its font (an
/// index into the list used), the digit drawn, and the picture (1 = white).
pub struct Photo {
    /// Which style.
    pub style: usize,
    /// Which font of the list.
    pub font: usize,
    /// The digit drawn.
    pub digit: u8,
    /// The picture, grey levels in [0, 1].
    pub image: Array2<f32>,
}

/// The fonts and seed of a set: the development fonts with seed 2026, or
/// (`held_out`) the ten others with seed 2027.
pub fn fonts_and_seed(held_out: bool) -> (&'static [&'static str; 10], u64) {
    match held_out {
        true => (&HELD_OUT_FONTS, 2027),
        false => (&DEVELOPMENT_FONTS, 2026),
    }
}

/// Every image of a set, style by style, font by font, digit by digit,
/// drawn from one seeded generator: the same images on every run.
pub fn photos(held_out: bool) -> Result<impl Iterator<Item = Photo>, String> {
    let (names, seed) = fonts_and_seed(held_out);
    let fonts = names
        .iter()
        .map(|name| load_font(&Path::new(FONT_DIR).join(name)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut rng = seeded(seed);
    let order: Vec<(usize, usize, u8)> = (0..STYLES.len())
        .flat_map(|s| {
            (0..fonts.len()).flat_map(move |f| (0..10).map(move |d| (s, f, d)))
        })
        .collect();
    Ok(order.into_iter().map(move |(style, font, digit)| Photo {
        style,
        font,
        digit,
        image: photograph(&fonts[font], digit, style, &mut rng),
    }))
}

/// A font file, or what to install to have it.
pub fn load_font(path: &Path) -> Result<FontVec, String> {
    let bytes = std::fs::read(path).map_err(|e| {
        format!(
            "{}: {e} (apt-get install fonts-dejavu-core fonts-liberation2 \
             fonts-freefont-ttf)",
            path.display()
        )
    })?;
    FontVec::try_from_vec(bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// The digit's glyph as ink coverage in [0, 1] (1 = ink), about `height`
/// pixels tall, cropped to its ink.
fn render(font: &FontVec, digit: u8, height: f32) -> Array2<f32> {
    let c = char::from(b'0' + digit);
    // A digit's ink is about 0.72 of the font's pixel size.
    let glyph = font.glyph_id(c).with_scale(PxScale::from(height / 0.72));
    let outlined = font.outline_glyph(glyph).expect("digits have outlines");
    let bounds = outlined.px_bounds();
    let (w, h) = (bounds.width() as usize + 1, bounds.height() as usize + 1);
    let mut ink = Array2::zeros((h, w));
    outlined.draw(|x, y, coverage| {
        if let Some(v) = ink.get_mut((y as usize, x as usize)) {
            *v = coverage.min(1.0);
        }
    });
    ink
}

/// Ink placed on a `(h, w)` canvas with its top-left corner at (r, c).
fn place(
    glyph: &Array2<f32>,
    (h, w): (usize, usize),
    (r, c): (usize, usize),
) -> Array2<f32> {
    let mut canvas = Array2::zeros((h, w));
    let (gh, gw) = glyph.dim();
    let (gh, gw) = (gh.min(h - r), gw.min(w - c));
    canvas
        .slice_mut(s![r..r + gh, c..c + gw])
        .assign(&glyph.slice(s![..gh, ..gw]));
    canvas
}

/// Centred, give or take `jitter` of the free space.
fn centred(
    glyph: &Array2<f32>,
    (h, w): (usize, usize),
    jitter: f64,
    rng: &mut Rng,
) -> (usize, usize) {
    let (gh, gw) = glyph.dim();
    let free = |n: usize, g: usize| n.saturating_sub(g) as f64;
    let at = |free: f64, rng: &mut Rng| {
        (free / 2.0 * (1.0 + uniform(rng, -jitter, jitter))) as usize
    };
    (at(free(h, gh), rng), at(free(w, gw), rng))
}

/// Paper (1 = white) with ink laid on at `ink_level` darkness.
fn on_paper(ink: &Array2<f32>, paper: f32, ink_level: f32) -> Array2<f32> {
    ink.mapv(|a| paper * (1.0 - a) + ink_level * a)
}

fn add_noise(photo: &mut Array2<f32>, sigma: f64, rng: &mut Rng) {
    photo.mapv_inplace(|v| {
        (v + (sigma * standard_normal(rng)) as f32).clamp(0.0, 1.0)
    });
}

/// A box blur of radius `r`, three times (close to a Gaussian).
fn blur(image: &Array2<f32>, r: usize) -> Array2<f32> {
    let mut out = image.clone();
    for _ in 0..3 {
        let (h, w) = out.dim();
        let rows = Array2::from_shape_fn((h, w), |(i, j)| {
            let cols = j.saturating_sub(r)..(j + r + 1).min(w);
            let n = cols.len() as f32;
            cols.map(|c| out[(i, c)]).sum::<f32>() / n
        });
        out = Array2::from_shape_fn((h, w), |(i, j)| {
            let span = i.saturating_sub(r)..(i + r + 1).min(h);
            let n = span.len() as f32;
            span.map(|k| rows[(k, j)]).sum::<f32>() / n
        });
    }
    out
}

/// The maximum (grow) or minimum (thin) over a (2r + 1)² square.
fn morph(image: &Array2<f32>, r: usize, grow: bool) -> Array2<f32> {
    let pick = if grow { f32::max } else { f32::min };
    let (h, w) = image.dim();
    let rows = Array2::from_shape_fn((h, w), |(i, j)| {
        (j.saturating_sub(r)..(j + r + 1).min(w))
            .map(|c| image[(i, c)])
            .reduce(pick)
            .unwrap()
    });
    Array2::from_shape_fn((h, w), |(i, j)| {
        (i.saturating_sub(r)..(i + r + 1).min(h))
            .map(|k| rows[(k, j)])
            .reduce(pick)
            .unwrap()
    })
}

/// One image of `digit` in style `style` (an index into [`STYLES`]).
pub fn photograph(
    font: &FontVec,
    digit: u8,
    style: usize,
    rng: &mut Rng,
) -> Array2<f32> {
    let side = uniform(rng, 200.0, 500.0) as usize;
    let size = (side, (side as f64 * uniform(rng, 0.8, 1.3)) as usize);
    let height = side as f32 * uniform(rng, 0.45, 0.75) as f32;
    match style {
        // Clean: black on white.
        0 => {
            let glyph = render(font, digit, height);
            let at = centred(&glyph, size, 0.5, rng);
            on_paper(&place(&glyph, size, at), 1.0, 0.0)
        }
        // A grey sheet lit from one side, with sensor noise.
        1 => {
            let glyph = render(font, digit, height);
            let at = centred(&glyph, size, 0.5, rng);
            let ink = place(&glyph, size, at);
            let (bright, dim) = (
                uniform(rng, 0.75, 0.95) as f32,
                uniform(rng, 0.35, 0.55) as f32,
            );
            let angle = uniform(rng, 0.0, std::f64::consts::TAU) as f32;
            let (h, w) = size;
            let mut photo = Array2::from_shape_fn(size, |(r, c)| {
                let t = ((r as f32 / h as f32 - 0.5) * angle.sin()
                    + (c as f32 / w as f32 - 0.5) * angle.cos())
                    + 0.5;
                let paper = dim + (bright - dim) * t.clamp(0.0, 1.0);
                paper * (1.0 - ink[(r, c)]) + 0.12 * ink[(r, c)]
            });
            add_noise(&mut photo, 0.04, rng);
            photo
        }
        // A white sheet on a dark desk, the sheet's edges in the picture.
        2 => {
            let (h, w) = (side, side * 4 / 3);
            let (sh, sw) = (
                (h as f64 * uniform(rng, 0.6, 0.8)) as usize,
                (w as f64 * uniform(rng, 0.5, 0.7)) as usize,
            );
            let (sr, sc) = (
                uniform(rng, 0.05, 0.95) as f64 * (h - sh) as f64,
                uniform(rng, 0.05, 0.95) * (w - sw) as f64,
            );
            let glyph = render(font, digit, sh as f32 * 0.6);
            let (gr, gc) = centred(&glyph, (sh, sw), 0.3, rng);
            let ink =
                place(&glyph, (h, w), (sr as usize + gr, sc as usize + gc));
            let desk = uniform(rng, 0.08, 0.25) as f32;
            let mut photo = Array2::from_shape_fn((h, w), |(r, c)| {
                let on_sheet = (sr as usize..sr as usize + sh).contains(&r)
                    && (sc as usize..sc as usize + sw).contains(&c);
                let paper = if on_sheet { 0.88 } else { desk };
                paper * (1.0 - ink[(r, c)]) + 0.1 * ink[(r, c)]
            });
            add_noise(&mut photo, 0.03, rng);
            photo
        }
        // A thin box drawn around the digit.
        3 => {
            let glyph = render(font, digit, height);
            let (gh, gw) = glyph.dim();
            let (r, c) = centred(&glyph, size, 0.3, rng);
            let mut ink = place(&glyph, size, (r, c));
            let margin = (height * uniform(rng, 0.1, 0.25) as f32) as usize;
            let t = uniform(rng, 2.0, 4.0) as usize;
            let (top, left) =
                (r.saturating_sub(margin), c.saturating_sub(margin));
            let (bottom, right) = (
                (r + gh + margin).min(size.0 - 1),
                (c + gw + margin).min(size.1 - 1),
            );
            for k in 0..t {
                ink.slice_mut(s![top + k, left..=right]).fill(1.0);
                ink.slice_mut(s![bottom - k, left..=right]).fill(1.0);
                ink.slice_mut(s![top..=bottom, left + k]).fill(1.0);
                ink.slice_mut(s![top..=bottom, right - k]).fill(1.0);
            }
            on_paper(&ink, 1.0, 0.0)
        }
        // A speck of dirt beside a clean digit.
        4 => {
            let glyph = render(font, digit, height);
            let (gh, gw) = glyph.dim();
            let (r, c) = centred(&glyph, size, 0.2, rng);
            let mut ink = place(&glyph, size, (r, c));
            let speck = uniform(rng, 3.0, 6.0) as usize;
            let sr = (r + gh / 2).min(size.0 - speck - 1);
            let sc = if c > speck * 4 {
                c - speck * 3
            } else {
                (c + gw + speck * 2).min(size.1 - speck - 1)
            };
            ink.slice_mut(s![sr..sr + speck, sc..sc + speck]).fill(1.0);
            on_paper(&ink, 1.0, 0.0)
        }
        // Hairline strokes (1–3 px) on a huge canvas: the glyph's one-pixel
        // skeleton, found at 400 px and redrawn as lines at full size,
        // then widened to the stroke chosen.
        5 => {
            let big = (3000, 3000);
            let k = 3000.0 * uniform(rng, 0.3, 0.6) as f32 / 400.0;
            let skeleton = thin_to_skeleton(
                &render(font, digit, 400.0).mapv(|v| v >= 0.5),
            );
            let (sh, sw) = skeleton.dim();
            let size =
                ((sh as f32 * k) as usize + 2, (sw as f32 * k) as usize + 2);
            let mut hairline = Array2::zeros(size);
            for ((r, c), &on) in skeleton.indexed_iter() {
                for (dr, dc) in [(0, 1), (1, 0), (1, 1), (1, -1)] {
                    let (nr, nc) = (r as isize + dr, c as isize + dc);
                    let next = skeleton.get((nr as usize, nc as usize));
                    if on && nc >= 0 && next == Some(&true) {
                        let from = (r as f32 * k, c as f32 * k);
                        let to = (nr as f32 * k, nc as f32 * k);
                        let steps = (k.ceil() as usize).max(1) * 2;
                        for t in 0..=steps {
                            let t = t as f32 / steps as f32;
                            let y = from.0 + (to.0 - from.0) * t;
                            let x = from.1 + (to.1 - from.1) * t;
                            hairline
                                [(y.round() as usize, x.round() as usize)] =
                                1.0;
                        }
                    }
                }
            }
            let width = uniform(rng, 1.0, 4.0) as usize; // 1, 2 or 3 px
            if width > 1 {
                hairline = morph(&hairline, 1, true);
                if width == 2 {
                    // A 3-px square pen, then every other row and column
                    // back off: about 2 px.
                    let thin = morph(&hairline, 1, false);
                    hairline =
                        hairline.mapv(|v| v * 0.5) + thin.mapv(|v| v * 0.5);
                }
            }
            let at = centred(&hairline, big, 0.5, rng);
            on_paper(&place(&hairline, big, at), 1.0, 0.0)
        }
        // Strokes as thick as a marker's.
        6 => {
            let glyph = render(font, digit, height);
            let r = (height / uniform(rng, 14.0, 20.0) as f32) as usize;
            let pad = r + 2;
            let mut padded = Array2::zeros((
                glyph.nrows() + 2 * pad,
                glyph.ncols() + 2 * pad,
            ));
            padded
                .slice_mut(s![
                    pad..pad + glyph.nrows(),
                    pad..pad + glyph.ncols()
                ])
                .assign(&glyph);
            let thick = morph(&padded, r, true);
            let at = centred(&thick, size, 0.3, rng);
            on_paper(&place(&thick, size, at), 1.0, 0.0)
        }
        // A small digit somewhere on a large page.
        7 => {
            let page = (800, 800);
            let glyph = render(font, digit, uniform(rng, 40.0, 70.0) as f32);
            let (gh, gw) = glyph.dim();
            let r = uniform(rng, 20.0, (800 - gh - 20) as f64) as usize;
            let c = uniform(rng, 20.0, (800 - gw - 20) as f64) as usize;
            on_paper(&place(&glyph, page, (r, c)), 1.0, 0.0)
        }
        // Out of focus, with noise.
        _ => {
            let glyph = render(font, digit, height);
            let at = centred(&glyph, size, 0.5, rng);
            let photo = on_paper(&place(&glyph, size, at), 0.9, 0.1);
            let mut photo = blur(&photo, (height / 30.0) as usize + 1);
            add_noise(&mut photo, 0.05, rng);
            photo
        }
    }
}

/// Zhang and Suen's thinning (1984): peel boundary pixels in two
/// alternating sub-passes until only a one-pixel-wide skeleton is left.
fn thin_to_skeleton(mask: &Array2<bool>) -> Array2<bool> {
    let (h, w) = mask.dim();
    let mut m = Array2::from_elem((h + 2, w + 2), false); // a blank border
    m.slice_mut(s![1..=h, 1..=w]).assign(mask);
    loop {
        let mut changed = false;
        for pass in 0..2 {
            let mut remove = Vec::new();
            for r in 1..=h {
                for c in 1..=w {
                    if !m[(r, c)] {
                        continue;
                    }
                    // P2..P9, clockwise from north.
                    let p = [
                        m[(r - 1, c)],
                        m[(r - 1, c + 1)],
                        m[(r, c + 1)],
                        m[(r + 1, c + 1)],
                        m[(r + 1, c)],
                        m[(r + 1, c - 1)],
                        m[(r, c - 1)],
                        m[(r - 1, c - 1)],
                    ];
                    let b = p.iter().filter(|&&v| v).count();
                    let a = (0..8).filter(|&i| !p[i] && p[(i + 1) % 8]).count();
                    let (n, e, so, we) = (p[0], p[2], p[4], p[6]);
                    let ok = if pass == 0 {
                        !(e && so && (n || we)) // P2·P4·P6 = 0 and P4·P6·P8 = 0
                    } else {
                        !(n && we && (e || so)) // P2·P4·P8 = 0 and P2·P6·P8 = 0
                    };
                    if (2..=6).contains(&b) && a == 1 && ok {
                        remove.push((r, c));
                    }
                }
            }
            changed |= !remove.is_empty();
            for at in remove {
                m[at] = false;
            }
        }
        if !changed {
            return m.slice(s![1..=h, 1..=w]).to_owned();
        }
    }
}
