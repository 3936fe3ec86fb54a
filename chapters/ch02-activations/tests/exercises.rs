//! Grades chapter 2's exercises: your answers with `--features my-answers`,
//! the reference solutions without.

mod grade;

#[cfg(feature = "my-answers")]
use ch02_activations::exercises as answers;
#[cfg(not(feature = "my-answers"))]
use ch02_activations::solutions as answers;

#[test]
fn exercise_2_1_tanh_from_sigmoid() {
    grade::tanh_from_sigmoid(answers::tanh_from_sigmoid);
}

#[test]
fn exercise_2_2_stable_softmax() {
    grade::stable_softmax(answers::stable_softmax);
}

#[test]
fn exercise_2_3_softmax_jacobian() {
    grade::softmax_jacobian(answers::softmax_jacobian);
}
