//! Grades this chapter's exercises: your answers in `src/exercises.rs`
//! with `--features my-answers` (what `cargo exercises` runs), else the
//! reference solutions in `solutions/exercises.rs` (what
//! `cargo test --workspace` runs, so every exercise is known solvable).

mod grade;

#[cfg(feature = "my-answers")]
use ch10_cnn::exercises as answers;
#[cfg(not(feature = "my-answers"))]
#[path = "../solutions/exercises.rs"]
mod answers;

#[test]
fn exercise_10_1_convolve() {
    grade::convolve(answers::convolve);
}

#[test]
fn exercise_10_2_max_pool_gradient() {
    grade::max_pool_gradient(answers::max_pool_gradient);
}

#[test]
fn exercise_10_3_filter_gradient() {
    grade::filter_gradient(answers::filter_gradient);
}
