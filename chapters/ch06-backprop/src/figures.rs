//! The chapter's figures, each a function generic over the plotters backend.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use shared::figures::{
    DrawResult, SERIES, SIZE, heat_color, label_style, legend, legend_dot,
    legend_mark, title_style,
};
use shared::rng::{DEFAULT_SEED, seeded};

use crate::xor::{EPOCHS, chapter_run, deep_network, gradient_norms, xor_data};
use crate::{Activation, Cost};

shared::figure_list! {
    "ch06-xor-boundary", (520, 520) => xor_boundary;
    "ch06-loss-curve", SIZE => loss_curve;
    "ch06-layer-graph", (900, 330) => layer_graph;
    "ch06-gradient-norms", SIZE => gradient_norm_chart;
}

/// The trained network's decision regions with the training points.
pub fn xor_boundary<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let run = chapter_run();
    let mut chart = ChartBuilder::on(area)
        .caption("What 2-8-8-2 learned on XOR", title_style())
        .margin(12)
        .x_label_area_size(32)
        .y_label_area_size(40)
        .build_cartesian_2d(-1.0..1.0, -1.0..1.0)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("x₁")
        .y_desc("x₂")
        .label_style(label_style())
        .draw()?;
    let cells = 50;
    let step = 2.0 / f64::from(cells);
    for i in 0..cells {
        for j in 0..cells {
            let (x1, x2) =
                (-1.0 + step * f64::from(i), -1.0 + step * f64::from(j));
            let input = ndarray::array![x1 + step / 2.0, x2 + step / 2.0];
            let p = run.net.feedforward(input.view())[1];
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x1, x2), (x1 + step, x2 + step)],
                heat_color(0.35 * (p - 0.5), 1.0).filled(),
            )))?;
        }
    }
    for (class, color) in [(1, SERIES[2]), (0, SERIES[3])] {
        let points = run
            .x
            .columns()
            .into_iter()
            .zip(&run.labels)
            .filter(|&(_, &label)| label == class)
            .map(|(p, _)| Circle::new((p[0], p[1]), 4, color.filled()));
        chart
            .draw_series(points)?
            .label(format!("class {class} (training point)"))
            .legend(legend_dot(color));
    }
    legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
    Ok(())
}

/// The average cost against the epoch, on a log scale.
pub fn loss_curve<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let run = chapter_run();
    let mut chart = ChartBuilder::on(area)
        .caption(
            "XOR: the loss as backprop trains the network",
            title_style(),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(0..EPOCHS, (0.005..1.0f64).log_scale())?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .x_desc("epoch")
        .y_desc("average cross-entropy")
        .label_style(label_style())
        .draw()?;
    chart.draw_series(LineSeries::new(
        run.losses.iter().enumerate().map(|(e, &l)| (e, l)),
        SERIES[0].stroke_width(3),
    ))?;
    Ok(())
}

/// ‖∂C/∂W⁽ˡ⁾‖ per layer for a deep narrow network, sigmoid against ReLU.
pub fn gradient_norm_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let (xs, ys, _) = xor_data(&mut seeded(DEFAULT_SEED), 100);
    let mut chart = ChartBuilder::on(area)
        .caption(
            "Gradient size per layer at initialisation, 2-8×8-2",
            title_style(),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(1..9usize, (1e-6..10.0f64).log_scale())?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .x_desc("layer (1 = nearest the input)")
        .y_desc("average ‖∂C/∂W‖")
        .y_label_formatter(&|v| format!("{v:.0e}"))
        .label_style(label_style())
        .draw()?;
    for (i, hidden) in [Activation::Sigmoid, Activation::Relu]
        .into_iter()
        .enumerate()
    {
        let norms = gradient_norms(
            &deep_network(hidden),
            xs.view(),
            ys.view(),
            Cost::CrossEntropy,
        );
        let color = SERIES[i];
        let points: Vec<(usize, f64)> =
            norms.iter().enumerate().map(|(l, &n)| (l + 1, n)).collect();
        chart
            .draw_series(LineSeries::new(
                points.clone(),
                color.stroke_width(3),
            ))?
            .label(format!("{} hidden layers", hidden.name()))
            .legend(legend_mark(color, 3));
        chart.draw_series(
            points
                .into_iter()
                .map(|p| Circle::new(p, 4, color.filled())),
        )?;
    }
    legend(&mut chart, SeriesLabelPosition::LowerRight)?;
    Ok(())
}

/// One layer's forward pass as a computational graph, left to right, with
/// the backward pass's four equations flowing right to left beneath it.
pub fn layer_graph<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let area = area.titled(
        "One layer, forward (top) and backward (bottom)",
        title_style(),
    )?;
    let centred = label_style().pos(Pos::new(HPos::Center, VPos::Center));
    let node =
        |x: i32, y: i32, text: &str, color: RGBColor| -> DrawResult<DB> {
            let rect = [(x - 62, y - 22), (x + 62, y + 22)];
            area.draw(&Rectangle::new(rect, color.mix(0.15).filled()))?;
            area.draw(&Rectangle::new(rect, color.stroke_width(2)))?;
            area.draw_text(text, &centred, (x, y))?;
            Ok(())
        };
    let arrow =
        |from: i32, to: i32, y: i32, color: RGBColor| -> DrawResult<DB> {
            area.draw(&PathElement::new(
                [(from, y), (to, y)],
                color.stroke_width(2),
            ))?;
            let dir = if to > from { -1 } else { 1 };
            area.draw(&Polygon::new(
                vec![(to + dir * 10, y - 6), (to, y), (to + dir * 10, y + 6)],
                color.filled(),
            ))?;
            Ok(())
        };
    let xs = [80, 270, 460, 650, 830];
    let (top, bottom) = (70, 210);
    let forward = [
        "a⁽ˡ⁻¹⁾",
        "z = W a + b",
        "a⁽ˡ⁾ = f(z)",
        "… next layers",
        "cost C",
    ];
    for (x, text) in xs.iter().zip(forward) {
        node(*x, top, text, SERIES[0])?;
    }
    for pair in xs.windows(2) {
        arrow(pair[0] + 62, pair[1] - 62, top, BLACK)?;
    }
    area.draw_text("W, b", &centred, ((xs[0] + xs[1]) / 2, top - 36))?;
    // Backward: what flows back, and what each step hands out.
    let backward = [
        "Wᵀδ (BP2)",
        "δ = ∂C/∂z",
        "∂C/∂a ⊙ f′(z)",
        "… BP2 above",
        "∇ₐC (BP1)",
    ];
    for (x, text) in xs.iter().zip(backward) {
        node(*x, bottom, text, SERIES[3])?;
    }
    for pair in xs.windows(2) {
        arrow(pair[1] - 62, pair[0] + 62, bottom, SERIES[3])?;
    }
    // What δ hands to this layer's own parameters.
    area.draw(&PathElement::new(
        [(xs[1], bottom + 22), (xs[1], bottom + 44)],
        SERIES[3].stroke_width(2),
    ))?;
    area.draw_text("∂C/∂b = δ (BP3)", &centred, (xs[1], bottom + 58))?;
    area.draw_text("∂C/∂W = δ a⁽ˡ⁻¹⁾ᵀ (BP4)", &centred, (xs[1], bottom + 78))?;
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
