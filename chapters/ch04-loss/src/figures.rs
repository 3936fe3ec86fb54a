//! The chapter's figures, each a function generic over the plotters backend.

use plotters::coord::Shift;
use plotters::prelude::*;
use shared::figures::{
    DrawResult, SERIES, SIZE, label_style, legend, legend_mark, text_style,
    title_style,
};
use shared::rng::{DEFAULT_SEED, seeded};

use crate::walkthrough::{average_cost, random_samples, untrained};
use crate::{Cost, sigmoid_cross_entropy_dz, sigmoid_quadratic_dz};
use ch03_forward::Activation;

shared::figure_list! {
    "ch04-saturated-gradient", SIZE => saturated_gradient;
    "ch04-loss-slice", (800, 360) => loss_slice;
}

/// The gradient ∂C/∂z each cost gives a sigmoid output whose target is 0.
pub fn saturated_gradient<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let mut chart = ChartBuilder::on(area)
        .caption(
            "Target 0, output σ(z): the gradient each cost gives",
            title_style(),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(52)
        .build_cartesian_2d(-4.0..8.0, 0.0..1.05)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .x_desc("z (more and more wrong →)")
        .y_desc("∂C/∂z")
        .label_style(label_style())
        .draw()?;
    let curve = |f: fn(f64, f64) -> f64| {
        (0..=480).map(move |i| {
            let z = -4.0 + f64::from(i) / 40.0;
            (z, f(z, 0.0))
        })
    };
    for (i, (f, label)) in [
        (
            sigmoid_cross_entropy_dz as fn(f64, f64) -> f64,
            "cross-entropy: a − y",
        ),
        (sigmoid_quadratic_dz, "quadratic: (a − y)·σ'(z)"),
    ]
    .into_iter()
    .enumerate()
    {
        let color = SERIES[i];
        chart
            .draw_series(LineSeries::new(curve(f), color.stroke_width(3)))?
            .label(label)
            .legend(legend_mark(color, 3));
    }
    chart.draw_series(std::iter::once(Text::new(
        "quadratic stalls where the neuron is most wrong",
        (1.6, 0.2),
        text_style(13.0),
    )))?;
    legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
    Ok(())
}

/// The average cost over 100 random images as one weight of the last
/// layer moves, for both costs.
pub fn loss_slice<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let samples = random_samples(&mut seeded(DEFAULT_SEED), 100);
    let area = area.titled(
        "Average cost as one weight, W(3)[3, 5], moves (others fixed)",
        title_style(),
    )?;
    let panels = area.split_evenly((1, 2));
    let setups = [
        (Activation::Sigmoid, Cost::Quadratic, "sigmoid + quadratic"),
        (
            Activation::Softmax,
            Cost::CrossEntropy,
            "softmax + cross-entropy",
        ),
    ];
    for (i, (panel, (output, cost, label))) in
        panels.iter().zip(setups).enumerate()
    {
        let net = untrained(output);
        let original = net.layers[2].w[(3, 5)];
        let points: Vec<(f64, f64)> = (0..=60)
            .map(|k| {
                let w = -15.0 + 0.5 * f64::from(k);
                let mut moved = net.clone();
                moved.layers[2].w[(3, 5)] = w;
                (w, average_cost(&moved, cost, &samples))
            })
            .collect();
        let (lo, hi) =
            points.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| {
                (lo.min(p.1), hi.max(p.1))
            });
        let pad = 0.05 * (hi - lo);
        let mut chart = ChartBuilder::on(panel)
            .caption(label, text_style(16.0))
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(52)
            .build_cartesian_2d(-15.0..15.0, lo - pad..hi + pad)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .x_desc("weight")
            .y_desc("average cost")
            .y_label_formatter(&|v| format!("{v:.2}"))
            .label_style(label_style())
            .draw()?;
        chart
            .draw_series(LineSeries::new(points, SERIES[i].stroke_width(3)))?;
        let at = average_cost(&net, cost, &samples);
        chart.draw_series(std::iter::once(Circle::new(
            (original, at),
            5,
            BLACK.filled(),
        )))?;
    }
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
