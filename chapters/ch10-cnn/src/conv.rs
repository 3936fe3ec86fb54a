//! The convolution layer, as the page teaches it: a filter sliding over
//! the image (the loop), then the same numbers as one matrix product
//! (im2col), and both backward passes.
//!
//! One image at a time, channels first: an image is (C, H, W), a layer's
//! filters are (O, C, k, k) — O filters, each seeing all C channels of a
//! k × k window. Training runs a batched copy of the matrix form
//! (`fast.rs`); tests show the two agree.

use ndarray::{
    Array1, Array2, Array3, Array4, ArrayView1, ArrayView2, ArrayView3,
    ArrayView4, Axis, s,
};
use shared::Real;

/// How a filter moves: its stride (step between windows) and the zero
/// padding added around the image first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Geometry {
    /// The side k of the square filter.
    pub k: usize,
    /// The step s between neighbouring windows.
    pub stride: usize,
    /// Rows and columns of zeros added on every side.
    pub pad: usize,
}

impl Geometry {
    /// A k × k filter, stride 1, no padding ("valid" convolution).
    pub fn valid(k: usize) -> Geometry {
        Geometry {
            k,
            stride: 1,
            pad: 0,
        }
    }

    // ANCHOR: output_size
    /// The output side for an input side n: ⌊(n + 2·pad − k) / s⌋ + 1.
    pub fn output_side(self, n: usize) -> usize {
        assert!(
            n + 2 * self.pad >= self.k,
            "a {0}×{0} filter does not fit an input of side {n} padded by {1}",
            self.k,
            self.pad
        );
        (n + 2 * self.pad - self.k) / self.stride + 1
    }
    // ANCHOR_END: output_size
}

/// The image with `pad` zeros on every side: (C, H + 2pad, W + 2pad).
pub fn pad<T: Real>(x: ArrayView3<T>, pad: usize) -> Array3<T> {
    let (c, h, w) = x.dim();
    let mut padded = Array3::zeros((c, h + 2 * pad, w + 2 * pad));
    padded
        .slice_mut(s![.., pad..pad + h, pad..pad + w])
        .assign(&x);
    padded
}

/// The padding stripped off again: the inverse of [`pad`].
pub fn unpad<T: Real>(x: ArrayView3<T>, pad: usize) -> Array3<T> {
    let (_, h, w) = x.dim();
    x.slice(s![.., pad..h - pad, pad..w - pad]).to_owned()
}

// ANCHOR: conv_forward
/// The convolution layer's weighted input, by sliding each filter over
/// the (padded) image x̃:
/// z[o, i, j] = b[o] + Σ_c Σ_p Σ_q w[o, c, p, q] · x̃[c, s·i + p, s·j + q].
pub fn conv_forward<T: Real>(
    x: ArrayView3<T>, // (C, H, W)
    w: ArrayView4<T>, // (O, C, k, k)
    b: ArrayView1<T>, // (O)
    geometry: Geometry,
) -> Array3<T> {
    let Geometry { k, stride: s, .. } = geometry;
    let mut z = Array3::zeros(output_shape(x.dim(), w.dim(), geometry));
    let x = pad(x, geometry.pad); // (C, H + 2pad, W + 2pad)
    for ((o, i, j), z) in z.indexed_iter_mut() {
        let window = x.slice(s![.., s * i..s * i + k, s * j..s * j + k]);
        *z = (&window * &w.slice(s![o, .., .., ..])).sum() + b[o];
    }
    z
}
// ANCHOR_END: conv_forward

/// The gradients of the cost with respect to a convolution layer's input,
/// filters and biases.
#[derive(Clone, Debug, PartialEq)]
pub struct ConvGradients<T: Real> {
    /// ∂C/∂x, (C, H, W).
    pub nabla_x: Array3<T>,
    /// ∂C/∂w, (O, C, k, k).
    pub nabla_w: Array4<T>,
    /// ∂C/∂b, (O).
    pub nabla_b: Array1<T>,
}

// ANCHOR: conv_backward
/// Backprop through the convolution: given δ = ∂C/∂z, every output z[o, i, j]
/// hands its share of the blame back to what made it — its bias, its
/// filter (times the window it saw) and its window (times the filter):
/// ∂C/∂b[o] += δ[o, i, j],
/// ∂C/∂w[o] += δ[o, i, j] · x̃[window(i, j)],
/// ∂C/∂x̃[window(i, j)] += δ[o, i, j] · w[o].
pub fn conv_backward<T: Real>(
    x: ArrayView3<T>,     // (C, H, W)
    w: ArrayView4<T>,     // (O, C, k, k)
    delta: ArrayView3<T>, // (O, OH, OW)
    geometry: Geometry,
) -> ConvGradients<T> {
    let Geometry { k, stride: s, .. } = geometry;
    let x = pad(x, geometry.pad);
    let mut nabla_x = Array3::zeros(x.raw_dim()); // (C, H + 2pad, W + 2pad)
    let mut nabla_w = Array4::zeros(w.raw_dim()); // (O, C, k, k)
    let mut nabla_b = Array1::zeros(w.dim().0); // (O)
    for ((o, i, j), &d) in delta.indexed_iter() {
        let window = s![.., s * i..s * i + k, s * j..s * j + k];
        nabla_b[o] += d;
        nabla_w
            .slice_mut(s![o, .., .., ..])
            .scaled_add(d, &x.slice(window));
        nabla_x
            .slice_mut(window)
            .scaled_add(d, &w.slice(s![o, .., .., ..]));
    }
    ConvGradients {
        nabla_x: unpad(nabla_x.view(), geometry.pad),
        nabla_w,
        nabla_b,
    }
}
// ANCHOR_END: conv_backward

/// Each filter turned by 180°: w[o, c, k−1−p, k−1−q].
pub fn flip<T: Real>(w: ArrayView4<T>) -> Array4<T> {
    w.slice(s![.., .., ..;-1, ..;-1]).to_owned()
}

// ANCHOR: flipped
/// For stride 1 the input gradient is itself a convolution: δ, padded by
/// k − 1, convolved with the flipped filters, channels and filters swapped:
/// ∂C/∂x̃[c] = Σ_o δ[o] ★ rot180(w[o, c]) ("full" convolution).
pub fn input_gradient_by_flipped_filters<T: Real>(
    w: ArrayView4<T>,     // (O, C, k, k)
    delta: ArrayView3<T>, // (O, OH, OW)
    pad: usize,
) -> Array3<T> {
    let (c, k) = (w.dim().1, w.dim().2);
    let swapped = flip(w).permuted_axes([1, 0, 2, 3]); // (C, O, k, k)
    let full = Geometry {
        k,
        stride: 1,
        pad: k - 1,
    };
    let nabla_x =
        conv_forward(delta, swapped.view(), Array1::zeros(c).view(), full);
    unpad(nabla_x.view(), pad)
}
// ANCHOR_END: flipped

// ANCHOR: im2col
/// Every window of the padded image as a column: row (c, p, q), column
/// (i, j) holds x̃[c, s·i + p, s·j + q]. Shape (C·k·k, OH·OW).
pub fn im2col<T: Real>(x: ArrayView3<T>, geometry: Geometry) -> Array2<T> {
    let Geometry { k, stride: s, .. } = geometry;
    let (c, h, w) = x.dim();
    let (oh, ow) = (geometry.output_side(h), geometry.output_side(w));
    let x = pad(x, geometry.pad);
    let mut cols = Array2::zeros((c * k * k, oh * ow)); // (C·k·k, OH·OW)
    for ((row, col), v) in cols.indexed_iter_mut() {
        let (c, p, q) = (row / (k * k), row / k % k, row % k);
        let (i, j) = (col / ow, col % ow);
        *v = x[[c, s * i + p, s * j + q]];
    }
    cols
}
// ANCHOR_END: im2col

// ANCHOR: col2im
/// The adjoint of [`im2col`]: each column added back into its window
/// (overlapping windows add up), the padding dropped. Shape (C, H, W).
pub fn col2im<T: Real>(
    cols: ArrayView2<T>, // (C·k·k, OH·OW)
    input: (usize, usize, usize),
    geometry: Geometry,
) -> Array3<T> {
    let Geometry { k, stride: s, pad } = geometry;
    let (c, h, w) = input;
    let ow = geometry.output_side(w);
    let mut x = Array3::zeros((c, h + 2 * pad, w + 2 * pad));
    for ((row, col), &v) in cols.indexed_iter() {
        let (c, p, q) = (row / (k * k), row / k % k, row % k);
        let (i, j) = (col / ow, col % ow);
        x[[c, s * i + p, s * j + q]] += v;
    }
    unpad(x.view(), pad)
}
// ANCHOR_END: col2im

// ANCHOR: conv_by_matrix
/// The same convolution as one matrix product: each filter is a row of
/// W (O, C·k·k), each window a column of im2col(x), so Z = W X + b.
pub fn conv_by_matrix<T: Real>(
    x: ArrayView3<T>, // (C, H, W)
    w: ArrayView4<T>, // (O, C, k, k)
    b: ArrayView1<T>, // (O)
    geometry: Geometry,
) -> Array3<T> {
    let (o, oh, ow) = output_shape(x.dim(), w.dim(), geometry);
    let w = filters_as_rows(w); // (O, C·k·k)
    // (O, C·k·k) · (C·k·k, OH·OW) + (O, 1) → (O, OH·OW)
    let z = w.dot(&im2col(x, geometry)) + b.insert_axis(Axis(1));
    z.into_shape_with_order((o, oh, ow))
        .expect("O·OH·OW entries")
}

/// Backprop through Z = W X + b as matrices: ∇W = δ Xᵀ, ∇b = Σ δ over
/// windows, ∇X = Wᵀ δ, folded back into an image by [`col2im`].
pub fn conv_backward_by_matrix<T: Real>(
    x: ArrayView3<T>,     // (C, H, W)
    w: ArrayView4<T>,     // (O, C, k, k)
    delta: ArrayView3<T>, // (O, OH, OW)
    geometry: Geometry,
) -> ConvGradients<T> {
    let cols = im2col(x, geometry); // (C·k·k, OH·OW)
    let delta = delta
        .to_shape((w.dim().0, cols.ncols()))
        .expect("δ has O·OH·OW entries"); // (O, OH·OW)
    let w_rows = filters_as_rows(w); // (O, C·k·k)
    let nabla_w = delta.dot(&cols.t()); // (O, C·k·k)
    ConvGradients {
        nabla_x: col2im(w_rows.t().dot(&delta).view(), x.dim(), geometry),
        nabla_w: nabla_w
            .to_shape(w.raw_dim())
            .expect("O·C·k·k entries")
            .into_owned(),
        nabla_b: delta.sum_axis(Axis(1)),
    }
}
// ANCHOR_END: conv_by_matrix

/// The filters (O, C, k, k) as the rows of a matrix (O, C·k·k).
pub fn filters_as_rows<T: Real>(w: ArrayView4<T>) -> Array2<T> {
    let (o, c, k, _) = w.dim();
    w.to_shape((o, c * k * k))
        .expect("O·C·k·k entries")
        .to_owned()
}

/// The shape (O, OH, OW) of a convolution's output.
pub fn output_shape(
    x: (usize, usize, usize),
    w: (usize, usize, usize, usize),
    geometry: Geometry,
) -> (usize, usize, usize) {
    assert_eq!(
        x.0, w.1,
        "an image of {} channels into filters for {} channels",
        x.0, w.1
    );
    (w.0, geometry.output_side(x.1), geometry.output_side(x.2))
}
