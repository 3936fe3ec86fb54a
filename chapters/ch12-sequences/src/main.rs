//! `cargo run --release -p ch12-sequences`: the narrated run (counting,
//! the neural bigram, the MLP, the RNN and the GRU on names and on
//! Shakespeare; the gradient through time; samples; the table and the
//! figures); `… -- train …`: one model with the settings given; `… --
//! sample …`: write with a saved model.

use ch12_sequences::cli::{ABOUT, run};

fn main() -> std::process::ExitCode {
    shared::runner::main_of_chapter("ch12-sequences", ABOUT, run)
}
