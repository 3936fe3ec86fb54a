//! The all-reduce between processes: over real TCP sockets on this
//! machine, ranks on threads here (the run uses a second process).

use std::net::TcpListener;

use ch07_minibatches::{
    Activation, Cost, Gradients, Init, Network, backprop_batch,
};
use ch08_mnist::labels_to_matrix;
use ch14_burn::multinode::{
    all_reduce_as_root, all_reduce_as_worker, decode, encode,
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
        let results = std::thread::scope(|scope| {
            let workers: Vec<_> = parts[1..]
                .iter()
                .cloned()
                .map(|own| {
                    scope.spawn(move || all_reduce_as_worker(address, own))
                })
                .collect();
            let root = all_reduce_as_root(&listener, ranks, parts[0].clone());
            let mut all = vec![root.unwrap()];
            for w in workers {
                all.push(w.join().unwrap().unwrap());
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
    let error = all_reduce_as_worker(address, parts[1].clone()).unwrap_err();
    assert_eq!(error.to_string().lines().count(), 1, "{error}");
}
