//! Grades this chapter's exercises: your answers in `src/exercises.rs`
//! with `--features my-answers` (what `cargo exercises` runs), else the
//! reference solutions in `solutions/exercises.rs` (what
//! `cargo test --workspace` runs, so every exercise is known solvable).

mod grade;

#[cfg(feature = "my-answers")]
use ch02_activations::exercises as answers;
#[cfg(not(feature = "my-answers"))]
#[path = "../solutions/exercises.rs"]
mod answers;
// The solutions name this chapter's items `crate::…`, as an answer in
// src/exercises.rs does; this glob makes those paths resolve here.
#[cfg(not(feature = "my-answers"))]
use ch02_activations::*;

#[test]
fn exercise_2_1_tanh_from_sigmoid() {
    grade::tanh_from_sigmoid(answers::tanh_from_sigmoid);
}

#[test]
fn exercise_2_2_stable_softmax() {
    grade::stable_softmax(answers::stable_softmax);
}

#[test]
fn exercise_2_3_softmax_jacobian() {
    grade::softmax_jacobian(answers::softmax_jacobian);
}

#[test]
fn exercise_2_4_relu_interpolant() {
    grade::relu_interpolant(answers::relu_interpolant);
}
