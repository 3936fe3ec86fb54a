//! The criterion benchmarks live beside this file (`backprop.rs`,
//! `training.rs`, …), one per `[[bench]]` in `Cargo.toml`; run one with
//! `cargo bench --bench NAME`. This library is empty: a package needs a
//! target that `cargo test` may build, and benchmarks are not built by it.
