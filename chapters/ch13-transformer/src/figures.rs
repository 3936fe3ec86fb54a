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
    DrawResult, SERIES, heat_color, label_style, legend, legend_dot,
    legend_mark, title_style, write_with,
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
    /// The cosine of ∂C/∂x⁽ˡ⁾ with the gradient at the top of a deep
    /// stack, block by block down, with and without residual connections.
    pub highway: Vec<(String, Vec<f64>)>,
    /// Each token's (mean, spread) entering a LayerNorm and leaving it.
    pub spread: Option<[Vec<(f64, f64)>; 2]>,
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
    if !drawn.highway.is_empty() {
        written.push(write_with(dir, "ch13-highway", (720, 420), |a| {
            highway(a, &drawn.highway)
        })?);
    }
    if let Some(spread) = &drawn.spread {
        written.push(write_with(dir, "ch13-layer-norm", (640, 460), |a| {
            layer_norm_spread(a, spread)
        })?);
    }
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

/// Each token as a point (mean, spread) of its d numbers, entering a
/// LayerNorm and leaving it.
fn layer_norm_spread<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    [before, after]: &[Vec<(f64, f64)>; 2],
) -> DrawResult<DB> {
    let all = || before.iter().chain(after);
    let (x0, x1) =
        all().fold((0.0f64, 0.0f64), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let y1 = all().fold(0.0f64, |b, p| b.max(p.1));
    let pad = 0.1 * (x1 - x0).max(0.1);
    let mut chart = ChartBuilder::on(area)
        .caption("What LayerNorm does to each token's numbers", title_style())
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(50)
        .build_cartesian_2d(x0 - pad..x1 + pad, 0.0..y1 * 1.15)?;
    chart
        .configure_mesh()
        .x_desc("the token's mean (over its d numbers)")
        .y_desc("the token's standard deviation")
        .label_style(label_style())
        .draw()?;
    let series = [
        ("entering LN₁ (the residual stream)", before, SERIES[0]),
        ("after LN₁ (γ ⊙ x̂ + β)", after, SERIES[1]),
    ];
    for (name, points, colour) in series {
        chart
            .draw_series(points.iter().map(|&(m, s)| {
                Circle::new((m, s), 2, colour.mix(0.5).filled())
            }))?
            .label(name)
            .legend(legend_dot(colour));
    }
    legend(&mut chart, SeriesLabelPosition::LowerRight)
}

/// The cosine of the gradient with the top's, block by block down.
fn highway<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    curves: &[(String, Vec<f64>)],
) -> DrawResult<DB> {
    let len = curves.iter().map(|(_, c)| c.len()).max().unwrap_or(1);
    let mut chart = ChartBuilder::on(area)
        .caption(
            "How much of the top's gradient reaches each block",
            title_style(),
        )
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(50)
        .build_cartesian_2d(0..len - 1, -0.2..1.05)?;
    chart
        .configure_mesh()
        .x_desc("blocks down from the top")
        .y_desc("cosine of ∂C/∂x with the top's")
        .label_style(label_style())
        .draw()?;
    for (i, (name, curve)) in curves.iter().enumerate() {
        let colour = SERIES[i % SERIES.len()];
        chart
            .draw_series(LineSeries::new(
                curve.iter().copied().enumerate(),
                colour.stroke_width(2),
            ))?
            .label(name.as_str())
            .legend(legend_mark(colour, 2));
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)
}
