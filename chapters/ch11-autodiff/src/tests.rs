//! The engines against chapters 6 and 7's hand-written backprop and
//! against finite differences; every backward rule shown caught when
//! wrong.

use ch06_backprop::{Init, backprop, flatten, parameters, with_parameters};
use ch07_minibatches::backprop_batch;
use ndarray::{Array2, Zip};
use proptest::prelude::*;
use shared::gradcheck::{SMOOTH_TOLERANCE, check_gradient};
use shared::rng::{Rng, normal_array, seeded, uniform};

use crate::check::check_op;
use crate::mlp::{Activation, Cost, Gradients, Network, cost_value, gradients};
use crate::scalar::{
    Dual, Value, chain_cost, chain_gradient, forward_mode_gradient,
};
use crate::tensor::*;

// ---------------------------------------------------------------------
// The scalar engine

proptest! {
    // The engine's gradient of chapter 6's chain equals chapter 6's chain
    // rule by hand, and forward mode's.
    #[test]
    fn scalar_engine_equals_chapter_6s_chain_rule(
        (w, b) in (1..6usize).prop_flat_map(|n| (
            prop::collection::vec(-2.0..2.0f64, n),
            prop::collection::vec(-1.0..1.0f64, n),
        )),
        x in -1.0..1.0f64,
        y in 0.0..1.0f64,
    ) {
        let chain = ch06_backprop::chain::Chain { w: w.clone(), b: b.clone() };
        let (cost, dw, db) = chain_gradient(&w, &b, x, y);
        prop_assert!((cost.data() - chain.cost(x, y)).abs() < 1e-15);
        let (hand_w, hand_b) = chain.gradient(x, y);
        for (engine, hand) in dw.iter().chain(&db).zip(hand_w.iter().chain(&hand_b)) {
            prop_assert!((engine - hand).abs() <= 1e-12 * hand.abs().max(1e-3));
        }
        let n = w.len();
        let p: Vec<f64> = w.iter().chain(&b).copied().collect();
        let forward = forward_mode_gradient(|p| chain_cost(&p[..n], &p[n..], x, y), &p);
        for (f, r) in forward.iter().zip(dw.iter().chain(&db)) {
            prop_assert!((f - r).abs() <= 1e-12 * r.abs().max(1e-3));
        }
    }
}

#[test]
fn the_scalar_chain_gradient_matches_finite_differences() {
    let (w, b) = (vec![0.8, -1.2, 1.5], vec![0.1, 0.3, -0.2]);
    let (_, dw, db) = chain_gradient(&w, &b, 0.6, 0.9);
    let p: Vec<f64> = w.iter().chain(&b).copied().collect();
    let analytic: Vec<f64> = dw.iter().chain(&db).copied().collect();
    let report = check_gradient(
        |p| chain_cost(&p[..3], &p[3..], 0.6, 0.9),
        &p,
        &analytic,
    );
    assert!(report.passes(SMOOTH_TOLERANCE), "{report}");
}

#[test]
fn a_value_used_twice_gets_both_shares() {
    let x = Value::new(3.0, "x");
    let y = x.clone() * x.clone(); // ∂(x·x)/∂x = 2x
    y.backward();
    assert_eq!(x.grad(), 6.0);
    // a diamond: c = a + b with a = 2x, b = x² → ∂c/∂x = 2 + 2x
    let x = Value::new(3.0, "x");
    let a = Value::new(2.0, "2") * x.clone();
    let c = a + x.clone().square();
    c.backward();
    assert_eq!(x.grad(), 8.0);
    c.backward(); // a second walk starts again from zero
    assert_eq!(x.grad(), 8.0);
}

#[test]
fn the_scalar_ops_derivatives_match_finite_differences() {
    type Unary = fn(Value) -> Value;
    type Plain = fn(f64) -> f64;
    let ops: [(&str, Unary, Plain); 4] = [
        ("sigmoid", Value::sigmoid, ch02_activations::sigmoid),
        ("tanh", Value::tanh, f64::tanh),
        ("relu", Value::relu, |x| x.max(0.0)),
        ("square", Value::square, |x| x * x),
    ];
    for (name, op, f) in ops {
        for x0 in [-1.3, -0.4, 0.7, 2.1] {
            let x = Value::new(x0, "x");
            op(x.clone()).backward();
            let numeric = (f(x0 + 1e-6) - f(x0 - 1e-6)) / 2e-6;
            assert!((x.grad() - numeric).abs() < 1e-8, "{name} at {x0}");
        }
    }
    let (a, b) = (Value::new(1.5, "a"), Value::new(-0.5, "b"));
    (a.clone() - b.clone() * a.clone()).backward(); // a − ba
    assert_eq!((a.grad(), b.grad()), (1.5, -1.5));
}

#[test]
fn the_topological_order_puts_every_node_after_its_inputs() {
    let (w, b) = (vec![0.8, -1.2, 1.5], vec![0.1, 0.3, -0.2]);
    let (cost, _, _) = chain_gradient(&w, &b, 0.6, 0.9);
    let order = cost.topological_order();
    // x, 3 × (w, b, ×, +, σ), y, −, ² = 19 nodes, each once
    assert_eq!(order.len(), 19);
    for (k, v) in order.iter().enumerate() {
        for (input, _) in v.inputs() {
            let at = order.iter().position(|u| u.same_node(input)).unwrap();
            assert!(at < k, "{} comes before its input", v.label());
        }
    }
    assert!(order.last().unwrap().same_node(&cost));
}

#[test]
fn forward_mode_needs_one_pass_per_parameter() {
    let calls = std::cell::Cell::new(0);
    let f = |p: &[Dual]| {
        calls.set(calls.get() + 1);
        p[0] * p[1] + p[2]
    };
    let g = forward_mode_gradient(f, &[2.0, 3.0, 5.0]);
    assert_eq!(g, vec![3.0, 2.0, 1.0]);
    assert_eq!(calls.get(), 3);
}

// ---------------------------------------------------------------------
// The tensor engine's operations, one by one

fn check_all_ops(
    rng: &mut Rng,
    shape: (usize, usize, usize),
) -> Vec<(&'static str, shared::gradcheck::Report)> {
    crate::check::ops_and_inputs(rng, shape)
        .into_iter()
        .map(|(op, x)| {
            let refs: Vec<&Array2<f64>> = x.iter().collect();
            let out = op.forward(&refs).dim();
            let r = normal_array(rng, out, 1.0);
            (op.name(), check_op(op.as_ref(), &x, &r))
        })
        .collect()
}

proptest! {
    #[test]
    fn every_backward_rule_matches_finite_differences(
        n in 1..5usize, k in 1..5usize, m in 1..5usize, seed in any::<u64>()
    ) {
        for (name, report) in check_all_ops(&mut seeded(seed), (n, k, m)) {
            prop_assert!(report.passes(SMOOTH_TOLERANCE), "{name}: {report}");
        }
    }
}

/// A backward rule as a plain function: (i, x, y, g) → ∂C/∂x[i].
type Rule =
    fn(usize, &[&Array2<f64>], &Array2<f64>, &Array2<f64>) -> Array2<f64>;

/// An operation with the right forward rule and a wrong backward rule.
struct Wrong<O> {
    op: O,
    rule: Rule,
}

impl<O: Op<f64>> Op<f64> for Wrong<O> {
    fn name(&self) -> &'static str {
        self.op.name()
    }
    fn forward(&self, x: &[&Array2<f64>]) -> Array2<f64> {
        self.op.forward(x)
    }
    fn backward(
        &self,
        i: usize,
        x: &[&Array2<f64>],
        y: &Array2<f64>,
        g: &Array2<f64>,
    ) -> Array2<f64> {
        (self.rule)(i, x, y, g)
    }
}

fn wrong<O: Op<f64> + 'static>(op: O, rule: Rule) -> Box<dyn Op<f64>> {
    Box::new(Wrong { op, rule })
}

#[test]
fn every_backward_rule_is_caught_when_wrong() {
    // shapes where each mistake still gives the right shape: square
    let mut rng = seeded(11);
    let right = crate::check::ops_and_inputs(&mut rng, (3, 3, 3));
    let wrongs: Vec<(&str, Box<dyn Op<f64>>)> = vec![
        (
            "A·B without a transpose",
            wrong(MatMul, |i, x, _, g| match i {
                0 => g.dot(x[1]),
                _ => x[0].dot(g),
            }),
        ),
        (
            "b's gradient not summed over the batch",
            wrong(AddColumn, |i, _, _, g| match i {
                0 => g.clone(),
                _ => g.column(0).to_owned().insert_axis(ndarray::Axis(1)),
            }),
        ),
        (
            "σ' taken at the output",
            wrong(Sigmoid, |_, _, y, g| {
                g * &y.mapv(ch02_activations::sigmoid_prime)
            }),
        ),
        (
            "tanh' as 1 − x²",
            wrong(Tanh, |_, x, _, g| g * &x[0].mapv(|x| 1.0 - x * x)),
        ),
        (
            "ReLU passing every gradient",
            wrong(Relu, |_, _, _, g| g.clone()),
        ),
        (
            "softmax as if elementwise",
            wrong(Softmax, |_, _, y, g| g * &y.mapv(|y| y * (1.0 - y))),
        ),
        ("A − B giving B +G", wrong(Sub, |_, _, _, g| g.clone())),
        (
            "A ⊙ B giving A its own value",
            wrong(Mul, |i, x, _, g| g * x[i]),
        ),
        ("ln' as x", wrong(Ln, |_, x, _, g| g * x[0])),
        (
            "c X forgetting c",
            wrong(Scale(-0.7), |_, _, _, g| g.clone()),
        ),
        (
            "column sums spreading g down rows",
            wrong(ColumnSums, |_, x, _, g| {
                Array2::from_elem(x[0].dim(), g.sum())
            }),
        ),
        (
            "mean without 1/n",
            wrong(Mean, |_, x, _, g| Array2::from_elem(x[0].dim(), g[(0, 0)])),
        ),
        (
            "softmax-CE ignoring g",
            wrong(SoftmaxCrossEntropy, |i, x, _, _| match i {
                0 => log_softmax(x[0]).mapv(f64::exp) - x[1],
                _ => log_softmax(x[0]).mapv(|l| -l),
            }),
        ),
    ];
    assert_eq!(wrongs.len(), right.len(), "one wrong rule per operation");
    for ((name, op), (good, x)) in wrongs.into_iter().zip(right) {
        assert_eq!(op.name(), good.name());
        let refs: Vec<&Array2<f64>> = x.iter().collect();
        let r = normal_array(&mut rng, good.forward(&refs).dim(), 1.0);
        assert!(check_op(good.as_ref(), &x, &r).passes(SMOOTH_TOLERANCE));
        let report = check_op(op.as_ref(), &x, &r);
        assert!(report.worst > 1e-3, "{name} slipped through: {report}");
    }
}

#[test]
fn a_backward_rule_of_the_wrong_shape_is_named() {
    let mut tape = Tape::new();
    let x = tape.param(Array2::ones((2, 3)));
    let s = tape.apply(
        Wrong {
            op: Mean,
            rule: |_, _, _, g| g.clone(),
        },
        &[x],
    );
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        tape.backward(s)
    }));
    let message = *caught.err().expect("a panic").downcast::<String>().unwrap();
    assert!(
        message.contains(
            "mean's backward rule gave input 0 a gradient of shape (1, 1)"
        ),
        "{message}"
    );
}

#[test]
fn constants_get_no_gradient_and_shares_add_up() {
    let mut tape = Tape::<f64>::new();
    let a = tape.param(Array2::from_elem((1, 1), 3.0));
    let c = tape.constant(Array2::from_elem((1, 1), 5.0));
    let ac = tape.mul(a, c);
    let aa = tape.mul(a, a); // a used twice in one op
    let sum = tape.sub(ac, aa); // 5a − a²: derivative 5 − 2a = −1
    let grads = tape.backward(sum);
    assert_eq!(grads.get(a).unwrap()[(0, 0)], -1.0);
    assert!(grads.get(c).is_none());
}

// ---------------------------------------------------------------------
// The network on the tape against chapters 6 and 7

/// A random network and a batch for it: chapter 7's test's architectures,
/// activations and costs.
fn network_and_batch()
-> impl Strategy<Value = (Network<f64>, Array2<f64>, Array2<f64>, Cost)> {
    let hidden = prop_oneof![
        Just(Activation::Sigmoid),
        Just(Activation::Tanh),
        Just(Activation::Relu),
        Just(Activation::Identity),
    ];
    let head = prop_oneof![
        (
            Just(Cost::Quadratic),
            prop_oneof![
                Just(Activation::Sigmoid),
                Just(Activation::Softmax),
                Just(Activation::Identity),
            ]
        ),
        (
            Just(Cost::CrossEntropy),
            prop_oneof![Just(Activation::Softmax), Just(Activation::Sigmoid),]
        ),
    ];
    (
        prop::collection::vec(1..=8usize, 2..=5),
        hidden,
        head,
        1..=12usize,
        any::<u64>(),
    )
        .prop_map(|(sizes, hidden, (cost, output), m, seed)| {
            let mut rng = seeded(seed);
            let net =
                Network::new(&sizes, hidden, output, Init::Scaled, &mut rng)
                    .unwrap();
            let x = normal_array(&mut rng, (sizes[0], m), 1.0);
            let n_out = sizes[sizes.len() - 1];
            let y = Array2::from_shape_simple_fn((n_out, m), || {
                uniform(&mut rng, 0.05, 1.0)
            });
            (net, x, crate::mlp::targets_for(y, output, cost), cost)
        })
}

/// The largest difference between two gradients, relative to the largest
/// entry of `b`.
fn relative_difference(a: &Gradients<f64>, b: &Gradients<f64>) -> f64 {
    let (a, b) = (flatten(a), flatten(b));
    let scale = b.iter().fold(0.0f64, |s, g| s.max(g.abs())).max(1e-300);
    let worst = a
        .iter()
        .zip(&b)
        .fold(0.0f64, |w, (p, q)| w.max((p - q).abs()));
    worst / scale
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    // The engine computes what chapter 7's batched backprop computes, and,
    // sample by sample, what chapter 6's backprop computes.
    #[test]
    fn the_engine_equals_backprop_by_hand((net, x, y, cost) in network_and_batch()) {
        let engine = gradients(&net, x.view(), y.view(), cost);
        let batched = backprop_batch(&net, x.view(), y.view(), cost);
        let error = relative_difference(&engine, &batched);
        prop_assert!(error <= 1e-10, "against chapter 7: {error:e}");
        let (xk, yk) = (x.column(0), y.column(0));
        let (x1, y1) = (x.slice(ndarray::s![.., ..1]), y.slice(ndarray::s![.., ..1]));
        let engine_one = gradients(&net, x1, y1, cost);
        let error = relative_difference(&engine_one, &backprop(&net, xk, yk, cost));
        prop_assert!(error <= 1e-10, "against chapter 6: {error:e}");
        let hand_cost = ch07_minibatches::average_cost(&net, x.view(), y.view(), cost);
        let tape_cost = cost_value(&net, x.view(), y.view(), cost);
        prop_assert!((hand_cost - tape_cost).abs() <= 1e-12 * hand_cost.abs().max(1.0));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]

    // ... and what finite differences measure. (Inputs where ReLU's kink
    // is near no sample's z: the network has no ReLU here.)
    #[test]
    fn the_engine_equals_finite_differences((net, x, y, cost) in network_and_batch()) {
        prop_assume!(net.layers.iter().all(|l| l.activation != Activation::Relu));
        let engine = flatten(&gradients(&net, x.view(), y.view(), cost));
        let report = shared::gradcheck::check_measurable(
            |p| cost_value(&with_parameters(&net, p), x.view(), y.view(), cost),
            &parameters(&net),
            &engine,
        );
        prop_assert!(report.passes(SMOOTH_TOLERANCE), "{report}");
    }
}

#[test]
fn training_on_the_tape_equals_training_by_hand() {
    // chapter 8's recipe on made-up data, in f64: the engine's network and
    // the lesson path's end up the same
    let mut rng = seeded(3);
    let x = normal_array(&mut rng, (6, 200), 1.0);
    let labels: Vec<u8> = (0..200).map(|k| (k % 3) as u8).collect();
    let mut y = Array2::zeros((10, 200));
    for (k, &l) in labels.iter().enumerate() {
        y[(usize::from(l), k)] = 1.0;
    }
    let config = crate::mlp::Config {
        sizes: vec![6, 8, 10],
        epochs: 3,
        batch_size: 16,
        path: ch08_mnist::TrainingPath::Lesson,
        ..crate::mlp::Config::default_run()
    };
    let (tape_net, tape_history) = crate::mlp::train_on_tape(
        &config,
        x.view(),
        y.view(),
        x.view(),
        &labels,
        |_| {},
    );
    let (hand_net, hand_history) = ch08_mnist::train(
        &config,
        x.view(),
        y.view(),
        x.view(),
        &labels,
        |_| {},
        || {},
    );
    let difference =
        ch07_minibatches::fast::network_difference(&tape_net, &hand_net);
    assert!(difference <= 1e-10, "{difference:e}");
    let losses = |h: &[ch08_mnist::EpochRecord]| -> Vec<f64> {
        h.iter().map(|r| r.train_loss).collect()
    };
    let (a, b) = (losses(&tape_history), losses(&hand_history));
    assert!(
        Zip::from(&ndarray::arr1(&a))
            .and(&ndarray::arr1(&b))
            .all(|p, q| (p - q).abs() < 1e-10)
    );
}

#[test]
fn in_f32_the_engine_gives_the_hand_written_gradient_to_the_bit() {
    // Same operations in the same order; the only change is that the
    // engine scales by 1/m before its products and chapter 7 after, which
    // is exact when m is a power of two (chapter 8's batches: 64, and a
    // last one of 16).
    let config = crate::mlp::Config::default_run();
    let mut rng = seeded(5);
    let net = Network::<f32>::new(
        &config.sizes,
        config.hidden,
        config.output,
        config.init,
        &mut rng,
    )
    .unwrap();
    for m in [64, 16] {
        let x =
            normal_array(&mut rng, (784, m), 1.0).mapv(|v| v.max(0.0) as f32);
        let labels: Vec<u8> = (0..m).map(|k| (k * 7 % 10) as u8).collect();
        let y = ch08_mnist::labels_to_matrix::<f32>(&labels);
        let engine = gradients(&net, x.view(), y.view(), Cost::CrossEntropy);
        let hand = backprop_batch(&net, x.view(), y.view(), Cost::CrossEntropy);
        assert_eq!(engine, hand, "batch of {m}");
    }
}

#[test]
fn every_figure_renders_and_no_two_nodes_share_a_place() {
    shared::figures::assert_all_render(&crate::figures::all());
    let (chain, _, _) =
        chain_gradient(&[0.8, -1.2, 1.5], &[0.1, 0.3, -0.2], 1.0, 1.0);
    let x = Value::new(3.0, "x");
    let diamond = Value::new(2.0, "2") * x.clone() + x.square();
    diamond.backward();
    let mut tape = Tape::<f64>::new();
    let net = Network::new(
        &[4, 3, 2],
        Activation::Tanh,
        Activation::Sigmoid,
        Init::Scaled,
        &mut seeded(1),
    )
    .unwrap();
    let (x, y) = (Array2::zeros((4, 5)), Array2::zeros((2, 5)));
    crate::mlp::record_cost(
        &mut tape,
        &net,
        x.view(),
        y.view(),
        Cost::Quadratic,
    );
    for nodes in [
        crate::figures::scalar_nodes(&chain),
        crate::figures::scalar_nodes(&diamond),
        crate::figures::tape_nodes(&tape, &[]),
    ] {
        let (cells, _) = crate::figures::grid(&nodes);
        let mut seen = std::collections::HashSet::new();
        for (k, cell) in cells.iter().enumerate() {
            assert!(
                seen.insert(*cell),
                "node {k} ({}) overlaps another at {cell:?}",
                nodes[k].title
            );
        }
        for (k, node) in nodes.iter().enumerate() {
            for &i in &node.inputs {
                assert!(
                    cells[i].0 < cells[k].0,
                    "{} is not right of its input",
                    node.title
                );
            }
        }
    }
}
