#!/usr/bin/env bash
# Builds the book so that it reads with no network: fetches the KaTeX
# stylesheet and fonts (the version mdbook-katex renders with) into
# book/src/katex/ when they are missing, wraps the draw-a-digit page's
# model for reading offline, then runs `mdbook build`.
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
mdbook build
