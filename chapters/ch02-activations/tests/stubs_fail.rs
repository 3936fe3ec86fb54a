//! Proves that every untouched exercise stub fails its grader.

mod grade;

use ch02_activations::exercises;

#[test]
fn untouched_stubs_fail_their_graders() {
    shared::testing::assert_stubs_fail(&[
        ("2.1 tanh_from_sigmoid", || {
            grade::tanh_from_sigmoid(exercises::tanh_from_sigmoid)
        }),
        ("2.2 stable_softmax", || {
            grade::stable_softmax(exercises::stable_softmax)
        }),
        ("2.3 softmax_jacobian", || {
            grade::softmax_jacobian(exercises::softmax_jacobian)
        }),
    ]);
}
