//! The narrated walk-through that `cargo run -p ch01-neuron` prints.

use std::io::{self, Write};

use ndarray::array;

use crate::{
    edge_detector, flatten, relu, sigmoid, test_images, umbrella_neuron,
};

/// Prints the chapter's walk-through.
pub fn print(out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "Chapter 1: one neuron\n")?;

    let umbrella = umbrella_neuron();
    writeln!(
        out,
        "The umbrella neuron: x = (temperature °C, rain 0/1), \
         w = (−0.5, 2), b = 1, a = ReLU(z)."
    )?;
    writeln!(out, "  temp  rain        z      a   verdict")?;
    for (temperature, rain) in
        [(10.0, 1.0), (10.0, 0.0), (0.0, 1.0), (25.0, 1.0)]
    {
        let x = array![temperature, rain];
        let z = umbrella.weighted_sum(x.view());
        let a = relu(z);
        let verdict = if a > 0.0 { "take it" } else { "leave it" };
        writeln!(
            out,
            "  {temperature:4.0}  {rain:4.0}  {z:7.2}  {a:5.2}   {verdict}"
        )?;
    }
    writeln!(
        out,
        "  (the case above, 10 °C in the rain: \
         z = −0.5·10 + 2·1 + 1 = −2, ReLU(−2) = 0)\n"
    )?;

    let detector = edge_detector();
    writeln!(
        out,
        "The edge detector: 784 weights, +1 on a horizontal stroke \
         (rows 12–15), −1 on the rows around it, bias b = {}.",
        detector.b
    )?;
    writeln!(out, "  image              w·x    z = w·x + b   a = σ(z)")?;
    for (name, image) in test_images() {
        let x = flatten(&image);
        let z = detector.weighted_sum(x.view());
        let wx = z - detector.b;
        writeln!(out, "  {name:<16} {wx:6.1}   {z:11.1}   {:8.4}", sigmoid(z))?;
    }
    writeln!(
        out,
        "  Only the bright bar on the stroke passes the threshold of 20 \
         that the bias sets.\n"
    )?;

    let faint = &test_images()[1].1;
    let x = flatten(faint);
    let (da_dw, da_db) = detector.sigmoid_gradient(x.view());
    writeln!(
        out,
        "How the output moves (faint bar, a = {:.4}):",
        detector.activate(x.view(), sigmoid)
    )?;
    writeln!(
        out,
        "  ∂a/∂b = σ'(z) = {da_db:.4}: raising the bias by 0.1 raises a \
         by about {:.4}",
        0.1 * da_db
    )?;
    let lit = da_dw.iter().filter(|&&g| g > 0.0).count();
    writeln!(
        out,
        "  ∂a/∂wᵢ = σ'(z)·xᵢ: nonzero for the {lit} lit pixels only \
         ({:.4} each); the other {} weights do not matter for this image.",
        da_dw.iter().copied().fold(0.0, f64::max),
        da_dw.len() - lit
    )?;
    Ok(())
}
