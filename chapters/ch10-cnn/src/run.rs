//! The narrated run: convolution and pooling by hand, the gradient
//! checks, the parameter count, training on MNIST, the comparison with
//! chapter 9's fully connected network on the hard cases, the figures and
//! the model.

use std::path::Path;

use ndarray::{Array1, Array3, Array4, s};
use shared::gradcheck::check_gradient;
use shared::rng::{normal_array, seeded};

use ch08_mnist::{Mnist, accuracy, best_epoch, confusion_matrix};
use shared::data::DataSet;

use crate::Error;
use crate::conv::{
    Geometry, conv_backward, conv_by_matrix, conv_forward, flip, im2col,
    input_gradient_by_flipped_filters,
};
use crate::figures::{format_count, parameter_table, write_all};
use crate::net::{Architecture, Cnn};
use crate::pool::{avg_pool, max_pool, max_pool_backward};
use crate::train::{Record, Settings, predict_all, train};

/// How much of MNIST the run trains on.
#[derive(Clone, Copy, Debug)]
pub struct Scale {
    /// Training images (of the 50,000).
    pub images: usize,
    /// Epochs (None: the chapter's setting).
    pub epochs: Option<usize>,
}

impl Scale {
    /// The chapter's run.
    pub const FULL: Scale = Scale {
        images: 50_000,
        epochs: None,
    };
    /// A short run for CI: 5,000 images, 2 epochs.
    pub const QUICK: Scale = Scale {
        images: 5_000,
        epochs: Some(2),
    };
}

/// One line describing a run's settings.
pub fn describe(s: &Settings, images: usize) -> String {
    let a = s.arch;
    format!(
        "conv {k}×{k}×{} → pool 2 → conv {k}×{k}×{} → pool 2 → {} → {} \
         ({} parameters)\n  on {images} images, {} epochs, batch {}, \
         momentum {}, η = {} (cosine), weight decay {}, augmentation {}, \
         seed {}",
        a.channels[0],
        a.channels[1],
        a.hidden,
        a.classes,
        format_count(a.parameters()),
        s.epochs,
        s.batch_size,
        s.momentum,
        s.eta,
        s.weight_decay,
        s.augment.name(),
        s.seed,
        k = a.k,
    )
}

/// Prints one epoch's record.
pub fn print_epoch(r: &Record) {
    shared::say!(
        "  epoch {:3}  η {:.4}  train loss {:.4}  validation loss {:.4}  \
         validation {:6.2} %  {:5.1} s",
        r.epoch,
        r.eta,
        r.train_loss,
        r.validation_loss,
        100.0 * r.validation_accuracy,
        r.seconds
    );
}

fn print_map(name: &str, z: &ndarray::Array2<f64>) {
    shared::say!("  {name}:");
    for row in z.rows() {
        let cells: Vec<String> =
            row.iter().map(|v| format!("{v:6.2}")).collect();
        shared::say!("    {}", cells.join(" "));
    }
}

/// Section 1: a filter sliding over a small image, sizes, im2col.
fn by_hand() {
    shared::say!("1. A filter sliding over an image");
    // a 6×6 image with a vertical bar in columns 2–3
    let x = Array3::from_shape_fn((1, 6, 6), |(_, _, c)| {
        if (2..4).contains(&c) { 1.0 } else { 0.0 }
    });
    // a vertical-edge filter: left −1, right +1
    let w = Array4::from_shape_fn((1, 1, 3, 3), |(_, _, _, q)| q as f64 - 1.0);
    let b = Array1::zeros(1);
    let valid = Geometry::valid(3);
    let z = conv_forward(x.view(), w.view(), b.view(), valid);
    print_map(
        "image x (6×6), a bar in columns 2–3",
        &x.slice(s![0, .., ..]).to_owned(),
    );
    print_map(
        "filter w (3×3): −1 | 0 | +1",
        &w.slice(s![0, 0, .., ..]).to_owned(),
    );
    print_map(
        "z = w ★ x, stride 1, no padding (4×4): + at the bar's left edge, − at its right",
        &z.slice(s![0, .., ..]).to_owned(),
    );
    for g in [
        valid,
        Geometry {
            k: 3,
            stride: 1,
            pad: 1,
        },
        Geometry {
            k: 3,
            stride: 2,
            pad: 1,
        },
    ] {
        shared::say!(
            "  k = {}, stride {}, padding {}: (6 + 2·{} − {}) / {} + 1 = {} \
             per side",
            g.k,
            g.stride,
            g.pad,
            g.pad,
            g.k,
            g.stride,
            g.output_side(6)
        );
    }
    let g = Geometry {
        k: 3,
        stride: 2,
        pad: 1,
    };
    let x3: Array3<f64> = normal_array(&mut seeded(1), (3, 7, 7), 1.0);
    let w3: Array4<f64> = normal_array(&mut seeded(2), (4, 3, 3, 3), 1.0);
    let b3: Array1<f64> = normal_array(&mut seeded(3), 4, 1.0);
    let by_loop = conv_forward(x3.view(), w3.view(), b3.view(), g);
    let by_matrix = conv_by_matrix(x3.view(), w3.view(), b3.view(), g);
    let gap = (&by_loop - &by_matrix)
        .mapv(f64::abs)
        .fold(0.0, |m: f64, v| m.max(*v));
    shared::say!(
        "  im2col of a 3-channel 7×7 image, k 3, stride 2, padding 1: {:?} \
         (C·k·k rows, one column per window);\n  4 filters as rows (4, 27) \
         times it = the loop's output {:?}, largest difference {gap:.1e}",
        im2col(x3.view(), g).dim(),
        by_loop.dim()
    );
}

/// Section 2: pooling forward and back on a 4×4 map.
fn pooling() {
    shared::say!("\n2. Pooling");
    let x = Array3::from_shape_vec(
        (1, 4, 4),
        vec![
            1.0, 3.0, 2.0, 0.0, //
            4.0, 2.0, 1.0, 1.0, //
            0.0, 1.0, 5.0, 6.0, //
            2.0, 2.0, 7.0, 8.0,
        ],
    )
    .expect("16 values");
    print_map("x (4×4)", &x.slice(s![0, .., ..]).to_owned());
    print_map(
        "max pool 2×2",
        &max_pool(x.view(), 2).slice(s![0, .., ..]).to_owned(),
    );
    print_map(
        "average pool 2×2",
        &avg_pool(x.view(), 2).slice(s![0, .., ..]).to_owned(),
    );
    let ones = Array3::ones((1, 2, 2));
    print_map(
        "∂C/∂x for ∂C/∂y = 1 (max): each block's gradient goes to its winner",
        &max_pool_backward(x.view(), ones.view(), 2)
            .slice(s![0, .., ..])
            .to_owned(),
    );
}

/// Section 3: the gradient checks the tests run, once each, printed.
fn checks() {
    shared::say!("\n3. Gradient checks (f64, central differences, h = 1e-5)");
    let g = Geometry {
        k: 3,
        stride: 2,
        pad: 1,
    };
    let x: Array3<f64> = normal_array(&mut seeded(4), (2, 7, 7), 1.0);
    let w: Array4<f64> = normal_array(&mut seeded(5), (3, 2, 3, 3), 1.0);
    let b: Array1<f64> = normal_array(&mut seeded(6), 3, 1.0);
    let r: Array3<f64> = normal_array(&mut seeded(7), (3, 4, 4), 1.0);
    let cost = |x: &Array3<f64>| {
        (conv_forward(x.view(), w.view(), b.view(), g) * &r).sum()
    };
    let grads = conv_backward(x.view(), w.view(), r.view(), g);
    let report = check_gradient(
        |v| {
            cost(
                &Array3::from_shape_vec(x.raw_dim(), v.to_vec())
                    .expect("same size"),
            )
        },
        x.as_slice().expect("contiguous"),
        grads.nabla_x.as_slice().expect("contiguous"),
    );
    shared::say!(
        "  conv layer, ∂C/∂x, stride 2, padding 1: worst relative error {:.1e}",
        report.worst
    );
    let g1 = Geometry {
        k: 3,
        stride: 1,
        pad: 1,
    };
    let r1: Array3<f64> = normal_array(&mut seeded(8), (3, 7, 7), 1.0);
    let cost1 = |x: &Array3<f64>| {
        (conv_forward(x.view(), w.view(), b.view(), g1) * &r1).sum()
    };
    let unflipped =
        input_gradient_by_flipped_filters(flip(w.view()).view(), r1.view(), 1);
    let report = check_gradient(
        |v| {
            cost1(
                &Array3::from_shape_vec(x.raw_dim(), v.to_vec())
                    .expect("same size"),
            )
        },
        x.as_slice().expect("contiguous"),
        unflipped.as_slice().expect("contiguous"),
    );
    shared::say!(
        "  the same with the filters left unflipped (a classic bug): {:.2} — caught",
        report.worst
    );
    let small = Architecture {
        side: 14,
        k: 3,
        channels: [3, 4],
        hidden: 6,
        classes: 4,
    };
    let net = Cnn::<f64>::new(small, &mut seeded(1));
    let image: Array3<f64> = normal_array(&mut seeded(2), (1, 14, 14), 1.0);
    let analytic = net.backprop(image.view(), 2).to_vec();
    let report = check_gradient(
        |p| {
            let mut moved = net.clone();
            moved.set_from(p);
            moved.cost(image.view(), 2)
        },
        &net.to_vec(),
        &analytic,
    );
    shared::say!(
        "  a whole small CNN (14×14, conv 3×3×3, conv 3×3×4, 6, 4), all {} \
         parameters: worst relative error {:.1e}",
        report.len,
        report.worst
    );
}

/// Section 4: parameter counts.
fn parameters() {
    shared::say!("\n4. Parameters: weight sharing keeps the network small");
    for (name, count) in parameter_table() {
        shared::say!("  {name:36} {:>12}", format_count(count));
    }
}

/// The whole narrated run; figures go to `figures_dir` and the model to
/// `model`.
pub fn narrated(
    scale: Scale,
    figures_dir: Option<&Path>,
    model: Option<&Path>,
) -> Result<(), Error> {
    by_hand();
    pooling();
    checks();
    parameters();
    let mnist = Mnist::load(DataSet::Mnist)?;
    let data = mnist.first(scale.images);
    let mut settings = Settings::default_run();
    settings.epochs = scale.epochs.unwrap_or(settings.epochs);
    shared::say!("\n5. Training on MNIST");
    shared::say!("  {}", describe(&settings, data.x.ncols()));
    shared::say!(
        "  {} validation images choose the epoch; {} threads, {}",
        data.x_val.ncols(),
        fastpath::threads(),
        fastpath::instruction_set()
    );
    let bar = shared::runner::epoch_bar(settings.epochs);
    let (net, history) = train(&settings, &data, &mut |r| {
        bar.suspend(|| print_epoch(r));
        bar.inc(1);
    });
    bar.finish_and_clear();
    let best = best_epoch(&history).expect("at least one epoch");
    let seconds: f64 = history.iter().map(|r| r.seconds).sum();
    shared::say!(
        "  Trained in {seconds:.1} s. Best epoch on validation: {} ({:.2} %).",
        best.epoch,
        100.0 * best.validation_accuracy
    );
    let cnn = predict_all(&net, mnist.x_test.view());
    let test = 100.0 * accuracy(&cnn, &mnist.labels_test);
    shared::say!("  Test accuracy of that epoch's network: {test:.2} %.");
    hard_cases(&mnist, &cnn);
    if let Some(path) = model {
        crate::model::save(&net, path)?;
        shared::say!(
            "\nSaved the model to {} (`ch10-cnn predict IMAGE` reads it).",
            shared::figures::display_path(path)
        );
    }
    if let Some(dir) = figures_dir {
        let digit = mnist
            .x_test
            .column(0)
            .to_shape((28, 28))
            .expect("784 pixels")
            .to_owned();
        for path in write_all(dir, &net, digit.view(), &history)? {
            shared::say!("Wrote {}", shared::figures::display_path(&path));
        }
    }
    Ok(())
}

/// Section 6: the pairs of digits chapter 8's network confuses most (its
/// confusion matrix's largest off-diagonal pairs), and how often chapter
/// 9's network and the CNN confuse them.
fn hard_cases(mnist: &Mnist, cnn: &[u8]) {
    shared::say!(
        "\n6. The hard cases: chapter 8's confusion matrix, chapters 8 and 9 \
         beside the CNN"
    );
    let predict = |name: &str, package: &str| {
        let path = ch08_mnist::runs::model_path(name);
        match ch08_mnist::model::load(&path) {
            Ok(net) => Some(ch08_mnist::predict_all(&net, mnist.x_test.view())),
            Err(e) => {
                shared::say!(
                    "  (skipped: {e}; `cargo run --release -p {package}` \
                     saves it)"
                );
                None
            }
        }
    };
    let Some(mlp8) = predict("default", "ch08-mnist") else {
        return;
    };
    let Some(mlp9) = predict("ch09", "ch09-generalisation") else {
        return;
    };
    let labels = &mnist.labels_test;
    let confused = |p: &[u8], a: usize, b: usize| {
        let m = confusion_matrix(p, labels);
        m[a][b] + m[b][a]
    };
    // the unordered pairs {a, b} chapter 8 mixes up most, both ways
    let mut pairs: Vec<(usize, usize, usize)> = (0..10)
        .flat_map(|a| ((a + 1)..10).map(move |b| (a, b)))
        .map(|(a, b)| (a, b, confused(&mlp8, a, b)))
        .collect();
    pairs.sort_by(|x, y| y.2.cmp(&x.2).then(x.0.cmp(&y.0)));
    shared::say!(
        "  digits mixed up (either way)   ch. 8 MLP   ch. 9 MLP     CNN"
    );
    for &(a, b, errors) in &pairs[..6] {
        shared::say!(
            "  {a} ↔ {b}                         {errors:>9}   {:>9}   {:>5}",
            confused(&mlp9, a, b),
            confused(cnn, a, b)
        );
    }
    let wrong = |p: &[u8]| p.iter().zip(labels).filter(|(p, l)| p != l).count();
    shared::say!(
        "  all errors                     {:>9}   {:>9}   {:>5}   (of {} test \
         images)",
        wrong(&mlp8),
        wrong(&mlp9),
        wrong(cnn),
        labels.len()
    );
}
