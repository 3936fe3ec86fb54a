#!/usr/bin/env bash
# Builds the book so that it reads with no network: fetches the KaTeX
# stylesheet and fonts (the version mdbook-katex renders with) into
# book/src/katex/ when they are missing, wraps the draw-a-digit page's
# model and the write-with-the-model page's models for reading offline,
# then runs `mdbook build`.
# The output is book/book/index.html.
set -euo pipefail
cd "$(dirname "$0")"

KATEX_VERSION=0.16.4 # the KaTeX that mdbook-katex 0.10.0 renders with
if [ ! -s src/katex/katex.min.css ]; then
    temp=$(mktemp -d)
    trap 'rm -rf "$temp"' EXIT
    (cd "$temp" && npm pack --silent "katex@$KATEX_VERSION" >/dev/null)
    tar -xzf "$temp"/katex-*.tgz -C "$temp"
    mkdir -p src/katex
    cp "$temp/package/dist/katex.min.css" src/katex/
    cp -r "$temp/package/dist/fonts" src/katex/
    echo "fetched KaTeX $KATEX_VERSION stylesheet and fonts into book/src/katex/"
fi
# The draw-a-digit page's model, chapter 8's safetensors file, as base64
# in a script: a page opened from a file:// URL may not fetch() files.
model=src/draw/model.safetensors
if [ ! -s src/draw/model.js ] || [ "$model" -nt src/draw/model.js ]; then
    printf 'window.NNFS_DRAW_MODEL = "%s";\n' "$(base64 -w0 "$model")" \
        >src/draw/model.js
fi
# The write-with-the-model page's models, chapter 13's safetensors files:
# one script each (loaded when the reader picks the model), and a list.
manifest=src/write/models.js
mkdir -p src/write/models
printf 'window.NNFS_WRITE_MANIFEST = [\n' >"$manifest.tmp"
for model in src/write/*.safetensors; do
    [ -e "$model" ] || continue
    name=$(basename "$model" .safetensors)
    script=src/write/models/$name.js
    if [ ! -s "$script" ] || [ "$model" -nt "$script" ]; then
        printf '(window.NNFS_WRITE_MODELS ??= {})["%s"] = "%s";\n' \
            "$name" "$(base64 -w0 "$model")" >"$script"
    fi
    printf '  { name: "%s", bytes: %s },\n' "$name" "$(stat -c %s "$model")" \
        >>"$manifest.tmp"
done
printf '];\n' >>"$manifest.tmp"
mv "$manifest.tmp" "$manifest"
mdbook build
