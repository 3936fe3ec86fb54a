//! Proves that every untouched exercise stub fails its grader.

mod grade;

use ch05_gradient_descent::exercises;

#[test]
fn untouched_stubs_fail_their_graders() {
    shared::testing::assert_stubs_fail(&[
        ("5.1 central_difference", || {
            grade::central_difference(|x, h| {
                exercises::central_difference(ch05_gradient_descent::wavy, x, h)
            })
        }),
        ("5.2 descend", || grade::descend(exercises::descend)),
        ("5.3 logistic_gradient", || {
            grade::logistic_gradient(exercises::logistic_gradient)
        }),
    ]);
}
