//! Grades this chapter's exercises: your answers in `src/exercises.rs`
//! with `--features my-answers` (what `cargo exercises` runs), else the
//! reference solutions in `solutions/exercises.rs` (what this chapter's
//! `cargo test --release` runs, so every exercise is known solvable).

mod grade;

#[cfg(feature = "my-answers")]
use ch14_burn::exercises as answers;
#[cfg(not(feature = "my-answers"))]
#[path = "../solutions/exercises.rs"]
mod answers;

#[test]
fn exercise_14_1_split_gradient() {
    grade::split_gradient(answers::split_gradient);
}

#[test]
fn exercise_14_2_sigmoid_forward() {
    grade::sigmoid_forward(answers::sigmoid_forward);
}

#[test]
fn exercise_14_3_accumulated_step() {
    grade::accumulated_step(answers::accumulated_step);
}
