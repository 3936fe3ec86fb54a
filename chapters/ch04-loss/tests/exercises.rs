//! Grades chapter 4's exercises: your answers with `--features my-answers`,
//! the reference solutions without.

mod grade;

#[cfg(feature = "my-answers")]
use ch04_loss::exercises as answers;
#[cfg(not(feature = "my-answers"))]
use ch04_loss::solutions as answers;

#[test]
fn exercise_4_1_one_hot() {
    grade::one_hot(answers::one_hot);
}

#[test]
fn exercise_4_2_quadratic_cost() {
    grade::quadratic_cost(answers::quadratic_cost);
}

#[test]
fn exercise_4_3_softmax_cross_entropy_gradient() {
    grade::softmax_cross_entropy_gradient(
        answers::softmax_cross_entropy_gradient,
    );
}
