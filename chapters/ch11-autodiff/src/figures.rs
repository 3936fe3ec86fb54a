//! The chapter's figures: computational graphs, drawn from the engines'
//! own records.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use shared::figures::{DrawResult, FRAME, text_style, title_style};

use crate::mlp::{Activation, Cost, Network};
use crate::scalar::{Value, chain_gradient};
use crate::tensor::Tape;

shared::figure_list! {
    "ch11-neuron-graph", (860, 210) => neuron_graph;
    "ch11-shares", (620, 230) => shares_graph;
    "ch11-tape", (980, 210) => tape_graph;
}

/// One node to draw: a title, lines under it, whether it is a leaf (an
/// input or parameter) and which nodes feed it.
pub struct Drawn {
    /// "w1", "+", "A·B".
    pub title: String,
    /// Lines under the title.
    pub lines: Vec<String>,
    /// Leaves are drawn in blue.
    pub leaf: bool,
    /// Indices (into the same list) of its inputs.
    pub inputs: Vec<usize>,
}

/// Columns for a graph listed inputs-first: an operation one column right
/// of its furthest input, a leaf one column left of its first consumer.
pub fn columns(nodes: &[Drawn]) -> Vec<usize> {
    let mut depth = vec![0usize; nodes.len()];
    for (k, node) in nodes.iter().enumerate() {
        if let Some(d) = node.inputs.iter().map(|&i| depth[i]).max() {
            depth[k] = d + 1;
        }
    }
    let mut column = depth.clone();
    for (k, node) in nodes.iter().enumerate() {
        if node.leaf {
            let consumers = nodes
                .iter()
                .enumerate()
                .filter(|(_, n)| n.inputs.contains(&k));
            let first = consumers.map(|(j, _)| depth[j]).min().unwrap_or(1);
            column[k] = first.saturating_sub(1);
        }
    }
    column
}

/// Each node's (column, row), and the number of rows: in each column its
/// leaves, then its operations below the leaves.
pub fn grid(nodes: &[Drawn]) -> (Vec<(usize, usize)>, usize) {
    let column = columns(nodes);
    let columns_used = column.iter().max().map_or(1, |c| c + 1);
    // each column: its leaves, then its operations
    let (mut leaves, mut ops) = (
        vec![Vec::new(); columns_used],
        vec![Vec::new(); columns_used],
    );
    for (k, node) in nodes.iter().enumerate() {
        match node.leaf {
            true => leaves[column[k]].push(k),
            false => ops[column[k]].push(k),
        }
    }
    // operations start in the row below the most leaves any of their
    // columns has; a column with no operation may use that row for a leaf
    let op_row = (0..columns_used)
        .filter(|&c| !ops[c].is_empty())
        .map(|c| leaves[c].len())
        .max()
        .unwrap_or(0);
    let row_count = (0..columns_used)
        .map(|c| leaves[c].len().max(op_row + ops[c].len()))
        .max()
        .unwrap_or(1);
    let position = |list: &[usize], k: usize| {
        list.iter().position(|&j| j == k).unwrap_or(0)
    };
    let cells = (0..nodes.len())
        .map(|k| {
            let c = column[k];
            let row = match nodes[k].leaf {
                true => position(&leaves[c], k),
                false => op_row + position(&ops[c], k),
            };
            (c, row)
        })
        .collect();
    (cells, row_count)
}

/// Draws a graph left to right: leaves in the top rows, operations in the
/// bottom row, an arrow from each input to its consumer.
pub fn draw_graph<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    nodes: &[Drawn],
    box_size: (i32, i32),
) -> DrawResult<DB> {
    let (cells, row_count) = grid(nodes);
    let columns_used = cells.iter().map(|c| c.0 + 1).max().unwrap_or(1);
    let (width, height) = area.dim_in_pixel();
    let (w, h) = box_size;
    let x_step = (width as i32 - w - 20) / (columns_used as i32 - 1).max(1);
    let y_step =
        ((height as i32 - h - 20) / (row_count as i32 - 1).max(1)).min(2 * h);
    let at = |k: usize| {
        let (c, row) = cells[k];
        (10 + c as i32 * x_step, 10 + row as i32 * y_step)
    };
    for (k, node) in nodes.iter().enumerate() {
        let (x1, y1) = at(k);
        for &i in &node.inputs {
            let (x0, y0) = at(i);
            let (from, to) = ((x0 + w, y0 + h / 2), (x1, y1 + h / 2));
            area.draw(&PathElement::new([from, to], BLACK.mix(0.6)))?;
            area.draw(&Circle::new(to, 3, BLACK.filled()))?;
        }
    }
    for (k, node) in nodes.iter().enumerate() {
        let (x, y) = at(k);
        let fill = match node.leaf {
            true => RGBColor(225, 236, 250),
            false => RGBColor(245, 245, 245),
        };
        area.draw(&Rectangle::new([(x, y), (x + w, y + h)], fill.filled()))?;
        area.draw(&Rectangle::new([(x, y), (x + w, y + h)], FRAME))?;
        let centre = Pos::new(HPos::Center, VPos::Top);
        area.draw_text(
            &node.title,
            &text_style(14.0).pos(centre),
            (x + w / 2, y + 4),
        )?;
        for (line, text) in node.lines.iter().enumerate() {
            area.draw_text(
                text,
                &text_style(12.0).pos(centre),
                (x + w / 2, y + 22 + 15 * line as i32),
            )?;
        }
    }
    Ok(())
}

/// The scalar graph of `cost`, every node with its number and gradient.
pub fn scalar_nodes(cost: &Value) -> Vec<Drawn> {
    let order = cost.topological_order();
    let index = |v: &Value| order.iter().position(|u| u.same_node(v));
    order
        .iter()
        .map(|v| {
            let leaf = v.op().is_empty();
            let title = match (leaf, v.label().as_str()) {
                (true, label) => label.to_string(),
                (false, "") => v.op().to_string(),
                (false, label) => format!("{label} = {}", v.op()),
            };
            Drawn {
                title,
                lines: vec![
                    format!("value {:.4}", v.data()),
                    format!("grad {:.4}", v.grad()),
                ],
                leaf,
                inputs: v
                    .inputs()
                    .iter()
                    .filter_map(|(u, _)| index(u))
                    .collect(),
            }
        })
        .collect()
}

/// The first neuron of chapter 6's chain and its cost, C = (σ(w x + b)
/// − y)², after the backward pass: each node's value and ∂C/∂(node).
pub fn neuron_graph<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let (cost, _, _) = chain_gradient(&[0.8], &[0.1], 1.0, 1.0);
    let area = area.titled(
        "C = (σ(w₁x + b₁) − y)²: values forward, gradients ∂C/∂node backward",
        title_style(),
    )?;
    draw_graph(&area.margin(5, 5, 5, 5), &scalar_nodes(&cost), (112, 54))
}

/// A value used twice: c = 2x + x² at x = 3. x hands its number to two
/// nodes and receives a share from each: 2 from 2x, 2x = 6 from x².
pub fn shares_graph<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let x = Value::new(3.0, "x");
    let two_x = (Value::new(2.0, "2") * x.clone()).named("2x");
    let c = (two_x + x.square().named("x²")).named("c");
    c.backward();
    let area = area.titled(
        "c = 2x + x²: x is used twice, so its gradient is the sum of two shares",
        title_style(),
    )?;
    draw_graph(&area.margin(5, 5, 5, 5), &scalar_nodes(&c), (112, 54))
}

/// The nodes of a tape, each with its shape.
pub fn tape_nodes<T: shared::Real>(
    tape: &Tape<T>,
    names: &[(usize, &str)],
) -> Vec<Drawn> {
    (0..tape.len())
        .map(|k| {
            let (op, inputs, (rows, cols), needs_grad) = tape.describe(k);
            let leaf = op.is_empty();
            let name = names.iter().find(|(j, _)| *j == k).map(|(_, n)| *n);
            let title = match (name, leaf) {
                (Some(n), _) => n.to_string(),
                (None, _) => op.to_string(),
            };
            let grad = match needs_grad {
                true => "gradient: yes",
                false => "no gradient",
            };
            Drawn {
                title,
                lines: vec![format!("({rows}, {cols})"), grad.to_string()],
                leaf,
                inputs: inputs.iter().map(|v| v.0).collect(),
            }
        })
        .collect()
}

/// The tape of one minibatch step of chapter 8's 784-256-10 network.
pub fn tape_graph<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let mut rng = shared::rng::seeded(1);
    let net = Network::<f32>::new(
        &[784, 256, 10],
        Activation::Relu,
        Activation::Softmax,
        ch06_backprop::Init::He,
        &mut rng,
    )
    .expect("valid sizes");
    let (x, y) = (
        ndarray::Array2::zeros((784, 64)),
        ndarray::Array2::zeros((10, 64)),
    );
    let mut tape = Tape::new();
    crate::mlp::record_cost(
        &mut tape,
        &net,
        x.view(),
        y.view(),
        Cost::CrossEntropy,
    );
    let names = [
        (0, "X"),
        (1, "Y"),
        (2, "W⁽¹⁾"),
        (3, "b⁽¹⁾"),
        (7, "W⁽²⁾"),
        (8, "b⁽²⁾"),
    ];
    let area = area.titled(
        "One minibatch on the tape: 784-256-10, batch of 64 (shapes of each value)",
        title_style(),
    )?;
    draw_graph(
        &area.margin(5, 5, 5, 5),
        &tape_nodes(&tape, &names),
        (104, 54),
    )
}
