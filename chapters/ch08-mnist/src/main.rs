//! `cargo run --release -p ch08-mnist`: fetch MNIST, train, evaluate, save;
//! `… -- predict digit.png`; `… -- figures`.

use ch08_mnist::cli::{Cli, run};
use shared::runner::main_of;

fn main() -> std::process::ExitCode {
    main_of("ch08-mnist", |cli: &Cli| cli.threads, run)
}
