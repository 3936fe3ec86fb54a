//! The narrated walk-through that `cargo run -p ch06-backprop` prints.

use std::io::{self, Write};

use shared::gradcheck::{compare, numerical_gradient};
use shared::rng::{DEFAULT_SEED, seeded};

use crate::chain::example;
use crate::xor::{
    EPOCHS, ETA, accuracy, chapter_run, deep_network, fresh_network,
    gradient_norms, xor_data,
};
use crate::{Activation, Cost, backprop, flatten, parameters, with_parameters};

/// Prints the chapter's walk-through.
pub fn print(out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "Chapter 6: backpropagation\n")?;

    let chain = example();
    let (x, y) = (1.0, 1.0);
    let (zs, a) = chain.forward(x);
    let (dw, db) = chain.gradient(x, y);
    writeln!(
        out,
        "A chain of 3 sigmoid neurons, w = {:?}, b = {:?}, x = {x}, y = {y}:",
        chain.w, chain.b
    )?;
    for l in 0..3 {
        writeln!(
            out,
            "  layer {}: z = {:7.4}  a = {:.4}   ∂C/∂w = {:8.5}  ∂C/∂b = {:8.5}",
            l + 1,
            zs[l],
            a[l + 1],
            dw[l],
            db[l]
        )?;
    }
    let params: Vec<f64> = chain.w.iter().chain(&chain.b).copied().collect();
    let numeric = numerical_gradient(
        |p| {
            crate::chain::Chain {
                w: p[..3].to_vec(),
                b: p[3..].to_vec(),
            }
            .cost(x, y)
        },
        &params,
    );
    let analytic: Vec<f64> = dw.iter().chain(&db).copied().collect();
    writeln!(
        out,
        "  cost C = (a₃ − y)² = {:.5}; chain rule vs finite differences: \
         worst relative error {:.1e}\n",
        chain.cost(x, y),
        compare(&analytic, &numeric).worst
    )?;

    let run = chapter_run();
    writeln!(
        out,
        "Training 2-8-8-2 (tanh, softmax + cross-entropy) on 200 XOR \
         points, full-batch gradient descent, η = {ETA}:"
    )?;
    for epoch in [0, 10, 50, 100, 200, 500, EPOCHS] {
        writeln!(out, "  epoch {epoch:4}: loss {:.4}", run.losses[epoch])?;
    }
    writeln!(
        out,
        "  accuracy on the training points: {:.1} %\n",
        100.0 * accuracy(&run.net, run.x.view(), &run.labels)
    )?;

    writeln!(
        out,
        "Gradient check of the untrained 2-8-8-2 on one sample \
         (central differences, h = 1e-5):"
    )?;
    writeln!(out, "  layer  parameter  count  worst relative error")?;
    let net = fresh_network();
    let (xs, ys, _) = xor_data(&mut seeded(DEFAULT_SEED), 1);
    let (x0, y0) = (xs.column(0), ys.column(0));
    let analytic = flatten(&backprop(&net, x0, y0, Cost::CrossEntropy));
    let numeric = numerical_gradient(
        |p| {
            let moved = with_parameters(&net, p);
            Cost::CrossEntropy.value(moved.feedforward(x0).view(), y0)
        },
        &parameters(&net),
    );
    let mut start = 0;
    for (l, layer) in net.layers.iter().enumerate() {
        for (name, count) in [("W", layer.w.len()), ("b", layer.b.len())] {
            let range = start..start + count;
            let report = compare(&analytic[range.clone()], &numeric[range]);
            writeln!(
                out,
                "  {:5}  {name:9}  {count:5}  {:.1e}",
                l + 1,
                report.worst
            )?;
            start += count;
        }
    }

    writeln!(
        out,
        "\nVanishing gradients: ‖∂C/∂W‖ per layer of a 2-8×8-2 network \
         at initialisation (100 XOR points):"
    )?;
    let (xs, ys, _) = xor_data(&mut seeded(DEFAULT_SEED), 100);
    for hidden in [Activation::Sigmoid, Activation::Relu] {
        let norms = gradient_norms(
            &deep_network(hidden),
            xs.view(),
            ys.view(),
            Cost::CrossEntropy,
        );
        let row: Vec<String> =
            norms.iter().map(|n| format!("{n:.0e}")).collect();
        let ratio = norms[norms.len() - 1] / norms[0];
        writeln!(
            out,
            "  {:7}: {}   (last / first: {ratio:.0e})",
            hidden.name(),
            row.join(" ")
        )?;
    }
    writeln!(
        out,
        "  Each sigmoid layer multiplies the error by σ' ≤ 1/4 on the way \
         back; ReLU passes it on at full strength where it is active."
    )?;
    Ok(())
}
