//! The chapter's figures, each a function generic over the plotters backend.

use ch01_neuron::flatten;
use ndarray::Array2;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use shared::figures::{
    DrawResult, NEGATIVE, POSITIVE, color_bar, heat_color, heat_map,
    heat_map_scaled, label_style, text_style, title_style,
};

use crate::examples::{coat_input, coat_network, seven};
use crate::walkthrough::digit_network;

shared::figure_list! {
    "ch03-network", (900, 520) => network;
    "ch03-weight-matrices", (760, 400) => weight_matrices;
    "ch03-first-layer", (600, 700) => first_layer;
    "ch03-coat", (860, 440) => coat;
}

/// The 784-16-16-10 network looking at a drawn 7: the input as an image,
/// then each neuron as a circle as bright as its activation, and the
/// connections coloured by their weights (green +, red −).
pub fn network<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let net = digit_network();
    let image = seven();
    let trace = net.forward_trace(flatten(&image).view());
    let area = area.titled(
        "784-16-16-10 looking at a 7 (untrained: brightness = activation)",
        title_style(),
    )?;
    let (left, right) = area.split_horizontally(230);
    heat_map_scaled(&left.margin(110, 110, 10, 10), image.view(), "", 1.0)?;
    left.draw_text(
        "input: 784 pixels",
        &label_style().pos(Pos::new(HPos::Center, VPos::Top)),
        (115, 360),
    )?;

    let (_, height) = right.dim_in_pixel();
    let xs = [60, 290, 520];
    let y_of = |i: usize, n: usize| {
        // Leave 40 pixels at the bottom for the layer names.
        let top = 20.0;
        let step = (f64::from(height) - top - 40.0) / (n as f64 - 1.0);
        (top + step * i as f64) as i32
    };
    // Faint lines from the image to each first-layer neuron.
    for i in 0..16 {
        right.draw(&PathElement::new(
            [(-10, (height / 2) as i32), (xs[0], y_of(i, 16))],
            BLACK.mix(0.15),
        ))?;
    }
    // Connections between neuron layers, coloured by weight.
    for (l, layer) in net.layers.iter().enumerate().skip(1) {
        let scale = layer.w.iter().fold(0.0f64, |m, w| m.max(w.abs()));
        let (n_out, n_in) = layer.w.dim();
        for ((j, k), &w) in layer.w.indexed_iter() {
            let color = if w >= 0.0 { POSITIVE } else { NEGATIVE };
            right.draw(&PathElement::new(
                [(xs[l - 1], y_of(k, n_in)), (xs[l], y_of(j, n_out))],
                color.mix(0.1 + 0.5 * w.abs() / scale),
            ))?;
        }
    }
    for (l, a) in trace.activations.iter().skip(1).enumerate() {
        for (i, &value) in a.iter().enumerate() {
            let center = (xs[l], y_of(i, a.len()));
            right.draw(&Circle::new(
                center,
                10,
                heat_color(value, 1.0).filled(),
            ))?;
            right.draw(&Circle::new(center, 10, BLACK.stroke_width(1)))?;
            if l == 2 {
                right.draw_text(
                    &format!("{i}: {value:.2}"),
                    &label_style().pos(Pos::new(HPos::Left, VPos::Center)),
                    (center.0 + 16, center.1),
                )?;
            }
        }
    }
    for (l, label) in ["hidden 16", "hidden 16", "output 10"].iter().enumerate()
    {
        right.draw_text(
            label,
            &text_style(13.0).pos(Pos::new(HPos::Center, VPos::Top)),
            (xs[l], height as i32 - 14),
        )?;
    }
    Ok(())
}

/// W⁽²⁾ and W⁽³⁾ of the untrained network as heat maps.
pub fn weight_matrices<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let net = digit_network();
    let area = area.titled(
        "Weight matrices, rows = neurons, columns = inputs",
        title_style(),
    )?;
    let (maps, bar) = area.split_vertically(340);
    let (left, right) = maps.split_horizontally(380);
    // One colour scale for both, so equal colours mean equal weights.
    let (w2, w3) = (net.layers[1].w.view(), net.layers[2].w.view());
    let scale = w2.iter().chain(w3).fold(0.0f64, |m, v| m.max(v.abs()));
    heat_map_scaled(&left, w2, "W(2): 16×16", scale)?;
    heat_map_scaled(&right, w3, "W(3): 10×16", scale)?;
    color_bar(&bar, scale, "weight")
}

/// The 16 rows of W⁽¹⁾, each reshaped to 28×28: what each first-layer
/// neuron looks for, before any training (chapter 8 shows them after).
pub fn first_layer<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let net = digit_network();
    let area = area.titled(
        "First-layer weights as 28×28 patterns (untrained)",
        title_style(),
    )?;
    let w = &net.layers[0].w; // (16, 784)
    for (j, panel) in area.split_evenly((4, 4)).iter().enumerate() {
        let pattern = Array2::from_shape_vec((28, 28), w.row(j).to_vec())
            .expect("784 = 28·28");
        heat_map(
            &panel.margin(4, 4, 4, 4),
            pattern.view(),
            &format!("neuron {}", j + 1),
        )?;
    }
    Ok(())
}

/// The coat network with its numbers: every weight on its edge,
/// every bias and value in its neuron, computed by the network itself, and
/// the shapes of the two matrix products underneath.
pub fn coat<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let net = coat_network();
    let x = coat_input();
    let trace = net.forward_trace(x.view());
    let area =
        area.titled("The coat network at 10 °C, rain, wind", title_style())?;
    let centred = label_style().pos(Pos::new(HPos::Center, VPos::Center));
    let column = |n: usize, x: i32| -> Vec<(i32, i32)> {
        (0..n)
            .map(|i| (x, 60 + (i as i32 * 2 + 1) * 260 / (2 * n as i32)))
            .collect()
    };
    let layers = [column(3, 90), column(2, 420), column(1, 740)];
    let names = ["temperature", "rain", "wind"];
    // Edges first, so the neurons are drawn over them.
    for (l, layer) in net.layers.iter().enumerate() {
        for ((j, i), &w) in layer.w.indexed_iter() {
            let (from, to) = (layers[l][i], layers[l + 1][j]);
            let color = if w >= 0.0 { POSITIVE } else { NEGATIVE };
            area.draw(&PathElement::new([from, to], color.stroke_width(2)))?;
            // The weight's label a third of the way from the target.
            let (lx, ly) =
                ((from.0 + 2 * to.0) / 3, (from.1 + 2 * to.1) / 3 - 10);
            area.draw_text(&format!("{w}"), &centred, (lx, ly))?;
        }
    }
    for (i, &(cx, cy)) in layers[0].iter().enumerate() {
        area.draw(&Circle::new((cx, cy), 34, WHITE.filled()))?;
        area.draw(&Circle::new((cx, cy), 34, BLACK.stroke_width(2)))?;
        area.draw_text(names[i], &centred, (cx, cy - 8))?;
        area.draw_text(&format!("x = {}", x[i]), &centred, (cx, cy + 10))?;
    }
    for (l, layer) in net.layers.iter().enumerate() {
        for (j, &(cx, cy)) in layers[l + 1].iter().enumerate() {
            let (z, a) = (trace.zs[l][j], trace.activations[l + 1][j]);
            area.draw(&Circle::new((cx, cy), 46, WHITE.filled()))?;
            area.draw(&Circle::new((cx, cy), 46, BLACK.stroke_width(2)))?;
            area.draw_text(
                &format!("b = {}", layer.b[j]),
                &centred,
                (cx, cy - 20),
            )?;
            area.draw_text(&format!("z = {z}"), &centred, (cx, cy))?;
            let f = layer.activation.name();
            area.draw_text(&format!("{f} → {a:.2}"), &centred, (cx, cy + 20))?;
        }
    }
    let shapes = "W⁽¹⁾ (2×3) · x (3) + b⁽¹⁾ (2) = z⁽¹⁾ (2),   \
                  W⁽²⁾ (1×2) · a⁽¹⁾ (2) + b⁽²⁾ (1) = z⁽²⁾ (1)";
    area.draw_text(shapes, &centred, (430, 360))?;
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
