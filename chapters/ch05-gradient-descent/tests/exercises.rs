//! Grades chapter 5's exercises: your answers with `--features my-answers`,
//! the reference solutions without.

mod grade;

#[cfg(feature = "my-answers")]
use ch05_gradient_descent::exercises as answers;
#[cfg(not(feature = "my-answers"))]
use ch05_gradient_descent::solutions as answers;

#[test]
fn exercise_5_1_central_difference() {
    grade::central_difference(|x, h| {
        answers::central_difference(ch05_gradient_descent::wavy, x, h)
    });
}

#[test]
fn exercise_5_2_descend() {
    grade::descend(answers::descend);
}

#[test]
fn exercise_5_3_logistic_gradient() {
    grade::logistic_gradient(answers::logistic_gradient);
}
