//! A curve drawn in the terminal: what a training run prints at its end,
//! so a learner sees the shape of the validation curve without opening a
//! figure.

/// `values` (one per epoch or round) as a plot `height` rows tall, one
/// column per value, with the largest and smallest on the left and the
/// first and last index below. Non-finite values are left out. Returns the
/// lines, or none for no finite value.
pub fn curve(title: &str, values: &[f64], height: usize) -> Vec<String> {
    let finite: Vec<f64> =
        values.iter().copied().filter(|v| v.is_finite()).collect();
    let (Some(low), Some(high)) = (
        finite.iter().copied().reduce(f64::min),
        finite.iter().copied().reduce(f64::max),
    ) else {
        return Vec::new();
    };
    let height = height.max(2);
    let span = if high > low { high - low } else { 1.0 };
    // The row (0 at the top) a value is drawn in.
    let row = |v: f64| {
        let up = ((v - low) / span * (height - 1) as f64).round() as usize;
        height - 1 - up.min(height - 1)
    };
    let labels = [format!("{high:.4}"), format!("{low:.4}")];
    let margin = labels.iter().map(String::len).max().unwrap_or(0);
    let mut lines = vec![format!("  {title}")];
    for r in 0..height {
        let label = match r {
            0 => labels[0].clone(),
            _ if r == height - 1 => labels[1].clone(),
            _ => String::new(),
        };
        let cells: String = values
            .iter()
            .map(|&v| match v.is_finite() && row(v) == r {
                true => '●',
                false => ' ',
            })
            .collect();
        lines.push(format!("  {label:>margin$} ┤{}", cells.trim_end()));
    }
    let axis = "─".repeat(values.len());
    lines.push(format!("  {:>margin$} └{axis}", ""));
    let last = values.len().to_string();
    let gap = values.len().saturating_sub(1 + last.len());
    lines.push(format!("  {:>margin$}  1{}{last}", "", " ".repeat(gap)));
    lines
}

/// Prints [`curve`] on standard output when it is a terminal (a person
/// watching), after a run of at least two epochs or rounds; a log, a pipe
/// or the book's pasted output is left as it was.
pub fn show(title: &str, values: &[f64]) {
    use std::io::IsTerminal as _;
    if values.len() < 2 || !std::io::stdout().is_terminal() {
        return;
    }
    for line in curve(title, values, 8) {
        crate::say!("{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rising_curve_climbs_from_the_bottom_row_to_the_top() {
        let lines = curve("accuracy", &[0.1, 0.5, 0.9], 3);
        assert_eq!(lines[0], "  accuracy");
        assert_eq!(lines[1], "  0.9000 ┤  ●");
        assert_eq!(lines[2], "         ┤ ●");
        assert_eq!(lines[3], "  0.1000 ┤●");
        assert_eq!(lines[4], "         └───");
        assert_eq!(lines[5], "          1 3");
    }

    #[test]
    fn a_flat_or_broken_curve_still_draws_or_says_nothing() {
        let flat = curve("flat", &[2.0, 2.0], 4);
        assert!(flat[4].ends_with("┤●●"), "{flat:?}");
        let gaps = curve("gaps", &[1.0, f64::NAN, 3.0], 2);
        assert_eq!(gaps[1], "  3.0000 ┤  ●");
        assert!(curve("none", &[f64::NAN], 3).is_empty());
    }
}
