//! `cargo run --release` in `chapters/ch14-burn`: the narrated run (Burn
//! loads chapter 8's model, Burn's gradients against ours, the two trained
//! side by side, data parallelism by hand and by Burn).

use ch14_burn::cli::{Cli, run};

fn main() -> std::process::ExitCode {
    shared::runner::main_of("ch14-burn", |cli: &Cli| cli.run.threads, run)
}
