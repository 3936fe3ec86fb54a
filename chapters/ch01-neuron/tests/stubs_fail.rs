//! Proves that every untouched exercise stub fails its grader, so no
//! exercise test passes vacuously (rustlings' "already solved" check).
//!
//! If you have solved an exercise in `src/exercises.rs`, this test tells
//! you so: it guards the stubs as shipped.

mod grade;

use ch01_neuron::exercises;

#[test]
fn untouched_stubs_fail_their_graders() {
    shared::testing::assert_stubs_fail(&[
        ("1.1 weighted_sum", || {
            grade::weighted_sum(exercises::weighted_sum)
        }),
        ("1.2 and_gate", || grade::and_gate(exercises::and_gate)),
        ("1.3 sigmoid_gradient", || {
            grade::sigmoid_gradient(exercises::sigmoid_gradient)
        }),
    ]);
}
