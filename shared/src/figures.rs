//! One figure style for the whole book, and the SVG plumbing.
//!
//! A figure is a function that draws into a plotters [`DrawingArea`]. The
//! chapter libraries write their figures generic over the backend; here they
//! are rendered into SVG — into a string for tests, or into
//! `book/src/figures/NAME.svg` for the book. SVG needs no system fonts, so a
//! figure comes out byte-for-byte the same on every machine.

use std::path::{Path, PathBuf};

use ndarray::ArrayView2;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::Error;
use crate::files::write_atomically;

/// The result of drawing into an area of backend `DB`.
pub type DrawResult<DB> =
    Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A figure's drawing function, rendered into SVG.
pub type DrawSvg = for<'a, 'b> fn(
    &'b DrawingArea<SVGBackend<'a>, Shift>,
) -> DrawResult<SVGBackend<'a>>;

/// The usual figure size in pixels: wide enough for a chart with a legend.
pub const SIZE: (u32, u32) = (640, 400);

/// The font family of every label (SVG viewers pick a local sans-serif).
pub const FONT: &str = "sans-serif";

/// Colours for the lines of a chart, in order: the Okabe–Ito palette, which
/// stays distinguishable for colour-blind readers.
pub const SERIES: [RGBColor; 6] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(213, 94, 0),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
];

/// Positive weights in heat maps (3Blue1Brown's green).
pub const POSITIVE: RGBColor = RGBColor(0, 150, 60);
/// Negative weights in heat maps (3Blue1Brown's red).
pub const NEGATIVE: RGBColor = RGBColor(200, 30, 30);
/// Grid lines and frames.
pub const FRAME: RGBColor = RGBColor(160, 160, 160);

/// The style of a chart's caption.
pub fn title_style() -> TextStyle<'static> {
    text_style(20.0)
}

/// The style of axis labels and legends.
pub fn label_style() -> TextStyle<'static> {
    text_style(14.0)
}

/// Text of the book's font at `size` pixels (panel titles, annotations).
pub fn text_style(size: f64) -> TextStyle<'static> {
    (FONT, size).into_font().into()
}

/// A legend entry's mark: a short line in the series' colour.
pub fn legend_mark(
    color: RGBColor,
    width: u32,
) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| {
        PathElement::new([(x, y), (x + 18, y)], color.stroke_width(width))
    }
}

/// A legend entry's mark for a series of points: a dot in its colour.
pub fn legend_dot(
    color: RGBColor,
) -> impl Fn((i32, i32)) -> Circle<(i32, i32), i32> {
    move |(x, y)| Circle::new((x + 9, y), 4, color.filled())
}

/// Draws a chart's legend in the book's style at `position`.
pub fn legend<'a, DB, CT>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> DrawResult<DB>
where
    DB: DrawingBackend + 'a,
    CT: plotters::coord::CoordTranslate,
{
    chart
        .configure_series_labels()
        .position(position)
        .label_font(label_style())
        .background_style(WHITE.mix(0.9))
        .border_style(FRAME)
        .draw()
}

/// Panics unless every figure renders into a non-trivial SVG: the test each
/// chapter runs on its figures.
pub fn assert_all_render(figures: &[Figure]) {
    assert!(!figures.is_empty(), "no figures");
    for figure in figures {
        let svg = figure.render().unwrap_or_else(|e| panic!("{e}"));
        assert!(svg.len() > 1000, "{} is nearly empty", figure.name);
    }
}

/// The colour of one heat-map cell: white at 0, full green at `+scale`, full
/// red at `-scale`.
pub fn heat_color(value: f64, scale: f64) -> RGBColor {
    let t = (value.abs() / scale).clamp(0.0, 1.0);
    let target = if value >= 0.0 { POSITIVE } else { NEGATIVE };
    let mix = |c: u8| (255.0 + t * (f64::from(c) - 255.0)).round() as u8;
    RGBColor(mix(target.0), mix(target.1), mix(target.2))
}

/// Draws a matrix as a heat map of square cells: positive green, negative
/// red, white at zero, scaled so the largest magnitude is full colour.
///
/// Used for 28×28 digit images and for weight patterns alike, so the reader
/// learns one picture. `title` goes above the map; an empty title draws none.
pub fn heat_map<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    values: ArrayView2<f64>, // (rows, cols)
    title: &str,
) -> DrawResult<DB> {
    let scale = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let scale = if scale > 0.0 { scale } else { 1.0 };
    heat_map_scaled(area, values, title, scale)
}

/// A horizontal colour bar for heat maps drawn with `scale`: red at
/// −scale, white at 0, green at +scale, with those three values written
/// under it and `label` beside it.
pub fn color_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    scale: f64,
    label: &str,
) -> DrawResult<DB> {
    let (width, _) = area.dim_in_pixel();
    let (bar_width, bar_height) = (240, 12);
    let x0 = (width as i32 - bar_width) / 2;
    let steps = 60;
    for i in 0..steps {
        let v = scale * (2.0 * (f64::from(i) + 0.5) / f64::from(steps) - 1.0);
        let (a, b) =
            (x0 + i * bar_width / steps, x0 + (i + 1) * bar_width / steps);
        area.draw(&Rectangle::new(
            [(a, 4), (b, 4 + bar_height)],
            heat_color(v, scale).filled(),
        ))?;
    }
    area.draw(&Rectangle::new(
        [(x0, 4), (x0 + bar_width, 4 + bar_height)],
        FRAME,
    ))?;
    let below = label_style().pos(Pos::new(HPos::Center, VPos::Top));
    for (x, text) in [
        (x0, format!("{:.2}", -scale)),
        (x0 + bar_width / 2, "0".to_string()),
        (x0 + bar_width, format!("+{scale:.2}")),
    ] {
        area.draw_text(&text, &below, (x, 8 + bar_height))?;
    }
    let left = label_style().pos(Pos::new(HPos::Right, VPos::Center));
    area.draw_text(label, &left, (x0 - 10, 4 + bar_height / 2))?;
    Ok(())
}

/// [`heat_map`] with a fixed scale: `±scale` is full colour. Images use
/// `1.0`, so a faint stroke looks faint.
pub fn heat_map_scaled<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    values: ArrayView2<f64>, // (rows, cols)
    title: &str,
    scale: f64,
) -> DrawResult<DB> {
    let (rows, cols) = values.dim();
    let (width, height) = area.dim_in_pixel();
    let title_height = if title.is_empty() { 0 } else { 26 };
    let cell = ((width.saturating_sub(8)) / cols.max(1) as u32)
        .min(height.saturating_sub(title_height + 8) / rows.max(1) as u32)
        .max(1) as i32;
    let (w, h) = (cell * cols as i32, cell * rows as i32);
    let x0 = (width as i32 - w) / 2;
    let y0 =
        title_height as i32 + (height as i32 - title_height as i32 - h) / 2;
    if !title.is_empty() {
        let style = label_style().pos(Pos::new(HPos::Center, VPos::Top));
        area.draw_text(title, &style, (width as i32 / 2, 4))?;
    }
    for ((r, c), &v) in values.indexed_iter() {
        let (x, y) = (x0 + c as i32 * cell, y0 + r as i32 * cell);
        area.draw(&Rectangle::new(
            [(x, y), (x + cell, y + cell)],
            heat_color(v, scale).filled(),
        ))?;
    }
    area.draw(&Rectangle::new([(x0, y0), (x0 + w, y0 + h)], FRAME))?;
    Ok(())
}

/// A figure of the book: its file name and how to draw it.
#[derive(Clone, Copy)]
pub struct Figure {
    /// File name without `.svg`, e.g. `ch01-weight-pattern`.
    pub name: &'static str,
    /// Width and height in pixels.
    pub size: (u32, u32),
    /// Draws the figure onto a white canvas.
    pub draw: DrawSvg,
}

impl Figure {
    /// A figure named `name` (file name without `.svg`), `size` pixels,
    /// drawn by `draw`.
    pub const fn new(
        name: &'static str,
        size: (u32, u32),
        draw: DrawSvg,
    ) -> Self {
        Figure { name, size, draw }
    }

    /// Renders the figure into an SVG string.
    pub fn render(&self) -> Result<String, Error> {
        render_with(self.name, self.size, self.draw)
    }

    /// Renders the figure into `dir/NAME.svg` (atomically) and returns the
    /// path written.
    pub fn write_into(&self, dir: &Path) -> Result<PathBuf, Error> {
        write_with(dir, self.name, self.size, self.draw)
    }
}

/// Renders a figure with [`render_with`] (so it may draw from data) into
/// `dir/NAME.svg` (atomically) and returns the path written: the one way
/// every chapter writes a figure.
pub fn write_with<F>(
    dir: &Path,
    name: &str,
    size: (u32, u32),
    draw: F,
) -> Result<PathBuf, Error>
where
    F: for<'a, 'b> FnOnce(
        &'b DrawingArea<SVGBackend<'a>, Shift>,
    ) -> DrawResult<SVGBackend<'a>>,
{
    let svg = render_with(name, size, draw)?;
    let path = dir.join(format!("{name}.svg"));
    write_atomically(&path, svg.as_bytes())?;
    Ok(path)
}

/// A chapter's list of figures, `pub fn all() -> Vec<Figure>`, from lines
/// `"file-name", (width, height) => drawing_function;` — each drawing
/// function generic over the backend, as the chapters write them.
#[macro_export]
macro_rules! figure_list {
    ($($name:literal, $size:expr => $draw:path;)*) => {
        /// Every figure of this chapter, in the page's order.
        // The closure turns a generic drawing function into the
        // higher-ranked fn pointer `Figure` needs; the bare name does not.
        #[allow(clippy::redundant_closure)]
        pub fn all() -> Vec<$crate::figures::Figure> {
            vec![$(
                $crate::figures::Figure::new($name, $size, |area| $draw(area)),
            )*]
        }
    };
}

/// Renders any drawing function into an SVG string: for figures that need
/// data (chapter 8 draws from saved training runs). `name` is used in
/// errors.
pub fn render_with<F>(
    name: &str,
    size: (u32, u32),
    draw: F,
) -> Result<String, Error>
where
    F: for<'a, 'b> FnOnce(
        &'b DrawingArea<SVGBackend<'a>, Shift>,
    ) -> DrawResult<SVGBackend<'a>>,
{
    let fail = |e: DrawingAreaErrorKind<std::io::Error>| Error::Figure {
        name: name.to_string(),
        message: e.to_string(),
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(fail)?;
        draw(&root).map_err(fail)?;
        root.present().map_err(fail)?;
    }
    Ok(svg)
}

/// Where the book keeps its figures: `book/src/figures/` in the workspace.
/// A run writes there only when asked (`--figures-dir book/src/figures`).
pub fn book_figures_dir() -> PathBuf {
    workspace_root().join("book").join("src").join("figures")
}

/// Where a run writes its figures unless told otherwise:
/// `target/figures/`, so that a learner's experiments never change the
/// book's own figures.
pub fn default_figures_dir() -> PathBuf {
    workspace_root().join("target").join("figures")
}

/// Creates `dir` (and its parents) for figures to be written into.
pub fn create_figures_dir(dir: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })
}

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the shared crate lives inside the workspace")
}

/// `path` relative to the workspace root when it lies inside it, so that
/// printed paths read the same on every machine.
pub fn display_path(path: &Path) -> std::path::Display<'_> {
    path.strip_prefix(workspace_root())
        .unwrap_or(path)
        .display()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn heat_colors_run_from_red_through_white_to_green() {
        assert_eq!(heat_color(0.0, 1.0), RGBColor(255, 255, 255));
        assert_eq!(heat_color(1.0, 1.0), POSITIVE);
        assert_eq!(heat_color(-2.0, 1.0), NEGATIVE);
        let half = heat_color(0.5, 1.0);
        assert!(half.1 > POSITIVE.1 && half.0 < 255);
    }

    fn tiny_map<DB: DrawingBackend>(
        area: &DrawingArea<DB, Shift>,
    ) -> DrawResult<DB> {
        heat_map(area, array![[1.0, -1.0], [0.0, 0.5]].view(), "tiny")
    }

    #[test]
    fn a_figure_renders_into_svg_with_every_cell() {
        let figure = Figure {
            name: "tiny",
            size: (200, 200),
            draw: |area| tiny_map(area),
        };
        let svg = figure.render().unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("tiny"));
        // Four cells: the green and the red one are there.
        assert!(svg.contains("#00963C"), "{svg}");
        assert!(svg.contains("#C81E1E"), "{svg}");
        assert_eq!(figure.render().unwrap(), svg, "rendering is deterministic");
    }
}
