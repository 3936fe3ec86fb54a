//! The chapter's figures: a filter sliding over a digit, the learned
//! filters, one digit's feature maps at every layer, the parameter counts,
//! and the training curve. They draw from the narrated run's network and
//! history; the tests render them from a small untrained network.

use std::path::{Path, PathBuf};

use ndarray::{Array2, ArrayView2, ArrayView3, s};
use plotters::coord::Shift;
use plotters::prelude::*;
use shared::figures::{
    DrawResult, FRAME, SERIES, heat_map, heat_map_scaled, label_style, legend,
    legend_mark, title_style, write_with,
};

use crate::Error;
use crate::conv::{Geometry, conv_forward};
use crate::net::{Architecture, Cnn};
use crate::train::Record;

/// A filter that answers the top edge of a horizontal stroke: ink below,
/// none above.
pub fn edge_filter() -> Array2<f64> {
    Array2::from_shape_fn((5, 5), |(r, _)| match r {
        0 | 1 => -1.0,
        2 => 0.0,
        _ => 1.0,
    })
}

/// Window corners (row, column) the receptive-field figure marks.
const WINDOWS: [(usize, usize); 3] = [(2, 4), (10, 12), (18, 8)];

/// A 28×28 digit, a 5×5 filter, and the feature map it makes, with three
/// windows and the output cell each one becomes.
pub fn receptive_field<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    digit: ArrayView2<f64>, // (28, 28)
) -> DrawResult<DB> {
    area.fill(&WHITE)?;
    let filter = edge_filter();
    let x = digit.to_shape((1, 28, 28)).expect("784 pixels").to_owned();
    let w = filter.to_shape((1, 1, 5, 5)).expect("25").to_owned();
    let map = conv_forward(
        x.view(),
        w.view(),
        ndarray::Array1::zeros(1).view(),
        Geometry::valid(5),
    );
    let map = map.slice(s![0, .., ..]).to_owned(); // (24, 24)
    let panels = area.split_evenly((1, 3));
    heat_map_scaled(&panels[0], digit, "the digit x (28×28)", 1.0)?;
    heat_map(&panels[1], filter.view(), "filter w (5×5)")?;
    heat_map(&panels[2], map.view(), "feature map z = w ★ x (24×24)")?;
    // where each map drew its cells (heat_map's layout, recomputed)
    let place = |panel: &DrawingArea<DB, Shift>, n: usize| {
        let (width, height) = panel.dim_in_pixel();
        let cell =
            ((width - 8) / n as u32).min((height - 26 - 8) / n as u32) as i32;
        let x0 = (width as i32 - cell * n as i32) / 2;
        let y0 = 26 + (height as i32 - 26 - cell * n as i32) / 2;
        (x0, y0, cell)
    };
    for (i, &(r, c)) in WINDOWS.iter().enumerate() {
        let color = SERIES[i % SERIES.len()].stroke_width(3);
        let (x0, y0, cell) = place(&panels[0], 28);
        let (r, c) = (r as i32, c as i32);
        panels[0].draw(&Rectangle::new(
            [
                (x0 + c * cell, y0 + r * cell),
                (x0 + (c + 5) * cell, y0 + (r + 5) * cell),
            ],
            color,
        ))?;
        let (x0, y0, cell) = place(&panels[2], 24);
        panels[2].draw(&Rectangle::new(
            [
                (x0 + c * cell, y0 + r * cell),
                (x0 + (c + 1) * cell, y0 + (r + 1) * cell),
            ],
            color,
        ))?;
    }
    Ok(())
}

/// Each first-layer filter as a 5×5 heat map (green positive, red
/// negative), on one scale.
pub fn filters<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    net: &Cnn<f32>,
) -> DrawResult<DB> {
    area.fill(&WHITE)?;
    let (title, rest) = area.split_vertically(36);
    title.draw_text(
        "the 20 learned filters of the first layer",
        &title_style(),
        (10, 8),
    )?;
    let n = net.w1.dim().0;
    let scale = net.w1.iter().fold(0.0f32, |m, v| m.max(v.abs())) as f64;
    let cols = n.div_ceil(2);
    for (i, panel) in rest.split_evenly((2, cols)).iter().enumerate().take(n) {
        let w = net.w1.slice(s![i, 0, .., ..]).mapv(f64::from);
        heat_map_scaled(panel, w.view(), &format!("{}", i + 1), scale)?;
    }
    Ok(())
}

/// One digit's maps at every layer: the input, the first convolution
/// (after ReLU), its pooling, the second convolution and its pooling
/// (the first ten channels of each).
pub fn feature_maps<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    net: &Cnn<f32>,
    digit: ArrayView3<f32>, // (1, 28, 28)
) -> DrawResult<DB> {
    area.fill(&WHITE)?;
    let t = net.forward(digit);
    let relu = |z: &ndarray::Array3<f32>| z.mapv(|v| f64::from(v.max(0.0)));
    let rows: [(&str, ndarray::Array3<f64>); 4] = [
        ("relu(z¹) 24×24", relu(&t.z1)),
        ("a¹ pooled 12×12", t.a1.mapv(f64::from)),
        ("relu(z²) 8×8", relu(&t.z2)),
        ("a² pooled 4×4", t.a2.mapv(f64::from)),
    ];
    let (left, right) = area.split_horizontally(170);
    heat_map_scaled(
        &left.margin(60, 60, 10, 10),
        digit.slice(s![0, .., ..]).mapv(f64::from).view(),
        "input",
        1.0,
    )?;
    for ((name, maps), band) in
        rows.iter().zip(right.split_evenly((rows.len(), 1)))
    {
        let (label, cells) = band.split_horizontally(130);
        let style = label_style();
        label.draw_text(name, &style, (4, 40))?;
        let shown = maps.dim().0.min(10);
        for (c, cell) in cells.split_evenly((1, 10)).iter().enumerate() {
            if c < shown {
                heat_map(cell, maps.slice(s![c, .., ..]), "")?;
            }
        }
    }
    Ok(())
}

/// Weights and biases of the networks the page compares, on a log scale.
pub fn parameters<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    area.fill(&WHITE)?;
    let bars = parameter_table();
    let mut chart = ChartBuilder::on(area)
        .caption("parameters (log scale)", title_style())
        .margin(14)
        .x_label_area_size(36)
        .y_label_area_size(300)
        .build_cartesian_2d(
            (1e4f64..1e7f64).log_scale(),
            (0..bars.len()).into_segmented(),
        )?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => {
                bars.get(*i).map(|b| b.0.clone()).unwrap_or_default()
            }
            _ => String::new(),
        })
        .x_label_formatter(&|v| format!("{v:.0e}"))
        .label_style(label_style())
        .axis_style(FRAME)
        .draw()?;
    chart.draw_series(bars.iter().enumerate().map(|(i, (_, count))| {
        let color = if i == 2 { SERIES[0] } else { SERIES[1] };
        Rectangle::new(
            [
                (1e4, SegmentValue::Exact(i)),
                (*count as f64, SegmentValue::Exact(i + 1)),
            ],
            color.mix(0.8).filled(),
        )
    }))?;
    chart.draw_series(bars.iter().enumerate().map(|(i, (_, count))| {
        Text::new(
            format_count(*count),
            (*count as f64 * 1.1, SegmentValue::CenterOf(i)),
            label_style(),
        )
    }))?;
    Ok(())
}

/// The parameter counts the page compares: (name, parameters).
pub fn parameter_table() -> Vec<(String, usize)> {
    let mlp = |sizes: &[usize]| {
        sizes.windows(2).map(|w| w[0] * w[1] + w[1]).sum::<usize>()
    };
    let cnn = Architecture::MNIST;
    let [c1, c2] = cnn.channels;
    let (conv1, _) = cnn.sides(0);
    let (conv2, _) = cnn.sides(1);
    let k2 = cnn.k * cnn.k;
    // every output position with filters of its own
    let unshared = conv1 * conv1 * c1 * (k2 + 1)
        + conv2 * conv2 * c2 * (c1 * k2 + 1)
        + cnn.parameters()
        - cnn.parameter_counts()[..2]
            .iter()
            .map(|(w, b)| w + b)
            .sum::<usize>();
    vec![
        ("MLP 784-100-10 (ch. 9)".into(), mlp(&[784, 100, 10])),
        (
            "MLP 784-512-512-10 (ch. 9)".into(),
            mlp(&[784, 512, 512, 10]),
        ),
        ("CNN, this chapter".into(), cnn.parameters()),
        ("the same CNN without sharing".into(), unshared),
    ]
}

/// 85670 → "85,670".
pub fn format_count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Validation error per epoch, and the training loss.
pub fn training<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    history: &[Record],
) -> DrawResult<DB> {
    area.fill(&WHITE)?;
    let epochs = history.len().max(1) as f64;
    let top = history
        .iter()
        .map(|r| 100.0 * (1.0 - r.validation_accuracy))
        .fold(1.0f64, f64::max)
        * 1.1;
    let mut chart = ChartBuilder::on(area)
        .caption("validation error per epoch", title_style())
        .margin(14)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(0.5..epochs + 0.5, 0.0..top)?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc("validation error, %")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .label_style(label_style())
        .axis_style(FRAME)
        .draw()?;
    let points: Vec<(f64, f64)> = history
        .iter()
        .map(|r| (r.epoch as f64, 100.0 * (1.0 - r.validation_accuracy)))
        .collect();
    let color = SERIES[0];
    chart
        .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))?
        .label("CNN, validation error")
        .legend(legend_mark(color, 2));
    chart.draw_series(
        points.iter().map(|&p| Circle::new(p, 4, color.filled())),
    )?;
    if let Some(best) = ch08_mnist::best_epoch(history) {
        let at = (best.epoch as f64, 100.0 * (1.0 - best.validation_accuracy));
        chart
            .draw_series([Circle::new(at, 8, SERIES[1].stroke_width(2))])?
            .label("the epoch chosen on validation")
            .legend(legend_mark(SERIES[1], 2));
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)
}

/// Writes every figure into `dir`; returns the paths written.
#[allow(
    clippy::redundant_closure,
    reason = "write_with needs a closure generic over the backend's lifetime"
)]
pub fn write_all(
    dir: &Path,
    net: &Cnn<f32>,
    digit: ArrayView2<f32>, // (28, 28)
    history: &[Record],
) -> Result<Vec<PathBuf>, Error> {
    let mut written = Vec::new();
    let image = digit.to_shape((1, 28, 28)).expect("784 pixels").to_owned();
    let digit64 = digit.mapv(f64::from);
    written.push(write_with(dir, "ch10-receptive-field", (960, 360), |a| {
        receptive_field(a, digit64.view())
    })?);
    written.push(write_with(dir, "ch10-filters", (900, 230), |a| {
        filters(a, net)
    })?);
    written.push(write_with(dir, "ch10-feature-maps", (1000, 420), |a| {
        feature_maps(a, net, image.view())
    })?);
    written.push(write_with(dir, "ch10-parameters", (900, 300), |a| {
        parameters(a) // a closure: the lifetimes need it
    })?);
    written.push(write_with(dir, "ch10-training", (720, 380), |a| {
        training(a, history)
    })?);
    Ok(written)
}
