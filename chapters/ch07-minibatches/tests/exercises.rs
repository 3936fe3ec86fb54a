//! Grades chapter 7's exercises: your answers with `--features my-answers`,
//! the reference solutions without.

mod grade;

#[cfg(feature = "my-answers")]
use ch07_minibatches::exercises as answers;
#[cfg(not(feature = "my-answers"))]
use ch07_minibatches::solutions as answers;

#[test]
fn exercise_7_1_minibatches() {
    grade::minibatches(answers::minibatches);
}

#[test]
fn exercise_7_2_shuffle() {
    grade::shuffle(answers::shuffle);
}

#[test]
fn exercise_7_3_batch_weight_gradient() {
    grade::batch_weight_gradient(answers::batch_weight_gradient);
}
