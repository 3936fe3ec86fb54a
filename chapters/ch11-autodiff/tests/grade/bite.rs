//! Each grader rejects a plausible wrong answer, so a pass means something.
//! Compiled into the graders' own test binary (`--test exercises`), except
//! when grading your answers.
//! (That every shipped stub fails is checked by `cargo exercises verify`,
//! in `.ci/run`: here it would fail as soon as a learner solved one.)

use crate::grade;

use ch11_autodiff::tensor::Op;
use ndarray::{Array2, Zip};
use shared::testing::assert_graders_reject;

/// exp with the backward rule g ⊙ x: the derivative of x²/2, not of eˣ.
struct ExpTimesX;

impl Op<f64> for ExpTimesX {
    fn name(&self) -> &'static str {
        "exp"
    }
    fn forward(&self, x: &[&Array2<f64>]) -> Array2<f64> {
        x[0].mapv(f64::exp)
    }
    fn backward(
        &self,
        _: usize,
        x: &[&Array2<f64>],
        _: &Array2<f64>,
        g: &Array2<f64>,
    ) -> Array2<f64> {
        g * x[0]
    }
}

/// max that hands the whole gradient to both inputs.
struct MaxToBoth;

impl Op<f64> for MaxToBoth {
    fn name(&self) -> &'static str {
        "max"
    }
    fn forward(&self, x: &[&Array2<f64>]) -> Array2<f64> {
        Zip::from(x[0]).and(x[1]).map_collect(|&a, &b| a.max(b))
    }
    fn backward(
        &self,
        _: usize,
        _: &[&Array2<f64>],
        _: &Array2<f64>,
        g: &Array2<f64>,
    ) -> Array2<f64> {
        g.clone()
    }
}

/// SiLU that forgets the product rule: σ'(x) alone, times x.
struct SiluWithoutProductRule;

impl Op<f64> for SiluWithoutProductRule {
    fn name(&self) -> &'static str {
        "SiLU"
    }
    fn forward(&self, x: &[&Array2<f64>]) -> Array2<f64> {
        x[0].mapv(|x| x * ch02_activations::sigmoid(x))
    }
    fn backward(
        &self,
        _: usize,
        x: &[&Array2<f64>],
        _: &Array2<f64>,
        g: &Array2<f64>,
    ) -> Array2<f64> {
        g * &x[0].mapv(|x| x * ch02_activations::sigmoid_prime(x))
    }
}

#[test]
fn graders_reject_plausible_wrong_answers() {
    assert_graders_reject(&[
        ("exp whose backward rule multiplies by x", || {
            grade::exp(&ExpTimesX)
        }),
        ("max that sends the gradient to both inputs", || {
            grade::maximum(&MaxToBoth)
        }),
        ("SiLU without the product rule", || {
            grade::silu(&SiluWithoutProductRule)
        }),
        ("broken::Silu, as shipped", || {
            grade::silu(&ch11_autodiff::broken::Silu)
        }),
    ]);
}
