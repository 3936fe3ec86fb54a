//! The chapter's figures, drawn from the narrated run's results (so the
//! full run redraws every one). The drawing functions take their data as
//! arguments; the tests render them from small made-up data.

use std::path::{Path, PathBuf};

use ch05_gradient_descent::{START, bowl_gradient, gradient_descent};
use ch07_minibatches::{Activation, Init};
use ndarray::{Array2, ArrayView1};
use plotters::coord::Shift;
use plotters::prelude::*;
use shared::figures::{
    DrawResult, FRAME, SERIES, heat_map, heat_map_scaled, label_style, legend,
    legend_mark, text_style, title_style, write_with,
};
use shared::rng::seeded;

use crate::augment::{self, Augment};
use crate::inputs::Pca;
use crate::optim::{
    VALLEY_ADAM, VALLEY_ETA, VALLEY_MOMENTUM, VALLEY_STEPS, adam_path,
    momentum_path,
};
use crate::train::Record;
use crate::tune::Trial;
use crate::{Error, init};

/// What the narrated run measured, for the figures.
#[derive(Default)]
pub struct Results {
    /// The 1,000-image runs: no regularisation first, then each alone.
    pub small_runs: Vec<(String, Vec<Record>)>,
    /// Eight images (784, 8) raw, standardised, and ZCA-whitened.
    pub whitened: Vec<Array2<f64>>,
    /// The whitening runs: raw, standardised, whitened inputs.
    pub whitening_runs: Vec<(String, Vec<Record>)>,
    /// The mean training image (784).
    pub mean_image: Vec<f64>,
    /// The principal components.
    pub pca: Option<Pca>,
    /// Activation spread per layer for each (activation, init).
    pub spreads: Vec<(Activation, Init, Vec<f64>)>,
    /// Each search's trials and best-so-far curve.
    pub tuning: Vec<(String, Vec<Trial>, Vec<f64>)>,
    /// The ablation's runs.
    pub ablation: Vec<(String, Vec<Record>)>,
    /// A few training images (784, k), for the augmentation figure.
    pub examples: Array2<f32>,
    /// The curves of one epoch at three learning rates.
    pub diagnostics: Vec<crate::diagnose::Curve>,
}

/// A 784-long column as a 28×28 image.
fn square(column: ArrayView1<f64>) -> Array2<f64> {
    Array2::from_shape_fn((28, 28), |(r, c)| column[r * 28 + c])
}

/// Train and validation cost and accuracy per epoch on 1,000 images.
pub fn overfitting<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    runs: &[(String, Vec<Record>)],
) -> DrawResult<DB> {
    let area = area.titled(
        "784-100-10 on 1,000 training images: learning them, not digits",
        title_style(),
    )?;
    let (left, right) = area.split_horizontally(450);
    let history = &runs[0].1;
    let epochs = history.len();
    let top = history
        .iter()
        .map(|r| r.validation_loss.max(r.train_loss))
        .fold(0.0f64, f64::max)
        .max(0.1);
    let mut cost = ChartBuilder::on(&left)
        .caption("cost (cross-entropy)", text_style(16.0))
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(50)
        .build_cartesian_2d(0..epochs + 1, (1e-4..top * 1.5).log_scale())?;
    cost.configure_mesh()
        .light_line_style(WHITE)
        .x_desc("epoch")
        .label_style(label_style())
        .draw()?;
    let mut acc = ChartBuilder::on(&right)
        .caption("accuracy (%)", text_style(16.0))
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(44)
        .build_cartesian_2d(0..epochs + 1, 60.0..100.5)?;
    acc.configure_mesh()
        .light_line_style(WHITE)
        .x_desc("epoch")
        .label_style(label_style())
        .draw()?;
    let series = [("training", SERIES[0]), ("validation", SERIES[1])];
    for (i, (name, color)) in series.iter().enumerate() {
        let pick = |r: &Record| match i {
            0 => (r.train_loss, r.train_accuracy),
            _ => (r.validation_loss, r.validation_accuracy),
        };
        cost.draw_series(LineSeries::new(
            history.iter().map(|r| (r.epoch, pick(r).0.max(1e-4))),
            color.stroke_width(2),
        ))?
        .label(*name)
        .legend(legend_mark(*color, 2));
        acc.draw_series(LineSeries::new(
            history.iter().map(|r| (r.epoch, 100.0 * pick(r).1)),
            color.stroke_width(2),
        ))?;
    }
    legend(&mut cost, SeriesLabelPosition::LowerLeft)?;
    Ok(())
}

/// Validation accuracy per epoch of the 1,000-image runs, each
/// regulariser alone.
pub fn regularisers<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    runs: &[(String, Vec<Record>)],
) -> DrawResult<DB> {
    let epochs = runs.iter().map(|(_, h)| h.len()).max().unwrap_or(1);
    let mut chart = ChartBuilder::on(area)
        .caption(
            "The same 1,000 images, each regulariser alone: validation accuracy",
            text_style(18.0),
        )
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(44)
        .build_cartesian_2d(0..epochs + 1, 60.0..95.0)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .x_desc("epoch")
        .y_desc("validation accuracy (%)")
        .label_style(label_style())
        .draw()?;
    for (i, (name, history)) in runs.iter().enumerate() {
        let color = SERIES[i % SERIES.len()];
        chart
            .draw_series(LineSeries::new(
                history
                    .iter()
                    .map(|r| (r.epoch, 100.0 * r.validation_accuracy)),
                color.stroke_width(2),
            ))?
            .label(name.as_str())
            .legend(legend_mark(color, 2));
    }
    legend(&mut chart, SeriesLabelPosition::LowerRight)?;
    Ok(())
}

/// Reading the curves: the loss step by step (each the mean of the last
/// 50 minibatches) at three learning rates, and each layer's update-to-
/// weight ratio, with CS231n's 10⁻³ marked.
pub fn diagnostics<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    curves: &[crate::diagnose::Curve],
) -> DrawResult<DB> {
    use crate::diagnose::smoothed;
    let steps = curves.iter().map(|c| c.losses.len()).max().unwrap_or(1);
    let (left, right) = area.split_horizontally(450);
    let name = |c: &crate::diagnose::Curve| format!("η = {}", c.eta);
    let mut chart = ChartBuilder::on(&left)
        .caption(
            "Training loss (mean of the last 50 steps)",
            text_style(17.0),
        )
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(50)
        .build_cartesian_2d(0..steps, 0.0..3.5f64)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .x_desc("step (minibatches of 64)")
        .y_desc("cross-entropy")
        .label_style(label_style())
        .draw()?;
    for (i, c) in curves.iter().enumerate() {
        let color = SERIES[i % SERIES.len()];
        let points = smoothed(&c.losses, 50).into_iter().enumerate();
        chart
            .draw_series(LineSeries::new(
                points
                    .filter(|(_, v)| v.is_finite())
                    .map(|(i, v)| (i, v.min(3.5))),
                color.stroke_width(2),
            ))?
            .label(name(c))
            .legend(legend_mark(color, 2));
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    let mut chart = ChartBuilder::on(&right)
        .caption("Update-to-weight ratio ‖ΔW‖/‖W‖", text_style(17.0))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d(0..steps, (1e-8..1.0f64).log_scale())?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .x_desc("step (layer 1 solid, layer 2 dashed)")
        .y_desc("ratio")
        .y_label_formatter(&|v| format!("{v:.0e}"))
        .label_style(label_style())
        .draw()?;
    chart.draw_series(LineSeries::new(
        [(0, 1e-3), (steps, 1e-3)],
        BLACK.mix(0.5).stroke_width(1),
    ))?;
    chart.draw_series(std::iter::once(Text::new(
        "10⁻³",
        (steps * 4 / 5, 2e-3),
        label_style(),
    )))?;
    for (i, c) in curves.iter().enumerate() {
        let color = SERIES[i % SERIES.len()];
        for (l, ratios) in c.ratios.iter().enumerate() {
            let points = ratios
                .iter()
                .copied()
                .enumerate()
                .filter(|(_, v)| v.is_finite() && *v > 0.0);
            match l {
                0 => chart.draw_series(LineSeries::new(
                    points,
                    color.stroke_width(1),
                ))?,
                _ => chart.draw_series(DashedLineSeries::new(
                    points,
                    4,
                    3,
                    color.stroke_width(1),
                ))?,
            };
        }
    }
    Ok(())
}

/// One digit and its variants: shifts, rotations, elastic distortions.
pub fn augmented<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    image: ArrayView1<f32>, // (784,)
) -> DrawResult<DB> {
    let area = area.titled(
        "One training digit and variants made from it",
        title_style(),
    )?;
    let digit = image.to_shape((28, 28)).expect("784 pixels").to_owned();
    let mut rng = seeded(shared::rng::DEFAULT_SEED);
    let (alpha, sigma) = augment::ELASTIC;
    let mut panels: Vec<(Array2<f32>, String)> =
        vec![(digit.clone(), "original".to_string())];
    for (dx, dy) in [(2, 0), (-2, 1), (1, -2)] {
        panels.push((
            augment::shift(digit.view(), dx, dy),
            format!("shift ({dx}, {dy})"),
        ));
    }
    for degrees in [-10.0f32, 10.0] {
        panels.push((
            augment::rotate(digit.view(), degrees.to_radians()),
            format!("rotate {degrees}°"),
        ));
    }
    for _ in 0..4 {
        panels.push((
            augment::elastic(digit.view(), alpha, sigma, &mut rng),
            format!("elastic α={alpha}, σ={sigma}"),
        ));
    }
    let all = Augment {
        shift: true,
        rotate: true,
        elastic: true,
    };
    for _ in 0..2 {
        panels.push((all.apply(digit.view(), &mut rng), "all three".into()));
    }
    for (panel, (image, title)) in area.split_evenly((2, 6)).iter().zip(&panels)
    {
        heat_map_scaled(
            &panel.margin(2, 2, 2, 2),
            image.mapv(f64::from).view(),
            title,
            1.0,
        )?;
    }
    Ok(())
}

/// The mean image and the first 15 principal components as images.
pub fn eigen_digits<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    mean: &[f64],
    pca: &Pca,
) -> DrawResult<DB> {
    let area = area.titled(
        "The mean training image and the first 15 principal components",
        title_style(),
    )?;
    let explained = pca.explained();
    for (i, panel) in area.split_evenly((2, 8)).iter().enumerate() {
        let panel = panel.margin(3, 3, 3, 3);
        if i == 0 {
            let image = square(ArrayView1::from(mean));
            heat_map_scaled(&panel, image.view(), "mean", 1.0)?;
        } else if i <= pca.components.ncols() {
            let share =
                explained[i - 1] - if i > 1 { explained[i - 2] } else { 0.0 };
            let image = square(pca.components.column(i - 1));
            let title = format!("u{i}: {:.1} %", 100.0 * share);
            heat_map(&panel, image.view(), &title)?;
        }
    }
    Ok(())
}

/// The fraction of the variance the first k components explain.
pub fn variance_explained<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    pca: &Pca,
) -> DrawResult<DB> {
    let explained = pca.explained();
    let mut chart = ChartBuilder::on(area)
        .caption(
            "How much of MNIST's pixel variance the first k components hold",
            text_style(18.0),
        )
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(44)
        .build_cartesian_2d(0..explained.len() + 1, 0.0..100.0)?;
    chart
        .configure_mesh()
        .x_desc("components k")
        .y_desc("variance explained (%)")
        .label_style(label_style())
        .draw()?;
    chart.draw_series(LineSeries::new(
        explained
            .iter()
            .enumerate()
            .map(|(k, e)| (k + 1, 100.0 * e)),
        SERIES[0].stroke_width(2),
    ))?;
    for k in [10, 50, 100] {
        if let Some(e) = explained.get(k - 1) {
            chart.draw_series(std::iter::once(Circle::new(
                (k, 100.0 * e),
                4,
                SERIES[3].filled(),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                format!("{k}: {:.1} %", 100.0 * e),
                (k.saturating_sub(8), 100.0 * e - 7.0),
                text_style(13.0),
            )))?;
        }
    }
    Ok(())
}

/// Eight digits raw, standardised and ZCA-whitened, with the training
/// runs on each input.
pub fn whitening<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    images: &[Array2<f64>],
    runs: &[(String, Vec<Record>)],
) -> DrawResult<DB> {
    let area = area.titled(
        "What whitening does to the images (rows: raw, standardised, ZCA)",
        title_style(),
    )?;
    let (top, bottom) = area.split_vertically(330);
    let rows = ["raw", "standardised", "ZCA-whitened"];
    for (r, row) in top.split_evenly((3, 1)).iter().enumerate() {
        let Some(set) = images.get(r) else { continue };
        for (k, panel) in row.split_evenly((1, 8)).iter().enumerate() {
            let image = square(set.column(k));
            let title = if k == 0 { rows[r] } else { " " };
            heat_map(&panel.margin(2, 2, 2, 2), image.view(), title)?;
        }
    }
    let epochs = runs.iter().map(|(_, h)| h.len()).max().unwrap_or(1);
    let mut chart = ChartBuilder::on(&bottom)
        .caption(
            "plain SGD on each input: validation accuracy (%)",
            text_style(15.0),
        )
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(44)
        .build_cartesian_2d(0..epochs + 1, 70.0..100.0)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .x_desc("epoch")
        .label_style(label_style())
        .draw()?;
    for (i, (name, history)) in runs.iter().enumerate() {
        let color = SERIES[i % SERIES.len()];
        chart
            .draw_series(LineSeries::new(
                history
                    .iter()
                    .map(|r| (r.epoch, 100.0 * r.validation_accuracy)),
                color.stroke_width(2),
            ))?
            .label(name.as_str())
            .legend(legend_mark(color, 2));
    }
    legend(&mut chart, SeriesLabelPosition::LowerRight)?;
    Ok(())
}

/// Activation spread per layer under each initialisation, ReLU and tanh.
pub fn init_spread<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    spreads: &[(Activation, Init, Vec<f64>)],
) -> DrawResult<DB> {
    let area = area.titled(
        "Spread (std) of each layer's activations at the start, 10 layers of 256",
        title_style(),
    )?;
    for (panel, f) in area
        .split_evenly((1, 2))
        .iter()
        .zip([Activation::Relu, Activation::Tanh])
    {
        let mut chart = ChartBuilder::on(panel)
            .caption(f.name(), text_style(16.0))
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d(0..11usize, (1e-4..1e12f64).log_scale())?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .x_desc("layer")
            .y_label_formatter(&|v| format!("{v:.0e}"))
            .label_style(label_style())
            .draw()?;
        for (i, (init, name)) in init::INITS.iter().enumerate() {
            let color = SERIES[i];
            let Some((_, _, spread)) =
                spreads.iter().find(|(g, j, _)| *g == f && j == init)
            else {
                continue;
            };
            chart
                .draw_series(LineSeries::new(
                    spread
                        .iter()
                        .enumerate()
                        .map(|(l, s)| (l + 1, s.clamp(1e-4, 1e12))),
                    color.stroke_width(2),
                ))?
                .label(*name)
                .legend(legend_mark(color, 2));
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
    }
    Ok(())
}

/// Gradient descent, momentum and Adam on chapter 5's valley.
pub fn valley_paths() -> Vec<(String, Vec<[f64; 2]>)> {
    let (eta, mu) = VALLEY_MOMENTUM;
    vec![
        (
            format!("gradient descent, η = {VALLEY_ETA}"),
            gradient_descent(bowl_gradient, START, VALLEY_ETA, VALLEY_STEPS),
        ),
        (
            format!("momentum, η = {eta}, μ = {mu}"),
            momentum_path(bowl_gradient, START, eta, mu, VALLEY_STEPS),
        ),
        (
            format!("Adam, η = {VALLEY_ADAM}"),
            adam_path(bowl_gradient, START, VALLEY_ADAM, VALLEY_STEPS),
        ),
    ]
}

/// The three paths, one panel each, on the valley's contours.
pub fn optimiser_paths<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let area = area.titled(
        "Three ways down ½(x² + 10y²), 50 steps from (−9, 2.5)",
        title_style(),
    )?;
    for (i, (panel, (name, path))) in area
        .split_evenly((1, 3))
        .iter()
        .zip(valley_paths())
        .enumerate()
    {
        let mut chart = ChartBuilder::on(panel)
            .caption(name, text_style(14.0))
            .margin(8)
            .x_label_area_size(28)
            .y_label_area_size(34)
            .build_cartesian_2d(-10.0..10.0, -5.0..5.0)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .label_style(label_style())
            .draw()?;
        for ellipse in ch05_gradient_descent::figures::valley_contours() {
            chart.draw_series(LineSeries::new(ellipse, FRAME))?;
        }
        let color = SERIES[(i + 3) % SERIES.len()];
        let points: Vec<(f64, f64)> = path
            .iter()
            .filter(|p| p[0].abs() <= 10.0 && p[1].abs() <= 5.0)
            .map(|p| (p[0], p[1]))
            .collect();
        chart.draw_series(LineSeries::new(
            points.clone(),
            color.stroke_width(2),
        ))?;
        chart.draw_series(
            points.iter().map(|&p| Circle::new(p, 2, color.filled())),
        )?;
        let end = path.last().expect("a path has a start");
        chart.draw_series(std::iter::once(Text::new(
            format!(
                "f after 50 steps: {:.1e}",
                ch05_gradient_descent::bowl(*end)
            ),
            (-9.5, -4.3),
            text_style(13.0),
        )))?;
    }
    Ok(())
}

/// Each search's best validation error so far, and the points it tried.
pub fn tuning<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    searches: &[(String, Vec<Trial>, Vec<f64>)],
) -> DrawResult<DB> {
    let area = area.titled(
        "Grid, random and Bayesian search, the same budget of training runs",
        title_style(),
    )?;
    let (left, right) = area.split_horizontally(470);
    let budget = searches.iter().map(|s| s.2.len()).max().unwrap_or(1);
    // From just below the best to a few times the best: the first trials
    // of a search can be far worse, and are clipped.
    let best = searches
        .iter()
        .flat_map(|s| s.2.last().copied())
        .fold(1.0f64, f64::min);
    let top = 100.0 * 3.0 * best;
    let mut chart = ChartBuilder::on(&left)
        .caption("best validation error so far (%)", text_style(16.0))
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(50)
        .build_cartesian_2d(0..budget + 1, 100.0 * best * 0.9..top)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .x_desc("trials")
        .label_style(label_style())
        .draw()?;
    for (i, (name, _, curve)) in searches.iter().enumerate() {
        let color = SERIES[i % SERIES.len()];
        chart
            .draw_series(LineSeries::new(
                curve
                    .iter()
                    .enumerate()
                    .map(|(k, e)| (k + 1, (100.0 * e).min(top))),
                color.stroke_width(2),
            ))?
            .label(name.as_str())
            .legend(legend_mark(color, 2));
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    let mut points = ChartBuilder::on(&right)
        .caption("where each search tried", text_style(16.0))
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(44)
        .build_cartesian_2d(-3.1..0.1, -0.03..0.73)?;
    points
        .configure_mesh()
        .light_line_style(WHITE)
        .x_desc("log₁₀ η")
        .y_desc("dropout p")
        .label_style(label_style())
        .draw()?;
    for (i, (_, trials, _)) in searches.iter().enumerate() {
        let color = SERIES[i % SERIES.len()];
        let at = |t: &Trial| (-3.0 + 3.0 * t.point[0], 0.7 * t.point[1]);
        points.draw_series(trials.iter().map(|t| match i {
            0 => Circle::new(at(t), 5, color.stroke_width(2)).into_dyn(),
            1 => TriangleMarker::new(at(t), 5, color.filled()).into_dyn(),
            _ => Cross::new(at(t), 5, color.stroke_width(2)).into_dyn(),
        }))?;
    }
    Ok(())
}

/// Writes every figure into `dir`; returns the paths written.
pub fn write_all(results: &Results, dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut written = Vec::new();
    let r = results;
    written.push(write_with(dir, "ch09-overfitting", (900, 380), |a| {
        overfitting(a, &r.small_runs)
    })?);
    written.push(write_with(dir, "ch09-regularisers", (720, 400), |a| {
        regularisers(a, &r.small_runs)
    })?);
    written.push(write_with(dir, "ch09-augmented", (900, 360), |a| {
        augmented(a, r.examples.column(0))
    })?);
    if let Some(pca) = &r.pca {
        written.push(write_with(dir, "ch09-eigen-digits", (900, 290), |a| {
            eigen_digits(a, &r.mean_image, pca)
        })?);
        written.push(write_with(
            dir,
            "ch09-variance-explained",
            (640, 380),
            |a| variance_explained(a, pca),
        )?);
    }
    written.push(write_with(dir, "ch09-whitening", (800, 600), |a| {
        whitening(a, &r.whitened, &r.whitening_runs)
    })?);
    written.push(write_with(dir, "ch09-init-spread", (900, 400), |a| {
        init_spread(a, &r.spreads)
    })?);
    written.push(write_with(dir, "ch09-optimiser-paths", (1000, 300), |a| {
        optimiser_paths(a)
    })?);
    written.push(write_with(dir, "ch09-tuning", (900, 400), |a| {
        tuning(a, &r.tuning)
    })?);
    if !r.diagnostics.is_empty() {
        written.push(write_with(dir, "ch09-diagnostics", (900, 380), |a| {
            diagnostics(a, &r.diagnostics)
        })?);
    }
    Ok(written)
}
