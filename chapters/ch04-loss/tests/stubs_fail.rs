//! Proves that every untouched exercise stub fails its grader.

mod grade;

use ch04_loss::exercises;

#[test]
fn untouched_stubs_fail_their_graders() {
    shared::testing::assert_stubs_fail(&[
        ("4.1 one_hot", || grade::one_hot(exercises::one_hot)),
        ("4.2 quadratic_cost", || {
            grade::quadratic_cost(exercises::quadratic_cost)
        }),
        ("4.3 softmax_cross_entropy_gradient", || {
            grade::softmax_cross_entropy_gradient(
                exercises::softmax_cross_entropy_gradient,
            )
        }),
    ]);
}
