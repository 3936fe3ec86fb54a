//! Proves that every untouched exercise stub fails its grader.

mod grade;

use ch08_mnist::exercises;

#[test]
fn untouched_stubs_fail_their_graders() {
    shared::testing::assert_stubs_fail(&[
        ("8.1 accuracy", || grade::accuracy(exercises::accuracy)),
        ("8.2 momentum_step", || {
            grade::momentum_step(exercises::momentum_step)
        }),
        ("8.3 center_of_mass", || {
            grade::center_of_mass(exercises::center_of_mass)
        }),
    ]);
}
