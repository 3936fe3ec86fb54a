//! `cargo run -p ch04-loss`: targets, the two costs, and what an untrained
//! network's cost means.

fn main() -> std::process::ExitCode {
    shared::chapter::main(ch04_loss::CHAPTER)
}
