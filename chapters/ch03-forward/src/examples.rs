//! The chapter's worked examples: the coat network, and a digit drawn
//! in code for the 784-16-16-10 network to look at.

use ch01_neuron::{Image, SIDE, paint};
use ndarray::{Array1, array};

use crate::{Activation, Layer, Network};

// ANCHOR: coat
/// The coat network: inputs (temperature °C, rain, wind), two ReLU
/// hidden neurons ("cold and wet or windy", "very cold"), one sigmoid
/// output: the probability of wanting a coat.
pub fn coat_network() -> Network<f64> {
    let hidden = Layer::new(
        array![[-0.5, 1.0, 0.5], [-1.0, 0.5, 0.5]], // (2, 3)
        array![0.0, 1.0],
        Activation::Relu,
    );
    let output = Layer::new(
        array![[0.8, -0.5]], // (1, 2)
        array![0.2],
        Activation::Sigmoid,
    );
    Network::from_layers(vec![hidden, output])
}

/// The input: 10 °C, raining, windy.
pub fn coat_input() -> Array1<f64> {
    array![10.0, 1.0, 1.0]
}
// ANCHOR_END: coat

/// A handwritten-looking 7: a bar along the top and a slanted stroke down.
pub fn seven() -> Image {
    let mut image = Image::zeros((SIDE, SIDE));
    paint(&mut image, 5..8, 7..22, 1.0);
    for r in 8..24 {
        // The stroke drifts left as it falls, two columns every three rows.
        let c = 20 - (r - 8) * 2 / 3;
        paint(&mut image, r..r + 1, c - 1..c + 2, 1.0);
    }
    image
}
