//! The chapter's figures, each a function generic over the plotters backend.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use shared::figures::{
    DrawResult, SERIES, SIZE, heat_map, heat_map_scaled, label_style, legend,
    legend_mark, title_style,
};

use crate::{
    edge_detector, edge_detector_weights, flatten, relu, sigmoid, test_images,
    umbrella_neuron,
};

shared::figure_list! {
    "ch01-neuron", (720, 300) => neuron_diagram;
    "ch01-umbrella", SIZE => umbrella;
    "ch01-weight-pattern", (360, 390) => weight_pattern;
    "ch01-test-images", (960, 220) => images;
    "ch01-bias-sweep", SIZE => bias_sweep;
}

/// The umbrella neuron's output as the temperature moves, with and
/// without rain.
pub fn umbrella<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let neuron = umbrella_neuron();
    let mut chart = ChartBuilder::on(area)
        .caption(
            "Umbrella neuron: a = ReLU(−0.5·temp + 2·rain + 1)",
            title_style(),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(48)
        .build_cartesian_2d(-10.0..30.0, -0.5..9.0)?;
    chart
        .configure_mesh()
        .x_desc("temperature (°C)")
        .y_desc("output a")
        .light_line_style(WHITE)
        .label_style(label_style())
        .draw()?;
    for (i, (rain, label)) in
        [(0.0, "dry (rain = 0)"), (1.0, "raining (rain = 1)")]
            .into_iter()
            .enumerate()
    {
        let color = SERIES[i];
        let curve = (0..=400).map(|k| {
            let t = -10.0 + 0.1 * f64::from(k);
            let x = ndarray::array![t, rain];
            (t, neuron.activate(x.view(), relu))
        });
        chart
            .draw_series(LineSeries::new(curve, color.stroke_width(3)))?
            .label(label)
            .legend(legend_mark(color, 3));
    }
    // The point: 10 °C in the rain gives z = −2, so a = 0.
    chart.draw_series(std::iter::once(Circle::new(
        (10.0, 0.0),
        6,
        SERIES[1].filled(),
    )))?;
    legend(&mut chart, SeriesLabelPosition::MiddleRight)?;
    Ok(())
}

/// The edge detector's 784 weights as a 28×28 heat map.
pub fn weight_pattern<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    heat_map(
        area,
        edge_detector_weights().view(),
        "Edge detector weights: green +1, red −1",
    )
}

/// The test images, each with what the edge detector makes of it.
pub fn images<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let neuron = edge_detector();
    let images = test_images();
    let panels = area.split_evenly((1, images.len()));
    for (panel, (name, image)) in panels.iter().zip(&images) {
        let (map, caption) = panel.split_vertically(190);
        heat_map_scaled(&map, image.view(), name, 1.0)?;
        let a = neuron.activate(flatten(image).view(), sigmoid);
        let style = label_style().pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Top,
        ));
        let width = caption.dim_in_pixel().0 as i32;
        caption.draw_text(&format!("a = {a:.3}"), &style, (width / 2, 2))?;
    }
    Ok(())
}

/// The detector's output for each test image as the bias moves: the bias
/// shifts every curve's threshold together.
pub fn bias_sweep<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let neuron = edge_detector();
    let mut chart = ChartBuilder::on(area)
        .caption(
            "Edge detector: a = σ(w·x + b) as the bias b moves",
            title_style(),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(48)
        .build_cartesian_2d(-80.0..100.0, -0.02..1.02)?;
    chart
        .configure_mesh()
        .x_desc("bias b")
        .y_desc("output a")
        .light_line_style(WHITE)
        .label_style(label_style())
        .draw()?;
    for (i, (name, image)) in test_images().iter().enumerate() {
        let wx = neuron.w.dot(&flatten(image));
        let color = SERIES[i % SERIES.len()];
        let curve = (0..=360).map(|k| {
            let b = -80.0 + 0.5 * f64::from(k);
            (b, sigmoid(wx + b))
        });
        chart
            .draw_series(LineSeries::new(curve, color.stroke_width(2)))?
            .label(format!("{name} (w·x = {wx:.1})"))
            .legend(legend_mark(color, 2));
    }
    // The chapter's bias.
    chart.draw_series(LineSeries::new(
        [(neuron.b, 0.0), (neuron.b, 1.0)],
        BLACK.mix(0.5).stroke_width(1),
    ))?;
    legend(&mut chart, SeriesLabelPosition::LowerRight)?;
    Ok(())
}

/// One neuron drawn as the math reads: inputs, weights on the edges, the
/// weighted sum plus bias, the activation, the output — with the
/// umbrella case (10 °C, rain) computed on it.
pub fn neuron_diagram<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let neuron = umbrella_neuron();
    let x = [10.0, 1.0];
    let z = neuron.w[0] * x[0] + neuron.w[1] * x[1] + neuron.b;
    let a = relu(z);
    let area = area.titled("One neuron: a = f(w·x + b)", title_style())?;
    let centred = label_style().pos(Pos::new(HPos::Center, VPos::Center));
    let edge = BLACK.stroke_width(2);
    let (sum_x, sum_y, f_x, out_x) = (360, 120, 520, 660);
    let inputs = [
        (80, 60, "x₁ = 10 (°C)", format!("w₁ = {}", neuron.w[0])),
        (80, 180, "x₂ = 1 (rain)", format!("w₂ = {}", neuron.w[1])),
    ];
    for (ix, iy, name, weight) in &inputs {
        area.draw(&PathElement::new(
            [(ix + 34, *iy), (sum_x - 44, sum_y)],
            edge,
        ))?;
        area.draw(&Circle::new((*ix, *iy), 34, SERIES[0].mix(0.15).filled()))?;
        area.draw(&Circle::new((*ix, *iy), 34, SERIES[0].stroke_width(2)))?;
        area.draw_text(name, &centred, (*ix, *iy))?;
        let (mx, my) = ((ix + 34 + sum_x - 44) / 2, (iy + sum_y) / 2 - 14);
        area.draw_text(weight, &centred, (mx, my))?;
    }
    // The bias comes in from below.
    area.draw(&PathElement::new([(sum_x, sum_y + 44), (sum_x, 250)], edge))?;
    area.draw_text(&format!("b = {}", neuron.b), &centred, (sum_x, 262))?;
    area.draw(&Circle::new(
        (sum_x, sum_y),
        44,
        SERIES[1].mix(0.15).filled(),
    ))?;
    area.draw(&Circle::new((sum_x, sum_y), 44, SERIES[1].stroke_width(2)))?;
    area.draw_text("z = w·x + b", &centred, (sum_x, sum_y - 10))?;
    area.draw_text(&format!("= {z}"), &centred, (sum_x, sum_y + 12))?;
    area.draw(&PathElement::new(
        [(sum_x + 44, sum_y), (f_x - 50, sum_y)],
        edge,
    ))?;
    area.draw(&Rectangle::new(
        [(f_x - 50, sum_y - 30), (f_x + 50, sum_y + 30)],
        SERIES[2].mix(0.15).filled(),
    ))?;
    area.draw(&Rectangle::new(
        [(f_x - 50, sum_y - 30), (f_x + 50, sum_y + 30)],
        SERIES[2].stroke_width(2),
    ))?;
    area.draw_text("f = ReLU", &centred, (f_x, sum_y))?;
    area.draw(&PathElement::new(
        [(f_x + 50, sum_y), (out_x - 20, sum_y)],
        edge,
    ))?;
    area.draw(&Polygon::new(
        vec![
            (out_x - 20, sum_y - 7),
            (out_x - 6, sum_y),
            (out_x - 20, sum_y + 7),
        ],
        BLACK.filled(),
    ))?;
    area.draw_text(&format!("a = {a}"), &centred, (out_x - 30, sum_y + 30))?;
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
