//! Which ink is the digit: the ink's 8-connected pieces, found by
//! breadth-first search, without the page's edges, frames round the digit
//! and specks.
//!
//! Leaves out: how dark ink must be (`ink`) and what happens to the
//! digit's pixels next (`strokes`).

use std::collections::VecDeque;

use ndarray::{Array2, ArrayView2};

// ANCHOR: components
/// The digit's pixels: the ink's connected pieces, without the page's
/// edges and frames (pieces touching the image's border, or enclosing
/// another piece) and without specks (pieces under 5 % of the largest).
/// `None` if nothing is left.
pub fn digit_pixels(
    ink: ArrayView2<f32>,
    threshold: f32,
) -> Option<Array2<bool>> {
    let mask = ink.mapv(|v| v >= threshold);
    let (labels, pieces) = connected_pieces(mask.view());
    let inside: Vec<&Piece> =
        pieces.iter().filter(|p| !p.touches_border).collect();
    // A digit drawn to the very edge: then the border pieces are all there is.
    let mut kept: Vec<&Piece> = if inside.is_empty() {
        pieces.iter().collect()
    } else {
        inside
    };
    let encloses = |a: &Piece, b: &Piece| {
        a.top < b.top
            && a.left < b.left
            && a.bottom > b.bottom
            && a.right > b.right
    };
    let frames: Vec<usize> = kept
        .iter()
        .filter(|a| {
            kept.iter().any(|b| b.size * 20 >= a.size && encloses(a, b))
        })
        .map(|p| p.label)
        .collect();
    kept.retain(|p| !frames.contains(&p.label));
    let largest = kept.iter().map(|p| p.size).max()?;
    kept.retain(|p| p.size * 20 >= largest);
    let keep: Vec<bool> = (0..=pieces.len())
        .map(|label| kept.iter().any(|p| p.label == label))
        .collect();
    Some(labels.mapv(|label| label > 0 && keep[label]))
}
// ANCHOR_END: components

/// One 8-connected piece of ink.
#[derive(Debug)]
struct Piece {
    label: usize,
    size: usize,
    top: usize,
    left: usize,
    bottom: usize,
    right: usize,
    touches_border: bool,
}

/// Labels the 8-connected pieces of `mask` (1, 2, …; 0 = no ink) by
/// breadth-first search, with each piece's size and bounding box.
fn connected_pieces(mask: ArrayView2<bool>) -> (Array2<usize>, Vec<Piece>) {
    let (h, w) = mask.dim();
    let mut labels = Array2::zeros((h, w));
    let mut pieces = Vec::new();
    let mut queue = VecDeque::new();
    for start in ndarray::indices((h, w)) {
        if !mask[start] || labels[start] != 0 {
            continue;
        }
        let label = pieces.len() + 1;
        let mut piece = Piece {
            label,
            size: 0,
            top: start.0,
            left: start.1,
            bottom: start.0,
            right: start.1,
            touches_border: false,
        };
        labels[start] = label;
        queue.push_back(start);
        while let Some((r, c)) = queue.pop_front() {
            piece.size += 1;
            piece.top = piece.top.min(r);
            piece.bottom = piece.bottom.max(r);
            piece.left = piece.left.min(c);
            piece.right = piece.right.max(c);
            piece.touches_border |=
                r == 0 || c == 0 || r == h - 1 || c == w - 1;
            for (dr, dc) in [
                (-1, -1),
                (-1, 0),
                (-1, 1),
                (0, -1),
                (0, 1),
                (1, -1),
                (1, 0),
                (1, 1),
            ] {
                let (nr, nc) = (r as isize + dr, c as isize + dc);
                if nr < 0 || nc < 0 || nr >= h as isize || nc >= w as isize {
                    continue;
                }
                let next = (nr as usize, nc as usize);
                if mask[next] && labels[next] == 0 {
                    labels[next] = label;
                    queue.push_back(next);
                }
            }
        }
        pieces.push(piece);
    }
    (labels, pieces)
}
