//! The narrated run: the scalar engine on chapter 6's chain, forward
//! against reverse mode, the tensor engine's gradients against chapters 6
//! and 7 and finite differences, and chapter 8's network trained on MNIST
//! by the engine beside the hand-written backprop.

use std::path::Path;
use std::time::Instant;

use ch06_backprop::{Init, backprop, flatten, parameters, with_parameters};
use ch07_minibatches::backprop_batch;
use ch08_mnist::{
    EpochRecord, Mnist, TrainingPath, accuracy, labels_to_matrix, predict_all,
};
use ndarray::{Array2, Axis, s};
use shared::data::DataSet;
use shared::gradcheck::check_measurable;
use shared::rng::{normal_array, seeded, uniform};

use crate::Error;
use crate::mlp::{
    Activation, Config, Cost, Gradients, Network, cost_value, gradients,
    train_on_tape,
};
use crate::scalar::{Value, chain_cost, chain_gradient, forward_mode_gradient};

/// How much of MNIST the run trains on.
#[derive(Clone, Copy, Debug)]
pub struct Scale {
    /// Training images (of the 50,000).
    pub images: usize,
    /// Epochs (None: chapter 8's setting).
    pub epochs: Option<usize>,
}

impl Scale {
    /// The chapter's run.
    pub const FULL: Scale = Scale {
        images: 50_000,
        epochs: None,
    };
    /// A short run for CI: 5,000 images, 1 epoch.
    pub const QUICK: Scale = Scale {
        images: 5_000,
        epochs: Some(1),
    };
}

/// Section 1: the scalar engine on chapter 6's chain.
fn scalar_engine() {
    shared::say!(
        "1. A scalar engine on chapter 6's chain of three sigmoid neurons"
    );
    let chain = ch06_backprop::chain::example();
    let (x, y) = (1.0, 1.0);
    let (cost, dw, db) = chain_gradient(&chain.w, &chain.b, x, y);
    shared::say!("  w = {:?}, b = {:?}, x = {x}, y = {y}", chain.w, chain.b);
    shared::say!(
        "  the graph of C = (a₃ − y)², in topological order (each node after its inputs):"
    );
    for v in cost.topological_order() {
        let inputs: Vec<String> = v
            .inputs()
            .iter()
            .map(|(u, d)| {
                let name = match u.label().as_str() {
                    "" => u.op().to_string(),
                    l => l.to_string(),
                };
                format!("{name} (local {d:.4})")
            })
            .collect();
        let made = match v.op() {
            "" => "input".to_string(),
            op => format!("{op} of {}", inputs.join(", ")),
        };
        shared::say!(
            "    {:>3}  value {:8.5}  grad {:9.5}   {made}",
            v.label(),
            v.data(),
            v.grad()
        );
    }
    let (hand_w, hand_b) = chain.gradient(x, y);
    let p: Vec<f64> = chain.w.iter().chain(&chain.b).copied().collect();
    let forward =
        forward_mode_gradient(|p| chain_cost(&p[..3], &p[3..], x, y), &p);
    shared::say!(
        "\n  ∂C/∂p      engine (reverse)   chapter 6 by hand     forward mode"
    );
    let names = ["w1", "w2", "w3", "b1", "b2", "b3"];
    let engine = dw.iter().chain(&db);
    let hand = hand_w.iter().chain(&hand_b);
    for (((name, e), h), f) in names.iter().zip(engine).zip(hand).zip(&forward)
    {
        shared::say!("  {name:<8} {e:>17.12} {h:>19.12} {f:>16.12}");
    }
}

/// Section 2: forward against reverse mode, counted.
fn modes() {
    shared::say!("\n2. Forward mode or reverse mode?");
    shared::say!(
        "  The chain has 6 parameters. Forward mode carries one derivative \
         along: 6 passes, one per parameter.\n  Reverse mode: one forward \
         pass that records the graph, one backward pass, all 6 at once."
    );
    let net = mnist_network();
    let n_params = parameters(&net).len();
    let mut rng = seeded(2);
    let x = normal_array(&mut rng, (784, 64), 1.0).mapv(|v| v as f32);
    let y = labels_to_matrix::<f32>(
        &(0..64).map(|k| (k % 10) as u8).collect::<Vec<_>>(),
    );
    let runs = 50;
    let start = Instant::now();
    for _ in 0..runs {
        std::hint::black_box(net.feedforward_batch(x.view()));
    }
    let forward = start.elapsed().as_secs_f64() / f64::from(runs);
    let start = Instant::now();
    for _ in 0..runs {
        std::hint::black_box(gradients(
            &net,
            x.view(),
            y.view(),
            Cost::CrossEntropy,
        ));
    }
    let reverse = start.elapsed().as_secs_f64() / f64::from(runs);
    shared::say!(
        "  Chapter 8's 784-256-10 network has {n_params} parameters. On a \
         minibatch of 64 here:\n    one forward pass                  {:8.3} ms\n    \
         reverse mode (forward + backward) {:8.3} ms = {:.1} forward passes\n    \
         forward mode, {n_params} passes  ≈ {:8.1} s (estimated: passes × one \
         forward pass),\n    so one epoch of 782 minibatches ≈ {:.1} hours \
         in forward mode, against {:.2} s in reverse mode.",
        1e3 * forward,
        1e3 * reverse,
        reverse / forward,
        n_params as f64 * forward,
        782.0 * n_params as f64 * forward / 3600.0,
        782.0 * reverse,
    );
}

/// A network of chapter 8's default shape, He-initialised.
fn mnist_network() -> Network<f32> {
    let c = Config::default_run();
    Network::new(&c.sizes, c.hidden, c.output, c.init, &mut seeded(c.seed))
        .expect("valid sizes")
}

/// Section 3: the tensor engine against chapters 6 and 7 and finite
/// differences.
fn agreement() {
    shared::say!(
        "\n3. The tensor engine against backprop by hand (f64, batch of 8)"
    );
    shared::say!(
        "  {:<12} {:<10} {:<10} {:<14} {:>11} {:>11} {:>11}",
        "sizes",
        "hidden",
        "output",
        "cost",
        "chapter 6",
        "chapter 7",
        "finite diff"
    );
    let cases = [
        (
            vec![3, 4, 2],
            Activation::Sigmoid,
            Activation::Sigmoid,
            Cost::Quadratic,
        ),
        (
            vec![4, 5, 3],
            Activation::Tanh,
            Activation::Softmax,
            Cost::CrossEntropy,
        ),
        (
            vec![5, 6, 6, 4],
            Activation::Relu,
            Activation::Softmax,
            Cost::CrossEntropy,
        ),
        (
            vec![2, 3, 2],
            Activation::Identity,
            Activation::Identity,
            Cost::Quadratic,
        ),
        (
            vec![4, 8, 3],
            Activation::Sigmoid,
            Activation::Sigmoid,
            Cost::CrossEntropy,
        ),
        (
            vec![6, 5, 4, 3],
            Activation::Tanh,
            Activation::Softmax,
            Cost::Quadratic,
        ),
    ];
    for (k, (sizes, hidden, output, cost)) in cases.into_iter().enumerate() {
        let mut rng = seeded(100 + k as u64);
        let net = Network::new(&sizes, hidden, output, Init::Scaled, &mut rng)
            .expect("valid sizes");
        let m = 8;
        let x = normal_array(&mut rng, (sizes[0], m), 1.0);
        let y =
            Array2::from_shape_simple_fn((sizes[sizes.len() - 1], m), || {
                uniform(&mut rng, 0.05, 1.0)
            });
        let y = crate::mlp::targets_for(y, output, cost);
        let engine = gradients(&net, x.view(), y.view(), cost);
        // chapter 6: the mean of per-sample gradients
        let mut by_sample = Gradients::zeros_like(&net);
        for (xk, yk) in x.columns().into_iter().zip(y.columns()) {
            by_sample.add_scaled(1.0 / m as f64, &backprop(&net, xk, yk, cost));
        }
        let batched = backprop_batch(&net, x.view(), y.view(), cost);
        let numeric = check_measurable(
            |p| cost_value(&with_parameters(&net, p), x.view(), y.view(), cost),
            &parameters(&net),
            &flatten(&engine),
        );
        let dims: Vec<String> = sizes.iter().map(usize::to_string).collect();
        shared::say!(
            "  {:<12} {:<10} {:<10} {:<14} {:>11.1e} {:>11.1e} {:>11.1e}",
            dims.join("-"),
            format!("{hidden:?}"),
            format!("{output:?}"),
            format!("{cost:?}"),
            worst_relative(&engine, &by_sample),
            worst_relative(&engine, &batched),
            numeric.worst,
        );
    }
    shared::say!(
        "  (largest difference relative to the largest gradient entry; \
         finite differences: worst relative error per entry)"
    );
}

/// Section 3, continued: each operation's backward rule on its own.
fn each_rule() {
    shared::say!(
        "\n  Each backward rule against finite differences (check_op, shapes 3×4×5):"
    );
    let mut rng = seeded(7);
    let mut line = Vec::new();
    for (op, x) in crate::check::ops_and_inputs(&mut rng, (3, 4, 5)) {
        let refs: Vec<&Array2<f64>> = x.iter().collect();
        let r = normal_array(&mut rng, op.forward(&refs).dim(), 1.0);
        let report = crate::check::check_op(op.as_ref(), &x, &r);
        line.push(format!("{} {:.0e}", op.name(), report.worst));
    }
    for chunk in line.chunks(5) {
        shared::say!("    {}", chunk.join("   "));
    }
    let x = normal_array(&mut rng, (3, 5), 2.0);
    let r = normal_array(&mut rng, (3, 5), 1.0);
    let report = crate::check::check_op(&crate::broken::Silu, &[x], &r);
    shared::say!("  and exercise 11.3's broken::Silu: {report} — caught");
}

/// The largest difference between two gradients, relative to the largest
/// entry of `b`.
pub fn worst_relative<T: shared::Real>(
    a: &Gradients<T>,
    b: &Gradients<T>,
) -> f64 {
    let (a, b) = (flatten(a), flatten(b));
    let scale = b
        .iter()
        .fold(0.0f64, |s, g| s.max(g.into_f64().abs()))
        .max(1e-300);
    let worst = a
        .iter()
        .zip(&b)
        .fold(0.0f64, |w, (p, q)| w.max((*p - *q).into_f64().abs()));
    worst / scale
}

/// Prints one epoch.
fn print_epoch(r: &EpochRecord) {
    shared::say!("    {r}");
}

/// Section 4: MNIST, by hand and by the engine.
fn mnist(scale: Scale) -> Result<(), Error> {
    shared::say!("\n4. Chapter 8's network trained by the engine");
    let data = Mnist::load(DataSet::Mnist)?;
    let n = scale.images.min(data.x.ncols());
    let x = data.x.slice(s![.., ..n]);
    let y = labels_to_matrix::<f32>(&data.labels[..n]);
    let mut config = Config {
        path: TrainingPath::Lesson,
        ..Config::default_run()
    };
    config.epochs = scale.epochs.unwrap_or(config.epochs);
    shared::say!("  {config}\n  on {n} images, f32");
    let val = (data.x_val.view(), &data.labels_val[..]);
    shared::say!(
        "  chapter 8's lesson path (chapter 7's backprop_batch, by hand):"
    );
    // At a terminal a bar counts each training's epochs (the lines the
    // page shows are unchanged).
    let bar = || shared::runner::epoch_bar(config.epochs);
    let progress = bar();
    let (hand, hand_history) = ch08_mnist::train(
        &config,
        x,
        y.view(),
        val.0,
        val.1,
        |r: &EpochRecord| {
            progress.suspend(|| print_epoch(r));
            progress.inc(1);
        },
        || {},
    );
    progress.finish_and_clear();
    shared::say!("  the engine (the tape's backward pass):");
    let progress = bar();
    let (tape, tape_history) =
        train_on_tape(&config, x, y.view(), val.0, val.1, |r: &EpochRecord| {
            progress.suspend(|| print_epoch(r));
            progress.inc(1);
        });
    progress.finish_and_clear();
    shared::say!("  chapter 8's fast path, for scale (its epochs not shown)");
    let fast_config = Config {
        path: TrainingPath::Fast,
        ..config.clone()
    };
    let progress = bar();
    let (fast, fast_history) = ch08_mnist::train(
        &fast_config,
        x,
        y.view(),
        val.0,
        val.1,
        |_| progress.inc(1),
        || {},
    );
    progress.finish_and_clear();

    shared::say!(
        "\n  {:<34} {:>10} {:>12} {:>13} {:>8}",
        "gradients by",
        "s / epoch",
        "best epoch",
        "validation",
        "test"
    );
    let epochs = config.epochs as f64;
    for (name, net, history) in [
        ("chapter 7's backprop_batch (hand)", &hand, &hand_history),
        ("the engine's tape", &tape, &tape_history),
        ("chapter 8's fast path", &fast, &fast_history),
    ] {
        let best = ch08_mnist::best_epoch(history).expect("an epoch");
        let test =
            accuracy(&predict_all(net, data.x_test.view()), &data.labels_test);
        let seconds = history.last().expect("an epoch").seconds;
        shared::say!(
            "  {name:<34} {:>10.2} {:>12} {:>12.2} % {:>6.2} %",
            seconds / epochs,
            best.epoch,
            100.0 * best.validation_accuracy,
            100.0 * test
        );
    }
    let hand_s = hand_history.last().expect("an epoch").seconds;
    let tape_s = tape_history.last().expect("an epoch").seconds;
    shared::say!(
        "  In this run the engine took {:.2}× the hand path's training time. Largest \
         weight difference between the two networks: {:.1e}.",
        tape_s / hand_s,
        ch07_minibatches::fast::network_difference(&tape, &hand)
    );
    where_the_time_goes(&hand, x, y.view());
    Ok(())
}

/// Section 5: one minibatch step, by hand and on the tape, taken apart.
fn where_the_time_goes(
    net: &Network<f32>,
    x: ndarray::ArrayView2<f32>,
    y: ndarray::ArrayView2<f32>,
) {
    shared::say!(
        "\n5. One minibatch step of 64 taken apart (mean of 200 steps)"
    );
    let (xb, yb) = (x.slice(s![.., ..64]), y.slice(s![.., ..64]));
    let runs = 200;
    let time = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        for _ in 0..runs {
            f();
        }
        1e3 * start.elapsed().as_secs_f64() / f64::from(runs)
    };
    let hand = time(&mut || {
        std::hint::black_box(backprop_batch(net, xb, yb, Cost::CrossEntropy));
    });
    let mut recorded = 0.0;
    let mut walked = 0.0;
    let mut collected = 0.0;
    for _ in 0..runs {
        let start = Instant::now();
        let mut tape = crate::tensor::Tape::new();
        let (p, c) =
            crate::mlp::record_cost(&mut tape, net, xb, yb, Cost::CrossEntropy);
        let t1 = Instant::now();
        let grads = tape.backward(c);
        let t2 = Instant::now();
        let g: Vec<Array2<f32>> =
            p.w.iter()
                .chain(&p.b)
                .map(|&v| grads.of(&tape, v))
                .collect();
        std::hint::black_box(g);
        let t3 = Instant::now();
        recorded += (t1 - start).as_secs_f64();
        walked += (t2 - t1).as_secs_f64();
        collected += (t3 - t2).as_secs_f64();
    }
    let ms = |s: f64| 1e3 * s / f64::from(runs);
    let copy = time(&mut || {
        std::hint::black_box((xb.to_owned(), yb.to_owned()));
        for layer in &net.layers {
            std::hint::black_box((
                layer.w.clone(),
                layer.b.clone().insert_axis(Axis(1)),
            ));
        }
    });
    let hand_forward = time(&mut || {
        std::hint::black_box(ch07_minibatches::forward_trace_batch(net, xb));
    });
    shared::say!(
        "  by hand: forward pass (forward_trace_batch)        {hand_forward:7.3} ms"
    );
    shared::say!(
        "           forward + backward (backprop_batch)       {hand:7.3} ms"
    );
    shared::say!(
        "  engine:  record the forward pass on the tape       {:7.3} ms",
        ms(recorded)
    );
    shared::say!(
        "             of which copying W, b, X, Y onto it     {copy:7.3} ms"
    );
    shared::say!(
        "           walk the tape back                        {:7.3} ms",
        ms(walked)
    );
    shared::say!(
        "           copy the gradients out                    {:7.3} ms",
        ms(collected)
    );
}

/// The cost ½‖z − y‖² of `net`'s weighted outputs z for one image, built
/// from scalar [`Value`]s, one node per multiplication and addition: what
/// the tensor engine would cost with scalars. Returns the cost and the
/// parameters.
fn scalar_network_cost(
    net: &Network<f64>,
    x: ndarray::ArrayView1<f64>,
    label: usize,
) -> (Value, Vec<Value>) {
    let mut params = Vec::new();
    let mut a: Vec<Value> = x.iter().map(|&v| Value::new(v, "")).collect();
    for (l, layer) in net.layers.iter().enumerate() {
        let last = l + 1 == net.layers.len();
        let mut next = Vec::new();
        for (w_row, &b) in layer.w.rows().into_iter().zip(&layer.b) {
            let mut z = Value::new(b, "");
            params.push(z.clone());
            for (&w, a_j) in w_row.iter().zip(&a) {
                let w = Value::new(w, "");
                params.push(w.clone());
                z = z + w * a_j.clone();
            }
            next.push(if last { z } else { z.relu() });
        }
        a = next;
    }
    let mut cost = Value::new(0.0, "");
    for (k, z) in a.into_iter().enumerate() {
        let y = Value::new(if k == label { 1.0 } else { 0.0 }, "");
        cost = cost + (z - y).square();
    }
    (cost * Value::new(0.5, ""), params)
}

/// Section 6: the same gradient for one image with scalars.
fn scalars_at_scale() {
    shared::say!(
        "\n6. Why the engine works on matrices: one image through the scalar engine"
    );
    let c = Config::default_run();
    let net: Network<f64> = Network::new(
        &c.sizes,
        c.hidden,
        Activation::Identity,
        c.init,
        &mut seeded(c.seed),
    )
    .expect("valid sizes");
    let x = normal_array(&mut seeded(3), 784, 1.0).mapv(|v: f64| v.max(0.0));
    let start = Instant::now();
    let (cost, params) = scalar_network_cost(&net, x.view(), 7);
    let built = start.elapsed().as_secs_f64();
    let nodes = cost.topological_order().len();
    let start = Instant::now();
    cost.backward();
    let walked = start.elapsed().as_secs_f64();
    let x1 = x.view().insert_axis(Axis(1)).to_owned();
    let mut y1 = Array2::zeros((10, 1));
    y1[(7, 0)] = 1.0;
    let tensor = gradients(&net, x1.view(), y1.view(), Cost::Quadratic);
    let mut tape = crate::tensor::Tape::new();
    crate::mlp::record_cost(
        &mut tape,
        &net,
        x1.view(),
        y1.view(),
        Cost::Quadratic,
    );
    let tape_nodes = tape.len();
    let scalar: Vec<f64> = params.iter().map(Value::grad).collect();
    let mut by_tensor = Vec::new();
    for (w, b) in tensor.nabla_w.iter().zip(&tensor.nabla_b) {
        for (row, &b) in w.rows().into_iter().zip(b) {
            by_tensor.push(b);
            by_tensor.extend(row.iter().copied());
        }
    }
    let difference = scalar
        .iter()
        .zip(&by_tensor)
        .fold(0.0f64, |m, (s, t)| m.max((s - t).abs()));
    let start = Instant::now();
    let runs = 100;
    for _ in 0..runs {
        std::hint::black_box(gradients(
            &net,
            x1.view(),
            y1.view(),
            Cost::Quadratic,
        ));
    }
    let tensor_time = start.elapsed().as_secs_f64() / f64::from(runs);
    shared::say!(
        "  784-256-10 (ReLU, then ½‖z − y‖² on the outputs), f64, one image:\n    \
         scalar engine: {nodes} nodes, built in {:.1} ms, walked back in {:.1} ms\n    \
         tensor engine: {tape_nodes} nodes, {:.3} ms for both (the same gradient: largest difference {difference:.1e})\n    \
         → {:.0}× slower with scalars; an epoch of 50,000 images would take {:.0} minutes.",
        1e3 * built,
        1e3 * walked,
        1e3 * tensor_time,
        (built + walked) / tensor_time,
        50_000.0 * (built + walked) / 60.0,
    );
}

/// The whole narrated run; figures go to `figures_dir`.
pub fn narrated(scale: Scale, figures_dir: Option<&Path>) -> Result<(), Error> {
    scalar_engine();
    modes();
    agreement();
    each_rule();
    mnist(scale)?;
    scalars_at_scale();
    if let Some(dir) = figures_dir {
        shared::say!("\nFigures:");
        for figure in crate::figures::all() {
            let path = figure.write_into(dir)?;
            shared::say!("  {}", shared::figures::display_path(&path));
        }
    }
    Ok(())
}
