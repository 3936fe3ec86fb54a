//! Grades this chapter's exercises: your answers in `src/exercises.rs`
//! with `--features my-answers` (what `cargo exercises` runs), else the
//! reference solutions in `solutions/exercises.rs` (what
//! `cargo test --workspace` runs, so every exercise is known solvable).

mod grade;

#[cfg(feature = "my-answers")]
use ch05_gradient_descent::exercises as answers;
#[cfg(not(feature = "my-answers"))]
#[path = "../solutions/exercises.rs"]
mod answers;

#[test]
fn exercise_5_1_central_difference() {
    grade::central_difference(|x, h| {
        answers::central_difference(ch05_gradient_descent::wavy, x, h)
    });
}

#[test]
fn exercise_5_2_descend() {
    grade::descend(answers::descend);
}

#[test]
fn exercise_5_3_logistic_gradient() {
    grade::logistic_gradient(answers::logistic_gradient);
}

#[test]
fn exercise_5_4_learning_rates() {
    grade::learning_rates(answers::learning_rates);
}
