//! Chapter 12's numbers, computed with chapter 12's code.

use ch12_sequences::bigram::NeuralBigram;
use ch12_sequences::count::{bigram_probabilities, count_bigrams};
use ch12_sequences::language::Language;
use ch12_sequences::train::clip;
use ndarray::array;

use super::assert_number;

const CHAPTER: &str = "ch12-sequences";

#[test]
fn chapter_12_numbers_come_from_its_code() {
    // 1: the loss of the all-zero logits table (every symbol 1/28), on a
    // window of any three characters.
    let knows_nothing = NeuralBigram::<f64>::new(28);
    let loss = knows_nothing.loss(array![[0], [5], [3]].view());
    assert_number(CHAPTER, 1, loss);
    // 2: P(u | q) with α = 1 when q was followed 22 times, always by u.
    // Tokens as in the names' vocabulary: `.`, `-`, then `a` to `z`.
    let (q, u) = (18, 22);
    let stream: Vec<usize> = (0..22).flat_map(|_| [q, u]).collect();
    let p = bigram_probabilities(count_bigrams(&stream, 28).view(), 1.0);
    assert_number(CHAPTER, 2, p[[u, q]]);
    // 3: the gradient (3, 4) clipped at c = 1.
    let mut g = NeuralBigram {
        w: array![[3.0, 0.0], [4.0, 0.0]],
    };
    let norm = clip(&mut g, 1.0);
    assert_eq!(norm, 5.0);
    assert_number(CHAPTER, 3, g.w[[0, 0]]);
}
