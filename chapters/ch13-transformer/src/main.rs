//! `cargo run --release -p ch13-transformer`: the narrated run (why √d,
//! a GPT on names against chapter 12's GRU, a GPT on Shakespeare in
//! nanoGPT's CPU setting, samples, the KV cache's speed, the figures);
//! `… -- train …`: one GPT with the settings given; `… -- sample …`:
//! write with a saved GPT.

use ch13_transformer::cli::{ABOUT, run};

fn main() -> std::process::ExitCode {
    shared::runner::main_of_chapter("ch13-transformer", ABOUT, run)
}
