//! Byte-pair encoding (Gage 1994; Sennrich et al. 2016), on characters:
//! start from the corpus's symbols, then again and again make the most
//! frequent adjacent pair of tokens in the training text one new token.
//!
//! Tokens 0 … V − 1 are the symbols; merge i makes token V + i.

// ANCHOR: count_pairs
/// How often each adjacent pair of tokens occurs, as a dense table
/// (`size` × `size`, row the left token): the most frequent one, if any
/// occurs at least twice (ties go to the smallest pair, so the result is
/// the same on every machine).
pub fn most_frequent_pair(
    tokens: &[usize],
    size: usize,
) -> Option<(usize, usize)> {
    let mut counts = vec![0u32; size * size];
    for pair in tokens.windows(2) {
        counts[pair[0] * size + pair[1]] += 1;
    }
    let (best, &count) = counts
        .iter()
        .enumerate()
        .max_by(|(i, a), (j, b)| a.cmp(b).then(j.cmp(i)))?;
    (count >= 2).then_some((best / size, best % size))
}
// ANCHOR_END: count_pairs

// ANCHOR: merge
/// Replaces every occurrence of `pair`, left to right and without
/// overlaps, by the token `new`.
pub fn merge(tokens: &[usize], pair: (usize, usize), new: usize) -> Vec<usize> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        if i + 1 < tokens.len() && (tokens[i], tokens[i + 1]) == pair {
            out.push(new);
            i += 2;
        } else {
            out.push(tokens[i]);
            i += 1;
        }
    }
    out
}

/// Learns up to `merges` merges on a stream of symbols from a vocabulary
/// of `symbols`: each the most frequent pair of the text merged so far.
/// Stops early when no pair occurs twice.
pub fn learn(
    stream: &[usize],
    symbols: usize,
    merges: usize,
) -> Vec<(usize, usize)> {
    let mut tokens = stream.to_vec();
    let mut rules = Vec::new();
    for new in symbols..symbols + merges {
        let Some(pair) = most_frequent_pair(&tokens, new) else {
            break;
        };
        tokens = merge(&tokens, pair, new);
        rules.push(pair);
    }
    rules
}
// ANCHOR_END: merge

// ANCHOR: encode
/// Encodes a stream of symbols with learned merges, applied in the
/// order they were learned.
pub fn encode(
    stream: &[usize],
    symbols: usize,
    rules: &[(usize, usize)],
) -> Vec<usize> {
    let mut tokens = stream.to_vec();
    for (i, &pair) in rules.iter().enumerate() {
        tokens = merge(&tokens, pair, symbols + i);
    }
    tokens
}

/// The symbols a token stands for: a merged token is its pair, each
/// expanded in turn.
pub fn decode(
    tokens: &[usize],
    symbols: usize,
    rules: &[(usize, usize)],
) -> Vec<usize> {
    let mut out = Vec::new();
    let mut stack: Vec<usize> = tokens.iter().rev().copied().collect();
    while let Some(t) = stack.pop() {
        match t.checked_sub(symbols) {
            Some(i) => stack.extend([rules[i].1, rules[i].0]),
            None => out.push(t),
        }
    }
    out
}
// ANCHOR_END: encode
