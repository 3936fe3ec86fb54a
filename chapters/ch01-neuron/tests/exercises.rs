//! Grades this chapter's exercises: your answers in `src/exercises.rs`
//! with `--features my-answers` (what `cargo exercises` runs), else the
//! reference solutions in `solutions/exercises.rs` (what
//! `cargo test --workspace` runs, so every exercise is known solvable).

mod grade;

#[cfg(feature = "my-answers")]
use ch01_neuron::exercises as answers;
#[cfg(not(feature = "my-answers"))]
#[path = "../solutions/exercises.rs"]
mod answers;
// The solutions name this chapter's items `crate::…`, as an answer in
// src/exercises.rs does; this glob makes those paths resolve here.
#[cfg(not(feature = "my-answers"))]
use ch01_neuron::*;

#[test]
fn exercise_1_1_weighted_sum() {
    grade::weighted_sum(answers::weighted_sum);
}

#[test]
fn exercise_1_2_and_gate() {
    grade::and_gate(answers::and_gate);
}

#[test]
fn exercise_1_3_sigmoid_gradient() {
    grade::sigmoid_gradient(answers::sigmoid_gradient);
}

#[test]
fn exercise_1_4_xor_network() {
    grade::xor_network(answers::xor_network);
}
