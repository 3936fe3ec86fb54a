//! `cargo run -p ch05-gradient-descent`: finite differences, descent paths,
//! and a sigmoid neuron learning to separate two clouds of points.

fn main() -> std::process::ExitCode {
    shared::chapter::main(ch05_gradient_descent::CHAPTER)
}
