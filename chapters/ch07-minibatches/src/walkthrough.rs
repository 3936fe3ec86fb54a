//! The narrated walk-through that `cargo run -p ch07-minibatches` prints.

use std::io::{self, Write};

use shared::rng::{DEFAULT_SEED, normal_array, seeded};

use crate::compare::{EPOCHS, ETA, N, update_frequencies};
use crate::{
    Activation, Cost, Gradients, Init, Network, backprop, backprop_batch,
};

/// Prints the chapter's walk-through.
pub fn print(out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "Chapter 7: minibatches\n")?;
    writeln!(
        out,
        "Update frequencies on {N} XOR points, 2-8-8-2, η = {ETA}, \
         {EPOCHS} epochs, shuffled with seed {DEFAULT_SEED}:"
    )?;
    writeln!(
        out,
        "  batch size   updates   loss after 1, 10, {EPOCHS} epochs"
    )?;
    for curve in update_frequencies() {
        let name = match curve.batch_size {
            1 => "1 (online)".to_string(),
            b if b == N => format!("{b} (full)"),
            b => format!("{b} (mini)"),
        };
        writeln!(
            out,
            "  {name:<11} {:8}   {:.4}  {:.4}  {:.4}",
            curve.updates[EPOCHS],
            curve.losses[1],
            curve.losses[10],
            curve.losses[EPOCHS]
        )?;
    }
    writeln!(
        out,
        "  Per epoch, smaller batches get further: more steps. But a single \
         sample is a noisy\n  guide: online learning at this η keeps \
         bouncing, while the full batch creeps.\n"
    )?;

    let mut rng = seeded(DEFAULT_SEED);
    let net = Network::<f64>::new(
        &[784, 30, 10],
        Activation::Sigmoid,
        Activation::Softmax,
        Init::Scaled,
        &mut rng,
    )
    .expect("valid sizes");
    let x = normal_array(&mut rng, (784, 32), 1.0);
    let y = normal_array(&mut rng, (10, 32), 1.0).mapv(f64::abs);
    let mut mean = Gradients::zeros_like(&net);
    for (xk, yk) in x.columns().into_iter().zip(y.columns()) {
        mean.add_scaled(1.0 / 32.0, &backprop(&net, xk, yk, Cost::Quadratic));
    }
    let batched = backprop_batch(&net, x.view(), y.view(), Cost::Quadratic);
    let a = ch06_backprop::flatten(&batched);
    let b = ch06_backprop::flatten(&mean);
    let scale = b.iter().fold(0.0f64, |s, g| s.max(g.abs()));
    let worst = a
        .iter()
        .zip(&b)
        .fold(0.0f64, |w, (p, q)| w.max((p - q).abs()));
    let verdict = if worst / scale <= 1e-10 {
        "equals"
    } else {
        "DIFFERS FROM"
    };
    writeln!(
        out,
        "784-30-10, a minibatch of 32 as one 784×32 matrix: the batched \
         gradient {verdict}\n  the mean of 32 per-sample backprops \
         (to within 1e-10 of the largest entry), {} numbers.",
        a.len()
    )?;
    Ok(())
}
