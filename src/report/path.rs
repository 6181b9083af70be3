//! `path.svg`: the regularization path, as glmnet's `plot(fit, xvar = "lambda")` draws it
//! (Friedman, Hastie and Tibshirani 2010, figure 1): each feature the model kept, its
//! weight against lambda on a log axis over every fit of the path; the number of
//! non-zero features along the top axis; the chosen lambda marked; the strongest features
//! of each side labelled by their term at the path's smallest lambda.

use std::collections::HashMap;
use std::fmt::Write;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::svg::{self, FONT, HAM, MARK, SPAM};
use super::{Figure, csv_field};
use crate::solver::Fit;

/// The lines drawn: at most this many features, the strongest at the chosen lambda. A
/// path of thousands of lines shows no more than its strongest few hundred and weighs
/// megabytes.
pub const MAX_LINES: usize = 300;

/// Lines labelled with their term on each side (spam, ham).
const LABELLED_PER_SIDE: usize = 6;

/// Room left of the path's smallest lambda for the labels, as a fraction of the path's
/// span in decades.
const LABEL_ROOM: f64 = 0.3;

/// The path of `fits` (lambdas decreasing), the model's lambda at `chosen`, described by
/// `rule`; `term` names a column.
pub(super) fn figure(
    fits: &[Fit],
    chosen: usize,
    rule: &str,
    term: &dyn Fn(u32) -> String,
) -> Result<Figure, String> {
    assert!(chosen < fits.len(), "the chosen lambda is on the path");
    let lambdas: Vec<f64> = fits.iter().map(|f| f.lambda).collect();
    let nonzero: Vec<usize> = fits.iter().map(|f| f.weights.len()).collect();
    let mut kept = fits[chosen].weights.clone();
    kept.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
    let total_kept = kept.len();
    kept.truncate(MAX_LINES);
    let lines = weights_along(fits, &kept);
    let terms: Vec<String> = kept.iter().map(|&(j, _)| term(j)).collect();

    let mut csv = String::from("lambda,nonzero,chosen,term,weight\n");
    for (k, &lambda) in lambdas.iter().enumerate() {
        for (name, line) in terms.iter().zip(&lines) {
            let chosen = u8::from(k == chosen);
            let _ = writeln!(
                csv,
                "{lambda},{},{chosen},{},{}",
                nonzero[k],
                csv_field(name),
                line[k]
            );
        }
    }

    let title = if total_kept > kept.len() {
        format!(
            "Regularization path: the {} strongest of {total_kept} kept features",
            kept.len()
        )
    } else {
        format!("Regularization path: the {total_kept} kept features")
    };
    let labelled = labelled(&kept);
    let chart = Chart {
        lambdas: &lambdas,
        nonzero: &nonzero,
        chosen,
        rule,
        kept: &kept,
        lines: &lines,
        terms: &terms,
        labelled: &labelled,
    };
    let svg = svg::render(svg::SIZE, |root| chart.draw(root, &title))?;
    Ok(Figure {
        name: "path",
        title,
        svg,
        csv,
    })
}

/// Each kept feature's weight at each fit (0 where the fit left it out).
fn weights_along(fits: &[Fit], kept: &[(u32, f64)]) -> Vec<Vec<f64>> {
    let row: HashMap<u32, usize> = kept.iter().enumerate().map(|(i, &(j, _))| (j, i)).collect();
    let mut lines = vec![vec![0.0; fits.len()]; kept.len()];
    for (k, fit) in fits.iter().enumerate() {
        for (j, w) in &fit.weights {
            if let Some(&i) = row.get(j) {
                lines[i][k] = *w;
            }
        }
    }
    lines
}

/// Indices into `kept` (strongest first) of the lines labelled: the strongest of each sign.
fn labelled(kept: &[(u32, f64)]) -> Vec<usize> {
    let side = |positive: bool| {
        (kept.iter().enumerate())
            .filter(move |(_, (_, w))| (*w > 0.0) == positive)
            .map(|(i, _)| i)
            .take(LABELLED_PER_SIDE)
    };
    side(true).chain(side(false)).collect()
}

/// What the path picture draws.
struct Chart<'a> {
    lambdas: &'a [f64],
    nonzero: &'a [usize],
    chosen: usize,
    rule: &'a str,
    kept: &'a [(u32, f64)],
    lines: &'a [Vec<f64>],
    terms: &'a [String],
    labelled: &'a [usize],
}

impl Chart<'_> {
    fn draw(&self, root: &svg::Area, title: &str) -> svg::DrawResult {
        let smallest = self.lambdas.iter().copied().fold(f64::INFINITY, f64::min);
        let largest = self.lambdas.iter().copied().fold(0.0, f64::max);
        let decades = (largest / smallest).log10().max(1.0);
        let x_lo = smallest / 10f64.powf(LABEL_ROOM * decades);
        let x_hi = largest * 10f64.powf(0.02 * decades);
        let (mut y_lo, mut y_hi) = (0.0f64, 0.0f64);
        for w in self.lines.iter().flatten() {
            y_lo = y_lo.min(*w);
            y_hi = y_hi.max(*w);
        }
        let pad = ((y_hi - y_lo) * 0.06).max(0.05);
        let (y_lo, y_hi) = (y_lo - pad, y_hi + pad);

        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, 20))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(60)
            .top_x_label_area_size(44)
            .build_cartesian_2d((x_lo..x_hi).log_scale(), y_lo..y_hi)?
            .set_secondary_coord((x_lo..x_hi).log_scale(), y_lo..y_hi);
        chart
            .configure_mesh()
            .x_desc("lambda (log scale)")
            .y_desc("weight")
            .x_label_formatter(&|v| format!("{v:.0e}"))
            .y_label_formatter(&|v| svg::tick_text(*v, y_hi - y_lo))
            .light_line_style(TRANSPARENT)
            .draw()?;
        let nonzero_at = |v: &f64| -> String {
            if *v < smallest / 1.05 || *v > largest * 1.05 {
                return String::new();
            }
            let nearest = (0..self.lambdas.len())
                .min_by(|&a, &b| {
                    let d = |k: usize| (v.ln() - self.lambdas[k].ln()).abs();
                    d(a).total_cmp(&d(b))
                })
                .unwrap_or(0);
            self.nonzero[nearest].to_string()
        };
        chart
            .configure_secondary_axes()
            .x_desc("non-zero features")
            .x_label_formatter(&nonzero_at)
            .draw()?;

        // Weakest first, so the strongest are drawn over them.
        for i in (0..self.kept.len()).rev() {
            let color = if self.kept[i].1 > 0.0 { SPAM } else { HAM };
            let strong = self.labelled.contains(&i);
            let style = if strong {
                color.stroke_width(2)
            } else {
                color.mix(0.45).stroke_width(1)
            };
            let points = self
                .lambdas
                .iter()
                .copied()
                .zip(self.lines[i].iter().copied());
            chart.draw_series(LineSeries::new(points, style))?;
        }

        let last = self.lambdas.len() - 1;
        let wanted: Vec<f64> = self.labelled.iter().map(|&i| self.lines[i][last]).collect();
        let gap = (y_hi - y_lo) * 0.045;
        let placed = svg::spread(&wanted, gap, y_lo + gap / 2.0);
        let label_x = smallest / 1.08;
        for (&i, y) in self.labelled.iter().zip(placed) {
            let color = if self.kept[i].1 > 0.0 { SPAM } else { HAM };
            let style = svg::text(13, color, HPos::Right, VPos::Center);
            chart.draw_series(std::iter::once(Text::new(
                self.terms[i].clone(),
                (label_x, y),
                style,
            )))?;
        }

        let lambda = self.lambdas[self.chosen];
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(lambda, y_lo), (lambda, y_hi)],
            MARK.stroke_width(1),
        )))?;
        // The mark's label reads away from the nearer edge.
        let right_half = (lambda / x_lo).ln() > 0.6 * (x_hi / x_lo).ln();
        let h = if right_half { HPos::Right } else { HPos::Left };
        let nudge = if right_half { 1.0 / 1.06 } else { 1.06 };
        chart.draw_series(std::iter::once(Text::new(
            format!("lambda = {} ({})", svg::lambda_text(lambda), self.rule),
            (lambda * nudge, y_hi - gap / 2.0),
            svg::text(13, MARK, h, VPos::Center),
        )))?;
        Ok(())
    }
}
