//! The narrated walk-through that `cargo run -p ch03-forward` prints.

use std::io::{self, Write};

use ch01_neuron::flatten;
use ndarray::{Array2, Axis};
use shared::rng::{DEFAULT_SEED, seeded};

use crate::examples::{coat_input, coat_network, seven};
use crate::{Activation, Init, Network, ParameterCount};

/// The untrained 784-16-16-10 network every figure of the chapter shows.
pub fn digit_network() -> Network<f64> {
    Network::new(
        &[784, 16, 16, 10],
        Activation::Sigmoid,
        Activation::Sigmoid,
        Init::Scaled,
        &mut seeded(DEFAULT_SEED),
    )
    .expect("valid sizes")
}

/// Prints the chapter's walk-through.
pub fn print(out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "Chapter 3: layers as matrices\n")?;

    let coat = coat_network();
    let trace = coat.forward_trace(coat_input().view());
    writeln!(
        out,
        "The coat network 3-2-1 (ReLU hidden, sigmoid output), \
         x = (10 °C, rain 1, wind 1):"
    )?;
    writeln!(
        out,
        "  z(1) = W(1) x + b(1) = ({:.1}, {:.1})   \
         (−0.5·10 + 1·1 + 0.5·1 + 0 and −1·10 + 0.5·1 + 0.5·1 + 1)",
        trace.zs[0][0], trace.zs[0][1]
    )?;
    writeln!(
        out,
        "  A hand calculation easily gives −7 for the second neuron; it is −8. \
         Either way ReLU gives 0."
    )?;
    writeln!(
        out,
        "  a(1) = ReLU(z(1)) = ({:.0}, {:.0})",
        trace.activations[1][0], trace.activations[1][1]
    )?;
    writeln!(
        out,
        "  z(2) = 0.8·0 − 0.5·0 + 0.2 = {:.1},  a(2) = σ(0.2) = {:.4} ≈ 0.55",
        trace.zs[1][0], trace.activations[2][0]
    )?;
    let count = ParameterCount::of(&coat.sizes()).expect("valid");
    writeln!(
        out,
        "  parameters: {} weights + {} biases = {}\n",
        count.weights,
        count.biases,
        count.total()
    )?;

    let sizes = [784, 16, 16, 10];
    writeln!(out, "Parameters of the 784-16-16-10 digit network:")?;
    for (l, pair) in sizes.windows(2).enumerate() {
        writeln!(
            out,
            "  layer {}: W {:>3}×{:<3} = {:>6} weights, {:>2} biases",
            l + 1,
            pair[1],
            pair[0],
            pair[0] * pair[1],
            pair[1]
        )?;
    }
    let count = ParameterCount::of(&sizes).expect("valid");
    writeln!(
        out,
        "  total: {} weights + {} biases = {} parameters\n",
        count.weights,
        count.biases,
        count.total()
    )?;

    let net = digit_network();
    let x = flatten(&seven());
    let a = net.feedforward(x.view());
    writeln!(
        out,
        "A drawn 7 through the untrained network (seed {DEFAULT_SEED}):"
    )?;
    let row: Vec<String> = a.iter().map(|v| format!("{v:.2}")).collect();
    writeln!(out, "  output a(3) for digits 0–9: {}", row.join(" "))?;
    let guess = a.iter().enumerate().fold((0, f64::MIN), |best, (d, &v)| {
        if v > best.1 { (d, v) } else { best }
    });
    writeln!(
        out,
        "  brightest output: {} — a guess, since no weight has been \
         learned yet.",
        guess.0
    )?;

    // Four copies of the image, shifted, as the columns of one batch.
    let mut batch = Array2::zeros((784, 4)); // (784, batch)
    for (k, mut column) in batch.axis_iter_mut(Axis(1)).enumerate() {
        column.assign(&x.mapv(|v| v * (1.0 - 0.2 * k as f64)));
    }
    let together = net.feedforward_batch(batch.view());
    let mut worst = 0.0f64;
    for (k, column) in batch.columns().into_iter().enumerate() {
        let alone = net.feedforward(column);
        for (p, q) in alone.iter().zip(together.column(k)) {
            worst = worst.max((p - q).abs());
        }
    }
    // The exact round-off depends on the CPU's vector instructions, so
    // print only whether it is within 1e-12.
    let verdict = if worst < 1e-12 {
        "the same"
    } else {
        "DIFFERENT"
    };
    writeln!(
        out,
        "  a batch of 4 images as one 784×4 matrix gives {verdict} outputs \
         as 4 separate passes (to within 1e-12)."
    )?;
    Ok(())
}
