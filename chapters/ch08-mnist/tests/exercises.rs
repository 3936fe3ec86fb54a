//! Grades this chapter's exercises: your answers in `src/exercises.rs`
//! with `--features my-answers` (what `cargo exercises` runs), else the
//! reference solutions in `solutions/exercises.rs` (what
//! `cargo test --workspace` runs, so every exercise is known solvable).

mod grade;

#[cfg(feature = "my-answers")]
use ch08_mnist::exercises as answers;
#[cfg(not(feature = "my-answers"))]
#[path = "../solutions/exercises.rs"]
mod answers;
// The solutions name this chapter's items `crate::…`, as an answer in
// src/exercises.rs does; this glob makes those paths resolve here.
#[cfg(not(feature = "my-answers"))]
use ch08_mnist::*;

#[test]
fn exercise_8_1_accuracy() {
    grade::accuracy(answers::accuracy);
}

#[test]
fn exercise_8_2_momentum_step() {
    grade::momentum_step(answers::momentum_step);
}

#[test]
fn exercise_8_3_center_of_mass() {
    grade::center_of_mass(answers::center_of_mass);
}

#[test]
#[ignore = "trains on MNIST (fetched on first use): graded by \
            `cargo exercises check 8.4`, and in .ci/run"]
fn exercise_8_4_small_network() {
    grade::small_network(answers::small_network, answers::PARAMETER_BUDGET);
}
