//! The scalar engine: a number that remembers how it was made, and the
//! chain rule applied backwards through the graph of such numbers
//! (the idea of Karpathy's micrograd, written in Rust).
//!
//! Also forward mode, with dual numbers, to count what reverse mode saves.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::ops::{Add, Mul, Sub};
use std::rc::Rc;

use ch02_activations::sigmoid;

// ANCHOR: value
/// A number that remembers how it was made: its inputs, and the local
/// derivative ∂(this)/∂(input) for each. Cloning a `Value` clones a
/// handle to the same node, as Python's names do in micrograd.
#[derive(Clone)]
pub struct Value(Rc<Node>);

/// One node of the computational graph.
pub struct Node {
    /// The number itself.
    pub data: f64,
    /// ∂C/∂(this number), filled in by [`Value::backward`].
    pub grad: Cell<f64>,
    /// The operation that made it ("" for an input).
    pub op: &'static str,
    /// A name for printing and figures ("w₁", "z₁"), or "".
    pub label: RefCell<String>,
    /// Each input, with ∂(this)/∂(input) at the numbers seen.
    pub inputs: Vec<(Value, f64)>,
}

impl Value {
    /// An input: a number made by nothing.
    pub fn new(data: f64, label: &str) -> Value {
        Value::made_by(data, "", vec![]).named(label)
    }

    /// The result of operation `op` on `inputs`, each with its local
    /// derivative.
    fn made_by(
        data: f64,
        op: &'static str,
        inputs: Vec<(Value, f64)>,
    ) -> Value {
        Value(Rc::new(Node {
            data,
            grad: Cell::new(0.0),
            op,
            label: RefCell::new(String::new()),
            inputs,
        }))
    }
}
// ANCHOR_END: value

impl Value {
    /// Gives the value a name for printing and figures.
    pub fn named(self, label: &str) -> Value {
        *self.0.label.borrow_mut() = label.to_string();
        self
    }

    /// The number.
    pub fn data(&self) -> f64 {
        self.0.data
    }

    /// ∂C/∂(this number) after `backward` on C.
    pub fn grad(&self) -> f64 {
        self.0.grad.get()
    }

    /// Its name ("" if none).
    pub fn label(&self) -> String {
        self.0.label.borrow().clone()
    }

    /// The operation that made it ("" for an input).
    pub fn op(&self) -> &'static str {
        self.0.op
    }

    /// Its inputs with their local derivatives.
    pub fn inputs(&self) -> &[(Value, f64)] {
        &self.0.inputs
    }

    /// Whether two handles are the same node.
    pub fn same_node(&self, other: &Value) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

// ANCHOR: ops
// Each operation computes its number and, beside it, the local derivative
// of that number with respect to each input.
impl Add for Value {
    type Output = Value;
    fn add(self, b: Value) -> Value {
        let sum = self.data() + b.data();
        Value::made_by(sum, "+", vec![(self, 1.0), (b, 1.0)]) // ∂(a+b)/∂a = 1
    }
}

impl Sub for Value {
    type Output = Value;
    fn sub(self, b: Value) -> Value {
        let difference = self.data() - b.data();
        Value::made_by(difference, "−", vec![(self, 1.0), (b, -1.0)])
    }
}

impl Mul for Value {
    type Output = Value;
    fn mul(self, b: Value) -> Value {
        let (a_data, b_data) = (self.data(), b.data());
        // ∂(ab)/∂a = b and ∂(ab)/∂b = a
        Value::made_by(a_data * b_data, "×", vec![(self, b_data), (b, a_data)])
    }
}

impl Value {
    /// σ(x), with σ'(x) = σ(x)(1 − σ(x)).
    pub fn sigmoid(self) -> Value {
        let s = sigmoid(self.data());
        Value::made_by(s, "σ", vec![(self, s * (1.0 - s))])
    }

    /// tanh x, with tanh'(x) = 1 − tanh² x.
    pub fn tanh(self) -> Value {
        let t = self.data().tanh();
        Value::made_by(t, "tanh", vec![(self, 1.0 - t * t)])
    }

    /// max(0, x), with derivative 1 where x > 0, else 0.
    pub fn relu(self) -> Value {
        let x = self.data();
        let slope = if x > 0.0 { 1.0 } else { 0.0 };
        Value::made_by(x.max(0.0), "ReLU", vec![(self, slope)])
    }

    /// x², with derivative 2x.
    pub fn square(self) -> Value {
        let x = self.data();
        Value::made_by(x * x, "²", vec![(self, 2.0 * x)])
    }
}
// ANCHOR_END: ops

// ANCHOR: backward
impl Value {
    /// Every node this value depends on, each after all of its inputs
    /// (a topological order), ending with this value itself.
    pub fn topological_order(&self) -> Vec<Value> {
        fn visit(
            v: &Value,
            seen: &mut HashSet<*const Node>,
            order: &mut Vec<Value>,
        ) {
            if seen.insert(Rc::as_ptr(&v.0)) {
                for (input, _) in v.inputs() {
                    visit(input, seen, order);
                }
                order.push(v.clone()); // after its inputs
            }
        }
        let (mut seen, mut order) = (HashSet::new(), Vec::new());
        visit(self, &mut seen, &mut order);
        order
    }

    /// Fills in ∂C/∂v for every value v that C (this value) depends on:
    /// ∂C/∂C = 1, then, from the last node back to the first, each node
    /// hands each input its share, ∂C/∂input += ∂node/∂input · ∂C/∂node.
    /// A value used twice receives two shares, which add up.
    pub fn backward(&self) {
        let order = self.topological_order();
        for v in &order {
            v.0.grad.set(0.0);
        }
        self.0.grad.set(1.0);
        for node in order.iter().rev() {
            for (input, local) in node.inputs() {
                input.0.grad.set(input.grad() + local * node.grad());
            }
        }
    }
}
// ANCHOR_END: backward

// ANCHOR: chain
/// Chapter 6's chain of sigmoid neurons, aₗ = σ(aₗ₋₁ wₗ + bₗ), and its
/// cost C = (a_L − y)², written once for any kind of number: plain `f64`,
/// a [`Value`] that records the graph, or a [`Dual`] for forward mode.
pub fn chain_cost<N: Number>(w: &[N], b: &[N], x: f64, y: f64) -> N {
    let mut a = N::constant(x, "x");
    for (l, (w, b)) in w.iter().zip(b).enumerate() {
        let z = (a * w.clone() + b.clone()).named(&format!("z{}", l + 1));
        a = z.sigmoid().named(&format!("a{}", l + 1));
    }
    (a - N::constant(y, "y")).square().named("C")
}
// ANCHOR_END: chain

/// What [`chain_cost`] needs of a number.
pub trait Number:
    Clone + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self>
{
    /// A constant (with a name, for numbers that keep one).
    fn constant(x: f64, label: &str) -> Self;
    /// σ(self).
    fn sigmoid(self) -> Self;
    /// self².
    fn square(self) -> Self;
    /// Names the number, where numbers have names.
    fn named(self, _label: &str) -> Self {
        self
    }
}

impl Number for f64 {
    fn constant(x: f64, _label: &str) -> Self {
        x
    }
    fn sigmoid(self) -> Self {
        sigmoid(self)
    }
    fn square(self) -> Self {
        self * self
    }
}

impl Number for Value {
    fn constant(x: f64, label: &str) -> Self {
        Value::new(x, label)
    }
    fn sigmoid(self) -> Self {
        Value::sigmoid(self)
    }
    fn square(self) -> Self {
        Value::square(self)
    }
    fn named(self, label: &str) -> Self {
        Value::named(self, label)
    }
}

// ANCHOR: dual
/// Forward mode: a number a + ȧε carried with its derivative ȧ along one
/// chosen direction (ε² = 0). Each operation applies the chain rule at
/// once, forwards: (a·b)˙ = ȧb + aḃ.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dual {
    /// The number a.
    pub value: f64,
    /// Its derivative ȧ along the chosen direction.
    pub tangent: f64,
}

impl Add for Dual {
    type Output = Dual;
    fn add(self, b: Dual) -> Dual {
        Dual {
            value: self.value + b.value,
            tangent: self.tangent + b.tangent,
        }
    }
}

impl Sub for Dual {
    type Output = Dual;
    fn sub(self, b: Dual) -> Dual {
        Dual {
            value: self.value - b.value,
            tangent: self.tangent - b.tangent,
        }
    }
}

impl Mul for Dual {
    type Output = Dual;
    fn mul(self, b: Dual) -> Dual {
        Dual {
            value: self.value * b.value,
            tangent: self.tangent * b.value + self.value * b.tangent,
        }
    }
}

impl Number for Dual {
    fn constant(x: f64, _label: &str) -> Self {
        Dual {
            value: x,
            tangent: 0.0,
        }
    }
    fn sigmoid(self) -> Self {
        let s = sigmoid(self.value);
        Dual {
            value: s,
            tangent: s * (1.0 - s) * self.tangent,
        }
    }
    fn square(self) -> Self {
        self * self
    }
}
// ANCHOR_END: dual

// ANCHOR: forward_mode
/// The gradient of `f` at `p` in forward mode: one pass per parameter,
/// each seeding a tangent of 1 on that parameter alone.
pub fn forward_mode_gradient(
    f: impl Fn(&[Dual]) -> Dual,
    p: &[f64],
) -> Vec<f64> {
    (0..p.len())
        .map(|i| {
            let seeded: Vec<Dual> = (0..p.len())
                .map(|j| Dual {
                    value: p[j],
                    tangent: f64::from(i == j),
                })
                .collect();
            f(&seeded).tangent // ∂f/∂pᵢ
        })
        .collect()
}
// ANCHOR_END: forward_mode

/// Chapter 6's chain cost and its gradient by the engine: (C, ∂C/∂w,
/// ∂C/∂b), and the graph's root for drawing.
pub fn chain_gradient(
    w: &[f64],
    b: &[f64],
    x: f64,
    y: f64,
) -> (Value, Vec<f64>, Vec<f64>) {
    let name = |s: &str, l: usize| format!("{s}{}", l + 1);
    let w: Vec<Value> = w
        .iter()
        .enumerate()
        .map(|(l, &v)| Value::new(v, &name("w", l)))
        .collect();
    let b: Vec<Value> = b
        .iter()
        .enumerate()
        .map(|(l, &v)| Value::new(v, &name("b", l)))
        .collect();
    let cost = chain_cost(&w, &b, x, y);
    cost.backward();
    let grads = |vs: &[Value]| vs.iter().map(Value::grad).collect();
    (cost.clone(), grads(&w), grads(&b))
}
