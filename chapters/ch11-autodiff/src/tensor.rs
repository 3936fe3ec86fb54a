//! The tensor engine: the same idea on whole matrices. A [`Tape`] records
//! each operation as it runs (a Wengert list); [`Tape::backward`] walks it
//! from the end, asking each operation for its backward rule.
//!
//! Every value is a matrix (`Array2`): a minibatch has one column per
//! sample, a bias is a column (n, 1), a cost is (1, 1).

use ndarray::{Array2, Axis, Zip};
use shared::Real;

use ch02_activations::{relu, sigmoid, softmax_in_place};

// ANCHOR: op
/// An operation the tape can record: its forward rule and, beside it, its
/// backward rule.
pub trait Op<T: Real> {
    /// A short name, for figures and messages.
    fn name(&self) -> &'static str;

    /// The output y from the inputs x[0], x[1], ….
    fn forward(&self, x: &[&Array2<T>]) -> Array2<T>;

    /// ∂C/∂x[i], shaped like x[i], from the inputs x, the output y and
    /// g = ∂C/∂y: one step of the chain rule.
    fn backward(
        &self,
        i: usize,
        x: &[&Array2<T>],
        y: &Array2<T>,
        g: &Array2<T>,
    ) -> Array2<T>;
}
// ANCHOR_END: op

// ANCHOR: tape
/// A value on the tape: the position of the node that holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Var(pub usize);

/// The record of a computation, in the order it ran.
pub struct Tape<T: Real> {
    nodes: Vec<Node<T>>,
}

struct Node<T: Real> {
    value: Array2<T>,
    /// `None` for a parameter or a constant.
    op: Option<Box<dyn Op<T>>>,
    inputs: Vec<Var>,
    /// Whether ∂C/∂(this) is wanted: it is a parameter, or depends on one.
    needs_grad: bool,
}

impl<T: Real> Tape<T> {
    /// A parameter: a leaf whose gradient we want.
    pub fn param(&mut self, value: Array2<T>) -> Var {
        self.push(value, None, vec![], true)
    }

    /// A constant (the inputs X, the targets Y): no gradient is computed
    /// for it, or for anything that depends on constants alone.
    pub fn constant(&mut self, value: Array2<T>) -> Var {
        self.push(value, None, vec![], false)
    }

    /// Runs `op` on `inputs` and records it.
    pub fn apply(&mut self, op: impl Op<T> + 'static, inputs: &[Var]) -> Var {
        let x: Vec<&Array2<T>> =
            inputs.iter().map(|&v| self.value(v)).collect();
        let y = op.forward(&x);
        let needs_grad = inputs.iter().any(|v| self.nodes[v.0].needs_grad);
        self.push(y, Some(Box::new(op)), inputs.to_vec(), needs_grad)
    }
}
// ANCHOR_END: tape

impl<T: Real> Default for Tape<T> {
    fn default() -> Self {
        Tape::new()
    }
}

impl<T: Real> Tape<T> {
    /// An empty tape.
    pub fn new() -> Self {
        Tape { nodes: Vec::new() }
    }

    fn push(
        &mut self,
        value: Array2<T>,
        op: Option<Box<dyn Op<T>>>,
        inputs: Vec<Var>,
        needs_grad: bool,
    ) -> Var {
        self.nodes.push(Node {
            value,
            op,
            inputs,
            needs_grad,
        });
        Var(self.nodes.len() - 1)
    }

    /// The value of `v`.
    pub fn value(&self, v: Var) -> &Array2<T> {
        &self.nodes[v.0].value
    }

    /// How many nodes the tape holds.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the tape is empty.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Node `k` as (operation name, or "" for a leaf; inputs; shape;
    /// whether its gradient is wanted), for printing and figures.
    pub fn describe(
        &self,
        k: usize,
    ) -> (&'static str, Vec<Var>, (usize, usize), bool) {
        let node = &self.nodes[k];
        let name = node.op.as_ref().map_or("", |op| op.name());
        (name, node.inputs.clone(), node.value.dim(), node.needs_grad)
    }
}

// ANCHOR: backward
impl<T: Real> Tape<T> {
    /// ∂C/∂v for every v the cost C depends on and that needs it.
    ///
    /// The tape is already in a topological order — every node was
    /// recorded after its inputs — so one walk from the end suffices:
    /// each node passes g = ∂C/∂(node) to each input through its
    /// operation's backward rule, and shares reaching one input add up.
    pub fn backward(&self, cost: Var) -> Gradients<T> {
        let mut grads: Vec<Option<Array2<T>>> = vec![None; self.nodes.len()];
        grads[cost.0] = Some(Array2::ones(self.value(cost).dim())); // ∂C/∂C
        for k in (0..=cost.0).rev() {
            let node = &self.nodes[k];
            let Some(op) = &node.op else {
                continue; // a leaf: its gradient is complete
            };
            let Some(g) = grads[k].take() else {
                continue; // nothing downstream reached it
            };
            let x: Vec<&Array2<T>> =
                node.inputs.iter().map(|&v| self.value(v)).collect();
            for (i, &input) in node.inputs.iter().enumerate() {
                if !self.nodes[input.0].needs_grad {
                    continue; // a constant: nobody asked for its gradient
                }
                let share = op.backward(i, &x, &node.value, &g);
                check_shape(op.name(), i, x[i], &share);
                match &mut grads[input.0] {
                    Some(sum) => *sum += &share, // used twice: add
                    empty => *empty = Some(share),
                }
            }
            grads[k] = Some(g);
        }
        Gradients(grads)
    }
}
// ANCHOR_END: backward

/// A backward rule must return a gradient shaped like its input.
fn check_shape<T: Real>(op: &str, i: usize, x: &Array2<T>, share: &Array2<T>) {
    assert_eq!(
        x.dim(),
        share.dim(),
        "{op}'s backward rule gave input {i} a gradient of shape {:?}; \
         the input is {:?}",
        share.dim(),
        x.dim()
    );
}

/// ∂C/∂v for the nodes of a tape, indexed by [`Var`].
pub struct Gradients<T: Real>(Vec<Option<Array2<T>>>);

impl<T: Real> Gradients<T> {
    /// ∂C/∂v, or `None` if C does not depend on v (or v is a constant).
    pub fn get(&self, v: Var) -> Option<&Array2<T>> {
        self.0.get(v.0).and_then(Option::as_ref)
    }

    /// ∂C/∂v, zeros shaped like v's value if C does not depend on it.
    pub fn of(&self, tape: &Tape<T>, v: Var) -> Array2<T> {
        self.get(v)
            .cloned()
            .unwrap_or_else(|| Array2::zeros(tape.value(v).dim()))
    }
}

// ---------------------------------------------------------------------
// The operations. Each forward rule sits beside its backward rule; the
// names are the page's: x the input(s), y the output, g = ∂C/∂y.

// ANCHOR: matmul
/// Y = A B, a matrix product.
pub struct MatMul;

impl<T: Real> Op<T> for MatMul {
    fn name(&self) -> &'static str {
        "A·B"
    }
    fn forward(&self, x: &[&Array2<T>]) -> Array2<T> {
        x[0].dot(x[1])
    }
    fn backward(
        &self,
        i: usize,
        x: &[&Array2<T>],
        _: &Array2<T>,
        g: &Array2<T>,
    ) -> Array2<T> {
        match i {
            0 => g.dot(&x[1].t()), // ∂C/∂A = G Bᵀ
            _ => x[0].t().dot(g),  // ∂C/∂B = Aᵀ G
        }
    }
}
// ANCHOR_END: matmul

// ANCHOR: add_column
/// Y = Z + b 1ᵀ: a column b (n, 1) added to every column of Z (n, m).
pub struct AddColumn;

impl<T: Real> Op<T> for AddColumn {
    fn name(&self) -> &'static str {
        "+ b1ᵀ"
    }
    fn forward(&self, x: &[&Array2<T>]) -> Array2<T> {
        x[0] + x[1] // (n, m) + (n, 1) broadcasts
    }
    fn backward(
        &self,
        i: usize,
        _: &[&Array2<T>],
        _: &Array2<T>,
        g: &Array2<T>,
    ) -> Array2<T> {
        match i {
            0 => g.clone(),                                // ∂C/∂Z = G
            _ => g.sum_axis(Axis(1)).insert_axis(Axis(1)), // ∂C/∂b = G 1
        }
    }
}
// ANCHOR_END: add_column

// ANCHOR: sigmoid_tanh
/// Y = σ(X), elementwise.
pub struct Sigmoid;

impl<T: Real> Op<T> for Sigmoid {
    fn name(&self) -> &'static str {
        "σ"
    }
    fn forward(&self, x: &[&Array2<T>]) -> Array2<T> {
        x[0].mapv(sigmoid)
    }
    fn backward(
        &self,
        _: usize,
        _: &[&Array2<T>],
        y: &Array2<T>,
        g: &Array2<T>,
    ) -> Array2<T> {
        g * &y.mapv(|y| y * (T::one() - y)) // σ' = σ(1 − σ) = y(1 − y)
    }
}

/// Y = tanh X, elementwise.
pub struct Tanh;

impl<T: Real> Op<T> for Tanh {
    fn name(&self) -> &'static str {
        "tanh"
    }
    fn forward(&self, x: &[&Array2<T>]) -> Array2<T> {
        x[0].mapv(T::tanh)
    }
    fn backward(
        &self,
        _: usize,
        _: &[&Array2<T>],
        y: &Array2<T>,
        g: &Array2<T>,
    ) -> Array2<T> {
        g * &y.mapv(|y| T::one() - y * y) // tanh' = 1 − tanh² = 1 − y²
    }
}
// ANCHOR_END: sigmoid_tanh

// ANCHOR: relu_softmax
/// Y = max(0, X), elementwise.
pub struct Relu;

impl<T: Real> Op<T> for Relu {
    fn name(&self) -> &'static str {
        "ReLU"
    }
    fn forward(&self, x: &[&Array2<T>]) -> Array2<T> {
        x[0].mapv(relu)
    }
    fn backward(
        &self,
        _: usize,
        x: &[&Array2<T>],
        _: &Array2<T>,
        g: &Array2<T>,
    ) -> Array2<T> {
        let mut dx = g.clone(); // G ⊙ [X > 0]
        Zip::from(&mut dx).and(x[0]).for_each(|d, &x| {
            if x <= T::zero() {
                *d = T::zero();
            }
        });
        dx
    }
}

/// Each column y = softmax(x).
pub struct Softmax;

impl<T: Real> Op<T> for Softmax {
    fn name(&self) -> &'static str {
        "softmax"
    }
    fn forward(&self, x: &[&Array2<T>]) -> Array2<T> {
        let mut y = x[0].clone();
        y.columns_mut().into_iter().for_each(softmax_in_place);
        y
    }
    fn backward(
        &self,
        _: usize,
        _: &[&Array2<T>],
        y: &Array2<T>,
        g: &Array2<T>,
    ) -> Array2<T> {
        // chapter 6: column k is yₖ ⊙ (gₖ − yₖ·gₖ)
        let y_dot_g = (y * g).sum_axis(Axis(0)); // (m,)
        y * &(g - &y_dot_g)
    }
}
// ANCHOR_END: relu_softmax

// ANCHOR: sub_mul
/// Y = A − B, elementwise.
pub struct Sub;

impl<T: Real> Op<T> for Sub {
    fn name(&self) -> &'static str {
        "−"
    }
    fn forward(&self, x: &[&Array2<T>]) -> Array2<T> {
        x[0] - x[1]
    }
    fn backward(
        &self,
        i: usize,
        _: &[&Array2<T>],
        _: &Array2<T>,
        g: &Array2<T>,
    ) -> Array2<T> {
        match i {
            0 => g.clone(),      // ∂C/∂A = G
            _ => g.mapv(|g| -g), // ∂C/∂B = −G
        }
    }
}

/// Y = A ⊙ B, elementwise.
pub struct Mul;

impl<T: Real> Op<T> for Mul {
    fn name(&self) -> &'static str {
        "⊙"
    }
    fn forward(&self, x: &[&Array2<T>]) -> Array2<T> {
        x[0] * x[1]
    }
    fn backward(
        &self,
        i: usize,
        x: &[&Array2<T>],
        _: &Array2<T>,
        g: &Array2<T>,
    ) -> Array2<T> {
        g * x[1 - i] // ∂C/∂A = G ⊙ B, ∂C/∂B = G ⊙ A
    }
}
// ANCHOR_END: sub_mul

// ANCHOR: ln_scale
/// Y = ln X, elementwise.
pub struct Ln;

impl<T: Real> Op<T> for Ln {
    fn name(&self) -> &'static str {
        "ln"
    }
    fn forward(&self, x: &[&Array2<T>]) -> Array2<T> {
        x[0].mapv(T::ln)
    }
    fn backward(
        &self,
        _: usize,
        x: &[&Array2<T>],
        _: &Array2<T>,
        g: &Array2<T>,
    ) -> Array2<T> {
        g / x[0] // ln' x = 1/x
    }
}

/// y = c·X for a constant c.
pub struct Scale(pub f64);

impl<T: Real> Op<T> for Scale {
    fn name(&self) -> &'static str {
        "c·"
    }
    fn forward(&self, x: &[&Array2<T>]) -> Array2<T> {
        x[0] * T::from_f64(self.0)
    }
    fn backward(
        &self,
        _: usize,
        _: &[&Array2<T>],
        _: &Array2<T>,
        g: &Array2<T>,
    ) -> Array2<T> {
        g * T::from_f64(self.0) // ∂C/∂X = c G
    }
}
// ANCHOR_END: ln_scale

// ANCHOR: sums
/// Y = 1ᵀ X (1, m): the sum of each column — one sample's cost.
pub struct ColumnSums;

impl<T: Real> Op<T> for ColumnSums {
    fn name(&self) -> &'static str {
        "1ᵀX"
    }
    fn forward(&self, x: &[&Array2<T>]) -> Array2<T> {
        x[0].sum_axis(Axis(0)).insert_axis(Axis(0))
    }
    fn backward(
        &self,
        _: usize,
        x: &[&Array2<T>],
        _: &Array2<T>,
        g: &Array2<T>,
    ) -> Array2<T> {
        // every entry of column k moved its sum by 1: ∂C/∂X = 1 G
        Array2::ones(x[0].dim()) * g
    }
}

/// y = the mean of every entry of X (1, 1): the average over a batch.
pub struct Mean;

impl<T: Real> Op<T> for Mean {
    fn name(&self) -> &'static str {
        "mean"
    }
    fn forward(&self, x: &[&Array2<T>]) -> Array2<T> {
        let n = T::from_f64(x[0].len() as f64);
        Array2::from_elem((1, 1), x[0].sum() / n)
    }
    fn backward(
        &self,
        _: usize,
        x: &[&Array2<T>],
        _: &Array2<T>,
        g: &Array2<T>,
    ) -> Array2<T> {
        let n = T::from_f64(x[0].len() as f64); // each entry moved it by 1/n
        Array2::from_elem(x[0].dim(), g[(0, 0)] / n)
    }
}
// ANCHOR_END: sums

// ANCHOR: softmax_ce
/// Each column's cross-entropy of softmax(z) against the target y (1, m):
/// −Σᵢ yᵢ ln softmax(z)ᵢ, as one operation that never takes the log of 0.
/// Its derivative is a (Σᵢ yᵢ) − y for a = softmax(z): chapter 4's a − y
/// when the target sums to 1, as a one-hot label does.
pub struct SoftmaxCrossEntropy;

impl<T: Real> Op<T> for SoftmaxCrossEntropy {
    fn name(&self) -> &'static str {
        "softmax-CE"
    }
    fn forward(&self, x: &[&Array2<T>]) -> Array2<T> {
        let (z, y) = (x[0], x[1]);
        let log_a = log_softmax(z);
        (y * &log_a)
            .sum_axis(Axis(0))
            .insert_axis(Axis(0))
            .mapv(|c| -c)
    }
    fn backward(
        &self,
        i: usize,
        x: &[&Array2<T>],
        _: &Array2<T>,
        g: &Array2<T>,
    ) -> Array2<T> {
        let (z, y) = (x[0], x[1]);
        match i {
            0 => {
                let a = Softmax.forward(&[z]); // A = softmax(Z)
                let y_sums = y.sum_axis(Axis(0)); // (m,): 1 for one-hot Y
                (a * &y_sums - y) * g // ∂C/∂Z = (A ⊙ 1ᵀY − Y) ⊙ 1g
            }
            _ => log_softmax(z).mapv(|l| -l) * g, // ∂C/∂Y = −ln A ⊙ 1g
        }
    }
}
// ANCHOR_END: softmax_ce

/// ln softmax of each column: z − max − ln Σ exp(z − max).
pub fn log_softmax<T: Real>(z: &Array2<T>) -> Array2<T> {
    let mut out = z.clone();
    for mut column in out.columns_mut() {
        let max = column.fold(T::neg_infinity(), |m, &v| m.max(v));
        let log_sum = column.fold(T::zero(), |s, &v| s + (v - max).exp()).ln();
        column.mapv_inplace(|v| v - max - log_sum);
    }
    out
}

// ANCHOR: shorthands
impl<T: Real> Tape<T> {
    /// A B.
    pub fn matmul(&mut self, a: Var, b: Var) -> Var {
        self.apply(MatMul, &[a, b])
    }
    /// Z + b 1ᵀ.
    pub fn add_column(&mut self, z: Var, b: Var) -> Var {
        self.apply(AddColumn, &[z, b])
    }
    /// A − B.
    pub fn sub(&mut self, a: Var, b: Var) -> Var {
        self.apply(Sub, &[a, b])
    }
    /// A ⊙ B.
    pub fn mul(&mut self, a: Var, b: Var) -> Var {
        self.apply(Mul, &[a, b])
    }
    /// c X.
    pub fn scale(&mut self, c: f64, x: Var) -> Var {
        self.apply(Scale(c), &[x])
    }
    /// The mean of every entry.
    pub fn mean(&mut self, x: Var) -> Var {
        self.apply(Mean, &[x])
    }
}
// ANCHOR_END: shorthands
