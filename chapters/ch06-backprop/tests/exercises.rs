//! Grades chapter 6's exercises: your answers with `--features my-answers`,
//! the reference solutions without.

mod grade;

#[cfg(feature = "my-answers")]
use ch06_backprop::exercises as answers;
#[cfg(not(feature = "my-answers"))]
use ch06_backprop::solutions as answers;

#[test]
fn exercise_6_1_last_weight_gradient() {
    grade::last_weight_gradient(answers::last_weight_gradient);
}

#[test]
fn exercise_6_2_output_error() {
    grade::output_error(answers::output_error);
}

#[test]
fn exercise_6_3_hidden_error() {
    grade::hidden_error(answers::hidden_error);
}
