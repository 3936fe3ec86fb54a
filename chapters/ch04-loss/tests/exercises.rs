//! Grades this chapter's exercises: your answers in `src/exercises.rs`
//! with `--features my-answers` (what `cargo exercises` runs), else the
//! reference solutions in `solutions/exercises.rs` (what
//! `cargo test --workspace` runs, so every exercise is known solvable).

mod grade;

#[cfg(feature = "my-answers")]
use ch04_loss::exercises as answers;
#[cfg(not(feature = "my-answers"))]
#[path = "../solutions/exercises.rs"]
mod answers;

#[test]
fn exercise_4_1_one_hot() {
    grade::one_hot(answers::one_hot);
}

#[test]
fn exercise_4_2_quadratic_cost() {
    grade::quadratic_cost(answers::quadratic_cost);
}

#[test]
fn exercise_4_3_softmax_cross_entropy_gradient() {
    grade::softmax_cross_entropy_gradient(
        answers::softmax_cross_entropy_gradient,
    );
}

#[test]
fn exercise_4_4_softmax_quadratic_gradient() {
    grade::softmax_quadratic_gradient(answers::softmax_quadratic_gradient);
}
