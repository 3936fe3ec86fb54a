//! `cargo run -p ch02-activations`: the four activation functions, their
//! derivatives, saturation, and sigmoids adding up to any curve.

fn main() -> std::process::ExitCode {
    shared::chapter::main(ch02_activations::CHAPTER)
}
