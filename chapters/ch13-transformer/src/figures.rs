//! The chapter's figures, drawn from the narrated run's models and
//! numbers.

use std::path::{Path, PathBuf};

use ch12_sequences::figures::validation_curves;
use ch12_sequences::train::Record;
use ndarray::Array2;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use shared::figures::{
    DrawResult, heat_color, label_style, title_style, write_with,
};

/// One run's rounds, under its name in the legend.
pub type Run = (String, Vec<Record>);

/// A panel of runs, under its title.
pub type Panel = (String, Vec<Run>);

/// What the narrated run hands the figures.
#[derive(Default)]
pub struct Drawn {
    /// The attention weights of each head of one layer over a line of
    /// text, P[key, query], and the line's characters.
    pub attention: Option<(usize, Vec<Array2<f64>>, Vec<char>)>,
    /// The learned position embeddings (d, T).
    pub positions: Option<Array2<f64>>,
    /// Each run's rounds, by panel: (panel title, [(name, rounds)]).
    pub histories: Vec<Panel>,
}

/// Writes every figure the run has numbers for; returns the paths.
#[allow(
    clippy::redundant_closure,
    reason = "write_with needs a closure generic over the backend's lifetime"
)]
pub fn write_all(
    dir: &Path,
    drawn: &Drawn,
) -> Result<Vec<PathBuf>, shared::Error> {
    let mut written = Vec::new();
    if let Some((layer, heads, line)) = &drawn.attention {
        written.push(write_with(dir, "ch13-attention", (960, 1000), |a| {
            attention(a, *layer, heads, line)
        })?);
    }
    if let Some(wpe) = &drawn.positions {
        written.push(write_with(dir, "ch13-positions", (560, 580), |a| {
            positions(a, wpe)
        })?);
    }
    written.push(write_with(dir, "ch13-training", (960, 400), |a| {
        training(a, &drawn.histories)
    })?);
    Ok(written)
}

/// Each head's weights as a grid: row i is query i (the token looking),
/// column j the key it looks at; the future (j > i) is blank.
fn attention<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    layer: usize,
    heads: &[Array2<f64>],
    line: &[char],
) -> DrawResult<DB> {
    let (width, _) = area.dim_in_pixel();
    area.draw_text(
        &format!(
            "Where each character looks: block {} of the Shakespeare GPT, \
             its {} heads (row: the token looking; column: the one it \
             looks at)",
            layer + 1,
            heads.len()
        ),
        &title_style().pos(Pos::new(HPos::Center, VPos::Top)),
        (width as i32 / 2, 6),
    )?;
    let body = area.margin(34, 4, 4, 4);
    let panels = body.split_evenly((heads.len().div_ceil(2), 2));
    for (h, (panel, p)) in panels.iter().zip(heads).enumerate() {
        let t = p.nrows();
        let (w, hgt) = panel.dim_in_pixel();
        let cell = ((w.min(hgt) as i32 - 60) / t as i32).max(1);
        let (x0, y0) = (36, 48);
        let centre = label_style().pos(Pos::new(HPos::Center, VPos::Top));
        panel.draw_text(
            &format!("head {}", h + 1),
            &centre,
            (x0 + cell * t as i32 / 2, 4),
        )?;
        for i in 0..t {
            for j in 0..=i {
                let (x, y) = (x0 + j as i32 * cell, y0 + i as i32 * cell);
                panel.draw(&Rectangle::new(
                    [(x, y), (x + cell, y + cell)],
                    heat_color(p[[j, i]], 1.0).filled(),
                ))?;
            }
        }
        let small = label_style().pos(Pos::new(HPos::Center, VPos::Center));
        for (i, ch) in line.iter().enumerate() {
            let shown = match ch {
                ' ' => '·',
                '\n' => '¶',
                c => *c,
            };
            let middle = cell / 2 + i as i32 * cell;
            let shown = shown.to_string();
            panel.draw_text(&shown, &small, (x0 - 12, y0 + middle))?;
            panel.draw_text(&shown, &small, (x0 + middle, y0 - 12))?;
        }
    }
    Ok(())
}

/// The cosine similarity of every pair of learned position embeddings.
fn positions<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    wpe: &Array2<f64>,
) -> DrawResult<DB> {
    let norms = wpe.map_axis(ndarray::Axis(0), |c| c.dot(&c).sqrt().max(1e-12));
    let t = wpe.ncols();
    let (width, height) = area.dim_in_pixel();
    area.draw_text(
        "Learned positions: cosine similarity of positions i and j",
        &title_style().pos(Pos::new(HPos::Center, VPos::Top)),
        (width as i32 / 2, 6),
    )?;
    let cell = ((width.min(height) as i32 - 90) / t as i32).max(1);
    let (x0, y0) = (50, 60);
    for i in 0..t {
        for j in 0..t {
            let c = wpe.column(i).dot(&wpe.column(j)) / (norms[i] * norms[j]);
            let (x, y) = (x0 + j as i32 * cell, y0 + i as i32 * cell);
            area.draw(&Rectangle::new(
                [(x, y), (x + cell, y + cell)],
                heat_color(c, 1.0).filled(),
            ))?;
        }
    }
    let style = label_style().pos(Pos::new(HPos::Center, VPos::Center));
    for i in (0..t).step_by(8) {
        let middle = cell / 2 + i as i32 * cell;
        area.draw_text(&i.to_string(), &style, (x0 - 16, y0 + middle))?;
        area.draw_text(&i.to_string(), &style, (x0 + middle, y0 - 12))?;
    }
    let below = label_style().pos(Pos::new(HPos::Center, VPos::Top));
    let bottom = y0 + cell * t as i32 + 8;
    area.draw_text(
        "green: alike (1), white: unrelated (0), red: opposite (−1)",
        &below,
        (x0 + cell * t as i32 / 2, bottom),
    )?;
    Ok(())
}

/// The validation loss as each model trains, one panel per corpus
/// (chapter 12's chart, once per panel).
fn training<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panels: &[Panel],
) -> DrawResult<DB> {
    let areas = area.split_evenly((1, panels.len().max(1)));
    for (panel, (title, runs)) in areas.iter().zip(panels) {
        let axis = "validation loss (nats per character)";
        validation_curves(panel, (title, axis), runs)?;
    }
    Ok(())
}
