//! The command line of `cargo run --release -p ch11-autodiff`.

use ch08_mnist::Error;
use clap::Parser;

use crate::run::{Scale, narrated};

/// Chapter 11: automatic differentiation. The narrated run: the scalar
/// engine on chapter 6's chain, forward against reverse mode, the tensor
/// engine's gradients against chapters 6 and 7, chapter 8's network
/// trained on MNIST by hand and by the engine, the figures.
#[derive(Debug, Parser)]
#[command(name = "ch11-autodiff", version)]
pub struct Cli {
    /// A short run (5,000 images, 1 epoch; figures to target/ch11-quick/).
    #[arg(long)]
    pub quick: bool,
    /// Write no figures.
    #[arg(long)]
    pub no_figures: bool,
}

/// Runs the command line.
pub fn run(cli: Cli) -> Result<(), Error> {
    let (scale, dir) = match cli.quick {
        true => {
            let dir = shared::figures::workspace_root()
                .join("target")
                .join("ch11-quick");
            std::fs::create_dir_all(&dir)
                .map_err(|e| Error::Other(format!("{}: {e}", dir.display())))?;
            (Scale::QUICK, dir)
        }
        false => (Scale::FULL, shared::figures::book_figures_dir()),
    };
    let dir = (!cli.no_figures).then_some(dir);
    narrated(scale, dir.as_deref())
}
