//! `cargo run -p ch07-minibatches`: online, minibatch and full-batch
//! updates compared, and batched backprop checked against per-sample.

fn main() -> std::process::ExitCode {
    shared::chapter::main(ch07_minibatches::CHAPTER)
}
