//! Grades this chapter's exercises: your answers in `src/exercises.rs`
//! with `--features my-answers` (what `cargo exercises` runs), else the
//! reference solutions in `solutions/exercises.rs` (what
//! `cargo test --workspace` runs, so every exercise is known solvable).

mod grade;

#[cfg(feature = "my-answers")]
use ch09_generalisation::exercises as answers;
#[cfg(not(feature = "my-answers"))]
#[path = "../solutions/exercises.rs"]
mod answers;
// The solutions name this chapter's items `crate::…`, as an answer in
// src/exercises.rs does; this glob makes those paths resolve here.
#[cfg(not(feature = "my-answers"))]
use ch09_generalisation::*;

#[test]
fn exercise_9_1_inverted_dropout() {
    grade::inverted_dropout(answers::inverted_dropout);
}

#[test]
fn exercise_9_2_shift_image() {
    grade::shift_image(answers::shift_image);
}

#[test]
fn exercise_9_3_adam_step() {
    grade::adam_step(answers::adam_step);
}

#[test]
#[ignore = "trains on MNIST (fetched on first use): graded by \
            `cargo exercises check 9.4`, and in .ci/run"]
fn exercise_9_4_tame_overfitting() {
    grade::tame_overfitting(answers::tame_overfitting, answers::TAMED);
}
