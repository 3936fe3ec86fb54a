//! Unit and property tests of chapter 3.

use super::*;
use crate::examples::{coat_input, coat_network};
use ndarray::{Array, array};
use proptest::prelude::*;
use shared::gradcheck::{SMOOTH_TOLERANCE, compare, numerical_jacobian};
use shared::rng::{DEFAULT_SEED, seeded};

#[test]
fn coat_example_second_neuron_is_minus_8() {
    let net = coat_network();
    let trace = net.forward_trace(coat_input().view());
    // A hand calculation easily gives −7 for the second neuron; it is
    // −10 + 0.5 + 0.5 + 1.
    assert_eq!(trace.zs[0], array![-3.5, -8.0]);
    assert_eq!(trace.activations[1], array![0.0, 0.0]);
    assert_eq!(trace.zs[1], array![0.2]);
    let a = trace.activations[2][0];
    assert!((a - 0.549_833_997_312_478).abs() < 1e-12, "{a}");
    assert_eq!(format!("{a:.2}"), "0.55");
    assert_eq!(net.feedforward(coat_input().view())[0], a);
    let count = ParameterCount::of(&net.sizes()).unwrap();
    assert_eq!((count.weights, count.biases, count.total()), (8, 3, 11));
}

#[test]
fn the_digit_network_has_13002_parameters() {
    let count = ParameterCount::of(&[784, 16, 16, 10]).unwrap();
    assert_eq!(count.weights, 12_960);
    assert_eq!(count.biases, 42);
    assert_eq!(count.total(), 13_002);
    let net = Network::<f32>::new(
        &[784, 16, 16, 10],
        Activation::Sigmoid,
        Activation::Sigmoid,
        Init::Scaled,
        &mut seeded(DEFAULT_SEED),
    )
    .unwrap();
    let stored: usize = net.layers.iter().map(|l| l.w.len() + l.b.len()).sum();
    assert_eq!(stored, 13_002);
}

#[test]
fn nonsense_sizes_are_rejected_clearly() {
    let err = ParameterCount::of(&[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "layer sizes []: need at least two (inputs and outputs), \
         e.g. [784, 16, 16, 10]"
    );
    assert!(ParameterCount::of(&[784]).is_err());
    let err = Network::<f64>::new(
        &[784, 0, 10],
        Activation::Relu,
        Activation::Softmax,
        Init::He,
        &mut seeded(1),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "layer sizes [784, 0, 10]: layer 1 has zero neurons"
    );
}

#[test]
#[should_panic(expected = "W has shape (2, 3) but the input has 4 rows")]
fn a_wrong_sized_input_names_both_shapes() {
    coat_network().feedforward(array![1.0, 2.0, 3.0, 4.0].view());
}

#[test]
#[should_panic(expected = "layer 1 has W (2, 3) but layer 2 has W (1, 5)")]
fn layers_that_do_not_fit_name_both_shapes() {
    let first = coat_network().layers[0].clone();
    let wrong =
        Layer::new(Array2::zeros((1, 5)), array![0.0], Activation::Relu);
    Network::from_layers(vec![first, wrong]);
}

#[test]
fn seeded_networks_are_reproducible() {
    let make = |seed| {
        Network::<f64>::new(
            &[5, 4, 3],
            Activation::Tanh,
            Activation::Identity,
            Init::Scaled,
            &mut seeded(seed),
        )
        .unwrap()
    };
    assert_eq!(make(3), make(3));
    assert_ne!(make(3), make(4));
}

/// Layer sizes (input first) and an activation for every layer.
fn architecture() -> impl Strategy<Value = (Vec<usize>, Activation, Activation)>
{
    let activation = prop_oneof![
        Just(Activation::Sigmoid),
        Just(Activation::Tanh),
        Just(Activation::Relu),
        Just(Activation::Identity),
    ];
    let output = prop_oneof![Just(Activation::Softmax), activation.clone()];
    (prop::collection::vec(1..7usize, 2..5), activation, output)
}

proptest! {
    // One sample at a time and the whole batch at once compute the same.
    #[test]
    fn batch_feedforward_equals_one_sample_at_a_time(
        (sizes, hidden, output) in architecture(),
        batch in 1..6usize,
        seed in any::<u64>(),
    ) {
        let mut rng = seeded(seed);
        let net = Network::<f64>::new(&sizes, hidden, output, Init::Scaled, &mut rng)
            .unwrap();
        let x = shared::rng::normal_array(&mut rng, (sizes[0], batch), 1.0);
        let together = net.feedforward_batch(x.view());
        for (k, column) in x.columns().into_iter().enumerate() {
            let alone = net.feedforward(column);
            for (a, b) in alone.iter().zip(together.column(k)) {
                prop_assert!((a - b).abs() <= 1e-12 * (1.0 + a.abs()));
            }
        }
    }

    // f32 and f64 run the same generic code and agree to f32 precision.
    #[test]
    fn f32_and_f64_agree((sizes, hidden, output) in architecture(), seed in any::<u64>()) {
        let net64 = Network::<f64>::new(&sizes, hidden, output, Init::Scaled, &mut seeded(seed))
            .unwrap();
        let net32 = Network::<f32>::new(&sizes, hidden, output, Init::Scaled, &mut seeded(seed))
            .unwrap();
        let x = Array::linspace(-1.0, 1.0, sizes[0]);
        let a64 = net64.feedforward(x.view());
        let a32 = net32.feedforward(x.mapv(|v| v as f32).view());
        for (a, b) in a64.iter().zip(&a32) {
            prop_assert!((a - f64::from(*b)).abs() < 1e-4, "{a} vs {b}");
        }
    }
}

/// A layer with random shape, weights and input, for Jacobian checks.
fn layer_and_input() -> impl Strategy<Value = (Layer<f64>, Vec<f64>)> {
    let activation = prop_oneof![
        Just(Activation::Sigmoid),
        Just(Activation::Tanh),
        Just(Activation::Relu),
        Just(Activation::Identity),
        Just(Activation::Softmax),
    ];
    (1..6usize, 1..6usize, activation, any::<u64>()).prop_map(
        |(n_in, n_out, activation, seed)| {
            let mut rng = seeded(seed);
            // Weights and inputs away from 0, so that no Jacobian entry is
            // too small for finite differences to measure.
            // Small weights keep softmax from peaking: a probability near 0
            // would make its Jacobian entries unmeasurably small.
            let away = |v: f64| v.signum() * (0.2 + v.abs());
            let w = shared::rng::normal_array(&mut rng, (n_out, n_in), 0.3)
                .mapv(|v| away(v) / n_in as f64);
            let b = shared::rng::normal_array(&mut rng, n_out, 0.3);
            let a = shared::rng::normal_array(&mut rng, n_in, 0.5).mapv(away);
            (Layer::new(w, b, activation), a.to_vec())
        },
    )
}

/// True when every weighted input is at least 0.01 from ReLU's kink.
fn away_from_kink(layer: &Layer<f64>, a: &[f64]) -> bool {
    layer.activation != Activation::Relu
        || layer
            .weighted_input(ndarray::aview1(a))
            .iter()
            .all(|z| z.abs() > 0.01)
}

proptest! {
    #[test]
    fn input_jacobian_matches_finite_differences((layer, a) in layer_and_input()) {
        prop_assume!(away_from_kink(&layer, &a));
        let analytic = layer.input_jacobian(ndarray::aview1(&a));
        let numeric = numerical_jacobian(
            |x| layer.forward(ndarray::aview1(x)).to_vec(),
            &a,
        );
        let report = compare(analytic.as_slice().unwrap(), numeric.as_slice().unwrap());
        prop_assert!(report.passes(SMOOTH_TOLERANCE), "{:?}: {report}", layer.activation);
    }

    #[test]
    fn weight_jacobian_matches_finite_differences((layer, a) in layer_and_input()) {
        prop_assume!(away_from_kink(&layer, &a));
        let analytic = layer.weight_jacobian(ndarray::aview1(&a));
        let numeric = numerical_jacobian(
            |w| {
                let mut moved = layer.clone();
                moved.w = Array2::from_shape_vec(layer.w.dim(), w.to_vec()).unwrap();
                moved.forward(ndarray::aview1(&a)).to_vec()
            },
            layer.w.as_slice().unwrap(),
        );
        let report = compare(analytic.as_slice().unwrap(), numeric.as_slice().unwrap());
        prop_assert!(report.passes(SMOOTH_TOLERANCE), "{:?}: {report}", layer.activation);
    }

    // Forgetting the activation's derivative (using W alone) is caught.
    #[test]
    fn a_jacobian_without_the_activation_is_caught((layer, a) in layer_and_input()) {
        // (tanh'(z) ≈ 1 near z = 0 would make the wrong answer nearly right.)
        prop_assume!(matches!(
            layer.activation,
            Activation::Sigmoid | Activation::Softmax
        ));
        let numeric = numerical_jacobian(
            |x| layer.forward(ndarray::aview1(x)).to_vec(),
            &a,
        );
        let report = compare(layer.w.as_slice().unwrap(), numeric.as_slice().unwrap());
        prop_assert!(!report.passes(SMOOTH_TOLERANCE), "{:?}: {report}", layer.activation);
    }
}
