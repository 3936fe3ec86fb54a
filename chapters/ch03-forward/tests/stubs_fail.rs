//! Proves that every untouched exercise stub fails its grader.

mod grade;

use ch03_forward::exercises;

#[test]
fn untouched_stubs_fail_their_graders() {
    shared::testing::assert_stubs_fail(&[
        ("3.1 count_parameters", || {
            grade::count_parameters(exercises::count_parameters)
        }),
        ("3.2 sigmoid_layer", || {
            grade::sigmoid_layer(exercises::sigmoid_layer)
        }),
        ("3.3 sigmoid_layer_jacobian", || {
            grade::sigmoid_layer_jacobian(exercises::sigmoid_layer_jacobian)
        }),
    ]);
}
