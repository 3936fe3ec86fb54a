//! `cargo run --release -p ch10-cnn`: the narrated run (convolution and
//! pooling by hand, gradient checks, MNIST training, the figures and the
//! model); `… -- train …`: one run with the settings given; `… --
//! predict IMAGE`: read a digit with the saved network.

use ch10_cnn::cli::{ABOUT, run};

fn main() -> std::process::ExitCode {
    shared::runner::main_of_chapter("ch10-cnn", ABOUT, run)
}
