//! The chapter's figures, each a function generic over the plotters backend.

use plotters::coord::Shift;
use plotters::prelude::*;
use shared::figures::{
    DrawResult, FRAME, SERIES, SIZE, heat_color, label_style, legend,
    legend_dot, legend_mark, text_style, title_style,
};

use crate::logistic::chapter_run;
use crate::{
    ETAS, START, bowl, bowl_gradient, difference_errors, gradient_descent,
};

shared::figure_list! {
    "ch05-difference-error", SIZE => difference_error;
    "ch05-descent-paths", (960, 340) => descent_paths;
    "ch05-logistic-boundary", (560, 520) => logistic_boundary;
    "ch05-downhill", (640, 420) => downhill;
}

/// The one-dimensional picture of why −C′ goes downhill: a cost curve
/// C(v) = ½(v − 1)² + ½ and steps v ← v − η C′(v) from both sides.
pub fn downhill<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let cost = |v: f64| 0.5 * (v - 1.0) * (v - 1.0) + 0.5;
    let slope = |v: f64| v - 1.0;
    let eta = 0.35;
    let mut chart = ChartBuilder::on(area)
        .caption("One dimension: each step is −η C′(v)", title_style())
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(44)
        .build_cartesian_2d(-3.0..5.0, 0.0..9.0)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("v (one parameter)")
        .y_desc("C(v)")
        .label_style(label_style())
        .draw()?;
    let curve = (0..=160).map(|i| {
        let v = -3.0 + 8.0 * f64::from(i) / 160.0;
        (v, cost(v))
    });
    chart
        .draw_series(LineSeries::new(curve, FRAME.stroke_width(2)))?
        .label("cost C(v)")
        .legend(legend_mark(FRAME, 2));
    for (start, color, label) in [
        (-2.5, SERIES[0], "from the left: C′ < 0, steps go right"),
        (4.5, SERIES[1], "from the right: C′ > 0, steps go left"),
    ] {
        let mut v = start;
        let mut points = vec![(v, cost(v))];
        for _ in 0..6 {
            v -= eta * slope(v);
            points.push((v, cost(v)));
        }
        chart
            .draw_series(LineSeries::new(
                points.clone(),
                color.stroke_width(1),
            ))?
            .label(label)
            .legend(legend_mark(color, 2));
        chart.draw_series(
            points.iter().map(|&p| Circle::new(p, 4, color.filled())),
        )?;
    }
    legend(&mut chart, SeriesLabelPosition::UpperMiddle)?;
    Ok(())
}

/// Error of forward and central differences against h, log-log.
pub fn difference_error<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let rows = difference_errors();
    let mut chart = ChartBuilder::on(area)
        .caption("Finite-difference error against the step h", title_style())
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(
            (1e-14..0.5f64).log_scale(),
            (1e-13..10.0f64).log_scale(),
        )?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .x_desc("h")
        .y_desc("|error|")
        .x_label_formatter(&|v| format!("{v:.0e}"))
        .y_label_formatter(&|v| format!("{v:.0e}"))
        .label_style(label_style())
        .draw()?;
    let floor = 1e-13;
    type Pick = fn(&crate::DifferenceError) -> f64;
    let series: [(&str, Pick); 2] = [
        ("forward (f(x+h) − f(x)) / h", |r| r.forward),
        ("central (f(x+h) − f(x−h)) / 2h", |r| r.central),
    ];
    for (i, (label, error)) in series.into_iter().enumerate() {
        let color = SERIES[i];
        let points: Vec<(f64, f64)> =
            rows.iter().map(|r| (r.h, error(r).max(floor))).collect();
        chart
            .draw_series(LineSeries::new(
                points.clone(),
                color.stroke_width(2),
            ))?
            .label(label)
            .legend(legend_mark(color, 2));
        chart.draw_series(
            points
                .into_iter()
                .map(|p| Circle::new(p, 3, color.filled())),
        )?;
    }
    chart.draw_series(LineSeries::new(
        [(1e-5, 1e-13), (1e-5, 10.0)],
        BLACK.mix(0.4).stroke_width(1),
    ))?;
    chart.draw_series(std::iter::once(Text::new(
        "h = 1e-5 (the checker)",
        (1.3e-5, 3.0),
        text_style(13.0),
    )))?;
    legend(&mut chart, SeriesLabelPosition::LowerRight)?;
    Ok(())
}

/// Contours of the valley ½(x² + 10y²) at a few heights c: ellipses
/// x²/2c + y²/(c/5) = 1, as points to draw.
pub fn valley_contours() -> Vec<Vec<(f64, f64)>> {
    [0.5f64, 2.0, 8.0, 20.0, 40.0, 70.0]
        .iter()
        .map(|&c| {
            (0..=120)
                .map(|k| {
                    let t = std::f64::consts::TAU * f64::from(k) / 120.0;
                    ((2.0 * c).sqrt() * t.cos(), (c / 5.0).sqrt() * t.sin())
                })
                .collect()
        })
        .collect()
}

/// Contours of the bowl and the descent path for each learning rate.
pub fn descent_paths<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let area = area.titled(
        "Gradient descent on ½(x² + 10y²), 50 steps from (−9, 2.5)",
        title_style(),
    )?;
    let labels = ["too small", "good", "divergent"];
    for (i, panel) in area.split_evenly((1, 3)).iter().enumerate() {
        let eta = ETAS[i];
        let mut chart = ChartBuilder::on(panel)
            .caption(format!("η = {eta} ({})", labels[i]), text_style(16.0))
            .margin(8)
            .x_label_area_size(28)
            .y_label_area_size(34)
            .build_cartesian_2d(-10.0..10.0, -5.0..5.0)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .label_style(label_style())
            .draw()?;
        for ellipse in valley_contours() {
            chart.draw_series(LineSeries::new(ellipse, FRAME))?;
        }
        let path = gradient_descent(bowl_gradient, START, eta, 50);
        let points: Vec<(f64, f64)> = path
            .iter()
            .take_while(|p| p[1].abs() <= 5.0)
            .map(|p| (p[0], p[1]))
            .collect();
        chart.draw_series(LineSeries::new(
            points.clone(),
            SERIES[3].stroke_width(2),
        ))?;
        chart.draw_series(
            points
                .iter()
                .map(|&p| Circle::new(p, 2, SERIES[3].filled())),
        )?;
        let end = path.last().expect("a path has a start");
        chart.draw_series(std::iter::once(Text::new(
            format!("f after 50 steps: {:.1e}", bowl(*end)),
            (-9.5, -4.3),
            text_style(13.0),
        )))?;
    }
    Ok(())
}

/// The two clouds, the learned neuron's probability as shading, and its
/// decision boundary σ(w·x + b) = ½.
pub fn logistic_boundary<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let (x, y, neuron, _) = chapter_run();
    let mut chart = ChartBuilder::on(area)
        .caption("One sigmoid neuron separating two clouds", title_style())
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(40)
        .build_cartesian_2d(-4.0..5.0, -4.0..5.0)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("x₁")
        .y_desc("x₂")
        .label_style(label_style())
        .draw()?;
    // Shade by a − ½: green where the neuron says 1, red where it says 0.
    let cells = 60;
    let step = 9.0 / f64::from(cells);
    for i in 0..cells {
        for j in 0..cells {
            let (x1, x2) =
                (-4.0 + step * f64::from(i), -4.0 + step * f64::from(j));
            let z = neuron.w[0] * (x1 + step / 2.0)
                + neuron.w[1] * (x2 + step / 2.0)
                + neuron.b;
            let a = ch01_neuron::sigmoid(z);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x1, x2), (x1 + step, x2 + step)],
                heat_color(0.35 * (a - 0.5), 1.0).filled(),
            )))?;
        }
    }
    // The boundary w₁x₁ + w₂x₂ + b = 0 as a line across the plot.
    let line = |x1: f64| -(neuron.w[0] * x1 + neuron.b) / neuron.w[1];
    chart
        .draw_series(LineSeries::new(
            [(-4.0, line(-4.0)), (5.0, line(5.0))],
            BLACK.stroke_width(2),
        ))?
        .label("boundary w·x + b = 0")
        .legend(legend_mark(BLACK, 2));
    for (class, color) in [(1.0, SERIES[2]), (0.0, SERIES[3])] {
        let points = x
            .columns()
            .into_iter()
            .zip(y.iter())
            .filter(|&(_, &label)| (label > 0.5) == (class > 0.5))
            .map(|(p, _)| Circle::new((p[0], p[1]), 4, color.filled()));
        chart
            .draw_series(points)?
            .label(format!("class {class}"))
            .legend(legend_dot(color));
    }
    legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
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
