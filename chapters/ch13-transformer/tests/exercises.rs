//! Grades this chapter's exercises: your answers in `src/exercises.rs`
//! with `--features my-answers` (what `cargo exercises` runs), else the
//! reference solutions in `solutions/exercises.rs` (what
//! `cargo test --workspace` runs, so every exercise is known solvable).

mod grade;

#[cfg(feature = "my-answers")]
use ch13_transformer::exercises as answers;
#[cfg(not(feature = "my-answers"))]
#[path = "../solutions/exercises.rs"]
mod answers;

#[test]
fn exercise_13_1_causal_softmax() {
    grade::causal_softmax(answers::causal_softmax);
}

#[test]
fn exercise_13_2_attention_backward() {
    grade::attention_backward(answers::attention_backward);
}

#[test]
fn exercise_13_3_layer_norm_backward() {
    grade::layer_norm_backward(answers::layer_norm_backward);
}

#[test]
fn exercise_13_4_top_k() {
    grade::top_k(answers::top_k);
}

#[test]
fn exercise_13_5_learn_merges() {
    grade::learn_merges(answers::learn_merges);
}
