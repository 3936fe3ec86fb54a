//! The chapter's figures, drawn from the narrated run's numbers.

use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use shared::figures::{
    DrawResult, SERIES, heat_color, label_style, legend, legend_mark,
    text_style, title_style, write_with,
};

use crate::corpus::Vocab;
use crate::train::Record;

/// What the narrated run hands the figures.
#[derive(Default)]
pub struct Drawn {
    /// The bigram counts of the names, N[next, previous].
    pub counts: Option<Array2<f64>>,
    /// The MLP's embedding table (d, V) and its vocabulary.
    pub embeddings: Option<(Array2<f64>, Vocab)>,
    /// ‖∂C/∂hₜ‖ by distance, per model.
    pub through_time: Vec<(String, Vec<f64>)>,
    /// Each Shakespeare model's rounds.
    pub histories: Vec<(String, Vec<Record>)>,
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
    if let (Some(counts), Some((_, vocab))) = (&drawn.counts, &drawn.embeddings)
    {
        written.push(write_with(dir, "ch12-bigram-counts", (720, 760), |a| {
            counts_map(a, counts, vocab)
        })?);
    }
    if let Some((c, vocab)) = &drawn.embeddings {
        written.push(write_with(dir, "ch12-embeddings", (640, 520), |a| {
            embeddings(a, c, vocab)
        })?);
    }
    written.push(write_with(
        dir,
        "ch12-gradient-through-time",
        (720, 420),
        |a| through_time(a, &drawn.through_time),
    )?);
    written.push(write_with(dir, "ch12-training", (720, 420), |a| {
        training(a, &drawn.histories)
    })?);
    Ok(written)
}

/// The count matrix as a heat map: ln(1 + N), column = the character
/// read, row = the one that follows.
fn counts_map<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    counts: &Array2<f64>,
    vocab: &Vocab,
) -> DrawResult<DB> {
    let v = counts.nrows();
    let logs = counts.mapv(|n| (1.0 + n).ln());
    let scale = logs.iter().copied().fold(0.0, f64::max).max(1e-9);
    let (width, height) = area.dim_in_pixel();
    let cell = ((width.min(height) as i32 - 90) / v as i32).max(2);
    let (x0, y0) = (60, 70);
    area.draw_text(
        "Which character follows which (names, training set; colour ln(1 + count))",
        &title_style().pos(Pos::new(HPos::Center, VPos::Top)),
        (width as i32 / 2, 8),
    )?;
    for ((row, col), &value) in logs.indexed_iter() {
        let (x, y) = (x0 + col as i32 * cell, y0 + row as i32 * cell);
        area.draw(&Rectangle::new(
            [(x, y), (x + cell, y + cell)],
            heat_color(value, scale).filled(),
        ))?;
    }
    let centre = label_style().pos(Pos::new(HPos::Center, VPos::Center));
    for i in 0..v {
        let symbol = vocab.symbol(i).to_string();
        let middle = cell / 2 + i as i32 * cell;
        area.draw_text(&symbol, &centre, (x0 + middle, y0 - 10))?;
        area.draw_text(&symbol, &centre, (x0 - 12, y0 + middle))?;
    }
    let below = label_style().pos(Pos::new(HPos::Center, VPos::Top));
    area.draw_text("read (column)", &below, (x0 + cell * v as i32 / 2, 36))?;
    area.draw_text(
        "next (row)",
        &label_style().pos(Pos::new(HPos::Left, VPos::Top)),
        (4, 40),
    )?;
    Ok(())
}

/// The two directions along which the columns of c vary most (principal
/// components, by power iteration on the covariance).
fn principal_plane(c: &Array2<f64>) -> (Array1<f64>, Array1<f64>) {
    let mean = c.mean_axis(ndarray::Axis(1)).expect("columns");
    let centred = c - &mean.insert_axis(ndarray::Axis(1));
    let covariance = centred.dot(&centred.t());
    let top = |m: &Array2<f64>| {
        let mut v = Array1::from_elem(m.nrows(), 1.0);
        for _ in 0..500 {
            let next = m.dot(&v);
            let norm = next.dot(&next).sqrt().max(1e-300);
            v = next / norm;
        }
        v
    };
    let first = top(&covariance);
    let lambda = first.dot(&covariance.dot(&first));
    let outer = first
        .view()
        .insert_axis(ndarray::Axis(1))
        .dot(&first.view().insert_axis(ndarray::Axis(0)));
    let second = top(&(&covariance - &(outer * lambda)));
    (first, second)
}

/// Each character's embedding, projected on its two principal
/// directions.
fn embeddings<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    c: &Array2<f64>,
    vocab: &Vocab,
) -> DrawResult<DB> {
    let (u, w) = principal_plane(c);
    let points: Vec<(f64, f64, char)> = (0..c.ncols())
        .map(|j| (u.dot(&c.column(j)), w.dot(&c.column(j)), vocab.symbol(j)))
        .collect();
    let range = |f: fn(&(f64, f64, char)) -> f64| {
        let (lo, hi) = points
            .iter()
            .map(f)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        let pad = 0.08 * (hi - lo).max(1e-9);
        (lo - pad)..(hi + pad)
    };
    let mut chart = ChartBuilder::on(area)
        .caption(
            "The MLP's character embeddings (names), two principal directions",
            title_style(),
        )
        .margin(12)
        .x_label_area_size(30)
        .y_label_area_size(40)
        .build_cartesian_2d(range(|p| p.0), range(|p| p.1))?;
    chart
        .configure_mesh()
        .x_desc("first direction")
        .y_desc("second")
        .label_style(label_style())
        .draw()?;
    let vowel = |ch: char| "aeiouy".contains(ch);
    chart.draw_series(points.iter().map(|&(x, y, ch)| {
        let colour = if vowel(ch) { &SERIES[1] } else { &SERIES[0] };
        let style = text_style(20.0).color(colour);
        Text::new(
            ch.to_string(),
            (x, y),
            style.pos(Pos::new(HPos::Center, VPos::Center)),
        )
    }))?;
    Ok(())
}

/// ‖∂C/∂hₜ‖ against the distance back in time, log scale.
fn through_time<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    curves: &[(String, Vec<f64>)],
) -> DrawResult<DB> {
    let values = curves
        .iter()
        .flat_map(|(_, c)| c.iter().copied())
        .filter(|v| *v > 0.0);
    let (lo, hi) =
        values.fold((f64::INFINITY, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    let (lo, hi) = if lo.is_finite() {
        (lo / 2.0, hi * 2.0)
    } else {
        (1e-6, 1.0)
    };
    let len = curves.iter().map(|(_, c)| c.len()).max().unwrap_or(1);
    let mut chart = ChartBuilder::on(area)
        .caption(
            "How far back the gradient reaches (Shakespeare, 64 steps)",
            title_style(),
        )
        .margin(12)
        .x_label_area_size(34)
        .y_label_area_size(60)
        .build_cartesian_2d(0..len, (lo..hi).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("distance back from the last step, d")
        .y_desc("‖∂C/∂h‖ (mean over 32 windows)")
        .y_label_formatter(&|v| format!("{v:.0e}"))
        .label_style(label_style())
        .draw()?;
    for (i, (name, curve)) in curves.iter().enumerate() {
        let colour = SERIES[i % SERIES.len()];
        chart
            .draw_series(LineSeries::new(
                curve
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| **v > 0.0)
                    .map(|(d, &v)| (d, v)),
                colour.stroke_width(2),
            ))?
            .label(name.as_str())
            .legend(legend_mark(colour, 2));
    }
    legend(&mut chart, SeriesLabelPosition::LowerLeft)
}

/// The validation loss of each Shakespeare model as it trains.
fn training<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    histories: &[(String, Vec<Record>)],
) -> DrawResult<DB> {
    let title = "Validation loss while training (Shakespeare)";
    validation_curves(area, (title, "nats per character"), histories)
}

/// The validation loss of each named run as it trains, on one chart
/// under a title and with a label for the loss axis (chapter 13 draws its
/// panels with it too).
pub fn validation_curves<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (title, loss_label): (&str, &str),
    histories: &[(String, Vec<Record>)],
) -> DrawResult<DB> {
    let all = histories.iter().flat_map(|(_, h)| h.iter());
    let (lo, hi, steps) =
        all.fold((f64::INFINITY, 0.0f64, 1), |(a, b, s), r| {
            (
                a.min(r.validation_loss),
                b.max(r.validation_loss),
                s.max(r.steps),
            )
        });
    let (lo, hi) = if lo.is_finite() {
        (lo - 0.05, hi + 0.05)
    } else {
        (0.0, 1.0)
    };
    let mut chart = ChartBuilder::on(area)
        .caption(title, title_style())
        .margin(12)
        .x_label_area_size(34)
        .y_label_area_size(50)
        .build_cartesian_2d(0..steps, lo..hi)?;
    chart
        .configure_mesh()
        .x_desc("steps")
        .y_desc(loss_label)
        .label_style(label_style())
        .draw()?;
    for (i, (name, history)) in histories.iter().enumerate() {
        let colour = SERIES[i % SERIES.len()];
        chart
            .draw_series(LineSeries::new(
                history.iter().map(|r| (r.steps, r.validation_loss)),
                colour.stroke_width(2),
            ))?
            .label(name.as_str())
            .legend(legend_mark(colour, 2));
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)
}
