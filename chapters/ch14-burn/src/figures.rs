//! The chapter's figure, drawn from the run's own numbers.

use std::path::{Path, PathBuf};

use ch08_mnist::EpochRecord;
use ch12_sequences::train::Record;
use plotters::coord::Shift;
use plotters::prelude::*;
use shared::figures::{
    DrawResult, SERIES, label_style, legend, legend_mark, text_style,
    title_style, write_with,
};

/// Validation accuracy and training loss per epoch, chapter 8's code and
/// Burn side by side.
pub fn side_by_side<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    runs: &[(&str, &[EpochRecord])],
) -> DrawResult<DB> {
    let area = area.titled(
        "Chapter 8's network trained by our code and by Burn",
        title_style(),
    )?;
    let (left, right) = area.split_horizontally(450);
    let epochs = runs.iter().map(|(_, h)| h.len()).max().unwrap_or(1);
    let lowest = runs
        .iter()
        .flat_map(|(_, h)| h.iter().map(|r| 100.0 * r.validation_accuracy))
        .fold(100.0f64, f64::min);
    let floor = (lowest - 0.5).floor().min(97.0);
    let mut accuracy = ChartBuilder::on(&left)
        .caption("validation accuracy (%)", text_style(16.0))
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(44)
        .build_cartesian_2d(0..epochs + 1, floor..100.0)?;
    accuracy
        .configure_mesh()
        .light_line_style(WHITE)
        .x_desc("epoch")
        .label_style(label_style())
        .draw()?;
    let mut loss = ChartBuilder::on(&right)
        .caption("training loss (log scale)", text_style(16.0))
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(50)
        .build_cartesian_2d(0..epochs + 1, (0.003..1.0f64).log_scale())?;
    loss.configure_mesh()
        .light_line_style(WHITE)
        .x_desc("epoch")
        .label_style(label_style())
        .draw()?;
    for (i, (name, history)) in runs.iter().enumerate() {
        let color = SERIES[i % SERIES.len()];
        // The second run dashed on top of the first: where they agree,
        // both show.
        let width = if i == 0 { 4 } else { 2 };
        accuracy
            .draw_series(LineSeries::new(
                history
                    .iter()
                    .map(|r| (r.epoch, 100.0 * r.validation_accuracy)),
                color.stroke_width(width),
            ))?
            .label(*name)
            .legend(legend_mark(color, width));
        loss.draw_series(LineSeries::new(
            history.iter().map(|r| (r.epoch, r.train_loss.max(0.003))),
            color.stroke_width(width),
        ))?;
    }
    legend(&mut accuracy, SeriesLabelPosition::LowerRight)?;
    Ok(())
}

/// Writes `ch14-side-by-side.svg` into `dir`.
pub fn write_side_by_side(
    dir: &Path,
    runs: &[(&str, &[EpochRecord])],
) -> Result<PathBuf, shared::Error> {
    write_with(dir, "ch14-side-by-side", (900, 400), |area| {
        side_by_side(area, runs)
    })
}

/// Validation and training loss by step, chapter 13's GPT trained by
/// chapter 13's code and by Burn.
pub fn gpt_side_by_side<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    runs: &[(&str, &[Record])],
) -> DrawResult<DB> {
    let area = area.titled(
        "Chapter 13's GPT trained by our code and by Burn",
        title_style(),
    )?;
    let all = || runs.iter().flat_map(|(_, h)| h.iter());
    let steps = all().map(|r| r.steps).max().unwrap_or(1);
    let losses = || all().flat_map(|r| [r.train_loss, r.validation_loss]);
    let low = losses().fold(f64::INFINITY, f64::min);
    let high = losses().fold(0.0f64, f64::max);
    let mut chart = ChartBuilder::on(&area)
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(50)
        .build_cartesian_2d(0..steps, (low - 0.05)..(high + 0.05))?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .x_desc("step")
        .y_desc("loss (nats)")
        .label_style(label_style())
        .draw()?;
    for (i, (name, history)) in runs.iter().enumerate() {
        let color = SERIES[i % SERIES.len()];
        let width = if i == 0 { 4 } else { 2 };
        chart
            .draw_series(LineSeries::new(
                history.iter().map(|r| (r.steps, r.validation_loss)),
                color.stroke_width(width),
            ))?
            .label(format!("{name}, validation"))
            .legend(legend_mark(color, width));
        chart
            .draw_series(LineSeries::new(
                history.iter().map(|r| (r.steps, r.train_loss)),
                color.stroke_width(1),
            ))?
            .label(format!("{name}, training (the round's mean)"))
            .legend(legend_mark(color, 1));
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    Ok(())
}

/// Writes `ch14-gpt-side-by-side.svg` into `dir`.
pub fn write_gpt_side_by_side(
    dir: &Path,
    runs: &[(&str, &[Record])],
) -> Result<PathBuf, shared::Error> {
    write_with(dir, "ch14-gpt-side-by-side", (700, 420), |area| {
        gpt_side_by_side(area, runs)
    })
}
