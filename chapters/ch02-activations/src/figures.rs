//! The chapter's figures, each a function generic over the plotters backend.

use ndarray::array;
use plotters::coord::Shift;
use plotters::prelude::*;
use shared::figures::{
    DrawResult, SERIES, SIZE, label_style, legend, legend_mark, text_style,
    title_style,
};

use crate::approximation::{Staircase, target};
use crate::{
    relu, relu_prime, sigmoid, sigmoid_prime, softmax, tanh, tanh_prime,
};

shared::figure_list! {
    "ch02-functions", (800, 600) => functions;
    "ch02-saturation", SIZE => saturation;
    "ch02-approximation", SIZE => approximation;
}

/// Samples `f` at 401 points of [`lo`, `hi`].
fn curve(
    lo: f64,
    hi: f64,
    f: impl Fn(f64) -> f64,
) -> impl Iterator<Item = (f64, f64)> {
    (0..=400).map(move |i| {
        let x = lo + (hi - lo) * f64::from(i) / 400.0;
        (x, f(x))
    })
}

/// One panel: a function (solid) and its derivative (dashed).
fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    y_range: std::ops::Range<f64>,
    f: &dyn Fn(f64) -> f64,
    f_prime: &dyn Fn(f64) -> f64,
    names: [&str; 2],
) -> DrawResult<DB> {
    let mut chart = ChartBuilder::on(area)
        .caption(title, text_style(16.0))
        .margin(8)
        .x_label_area_size(28)
        .y_label_area_size(36)
        .build_cartesian_2d(-5.0..5.0, y_range)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .label_style(label_style())
        .draw()?;
    chart
        .draw_series(LineSeries::new(
            curve(-5.0, 5.0, f),
            SERIES[0].stroke_width(3),
        ))?
        .label(names[0])
        .legend(legend_mark(SERIES[0], 3));
    chart
        .draw_series(DashedLineSeries::new(
            curve(-5.0, 5.0, f_prime).collect::<Vec<_>>(),
            6,
            4,
            SERIES[1].stroke_width(2),
        ))?
        .label(names[1])
        .legend(legend_mark(SERIES[1], 2));
    legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
    Ok(())
}

/// The four activation functions and their derivatives.
pub fn functions<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let area = area.titled(
        "Activation functions (solid) and derivatives (dashed)",
        title_style(),
    )?;
    let panels = area.split_evenly((2, 2));
    panel(
        &panels[0],
        "sigmoid",
        -0.1..1.1,
        &sigmoid,
        &sigmoid_prime,
        ["σ(z)", "σ'(z)"],
    )?;
    panel(
        &panels[1],
        "tanh",
        -1.1..1.1,
        &tanh,
        &tanh_prime,
        ["tanh(z)", "tanh'(z)"],
    )?;
    panel(
        &panels[2],
        "ReLU",
        -0.2..5.0,
        &relu,
        &relu_prime,
        ["ReLU(z)", "ReLU'(z)"],
    )?;
    // Softmax of (z, 1, −1): the first probability and its own slope.
    let s1 = |z: f64| softmax(array![z, 1.0, -1.0].view())[0];
    let s1_prime = |z: f64| {
        let s = s1(z);
        s * (1.0 - s)
    };
    panel(
        &panels[3],
        "softmax of (z, 1, −1), first output",
        -0.1..1.1,
        &s1,
        &s1_prime,
        ["s₁", "∂s₁/∂z"],
    )
}

/// σ and σ' over a wide range, with the saturated tails shaded.
pub fn saturation<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let mut chart = ChartBuilder::on(area)
        .caption("Saturation: where σ is flat, σ' vanishes", title_style())
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(48)
        .build_cartesian_2d(-10.0..10.0, 0.0..1.05)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .x_desc("z")
        .label_style(label_style())
        .draw()?;
    // Shade |z| > 4.6, where σ'(z) < 0.01.
    let shade = RGBColor(230, 230, 230).filled();
    for (lo, hi) in [(-10.0, -4.6), (4.6, 10.0)] {
        chart.draw_series(std::iter::once(Rectangle::new(
            [(lo, 0.0), (hi, 1.05)],
            shade,
        )))?;
    }
    chart
        .draw_series(LineSeries::new(
            curve(-10.0, 10.0, sigmoid),
            SERIES[0].stroke_width(3),
        ))?
        .label("σ(z)")
        .legend(legend_mark(SERIES[0], 3));
    // σ' is at most 1/4: scale by 4 so its shape is visible.
    chart
        .draw_series(LineSeries::new(
            curve(-10.0, 10.0, |z| 4.0 * sigmoid_prime(z)),
            SERIES[1].stroke_width(3),
        ))?
        .label("4·σ'(z)")
        .legend(legend_mark(SERIES[1], 3));
    chart.draw_series(std::iter::once(Text::new(
        "σ'(z) < 0.01 (shaded)",
        (5.0, 0.35),
        label_style(),
    )))?;
    legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
    Ok(())
}

/// The bumpy target and staircases of 1, 2, 4, 8 and 32 sigmoids.
pub fn approximation<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let mut chart = ChartBuilder::on(area)
        .caption("Sums of sigmoids approaching a curve", title_style())
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(48)
        .build_cartesian_2d(0.0..1.0, 0.0..1.05)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .x_desc("x")
        .label_style(label_style())
        .draw()?;
    chart
        .draw_series(LineSeries::new(
            curve(0.0, 1.0, target),
            BLACK.stroke_width(3),
        ))?
        .label("target")
        .legend(legend_mark(BLACK, 3));
    for (i, n) in [1, 2, 4, 8, 32].into_iter().enumerate() {
        let g = Staircase::fit(target, n);
        let color = SERIES[i];
        chart
            .draw_series(LineSeries::new(
                curve(0.0, 1.0, |x| g.eval(x)),
                color.stroke_width(2),
            ))?
            .label(format!("{n} sigmoid{}", if n == 1 { "" } else { "s" }))
            .legend(legend_mark(color, 2));
    }
    legend(&mut chart, SeriesLabelPosition::LowerLeft)?;
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
