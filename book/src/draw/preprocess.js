// Chapter 8's preprocessing (chapters/ch08-mnist/src/photo/), step
// for step, so the page shows the network exactly what `predict` would:
// the ink found above the paper, Otsu's threshold, the digit's connected
// pieces, strokes brought to MNIST's width, fitted into 20×20 and centred
// by mass in 28×28.
//
// Rust computes in f32; JavaScript numbers are f64. Math.fround rounds
// each result to f32 where a threshold or a histogram bin depends on the
// last bit, so both sides make the same decisions. An image is
// { h, w, data } with data a Float32Array, row after row.
'use strict';

const f32 = Math.fround;

/** Rounds half away from zero, as Rust's `round` (Math.round goes up). */
const roundHalfAway = (x) => (x < 0 ? -Math.round(-x) : Math.round(x));

const image = (h, w, data = new Float32Array(h * w)) => ({ h, w, data });

/** ndarray's `sum` of f32 values: eight running sums, then the rest. */
function sumF32(values) {
  const p = [0, 0, 0, 0, 0, 0, 0, 0];
  let i = 0;
  for (; i + 8 <= values.length; i += 8) {
    for (let k = 0; k < 8; k++) p[k] = f32(p[k] + values[i + k]);
  }
  let acc = 0;
  for (let k = 0; k < 4; k++) acc = f32(acc + f32(p[k] + p[k + 4]));
  for (; i < values.length; i++) acc = f32(acc + values[i]);
  return acc;
}

/**
 * Grey brightness (1 = white) of RGBA bytes, as `read_image` makes it:
 * transparent pixels are laid over the colour that contrasts with the
 * opaque ones.
 */
function brightness(rgba, h, w) {
  const channel = (k) => f32(rgba[k] / 255);
  const grey = (k) => f32(f32(f32(channel(k) + channel(k + 1)) + channel(k + 2)) / 3);
  let ink = 0;
  let weight = 0;
  for (let k = 0; k < h * w * 4; k += 4) {
    ink += f32(grey(k) * channel(k + 3));
    weight += channel(k + 3);
  }
  const underlay = weight > 0 && ink / weight > 0.5 ? 0 : 1;
  const out = image(h, w);
  for (let i = 0; i < h * w; i++) {
    const alpha = channel(4 * i + 3);
    const g = Math.min(Math.max(grey(4 * i), 0), 1);
    out.data[i] = f32(f32(g * alpha) + f32(underlay * f32(1 - alpha)));
  }
  return out;
}

/**
 * Area-averaging resize, `resize_area`: each new pixel is the mean of the
 * source area it covers. Rows first, then columns, as Rust's two matrix
 * products.
 */
function resizeArea(img, height, width) {
  const weights = (old, n) => {
    // For each new pixel: the old pixels it covers and how much of each.
    const scale = old / n;
    const rows = [];
    for (let i = 0; i < n; i++) {
      const start = i * scale;
      const end = (i + 1) * scale;
      const row = [];
      for (let k = Math.floor(start); k < Math.min(Math.ceil(end), old); k++) {
        const overlap = Math.max(Math.min(end, k + 1) - Math.max(start, k), 0);
        if (overlap > 0) row.push([k, f32(overlap / scale)]);
      }
      rows.push(row);
    }
    return rows;
  };
  const byRow = weights(img.h, height);
  const byCol = weights(img.w, width);
  const tall = image(height, img.w); // rows resized
  for (let i = 0; i < height; i++) {
    for (let c = 0; c < img.w; c++) {
      let s = 0;
      for (const [k, a] of byRow[i]) s += a * img.data[k * img.w + c];
      tall.data[i * img.w + c] = s;
    }
  }
  const out = image(height, width);
  for (let i = 0; i < height; i++) {
    for (let j = 0; j < width; j++) {
      let s = 0;
      for (const [k, a] of byCol[j]) s += a * tall.data[i * img.w + k];
      out.data[i * width + j] = s;
    }
  }
  return out;
}

/** `shrink_to`: at most `side` pixels a side, never enlarged. */
function shrinkTo(img, side) {
  const scale = Math.min(side / Math.max(img.h, img.w), 1);
  if (scale === 1) return image(img.h, img.w, img.data.slice());
  const size = (n) => Math.max(Math.round(n * scale), 1);
  const [nh, nw] = [size(img.h), size(img.w)];
  if (img.h > 8 * nh || img.w > 8 * nw) {
    return shrinkTo(resizeArea(img, Math.ceil(img.h / 8), Math.ceil(img.w / 8)), side);
  }
  return resizeArea(img, nh, nw);
}

/** `pick` over each window of 2r + 1 values of a line (van Herk). */
function running(line, r, pick) {
  const k = 2 * r + 1;
  const neutral = pick(0, 1) === 1 ? -Infinity : Infinity;
  const n = line.length + 2 * r;
  const padded = new Float64Array(n).fill(neutral);
  padded.set(line, r);
  const prefix = padded.slice();
  const suffix = padded.slice();
  for (let i = 1; i < n; i++) if (i % k !== 0) prefix[i] = pick(prefix[i - 1], padded[i]);
  for (let i = n - 2; i >= 0; i--) if ((i + 1) % k !== 0) suffix[i] = pick(suffix[i + 1], padded[i]);
  const out = new Float64Array(line.length);
  for (let j = 0; j < line.length; j++) out[j] = pick(suffix[j], prefix[j + 2 * r]);
  return out;
}

/** `pick` over a (2r + 1)² square around each pixel, one axis at a time. */
function squareFilter(img, r, pick) {
  const out = image(img.h, img.w, img.data.slice());
  for (let c = 0; c < img.w; c++) {
    const column = new Float64Array(img.h);
    for (let i = 0; i < img.h; i++) column[i] = out.data[i * img.w + c];
    const filtered = running(column, r, pick);
    for (let i = 0; i < img.h; i++) out.data[i * img.w + c] = filtered[i];
  }
  for (let i = 0; i < img.h; i++) {
    const row = out.data.slice(i * img.w, (i + 1) * img.w);
    out.data.set(running(row, r, pick), i * img.w);
  }
  return out;
}
const grow = (img, r) => squareFilter(img, r, Math.max);
const shrink = (img, r) => squareFilter(img, r, Math.min);

/** `ink_above_background`: how far each pixel is from the paper. */
function inkAboveBackground(grey, darkOnLight) {
  const r = Math.floor(Math.max(grey.h, grey.w) / 8);
  const paper = darkOnLight ? shrink(grow(grey, r), r) : grow(shrink(grey, r), r);
  const ink = image(grey.h, grey.w);
  for (let i = 0; i < ink.data.length; i++) {
    ink.data[i] = darkOnLight ? paper.data[i] - grey.data[i] : grey.data[i] - paper.data[i];
  }
  return ink;
}

/** The `q` quantile of some f32 values, as `quantile`. */
function quantile(values, q) {
  if (values.length === 0) return 0;
  const sorted = Float32Array.from(values).sort();
  return sorted[Math.round((values.length - 1) * q)];
}

/** `ink_is_dark`: the ink pulls the mean below the median. */
function inkIsDark(grey) {
  const [h, w] = [grey.h, grey.w];
  const [top, bottom] = [Math.floor(h / 4), h - Math.floor(h / 4)];
  const [left, right] = [Math.floor(w / 4), w - Math.floor(w / 4)];
  const skew = (rows, cols) => {
    const values = [];
    let sum = 0;
    for (let i = rows[0]; i < rows[1]; i++) {
      const row = grey.data.subarray(i * w + cols[0], i * w + cols[1]);
      sum = f32(sum + sumF32(row));
      values.push(...row);
    }
    if (values.length === 0) return 0;
    return f32(f32(sum / values.length) - quantile(values, 0.5));
  };
  const middle = skew([top, bottom], [left, right]);
  if (Math.abs(middle) > f32(1e-3)) return middle < 0;
  return skew([0, h], [0, w]) < 0;
}

const MIN_CONTRAST = f32(0.08);

/** Otsu's threshold over a 256-bin histogram, `otsu_threshold`. */
function otsuThreshold(ink) {
  let max = 0;
  for (const v of ink.data) max = Math.max(max, v);
  if (max < MIN_CONTRAST) return null;
  const histogram = new Float64Array(256);
  for (const v of ink.data) {
    const bin = Math.floor(f32(f32(v / max) * 255));
    histogram[Math.min(Math.max(bin, 0), 255)] += 1;
  }
  let total = 0;
  let sum = 0;
  histogram.forEach((n, k) => { total += n; sum += k * n; });
  let [n0, sum0, best, bestK] = [0, 0, 0, 0];
  histogram.forEach((n, k) => {
    n0 += n;
    sum0 += k * n;
    const n1 = total - n0;
    if (n0 === 0 || n1 === 0) return;
    const [mu0, mu1] = [sum0 / n0, (sum - sum0) / n1];
    const between = n0 * n1 * (mu0 - mu1) ** 2;
    if (between > best) [best, bestK] = [between, k];
  });
  return f32(f32(f32(bestK + 1) / 255) * max);
}

/** The 8-connected pieces of a mask, in scan order, by breadth-first search. */
function connectedPieces(mask, h, w) {
  const labels = new Int32Array(h * w);
  const pieces = [];
  const queue = new Int32Array(h * w);
  for (let start = 0; start < h * w; start++) {
    if (!mask[start] || labels[start] !== 0) continue;
    const label = pieces.length + 1;
    const piece = { label, size: 0, top: h, left: w, bottom: 0, right: 0, touchesBorder: false };
    let [head, tail] = [0, 0];
    labels[start] = label;
    queue[tail++] = start;
    while (head < tail) {
      const at = queue[head++];
      const [r, c] = [Math.floor(at / w), at % w];
      piece.size += 1;
      piece.top = Math.min(piece.top, r);
      piece.bottom = Math.max(piece.bottom, r);
      piece.left = Math.min(piece.left, c);
      piece.right = Math.max(piece.right, c);
      piece.touchesBorder ||= r === 0 || c === 0 || r === h - 1 || c === w - 1;
      for (let dr = -1; dr <= 1; dr++) {
        for (let dc = -1; dc <= 1; dc++) {
          const [nr, nc] = [r + dr, c + dc];
          if ((dr === 0 && dc === 0) || nr < 0 || nc < 0 || nr >= h || nc >= w) continue;
          const next = nr * w + nc;
          if (mask[next] && labels[next] === 0) {
            labels[next] = label;
            queue[tail++] = next;
          }
        }
      }
    }
    pieces.push(piece);
  }
  return { labels, pieces };
}

/**
 * `digit_pixels`: the ink's pieces without the page's edges and frames and
 * without specks; null if nothing is left.
 */
function digitPixels(ink, threshold) {
  const mask = ink.data.map((v) => (v >= threshold ? 1 : 0));
  const { labels, pieces } = connectedPieces(mask, ink.h, ink.w);
  const inside = pieces.filter((p) => !p.touchesBorder);
  let kept = inside.length > 0 ? inside : pieces;
  const encloses = (a, b) =>
    a.top < b.top && a.left < b.left && a.bottom > b.bottom && a.right > b.right;
  const frames = kept.filter((a) => kept.some((b) => b.size * 20 >= a.size && encloses(a, b)));
  kept = kept.filter((p) => !frames.includes(p));
  if (kept.length === 0) return null;
  const largest = Math.max(...kept.map((p) => p.size));
  const keep = new Set(kept.filter((p) => p.size * 20 >= largest).map((p) => p.label));
  return image(ink.h, ink.w, Float32Array.from(labels, (l) => (keep.has(l) ? 1 : 0)));
}

/** The smallest box holding every pixel where `test` holds. */
function boundingBox(img, test) {
  let box = null;
  for (let r = 0; r < img.h; r++) {
    for (let c = 0; c < img.w; c++) {
      if (!test(img.data[r * img.w + c])) continue;
      box = box
        ? [Math.min(box[0], r), Math.min(box[1], c), Math.max(box[2], r), Math.max(box[3], c)]
        : [r, c, r, c];
    }
  }
  return box;
}

function crop(img, top, left, bottom, right) {
  const out = image(bottom - top, right - left);
  for (let r = top; r < bottom; r++) {
    out.data.set(img.data.subarray(r * img.w + left, r * img.w + right), (r - top) * out.w);
  }
  return out;
}

/** `stroke_width`: area over half the pixels on an edge. */
function strokeWidth(mask) {
  const { h, w, data } = mask;
  let [area, edge] = [0, 0];
  const off = (r, c) => r < 0 || c < 0 || r >= h || c >= w || !data[r * w + c];
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      if (!data[r * w + c]) continue;
      area += 1;
      if (off(r - 1, c) || off(r + 1, c) || off(r, c - 1) || off(r, c + 1)) edge += 1;
    }
  }
  return edge === 0 ? 0 : Math.max(f32(f32(2 * area) / edge), 1);
}

/** `mnist_strokes`: the digit's ink at MNIST's contrast and stroke width. */
function mnistStrokes(ink, digit, threshold) {
  const [top, left, bottom, right] = boundingBox(digit, (v) => v > 0);
  const margin = 2;
  const [r0, r1] = [Math.max(top - margin, 0), Math.min(bottom + margin + 1, digit.h)];
  const [c0, c1] = [Math.max(left - margin, 0), Math.min(right + margin + 1, digit.w)];
  const near = grow(crop(digit, r0, c0, r1, c1), 1);
  const inkNear = crop(ink, r0, c0, r1, c1);
  const digitInk = [];
  inkNear.data.forEach((i, k) => { if (near.data[k] > 0 && i >= threshold) digitInk.push(i); });
  const solid = Math.max(quantile(digitInk, 0.5), threshold);
  let strokes = image(near.h, near.w,
    inkNear.data.map((i, k) => f32(Math.min(f32(i / solid), 1) * near.data[k])));
  const width = strokeWidth(image(strokes.h, strokes.w, strokes.data.map((v) => (v >= 0.5 ? 1 : 0))));
  const target = f32(f32(Math.max(bottom - top + 1, right - left + 1)) / 7);
  const radius = roundHalfAway(f32(f32(target - width) / 2));
  if (radius > 0) strokes = grow(strokes, radius);
  else if (radius < -1) strokes = shrink(strokes, -radius - 1);
  return strokes;
}

/** `fit_into`: crops to the ink, scales the longer side to `side`. */
function fitInto(strokes, side) {
  const [top, left, bottom, right] = boundingBox(strokes, (v) => v > f32(0.05)) ?? [0, 0, 0, 0];
  const digit = crop(strokes, top, left, bottom + 1, right + 1);
  const scale = f32(side / Math.max(digit.h, digit.w));
  const size = (n) => Math.min(Math.max(Math.round(f32(n * scale)), 1), side);
  const fitted = resizeArea(digit, size(digit.h), size(digit.w));
  fitted.data = fitted.data.map((v) => Math.min(Math.max(v, 0), 1));
  return fitted;
}

/** `center_of_mass`: the brightness-weighted mean (row, column). */
function centerOfMass(img) {
  const total = sumF32(img.data);
  let [r, c] = [0, 0];
  for (let i = 0; i < img.h; i++) {
    for (let j = 0; j < img.w; j++) {
      const v = img.data[i * img.w + j];
      r = f32(r + f32(i * v));
      c = f32(c + f32(j * v));
    }
  }
  return [f32(r / total), f32(c / total)];
}

/** `centre_by_mass`: the digit's centre of mass at the image's centre. */
function centreByMass(digit, side) {
  const [comR, comC] = centerOfMass(digit);
  const middle = f32((side - 1) / 2);
  const [dr, dc] = [roundHalfAway(f32(middle - comR)), roundHalfAway(f32(middle - comC))];
  const out = image(side, side);
  for (let i = 0; i < digit.h; i++) {
    for (let j = 0; j < digit.w; j++) {
      const [r, c] = [i + dr, j + dc];
      if (r >= 0 && r < side && c >= 0 && c < side) out.data[r * side + c] = digit.data[i * digit.w + j];
    }
  }
  return out;
}

const WORKING_SIDE = 480;

/**
 * `to_mnist`: every stage, from a grey image to the 28×28 input, or null
 * if there is no ink.
 */
function toMnist(photo) {
  const grey = shrinkTo(photo, WORKING_SIDE);
  const darkOnLight = inkIsDark(grey);
  const ink = inkAboveBackground(grey, darkOnLight);
  const threshold = otsuThreshold(ink);
  if (threshold === null) return null;
  const digit = digitPixels(ink, threshold);
  if (digit === null) return null;
  const strokes = mnistStrokes(ink, digit, threshold);
  const fitted = fitInto(strokes, 20);
  const mnist = centreByMass(fitted, 28);
  return { grey, ink, digit, strokes, fitted, mnist, darkOnLight };
}

/** MNIST's range of total ink per image, and `predict`'s confidence bar. */
const MNIST_INK = [39, 194];
const UNSURE_BELOW = 0.7;

/** `doubts`: why a prediction should not be trusted, if it should not. */
function doubts(mnist, confidence) {
  const ink = mnist.data.reduce((s, v) => s + v, 0);
  if (ink < MNIST_INK[0]) return `the digit has less ink (${ink.toFixed(0)}) than MNIST's (39–194)`;
  if (ink > MNIST_INK[1]) return `the digit has more ink (${ink.toFixed(0)}) than MNIST's (39–194)`;
  if (confidence < UNSURE_BELOW) return `its top probability is only ${(100 * confidence).toFixed(0)} %`;
  return null;
}

// ---- predict's size limits (photo/read.rs: MAX_SIDE, MAX_DECODE_BYTES),
// applied from the file's header before anything is decoded. A Rust test
// holds these two numbers to Rust's.

const MAX_SIDE = 12000;
const MAX_DECODE_BYTES = 2147483648;

/**
 * The width, height and bytes per decoded pixel a PNG or JPEG header
 * declares, or null if the bytes start no PNG or JPEG this can read.
 */
function declaredSize(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 26 && png.every((b, i) => bytes[i] === b)) {
    // IHDR: width, height, bit depth, colour type.
    const channels = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 }[bytes[25]] ?? 4;
    const depth = bytes[24] === 16 ? 2 : 1;
    return { width: view.getUint32(16), height: view.getUint32(20), perPixel: channels * depth };
  }
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  // JPEG: walk the segments to the first start-of-frame marker.
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1];
    if (marker === 0xff) { at += 1; continue; }
    const isFrame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
    if (isFrame) {
      return { width: view.getUint16(at + 7), height: view.getUint16(at + 5), perPixel: bytes[at + 9] };
    }
    at += 2 + view.getUint16(at + 2);
  }
  return null;
}

/**
 * Why `predict` would refuse an image of this header, in its words, or
 * null: more than MAX_SIDE a side, or more memory to decode and read than
 * MAX_DECODE_BYTES (the decoded pixels, and 20 bytes a pixel for their
 * copies, as predict counts).
 */
function sizeProblem(name, bytes) {
  const size = declaredSize(bytes);
  if (!size) return null;
  const { width, height, perPixel } = size;
  if (width > MAX_SIDE || height > MAX_SIDE) {
    return `${name}: the image is ${width}×${height} pixels; at most ${MAX_SIDE} a side`;
  }
  const needed = width * height * (perPixel + 20);
  if (needed > MAX_DECODE_BYTES) {
    return `${name}: a ${width}×${height} image of this kind takes about ${(needed / 1e9).toFixed(1)} GB ` +
      `to decode and read; at most ${(MAX_DECODE_BYTES / 1e9).toFixed(1)} GB (a smaller or 8-bit image will do)`;
  }
  return null;
}

window.nnfsPreprocess = { brightness, toMnist, doubts, image, sizeProblem };
