//! The fast path for the convolutional network: a whole minibatch per
//! step, every convolution as matrix products.
//!
//! The book never includes this module; the appendix "How fast is it?"
//! explains it. What differs from the lesson ([`Cnn::backprop`]), and why:
//!
//! - **A batch of maps is one matrix per layer, channels by rows:** row c
//!   holds channel c of every image, image after image, (C, m·H·W). Then
//!   im2col of the whole batch is (C·k·k, m·OH·OW), and the layer is one
//!   product, Z = W X (its bias added after pooling, below), with W the
//!   filters as rows (O, C·k·k) — the shape of chapter 7's batched
//!   layer. Backwards, ∇W = δ Xᵀ and ∇X = Wᵀ δ are products too (by
//!   `fastpath::gemm_serial`, a piece of the batch on each thread, below,
//!   except the second layer's ∇W, by `fastpath::gemm`).
//! - **Bias, ReLU and max pooling fused:** relu(max(z) + b) =
//!   max(relu(z + b)), so the pooled map is computed straight from
//!   Z = W X, the bias added once per block, and the winner of each block
//!   is remembered (an index), so the backward pass routes δ without
//!   searching again. The comparisons and the routing are written without
//!   branches: which entry of a block wins, and whether it passes ReLU,
//!   is as unpredictable as the data.
//! - **Loops compiled for the MNIST network's sizes** (outputs of side 24
//!   and 8 at stride 1 without padding, and pooling of those maps):
//!   im2col, col2im and pooling move and add each output row's run of 24
//!   or 8 entries whole, as vectors of the widest instructions the CPU
//!   has (`fastpath::simd!`); other sizes take the general loops, and
//!   tests hold the two to the same bits.
//! - **Buffers allocated once** ([`Workspace`]) for a largest batch.
//! - **A few images at a time, while they are in cache:** each thread
//!   takes a piece of four images through a layer's passes in one go
//!   — im2col, the product, the bias, ReLU and pooling forwards; routing
//!   δ, Wᵀ δ, col2im and routing again backwards, through both layers —
//!   so that each pass reads what the one before it wrote from the core's
//!   cache rather than from memory (a batch's windows of the second layer
//!   are 8 MB). The first layer's ∇W and ∇b are summed over each piece
//!   there too, while its δ is in cache, and the pieces' sums added in
//!   the pieces' order. Only the second layer's ∇W is a product of the
//!   whole batch, cut between threads by `gemm`.
//! - **What only a piece needs stays in a thread's scratch buffer**
//!   (`fastpath::with_scratch`): each convolution's Z, read once by the
//!   pooling; backwards, ∂C/∂(windows), the first layer's ∂C/∂p and its
//!   δ; and the first layer's windows, made again for its ∇W (25 numbers
//!   for each of an image's 576 output positions: no dearer to make twice
//!   than to store and read back). Written to parts of
//!   batch-sized matrices, they would be new memory for every piece,
//!   which the caches fetch before writing and write back afterwards
//!   (19 MB a step in f32 for a batch of 64); one buffer per thread,
//!   reused piece after piece, stays in its core's L2 cache. Only what a
//!   later pass reads across the whole batch is kept for the batch: the
//!   second layer's windows (its ∇W), the pooled maps and their winners,
//!   the second layer's ∂C/∂p (written for the whole batch by the dense
//!   layers' pass) and its δ.
//! - **Each output written by one thread, each sum in one fixed order**
//!   (a bias's gradient in the lanes of `fastpath::sum_of`), so results
//!   are bit-identical for any thread count.
//!
//! Gradients are means over the batch; tests show they equal the mean of
//! the lesson's per-image gradients (1e-12 relative in f64).

use ndarray::parallel::prelude::*;
use ndarray::{Array2, Array3, ArrayView2, ArrayViewMut2, Axis, s};
use rayon::slice::ParallelSliceMut;

use ch07_minibatches::fast::Float;
use fastpath::{gemm, gemm_serial};

use crate::conv::Geometry;
use crate::net::{Architecture, Cnn, POOL};

/// One convolution layer's sizes on the fast path.
#[derive(Clone, Copy, Debug)]
struct Layer {
    /// Input channels.
    c: usize,
    /// Output channels (filters).
    o: usize,
    /// Input side.
    side: usize,
    /// Output side of the convolution.
    conv: usize,
    /// Side after pooling.
    pooled: usize,
    geometry: Geometry,
}

/// Scratch space for a batch of up to `capacity` images, allocated once.
pub struct Workspace<T: Float> {
    arch: Architecture,
    layers: [Layer; 2],
    capacity: usize,
    /// The input batch, (1, m·side²).
    x: Array2<T>,
    /// im2col of each convolution's input, (C·k², m·conv²), for the
    /// second (its ∇W is a product of the whole batch); the first's has
    /// no rows: its windows are made a piece at a time in scratch, in the
    /// forward pass and again for its ∇W (kept, 25 numbers for each of an
    /// image's 576 output positions would be 3.7 MB a step to memory and
    /// back).
    cols: [Array2<T>; 2],
    /// relu(max_pool(z)), (O, m·pooled²).
    p: [Array2<T>; 2],
    /// The index (within its row of z) of each block's winner.
    win: [Array2<u32>; 2],
    /// The second pooled maps flattened, image by column: (features, m).
    f: Array2<T>,
    /// Hidden activations (hidden, m).
    a3: Array2<T>,
    /// Output probabilities (classes, m).
    a4: Array2<T>,
    /// δ of the output and hidden layers, ∂C/∂f.
    d4: Array2<T>,
    d3: Array2<T>,
    df: Array2<T>,
    /// ∂C/∂p and δ = ∂C/∂z of the second convolution layer (the first
    /// layer's, and ∂C/∂(windows), live a piece at a time in each
    /// thread's scratch buffer: see `conv_deltas`).
    dp2: Array2<T>,
    dz2: Array2<T>,
    /// The first convolution's ∇W and ∇b summed over each piece's
    /// images, (pieces, O, k²) and (pieces, O).
    piece_w1: Array3<T>,
    piece_b1: Array2<T>,
    /// The mean gradient of the last batch.
    pub grads: Cnn<T>,
    /// The summed cost of the last batch.
    pub cost: f64,
}

impl<T: Float> Workspace<T> {
    /// Buffers for `arch` and batches of up to `capacity` images.
    pub fn new(arch: Architecture, capacity: usize) -> Workspace<T> {
        arch.check().expect("a valid architecture");
        let m = capacity;
        let k = arch.k;
        let layer = |l: usize, c: usize| {
            let side = if l == 0 { arch.side } else { arch.sides(0).1 };
            let (conv, pooled) = arch.sides(l);
            Layer {
                c,
                o: arch.channels[l],
                side,
                conv,
                pooled,
                geometry: Geometry::valid(k),
            }
        };
        let layers = [layer(0, 1), layer(1, arch.channels[0])];
        // Each convolution's matrices start on a cache line, and so does
        // each row where m·side² is a multiple of 16 (as for MNIST): ∇W =
        // δ Xᵀ reads both along their rows.
        let by = |rows: usize, side: usize| {
            fastpath::aligned_zeros((rows, m * side * side))
        };
        let [l1, l2] = layers;
        Workspace {
            arch,
            layers,
            capacity,
            x: Array2::zeros((1, m * arch.side * arch.side)),
            cols: [by(0, l1.conv), by(l2.c * k * k, l2.conv)],
            p: [by(l1.o, l1.pooled), by(l2.o, l2.pooled)],
            win: [
                Array2::zeros((l1.o, m * l1.pooled * l1.pooled)),
                Array2::zeros((l2.o, m * l2.pooled * l2.pooled)),
            ],
            f: Array2::zeros((arch.features(), m)),
            a3: Array2::zeros((arch.hidden, m)),
            a4: Array2::zeros((arch.classes, m)),
            d4: Array2::zeros((arch.classes, m)),
            d3: Array2::zeros((arch.hidden, m)),
            df: Array2::zeros((arch.features(), m)),
            dp2: by(l2.o, l2.pooled),
            dz2: by(l2.o, l2.conv),
            piece_w1: Array3::zeros((m.div_ceil(PIECE), l1.o, k * k)),
            piece_b1: Array2::zeros((m.div_ceil(PIECE), l1.o)),
            grads: Cnn::zeros(arch),
            cost: 0.0,
        }
    }

    /// The largest batch it holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The output probabilities of the last forward pass, (classes, m).
    pub fn output(&self, m: usize) -> ArrayView2<'_, T> {
        self.a4.slice(s![.., ..m])
    }

    /// The forward pass for the images `columns` of `data` (side², n):
    /// afterwards [`output`](Self::output) holds their probabilities.
    pub fn forward(
        &mut self,
        net: &Cnn<T>,
        data: ArrayView2<T>, // (side², n)
        columns: &[usize],
    ) {
        let m = columns.len();
        assert!(m <= self.capacity, "a batch of {m} > {}", self.capacity);
        assert_eq!(net.arch, self.arch, "the workspace's architecture");
        let pixels = self.arch.side * self.arch.side;
        // gather the batch: image n's pixels at n·side²
        let mut x = self.x.slice_mut(s![0, ..m * pixels]);
        x.as_slice_mut()
            .expect("a row is contiguous")
            .par_chunks_mut(pixels)
            .zip(columns.par_iter())
            .for_each(|(image, &j)| {
                for (to, &from) in image.iter_mut().zip(data.column(j)) {
                    *to = from;
                }
            });
        let filters = [rows_of(&net.w1), rows_of(&net.w2)];
        let biases = [&net.b1, &net.b2];
        for l in 0..2 {
            let layer = self.layers[l];
            let (n_in, n_out) = (m * layer.side.pow(2), m * layer.conv.pow(2));
            let n_pooled = m * layer.pooled.pow(2);
            // the first layer reads the images, the second the first's maps
            let [p0, p1] = &mut self.p;
            let (input, p) = if l == 0 {
                (self.x.view(), p0.view_mut())
            } else {
                (p0.view(), p1.view_mut())
            };
            conv_forward(
                layer,
                input.slice_move(s![.., ..n_in]),
                filters[l],
                biases[l].as_slice().expect("contiguous"),
                self.cols[l].slice_mut(s![.., ..n_out]),
                p.slice_move(s![.., ..n_pooled]),
                self.win[l].slice_mut(s![.., ..n_pooled]),
            );
        }
        let per_image = self.layers[1].pooled * self.layers[1].pooled;
        flatten(
            self.p[1].slice(s![.., ..m * per_image]),
            per_image,
            self.f.slice_mut(s![.., ..m]),
        );
        let mut a3 = self.a3.slice_mut(s![.., ..m]);
        gemm(
            T::one(),
            &net.w3.view(),
            &self.f.slice(s![.., ..m]),
            T::zero(),
            &mut a3,
        );
        add_bias(a3.view_mut(), net.b3.as_slice().expect("contiguous"));
        a3.mapv_inplace(|z| z.max(T::zero()));
        let mut a4 = self.a4.slice_mut(s![.., ..m]);
        gemm(
            T::one(),
            &net.w4.view(),
            &self.a3.slice(s![.., ..m]),
            T::zero(),
            &mut a4,
        );
        add_bias(a4.view_mut(), net.b4.as_slice().expect("contiguous"));
        for column in a4.columns_mut() {
            ch02_activations::softmax_in_place(column);
        }
    }

    /// The mean gradient over the images `columns` of `data` with their
    /// `labels` (one per column of `data`), into [`grads`](Self::grads);
    /// their summed cost into [`cost`](Self::cost).
    pub fn backprop(
        &mut self,
        net: &Cnn<T>,
        data: ArrayView2<T>,
        labels: &[u8],
        columns: &[usize],
    ) {
        self.forward(net, data, columns);
        let m = columns.len();
        let scale = T::from_f64(1.0 / m as f64);
        // δ⁴ = (a⁴ − y) / m: the mean over the batch comes with it
        let mut cost = 0.0;
        let mut d4 = self.d4.slice_mut(s![.., ..m]);
        d4.assign(&self.a4.slice(s![.., ..m]));
        for (n, &j) in columns.iter().enumerate() {
            let y = usize::from(labels[j]);
            cost -= d4[(y, n)].into_f64().ln();
            d4[(y, n)] -= T::one();
        }
        d4.mapv_inplace(|d| d * scale);
        self.cost = cost;
        let g = &mut self.grads;
        let d4 = self.d4.slice(s![.., ..m]);
        let a3 = self.a3.slice(s![.., ..m]);
        gemm(T::one(), &d4, &a3.t(), T::zero(), &mut g.w4.view_mut());
        row_sums(d4, g.b4.as_slice_mut().expect("contiguous"));
        // δ³ = W⁴ᵀ δ⁴ ⊙ relu'(z³)
        let mut d3 = self.d3.slice_mut(s![.., ..m]);
        gemm(T::one(), &net.w4.t(), &d4, T::zero(), &mut d3);
        d3.zip_mut_with(&a3, |d, &a| {
            if a <= T::zero() {
                *d = T::zero();
            }
        });
        let d3 = self.d3.slice(s![.., ..m]);
        let f = self.f.slice(s![.., ..m]);
        gemm(T::one(), &d3, &f.t(), T::zero(), &mut g.w3.view_mut());
        row_sums(d3, g.b3.as_slice_mut().expect("contiguous"));
        let mut df = self.df.slice_mut(s![.., ..m]);
        gemm(T::one(), &net.w3.t(), &d3, T::zero(), &mut df);
        let per_image = self.layers[1].pooled * self.layers[1].pooled;
        unflatten(
            self.df.slice(s![.., ..m]),
            per_image,
            self.dp2.slice_mut(s![.., ..m * per_image]),
        );
        self.conv_deltas(rows_of(&net.w2), m);
        let g = &mut self.grads;
        // the first layer's: its pieces' sums added in the pieces' order
        let pieces = m.div_ceil(PIECE);
        let mut nabla_w1 = rows_of_mut(&mut g.w1);
        nabla_w1.assign(&self.piece_w1.index_axis(Axis(0), 0));
        for part in self.piece_w1.outer_iter().take(pieces).skip(1) {
            nabla_w1 += &part;
        }
        g.b1.assign(&self.piece_b1.row(0));
        for part in self.piece_b1.outer_iter().take(pieces).skip(1) {
            g.b1 += &part;
        }
        // the second layer's ∇W = δ Xᵀ, a sum over every position of
        // every image, as one product of the whole batch
        let n_out = m * self.layers[1].conv.pow(2);
        let dz = self.dz2.slice(s![.., ..n_out]);
        let cols = self.cols[1].slice(s![.., ..n_out]);
        let mut nabla_w2 = rows_of_mut(&mut g.w2);
        gemm(T::one(), &dz, &cols.t(), T::zero(), &mut nabla_w2);
        row_sums(dz, g.b2.as_slice_mut().expect("contiguous"));
    }

    /// δ = ∂C/∂z of both convolution layers for the first `m` images, from
    /// ∂C/∂p of the second, a piece of [`PIECE`] images at a time on each
    /// thread: ∂C/∂p routed to the block winners (δ²), the windows'
    /// gradient W²ᵀ δ², folded back onto the first layer's pooled maps
    /// (∂C/∂p¹, `col2im`) and routed to its winners (δ¹), and the first
    /// layer's ∇W and ∇b summed over the piece (`piece_w1`, `piece_b1`)
    /// — while the piece is still in the core's cache.
    fn conv_deltas(&mut self, w2: ArrayView2<T>, m: usize) {
        let [l1, l2] = self.layers;
        let (dp2, p, win) = (&self.dp2, &self.p, &self.win);
        let x = &self.x;
        // entries per image of the maps involved
        let (conv2, pooled2) = (l2.conv.pow(2), l2.pooled.pow(2));
        let (pooled1, conv1) = (l1.pooled.pow(2), l1.conv.pow(2));
        let mut dz2 = self.dz2.slice_mut(s![.., ..m * conv2]);
        dz2.axis_chunks_iter_mut(Axis(1), PIECE * conv2)
            .into_par_iter()
            .zip(self.piece_w1.outer_iter_mut())
            .zip(self.piece_b1.outer_iter_mut())
            .enumerate()
            .for_each(|(piece, ((mut dz2, mut w1), mut b1))| {
                let first = piece * PIECE;
                let images = first..first + dz2.ncols() / conv2;
                let n = images.len();
                let part =
                    |per: usize| s![.., images.start * per..images.end * per];
                // The piece's ∂C/∂(windows), ∂C/∂p¹, δ¹ and first-layer
                // windows (made again for its ∇W) in this thread's
                // scratch buffer, each starting a cache line.
                let shapes = [
                    (l2.c * l2.geometry.k * l2.geometry.k, n * conv2),
                    (l1.o, n * pooled1),
                    (l1.o, n * conv1),
                    (l1.c * l1.geometry.k * l1.geometry.k, n * conv1),
                ];
                let lens = shapes.map(|(r, c)| (r * c).next_multiple_of(16));
                let len = lens.iter().sum();
                fastpath::with_scratch::<T, _>(len, |scratch| {
                    let (dcols, rest) = scratch.split_at_mut(lens[0]);
                    let (dp1, rest) = rest.split_at_mut(lens[1]);
                    let (dz1, cols1) = rest.split_at_mut(lens[2]);
                    fn view<T>(
                        (r, c): (usize, usize),
                        buf: &mut [T],
                    ) -> ArrayViewMut2<'_, T> {
                        ArrayViewMut2::from_shape((r, c), &mut buf[..r * c])
                            .expect("r × c entries")
                    }
                    let mut dcols = view(shapes[0], dcols);
                    let mut dp1 = view(shapes[1], dp1);
                    let mut dz1 = view(shapes[2], dz1);
                    let mut cols1 = view(shapes[3], cols1);
                    unpool(
                        dp2.slice(part(pooled2)),
                        p[1].slice(part(pooled2)),
                        win[1].slice(part(pooled2)),
                        l2.conv,
                        dz2.view_mut(),
                    );
                    // ∂C/∂(windows) = Wᵀ δ, folded back onto the maps
                    let t = T::zero();
                    gemm_serial(T::one(), &w2.t(), &dz2.view(), t, &mut dcols);
                    col2im_batch(
                        dcols.view(),
                        l2.side,
                        l2.geometry,
                        dp1.view_mut(),
                    );
                    unpool(
                        dp1.view(),
                        p[0].slice(part(pooled1)),
                        win[0].slice(part(pooled1)),
                        l1.conv,
                        dz1.view_mut(),
                    );
                    // the first layer's ∇W = δ Xᵀ and ∇b over the piece,
                    // while its δ is in cache
                    let per_in = l1.side.pow(2);
                    let x = x.slice(part(per_in));
                    im2col_batch(x, l1.side, l1.geometry, cols1.view_mut());
                    let (dz1, cols1) = (dz1.view(), cols1.t());
                    gemm_serial(T::one(), &dz1, &cols1, t, &mut w1);
                    for (b, dz) in b1.iter_mut().zip(dz1.rows()) {
                        let dz = dz.to_slice().expect("a row is contiguous");
                        *b = fastpath::simd!(fastpath::sum_of(dz));
                    }
                });
            });
    }
}

/// Images per piece of a batch that one thread takes through a
/// convolution layer's passes at once: 4 images' windows of the second
/// layer (500 × 256 entries, 512 KB in f32), and the backward pass's
/// scratch for a piece (under 1 MB), stay in one core's L2 cache.
pub const PIECE: usize = 4;

/// One convolution layer's forward pass for a batch, a piece of [`PIECE`]
/// images at a time on each thread: the piece's windows (im2col), its
/// Z = W X and relu(max pool(Z + b)), each read while still in the
/// core's cache. `p` and `win` receive the whole batch's results. `kept`
/// receives the layer's windows for the whole batch where a later pass
/// needs them (the second layer, for its ∇W); a `kept` with no rows (the
/// first layer) means "do not keep them": each piece's windows are then
/// made in the thread's scratch buffer, like Z, and the empty matrix only
/// supplies the pieces' columns (its chunks of columns are the pieces).
#[allow(clippy::too_many_arguments, reason = "one layer's buffers")]
fn conv_forward<T: Float>(
    layer: Layer,
    input: ArrayView2<T>, // (C, m·side²)
    w: ArrayView2<T>,     // (O, C·k²)
    b: &[T],
    mut kept: ArrayViewMut2<T>, // (C·k², m·conv²), or no rows
    mut p: ArrayViewMut2<T>,    // (O, m·pooled²)
    mut win: ArrayViewMut2<u32>,
) {
    let per_in = layer.side.pow(2);
    let (per_out, per_pooled) = (layer.conv.pow(2), layer.pooled.pow(2));
    kept.axis_chunks_iter_mut(Axis(1), PIECE * per_out)
        .into_par_iter()
        .zip(p.axis_chunks_iter_mut(Axis(1), PIECE * per_pooled))
        .zip(win.axis_chunks_iter_mut(Axis(1), PIECE * per_pooled))
        .enumerate()
        .for_each(|(piece, ((mut kept, p), win))| {
            let first = piece * PIECE;
            let images = p.ncols() / per_pooled;
            let x =
                input.slice(s![.., first * per_in..(first + images) * per_in]);
            let windows = (layer.c * layer.geometry.k.pow(2), images * per_out);
            let shape = (layer.o, images * per_out);
            let own = match kept.nrows() {
                0 => (windows.0 * windows.1).next_multiple_of(16),
                _ => 0,
            };
            // The windows (unless kept) and Z = W X of the piece in this
            // thread's scratch buffer: each is read while it is in the
            // core's cache.
            fastpath::with_scratch::<T, _>(
                own + shape.0 * shape.1,
                |scratch| {
                    let (mine, z) = scratch.split_at_mut(own);
                    let mut cols = match own {
                        0 => kept.view_mut(),
                        _ => ArrayViewMut2::from_shape(
                            windows,
                            &mut mine[..windows.0 * windows.1],
                        )
                        .expect("the windows"),
                    };
                    im2col_batch(
                        x,
                        layer.side,
                        layer.geometry,
                        cols.view_mut(),
                    );
                    let mut z = ArrayViewMut2::from_shape(shape, z)
                        .expect("O × (images · conv²) entries");
                    gemm_serial(T::one(), &w, &cols.view(), T::zero(), &mut z);
                    relu_max_pool(z.view(), b, layer.conv, p, win);
                },
            );
        });
}

/// Filters (O, C, k, k) seen as rows (O, C·k·k).
fn rows_of<T: Float>(w: &ndarray::Array4<T>) -> ArrayView2<'_, T> {
    let (o, c, k, _) = w.dim();
    w.view()
        .into_shape_with_order((o, c * k * k))
        .expect("a standard-layout array")
}

fn rows_of_mut<T: Float>(w: &mut ndarray::Array4<T>) -> ArrayViewMut2<'_, T> {
    let (o, c, k, _) = w.dim();
    w.view_mut()
        .into_shape_with_order((o, c * k * k))
        .expect("a standard-layout array")
}

/// z[o, ..] += b[o].
fn add_bias<T: Float>(mut z: ArrayViewMut2<T>, b: &[T]) {
    for (mut row, &b) in z.rows_mut().into_iter().zip(b) {
        row.mapv_inplace(|z| z + b);
    }
}

/// out[r] = Σ of row r, in lanes (`fastpath::sum_of`: one fixed order,
/// vector wide), the rows shared between threads.
fn row_sums<T: Float>(d: ArrayView2<T>, out: &mut [T]) {
    out.par_iter_mut()
        .zip(d.axis_iter(Axis(0)).into_par_iter())
        .for_each(|(out, row)| {
            let row = row.to_slice().expect("a row is contiguous");
            *out = fastpath::simd!(fastpath::sum_of(row));
        });
}

/// im2col of a batch: x (C, m·side²) → cols (C·k², m·OH²), where row
/// (c, p, q), column (n, i, j) is x̃[c, n, s·i + p, s·j + q] (0 in the
/// padding).
pub fn im2col_batch<T: Float>(
    x: ArrayView2<T>,
    side: usize,
    geometry: Geometry,
    cols: ArrayViewMut2<T>,
) {
    let Geometry { k, stride, pad } = geometry;
    match (stride, pad, geometry.output_side(side)) {
        (1, 0, 8) => fastpath::simd!(im2col_valid::<T, 8>(x, side, k, cols)),
        (1, 0, 24) => fastpath::simd!(im2col_valid::<T, 24>(x, side, k, cols)),
        _ => im2col_any(x, side, geometry, cols),
    }
}

/// [`im2col_batch`] for stride 1, no padding and outputs of side `N`: the
/// MNIST network's two layers (24 and 8) compiled for their sizes, each
/// output row's run a fixed-length copy and an image's rows a loop of
/// known length, so that nothing is decided row by row.
#[inline(always)]
fn im2col_valid<T: Float, const N: usize>(
    x: ArrayView2<T>,
    side: usize,
    k: usize,
    mut cols: ArrayViewMut2<T>,
) {
    let per_in = side * side;
    for (r, mut row) in cols.rows_mut().into_iter().enumerate() {
        let (c, p, q) = (r / (k * k), r / k % k, r % k);
        let x = x.row(c);
        let x = x.to_slice().expect("a row is contiguous");
        let row = row.as_slice_mut().expect("a row is contiguous");
        let images = row.chunks_exact_mut(N * N).zip(x.chunks_exact(per_in));
        for (to, image) in images {
            // the window's top-left input, then one input row per output
            let from = &image[p * side + q..];
            for (i, to) in to.chunks_exact_mut(N).enumerate() {
                let to: &mut [T; N] = to.try_into().expect("N entries");
                *to = from[i * side..][..N].try_into().expect("N entries");
            }
        }
    }
}

/// [`im2col_batch`] for any stride and padding.
pub(crate) fn im2col_any<T: Float>(
    x: ArrayView2<T>,
    side: usize,
    geometry: Geometry,
    mut cols: ArrayViewMut2<T>,
) {
    let Geometry { k, stride, pad } = geometry;
    let out = geometry.output_side(side);
    let (per_in, per_out) = (side * side, out * out);
    cols.axis_iter_mut(Axis(0))
        .enumerate()
        .for_each(|(r, mut row)| {
            let (c, p, q) = (r / (k * k), r / k % k, r % k);
            let x = x.row(c);
            let x = x.as_slice().expect("a row is contiguous");
            let row = row.as_slice_mut().expect("a row is contiguous");
            let (j0, j1) = inside(out, side, stride, q, pad);
            let x0 = (stride * j0 + q).saturating_sub(pad);
            for (image, to) in row.chunks_exact_mut(per_out).enumerate() {
                let image_x = &x[image * per_in..(image + 1) * per_in];
                for (i, to) in to.chunks_exact_mut(out).enumerate() {
                    let y = (stride * i + p) as isize - pad as isize;
                    if y < 0 || y >= side as isize {
                        to.fill(T::zero());
                        continue;
                    }
                    let line = &image_x[y as usize * side..][..side];
                    to[..j0].fill(T::zero());
                    to[j1..].fill(T::zero());
                    let to = &mut to[j0..j1];
                    if stride == 1 {
                        to.copy_from_slice(&line[x0..x0 + to.len()]);
                    } else {
                        for (j, to) in to.iter_mut().enumerate() {
                            *to = line[x0 + stride * j];
                        }
                    }
                }
            }
        });
}

/// The outputs j0..j1 of a row whose input column s·j + q − pad falls
/// inside 0..side (the others read the padding).
fn inside(
    out: usize,
    side: usize,
    stride: usize,
    q: usize,
    pad: usize,
) -> (usize, usize) {
    // s·j + q ≥ pad  ⇔  j ≥ ⌈(pad − q) / s⌉
    let j0 = pad.saturating_sub(q).div_ceil(stride).min(out);
    // s·j + q − pad < side  ⇔  j < ⌈(side + pad − q) / s⌉
    let j1 = (side + pad).saturating_sub(q).div_ceil(stride).min(out);
    (j0, j1.max(j0))
}

/// The adjoint of [`im2col_batch`]: dx (C, m·side²) = every column of
/// `cols` added back into its window. Each channel on one thread, each
/// entry of dx summed over the windows in the order of (p, q).
pub fn col2im_batch<T: Float>(
    cols: ArrayView2<T>,
    side: usize,
    geometry: Geometry,
    dx: ArrayViewMut2<T>,
) {
    let Geometry { k, stride, pad } = geometry;
    match (stride, pad, geometry.output_side(side)) {
        (1, 0, 8) => fastpath::simd!(col2im_valid::<T, 8>(cols, side, k, dx)),
        (1, 0, 24) => fastpath::simd!(col2im_valid::<T, 24>(cols, side, k, dx)),
        _ => col2im_any(cols, side, geometry, dx),
    }
}

/// [`col2im_batch`] for stride 1, no padding and outputs of side `N`,
/// compiled for their sizes as [`im2col_valid`]; the same sums in the
/// same order as [`col2im_any`].
#[inline(always)]
fn col2im_valid<T: Float, const N: usize>(
    cols: ArrayView2<T>,
    side: usize,
    k: usize,
    mut dx: ArrayViewMut2<T>,
) {
    let per_in = side * side;
    for (c, mut row) in dx.rows_mut().into_iter().enumerate() {
        let row = row.as_slice_mut().expect("a row is contiguous");
        row.fill(T::zero());
        for (p, q) in (0..k).flat_map(|p| (0..k).map(move |q| (p, q))) {
            let from = cols.row(c * k * k + p * k + q);
            let from = from.to_slice().expect("a row is contiguous");
            let images =
                row.chunks_exact_mut(per_in).zip(from.chunks_exact(N * N));
            for (image, from) in images {
                let to = &mut image[p * side + q..];
                for (i, from) in from.chunks_exact(N).enumerate() {
                    let to: &mut [T; N] =
                        (&mut to[i * side..][..N]).try_into().expect("N");
                    let from: &[T; N] = from.try_into().expect("N entries");
                    // read, add and write the run whole (as vectors)
                    let mut sum = *to;
                    for (x, &v) in sum.iter_mut().zip(from) {
                        *x += v;
                    }
                    *to = sum;
                }
            }
        }
    }
}

/// [`col2im_batch`] for any stride and padding.
pub(crate) fn col2im_any<T: Float>(
    cols: ArrayView2<T>,
    side: usize,
    geometry: Geometry,
    mut dx: ArrayViewMut2<T>,
) {
    let Geometry { k, stride, pad } = geometry;
    let out = geometry.output_side(side);
    let (per_in, per_out) = (side * side, out * out);
    dx.axis_iter_mut(Axis(0))
        .enumerate()
        .for_each(|(c, mut row)| {
            let row = row.as_slice_mut().expect("a row is contiguous");
            row.fill(T::zero());
            for p in 0..k {
                for q in 0..k {
                    let from = cols.row(c * k * k + p * k + q);
                    let from = from.as_slice().expect("a row is contiguous");
                    let (j0, j1) = inside(out, side, stride, q, pad);
                    let x0 = (stride * j0 + q).saturating_sub(pad);
                    let images = row
                        .chunks_exact_mut(per_in)
                        .zip(from.chunks_exact(per_out));
                    for (to, from) in images {
                        for (i, from) in from.chunks_exact(out).enumerate() {
                            let y = (stride * i + p) as isize - pad as isize;
                            if y < 0 || y >= side as isize {
                                continue;
                            }
                            let line = &mut to[y as usize * side..][..side];
                            let from = &from[j0..j1];
                            for (j, &v) in from.iter().enumerate() {
                                line[x0 + stride * j] += v;
                            }
                        }
                    }
                }
            }
        });
}

/// p = relu(max over each POOL × POOL block of z + b), z (C, m·side²)
/// without its bias, and each block's winner (its first largest entry)
/// as an index into its image's map (0..side²). The bias is added to
/// each block's largest entry, not to all four: a quarter of the
/// additions and no pass over z of their own (adding b keeps the order
/// of the entries, so max(z) + b = max(z + b) exactly; only where two
/// entries differ by less than b's rounding can another of them win).
pub(crate) fn relu_max_pool<T: Float>(
    z: ArrayView2<T>,
    b: &[T],
    side: usize,
    p: ArrayViewMut2<T>,
    win: ArrayViewMut2<u32>,
) {
    match (POOL, side) {
        (2, 24) => fastpath::simd!(pool_fixed::<T, 24, 12>(z, b, p, win)),
        (2, 8) => fastpath::simd!(pool_fixed::<T, 8, 4>(z, b, p, win)),
        _ => pool_any(z, b, side, p, win),
    }
}

/// [`relu_max_pool`] for 2 × 2 blocks of maps of side `SIDE` (`HALF`
/// blocks a line), compiled for that size: a line's two rows read whole,
/// its blocks' four candidates taken in the order [`pool_any`] takes them,
/// without branches, and the line's maxima and winners written whole.
#[inline(always)]
fn pool_fixed<T: Float, const SIDE: usize, const HALF: usize>(
    z: ArrayView2<T>,
    b: &[T],
    mut p: ArrayViewMut2<T>,
    mut win: ArrayViewMut2<u32>,
) {
    const { assert!(SIDE == 2 * HALF) };
    let rows = p.rows_mut().into_iter().zip(win.rows_mut()).zip(z.rows());
    for (((mut p, mut win), z), &b) in rows.zip(b) {
        let z = z.to_slice().expect("a row is contiguous");
        let p = p.as_slice_mut().expect("a row is contiguous");
        let win = win.as_slice_mut().expect("a row is contiguous");
        let lines = z
            .chunks_exact(2 * SIDE)
            .zip(p.chunks_exact_mut(HALF).zip(win.chunks_exact_mut(HALF)));
        for (line, (z, (p, win))) in lines.enumerate() {
            let top: [T; SIDE] = z[..SIDE].try_into().expect("a row");
            let bottom: [T; SIDE] = z[SIDE..].try_into().expect("a row");
            // the line's offset within its image's map
            let at = ((line % HALF) * 2 * SIDE) as u32;
            let (mut maxima, mut winners) = ([T::zero(); HALF], [0u32; HALF]);
            for j in 0..HALF {
                let (mut max, mut best) = (top[2 * j], 2 * j);
                let candidates = [
                    (top[2 * j + 1], 2 * j + 1),
                    (bottom[2 * j], SIDE + 2 * j),
                    (bottom[2 * j + 1], SIDE + 2 * j + 1),
                ];
                for (z, index) in candidates {
                    let wins = z > max;
                    best = if wins { index } else { best };
                    max = if wins { z } else { max };
                }
                maxima[j] = (max + b).max(T::zero());
                winners[j] = at + best as u32;
            }
            let p: &mut [T; HALF] = p.try_into().expect("a line");
            let win: &mut [u32; HALF] = win.try_into().expect("a line");
            *p = maxima;
            *win = winners;
        }
    }
}

/// [`relu_max_pool`] for any map side.
pub(crate) fn pool_any<T: Float>(
    z: ArrayView2<T>,
    b: &[T],
    side: usize,
    mut p: ArrayViewMut2<T>,
    mut win: ArrayViewMut2<u32>,
) {
    let pooled = side / POOL;
    let (per_in, per_out) = (side * side, pooled * pooled);
    let rows = p.rows_mut().into_iter().zip(win.rows_mut()).zip(z.rows());
    for (((mut p, mut win), z), &b) in rows.zip(b) {
        let z = z.to_slice().expect("a row is contiguous");
        let p = p.as_slice_mut().expect("a row is contiguous");
        let win = win.as_slice_mut().expect("a row is contiguous");
        let images = z.chunks_exact(per_in).zip(
            p.chunks_exact_mut(per_out)
                .zip(win.chunks_exact_mut(per_out)),
        );
        for (z, (p, win)) in images {
            let lines =
                p.chunks_exact_mut(pooled).zip(win.chunks_exact_mut(pooled));
            for (i, (p, win)) in lines.enumerate() {
                // the POOL rows of z this line of blocks covers
                let top = POOL * i * side;
                let block_rows = &z[top..top + POOL * side];
                for (j, (p, win)) in p.iter_mut().zip(win).enumerate() {
                    // without branches: which entry wins is as
                    // unpredictable as the data
                    let mut best = POOL * j;
                    let mut max = block_rows[best];
                    for r in 0..POOL {
                        for c in 0..POOL {
                            let at = r * side + POOL * j + c;
                            let z = block_rows[at];
                            let wins = z > max;
                            best = if wins { at } else { best };
                            max = if wins { z } else { max };
                        }
                    }
                    *p = (max + b).max(T::zero());
                    *win = (top + best) as u32;
                }
            }
        }
    }
}

/// δ (C, m·side²): ∂C/∂p sent to each block's winner where p > 0 (ReLU's
/// derivative), 0 elsewhere; `side` is the side of δ's maps.
fn unpool<T: Float>(
    dp: ArrayView2<T>,
    p: ArrayView2<T>,
    win: ArrayView2<u32>,
    side: usize,
    mut dz: ArrayViewMut2<T>,
) {
    let (per_in, per_out) = (side * side, (side / POOL).pow(2));
    for (c, mut dz) in dz.rows_mut().into_iter().enumerate() {
        let dz = dz.as_slice_mut().expect("a row is contiguous");
        dz.fill(T::zero());
        let (dp, p, win) = (dp.row(c), p.row(c), win.row(c));
        let dp = dp.to_slice().expect("a row is contiguous");
        let p = p.to_slice().expect("a row is contiguous");
        let win = win.to_slice().expect("a row is contiguous");
        let pooled = dp
            .chunks_exact(per_out)
            .zip(p.chunks_exact(per_out))
            .zip(win.chunks_exact(per_out));
        for (dz, ((dp, p), win)) in dz.chunks_exact_mut(per_in).zip(pooled) {
            for ((&d, &p), &w) in dp.iter().zip(p).zip(win) {
                // a store either way, no branch: whether p > 0 is as
                // unpredictable as the data
                dz[w as usize] = if p > T::zero() { d } else { T::zero() };
            }
        }
    }
}

/// f[c·P + s, n] = p[c, n·P + s]: each image's maps as one column.
fn flatten<T: Float>(
    p: ArrayView2<T>,
    per_image: usize,
    mut f: ArrayViewMut2<T>,
) {
    f.axis_iter_mut(Axis(0))
        .into_par_iter()
        .enumerate()
        .for_each(|(row, mut f)| {
            let (c, s) = (row / per_image, row % per_image);
            let p = p.row(c);
            for (n, f) in f.iter_mut().enumerate() {
                *f = p[n * per_image + s];
            }
        });
}

/// The inverse of [`flatten`]: dp[c, n·P + s] = df[c·P + s, n].
fn unflatten<T: Float>(
    df: ArrayView2<T>,
    per_image: usize,
    mut dp: ArrayViewMut2<T>,
) {
    dp.axis_iter_mut(Axis(0))
        .into_par_iter()
        .enumerate()
        .for_each(|(c, mut dp)| {
            for (at, dp) in dp.iter_mut().enumerate() {
                let (n, s) = (at / per_image, at % per_image);
                *dp = df[(c * per_image + s, n)];
            }
        });
}
