//! Grades chapter 8's exercises: your answers with `--features my-answers`,
//! the reference solutions without.

mod grade;

#[cfg(feature = "my-answers")]
use ch08_mnist::exercises as answers;
#[cfg(not(feature = "my-answers"))]
use ch08_mnist::solutions as answers;

#[test]
fn exercise_8_1_accuracy() {
    grade::accuracy(answers::accuracy);
}

#[test]
fn exercise_8_2_momentum_step() {
    grade::momentum_step(answers::momentum_step);
}

#[test]
fn exercise_8_3_center_of_mass() {
    grade::center_of_mass(answers::center_of_mass);
}
