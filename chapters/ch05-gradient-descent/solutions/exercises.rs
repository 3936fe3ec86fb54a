//! Reference solutions to chapter 5's exercises, mirroring
//! `src/exercises.rs` region for region. Try each exercise first.

// ANCHOR: central_difference
/// Exercise 5.1.
pub fn central_difference(f: fn(f64) -> f64, x: f64, h: f64) -> f64 {
    (f(x + h) - f(x - h)) / (2.0 * h)
}
// ANCHOR_END: central_difference

// ANCHOR: descend
/// Exercise 5.2.
pub fn descend(
    gradient: fn([f64; 2]) -> [f64; 2],
    start: [f64; 2],
    eta: f64,
    steps: usize,
) -> [f64; 2] {
    let mut p = start;
    for _ in 0..steps {
        let g = gradient(p);
        p = [p[0] - eta * g[0], p[1] - eta * g[1]];
    }
    p
}
// ANCHOR_END: descend

// ANCHOR: logistic_gradient
/// Exercise 5.3.
pub fn logistic_gradient(
    w: [f64; 2],
    b: f64,
    xs: &[[f64; 2]],
    ys: &[f64],
) -> ([f64; 2], f64) {
    let (mut dw, mut db) = ([0.0, 0.0], 0.0);
    for (x, y) in xs.iter().zip(ys) {
        let a = ch01_neuron::sigmoid(w[0] * x[0] + w[1] * x[1] + b);
        let dz = a - y;
        dw[0] += dz * x[0];
        dw[1] += dz * x[1];
        db += dz;
    }
    let n = xs.len() as f64;
    ([dw[0] / n, dw[1] / n], db / n)
}
// ANCHOR_END: logistic_gradient

// ANCHOR: learning_rates
/// Exercise 5.4: a step multiplies x by (1 − ηa) and y by (1 − ηb). Both
/// shrink while |1 − ηb| < 1, i.e. η < 2/b. The slower of the two factors
/// is smallest when they balance, 1 − ηa = −(1 − ηb): η = 2/(a + b).
pub fn learning_rates(a: f64, b: f64) -> (f64, f64) {
    (2.0 / b, 2.0 / (a + b))
}
// ANCHOR_END: learning_rates
