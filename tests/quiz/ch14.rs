//! Chapter 14's numbers. Chapter 14 is a workspace of its own (it builds
//! Burn), so they are computed with the code of the chapters it builds
//! on: chapter 8's network and chapter 6's list of its parameters.

use ch06_backprop::parameters;
use ch08_mnist::Config;
use ch12_sequences::corpus::Corpus;
use ch12_sequences::run::Scale;
use ch13_transformer::model::parameters_of;
use ch13_transformer::run::Setting;
use shared::rng::seeded;

use super::assert_number;

const CHAPTER: &str = "ch14-burn";

#[test]
fn chapter_14_numbers_come_from_its_code() {
    let net = Config::default_run().network::<f32>(&mut seeded(1));
    // 4 asks for Burn's shape of this first layer, our W transposed.
    assert_eq!(net.layers[0].w.dim(), (256, 784));
    // 1: a message of chapter 14's `encode`: 8 bytes of share size, then
    // 4 bytes per parameter (that layout is chapter 14's, not reachable
    // from here; the parameter count is chapter 8's network's).
    let message = 8 + 4 * parameters(&net).len();
    assert_number(CHAPTER, 1, message as f64);
    // 2: the ring all-reduce's 2(K − 1)/K for K = 4: no chapter computes
    // it.
    let k = 4.0;
    assert_number(CHAPTER, 2, 2.0 * (k - 1.0) / k);
    // 5: the same message for chapter 13's Shakespeare GPT, its
    // parameters counted by chapter 13 (85 characters in the corpus).
    let setting = Setting::chapter(Corpus::Shakespeare, Scale::Full);
    let gpt = parameters_of(setting.config(85));
    assert_number(CHAPTER, 5, (8 + 4 * gpt) as f64);
}
