//! `cargo run --release -p ch09-generalisation`: the narrated run (every
//! experiment, the ablation, the figures, the model); `… -- train …`: one
//! run with the hyperparameters given.

use ch09_generalisation::cli::{ABOUT, run};

fn main() -> std::process::ExitCode {
    shared::runner::main_of_chapter("ch09-generalisation", ABOUT, run)
}
