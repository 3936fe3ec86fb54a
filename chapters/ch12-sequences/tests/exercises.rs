//! Grades this chapter's exercises: your answers in `src/exercises.rs`
//! with `--features my-answers` (what `cargo exercises` runs), else the
//! reference solutions in `solutions/exercises.rs` (what
//! `cargo test --workspace` runs, so every exercise is known solvable).

mod grade;

#[cfg(feature = "my-answers")]
use ch12_sequences::exercises as answers;
#[cfg(not(feature = "my-answers"))]
#[path = "../solutions/exercises.rs"]
mod answers;

#[test]
fn exercise_12_1_bigram_probabilities() {
    grade::bigram_probabilities(answers::bigram_probabilities);
}

#[test]
fn exercise_12_2_lookup_gradient() {
    grade::lookup_gradient(answers::lookup_gradient);
}

#[test]
fn exercise_12_3_rnn_bptt() {
    grade::rnn_bptt(answers::rnn_bptt);
}

#[test]
fn exercise_12_4_softmax_with_temperature() {
    grade::softmax_with_temperature(answers::softmax_with_temperature);
}

#[test]
fn exercise_12_5_clip_gradient() {
    grade::clip_gradient(answers::clip_gradient);
}
