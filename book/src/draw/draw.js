// Draw a digit: chapter 8's trained network, live in the page.
//
// The model is chapter 8's own file, model.safetensors (written by
// `cargo run --release -p ch08-mnist -- export-web`), carried in model.js
// as base64 so the page works from a file:// URL with no network. The
// drawing goes through preprocess.js — the same steps as `predict` — and
// then through the forward pass of chapter 3:
//     a⁽ˡ⁾ = f(W⁽ˡ⁾ a⁽ˡ⁻¹⁾ + b⁽ˡ⁾).
'use strict';

(() => {
  const { brightness, toMnist, doubts, image, sizeProblem } = window.nnfsPreprocess;

  // ---- The model file: 8 bytes of header length, a JSON header, floats.

  /** The layers of a safetensors model file saved by chapter 8
   *  (read by safetensors.js). */
  function readModel(bytes) {
    const { meta, tensor, fail } = window.nnfsSafetensors.read(bytes);
    if (meta.format !== 'nnfs-model' || meta.version !== '2') fail('not an nnfs-model, version 2');
    const sizes = meta.sizes.split(' ').map(Number);
    const activations = meta.activations.split(' ');
    const layers = activations.map((activation, l) => ({
      nIn: sizes[l],
      nOut: sizes[l + 1],
      w: tensor(`layers.${l}.weight`, [sizes[l + 1], sizes[l]]), // row j: neuron j's weights
      b: tensor(`layers.${l}.bias`, [sizes[l + 1]]),
      activation,
    }));
    return { sizes, layers };
  }

  // ---- The forward pass.

  const activations = {
    identity: (z) => z,
    sigmoid: (z) => z.map((v) => 1 / (1 + Math.exp(-v))),
    tanh: (z) => z.map(Math.tanh),
    relu: (z) => z.map((v) => Math.max(v, 0)),
    softmax: (z) => {
      const max = Math.max(...z); // shifted, so exp never overflows
      const e = z.map((v) => Math.exp(v - max));
      const sum = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / sum);
    },
  };

  /** Every layer's activations for input x; the last is the output. */
  function forward(model, x) {
    const trace = [Float64Array.from(x)];
    for (const { nIn, nOut, w, b, activation } of model.layers) {
      const a = trace[trace.length - 1];
      const z = new Float64Array(nOut); // z = W a + b
      for (let j = 0; j < nOut; j++) {
        let s = b[j];
        for (let k = 0; k < nIn; k++) s += w[j * nIn + k] * a[k];
        z[j] = s;
      }
      trace.push(activations[activation](z));
    }
    return trace;
  }

  // ---- Drawing on small canvases.

  /** Paints a grey image (1 = ink, drawn dark) into a canvas. */
  function paintInk(canvas, img) {
    canvas.width = img.w;
    canvas.height = img.h;
    const ctx = canvas.getContext('2d');
    const out = ctx.createImageData(img.w, img.h);
    img.data.forEach((v, i) => {
      const level = Math.round(255 * (1 - Math.min(Math.max(v, 0), 1)));
      out.data.set([level, level, level, 255], 4 * i);
    });
    ctx.putImageData(out, 0, 0);
  }

  /** The book's heat map colours: green for +, red for −, white at 0. */
  function heatColour(value, scale) {
    const t = Math.min(Math.abs(value) / scale, 1);
    const target = value >= 0 ? [0, 150, 60] : [200, 30, 30];
    return target.map((c) => Math.round(255 + t * (c - 255)));
  }

  function paintHeat(canvas, values, rows, cols) {
    canvas.width = cols;
    canvas.height = rows;
    const ctx = canvas.getContext('2d');
    const scale = Math.max(...values.map(Math.abs)) || 1;
    const out = ctx.createImageData(cols, rows);
    values.forEach((v, i) => out.data.set([...heatColour(v, scale), 255], 4 * i));
    ctx.putImageData(out, 0, 0);
  }

  // ---- The widget.

  const SIDE = 280; // the drawing's pixels a side, whatever its size on screen
  const PEN = 18; // stroke width in those pixels

  function build(root, model) {
    const hidden = model.sizes[1];
    const gridSide = Math.ceil(Math.sqrt(hidden));
    root.innerHTML = `
      <div class="dad-pad">
        <canvas class="dad-canvas" width="${SIDE}" height="${SIDE}" tabindex="0"
          aria-label="Drawing area. Draw a digit with a mouse, pen or finger. With the keyboard: arrow keys move the pen, Space lifts or lowers it."></canvas>
        <div class="dad-buttons">
          <button type="button" class="dad-undo" title="Undo the last stroke (Ctrl+Z)">Undo</button>
          <button type="button" class="dad-clear" title="Clear the drawing (Escape)">Clear</button>
          <label class="dad-open">Open an image…<input type="file" accept="image/png,image/jpeg"></label>
        </div>
        <p class="dad-hint">Keyboard: focus the drawing, move the pen with the arrow keys, Space to lower or lift it.</p>
      </div>
      <div class="dad-results">
        <div class="dad-outputs" role="img" aria-label="The network's probabilities for each digit"></div>
        <p class="dad-verdict" aria-live="polite">Draw a digit, as large as the box allows.</p>
        <div class="dad-stages"></div>
        <div class="dad-hidden">
          <figure>
            <canvas class="dad-grid" tabindex="0" width="${gridSide}" height="${gridSide}"
              aria-label="The ${hidden} hidden neurons' activations. Hover, tap, or use the arrow keys to see a neuron's weights."></canvas>
            <figcaption>${hidden} hidden neurons (${model.layers[0].activation}): darker = more active</figcaption>
          </figure>
          <figure>
            <canvas class="dad-weights" width="28" height="28"></canvas>
            <figcaption class="dad-neuron">Hover over a neuron to see its weights</figcaption>
          </figure>
        </div>
      </div>`;
    const $ = (selector) => root.querySelector(selector);
    const pad = $('.dad-canvas');
    const ctx = pad.getContext('2d');
    const stageNames = [
      ['ink', 'ink above the paper'],
      ['digit', 'the digit’s pixels'],
      ['strokes', 'strokes at MNIST’s width'],
      ['fitted', 'fitted into 20×20'],
      ['mnist', '28×28, centred by mass: the input'],
    ];
    const stages = {};
    for (const [key, caption] of stageNames) {
      const figure = document.createElement('figure');
      stages[key] = document.createElement('canvas');
      stages[key].className = `dad-stage dad-stage-${key}`;
      const text = document.createElement('figcaption');
      text.textContent = caption;
      figure.append(stages[key], text);
      $('.dad-stages').append(figure);
    }
    const bars = [];
    for (let d = 0; d < 10; d++) {
      const row = document.createElement('div');
      row.className = 'dad-bar';
      row.innerHTML = `<span class="dad-digit">${d}</span><span class="dad-track"><span class="dad-fill"></span></span><span class="dad-percent"></span>`;
      $('.dad-outputs').append(row);
      bars.push(row);
    }

    // The drawing is a list of strokes, each a list of points, so undo
    // can redraw all but the last.
    let strokes = [];
    let image = null; // an opened image, instead of strokes
    let last = null; // the last result, for the test and the weights view

    function redraw() {
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, SIDE, SIDE);
      if (image) {
        // The opened image, whole, in the middle (its own pixels are read).
        const scale = SIDE / Math.max(image.width, image.height);
        const [w, h] = [image.width * scale, image.height * scale];
        ctx.drawImage(image, (SIDE - w) / 2, (SIDE - h) / 2, w, h);
      }
      ctx.strokeStyle = '#000';
      ctx.fillStyle = '#000';
      ctx.lineWidth = PEN;
      ctx.lineCap = 'round';
      ctx.lineJoin = 'round';
      for (const points of strokes) {
        ctx.beginPath();
        if (points.length === 1) {
          ctx.arc(points[0][0], points[0][1], PEN / 2, 0, 2 * Math.PI);
          ctx.fill();
          continue;
        }
        ctx.moveTo(...points[0]);
        for (const p of points.slice(1)) ctx.lineTo(...p);
        ctx.stroke();
      }
    }

    /** The drawing's (or opened image's) grey pixels, as `predict` reads a PNG. */
    function greyOfPad() {
      if (image && image.grey) return image.grey;
      return brightness(ctx.getImageData(0, 0, SIDE, SIDE).data, SIDE, SIDE);
    }

    let selected = null; // the hidden neuron whose weights are shown

    function showNeuron(j) {
      const { w, nIn } = model.layers[0];
      paintHeat($('.dad-weights'), Array.from(w.subarray(j * nIn, (j + 1) * nIn)), 28, 28);
      const a = last ? last.trace[1][j] : null;
      $('.dad-neuron').textContent = `neuron ${j + 1}` +
        (a === null ? '' : `, activation ${a.toFixed(2)}`) +
        `${selected === null ? ' (the most active)' : ''}: its 784 weights, green +, red −`;
    }

    function update() {
      const result = strokes.length > 0 || image ? toMnist(greyOfPad()) : null;
      if (!result) {
        last = null;
        for (const key in stages) paintInk(stages[key], { h: 1, w: 1, data: [0] });
        bars.forEach((row) => {
          row.classList.remove('dad-winner');
          row.querySelector('.dad-fill').style.width = '0';
          row.querySelector('.dad-percent').textContent = '';
        });
        paintHeat($('.dad-grid'), new Array(gridSide * gridSide).fill(0), gridSide, gridSide);
        if (selected !== null) {
          showNeuron(selected);
        } else {
          paintHeat($('.dad-weights'), new Array(784).fill(0), 28, 28);
          $('.dad-neuron').textContent = 'Hover over a neuron to see its weights';
        }
        $('.dad-verdict').textContent = strokes.length > 0 || image
          ? 'No ink found: draw darker or larger.'
          : 'Draw a digit, as large as the box allows.';
        root.dataset.prediction = '';
        return;
      }
      const x = result.mnist.data; // 784 pixels, row after row, ink = 1
      const trace = forward(model, x);
      const p = trace[trace.length - 1];
      const best = p.indexOf(Math.max(...p));
      last = { result, trace, probabilities: p, prediction: best };
      paintInk(stages.ink, result.ink);
      paintInk(stages.digit, result.digit);
      paintInk(stages.strokes, result.strokes);
      paintInk(stages.fitted, result.fitted);
      paintInk(stages.mnist, result.mnist);
      p.forEach((v, d) => {
        bars[d].classList.toggle('dad-winner', d === best);
        bars[d].querySelector('.dad-fill').style.width = `${(100 * v).toFixed(1)}%`;
        bars[d].querySelector('.dad-percent').textContent = `${(100 * v).toFixed(1)} %`;
      });
      // Hidden activations, darker = larger (scaled to the largest).
      const h = Array.from(trace[1]);
      const top = Math.max(...h) || 1;
      const grid = $('.dad-grid');
      const CELL = 10; // canvas pixels per neuron, so the outline is sharp
      grid.width = grid.height = gridSide * CELL;
      const g = grid.getContext('2d');
      g.fillStyle = '#f4f4fa';
      g.fillRect(0, 0, grid.width, grid.height);
      h.forEach((v, j) => {
        const level = Math.round(255 * (1 - Math.min(v / top, 1)));
        g.fillStyle = `rgb(${level}, ${level}, ${level})`;
        g.fillRect((j % gridSide) * CELL, Math.floor(j / gridSide) * CELL, CELL, CELL);
      });
      // The neuron picked, or else the most active one.
      const shownNeuron = selected ?? h.indexOf(Math.max(...h));
      g.strokeStyle = '#d33';
      g.lineWidth = 2;
      g.strokeRect((shownNeuron % gridSide) * CELL + 1, Math.floor(shownNeuron / gridSide) * CELL + 1, CELL - 2, CELL - 2);
      showNeuron(shownNeuron);
      const why = doubts(result.mnist, p[best]);
      $('.dad-verdict').textContent = why
        ? `It might be a ${best}, but the network is unsure: ${why}.`
        : `It looks like a ${best}.`;
      root.dataset.prediction = String(best);
    }

    // Redraw at most once a frame while the pen moves.
    let pending = false;
    function schedule() {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => { pending = false; update(); });
    }

    // ---- Pointer: mouse, pen and touch alike.
    const at = (event) => {
      const box = pad.getBoundingClientRect();
      return [(event.clientX - box.left) * (SIDE / box.width), (event.clientY - box.top) * (SIDE / box.height)];
    };
    let drawing = false;
    pad.addEventListener('pointerdown', (event) => {
      event.preventDefault();
      pad.setPointerCapture?.(event.pointerId);
      drawing = true;
      if (image) { image = null; strokes = []; } // a new drawing
      strokes.push([at(event)]);
      redraw();
      schedule();
    });
    pad.addEventListener('pointermove', (event) => {
      if (!drawing) return;
      strokes[strokes.length - 1].push(at(event));
      redraw();
      schedule();
    });
    const lift = () => { if (drawing) { drawing = false; update(); } };
    pad.addEventListener('pointerup', lift);
    pad.addEventListener('pointercancel', lift);

    // ---- Keyboard: a pen cursor moved by the arrow keys.
    let cursor = null;
    let penDown = false;
    pad.addEventListener('keydown', (event) => {
      const step = event.shiftKey ? 4 : 12;
      const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      if (event.key in moves) {
        event.preventDefault();
        cursor ??= [SIDE / 2, SIDE / 2];
        const [dx, dy] = moves[event.key];
        cursor = [Math.min(Math.max(cursor[0] + dx, 0), SIDE), Math.min(Math.max(cursor[1] + dy, 0), SIDE)];
        if (penDown) strokes[strokes.length - 1].push(cursor);
      } else if (event.key === ' ' || event.key === 'Enter') {
        event.preventDefault();
        cursor ??= [SIDE / 2, SIDE / 2];
        penDown = !penDown;
        if (penDown) strokes.push([cursor]);
      } else {
        return;
      }
      if (image) { image = null; strokes = penDown ? [[cursor]] : []; }
      redraw();
      update();
      // Show where the pen is (after reading the drawing: the ring is not
      // ink): blue when lifted, red while it draws.
      ctx.strokeStyle = penDown ? '#d33' : '#36c';
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(cursor[0], cursor[1], PEN / 2 + 3, 0, 2 * Math.PI);
      ctx.stroke();
    });
    pad.addEventListener('blur', () => { penDown = false; redraw(); });

    function undo() {
      strokes.pop();
      if (strokes.length === 0) image = null;
      penDown = false;
      redraw();
      update();
    }
    function clear() {
      strokes = [];
      image = null;
      penDown = false;
      redraw();
      update();
    }
    $('.dad-undo').addEventListener('click', undo);
    $('.dad-clear').addEventListener('click', clear);
    root.addEventListener('keydown', (event) => {
      if ((event.ctrlKey || event.metaKey) && event.key === 'z') { event.preventDefault(); undo(); }
      if (event.key === 'Escape') clear();
    });

    // ---- An image from a file: read at its full size, as `predict` reads it.
    $('.dad-open input').addEventListener('change', async (event) => {
      const file = event.target.files[0];
      if (!file) return;
      try {
        // predict's limits, from the header, before a pixel is decoded.
        const header = new Uint8Array(await file.slice(0, 1 << 16).arrayBuffer());
        const problem = sizeProblem(file.name, header);
        if (problem) throw Object.assign(new Error(problem), { refused: true });
        const bitmap = await createImageBitmap(file, {
          colorSpaceConversion: 'none', premultiplyAlpha: 'none', imageOrientation: 'from-image',
        });
        const full = document.createElement('canvas');
        full.width = bitmap.width;
        full.height = bitmap.height;
        const c = full.getContext('2d');
        c.drawImage(bitmap, 0, 0);
        bitmap.grey = brightness(c.getImageData(0, 0, full.width, full.height).data, full.height, full.width);
        strokes = [];
        image = bitmap;
        redraw();
        update();
      } catch (error) {
        $('.dad-verdict').textContent = error.refused
          ? `${error.message}.`
          : `${file.name}: not an image this page can read (${error.message}).`;
      }
      root.dataset.opened = String(Number(root.dataset.opened ?? 0) + 1);
      event.target.value = '';
    });

    // ---- Hidden neurons: hover, tap or arrow keys show a neuron's weights.
    const grid = $('.dad-grid');
    const cellAt = (event) => {
      const box = grid.getBoundingClientRect();
      const c = Math.floor(((event.clientX - box.left) / box.width) * gridSide);
      const r = Math.floor(((event.clientY - box.top) / box.height) * gridSide);
      const j = r * gridSide + c;
      return c >= 0 && c < gridSide && r >= 0 && j < hidden ? j : null;
    };
    const pick = (j) => { if (j !== null) { selected = j; update(); } };
    grid.addEventListener('pointermove', (event) => pick(cellAt(event)));
    grid.addEventListener('pointerdown', (event) => pick(cellAt(event)));
    grid.addEventListener('keydown', (event) => {
      const moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -gridSide, ArrowDown: gridSide };
      if (!(event.key in moves)) return;
      event.preventDefault();
      pick(Math.min(Math.max((selected ?? 0) + moves[event.key], 0), hidden - 1));
    });
    grid.addEventListener('focus', () => pick(selected ?? 0));

    redraw();
    update();
    root.classList.add('dad-ready');
    return {
      model,
      forward: (x) => forward(model, x),
      last: () => last,
      strokes: () => strokes,
    };
  }

  // ---- Start: read the model carried by model.js, build the widget.
  function start() {
    const root = document.getElementById('digit-pad');
    if (!root) return;
    try {
      const text = window.NNFS_DRAW_MODEL;
      if (!text) throw new Error('model.js did not load (run book/build.sh)');
      const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
      const model = readModel(bytes);
      window.drawADigit = { ...build(root, model), readModel, toMnist, brightness, image };
      root.dataset.ready = 'true';
    } catch (error) {
      root.textContent = `The drawing pad could not start: ${error.message}`;
      root.dataset.ready = 'error';
      console.error(error);
    }
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
