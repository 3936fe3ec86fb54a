//! `cargo run -p ch03-forward`: the coat example, parameter counting, and an
//! image through the (untrained) 784-16-16-10 network.

fn main() -> std::process::ExitCode {
    shared::chapter::main(ch03_forward::CHAPTER)
}
