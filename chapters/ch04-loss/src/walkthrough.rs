//! The narrated walk-through that `cargo run -p ch04-loss` prints.

use std::io::{self, Write};

use ndarray::{Array1, array};
use shared::rng::{DEFAULT_SEED, Rng, seeded, uniform};

use crate::{
    Cost, one_hot, quadratic_cost, sigmoid_cross_entropy_dz,
    sigmoid_quadratic_dz, softmax, softmax_cross_entropy,
};
use ch03_forward::{Activation, Init, Network};

/// `n` random 784-pixel inputs with random labels: stand-ins for images
/// until chapter 8 loads real ones.
pub fn random_samples(rng: &mut Rng, n: usize) -> Vec<(Array1<f64>, usize)> {
    (0..n)
        .map(|_| {
            let x =
                Array1::from_shape_simple_fn(784, || uniform(rng, 0.0, 1.0));
            let label = (uniform(rng, 0.0, 10.0) as usize).min(9);
            (x, label)
        })
        .collect()
}

/// The untrained 784-16-16-10 network with the given output activation.
pub fn untrained(output: Activation) -> Network<f64> {
    Network::new(
        &[784, 16, 16, 10],
        Activation::Sigmoid,
        output,
        Init::Scaled,
        &mut seeded(DEFAULT_SEED),
    )
    .expect("valid sizes")
}

/// The average cost of `net` over `samples`.
pub fn average_cost(
    net: &Network<f64>,
    cost: Cost,
    samples: &[(Array1<f64>, usize)],
) -> f64 {
    let total: f64 = samples
        .iter()
        .map(|(x, label)| {
            let y = one_hot(*label, 10).expect("labels are digits");
            cost.value(net.feedforward(x.view()).view(), y.view())
        })
        .sum();
    total / samples.len() as f64
}

/// Prints the chapter's walk-through.
pub fn print(out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "Chapter 4: loss\n")?;
    let y: Array1<f64> = one_hot(3, 10).expect("3 is a digit");
    writeln!(out, "The target for the digit 3 (one-hot): {y}")?;

    let a = array![0.1, 0.2, 0.1, 0.6, 0.0, 0.3, 0.1, 0.0, 0.2, 0.1];
    writeln!(out, "An output that half-believes 3:    {a}")?;
    writeln!(
        out,
        "  quadratic cost ½‖y − a‖² = {:.3}; its gradient a − y = {}",
        quadratic_cost(a.view(), y.view()),
        Cost::Quadratic.gradient(a.view(), y.view())
    )?;

    let z = array![0.5, 1.0, 0.2, 2.5, -1.0, 1.2, 0.0, -0.5, 0.8, 0.3];
    let p = softmax(z.view());
    writeln!(
        out,
        "Softmax of scores z gives p(3) = {:.3}; \
         cross-entropy −ln p(3) = {:.3}",
        p[3],
        softmax_cross_entropy(z.view(), y.view())
    )?;
    for prob in [0.99, 0.5, 0.1, 0.01] {
        writeln!(
            out,
            "  if p(true digit) = {prob:<4}: cross-entropy = {:.3}",
            -f64::ln(prob)
        )?;
    }

    let samples = random_samples(&mut seeded(DEFAULT_SEED), 1000);
    let sigmoid_net = untrained(Activation::Sigmoid);
    let softmax_net = untrained(Activation::Softmax);
    writeln!(
        out,
        "\nThe untrained 784-16-16-10 network on 1000 random images:"
    )?;
    writeln!(
        out,
        "  sigmoid outputs, quadratic cost: {:.3} on average \
         (all outputs 0.5 would give 1.250; perfect is 0)",
        average_cost(&sigmoid_net, Cost::Quadratic, &samples)
    )?;
    writeln!(
        out,
        "  softmax outputs, cross-entropy:  {:.3} on average \
         (a uniform guess gives ln 10 = {:.3})",
        average_cost(&softmax_net, Cost::CrossEntropy, &samples),
        10f64.ln()
    )?;

    writeln!(
        out,
        "\nA sigmoid output that should be 0 (y = 0), ever more wrong:"
    )?;
    writeln!(
        out,
        "      z       a   ∂C/∂z quadratic   ∂C/∂z cross-entropy"
    )?;
    for z in [0.0, 2.0, 4.0, 6.0, 8.0] {
        writeln!(
            out,
            "  {z:5.1}  {:.4}   {:15.5}   {:19.5}",
            ch02_activations::sigmoid(z),
            sigmoid_quadratic_dz(z, 0.0),
            sigmoid_cross_entropy_dz(z, 0.0)
        )?;
    }
    writeln!(
        out,
        "  The quadratic cost's gradient fades as the neuron gets more \
         wrong; cross-entropy's grows."
    )?;
    Ok(())
}
