//! Chapter 13's GPT in Burn: the file chapter 13 writes, read by Burn's
//! store, gives chapter 13's logits.

use burn::prelude::*;
use ch12_sequences::corpus::{Corpus, Vocab};
use ch12_sequences::language::{Language, draw_windows};
use ch13_transformer::gpt::{Config, Gpt};
use ch13_transformer::model::{Saved, save};
use ch14_burn::compare::max_difference;
use ch14_burn::gpt::{burn_gradient, burn_logits, load};
use shared::rng::{normal_array, seeded};

const CONFIG: Config = Config {
    vocab: 7,
    block: 8,
    layers: 2,
    heads: 2,
    width: 16,
};

/// A small random GPT, its LayerNorm gains and biases moved off 1 and 0
/// so that every parameter matters, saved by chapter 13.
fn saved_model(name: &str) -> (Gpt<f32>, std::path::PathBuf) {
    let mut rng = seeded(3);
    let mut gpt = Gpt::<f32>::new(CONFIG, &mut rng);
    for p in gpt.parameters_mut() {
        *p += &normal_array(&mut rng, p.raw_dim(), 0.3).mapv(|x| x as f32);
    }
    let saved = Saved {
        corpus: Corpus::Names,
        vocab: Vocab::new("._abcde".chars().collect()).expect("symbols"),
        merges: Vec::new(),
        gpt: gpt.clone(),
    };
    let dir = std::env::temp_dir()
        .join(format!("nnfs-ch14-gpt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let path = dir.join(name);
    save(&saved, &path).expect("saved");
    (gpt, path)
}

#[test]
fn burn_reads_chapter_13s_file_and_gives_its_logits() {
    let (ours, path) = saved_model("gpt.safetensors");
    let device = Device::default();
    let (gpt, saved) = load(&path, &device).expect("Burn reads it");
    assert_eq!(saved.gpt, ours);
    let stream: Vec<usize> = (0..200).map(|i| (i * 5 + i / 3) % 7).collect();
    let windows = draw_windows(&stream, CONFIG.block, 3, &mut seeded(4));
    let (z, _) = ours.forward(windows.view());
    let theirs = burn_logits(&gpt, windows.view(), &device);
    assert_eq!(z.dim(), theirs.dim());
    let worst = max_difference(&z, &theirs);
    let largest = z.iter().fold(0.0f32, |w, x| w.max(x.abs()));
    assert!(largest > 1.0, "the logits are too small to test: {largest}");
    assert!(worst < 1e-4, "logits differ by up to {worst}");
    println!("worst difference {worst:.1e} (largest logit {largest:.2})");
    // The comparison can fail: one gain of the last LayerNorm off by 1 %
    // moves the logits by more than the tolerance.
    let mut slipped = ours.clone();
    slipped.lnf_gain[[0, 0]] *= 1.01;
    let (z, _) = slipped.forward(windows.view());
    assert!(max_difference(&z, &theirs) > 1e-4);
    std::fs::remove_file(&path).expect("removed");
}

#[test]
fn burns_autodiff_gives_chapter_13s_gradient() {
    let (ours, path) = saved_model("gradient.safetensors");
    let device = Device::default().autodiff();
    let (gpt, _) = load(&path, &device).expect("Burn reads it");
    let stream: Vec<usize> = (0..200).map(|i| (i * 3 + i / 5) % 7).collect();
    let windows = draw_windows(&stream, CONFIG.block + 1, 4, &mut seeded(6));
    let (loss, g) = ours.loss_and_gradient(windows.view());
    let (burn_loss, burn_g) = burn_gradient(&gpt, windows.view(), &device);
    assert!(
        (loss - burn_loss).abs() < 1e-5,
        "{loss} against {burn_loss}"
    );
    let mut worst = 0.0f32;
    for (a, b) in g.parameters().into_iter().zip(burn_g.parameters()) {
        let largest = a.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        let off = max_difference(a, b);
        assert!(off <= 1e-4 * largest.max(1e-3), "{off} of {largest}");
        worst = worst.max(off);
    }
    println!(
        "loss {loss} and {burn_loss}; worst gradient difference {worst:.1e}"
    );
    std::fs::remove_file(&path).expect("removed");
}

#[test]
fn a_file_that_is_not_a_gpt_is_refused_in_one_line() {
    let dir = std::env::temp_dir()
        .join(format!("nnfs-ch14-gpt-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let path = dir.join("not-a-gpt.safetensors");
    std::fs::write(&path, b"\x08\0\0\0\0\0\0\0{\"a\":1}").expect("written");
    let error = load(&path, &Device::default()).expect_err("refused");
    let message = error.to_string();
    assert!(message.contains("not-a-gpt.safetensors"), "{message}");
    assert!(!message.contains('\n'), "{message}");
    std::fs::remove_file(&path).expect("removed");
}
