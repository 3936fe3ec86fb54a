//! Grades this chapter's exercises: your answers in `src/exercises.rs`
//! with `--features my-answers` (what `cargo exercises` runs), else the
//! reference solutions in `solutions/exercises.rs` (what
//! `cargo test --workspace` runs, so every exercise is known solvable).

mod grade;

#[cfg(feature = "my-answers")]
use ch11_autodiff::exercises as answers;
#[cfg(not(feature = "my-answers"))]
#[path = "../solutions/exercises.rs"]
mod answers;

#[test]
fn exercise_11_1_exp() {
    grade::exp(&answers::exp());
}

#[test]
fn exercise_11_2_maximum() {
    grade::maximum(&answers::maximum());
}

#[test]
fn exercise_11_3_silu() {
    grade::silu(&answers::silu());
}
