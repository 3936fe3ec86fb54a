//! `cargo run -p ch06-backprop`: the chain rule on a chain of neurons,
//! backprop training a network on XOR, and a gradient-check table.

fn main() -> std::process::ExitCode {
    shared::chapter::main(ch06_backprop::CHAPTER)
}
