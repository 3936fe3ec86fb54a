// Chapter 13's GPT in plain JavaScript: the model file, the tokens, the
// full forward pass, the key-value cache, and the draws — each a line for
// line reading of the Rust in chapters/ch13-transformer (gpt.rs, ops.rs,
// bpe.rs, sample.rs) and of the generator every chapter seeds
// (shared/src/rng.rs: ChaCha8, seeded from a u64 as rand seeds it).
//
// Vectors are one token's numbers (Float64Array); a weight matrix W
// (out, in) is stored row by row, as the file holds it: W[o·in + i].
// Everything is computed in f64 from the file's f32 weights.
'use strict';

window.nnfsGpt = (() => {
  // ---- The model file: 8 bytes of header length, a JSON header, floats.

  /** A GPT saved by chapter 13 (format nnfs-gpt, version 1), read by
   *  safetensors.js; its f32 numbers widened to f64. */
  function readModel(bytes) {
    const file = window.nnfsSafetensors.read(bytes);
    const { meta, fail } = file;
    if (meta.format !== 'nnfs-gpt' || meta.version !== '1') fail('not an nnfs-gpt, version 1');
    const number = (key) => {
      const v = Number(meta[key]);
      if (!Number.isInteger(v) || v < 1) fail(`its ${key} is '${meta[key]}'`);
      return v;
    };
    const [layers, heads, width, block] = ['layers', 'heads', 'width', 'block'].map(number);
    if (width % heads !== 0) fail(`a width of ${width} in ${heads} heads`);
    const symbols = (meta.vocab ?? '').split(' ').map((code) => String.fromCodePoint(parseInt(code, 16)));
    const merges = meta.tokenizer === 'bpe' && meta.merges
      ? meta.merges.split(',').map((pair) => pair.split(' ').map(Number))
      : [];
    merges.forEach(([a, b], i) => {
      const known = symbols.length + i;
      if (!(a < known && b < known)) fail(`merge ${i} pairs tokens not made before it`);
    });
    const vocab = symbols.length + merges.length;
    const d = width;
    const tensor = (name, shape) => Float64Array.from(file.tensor(name, shape));
    const h = (l, name, shape) => tensor(`transformer.h.${l}.${name}`, shape);
    const blocks = [];
    for (let l = 0; l < layers; l++) {
      blocks.push({
        ln1Gain: h(l, 'ln_1.weight', [d]), ln1Bias: h(l, 'ln_1.bias', [d]),
        wQkv: h(l, 'attn.c_attn.weight', [3 * d, d]), bQkv: h(l, 'attn.c_attn.bias', [3 * d]),
        wO: h(l, 'attn.c_proj.weight', [d, d]), bO: h(l, 'attn.c_proj.bias', [d]),
        ln2Gain: h(l, 'ln_2.weight', [d]), ln2Bias: h(l, 'ln_2.bias', [d]),
        wFc: h(l, 'mlp.c_fc.weight', [4 * d, d]), bFc: h(l, 'mlp.c_fc.bias', [4 * d]),
        wProj: h(l, 'mlp.c_proj.weight', [d, 4 * d]), bProj: h(l, 'mlp.c_proj.bias', [d]),
      });
    }
    return {
      corpus: meta.corpus, symbols, merges, layers, heads, width, block, vocab,
      wte: tensor('transformer.wte.weight', [vocab, d]), // row t: token t
      wpe: tensor('transformer.wpe.weight', [block, d]), // row i: position i
      blocks,
      lnfGain: tensor('transformer.ln_f.weight', [d]),
      lnfBias: tensor('transformer.ln_f.bias', [d]),
    };
  }

  // ---- Tokens: characters, then the byte-pair merges in the order learned.

  /** The tokens of a text, or the characters the model does not know. */
  function encode(model, text) {
    const unknown = [];
    const tokens = [];
    let k = 0;
    for (const c of text) {
      k += 1;
      const t = model.symbols.indexOf(c);
      if (t < 0) unknown.push({ character: c, position: k });
      else tokens.push(t);
    }
    if (unknown.length > 0) return { unknown };
    let merged = tokens;
    model.merges.forEach((pair, i) => { merged = merge(merged, pair, model.symbols.length + i); });
    return { tokens: merged };
  }

  /** Every occurrence of `pair`, left to right, without overlaps, as `made`. */
  function merge(tokens, [a, b], made) {
    const out = [];
    for (let i = 0; i < tokens.length; i++) {
      if (i + 1 < tokens.length && tokens[i] === a && tokens[i + 1] === b) {
        out.push(made);
        i += 1;
      } else out.push(tokens[i]);
    }
    return out;
  }

  /** The characters a token stands for: a merged token is its pair, spelled. */
  function spell(model, token) {
    const i = token - model.symbols.length;
    if (i < 0) return model.symbols[token];
    const [a, b] = model.merges[i];
    return spell(model, a) + spell(model, b);
  }

  // ---- The operations (ops.rs), on one token's vector.

  /** y = W x + b. */
  function linear(w, b, x) {
    const n = x.length;
    const y = new Float64Array(b.length);
    for (let o = 0; o < y.length; o++) {
      let sum = b[o];
      for (let i = 0; i < n; i++) sum += w[o * n + i] * x[i];
      y[o] = sum;
    }
    return y;
  }

  const EPSILON = 1e-5;

  /** LayerNorm: x̂ = (x − μ)/√(σ² + ε), y = γ ⊙ x̂ + β. */
  function layerNorm(gamma, beta, x) {
    const d = x.length;
    const mu = x.reduce((a, v) => a + v, 0) / d;
    const variance = x.reduce((a, v) => a + (v - mu) * (v - mu), 0) / d;
    const inv = 1 / Math.sqrt(variance + EPSILON);
    return x.map((v, i) => gamma[i] * (v - mu) * inv + beta[i]);
  }

  /** GELU's tanh form. */
  const gelu = (x) => 0.5 * x * (1 + Math.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));

  /** Softmax of scores, the largest subtracted first. */
  function softmax(s) {
    const max = Math.max(...s);
    const e = s.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, v) => a + v, 0);
    return e.map((v) => v / sum);
  }

  const add = (x, y) => x.map((v, i) => v + y[i]);
  const row = (m, r, d) => m.subarray(r * d, (r + 1) * d);

  /** The attention branch and the MLP branch around one block, added to
   *  the stream x (one vector per token): x₁ = x + attend(x) and
   *  x₂ = x₁ + mlp(x₁). `attend` is given each token's q, k, v. */
  function mlp(block, x) {
    const c = layerNorm(block.ln2Gain, block.ln2Bias, x);
    const g = linear(block.wFc, block.bFc, c).map(gelu);
    return linear(block.wProj, block.bProj, g);
  }

  /** The logits z = W_te h after the final LayerNorm. */
  function logitsOf(model, x) {
    const hf = layerNorm(model.lnfGain, model.lnfBias, x);
    const z = new Float64Array(model.vocab);
    for (let t = 0; t < model.vocab; t++) {
      const e = row(model.wte, t, model.width);
      let sum = 0;
      for (let i = 0; i < hf.length; i++) sum += e[i] * hf[i];
      z[t] = sum;
    }
    return z;
  }

  /** The head h's slice of part m (0 q, 1 k, 2 v) of a stacked qkv. */
  const head = (qkv, m, h, model) => {
    const dh = model.width / model.heads;
    return qkv.subarray(m * model.width + h * dh, m * model.width + (h + 1) * dh);
  };

  /** One head's weights for query q over keys ks (softmax of k·q/√d_h). */
  function weights(q, ks) {
    const scale = 1 / Math.sqrt(q.length);
    return softmax(ks.map((k) => {
      let s = 0;
      for (let i = 0; i < q.length; i++) s += k[i] * q[i];
      return s * scale;
    }));
  }

  /** The causal mask: query i may look at key j. (api.visible: the
   *  browser test swaps it for a wrong one to show that its checks
   *  notice.) */
  const visible = (i, j) => j <= i;

  // ---- The full forward pass (gpt.rs, forward), on one window.

  /** The logits after each of `tokens` (at most the context), and each
   *  block's attention weights: attention[l][h][i] over tokens 0 … i. */
  function forward(model, tokens) {
    const d = model.width;
    let x = tokens.map((t, i) => add(row(model.wte, t, d), row(model.wpe, i, d)));
    const attention = [];
    for (const block of model.blocks) {
      const qkv = x.map((v) => linear(block.wQkv, block.bQkv, layerNorm(block.ln1Gain, block.ln1Bias, v)));
      const o = x.map(() => new Float64Array(d));
      const maps = [];
      for (let h = 0; h < model.heads; h++) {
        const rows = [];
        qkv.forEach((query, i) => {
          const seen = [];
          for (let j = 0; j < qkv.length; j++) if (api.visible(i, j)) seen.push(j);
          const p = weights(head(query, 0, h, model), seen.map((j) => head(qkv[j], 1, h, model)));
          const out = head(o[i], 0, h, model);
          seen.forEach((j, n) => {
            const v = head(qkv[j], 2, h, model);
            for (let r = 0; r < v.length; r++) out[r] += p[n] * v[r];
          });
          const full = new Float64Array(i + 1);
          seen.forEach((j, n) => { if (j <= i) full[j] = p[n]; });
          rows.push(full);
        });
        maps.push(rows);
      }
      attention.push(maps);
      x = x.map((v, i) => add(v, linear(block.wO, block.bO, o[i])));
      x = x.map((v) => add(v, mlp(block, v)));
    }
    return { logits: x.map((v) => logitsOf(model, v)), attention };
  }

  // ---- The key-value cache (gpt.rs, decode): one token at a time.

  function kvCache(model) {
    return { keys: model.blocks.map(() => []), values: model.blocks.map(() => []), len: 0 };
  }

  /** The logits after one more token, the tokens before it read from the
   *  cache; and the weights each head gave them: attention[l][h]. */
  function decode(model, cache, token) {
    const d = model.width;
    const i = cache.len;
    let x = add(row(model.wte, token, d), row(model.wpe, i, d));
    const attention = [];
    model.blocks.forEach((block, l) => {
      const qkv = linear(block.wQkv, block.bQkv, layerNorm(block.ln1Gain, block.ln1Bias, x));
      cache.keys[l][i] = qkv.slice(d, 2 * d);
      cache.values[l][i] = qkv.slice(2 * d, 3 * d);
      const o = new Float64Array(d);
      const maps = [];
      for (let h = 0; h < model.heads; h++) {
        const dh = d / model.heads;
        const part = (v) => v.subarray(h * dh, (h + 1) * dh);
        const p = weights(head(qkv, 0, h, model), cache.keys[l].slice(0, i + 1).map(part));
        const out = part(o);
        p.forEach((w, j) => {
          const v = part(cache.values[l][j]);
          for (let r = 0; r < dh; r++) out[r] += w * v[r];
        });
        maps.push(Float64Array.from(p));
      }
      attention.push(maps);
      x = add(x, linear(block.wO, block.bO, o));
      x = add(x, mlp(block, x));
    });
    cache.len += 1;
    return { logits: logitsOf(model, x), attention };
  }

  // ---- Draws (sample.rs and chapter 12's draw) with ChaCha8.

  /** The generator seeded with `seed` (a BigInt), as Rust's `seeded`:
   *  rand's seed_from_u64 fills the 32-byte key from a PCG32 stream. */
  function seeded(seed) {
    const MUL = 6364136223846793005n;
    const INC = 11634580027462260723n;
    let state = BigInt.asUintN(64, BigInt(seed));
    const key = new Uint32Array(8);
    for (let i = 0; i < 8; i++) {
      state = BigInt.asUintN(64, state * MUL + INC);
      const xorshifted = Number(BigInt.asUintN(32, ((state >> 18n) ^ state) >> 27n));
      const rot = Number(state >> 59n);
      key[i] = ((xorshifted >>> rot) | (xorshifted << ((32 - rot) & 31))) >>> 0;
    }
    return { key, counter: 0, buffer: new Uint32Array(64), index: 64 };
  }

  /** Four ChaCha8 blocks (64 words) from the 64-bit counter on. */
  function refill(rng) {
    const rotl = (v, c) => (v << c) | (v >>> (32 - c));
    for (let b = 0; b < 4; b++) {
      const counter = rng.counter + b;
      const s = new Uint32Array([
        0x61707865, 0x3320646e, 0x79622d32, 0x6b206574, ...rng.key,
        counter % 0x100000000, Math.floor(counter / 0x100000000), 0, 0,
      ]);
      const x = Uint32Array.from(s);
      const quarter = (a, b2, c, d) => {
        x[a] += x[b2]; x[d] = rotl(x[d] ^ x[a], 16);
        x[c] += x[d]; x[b2] = rotl(x[b2] ^ x[c], 12);
        x[a] += x[b2]; x[d] = rotl(x[d] ^ x[a], 8);
        x[c] += x[d]; x[b2] = rotl(x[b2] ^ x[c], 7);
      };
      for (let round = 0; round < 8; round += 2) {
        quarter(0, 4, 8, 12); quarter(1, 5, 9, 13); quarter(2, 6, 10, 14); quarter(3, 7, 11, 15);
        quarter(0, 5, 10, 15); quarter(1, 6, 11, 12); quarter(2, 7, 8, 13); quarter(3, 4, 9, 14);
      }
      for (let w = 0; w < 16; w++) rng.buffer[16 * b + w] = x[w] + s[w];
    }
    rng.counter += 4;
    rng.index = 0;
  }

  /** A uniform number in [0, 1): the top 53 bits of the next u64. */
  function uniform(rng) {
    if (rng.index >= 64) refill(rng);
    const [lo, hi] = [rng.buffer[rng.index], rng.buffer[rng.index + 1]];
    rng.index += 2;
    return (hi * 2 ** 21 + (lo >>> 11)) / 2 ** 53;
  }

  /** The k largest logits (and any tied with the k-th); the rest −∞. */
  function topK(z, k) {
    const sorted = Array.from(z).sort((a, b) => b - a);
    const cut = sorted[Math.min(Math.max(k, 1), sorted.length) - 1];
    return z.map((v) => (v >= cut ? v : -Infinity));
  }

  /** The probabilities a draw uses: softmax of z/τ. */
  function probabilities(z, temperature) {
    const scaled = Array.from(z, (v) => v / temperature);
    const max = Math.max(...scaled);
    const w = scaled.map((v) => Math.exp(v - max));
    const sum = w.reduce((a, v) => a + v, 0);
    return w.map((v) => v / sum);
  }

  /** One token drawn from softmax(z/τ), as chapter 12's `draw`. */
  function draw(z, temperature, rng) {
    const scaled = Array.from(z, (v) => v / temperature);
    const max = Math.max(...scaled);
    const w = scaled.map((v) => Math.exp(v - max));
    let u = uniform(rng) * w.reduce((a, v) => a + v, 0);
    for (let t = 0; t < w.length; t++) {
      if (u < w[t]) return t;
      u -= w[t];
    }
    return w.length - 1;
  }

  /** Writes up to `count` tokens after `prompt`, as sample.rs's
   *  `generate`: yields each token drawn, with the probabilities it was
   *  drawn from. `seen(i, attention, from)` hears every token's attention
   *  the first time it is read into the cache: token i of the text (the
   *  prompt's first is 0) over tokens from … i. */
  function* generate(model, prompt, count, { temperature, topK: k }, stop, rng, seen = () => {}) {
    const text = prompt.slice();
    let cache = kvCache(model);
    let from = Math.max(text.length - model.block, 0); // the text's index of the cache's first token
    let read = from; // tokens read so far
    const decodeNext = (token) => {
      const step = decode(model, cache, token);
      const i = from + cache.len - 1;
      if (i >= read) { seen(i, step.attention, from); read = i + 1; }
      return step;
    };
    let step = null;
    for (const token of text.slice(from)) step = decodeNext(token);
    for (let n = 0; n < count; n++) {
      const z = k ? topK(step.logits, k) : step.logits;
      const next = draw(z, temperature, rng);
      text.push(next);
      yield { token: next, probabilities: probabilities(z, temperature) };
      if (next === stop) return;
      if (cache.len === model.block) {
        cache = kvCache(model);
        from = text.length - Math.floor(model.block / 2);
        for (const token of text.slice(from, text.length - 1)) decodeNext(token);
      }
      step = decodeNext(next);
    }
  }

  const api = {
    readModel, encode, spell, forward, kvCache, decode, seeded, uniform, topK,
    probabilities, draw, generate, visible,
  };
  return api;
})();
