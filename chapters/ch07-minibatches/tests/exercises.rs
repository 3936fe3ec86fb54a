//! Grades this chapter's exercises: your answers in `src/exercises.rs`
//! with `--features my-answers` (what `cargo exercises` runs), else the
//! reference solutions in `solutions/exercises.rs` (what
//! `cargo test --workspace` runs, so every exercise is known solvable).

mod grade;

#[cfg(feature = "my-answers")]
use ch07_minibatches::exercises as answers;
#[cfg(not(feature = "my-answers"))]
#[path = "../solutions/exercises.rs"]
mod answers;
// The solutions name this chapter's items `crate::…`, as an answer in
// src/exercises.rs does; this glob makes those paths resolve here.
#[cfg(not(feature = "my-answers"))]
use ch07_minibatches::*;

#[test]
fn exercise_7_1_minibatches() {
    grade::minibatches(answers::minibatches);
}

#[test]
fn exercise_7_2_shuffle() {
    grade::shuffle(answers::shuffle);
}

#[test]
fn exercise_7_3_batch_weight_gradient() {
    grade::batch_weight_gradient(answers::batch_weight_gradient);
}

#[test]
fn exercise_7_4_train_epoch() {
    grade::train_epoch(answers::train_epoch);
}
