// Write with the model: chapter 13's GPTs, live in the page.
//
// The models are chapter 13's own files (written by `cargo run --release
// -p ch13-transformer -- export-web`), each carried in write/models/NAME.js
// as base64 so that the page works from a file:// URL; a model's script is
// loaded when the reader first picks it. gpt.js holds the model: its file,
// tokens, forward pass, key-value cache and draws. This file is the page:
// the controls, the text as it is written, the next token's probabilities
// and the attention weights of a chosen layer and head.
'use strict';

(() => {
  const G = window.nnfsGpt;
  const root = document.getElementById('write-pad');
  if (!root) return;
  const LABELS = {
    'ch13-names': 'First names (characters)',
    'ch13-names-bpe': 'First names (byte-pair tokens)',
    'ch13-shakespeare': 'Shakespeare (characters)',
  };
  const BOUNDARY = '.';
  // The chapter's models first, in the order above, then any others.
  const rank = (name) => { const i = Object.keys(LABELS).indexOf(name); return i < 0 ? Infinity : i; };
  const available = (window.NNFS_WRITE_MANIFEST ?? []).slice().sort((a, b) => rank(a.name) - rank(b.name));
  const models = {}; // name → the model, once read
  const state = { name: null, model: null, running: null, lines: [], selected: null, pinned: false };

  const el = (tag, attributes = {}, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attributes)) {
      if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    e.append(...children);
    return e;
  };
  const field = (label, input, hint) => el('label', { class: 'wwm-field' }, el('span', {}, label), input, hint ?? '');

  // ---- The controls.
  const modelSelect = el('select', { class: 'wwm-model', 'aria-label': 'Model' },
    ...available.map(({ name, bytes }) => el('option', { value: name },
      `${LABELS[name] ?? name}, a ${(bytes / 1e6).toFixed(bytes < 1e6 ? 2 : 1)} MB file`)));
  const prompt = el('textarea', { class: 'wwm-prompt', rows: '2', spellcheck: 'false', 'aria-label': 'Prompt' });
  const temperature = el('input', { class: 'wwm-temperature', type: 'range', min: '0.1', max: '2', step: '0.05', value: '0.8' });
  const temperatureShown = el('output', { class: 'wwm-shown' }, '0.8');
  const topK = el('input', { class: 'wwm-topk', type: 'number', min: '1', step: '1', placeholder: 'all', inputmode: 'numeric' });
  const seed = el('input', { class: 'wwm-seed', type: 'text', value: '1', inputmode: 'numeric', 'aria-label': 'Seed' });
  const length = el('input', { class: 'wwm-length', type: 'number', min: '1', max: '5000', step: '1', value: '400', inputmode: 'numeric' });
  const lengthField = field('Characters', length);
  const write = el('button', { class: 'wwm-write', type: 'button' }, 'Write');
  const stop = el('button', { class: 'wwm-stop', type: 'button', disabled: '' }, 'Stop');
  const more = el('button', { class: 'wwm-more', type: 'button' }, 'Make more names');
  const message = el('p', { class: 'wwm-message', role: 'status' });
  const command = el('code', { class: 'wwm-command' });
  const output = el('div', {
    class: 'wwm-output', tabindex: '0', role: 'region',
    'aria-label': 'The text written; arrow keys choose a token to see what it attended to',
  });
  const layerSelect = el('select', { class: 'wwm-layer', 'aria-label': 'Layer' });
  const headSelect = el('select', { class: 'wwm-head', 'aria-label': 'Head' });
  const bars = el('div', { class: 'wwm-bars' });
  const barsTitle = el('p', { class: 'wwm-caption' });
  const announce = el('p', { class: 'wwm-sr', 'aria-live': 'polite' }); // what a screen reader says on a choice
  const heat = el('canvas', { class: 'wwm-heat', width: '640', height: '640', role: 'img' }); // drawn at twice its size
  const heatTitle = el('p', { class: 'wwm-caption' });

  root.textContent = '';
  root.append(
    el('div', { class: 'wwm-controls' },
      field('Model', modelSelect),
      field('Prompt', prompt),
      el('div', { class: 'wwm-row' },
        field('Temperature', temperature, temperatureShown),
        field('Top-k', topK),
        field('Seed', seed),
        lengthField),
      el('div', { class: 'wwm-buttons' }, write, stop, more),
      message,
      el('p', { class: 'wwm-same' }, 'The same text from the command line: ', command)),
    output,
    el('div', { class: 'wwm-inside' },
      el('div', { class: 'wwm-next' }, barsTitle, bars, announce),
      el('div', { class: 'wwm-attention' },
        el('div', { class: 'wwm-row' }, field('Layer', layerSelect), field('Head', headSelect)),
        heatTitle, heat)),
  );

  // ---- Reading the chosen model (its script loaded on first use).

  function loadScript(name) {
    return new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = `write/models/${name}.js`;
      script.onload = resolve;
      script.onerror = () => reject(new Error(`write/models/${name}.js could not be loaded`));
      document.body.append(script);
    });
  }

  async function choose(name) {
    if (!models[name]) {
      message.textContent = `Loading ${LABELS[name] ?? name}…`;
      if (!window.NNFS_WRITE_MODELS?.[name]) await loadScript(name);
      const bytes = Uint8Array.from(atob(window.NNFS_WRITE_MODELS[name]), (c) => c.charCodeAt(0));
      models[name] = G.readModel(bytes);
    }
    stopWriting();
    state.name = name;
    state.model = models[name];
    const m = state.model;
    const names = m.corpus === 'names';
    more.hidden = !names;
    lengthField.hidden = names;
    layerSelect.replaceChildren(...m.blocks.map((_, l) => el('option', { value: String(l) }, String(l + 1))));
    layerSelect.value = String(m.layers - 1);
    headSelect.replaceChildren(...Array.from({ length: m.heads }, (_, h) => el('option', { value: String(h) }, String(h + 1))));
    if (!prompt.dataset.edited) prompt.value = names ? '' : 'ROMEO:';
    state.lines = [];
    state.selected = null;
    state.pinned = false;
    command.textContent = '';
    message.textContent = `${m.layers} layers, ${m.heads} heads, width ${m.width}, context ${m.block}, ` +
      `${m.vocab} tokens${m.merges.length ? ` (${m.symbols.length} characters and ${m.merges.length} merges)` : ''}.`;
    refresh();
    checkPrompt();
  }

  // ---- The settings, as `sample` takes them.

  /** The seed as `sample` reads it: a whole number from 0 to 2⁶⁴ − 1
   *  (a BigInt, as a Number would round the large ones), or null. */
  function seedOf(text) {
    const t = text.trim();
    return /^\d{1,20}$/.test(t) && BigInt(t) < 2n ** 64n ? BigInt(t) : null;
  }

  function settings() {
    const k = topK.value.trim() === '' ? null : Math.max(1, Math.floor(Number(topK.value)));
    const count = Math.min(5000, Math.max(1, Math.floor(Number(length.value) || 400)));
    return { temperature: Number(temperature.value), topK: k, seed: seedOf(seed.value) ?? 1n, count };
  }

  const quote = (text) => `'${text.replace(/'/g, "'\\''")}'`;
  function showCommand(batch) {
    const s = settings();
    const parts = ['cargo run --release -p ch13-transformer -- sample', `--model data/models/${state.name}.safetensors`];
    if (prompt.value) parts.push(`--prompt=${quote(prompt.value)}`); // a prompt may start with '-'
    parts.push(`--seed ${s.seed}`);
    if (s.temperature !== 0.8) parts.push(`--temperature ${s.temperature}`);
    if (s.topK) parts.push(`--top-k ${s.topK}`);
    if (state.model.corpus === 'names') parts.push(`--count ${batch}`);
    else if (s.count !== 400) parts.push(`--count ${s.count}`);
    command.textContent = parts.join(' ');
  }

  /** Names the prompt's characters outside the model's vocabulary. */
  function checkPrompt() {
    if (!state.model) return false;
    const encoded = G.encode(state.model, prompt.value);
    const seedOk = seedOf(seed.value) !== null;
    const ok = !encoded.unknown && seedOk;
    seed.setAttribute('aria-invalid', String(!seedOk));
    write.disabled = more.disabled = !ok || state.running !== null;
    prompt.setAttribute('aria-invalid', String(!ok));
    if (!seedOk) {
      message.textContent = `The seed is '${seed.value}': it must be a whole number from 0 to 18446744073709551615.`;
      message.classList.add('wwm-problem');
    } else if (!ok) {
      const shown = encoded.unknown.map(({ character, position }) =>
        `${JSON.stringify(character).replace(/^"|"$/g, "'")} (character ${position})`);
      message.textContent = `Not in this model's vocabulary of ${state.model.symbols.length} symbols: ` +
        `${shown.join(', ')}. It knows: ${state.model.symbols.map(visibleSymbol).join(' ')}`;
      message.classList.add('wwm-problem');
    } else if (message.classList.contains('wwm-problem')) {
      message.classList.remove('wwm-problem');
      message.textContent = '';
    }
    return ok;
  }

  const visibleSymbol = (c) => (c === ' ' ? '␣' : c === '\n' ? '↵' : c);

  // ---- Writing: sample's loop, a few tokens per frame.

  /** One line of text: the context's tokens and those written, each with
   *  its attention when it was read and the draw that made it. */
  function startLine(context, promptTokens, text) {
    const line = {
      tokens: context.map((t, i) => ({ token: t, given: true, start: i < context.length - promptTokens })),
      attention: [],
      prompt: text,
    };
    state.lines.push(line);
    return line;
  }

  function run(batch) {
    if (!checkPrompt()) return;
    stopWriting();
    const m = state.model;
    const s = settings();
    const names = m.corpus === 'names';
    showCommand(batch);
    const start = names ? BOUNDARY : '\n';
    const promptTokens = G.encode(m, prompt.value).tokens;
    let context = G.encode(m, m.symbols.includes(start) ? start + prompt.value : prompt.value).tokens;
    if (context.length === 0) context = [0];
    const stopToken = names && m.merges.length === 0 ? m.symbols.indexOf(BOUNDARY) : null;
    const count = names ? 40 : s.count;
    const rng = G.seeded(s.seed);
    state.lines = [];
    state.selected = null;
    state.pinned = false;
    const runs = names ? batch : 1;
    let done = 0;
    let line = null;
    let writer = null;
    const began = performance.now();
    let tokens = 0;
    const job = { cancelled: false };
    state.running = job;
    const pressed = document.activeElement;
    write.disabled = more.disabled = true;
    stop.disabled = false;
    // A keyboard reader's focus moves to Stop while writing, and back after.
    if (pressed === write || pressed === more) stop.focus();
    const next = () => {
      line = startLine(context, promptTokens.length, prompt.value);
      writer = G.generate(m, context, count, s, stopToken, rng, (i, attention, from) => { line.attention[i] = { attention, from }; });
    };
    next();
    const pump = () => {
      if (job.cancelled) return;
      const until = performance.now() + 12;
      while (performance.now() < until) {
        const step = writer.next();
        if (step.done) {
          done += 1;
          if (done === runs) return finish(true);
          next();
          continue;
        }
        tokens += 1;
        line.tokens.push({ token: step.value.token, probabilities: step.value.probabilities });
      }
      refresh();
      setTimeout(pump, 0);
    };
    const finish = (complete) => {
      state.running = null;
      const refocus = document.activeElement === stop;
      stop.disabled = true;
      checkPrompt();
      if (refocus) (names && runs > 1 ? more : write).focus();
      const seconds = (performance.now() - began) / 1000;
      message.textContent = `${complete ? 'Wrote' : 'Stopped after'} ${tokens} tokens in ${seconds.toFixed(2)} s.`;
      root.dataset.written = String(Number(root.dataset.written ?? 0) + 1);
      refresh();
    };
    job.finish = finish;
    setTimeout(pump, 0);
  }

  function stopWriting() {
    if (state.running) {
      state.running.cancelled = true;
      state.running.finish(false);
    }
  }

  /** A line's text as `sample` prints it: the prompt, then what was written,
   *  a name cut at its boundary. */
  function lineText(line) {
    const m = state.model;
    const written = line.tokens.filter((t) => !t.given).map((t) => G.spell(m, t.token)).join('');
    const cut = m.corpus === 'names' ? written.split(BOUNDARY)[0] : written;
    return line.prompt + cut;
  }

  // ---- Showing it: the text, the bars, the heat map.

  function refresh() {
    drawText();
    drawInside();
  }

  function drawText() {
    const m = state.model;
    output.replaceChildren(...state.lines.map((line, l) => {
      let past = false; // after a name's boundary
      return el('div', { class: 'wwm-line', 'data-text': lineText(line) }, ...line.tokens.map((t, i) => {
        const spelled = G.spell(m, t.token);
        const classes = ['wwm-token'];
        if (t.start) classes.push('wwm-start');
        else if (t.given) classes.push('wwm-given');
        if (past) classes.push('wwm-after');
        if (m.corpus === 'names' && !t.given && spelled.includes(BOUNDARY)) past = true;
        const selected = state.selected && state.selected.line === l && state.selected.index === i;
        if (selected) classes.push('wwm-selected');
        const span = el('span', { class: classes.join(' '), 'data-line': String(l), 'data-index': String(i) },
          spelled.replace(/\n/g, t.start ? '↵' : '↵\n'));
        return span;
      }));
    }));
    shadeAttention();
  }

  /** The token whose making is shown: the one chosen, or the last one. */
  function focusToken() {
    if (state.selected) return state.selected;
    const l = state.lines.length - 1;
    if (l < 0) return null;
    return { line: l, index: state.lines[l].tokens.length - 1 };
  }

  /** How token i was written: the step that read token i − 1 gave the
   *  probabilities it was drawn from, and attended to the tokens before
   *  it with these weights (token i − 1's attention), or null. */
  function making(at) {
    const line = state.lines[at.line];
    const record = at.index > 0 ? line.attention[at.index - 1] : undefined;
    if (!record) return null;
    const [layer, h] = [Number(layerSelect.value), Number(headSelect.value)];
    return { from: record.from, weights: record.attention[layer][h] };
  }

  /** Each earlier token's background: the weight the step that wrote the
   *  chosen token gave it. */
  function shadeAttention() {
    output.querySelectorAll('.wwm-token').forEach((span) => span.style.removeProperty('--w'));
    const at = focusToken();
    if (!at) return;
    const made = making(at);
    if (!made) return;
    const spans = output.querySelectorAll(`[data-line="${at.line}"]`);
    made.weights.forEach((w, j) => spans[made.from + j]?.style.setProperty('--w', w.toFixed(3)));
  }

  const spelledOut = (m, token) => G.spell(m, token).replace(/ /g, '␣').replace(/\n/g, '↵');

  function drawInside() {
    const m = state.model;
    const at = focusToken();
    bars.replaceChildren();
    barsTitle.textContent = 'How each token was written appears here as the model writes.';
    if (at) {
      const t = state.lines[at.line].tokens[at.index];
      const name = `Token ${at.index + 1}, “${spelledOut(m, t.token)}”,`;
      if (t.probabilities) {
        const ranked = Array.from(t.probabilities, (p, token) => ({ p, token }))
          .sort((a, b) => b.p - a.p).slice(0, 10);
        barsTitle.textContent = `${name} was drawn from these probabilities (temperature and top-k ` +
          'applied; the ten largest), made as the model read the token before it, attending to the ' +
          'shaded tokens.';
        bars.replaceChildren(...ranked.map(({ p, token }) => el('div', { class: `wwm-bar${token === t.token ? ' wwm-drawn' : ''}` },
          el('span', { class: 'wwm-symbol' }, spelledOut(m, token)),
          el('span', { class: 'wwm-track' }, el('span', { class: 'wwm-fill', style: `width:${(100 * p).toFixed(1)}%` })),
          el('span', { class: 'wwm-percent' }, `${(100 * p).toFixed(1)} %`))));
      } else {
        barsTitle.textContent = `${name} is part of the prompt: it was given, not drawn.`;
      }
    }
    drawHeat(at);
  }

  /** The chosen head's weights: row i is what the model attended to as it
   *  read token i (to write token i + 1), over the last tokens of the
   *  line up to the one chosen (at most the context, and 32). */
  function drawHeat(at) {
    const context = heat.getContext('2d');
    const side = heat.width;
    context.clearRect(0, 0, side, side);
    const m = state.model;
    const [layer, h] = [Number(layerSelect.value), Number(headSelect.value)];
    const line = at ? state.lines[at.line] : null;
    const n = line ? Math.min(at.index + 1, m.block, 32) : 0;
    heatTitle.textContent = `Layer ${layer + 1}, head ${h + 1}: row i is what the model attended to as it ` +
      `read token i (darker: more)${n ? `, for the ${n} tokens up to the one chosen` : ''}.`;
    heat.setAttribute('aria-label', heatTitle.textContent);
    if (!line || n === 0) return;
    const first = at.index + 1 - n;
    const margin = 36;
    const cell = (side - margin) / n;
    const size = Math.min(28, cell * 0.9);
    context.font = `${size}px monospace`;
    context.textAlign = 'center';
    context.textBaseline = 'middle';
    context.fillStyle = '#333'; // on the canvas's own white, in every theme
    const fits = Math.max(1, Math.floor(cell / (0.62 * size)));
    for (let i = 0; i < n; i++) {
      const label = spelledOut(m, line.tokens[first + i].token);
      context.fillText(label.slice(0, fits), margin + (i + 0.5) * cell, margin / 2);
      context.fillText(label.slice(0, 2), margin / 2, margin + (i + 0.5) * cell);
    }
    for (let i = 0; i < n; i++) {
      const record = line.attention[first + i];
      if (!record) continue;
      const p = record.attention[layer][h];
      p.forEach((w, j) => {
        const col = record.from + j - first;
        if (col < 0 || col >= n) return;
        context.fillStyle = `rgba(30, 90, 200, ${Math.min(1, w).toFixed(3)})`;
        context.fillRect(margin + col * cell, margin + i * cell, Math.ceil(cell), Math.ceil(cell));
      });
    }
    if (at.index > first) {
      // The row that wrote the chosen token.
      context.strokeStyle = 'rgb(0, 150, 60)';
      context.lineWidth = 4;
      context.strokeRect(margin, margin + (at.index - 1 - first) * cell, n * cell, cell);
    }
  }

  // ---- The reader's hands: mouse, touch, keyboard.

  function select(target, pin) {
    const span = target?.closest?.('.wwm-token');
    if (!span) return;
    if (pin) state.pinned = true;
    else if (state.pinned) return; // a click or a key chose one: hovering does not move it
    state.selected = { line: Number(span.dataset.line), index: Number(span.dataset.index) };
    output.querySelectorAll('.wwm-selected').forEach((e) => e.classList.remove('wwm-selected'));
    span.classList.add('wwm-selected');
    shadeAttention();
    drawInside();
    announce.textContent = barsTitle.textContent;
  }
  output.addEventListener('mouseover', (e) => select(e.target, false));
  output.addEventListener('click', (e) => select(e.target, true));
  output.addEventListener('keydown', (e) => {
    const at = focusToken();
    if (!at) return;
    let { line, index } = at;
    const move = { ArrowRight: 1, ArrowLeft: -1, End: Infinity, Home: -Infinity }[e.key];
    if (move !== undefined) index += move;
    else if (e.key === 'ArrowDown') line += 1;
    else if (e.key === 'ArrowUp') line -= 1;
    else return;
    e.preventDefault();
    e.stopPropagation(); // the book's own arrow keys turn the page
    line = Math.max(0, Math.min(state.lines.length - 1, line));
    index = Math.max(0, Math.min(state.lines[line].tokens.length - 1, index));
    select(output.querySelector(`[data-line="${line}"][data-index="${index}"]`), true);
  });
  write.addEventListener('click', () => run(1));
  more.addEventListener('click', () => run(10));
  stop.addEventListener('click', stopWriting);
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && state.running) { e.preventDefault(); stopWriting(); }
  });
  root.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !write.disabled) { e.preventDefault(); run(1); }
  });
  prompt.addEventListener('input', () => { prompt.dataset.edited = 'true'; checkPrompt(); });
  seed.addEventListener('input', checkPrompt);
  temperature.addEventListener('input', () => { temperatureShown.textContent = temperature.value; });
  layerSelect.addEventListener('change', () => { shadeAttention(); drawHeat(focusToken()); });
  headSelect.addEventListener('change', () => { shadeAttention(); drawHeat(focusToken()); });
  modelSelect.addEventListener('change', () => choose(modelSelect.value).catch(broken));

  function broken(e) {
    message.textContent = `The model could not be read: ${e.message}`;
    message.classList.add('wwm-problem');
    root.dataset.ready = e.message;
  }

  // For the browser test and the curious: the models and the lines written.
  window.writeWithTheModel = {
    gpt: G,
    models,
    choose,
    model: () => state.model,
    texts: () => state.lines.map(lineText),
    lines: () => state.lines,
  };

  if (available.length === 0) {
    broken(new Error('no models were built into the book (write/models.js is missing)'));
    return;
  }
  choose(available[0].name).then(() => {
    root.classList.add('wwm-ready');
    root.dataset.ready = 'true';
  }).catch(broken);
})();
