//! Proves that every untouched exercise stub fails its grader.

mod grade;

use ch06_backprop::exercises;

#[test]
fn untouched_stubs_fail_their_graders() {
    shared::testing::assert_stubs_fail(&[
        ("6.1 last_weight_gradient", || {
            grade::last_weight_gradient(exercises::last_weight_gradient)
        }),
        ("6.2 output_error", || {
            grade::output_error(exercises::output_error)
        }),
        ("6.3 hidden_error", || {
            grade::hidden_error(exercises::hidden_error)
        }),
    ]);
}
