//! Better steps: momentum and Adam, first on chapter 5's narrow valley
//! (where their paths can be drawn), then on a network; and learning-rate
//! schedules.

use ch07_minibatches::fast::Float;
use ch07_minibatches::{Gradients, Network};
use ndarray::Zip;
use shared::Real;

/// A point on the valley: (x, y).
pub type Point = [f64; 2];

// ANCHOR: paths
/// Momentum from `start`: v ← μv − η∇f(p), p ← p + v. Returns the path.
pub fn momentum_path(
    gradient: impl Fn(Point) -> Point,
    start: Point,
    eta: f64,
    mu: f64,
    steps: usize,
) -> Vec<Point> {
    let (mut p, mut v) = (start, [0.0; 2]);
    let mut path = vec![p];
    for _ in 0..steps {
        let g = gradient(p);
        for i in 0..2 {
            v[i] = mu * v[i] - eta * g[i];
            p[i] += v[i];
        }
        path.push(p);
    }
    path
}

/// Adam from `start` (Kingma and Ba, 2015): running means of the gradient
/// (m) and of its square (v), corrected for starting at 0, and a step of
/// η m̂ / (√v̂ + ε) — each coordinate's step scaled by its own gradient's
/// typical size, so steep and shallow directions move alike.
pub fn adam_path(
    gradient: impl Fn(Point) -> Point,
    start: Point,
    eta: f64,
    steps: usize,
) -> Vec<Point> {
    let (beta1, beta2, eps) = (0.9, 0.999, 1e-8);
    let (mut p, mut m, mut v) = (start, [0.0; 2], [0.0; 2]);
    let mut path = vec![p];
    for t in 1..=steps as i32 {
        let g = gradient(p);
        for i in 0..2 {
            m[i] = beta1 * m[i] + (1.0 - beta1) * g[i];
            v[i] = beta2 * v[i] + (1.0 - beta2) * g[i] * g[i];
            let m_hat = m[i] / (1.0 - beta1.powi(t));
            let v_hat = v[i] / (1.0 - beta2.powi(t));
            p[i] -= eta * m_hat / (v_hat.sqrt() + eps);
        }
        path.push(p);
    }
    path
}
// ANCHOR_END: paths

/// The settings of the valley figure: plain gradient descent at chapter
/// 5's good rate, momentum, and Adam, 50 steps each from chapter 5's start.
pub const VALLEY_ETA: f64 = 0.15;
/// Momentum's (η, μ) on the valley.
pub const VALLEY_MOMENTUM: (f64, f64) = (0.1, 0.5);
/// Adam's η on the valley.
pub const VALLEY_ADAM: f64 = 0.5;
/// Steps on the valley.
pub const VALLEY_STEPS: usize = 50;

// ANCHOR: adam
/// Adam for a whole network: m and v for every weight and bias.
pub struct Adam<T: Real> {
    m: Gradients<T>,
    v: Gradients<T>,
    t: i32,
    /// L2 weight decay λ, added to the weights' gradients.
    pub weight_decay: T,
}

/// One parameter's Adam update at step t: m ← β₁m + (1 − β₁)g,
/// v ← β₂v + (1 − β₂)g², w ← w − η m̂/(√v̂ + ε).
pub fn adam_rule<T: Real>(
    eta: T,
    t: i32,
    lambda: T,
) -> impl Fn(&mut T, &mut T, &mut T, &T) + Sync + Send {
    let (beta1, beta2) = (T::from_f64(0.9), T::from_f64(0.999));
    let eps = T::from_f64(1e-8);
    let (fix1, fix2) = (T::one() - beta1.powi(t), T::one() - beta2.powi(t));
    move |w, m, v, &g| {
        let g = g + lambda * *w; // the L2 term's gradient
        *m = beta1 * *m + (T::one() - beta1) * g;
        *v = beta2 * *v + (T::one() - beta2) * g * g;
        let (m_hat, v_hat) = (*m / fix1, *v / fix2);
        *w -= eta * m_hat / (v_hat.sqrt() + eps);
    }
}

// ANCHOR: adamw_rule
/// AdamW (Loshchilov & Hutter 2019): the weight decay taken out of the
/// gradient. The weight shrinks by η λ w directly, then Adam steps on the
/// loss's gradient alone — so Adam's division by √v̂ does not weaken the
/// decay of the weights whose gradients are large, as it does L2's.
pub fn adamw_rule<T: Real>(
    eta: T,
    t: i32,
    lambda: T,
) -> impl Fn(&mut T, &mut T, &mut T, &T) + Sync + Send {
    let adam = adam_rule(eta, t, T::zero());
    move |w, m, v, g| {
        *w -= eta * lambda * *w;
        adam(w, m, v, g);
    }
}
// ANCHOR_END: adamw_rule

impl<T: Real> Adam<T> {
    /// Adam for `net`, starting from m = v = 0.
    pub fn new(net: &Network<T>, weight_decay: f64) -> Self {
        Adam {
            m: Gradients::zeros_like(net),
            v: Gradients::zeros_like(net),
            t: 0,
            weight_decay: T::from_f64(weight_decay),
        }
    }

    /// One step with learning rate `eta` on every weight and bias.
    pub fn step(&mut self, net: &mut Network<T>, grads: &Gradients<T>, eta: T) {
        self.t += 1;
        let rule_w = adam_rule(eta, self.t, self.weight_decay);
        let rule_b = adam_rule(eta, self.t, T::zero());
        let (m, v) = (&mut self.m, &mut self.v);
        for (l, layer) in net.layers.iter_mut().enumerate() {
            Zip::from(&mut layer.w)
                .and(&mut m.nabla_w[l])
                .and(&mut v.nabla_w[l])
                .and(&grads.nabla_w[l])
                .for_each(&rule_w);
            Zip::from(&mut layer.b)
                .and(&mut m.nabla_b[l])
                .and(&mut v.nabla_b[l])
                .and(&grads.nabla_b[l])
                .for_each(&rule_b);
        }
    }
}
// ANCHOR_END: adam

impl<T: Float> Adam<T> {
    /// [`step`](Self::step) with the weights spread over every thread:
    /// each entry's update is its own, so the result is the same.
    pub fn step_fast(
        &mut self,
        net: &mut Network<T>,
        grads: &Gradients<T>,
        eta: T,
    ) {
        self.t += 1;
        let rule_w = adam_rule(eta, self.t, self.weight_decay);
        let rule_b = adam_rule(eta, self.t, T::zero());
        let (m, v) = (&mut self.m, &mut self.v);
        for (l, layer) in net.layers.iter_mut().enumerate() {
            Zip::from(&mut layer.w)
                .and(&mut m.nabla_w[l])
                .and(&mut v.nabla_w[l])
                .and(&grads.nabla_w[l])
                .par_for_each(&rule_w);
            Zip::from(&mut layer.b)
                .and(&mut m.nabla_b[l])
                .and(&mut v.nabla_b[l])
                .and(&grads.nabla_b[l])
                .for_each(&rule_b);
        }
    }
}

// ANCHOR: schedule
/// How the learning rate changes over a run (`--schedule`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Schedule {
    /// η₀ throughout.
    Constant,
    /// η₀ divided by 10 after half the epochs, and again after three
    /// quarters: the "step" schedule of many papers.
    Step,
    /// η₀ · ½(1 + cos(π · epoch/epochs)): smoothly from η₀ to near 0.
    Cosine,
}

impl Schedule {
    /// η for `epoch` (from 0) of `epochs`.
    pub fn eta(self, eta0: f64, epoch: usize, epochs: usize) -> f64 {
        let t = epoch as f64 / epochs as f64;
        match self {
            Schedule::Constant => eta0,
            Schedule::Step if t >= 0.75 => eta0 / 100.0,
            Schedule::Step if t >= 0.5 => eta0 / 10.0,
            Schedule::Step => eta0,
            // Chapter 8's cosine: η₀ · ½(1 + cos(π e/E)).
            Schedule::Cosine => ch08_mnist::cosine_eta(eta0, epoch, epochs),
        }
    }
    // ANCHOR_END: schedule

    /// The name the command line uses.
    pub fn name(self) -> &'static str {
        match self {
            Schedule::Constant => "constant",
            Schedule::Step => "step",
            Schedule::Cosine => "cosine",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ch05_gradient_descent::{START, bowl, bowl_gradient, gradient_descent};

    #[test]
    fn on_the_valley_momentum_beats_plain_descent_and_adam_circles() {
        let plain = gradient_descent(bowl_gradient, START, VALLEY_ETA, 50);
        let (eta, mu) = VALLEY_MOMENTUM;
        let heavy = momentum_path(bowl_gradient, START, eta, mu, 50);
        let adam = adam_path(bowl_gradient, START, VALLEY_ADAM, 50);
        let end = |path: &[Point]| bowl(*path.last().unwrap());
        assert!(end(&heavy) < 1e-6 * end(&plain), "{}", end(&heavy));
        // Adam gets near the bottom, but steps of about η keep it
        // circling there: a fixed η does not let it settle.
        assert!(end(&adam) < 1e-2 * bowl(START), "{}", end(&adam));
        assert!(end(&adam) > end(&plain), "{}", end(&adam));
        // Adam's first step moves both coordinates by η: the sign of the
        // gradient, whatever its size.
        let first = adam[1];
        assert!((first[0] - (START[0] + VALLEY_ADAM)).abs() < 1e-6);
        assert!((first[1] - (START[1] - VALLEY_ADAM)).abs() < 1e-6);
    }

    #[test]
    fn momentum_zero_is_plain_descent() {
        let plain = gradient_descent(bowl_gradient, START, 0.1, 20);
        let none = momentum_path(bowl_gradient, START, 0.1, 0.0, 20);
        assert_eq!(plain, none);
    }

    #[test]
    fn schedules_start_at_eta0_and_end_lower() {
        for s in [Schedule::Step, Schedule::Cosine] {
            assert_eq!(s.eta(0.1, 0, 20), 0.1);
            assert!(s.eta(0.1, 19, 20) < 0.002, "{s:?}");
        }
        assert_eq!(Schedule::Constant.eta(0.1, 19, 20), 0.1);
        assert!((Schedule::Step.eta(0.1, 10, 20) - 0.01).abs() < 1e-12);
    }
}
