//! Grades this chapter's exercises: your answers in `src/exercises.rs`
//! with `--features my-answers` (what `cargo exercises` runs), else the
//! reference solutions in `solutions/exercises.rs` (what
//! `cargo test --workspace` runs, so every exercise is known solvable).

mod grade;

#[cfg(feature = "my-answers")]
use ch06_backprop::exercises as answers;
#[cfg(not(feature = "my-answers"))]
#[path = "../solutions/exercises.rs"]
mod answers;
// The solutions name this chapter's items `crate::…`, as an answer in
// src/exercises.rs does; this glob makes those paths resolve here.
#[cfg(not(feature = "my-answers"))]
use ch06_backprop::*;

#[test]
fn exercise_6_1_last_weight_gradient() {
    grade::last_weight_gradient(answers::last_weight_gradient);
}

#[test]
fn exercise_6_2_output_error() {
    grade::output_error(answers::output_error);
}

#[test]
fn exercise_6_3_hidden_error() {
    grade::hidden_error(answers::hidden_error);
}

#[test]
fn exercise_6_4_backprop() {
    grade::backprop(answers::backprop);
}
