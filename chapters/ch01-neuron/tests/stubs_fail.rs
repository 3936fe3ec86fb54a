//! Proves that every untouched exercise stub fails its grader, so no
//! exercise test passes vacuously (rustlings' "already solved" check).
//!
//! If you have solved an exercise in `src/exercises.rs`, this test tells
//! you so: it guards the stubs as shipped.

mod grade;

use ch01_neuron::exercises;

#[test]
fn untouched_stubs_fail_their_graders() {
    let checks: [(&str, fn()); 3] = [
        ("1.1 weighted_sum", || {
            grade::weighted_sum(exercises::weighted_sum)
        }),
        ("1.2 and_gate", || grade::and_gate(exercises::and_gate)),
        ("1.3 sigmoid_gradient", || {
            grade::sigmoid_gradient(exercises::sigmoid_gradient)
        }),
    ];
    // The stubs panic on purpose; keep their messages out of the output.
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
