//! The narrated walk-through that `cargo run -p ch02-activations` prints.

use std::io::{self, Write};

use ndarray::array;

use crate::approximation::{Staircase, rms_error, target};
use crate::{
    naive_softmax, relu, relu_prime, sigmoid, sigmoid_prime, softmax, tanh,
    tanh_prime,
};

/// Prints the chapter's walk-through.
pub fn print(out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "Chapter 2: activation functions\n")?;
    writeln!(
        out,
        "      z    σ(z)   σ'(z)  tanh(z) tanh'(z) ReLU(z) ReLU'(z)"
    )?;
    for z in [-6.0, -2.0, -0.5, 0.0, 0.5, 2.0, 6.0] {
        writeln!(
            out,
            "  {z:5.1}  {:6.4}  {:6.4}  {:7.4}  {:7.4}  {:6.2}  {:6.1}",
            sigmoid(z),
            sigmoid_prime(z),
            tanh(z),
            tanh_prime(z),
            relu(z),
            relu_prime(z)
        )?;
    }

    writeln!(
        out,
        "\nSaturation: σ'(z) is at most 0.25, and tiny far out."
    )?;
    for z in [0.0f64, 2.0, 5.0, 10.0] {
        writeln!(out, "  σ'({z:4.1}) = {:.2e}", sigmoid_prime(z))?;
    }
    writeln!(
        out,
        "  Through 10 sigmoid layers the σ' factors alone multiply a \
         gradient by at most 0.25^10 = {:.1e}.",
        0.25f64.powi(10)
    )?;

    let scores = array![3.0, 1.0, 0.2];
    let p = softmax(scores.view());
    writeln!(
        out,
        "\nSoftmax turns scores (3, 1, 0.2) into probabilities \
         ({:.3}, {:.3}, {:.3}), sum {:.3}.",
        p[0],
        p[1],
        p[2],
        p.sum()
    )?;
    let big = array![1000.0, 999.0];
    let naive = naive_softmax(big.view());
    let stable = softmax(big.view());
    writeln!(
        out,
        "  Scores (1000, 999): the textbook formula gives ({}, {}); \
         shifting by the max gives ({:.4}, {:.4}).",
        naive[0], naive[1], stable[0], stable[1]
    )?;

    writeln!(
        out,
        "\nSums of sigmoids approximating a bumpy curve on [0, 1] \
         (RMS error):"
    )?;
    writeln!(out, "  sigmoids   error")?;
    for n in [1, 2, 4, 8, 16, 32] {
        let g = Staircase::fit(target, n);
        let error = rms_error(target, |x| g.eval(x));
        writeln!(out, "  {n:8}   {error:.4}")?;
    }
    Ok(())
}
