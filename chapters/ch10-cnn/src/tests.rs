//! The network and its fast path: the gradient checked by finite
//! differences, the fast path equal to the lesson, the same numbers on
//! any thread count.

use ndarray::{Array2, Axis};
use shared::gradcheck::check_gradient;
use shared::rng::{normal_array, seeded};

use crate::fast::Workspace;
use crate::net::{Architecture, Cnn, as_image};

/// A small network for checks: 14×14 → conv 3×3×3 → pool → conv 3×3×4 →
/// pool → 6 → 4.
pub(crate) const SMALL: Architecture = Architecture {
    side: 14,
    k: 3,
    channels: [3, 4],
    hidden: 6,
    classes: 4,
};

fn images(arch: Architecture, n: usize, seed: u64) -> Array2<f64> {
    normal_array(&mut seeded(seed), (arch.side * arch.side, n), 1.0)
}

fn mean_lesson_gradient(
    net: &Cnn<f64>,
    x: &Array2<f64>,
    labels: &[u8],
) -> Cnn<f64> {
    let mut sum = vec![0.0; net.arch.parameters()];
    for (image, &y) in x.axis_iter(Axis(1)).zip(labels) {
        let g = net.backprop(as_image(image, net.arch.side).view(), y.into());
        for (s, v) in sum.iter_mut().zip(g.to_vec()) {
            *s += v / labels.len() as f64;
        }
    }
    let mut mean = Cnn::zeros(net.arch);
    mean.set_from(&sum);
    mean
}

/// How close the forward pass of `image` comes to a kink: the smallest
/// |z| of any ReLU, and the smallest gap between a pooling block's two
/// largest entries.
fn nearest_kink(net: &Cnn<f64>, image: &ndarray::Array3<f64>) -> f64 {
    let t = net.forward(image.view());
    let relu_kink =
        t.z1.iter()
            .chain(&t.z2)
            .chain(&t.z3)
            .fold(f64::INFINITY, |m, z| m.min(z.abs()));
    let mut tie = f64::INFINITY;
    for z in [&t.z1, &t.z2] {
        let a = z.mapv(|v| v.max(0.0));
        for block in a.exact_chunks((1, 2, 2)) {
            let mut v: Vec<f64> = block.iter().copied().collect();
            v.sort_by(|x, y| y.total_cmp(x));
            if v[0] > 0.0 {
                tie = tie.min(v[0] - v[1]);
            }
        }
    }
    relu_kink.min(tie)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(16))]

    /// The whole network's gradient, every parameter, against central
    /// differences (f64, ≤ 1e-7), on inputs whose forward pass stays
    /// away from ReLU's kink and from ties in max pooling.
    #[test]
    fn backprop_matches_finite_differences(seed in 0u64..1000, y in 0usize..4) {
        let net = Cnn::<f64>::new(SMALL, &mut seeded(seed));
        let x = images(SMALL, 1, seed + 1);
        let image = as_image(x.column(0), SMALL.side);
        proptest::prop_assume!(nearest_kink(&net, &image) > 1e-3);
        let analytic = net.backprop(image.view(), y).to_vec();
        let report = shared::gradcheck::check_measurable(
            |p| {
                let mut moved = net.clone();
                moved.set_from(p);
                moved.cost(image.view(), y)
            },
            &net.to_vec(),
            &analytic,
        );
        proptest::prop_assert!(report.passes(1e-7), "{}", report);
    }
}

/// The whole-network check catches a backprop that skips ReLU's
/// derivative in the hidden layer.
#[test]
fn the_network_check_catches_a_missing_relu_derivative() {
    let net = Cnn::<f64>::new(SMALL, &mut seeded(1));
    let x = images(SMALL, 1, 2);
    let image = as_image(x.column(0), SMALL.side);
    let t = net.forward(image.view());
    let mut wrong = net.backprop(image.view(), 2);
    // δ³ without ⊙ relu'(z³): the hidden layer's gradient changes
    let mut delta4 = t.a4.clone();
    delta4[2] -= 1.0;
    let delta3 = net.w4.t().dot(&delta4);
    wrong.b3 = delta3.clone();
    let report = check_gradient(
        |p| {
            let mut moved = net.clone();
            moved.set_from(p);
            moved.cost(image.view(), 2)
        },
        &net.to_vec(),
        &wrong.to_vec(),
    );
    assert!(!report.passes(1e-3), "{report}");
}

#[test]
fn fast_path_computes_the_lessons_mean_gradient() {
    for arch in [SMALL, Architecture::MNIST] {
        let net = Cnn::<f64>::new(arch, &mut seeded(3));
        let x = images(arch, 5, 4);
        let labels = [0, 3, 1, 2, 3];
        let lesson = mean_lesson_gradient(&net, &x, &labels);
        let mut work = Workspace::new(arch, 8);
        work.backprop(&net, x.view(), &labels, &[0, 1, 2, 3, 4]);
        let (a, b) = (lesson.to_vec(), work.grads.to_vec());
        let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let worst = a
            .iter()
            .zip(&b)
            .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
        assert!(worst <= 1e-12 * scale, "{worst} vs scale {scale}");
    }
}

mod layers {
    use ndarray::{Array3, Array4, ArrayView3, ArrayView4};
    use proptest::prelude::*;
    use shared::gradcheck::{
        SMOOTH_TOLERANCE, check_gradient, check_measurable, compare,
    };
    use shared::rng::{normal_array, seeded};
    use shared::testing::close;

    use crate::conv::*;
    use crate::pool::*;

    /// A convolution problem: input, filters, biases, geometry, and the
    /// weights R of the cost C = Σ z ⊙ R, so that δ = R.
    #[derive(Clone, Debug)]
    struct Case {
        x: Array3<f64>,
        w: Array4<f64>,
        b: ndarray::Array1<f64>,
        r: Array3<f64>,
        g: Geometry,
    }

    fn case() -> impl Strategy<Value = Case> {
        (1..4usize, 1..4usize, 1..4usize, 1..3usize, 0..3usize)
            .prop_flat_map(|(c, o, k, stride, pad)| {
                (
                    Just((c, o, k, stride, pad)),
                    k.max(2)..8usize,
                    k.max(2)..8usize,
                    any::<u64>(),
                )
            })
            .prop_map(|((c, o, k, stride, pad), h, w, seed)| {
                let g = Geometry { k, stride, pad };
                let rng = &mut seeded(seed);
                let (oh, ow) = (g.output_side(h), g.output_side(w));
                Case {
                    x: normal_array(rng, (c, h, w), 1.0),
                    w: normal_array(rng, (o, c, k, k), 1.0),
                    b: normal_array(rng, o, 1.0),
                    r: normal_array(rng, (o, oh, ow), 1.0),
                    g,
                }
            })
    }

    fn cost(z: &Array3<f64>, r: &Array3<f64>) -> f64 {
        (z * r).sum()
    }

    fn with<Sh, D>(shape: Sh, values: &[f64]) -> ndarray::Array<f64, D>
    where
        Sh: ndarray::ShapeBuilder<Dim = D>,
        D: ndarray::Dimension,
    {
        ndarray::Array::from_shape_vec(shape, values.to_vec()).unwrap()
    }

    /// The worst relative error of a gradient for x, w and b.
    fn conv_check(
        t: &Case,
        backward: impl Fn(
            ArrayView3<f64>,
            ArrayView4<f64>,
            ArrayView3<f64>,
            Geometry,
        ) -> ConvGradients<f64>,
    ) -> f64 {
        let g = backward(t.x.view(), t.w.view(), t.r.view(), t.g);
        let fx = |v: &[f64]| {
            cost(
                &conv_forward(
                    with(t.x.raw_dim(), v).view(),
                    t.w.view(),
                    t.b.view(),
                    t.g,
                ),
                &t.r,
            )
        };
        let fw = |v: &[f64]| {
            cost(
                &conv_forward(
                    t.x.view(),
                    with(t.w.raw_dim(), v).view(),
                    t.b.view(),
                    t.g,
                ),
                &t.r,
            )
        };
        let fb = |v: &[f64]| {
            cost(
                &conv_forward(
                    t.x.view(),
                    t.w.view(),
                    with(t.b.raw_dim(), v).view(),
                    t.g,
                ),
                &t.r,
            )
        };
        let flat = |a: &[f64]| a.to_vec();
        [
            check_measurable(
                fx,
                &flat(t.x.as_slice().unwrap()),
                g.nabla_x.as_slice().unwrap(),
            ),
            check_measurable(
                fw,
                &flat(t.w.as_slice().unwrap()),
                g.nabla_w.as_slice().unwrap(),
            ),
            check_measurable(
                fb,
                &flat(t.b.as_slice().unwrap()),
                g.nabla_b.as_slice().unwrap(),
            ),
        ]
        .iter()
        .map(|r| r.worst)
        .fold(0.0, f64::max)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn conv_backward_matches_finite_differences(t in case()) {
            let worst = conv_check(&t, conv_backward);
            prop_assert!(worst <= SMOOTH_TOLERANCE, "worst {worst:e}");
        }

        #[test]
        fn the_matrix_form_computes_the_loop(t in case()) {
            let loop_z = conv_forward(t.x.view(), t.w.view(), t.b.view(), t.g);
            let matrix_z = conv_by_matrix(t.x.view(), t.w.view(), t.b.view(), t.g);
            prop_assert!(close(&loop_z, &matrix_z, 1e-12));
            let a = conv_backward(t.x.view(), t.w.view(), t.r.view(), t.g);
            let b = conv_backward_by_matrix(t.x.view(), t.w.view(), t.r.view(), t.g);
            prop_assert!(close(&a.nabla_x, &b.nabla_x, 1e-12));
            prop_assert!(close(&a.nabla_w, &b.nabla_w, 1e-12));
            prop_assert!(close(&a.nabla_b, &b.nabla_b, 1e-12));
        }

        #[test]
        fn col2im_is_the_adjoint_of_im2col(t in case()) {
            // ⟨im2col(x), Y⟩ = ⟨x, col2im(Y)⟩ for any Y
            let cols = im2col(t.x.view(), t.g);
            let y = normal_array(&mut seeded(5), cols.raw_dim(), 1.0);
            let back = col2im(y.view(), t.x.dim(), t.g);
            let lhs = (&cols * &y).sum();
            let rhs = (&t.x * &back).sum();
            prop_assert!((lhs - rhs).abs() <= 1e-10 * (1.0 + lhs.abs()));
        }

        #[test]
        fn stride_one_input_gradient_is_the_flipped_convolution(
            t in case().prop_filter("stride 1", |t| t.g.stride == 1)
        ) {
            let a = conv_backward(t.x.view(), t.w.view(), t.r.view(), t.g);
            let b = input_gradient_by_flipped_filters(t.w.view(), t.r.view(), t.g.pad);
            prop_assert!(close(&a.nabla_x, &b, 1e-12));
        }

        #[test]
        fn max_pool_backward_matches_finite_differences(
            (c, h, w, size, seed) in (1..4usize, 1..4usize, 1..4usize, 1..4usize, any::<u64>())
        ) {
            // distinct values at least 0.01 apart: no ties within h = 1e-5
            let (h, w) = (h * size, w * size);
            let n = c * h * w;
            let mut values: Vec<f64> = (0..n).map(|i| 0.01 * i as f64 - 1.0).collect();
            use rand::seq::SliceRandom;
            values.shuffle(&mut seeded(seed));
            let x = with((c, h, w), &values);
            let r = normal_array(&mut seeded(seed ^ 1), (c, h / size, w / size), 1.0);
            let analytic = max_pool_backward(x.view(), r.view(), size);
            let f = |v: &[f64]| cost(&max_pool(with((c, h, w), v).view(), size), &r);
            let report = check_gradient(f, &values, analytic.as_slice().unwrap());
            prop_assert!(report.passes(SMOOTH_TOLERANCE), "{report}");
            let analytic = avg_pool_backward((c, h, w), r.view(), size);
            let f = |v: &[f64]| cost(&avg_pool(with((c, h, w), v).view(), size), &r);
            let report = check_gradient(f, &values, analytic.as_slice().unwrap());
            prop_assert!(report.passes(SMOOTH_TOLERANCE), "{report}");
        }
    }

    /// The checks above catch the classic mistakes.
    #[test]
    fn the_checks_catch_wrong_gradients() {
        let t = Case {
            x: normal_array(&mut seeded(7), (2, 6, 6), 1.0),
            w: normal_array(&mut seeded(8), (3, 2, 3, 3), 1.0),
            b: normal_array(&mut seeded(9), 3, 1.0),
            r: normal_array(&mut seeded(10), (3, 6, 6), 1.0),
            g: Geometry {
                k: 3,
                stride: 1,
                pad: 1,
            },
        };
        assert!(conv_check(&t, conv_backward) <= SMOOTH_TOLERANCE);
        // the input gradient with the filters left unflipped
        let unflipped = |x: ArrayView3<f64>,
                         w: ArrayView4<f64>,
                         d: ArrayView3<f64>,
                         g: Geometry| {
            let mut right = conv_backward(x, w, d, g);
            right.nabla_x =
                input_gradient_by_flipped_filters(flip(w).view(), d, g.pad);
            right
        };
        assert!(
            conv_check(&t, unflipped) > 0.1,
            "an unflipped kernel passed"
        );
        // a max pool whose gradient goes to every cell of the block
        let x = with((1, 2, 2), &[0.1, 0.7, -0.3, 0.2]);
        let r = with((1, 1, 1), &[1.5]);
        let everywhere = Array3::from_elem((1, 2, 2), 1.5);
        let f = |v: &[f64]| cost(&max_pool(with((1, 2, 2), v).view(), 2), &r);
        let numeric =
            shared::gradcheck::numerical_gradient(f, x.as_slice().unwrap());
        assert!(!compare(everywhere.as_slice().unwrap(), &numeric).passes(0.1));
        let right = max_pool_backward(x.view(), r.view(), 2);
        assert!(
            compare(right.as_slice().unwrap(), &numeric)
                .passes(SMOOTH_TOLERANCE)
        );
    }
}

mod batch {
    use ndarray::{Array2, Axis, concatenate};
    use proptest::prelude::*;
    use shared::rng::{normal_array, seeded};

    use crate::conv::{Geometry, col2im, im2col};
    use crate::fast::{col2im_any, col2im_batch, im2col_any, im2col_batch};

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// The batched im2col and col2im are the lesson's, image by image,
        /// for any stride and padding.
        #[test]
        fn batched_im2col_and_col2im_are_the_lessons(
            (c, m, side, k, stride, pad, seed) in
                (1..4usize, 1..4usize, 3..9usize, 1..4usize, 1..3usize,
                 0..3usize, any::<u64>())
        ) {
            let g = Geometry { k, stride, pad };
            let out = g.output_side(side);
            let x: Array2<f64> =
                normal_array(&mut seeded(seed), (c, m * side * side), 1.0);
            let image = |n: usize| {
                let per = side * side;
                x.slice(ndarray::s![.., n * per..(n + 1) * per])
                    .to_shape((c, side, side))
                    .unwrap()
                    .to_owned()
            };
            let lesson: Vec<Array2<f64>> =
                (0..m).map(|n| im2col(image(n).view(), g)).collect();
            let views: Vec<_> = lesson.iter().map(|a| a.view()).collect();
            let lesson = concatenate(Axis(1), &views).unwrap();
            let mut cols = Array2::zeros((c * k * k, m * out * out));
            im2col_batch(x.view(), side, g, cols.view_mut());
            prop_assert_eq!(&cols, &lesson);

            let y: Array2<f64> =
                normal_array(&mut seeded(seed ^ 3), cols.raw_dim(), 1.0);
            let mut dx = Array2::from_elem(x.raw_dim(), f64::NAN);
            col2im_batch(y.view(), side, g, dx.view_mut());
            for n in 0..m {
                let per = out * out;
                let part = y.slice(ndarray::s![.., n * per..(n + 1) * per]);
                let lesson = col2im(part, (c, side, side), g);
                let per = side * side;
                let got = dx.slice(ndarray::s![.., n * per..(n + 1) * per]);
                let lesson = lesson.to_shape((c, per)).unwrap();
                prop_assert!(got.iter().zip(lesson.iter())
                    .all(|(a, b)| (a - b).abs() <= 1e-12));
            }
        }
    }

    /// Pooling compiled for the MNIST network's maps (sides 24 and 8)
    /// gives the general code's maxima and winners to the bit, ties
    /// included (entries drawn from a few values, so blocks tie often).
    #[test]
    fn mnist_sized_pooling_is_the_general_one() {
        use crate::fast::{pool_any, relu_max_pool};
        for (side, seed) in [(24, 5), (8, 6)] {
            let (c, m) = (3, 2);
            let mut rng = seeded(seed);
            let z = Array2::from_shape_simple_fn((c, m * side * side), || {
                (shared::rng::uniform(&mut rng, -3.0, 3.0).round() / 2.0) as f32
            });
            let b = [0.25f32, -0.5, 0.0];
            let pooled = (c, m * (side / 2) * (side / 2));
            let (mut p, mut win) =
                (Array2::zeros(pooled), Array2::zeros(pooled));
            let (mut p_any, mut win_any) = (p.clone(), win.clone());
            relu_max_pool(z.view(), &b, side, p.view_mut(), win.view_mut());
            pool_any(z.view(), &b, side, p_any.view_mut(), win_any.view_mut());
            assert_eq!(win, win_any, "winners, side {side}");
            let bits = |a: &Array2<f32>| a.mapv(f32::to_bits);
            assert_eq!(bits(&p), bits(&p_any), "maxima, side {side}");
        }
    }

    /// The MNIST network's two layers (outputs of side 24 and 8, stride 1,
    /// no padding) take im2col and col2im compiled for their sizes: the
    /// same entries, and the same sums to the bit, as the general code.
    #[test]
    fn mnist_sized_im2col_and_col2im_are_the_general_ones() {
        for (c, side, seed) in [(1, 28, 1), (3, 12, 2)] {
            let (m, g) = (3, Geometry::valid(5));
            let out = g.output_side(side);
            let x: Array2<f32> =
                normal_array(&mut seeded(seed), (c, m * side * side), 1.0)
                    .mapv(|v| v as f32);
            let rows = c * g.k * g.k;
            let mut fixed = Array2::from_elem((rows, m * out * out), -1.0);
            let mut any = fixed.clone();
            im2col_batch(x.view(), side, g, fixed.view_mut());
            im2col_any(x.view(), side, g, any.view_mut());
            assert_eq!(fixed, any, "im2col, side {side}");
            // the windows of image 1 are the lesson's
            let per = side * side;
            let image = x.slice(ndarray::s![.., per..2 * per]);
            let image = image.to_shape((c, side, side)).unwrap();
            let lesson = im2col(image.view(), g);
            let per_out = out * out;
            let got = fixed.slice(ndarray::s![.., per_out..2 * per_out]);
            assert_eq!(got, lesson, "side {side}");

            let y = fixed.mapv(|v| v * 0.7 + 0.1);
            let mut fixed = Array2::from_elem(x.raw_dim(), f32::NAN);
            let mut any = fixed.clone();
            col2im_batch(y.view(), side, g, fixed.view_mut());
            col2im_any(y.view(), side, g, any.view_mut());
            let bits = |a: &Array2<f32>| a.mapv(f32::to_bits);
            assert_eq!(bits(&fixed), bits(&any), "col2im, side {side}");
        }
    }
}

/// Training (shifts, momentum, weight decay) gives the same network to the
/// bit on 1, 2, 3, 5, 8 and 16 threads, with the MNIST architecture and
/// batches of 30 (so pieces of four images and a last piece of two).
#[test]
fn training_is_the_same_for_any_thread_count() {
    use crate::train::{Record, Settings, train};
    use ch08_mnist::Mnist;
    let mut rng = seeded(10);
    let images = |n: usize, rng: &mut _| {
        normal_array(rng, (784, n), 0.3).mapv(|v| v.abs().min(1.0) as f32)
    };
    let data = Mnist {
        x: images(80, &mut rng),
        labels: (0..80).map(|k| (k % 10) as u8).collect(),
        x_val: images(20, &mut rng),
        labels_val: (0..20).map(|k| (k % 10) as u8).collect(),
        x_test: Array2::zeros((784, 0)),
        labels_test: vec![],
    };
    let settings = Settings {
        epochs: 2,
        batch_size: 30,
        ..Settings::default_run()
    };
    let on = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| train(&settings, &data, &mut |_| ()))
    };
    let strip = |h: &[Record]| -> Vec<Record> {
        h.iter().map(|r| Record { seconds: 0.0, ..*r }).collect()
    };
    let (one, history) = on(1);
    assert_eq!(history.len(), 2);
    for threads in [2, 3, 5, 8, 16] {
        let (net, again) = on(threads);
        assert!(net == one, "{threads} threads train another network");
        assert_eq!(strip(&again), strip(&history));
    }
}

#[test]
fn a_model_file_round_trips_and_bad_files_are_named() {
    use crate::model::{decode, encode};
    use std::path::Path;
    let net = Cnn::<f32>::new(Architecture::MNIST, &mut seeded(2));
    let bytes = encode(&net);
    let path = Path::new("m.safetensors");
    assert!(decode(&bytes, path).unwrap() == net);
    assert_eq!(encode(&net), bytes, "the same network, the same bytes");
    let says = |bytes: &[u8]| decode(bytes, path).unwrap_err().to_string();
    assert!(says(b"not a model").contains("m.safetensors: not a model file"));
    let mut other = Cnn::<f32>::new(SMALL, &mut seeded(2));
    let small = encode(&other);
    // a tensor of another shape under a valid architecture
    let mut text = small.clone();
    let channels = br#""channels":"3 4""#;
    let at = small
        .windows(channels.len())
        .position(|w| w == channels)
        .unwrap();
    text[at + channels.len() - 2] = b'5';
    let err = says(&text);
    assert!(err.contains("the model needs F32"), "{err}");
    // a file of another version of this format
    let mut old = small.clone();
    let version = br#""version":"2""#;
    let at = old.windows(13).position(|w| w == version).unwrap();
    old[at + 11] = b'1';
    assert!(says(&old).contains("version 1 is not supported"));
    other.w4[(0, 0)] = f32::NAN;
    assert!(says(&encode(&other)).contains("not a finite weight"));
    let mlp = ch07_minibatches::Network::<f32>::new(
        &[784, 10],
        ch07_minibatches::Activation::Relu,
        ch07_minibatches::Activation::Softmax,
        ch07_minibatches::Init::He,
        &mut seeded(1),
    )
    .unwrap();
    let mlp =
        ch08_mnist::model::encode(&mlp, ch07_minibatches::Cost::CrossEntropy);
    assert!(says(&mlp).contains("chapter 8's format"));
}

#[test]
fn every_figure_renders() {
    use crate::figures::*;
    use crate::train::Record;
    let net = Cnn::<f32>::new(Architecture::MNIST, &mut seeded(3));
    let digit = Array2::from_shape_fn((28, 28), |(r, c)| {
        if (8..20).contains(&r) && (12..15).contains(&c) {
            1.0f32
        } else {
            0.0
        }
    });
    let history: Vec<Record> = (1..=3)
        .map(|epoch| Record {
            epoch,
            eta: 0.1,
            train_loss: 0.1,
            validation_loss: 0.1,
            validation_accuracy: 0.98 + 0.001 * epoch as f64,
            seconds: 1.0,
        })
        .collect();
    let dir = std::env::temp_dir()
        .join(format!("ch10-figures-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let written = write_all(&dir, &net, digit.view(), &history).unwrap();
    assert_eq!(written.len(), 5);
    for path in &written {
        let svg = std::fs::read_to_string(path).unwrap();
        assert!(svg.len() > 1000, "{} is nearly empty", path.display());
    }
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(format_count(1_647_190), "1,647,190");
    assert_eq!(format_count(85), "85");
}

/// A model file whose header asks for a huge network is refused in one
/// line before anything is allocated (no abort, no wrapped product).
#[test]
fn hostile_model_headers_are_refused_before_allocating() {
    let net = Cnn::<f32>::new(SMALL, &mut seeded(1));
    let bytes = crate::model::encode(&net);
    let path = std::path::Path::new("hostile.safetensors");
    assert!(crate::model::decode(&bytes, path).is_ok());
    for (from, to, says) in [
        (
            "\"hidden\":\"6\"",
            "\"hidden\":\"100000000000\"",
            "a size of",
        ),
        (
            "\"classes\":\"4\"",
            "\"classes\":\"4000000000000\"",
            "a size of",
        ),
        (
            "\"channels\":\"3 4\"",
            "\"channels\":\"3 10000000000\"",
            "a size of",
        ),
        ("\"side\":\"14\"", "\"side\":\"1099511627776\"", "a size of"),
        (
            "\"channels\":\"3 4\"",
            "\"channels\":\"4096 4096\"",
            "parameters (a model file here holds at most",
        ),
    ] {
        let hostile = shared::testing::with_header(&bytes, from, to);
        let err = crate::model::decode(&hostile, path)
            .unwrap_err()
            .to_string();
        assert!(err.contains(says), "{to}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}
