//! The command line of `cargo run --release` in `chapters/ch14-burn`.

use clap::Parser;

use crate::Error;
use crate::run::{Scale, narrated};

/// Chapter 14: chapter 8's network on Burn. The narrated run: Burn loads
/// chapter 8's model (same answers), Burn's autodiff against chapter 7's
/// backprop (same gradients), chapter 8's recipe trained by both side by
/// side, and data-parallel training by hand and by Burn.
#[derive(Debug, Parser)]
#[command(name = "ch14-burn", version)]
pub struct Cli {
    /// A short run (5,000 images, 1 epoch, chapter 8's quick model;
    /// figure to target/ch14-quick/).
    #[arg(long)]
    pub quick: bool,
    /// Write no figures.
    #[arg(long)]
    pub no_figures: bool,
    /// Workers for the data-parallel epoch (1 to 64).
    #[arg(long, default_value_t = 2,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub workers: u16,
    /// Run as the second process of section 5, connecting to rank 0 at
    /// this address (the run starts it itself).
    #[arg(long, hide = true, value_name = "ADDRESS")]
    pub worker_of: Option<String>,
}

/// Runs the command line.
pub fn run(cli: Cli) -> Result<(), Error> {
    if let Some(address) = &cli.worker_of {
        return crate::run::worker(address);
    }
    let (scale, dir) = match cli.quick {
        true => {
            let dir = shared::figures::workspace_root()
                .join("target")
                .join("ch14-quick");
            std::fs::create_dir_all(&dir)
                .map_err(|e| Error::Other(format!("{}: {e}", dir.display())))?;
            (Scale::QUICK, dir)
        }
        false => (Scale::FULL, shared::figures::book_figures_dir()),
    };
    let dir = (!cli.no_figures).then_some(dir);
    narrated(scale, usize::from(cli.workers), dir.as_deref())
}
