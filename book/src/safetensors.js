// A safetensors file read in the browser, for the pages that run the
// book's models (draw-a-digit, write-with-the-model): 8 bytes giving the
// length of a JSON header, the header (each tensor's dtype, shape and byte
// range, and the file's metadata), then the numbers, little-endian.
'use strict';

window.nnfsSafetensors = {
  /** The file's metadata, and `tensor(name, shape)`: that tensor's f32
   *  numbers, checked against the shape. Anything wrong is thrown as
   *  "the model file is not usable: …". */
  read(bytes) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const fail = (why) => { throw new Error(`the model file is not usable: ${why}`); };
    if (bytes.length < 8) fail('shorter than 8 bytes');
    const n = Number(view.getBigUint64(0, true)); // the header's length
    if (8 + n > bytes.length) fail('its header runs past its end');
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    const tensor = (name, shape) => {
      const t = header[name];
      if (!t || t.dtype !== 'F32' || t.shape.join() !== shape.join()) fail(`${name} is not F32 [${shape}]`);
      const [start, end] = t.data_offsets;
      if (8 + n + end > bytes.length || end - start !== 4 * shape.reduce((a, b) => a * b)) fail(`${name} is cut short`);
      const values = new Float32Array((end - start) / 4);
      for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(8 + n + start + 4 * i, true);
      return values;
    };
    return { meta: header.__metadata__ ?? {}, tensor, fail };
  },
};
