//! Grades chapter 3's exercises: your answers with `--features my-answers`,
//! the reference solutions without.

mod grade;

#[cfg(feature = "my-answers")]
use ch03_forward::exercises as answers;
#[cfg(not(feature = "my-answers"))]
use ch03_forward::solutions as answers;

#[test]
fn exercise_3_1_count_parameters() {
    grade::count_parameters(answers::count_parameters);
}

#[test]
fn exercise_3_2_sigmoid_layer() {
    grade::sigmoid_layer(answers::sigmoid_layer);
}

#[test]
fn exercise_3_3_sigmoid_layer_jacobian() {
    grade::sigmoid_layer_jacobian(answers::sigmoid_layer_jacobian);
}
