//! The command line of `cargo run --release -p ch11-autodiff`.

use clap::Parser;
use shared::runner::RunArgs;

use crate::Error;
use crate::run::{Scale, narrated};

/// Chapter 11: automatic differentiation. The narrated run: the scalar
/// engine on chapter 6's chain, forward against reverse mode, the tensor
/// engine's gradients against chapters 6 and 7, chapter 8's network
/// trained on MNIST by hand and by the engine, the figures.
#[derive(Debug, Parser)]
#[command(name = "ch11-autodiff", version)]
pub struct Cli {
    /// --quick (5,000 images, 1 epoch), --no-figures, --threads.
    #[command(flatten)]
    pub run: RunArgs,
}

/// Runs the command line.
pub fn run(cli: Cli) -> Result<(), Error> {
    let scale = match cli.run.quick {
        true => Scale::QUICK,
        false => Scale::FULL,
    };
    narrated(scale, cli.run.figures_dir("ch11")?.as_deref())
}
