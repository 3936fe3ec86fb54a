//! Proves that every untouched exercise stub fails its grader.

mod grade;

use ch02_activations::exercises;

#[test]
fn untouched_stubs_fail_their_graders() {
    let checks: [(&str, fn()); 3] = [
        ("2.1 tanh_from_sigmoid", || {
            grade::tanh_from_sigmoid(exercises::tanh_from_sigmoid)
        }),
        ("2.2 stable_softmax", || {
            grade::stable_softmax(exercises::stable_softmax)
        }),
        ("2.3 softmax_jacobian", || {
            grade::softmax_jacobian(exercises::softmax_jacobian)
        }),
    ];
    std::panic::set_hook(Box::new(|_| {}));
    let passing: Vec<&str> = checks
        .iter()
        .filter(|(_, check)| std::panic::catch_unwind(check).is_ok())
        .map(|(name, _)| *name)
        .collect();
    let _ = std::panic::take_hook();
    assert!(
        passing.is_empty(),
        "exercise stubs that pass their grader (solved already?): {passing:?}"
    );
}
