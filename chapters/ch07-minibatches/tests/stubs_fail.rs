//! Proves that every untouched exercise stub fails its grader.

mod grade;

use ch07_minibatches::exercises;

#[test]
fn untouched_stubs_fail_their_graders() {
    shared::testing::assert_stubs_fail(&[
        ("7.1 minibatches", || {
            grade::minibatches(exercises::minibatches)
        }),
        ("7.2 shuffle", || grade::shuffle(exercises::shuffle)),
        ("7.3 batch_weight_gradient", || {
            grade::batch_weight_gradient(exercises::batch_weight_gradient)
        }),
    ]);
}
