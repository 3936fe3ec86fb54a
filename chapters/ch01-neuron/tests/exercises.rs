//! Grades chapter 1's exercises.
//!
//! - `cargo test -p ch01-neuron --features my-answers --test exercises`
//!   grades *your* answers in `src/exercises.rs`;
//! - without the feature (as in `cargo test --workspace`) it grades the
//!   reference solutions in `src/solutions.rs`.

mod grade;

#[cfg(feature = "my-answers")]
use ch01_neuron::exercises as answers;
#[cfg(not(feature = "my-answers"))]
use ch01_neuron::solutions as answers;

#[test]
fn exercise_1_1_weighted_sum() {
    grade::weighted_sum(answers::weighted_sum);
}

#[test]
fn exercise_1_2_and_gate() {
    grade::and_gate(answers::and_gate);
}

#[test]
fn exercise_1_3_sigmoid_gradient() {
    grade::sigmoid_gradient(answers::sigmoid_gradient);
}
