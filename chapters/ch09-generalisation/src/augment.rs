//! Data augmentation: new training digits made from old ones by moving
//! their pixels a little — shifts, rotations, and the elastic distortions
//! of Simard, Steinkraus and Platt (2003). Each is a displacement field:
//! pixel (r, c) of the new image is read from (r + dy, c + dx) of the old.

use ndarray::{Array2, ArrayView1, ArrayView2, ArrayViewMut1, Axis};
use rand::Rng as _;
use rayon::prelude::*;
use shared::rng::{Rng, seeded};

/// Images are 28×28.
pub const SIDE: usize = 28;

// ANCHOR: warp
/// The image's brightness at a point between pixels: bilinear
/// interpolation of the four pixels around (r, c); 0 (background) outside.
pub fn sample(image: ArrayView2<f32>, r: f32, c: f32) -> f32 {
    let (r0, c0) = (r.floor(), c.floor());
    let (fr, fc) = (r - r0, c - c0); // how far past the top-left pixel
    let pixel = |i: f32, j: f32| {
        let inside =
            (0.0..SIDE as f32).contains(&i) && (0.0..SIDE as f32).contains(&j);
        if inside {
            image[(i as usize, j as usize)]
        } else {
            0.0
        }
    };
    (1.0 - fr) * (1.0 - fc) * pixel(r0, c0)
        + (1.0 - fr) * fc * pixel(r0, c0 + 1.0)
        + fr * (1.0 - fc) * pixel(r0 + 1.0, c0)
        + fr * fc * pixel(r0 + 1.0, c0 + 1.0)
}

/// Moves every pixel by a displacement field: new(r, c) = old(r + dy(r,
/// c), c + dx(r, c)).
pub fn warp(
    image: ArrayView2<f32>, // (28, 28)
    displacement: impl Fn(usize, usize) -> (f32, f32), // (dy, dx)
) -> Array2<f32> {
    Array2::from_shape_fn((SIDE, SIDE), |(r, c)| {
        let (dy, dx) = displacement(r, c);
        sample(image, r as f32 + dy, c as f32 + dx)
    })
}
// ANCHOR_END: warp

// ANCHOR: transforms
/// The image moved `dx` pixels right and `dy` down (the field is the same
/// everywhere, and whole pixels move exactly).
pub fn shift(image: ArrayView2<f32>, dx: i32, dy: i32) -> Array2<f32> {
    warp(image, |_, _| (-dy as f32, -dx as f32))
}

/// The image turned by `angle` radians (clockwise on screen) about its
/// centre: each new pixel reads from where the turn would have come from.
pub fn rotate(image: ArrayView2<f32>, angle: f32) -> Array2<f32> {
    let centre = (SIDE as f32 - 1.0) / 2.0;
    let (sin, cos) = angle.sin_cos();
    warp(image, |r, c| {
        let (y, x) = (r as f32 - centre, c as f32 - centre);
        // The point that the rotation carries to (y, x): turned back.
        let (y0, x0) = (cos * y - sin * x, sin * y + cos * x);
        (y0 - y, x0 - x)
    })
}

/// Simard et al.'s elastic distortion: a random displacement for every
/// pixel, uniform in [−1, 1], smoothed by a Gaussian of width σ (so
/// neighbours move together, like a hand's wobble) and scaled by α.
pub fn elastic(
    image: ArrayView2<f32>,
    alpha: f32,
    sigma: f32,
    rng: &mut Rng,
) -> Array2<f32> {
    let mut field = || {
        let noise = Array2::from_shape_simple_fn((SIDE, SIDE), || {
            rng.random_range(-1.0f32..=1.0)
        });
        gaussian_blur(noise.view(), sigma) * alpha
    };
    let (dy, dx) = (field(), field());
    warp(image, |r, c| (dy[(r, c)], dx[(r, c)]))
}
// ANCHOR_END: transforms

/// A Gaussian blur of width σ, done as a blur along rows then along
/// columns (a 2-D Gaussian is the product of two 1-D ones). The kernel
/// reaches 3σ each way; past the edge counts as 0, as in Simard et al.
pub fn gaussian_blur(field: ArrayView2<f32>, sigma: f32) -> Array2<f32> {
    let reach = (3.0 * sigma).ceil() as i64;
    let kernel: Vec<f32> = (-reach..=reach)
        .map(|k| (-(k * k) as f32 / (2.0 * sigma * sigma)).exp())
        .collect();
    let total: f32 = kernel.iter().sum();
    let kernel: Vec<f32> = kernel.iter().map(|k| k / total).collect();
    let blur_1d = |line: ArrayView1<f32>, mut out: ArrayViewMut1<f32>| {
        let n = line.len() as i64;
        for (i, o) in out.iter_mut().enumerate() {
            *o = (-reach..=reach)
                .filter(|k| (0..n).contains(&(i as i64 + k)))
                .map(|k| {
                    kernel[(k + reach) as usize] * line[(i as i64 + k) as usize]
                })
                .sum();
        }
    };
    let mut rows = Array2::zeros(field.dim());
    for (line, out) in field.rows().into_iter().zip(rows.rows_mut()) {
        blur_1d(line, out);
    }
    let mut both = Array2::zeros(field.dim());
    for (line, out) in rows.columns().into_iter().zip(both.columns_mut()) {
        blur_1d(line, out);
    }
    both
}

/// Which distortions an augmented epoch applies to every image (in this
/// order, each drawn afresh per image per epoch).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Augment {
    /// Shift by a whole number of pixels, −2 to 2 each way.
    pub shift: bool,
    /// Rotate by up to ±10°.
    pub rotate: bool,
    /// Elastic distortion, α = 34, σ = 4 (Simard et al.'s MNIST setting).
    pub elastic: bool,
}

/// The largest shift, in pixels.
pub const MAX_SHIFT: i32 = 2;
/// The largest rotation, in degrees.
pub const MAX_DEGREES: f32 = 10.0;
/// Simard et al.'s elastic scale α and smoothness σ for MNIST.
pub const ELASTIC: (f32, f32) = (34.0, 4.0);

impl Augment {
    /// No augmentation.
    pub const NONE: Augment = Augment {
        shift: false,
        rotate: false,
        elastic: false,
    };

    /// Whether any distortion is on.
    pub fn any(self) -> bool {
        self.shift || self.rotate || self.elastic
    }

    /// The names of the distortions that are on, e.g. "shift+elastic".
    pub fn name(self) -> String {
        let on: Vec<&str> = [
            (self.shift, "shift"),
            (self.rotate, "rotate"),
            (self.elastic, "elastic"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, name)| *name)
        .collect();
        if on.is_empty() {
            "none".to_string()
        } else {
            on.join("+")
        }
    }

    // ANCHOR: augment_one
    /// One random variant of a 28×28 image.
    pub fn apply(self, image: ArrayView2<f32>, rng: &mut Rng) -> Array2<f32> {
        let mut out = image.to_owned();
        if self.shift {
            let dx = rng.random_range(-MAX_SHIFT..=MAX_SHIFT);
            let dy = rng.random_range(-MAX_SHIFT..=MAX_SHIFT);
            out = shift(out.view(), dx, dy);
        }
        if self.rotate {
            let degrees = rng.random_range(-MAX_DEGREES..=MAX_DEGREES);
            out = rotate(out.view(), degrees.to_radians());
        }
        if self.elastic {
            let (alpha, sigma) = ELASTIC;
            out = elastic(out.view(), alpha, sigma, rng);
        }
        out
    }
    // ANCHOR_END: augment_one

    /// A fresh variant of every image (columns of `x`, (784, n)) for one
    /// epoch. Image k's distortions come from its own generator, seeded
    /// by (seed, epoch, k), so the result is the same on any number of
    /// threads, and every epoch sees different variants.
    pub fn epoch(
        self,
        x: ArrayView2<f32>, // (784, n)
        seed: u64,
        epoch: usize,
    ) -> Array2<f32> {
        let mut out = Array2::zeros(x.raw_dim().f()); // (784, n)
        fastpath::install(|| {
            out.axis_iter_mut(Axis(1))
                .into_par_iter()
                .zip(x.axis_iter(Axis(1)).into_par_iter())
                .enumerate()
                .for_each(|(k, (mut column, image))| {
                    let mut rng = seeded(image_seed(seed, epoch, k));
                    let image = image
                        .to_shape((SIDE, SIDE))
                        .expect("784 pixels make 28×28");
                    let new = self.apply(image.view(), &mut rng);
                    column.assign(&ArrayView1::from(
                        new.as_slice().expect("a fresh array is contiguous"),
                    ));
                });
        });
        out
    }
}

/// A seed for image k in an epoch: the three numbers mixed (SplitMix64's
/// finaliser) so that nearby images get unrelated generators.
fn image_seed(seed: u64, epoch: usize, k: usize) -> u64 {
    let mut z = seed
        ^ (epoch as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (k as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

use ndarray::ShapeBuilder as _;

#[cfg(test)]
mod tests {
    use super::*;
    use shared::testing::close;

    use shared::rng::normal_array;

    fn random_image(seed: u64) -> Array2<f32> {
        let mut rng = seeded(seed);
        normal_array(&mut rng, (SIDE, SIDE), 1.0).mapv(|v| v.abs() as f32)
    }

    #[test]
    fn a_shift_moves_every_pixel_by_whole_pixels() {
        let image = random_image(1);
        let moved = shift(image.view(), 2, -1);
        for r in 0..SIDE {
            for c in 0..SIDE {
                let from = (r as i32 + 1, c as i32 - 2);
                let want =
                    if (0..28).contains(&from.0) && (0..28).contains(&from.1) {
                        image[(from.0 as usize, from.1 as usize)]
                    } else {
                        0.0
                    };
                assert_eq!(moved[(r, c)], want, "({r}, {c})");
            }
        }
    }

    #[test]
    fn no_rotation_and_no_elastic_change_nothing() {
        let image = random_image(2);
        let turned = rotate(image.view(), 0.0);
        assert!(close(&turned, &image, 1e-6));
        let mut rng = seeded(3);
        let same = elastic(image.view(), 0.0, 4.0, &mut rng);
        assert!(close(&same, &image, 1e-6));
        // A quarter turn moves the top-left corner to the top-right.
        let quarter = rotate(image.view(), std::f32::consts::FRAC_PI_2);
        assert!((quarter[(0, 27)] - image[(0, 0)]).abs() < 1e-4);
    }

    #[test]
    fn the_blur_keeps_a_constant_field_inside_and_smooths_noise() {
        let ones = Array2::<f32>::ones((SIDE, SIDE));
        let blurred = gaussian_blur(ones.view(), 2.0);
        assert!((blurred[(14, 14)] - 1.0).abs() < 1e-5);
        let mut rng = seeded(4);
        let noise = Array2::from_shape_simple_fn((SIDE, SIDE), || {
            rng.random_range(-1.0f32..=1.0)
        });
        let smooth = gaussian_blur(noise.view(), 4.0);
        let spread = |a: &Array2<f32>| a.mapv(|v| v * v).mean().unwrap();
        assert!(spread(&smooth) < 0.05 * spread(&noise));
    }

    #[test]
    fn an_epoch_of_variants_is_the_same_for_any_thread_count() {
        let mut rng = seeded(5);
        let x = normal_array(&mut rng, (784, 40), 1.0).mapv(|v| v as f32);
        let all = Augment {
            shift: true,
            rotate: true,
            elastic: true,
        };
        let on = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| all.epoch(x.view(), 7, 1))
        };
        let one = on(1);
        for threads in [2, 3, 8] {
            assert!(on(threads) == one, "{threads} threads differ");
        }
        assert!(all.epoch(x.view(), 7, 2) != one, "epochs differ");
        // Image 3 of the epoch is image 3 distorted by its own generator.
        let image = x.column(3).to_shape((28, 28)).unwrap().to_owned();
        let mut rng = seeded(image_seed(7, 1, 3));
        let want = all.apply(image.view(), &mut rng);
        let got = one.column(3).to_shape((28, 28)).unwrap().to_owned();
        assert_eq!(got, want);
    }
}
