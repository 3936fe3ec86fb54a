//! The chapter's figures, each a function generic over the plotters backend.

use plotters::coord::Shift;
use plotters::prelude::*;
use shared::figures::{
    DrawResult, SERIES, label_style, legend, legend_mark, text_style,
    title_style,
};

use crate::compare::{EPOCHS, N, update_frequencies};

shared::figure_list! {
    "ch07-update-frequencies", (900, 380) => frequencies;
}

/// Loss against epochs and against updates for batch sizes 1, 10, 200.
pub fn frequencies<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let curves = update_frequencies();
    let area = area.titled(
        "Online, minibatch and full-batch updates on XOR",
        title_style(),
    )?;
    let (left, right) = area.split_horizontally(450);
    let max_updates =
        curves.iter().map(|c| c.updates[EPOCHS]).max().unwrap_or(1);
    let label = |b: usize| match b {
        1 => "batch 1 (online)".to_string(),
        b if b == N => format!("batch {b} (full)"),
        b => format!("batch {b}"),
    };
    let mut by_epoch = ChartBuilder::on(&left)
        .caption("loss against epochs", text_style(16.0))
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(50)
        .build_cartesian_2d(0..EPOCHS, (0.01..1.0f64).log_scale())?;
    by_epoch
        .configure_mesh()
        .light_line_style(WHITE)
        .x_desc("epoch")
        .y_desc("average cross-entropy")
        .label_style(label_style())
        .draw()?;
    let mut by_update = ChartBuilder::on(&right)
        .caption("loss against updates", text_style(16.0))
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(50)
        .build_cartesian_2d(
            (1..max_updates).log_scale(),
            (0.01..1.0f64).log_scale(),
        )?;
    by_update
        .configure_mesh()
        .light_line_style(WHITE)
        .x_desc("updates (log)")
        .label_style(label_style())
        .draw()?;
    for (i, curve) in curves.iter().enumerate() {
        let color = SERIES[i];
        by_epoch
            .draw_series(LineSeries::new(
                curve.losses.iter().enumerate().map(|(e, &l)| (e, l)),
                color.stroke_width(2),
            ))?
            .label(label(curve.batch_size))
            .legend(legend_mark(color, 2));
        by_update.draw_series(LineSeries::new(
            curve
                .updates
                .iter()
                .zip(&curve.losses)
                .skip(1)
                .map(|(&u, &l)| (u, l)),
            color.stroke_width(2),
        ))?;
    }
    legend(&mut by_epoch, SeriesLabelPosition::LowerLeft)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_figure_renders() {
        shared::figures::assert_all_render(&all());
    }
}
