//! The all-reduce between processes: over real TCP sockets on this
//! machine, ranks on threads here (the run uses a second process).

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use ch07_minibatches::{
    Activation, Cost, Gradients, Init, Network, backprop_batch,
};
use ch08_mnist::labels_to_matrix;
use ch14_burn::compare::max_difference;
use ch14_burn::multinode::{
    Link, all_reduce_as_root, all_reduce_as_worker, decode, encode,
    message_bytes,
};
use ch14_burn::parallel::{all_reduce_mean, shares};
use ndarray::s;
use rand::Rng as _;
use shared::rng::{normal_array, seeded};

/// Each of `ranks` shares' gradients for a random network and minibatch.
fn parts(ranks: usize, m: usize) -> Vec<(Gradients<f32>, usize)> {
    let mut rng = seeded(ranks as u64);
    let net = Network::<f32>::new(
        &[9, 7, 10],
        Activation::Relu,
        Activation::Softmax,
        Init::He,
        &mut rng,
    )
    .unwrap();
    let x = normal_array(&mut rng, (9, m), 1.0).mapv(|v| v as f32);
    let labels: Vec<u8> = (0..m).map(|_| rng.random_range(0..10)).collect();
    let y = labels_to_matrix::<f32>(&labels);
    shares(m, ranks)
        .into_iter()
        .map(|r| {
            let (x_k, y_k) =
                (x.slice(s![.., r.clone()]), y.slice(s![.., r.clone()]));
            (backprop_batch(&net, x_k, y_k, Cost::CrossEntropy), r.len())
        })
        .collect()
}

#[test]
fn the_all_reduce_over_tcp_is_the_all_reduce_in_memory() {
    for ranks in [2, 3, 5] {
        let m = 23; // shares of unequal size
        let parts = parts(ranks, m);
        let expected = all_reduce_mean(&parts, m);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let link = Link::fresh();
        let results = std::thread::scope(|scope| {
            let workers: Vec<_> = parts[1..]
                .iter()
                .cloned()
                .map(|own| {
                    let link = &link;
                    scope
                        .spawn(move || all_reduce_as_worker(address, own, link))
                })
                .collect();
            let root =
                all_reduce_as_root(&listener, ranks, parts[0].clone(), &link);
            let (total, traffic) = root.unwrap();
            // Rank 0 receives every other rank's message and sends each
            // the result; the bytes counted at the socket are those.
            let message = message_bytes(&total);
            let others = ranks as u64 - 1;
            assert_eq!(traffic.received, others * (message + 8 + 32));
            assert_eq!(traffic.sent, others * message);
            let mut all = vec![total];
            for w in workers {
                let (total, traffic) = w.join().unwrap().unwrap();
                assert_eq!(traffic.sent, message + 8 + 32, "and the secret");
                assert_eq!(traffic.received, message);
                all.push(total);
            }
            all
        });
        // Every rank holds the same gradient; the order ranks arrive in
        // may change the order of the sum, so compare to rounding.
        for (rank, got) in results.iter().enumerate() {
            for (a, b) in got.nabla_w.iter().zip(&expected.nabla_w) {
                let worst = a
                    .iter()
                    .zip(b)
                    .fold(0.0f32, |w, (p, q)| w.max((p - q).abs()));
                assert!(
                    worst <= 1e-7,
                    "{ranks} ranks, rank {rank}: {worst:.1e}"
                );
            }
            assert_eq!(got.nabla_b.len(), expected.nabla_b.len());
        }
        assert!(results.windows(2).all(|w| w[0] == w[1]), "ranks differ");
    }
}

#[test]
fn a_message_round_trips_and_a_wrong_one_is_named() {
    let parts = parts(2, 10);
    let (grads, m_k) = &parts[0];
    let bytes = encode(grads, *m_k);
    let (back, m_back) = decode(&bytes, grads).unwrap();
    assert_eq!((&back, m_back), (grads, *m_k));
    let error = decode(&bytes[..bytes.len() - 4], grads).unwrap_err();
    let message = error.to_string();
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(message.contains("expected"), "{message}");
}

#[test]
fn a_rank_with_no_one_to_talk_to_fails_in_one_line() {
    // A port that was just free: nothing listens there.
    let address = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let parts = parts(2, 4);
    let error = all_reduce_as_worker(address, parts[1].clone(), &Link::fresh())
        .unwrap_err();
    assert_eq!(error.to_string().lines().count(), 1, "{error}");
}

/// A link that gives up after `seconds`.
fn quick_link(seconds: u64) -> Link {
    Link {
        timeout: Duration::from_secs(seconds),
        ..Link::fresh()
    }
}

/// One length-prefixed message, as the ranks send them.
fn message(bytes: &[u8]) -> Vec<u8> {
    [&(bytes.len() as u64).to_le_bytes()[..], bytes].concat()
}

#[test]
fn rank_0_waits_for_a_rank_that_never_connects_no_longer_than_its_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let start = Instant::now();
    let error = all_reduce_as_root(
        &listener,
        2,
        parts(2, 4)[0].clone(),
        &quick_link(1),
    )
    .unwrap_err()
    .to_string();
    assert!(start.elapsed() < Duration::from_secs(10), "{error}");
    assert_eq!(error.lines().count(), 1, "{error}");
    assert!(
        error.contains("waited 1 s and 0 of 1 other ranks"),
        "{error}"
    );
}

#[test]
fn a_silent_rank_times_out_naming_what_it_did_not_send() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let link = quick_link(1);
    // Proves the secret, then sends nothing.
    let mut silent = TcpStream::connect(address).unwrap();
    silent.write_all(&message(&link.secret)).unwrap();
    let error = all_reduce_as_root(&listener, 2, parts(2, 4)[0].clone(), &link)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("no gradient from rank 1 within 1 s"),
        "{error}"
    );
    assert!(!error.contains("os error"), "{error}");
}

#[test]
fn a_stranger_without_the_secret_is_refused_and_the_real_rank_still_joins() {
    let parts = parts(2, 8);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let link = quick_link(20);
    let results = std::thread::scope(|scope| {
        // The stranger connects first and sends a gradient claiming a
        // share that would wrap the total, full of NaN.
        let mut stranger = TcpStream::connect(address).unwrap();
        let mut nan = parts[1].clone();
        nan.0.nabla_w[0].fill(f32::NAN);
        stranger.write_all(&message(&[7u8; 32])).unwrap();
        stranger
            .write_all(&message(&encode(&nan.0, usize::MAX - 3)))
            .unwrap();
        let own = parts[1].clone();
        let link_ = &link;
        let worker = scope.spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            all_reduce_as_worker(address, own, link_)
        });
        let root = all_reduce_as_root(&listener, 2, parts[0].clone(), &link);
        (root.unwrap().0, worker.join().unwrap().unwrap().0)
    });
    let expected = all_reduce_mean(&parts, 8);
    for got in [&results.0, &results.1] {
        let worst = max_difference(&got.nabla_w[0], &expected.nabla_w[0]);
        assert!(worst <= 1e-7, "{worst}");
    }
}

#[test]
fn a_rank_without_the_secret_is_named_when_no_real_rank_comes() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let link = quick_link(1);
    let stranger = std::thread::spawn(move || {
        all_reduce_as_worker(address, parts(2, 4)[1].clone(), &Link::fresh())
    });
    let error = all_reduce_as_root(&listener, 2, parts(2, 4)[0].clone(), &link)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("without the run's secret refused"),
        "{error}"
    );
    let theirs = stranger.join().unwrap().unwrap_err().to_string();
    assert_eq!(theirs.lines().count(), 1, "{theirs}");
}

#[test]
fn non_finite_gradients_and_impossible_shares_are_refused() {
    let parts = parts(2, 10);
    let (grads, m_k) = &parts[0];
    let mut nan = grads.clone();
    nan.nabla_b[0][0] = f32::NAN;
    let mut infinite = grads.clone();
    infinite.nabla_w[1][(0, 0)] = f32::INFINITY;
    for bad in [&nan, &infinite] {
        let error = decode(&encode(bad, *m_k), grads).unwrap_err();
        assert!(error.to_string().contains("NaN or an infinity"), "{error}");
    }
    for share in [0, (1usize << 32) + 1, usize::MAX] {
        let error = decode(&encode(grads, share), grads).unwrap_err();
        assert!(error.to_string().contains("share of"), "{error}");
    }
}

#[test]
fn comparisons_do_not_skip_nan() {
    let a = ndarray::Array1::from(vec![f32::NAN, 1.0]);
    assert!(max_difference(&a, &a).is_nan());
    let b = ndarray::Array1::from(vec![1.0f32, 2.0]);
    assert_eq!(max_difference(&b, &b), 0.0);
}

#[test]
fn a_rank_started_without_the_secret_says_so_before_connecting() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ch14-burn"))
        .args(["--worker-of", "127.0.0.1:9"])
        .env_remove(ch14_burn::multinode::SECRET_VARIABLE)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("CH14_ALLREDUCE_SECRET"), "{stderr}");
    assert_ne!(Link::fresh().secret, Link::fresh().secret, "one secret");
}
