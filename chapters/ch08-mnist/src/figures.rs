//! The chapter's figures, drawn from saved runs: `cargo run --release -p
//! ch08-mnist -- figures` (into `target/figures/`; `--figures-dir
//! book/src/figures` redraws the book's) after training the default run
//! and the presets
//! (each run saves its model in `data/models/` and its history in
//! `data/runs/`). The drawing functions take their data as arguments, so
//! tests render them from small made-up data.

use std::path::Path;

use ndarray::{Array2, ArrayView2};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use shared::data::DataSet;
use shared::figures::{
    DrawResult, FRAME, SERIES, create_figures_dir, display_path, heat_color,
    heat_map, heat_map_scaled, label_style, legend, legend_mark, text_style,
    title_style, write_with,
};

use crate::Error;
use crate::runs::{history_path, model_path, read_history};
use crate::{EpochRecord, Mnist, Network, confusion_matrix, predict_all};

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
        .caption("validation accuracy (%)", text_style(16.0))
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
                history
                    .iter()
                    .map(|r| (r.epoch, 100.0 * r.validation_accuracy)),
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

/// A photo as `predict` might get one: a seven on a sheet lit from one
/// side, a dark desk at its edges, a box drawn round the digit, a speck of
/// dirt, sensor noise. Drawn here, so the figure needs no file.
pub fn photo_of_a_seven() -> Array2<f32> {
    let (h, w) = (300, 240);
    let mut rng = shared::rng::seeded(7);
    let on_sheet = |r: usize, c: usize| (14..286).contains(&r) && c < 222;
    let stroke = |r: usize, c: usize| {
        let (r, c) = (r as f32, c as f32);
        let bar = (88.0..100.0).contains(&r) && (70.0..170.0).contains(&c);
        // The slanted stem from (100, 168) down to (230, 110).
        let along = (r - 100.0) / 130.0;
        let stem = (0.0..=1.0).contains(&along)
            && (c - (168.0 - 58.0 * along)).abs() < 6.0;
        bar || stem
    };
    let frame = |r: usize, c: usize| {
        let inside = (60..262).contains(&r) && (44..196).contains(&c);
        let core = (63..259).contains(&r) && (47..193).contains(&c);
        inside && !core
    };
    let speck =
        |r: usize, c: usize| (150..155).contains(&r) && (205..210).contains(&c);
    Array2::from_shape_fn((h, w), |(r, c)| {
        let light = 0.5 + 0.45 * (c as f32 / w as f32);
        let paper = if on_sheet(r, c) { light } else { 0.12 };
        let dark = stroke(r, c) || frame(r, c) || speck(r, c);
        let v = if dark && on_sheet(r, c) { 0.08 } else { paper };
        let noise = 0.035 * shared::rng::standard_normal(&mut rng) as f32;
        (v + noise).clamp(0.0, 1.0)
    })
}

/// A grey image (1 = white) drawn as grey squares, shrunk to at most
/// `side` cells a side.
fn grey_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    grey: ArrayView2<f32>,
    title: &str,
    side: usize,
) -> DrawResult<DB> {
    let image = crate::photo::shrink_to(grey, side);
    let (rows, cols) = image.dim();
    let (width, height) = area.dim_in_pixel();
    let cell = ((width - 8) as usize / cols)
        .min((height - 34) as usize / rows)
        .max(1) as i32;
    let x0 = (width as i32 - cell * cols as i32) / 2;
    let y0 = 26;
    let style = label_style().pos(Pos::new(HPos::Center, VPos::Top));
    area.draw_text(title, &style, (width as i32 / 2, 4))?;
    for ((r, c), &v) in image.indexed_iter() {
        let g = (v.clamp(0.0, 1.0) * 255.0).round() as u8;
        let (x, y) = (x0 + c as i32 * cell, y0 + r as i32 * cell);
        area.draw(&Rectangle::new(
            [(x, y), (x + cell, y + cell)],
            RGBColor(g, g, g).filled(),
        ))?;
    }
    Ok(())
}

/// Figure 8.5: the steps of `predict`'s preprocessing on one photo.
pub fn preprocessing<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    photo: ArrayView2<f32>,
) -> DrawResult<DB> {
    use crate::photo::{otsu_threshold, shrink_to, to_mnist};
    let area = area.titled(
        "From a photo to the network's input, one step at a time",
        title_style(),
    )?;
    let stages = to_mnist(photo, std::path::Path::new("photo"))
        .expect("the figure's photo has a digit");
    let panels = area.split_evenly((1, 5));
    grey_panel(&panels[0], photo, "1. the photo", 72)?;
    let ink = shrink_to(stages.ink.view(), 72).mapv(f64::from);
    heat_map_scaled(
        &panels[1].margin(0, 0, 4, 4),
        ink.view(),
        "2. ink above the paper",
        0.6,
    )?;
    // Kept pieces green, dropped ones red.
    let threshold = otsu_threshold(stages.ink.view()).unwrap_or(1.0);
    let pieces = ndarray::Zip::from(&stages.ink)
        .and(&stages.digit)
        .map_collect(|&v, &kept| match (v >= threshold, kept) {
            (_, true) => 1.0f32,
            (true, false) => -1.0,
            _ => 0.0,
        });
    let pieces = shrink_to(pieces.view(), 72)
        .mapv(|v| f64::from(v.signum()) * f64::from(v.abs().min(1.0)).sqrt());
    heat_map_scaled(
        &panels[2].margin(0, 0, 4, 4),
        pieces.view(),
        "3. kept (green), dropped (red)",
        1.0,
    )?;
    let strokes = shrink_to(stages.strokes.view(), 72).mapv(f64::from);
    heat_map_scaled(
        &panels[3].margin(0, 0, 4, 4),
        strokes.view(),
        "4. strokes at MNIST's width",
        1.0,
    )?;
    let mnist = stages.mnist.mapv(f64::from);
    heat_map_scaled(
        &panels[4].margin(0, 0, 4, 4),
        mnist.view(),
        "5. 20×20, centred: 28×28",
        1.0,
    )?;
    Ok(())
}

/// Draws every figure from the saved runs and models, and MNIST's test
/// set, into `dir`.
pub fn write_all(dir: &Path) -> Result<(), Error> {
    let mut runs = Vec::new();
    for name in ["default", "3b1b", "nielsen"] {
        runs.push((name, read_history(&history_path(name))?));
    }
    let mnist = Mnist::load(DataSet::Mnist)?;
    let (x_test, labels_test) = (&mnist.x_test, &mnist.labels_test);
    let net: Network<f32> = crate::model::load(&model_path("default"))?;
    let predictions = predict_all(&net, x_test.view());
    let counts = confusion_matrix(&predictions, labels_test);
    let mistakes: Vec<(Array2<f64>, u8, u8)> = predictions
        .iter()
        .zip(labels_test)
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
    let photo = photo_of_a_seven();
    create_figures_dir(dir)?;
    let written = [
        write_with(dir, "ch08-preprocessing", (1000, 300), |a| {
            preprocessing(a, photo.view())
        })?,
        write_with(dir, "ch08-training-curves", (900, 380), |a| {
            training_curves(a, &runs)
        })?,
        write_with(dir, "ch08-confusion", (560, 560), |a| {
            confusion(a, &counts)
        })?,
        write_with(dir, "ch08-misclassified", (900, 400), |a| {
            misclassified(a, &mistakes)
        })?,
        write_with(dir, "ch08-first-layer", (600, 700), |a| {
            first_layer(a, w1.view())
        })?,
    ];
    for path in written {
        shared::say!("wrote {}", display_path(&path));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Activation, Init};
    use shared::figures::render_with;

    #[test]
    fn every_figure_renders_from_made_up_data() {
        let history: Vec<EpochRecord> = (1..=5)
            .map(|e| EpochRecord {
                epoch: e,
                train_loss: 0.5 / e as f64,
                validation_accuracy: 0.9 + 0.01 * e as f64,
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
            render_with("steps", (1000, 300), |a| {
                preprocessing(a, photo_of_a_seven().view())
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
