//! The narrated walk-through that `cargo run -p ch05-gradient-descent`
//! prints.

use std::io::{self, Write};

use crate::logistic::{accuracy, chapter_run};
use crate::{
    ETAS, START, bowl, bowl_gradient, central_difference, forward_difference,
    gradient_descent, wavy, wavy_prime,
};

/// Prints the chapter's walk-through.
pub fn print(out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "Chapter 5: gradient descent\n")?;
    let exact = wavy_prime(1.0);
    writeln!(
        out,
        "The derivative of f(x) = sin(x)·eˣ at x = 1 is {exact:.12}."
    )?;
    writeln!(out, "        h    forward error    central error")?;
    for k in [1, 2, 3, 4, 5, 6, 8, 10, 12] {
        let h = 10f64.powi(-k);
        let forward = (forward_difference(wavy, 1.0, h) - exact).abs();
        let central = (central_difference(wavy, 1.0, h) - exact).abs();
        writeln!(out, "  {h:7.0e}   {forward:14.2e}   {central:14.2e}")?;
    }
    writeln!(
        out,
        "  Shrinking h 10× shrinks the forward error 10× and the central \
         error 100×,\n  until round-off in f(x ± h) takes over (h below \
         about 1e-5 for central).\n"
    )?;

    writeln!(
        out,
        "Gradient descent on f(x, y) = ½(x² + 10y²) from ({}, {}), \
         50 steps:",
        START[0], START[1]
    )?;
    for (eta, verdict) in ETAS.iter().zip(["too small", "good", "diverges"]) {
        let path = gradient_descent(bowl_gradient, START, *eta, 50);
        let end = path.last().expect("the path has a start");
        writeln!(
            out,
            "  η = {eta:<5}  ends at ({:9.4}, {:9.4}), f = {:11.4e}  ({verdict})",
            end[0],
            end[1],
            bowl(*end)
        )?;
    }

    let (x, y, neuron, losses) = chapter_run();
    writeln!(
        out,
        "\nLogistic regression: one sigmoid neuron, 200 points in two \
         clouds, η = 0.5:"
    )?;
    for epoch in [0, 1, 5, 20, 50, 100] {
        writeln!(out, "  epoch {epoch:3}: loss {:.4}", losses[epoch])?;
    }
    writeln!(
        out,
        "  learned w = ({:.3}, {:.3}), b = {:.3}; the boundary is the line \
         w·x + b = 0; accuracy {:.1} %",
        neuron.w[0],
        neuron.w[1],
        neuron.b,
        100.0 * accuracy(&neuron, x.view(), y.view())
    )?;
    Ok(())
}
