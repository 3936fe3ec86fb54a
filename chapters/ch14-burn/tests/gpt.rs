//! Chapter 13's GPT in Burn: the file chapter 13 writes, read by Burn's
//! store, gives chapter 13's logits and gradients. Trained by Burn and
//! past one worker: the same weights both ways, Burn's optimizer taking
//! chapter 12's step on the same gradient, the data-parallel gradient and
//! step equal to one worker's on the whole batch, the GPT's gradient
//! across TCP, and a short training run equal to chapter 12's own.

use burn::prelude::*;
use ch12_sequences::corpus::{Corpus, Vocab};
use ch12_sequences::language::{Language, draw_windows};
use ch13_transformer::gpt::{Config, Gpt};
use ch13_transformer::model::{Saved, save};
use ch14_burn::compare::max_difference;
use ch14_burn::gpt::{burn_gradient, burn_logits, load};
use shared::rng::{normal_array, seeded};
use std::net::TcpListener;

use burn::optim::grad_clipping::GradientClipping;
use burn::optim::{AdamWConfig, ModuleOptimizer, SgdConfig};
use ch12_sequences::train::{Adam, Lesson, Recipe, clip, train};
use ch14_burn::compare::worse;
use ch14_burn::gpt::{from_ours, gradients_params, to_ours};
use ch14_burn::gpt_train::{adamw, clipped_step, gpt_step, train_gpt_burn};
use ch14_burn::multinode::{
    Gradient, Link, all_reduce_as_root, all_reduce_as_worker, decode, encode,
};
use ch14_burn::parallel::{
    data_parallel_gpt_gradient, devices, gpt_mean, shares,
};
use ndarray::{Array2, s};

const CONFIG: Config = Config {
    vocab: 7,
    block: 8,
    layers: 2,
    heads: 2,
    width: 16,
};

/// A small random GPT, its LayerNorm gains and biases moved off 1 and 0
/// so that every parameter matters.
fn gpt() -> Gpt<f32> {
    let mut rng = seeded(3);
    let mut gpt = Gpt::<f32>::new(CONFIG, &mut rng);
    for p in gpt.parameters_mut() {
        *p += &normal_array(&mut rng, p.raw_dim(), 0.3).mapv(|x| x as f32);
    }
    gpt
}

/// [`gpt`], saved by chapter 13.
fn saved_model(name: &str) -> (Gpt<f32>, std::path::PathBuf) {
    let gpt = gpt();
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

fn stream() -> Vec<usize> {
    (0..400).map(|i| (i * 5 + i / 3 + i / 7) % 7).collect()
}

/// Windows of T + 1 tokens, `b` of them.
fn windows(b: usize, seed: u64) -> Array2<usize> {
    draw_windows(&stream(), CONFIG.block + 1, b, &mut seeded(seed))
}

fn apart(a: &Gpt<f32>, b: &Gpt<f32>) -> f32 {
    let pairs = a.parameters().into_iter().zip(b.parameters());
    pairs.map(|(p, q)| max_difference(p, q)).fold(0.0, worse)
}

#[test]
fn chapter_13s_weights_cross_into_burn_and_back_unchanged() {
    let ours = gpt();
    let device = Device::default().autodiff();
    let burns = from_ours(&ours, 0.0, &device);
    assert_eq!(to_ours(&burns), ours);
    // And they are trainable there: Burn's gradient is chapter 13's.
    let w = windows(3, 4);
    let (_, g) = ours.loss_and_gradient(w.view());
    let (_, burn_g) = burn_gradient(&burns, w.view(), &device);
    assert!(apart(&g, &burn_g) < 1e-5, "{}", apart(&g, &burn_g));
}

/// Three steps from `ours` along the same gradients by chapter 12's Adam
/// (λ = 0.1, the whole gradient clipped at 1) and by Burn's `optimizer`
/// (the whole gradient clipped at `c`): the largest weight difference.
fn three_steps(optimizer: &mut ModuleOptimizer, c: Option<f64>) -> f32 {
    let device = Device::default().autodiff();
    let mut ours = gpt();
    let mut burns = from_ours(&ours, 0.0, &device);
    let mut adam = Adam::new(&ours);
    for step in 0..3 {
        let (_, g) = ours.loss_and_gradient(windows(4, step).view());
        let grads = gradients_params(&burns, &g);
        let mut g = g;
        let norm = clip(&mut g, 1.0);
        assert!(norm > 1.5, "the test means to clip: {norm}");
        adam.step(&mut ours, &g, 0.01, 0.1);
        (burns, _) = clipped_step(burns, optimizer, 0.01, c, grads);
    }
    apart(&ours, &to_ours(&burns))
}

#[test]
fn burns_adamw_takes_chapter_12s_step_on_the_same_gradient() {
    let worst = three_steps(&mut adamw(0.1), Some(1.0));
    assert!(worst < 1e-6, "{worst:.1e}");
    // The comparison bites: Burn's AdamW decaying every parameter (gains
    // and biases too), no clipping, or Burn's own clipping (each tensor
    // to its own norm) is a different step.
    let everything = AdamWConfig::new()
        .with_epsilon(1e-8)
        .with_weight_decay(0.1)
        .init();
    let decayed = three_steps(&mut everything.clone(), Some(1.0));
    let unclipped = three_steps(&mut adamw(0.1), None);
    let mut per_tensor =
        adamw(0.1).with_grad_clipping(GradientClipping::Norm(1.0));
    let each = three_steps(&mut per_tensor, None);
    println!(
        "same rule {worst:.1e}; decay on everything {decayed:.1e}, \
         unclipped {unclipped:.1e}, each tensor clipped {each:.1e}"
    );
    for off in [decayed, unclipped, each] {
        assert!(off > 1e-5, "{off:.1e}");
    }
}

#[test]
fn the_data_parallel_gradient_is_the_whole_batchs() {
    let gpt = gpt();
    let w = windows(7, 8);
    let (loss, whole) = gpt.loss_and_gradient(w.view());
    for k in 1..=5 {
        let (loss_k, g) = data_parallel_gpt_gradient(&gpt, w.view(), k);
        assert!((loss - loss_k).abs() < 1e-5, "k = {k}: {loss} {loss_k}");
        assert!(apart(&whole, &g) < 1e-6, "k = {k}: {}", apart(&whole, &g));
    }
    // With unequal shares (7 windows on 2 workers: 4 and 3) the plain
    // mean of the shares' gradients is not the batch's.
    let parts: Vec<(Gpt<f32>, usize)> = shares(7, 2)
        .into_iter()
        .map(|r| {
            let g = gpt.loss_and_gradient(w.slice(s![.., r.clone()])).1;
            (g, 1)
        })
        .collect();
    let plain = gpt_mean(&parts, 2);
    assert!(apart(&whole, &plain) > 1e-4, "{}", apart(&whole, &plain));
}

#[test]
fn burns_step_on_k_devices_is_its_step_on_one() {
    let ours = gpt();
    let w = windows(6, 9);
    // Plain gradient descent, so that the weights move by η times the
    // summed gradient (Adam's first step, η g/(|g| + ε), would magnify
    // the rounding of the gradients near 0).
    let step = |k: usize| {
        let devices = devices(k);
        let burns = from_ours(&ours, 0.0, &devices[0]);
        let (after, loss, norm) = gpt_step(
            burns,
            &mut SgdConfig::new().init(),
            0.5,
            Some(1.0),
            w.view(),
            &devices,
        );
        (to_ours(&after), loss, norm)
    };
    let (one, loss, norm) = step(1);
    assert!(apart(&one, &ours) > 1e-2, "the step moved the weights");
    for k in [2, 3, 4] {
        let (after, loss_k, norm_k) = step(k);
        assert!((loss - loss_k).abs() < 1e-5, "k = {k}");
        assert!((norm - norm_k).abs() < 1e-4 * norm, "k = {k}");
        assert!(
            apart(&one, &after) < 1e-6,
            "k = {k}: {}",
            apart(&one, &after)
        );
    }
}

#[test]
fn a_gpts_gradient_crosses_tcp_and_is_the_all_reduce() {
    let gpt = gpt();
    let w = windows(5, 10);
    let parts: Vec<(Gpt<f32>, usize)> = shares(5, 2)
        .into_iter()
        .map(|r| {
            let g = gpt.loss_and_gradient(w.slice(s![.., r.clone()])).1;
            (g, r.len())
        })
        .collect();
    let bytes = encode(&parts[1].0, parts[1].1);
    assert_eq!(bytes.len(), 8 + 4 * parts[1].0.count());
    let (back, m_k) = decode(&bytes, &parts[0].0).expect("a GPT's gradient");
    assert_eq!((&back, m_k), (&parts[1].0, parts[1].1));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let link = Link::fresh();
    let (root, worker) = std::thread::scope(|scope| {
        let own = parts[1].clone();
        let link_ = &link;
        let worker =
            scope.spawn(move || all_reduce_as_worker(address, own, link_));
        let root = all_reduce_as_root(&listener, 2, parts[0].clone(), &link);
        (root.unwrap().0, worker.join().unwrap().unwrap().0)
    });
    assert_eq!(root, worker, "both ranks hold the same gradient");
    let whole = gpt.loss_and_gradient(w.view()).1;
    assert!(apart(&root, &whole) < 1e-6, "{}", apart(&root, &whole));
}

#[test]
fn burns_training_follows_chapter_12s() {
    let recipe = Recipe {
        window: CONFIG.block + 1,
        batch: 4,
        steps: 12,
        rounds: 3,
        eta: 0.01,
        warmup: 2,
        weight_decay: 0.1,
        clip: Some(1.0),
        seed: 5,
    };
    let stream = stream();
    let (train_part, validation) = stream.split_at(300);
    let first = Gpt::<f32>::new(CONFIG, &mut seeded(11));
    let (_, ours) = train(
        first,
        &recipe,
        (train_part, validation),
        &mut Lesson::default(),
        |_| {},
    );
    let (_, burns) = train_gpt_burn(
        CONFIG,
        (11, 0.0),
        &recipe,
        (train_part, validation),
        &devices(1),
        |_| {},
    );
    assert_eq!(ours.len(), burns.len());
    for (a, b) in ours.iter().zip(&burns) {
        assert_eq!(a.steps, b.steps);
        let off = (a.validation_loss - b.validation_loss).abs();
        assert!(off < 1e-4, "step {}: {off:.1e}", a.steps);
        assert!((a.train_loss - b.train_loss).abs() < 1e-4);
    }
    // The losses moved: the comparison is not of two idle models.
    let (start, end) = (ours[0].train_loss, ours[2].validation_loss);
    assert!(end < start - 0.05, "{start} → {end}");
}
