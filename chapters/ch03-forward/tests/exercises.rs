//! Grades this chapter's exercises: your answers in `src/exercises.rs`
//! with `--features my-answers` (what `cargo exercises` runs), else the
//! reference solutions in `solutions/exercises.rs` (what
//! `cargo test --workspace` runs, so every exercise is known solvable).

mod grade;

#[cfg(feature = "my-answers")]
use ch03_forward::exercises as answers;
#[cfg(not(feature = "my-answers"))]
#[path = "../solutions/exercises.rs"]
mod answers;
// The solutions name this chapter's items `crate::…`, as an answer in
// src/exercises.rs does; this glob makes those paths resolve here.
#[cfg(not(feature = "my-answers"))]
use ch03_forward::*;

#[test]
fn exercise_3_1_count_parameters() {
    grade::count_parameters(answers::count_parameters);
}

#[test]
fn exercise_3_2_sigmoid_layer() {
    grade::sigmoid_layer(answers::sigmoid_layer);
}

#[test]
fn exercise_3_3_sigmoid_layer_jacobian() {
    grade::sigmoid_layer_jacobian(answers::sigmoid_layer_jacobian);
}

#[test]
fn exercise_3_4_inside_square() {
    grade::inside_square(answers::inside_square);
}
