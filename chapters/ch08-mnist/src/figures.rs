//! The chapter's figures, drawn from saved runs: `cargo run --release -p
//! ch08-mnist -- figures` after training the default run and the presets
//! (each run saves its model in `data/models/` and its history in
//! `data/runs/`). The drawing functions take their data as arguments, so
//! tests render them from small made-up data.

use ndarray::{Array2, ArrayView2};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use shared::data::{DataSet, load};
use shared::figures::{
    DrawResult, FRAME, SERIES, book_figures_dir, display_path, heat_color,
    heat_map, heat_map_scaled, label_style, legend, legend_mark, render_with,
    text_style, title_style,
};

use crate::Error;
use crate::runs::{history_path, model_path, read_history};
use crate::{
    EpochRecord, Network, confusion_matrix, images_to_matrix, predict_all,
};

/// Test accuracy and training loss per epoch for each run.
pub fn training_curves<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    runs: &[(&str, Vec<EpochRecord>)],
) -> DrawResult<DB> {
    let area = area.titled(
        "Training on MNIST: the default run and the published presets",
        title_style(),
    )?;
    let (left, right) = area.split_horizontally(450);
    let epochs = runs.iter().map(|(_, h)| h.len()).max().unwrap_or(1);
    let mut accuracy = ChartBuilder::on(&left)
        .caption("test accuracy (%)", text_style(16.0))
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(44)
        .build_cartesian_2d(0..epochs + 1, 85.0..100.0)?;
    accuracy
        .configure_mesh()
        .light_line_style(WHITE)
        .x_desc("epoch")
        .label_style(label_style())
        .draw()?;
    let mut loss = ChartBuilder::on(&right)
        .caption("training loss (own cost, log scale)", text_style(16.0))
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
        accuracy
            .draw_series(LineSeries::new(
                history.iter().map(|r| (r.epoch, 100.0 * r.test_accuracy)),
                color.stroke_width(2),
            ))?
            .label(*name)
            .legend(legend_mark(color, 2));
        loss.draw_series(LineSeries::new(
            history.iter().map(|r| (r.epoch, r.train_loss.max(0.003))),
            color.stroke_width(2),
        ))?;
    }
    legend(&mut accuracy, SeriesLabelPosition::LowerRight)?;
    Ok(())
}

/// counts[true][predicted] as a grid: the diagonal green, mistakes red
/// (darker for more), each cell labelled with its count.
pub fn confusion<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    counts: &[[usize; 10]; 10],
) -> DrawResult<DB> {
    let area = area
        .titled("Confusion matrix on the 10,000 test images", title_style())?;
    let (width, height) = area.dim_in_pixel();
    let cell = ((width.min(height) as i32) - 70) / 10;
    let (x0, y0) = (50, 10);
    let worst = counts
        .iter()
        .enumerate()
        .flat_map(|(t, row)| {
            row.iter()
                .enumerate()
                .filter(move |(p, _)| *p != t)
                .map(|(_, &c)| c)
        })
        .max()
        .unwrap_or(1)
        .max(1);
    let centre = Pos::new(HPos::Center, VPos::Center);
    for (t, row) in counts.iter().enumerate() {
        for (p, &count) in row.iter().enumerate() {
            let (x, y) = (x0 + p as i32 * cell, y0 + t as i32 * cell);
            let color = if p == t {
                heat_color(0.6, 1.0)
            } else {
                heat_color(-(count as f64) / worst as f64, 1.0)
            };
            area.draw(&Rectangle::new(
                [(x, y), (x + cell, y + cell)],
                color.filled(),
            ))?;
            area.draw(&Rectangle::new([(x, y), (x + cell, y + cell)], FRAME))?;
            if count > 0 {
                area.draw_text(
                    &count.to_string(),
                    &text_style(12.0).pos(centre),
                    (x + cell / 2, y + cell / 2),
                )?;
            }
        }
    }
    for d in 0..10 {
        let middle = d * cell + cell / 2;
        area.draw_text(
            &d.to_string(),
            &label_style().pos(centre),
            (x0 + middle, y0 + 10 * cell + 12),
        )?;
        area.draw_text(
            &d.to_string(),
            &label_style().pos(centre),
            (x0 - 14, y0 + middle),
        )?;
    }
    area.draw_text(
        "predicted digit →",
        &label_style().pos(Pos::new(HPos::Center, VPos::Top)),
        (x0 + 5 * cell, y0 + 10 * cell + 26),
    )?;
    area.draw_text(
        "true ↓",
        &label_style().pos(Pos::new(HPos::Right, VPos::Bottom)),
        (x0 - 4, y0 - 1),
    )?;
    Ok(())
}

/// A gallery of misclassified digits: (image (28, 28), true, predicted).
pub fn misclassified<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    mistakes: &[(Array2<f64>, u8, u8)],
) -> DrawResult<DB> {
    let area = area.titled(
        "Test digits the default network gets wrong (true → predicted)",
        title_style(),
    )?;
    for (panel, (image, truth, guess)) in
        area.split_evenly((3, 8)).iter().zip(mistakes)
    {
        heat_map_scaled(
            &panel.margin(2, 2, 2, 2),
            image.view(),
            &format!("{truth} → {guess}"),
            1.0,
        )?;
    }
    Ok(())
}

/// The first layer's 16 weight patterns of a 784-16-… network.
pub fn first_layer<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    w: ArrayView2<f32>, // (16, 784)
) -> DrawResult<DB> {
    let area = area.titled(
        "784-16-16-10 after training: first-layer weights",
        title_style(),
    )?;
    for (j, panel) in
        area.split_evenly((4, 4)).iter().enumerate().take(w.nrows())
    {
        let pattern = Array2::from_shape_fn((28, 28), |(r, c)| {
            f64::from(w[(j, r * 28 + c)])
        });
        heat_map(
            &panel.margin(4, 4, 4, 4),
            pattern.view(),
            &format!("neuron {}", j + 1),
        )?;
    }
    Ok(())
}

/// Draws every figure from the saved runs and models, and MNIST's test set.
pub fn write_all() -> Result<(), Error> {
    let dir = book_figures_dir();
    let mut runs = Vec::new();
    for name in ["default", "3b1b", "nielsen"] {
        runs.push((name, read_history(&history_path(name))?));
    }
    let (_, test) = load(DataSet::Mnist, &mut |line| eprintln!("{line}"))?;
    let x_test = images_to_matrix::<f32>(&test.images);
    let net: Network<f32> = crate::model::load(&model_path("default"))?;
    let predictions = predict_all(&net, x_test.view());
    let counts = confusion_matrix(&predictions, &test.labels);
    let mistakes: Vec<(Array2<f64>, u8, u8)> = predictions
        .iter()
        .zip(&test.labels)
        .enumerate()
        .filter(|(_, (p, l))| p != l)
        .take(24)
        .map(|(k, (&p, &l))| {
            let image = Array2::from_shape_fn((28, 28), |(r, c)| {
                f64::from(x_test[(r * 28 + c, k)])
            });
            (image, l, p)
        })
        .collect();
    let small: Network<f32> = crate::model::load(&model_path("3b1b"))?;
    let w1 = small.layers[0].w.clone();
    let figures = [
        (
            "ch08-training-curves",
            render_with("ch08-training-curves", (900, 380), |a| {
                training_curves(a, &runs)
            })?,
        ),
        (
            "ch08-confusion",
            render_with("ch08-confusion", (560, 560), |a| {
                confusion(a, &counts)
            })?,
        ),
        (
            "ch08-misclassified",
            render_with("ch08-misclassified", (900, 400), |a| {
                misclassified(a, &mistakes)
            })?,
        ),
        (
            "ch08-first-layer",
            render_with("ch08-first-layer", (600, 700), |a| {
                first_layer(a, w1.view())
            })?,
        ),
    ];
    for (name, svg) in figures {
        let path = dir.join(format!("{name}.svg"));
        shared::files::write_atomically(&path, svg.as_bytes())?;
        println!("wrote {}", display_path(&path));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Activation, Init};

    #[test]
    fn every_figure_renders_from_made_up_data() {
        let history: Vec<EpochRecord> = (1..=5)
            .map(|e| EpochRecord {
                epoch: e,
                train_loss: 0.5 / e as f64,
                test_accuracy: 0.9 + 0.01 * e as f64,
                seconds: e as f64,
            })
            .collect();
        let runs = [("a", history.clone()), ("b", history)];
        let mut counts = [[3; 10]; 10];
        for (d, row) in counts.iter_mut().enumerate() {
            row[d] = 900;
        }
        let mistakes: Vec<(Array2<f64>, u8, u8)> = (0..24)
            .map(|k| (Array2::from_elem((28, 28), k as f64 / 24.0), 4, 9))
            .collect();
        let net = Network::<f32>::new(
            &[784, 16, 16, 10],
            Activation::Sigmoid,
            Activation::Sigmoid,
            Init::Scaled,
            &mut shared::rng::seeded(1),
        )
        .unwrap();
        let svgs = [
            render_with("curves", (900, 380), |a| training_curves(a, &runs))
                .unwrap(),
            render_with("confusion", (560, 560), |a| confusion(a, &counts))
                .unwrap(),
            render_with("mistakes", (900, 400), |a| {
                misclassified(a, &mistakes)
            })
            .unwrap(),
            render_with("first", (600, 700), |a| {
                first_layer(a, net.layers[0].w.view())
            })
            .unwrap(),
        ];
        for svg in svgs {
            assert!(svg.len() > 1000);
        }
        assert!(svgs_contain(
            &render_with("c", (560, 560), |a| confusion(a, &counts)).unwrap(),
            "900"
        ));
    }

    fn svgs_contain(svg: &str, text: &str) -> bool {
        svg.contains(text)
    }
}
