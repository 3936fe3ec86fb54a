//! Chapter 9's numbers, computed with its code.

use ch09_generalisation::regularise::dropout_mask;
use shared::rng::seeded;

use super::assert_number;

const CHAPTER: &str = "ch09-generalisation";

#[test]
fn chapter_9_numbers_come_from_its_code() {
    // The value a kept neuron is multiplied by, read from a mask.
    let mask = dropout_mask::<f64>(10, 10, 0.2, &mut seeded(1));
    let kept = mask.iter().copied().fold(0.0, f64::max);
    assert_number(CHAPTER, 1, kept);
}
