//! `cargo run -p ch01-neuron`: the umbrella neuron, the edge detector, and
//! the chapter's figures.

fn main() -> std::process::ExitCode {
    shared::chapter::main(ch01_neuron::CHAPTER)
}
