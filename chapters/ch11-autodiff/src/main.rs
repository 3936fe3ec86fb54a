//! `cargo run --release -p ch11-autodiff`: the narrated run (the scalar
//! engine on chapter 6's chain, forward against reverse mode, the tensor
//! engine's gradients against chapters 6 and 7, and MNIST trained by the
//! engine beside chapter 8's hand-written backprop).

use ch11_autodiff::cli::{Cli, run};

fn main() -> std::process::ExitCode {
    shared::runner::main_of("ch11-autodiff", |cli: &Cli| cli.run.threads, run)
}
