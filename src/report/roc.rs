//! `roc.svg`: the ROC curve where a mail user lives, the false-positive rate from 0.01% to
//! 10% on a log axis (the TREC spam track drew its ROC curves on logit axes for the same
//! reason: Cormack and Lynam 2005, "TREC 2005 Spam Track Overview", section 3). On a log
//! axis the curve is drawn as the best spam recall reachable at each false-positive rate
//! or below: flat between two rates a threshold can reach, rising at each. The model's
//! threshold, and the low end of its unsure band, are marked where they fall.

use std::fmt::Write;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::Figure;
use super::svg::{self, FONT, MARK, MARK2, SPAM};
use crate::metrics::{Confusion, RocPoint, roc_curve};

/// The axis's lowest false-positive rate: 1 ham in 10,000.
pub const FPR_LO: f64 = 1e-4;
/// The axis's highest false-positive rate.
pub const FPR_HI: f64 = 0.1;

/// The model's decision, to mark on the curve.
#[derive(Clone, Copy, Debug)]
pub(super) struct Decision {
    pub threshold: f64,
    pub unsure: Option<(f64, f64)>,
}

/// The ROC curve of probabilities `p` against `labels`; `scores` says what they are (in
/// the title).
pub(super) fn figure(
    p: &[f64],
    labels: &[bool],
    decision: Decision,
    scores: &str,
) -> Result<Figure, String> {
    let curve = roc_curve(p, labels);
    let mut csv = String::from("threshold,fpr,tpr\n");
    for point in &curve {
        let _ = writeln!(csv, "{},{},{}", point.threshold, point.fpr, point.tpr);
    }
    let steps = steps(&curve);
    let title = format!("ROC curve: {scores}");
    let spam_at = decision.unsure.map_or(decision.threshold, |(_, high)| high);
    let mut marks = vec![(
        format!("spam at p >= {spam_at:.3}"),
        Confusion::new(p, labels, spam_at),
        MARK,
    )];
    if let Some((low, _)) = decision.unsure {
        marks.push((
            format!("unsure from p >= {low:.3}"),
            Confusion::new(p, labels, low),
            MARK2,
        ));
    }
    let svg = svg::render(svg::SIZE, |root| draw(root, &title, &steps, &marks))?;
    Ok(Figure {
        name: "roc",
        title,
        svg,
        csv,
    })
}

/// The drawn curve: the best recall at each FPR in `[FPR_LO, FPR_HI]`, as vertices of a
/// staircase. It starts at `FPR_LO` with the best recall there, then at each distinct
/// reachable FPR inside the axis steps across and up, and ends at `FPR_HI`.
pub(super) fn steps(curve: &[RocPoint]) -> Vec<(f64, f64)> {
    let mut best = curve
        .iter()
        .filter(|q| q.fpr <= FPR_LO)
        .fold(0.0f64, |a, q| a.max(q.tpr));
    let mut vertices = vec![(FPR_LO, best)];
    for (i, q) in curve.iter().enumerate() {
        // The last point of each FPR has its best recall (TPR grows along the curve).
        let last_of_rate = curve.get(i + 1).is_none_or(|next| next.fpr > q.fpr);
        if q.fpr > FPR_LO && q.fpr <= FPR_HI && last_of_rate {
            vertices.push((q.fpr, best));
            best = q.tpr;
            vertices.push((q.fpr, best));
        }
    }
    vertices.push((FPR_HI, best));
    vertices
}

/// A rate as a percentage with the digits it needs.
fn percent(rate: f64) -> String {
    let pct = 100.0 * rate;
    if pct >= 1.0 || pct == 0.0 {
        format!("{pct:.0}%")
    } else {
        format!("{pct:.2}%")
    }
}

fn draw(
    root: &svg::Area,
    title: &str,
    steps: &[(f64, f64)],
    marks: &[(String, Confusion, RGBColor)],
) -> svg::DrawResult {
    let lowest = steps.iter().map(|v| v.1).fold(1.0f64, f64::min);
    let y_lo = ((lowest * 10.0).floor() / 10.0).clamp(0.0, 0.9);
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 20))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(60)
        .build_cartesian_2d((FPR_LO..FPR_HI).log_scale(), y_lo..1.005)?;
    chart
        .configure_mesh()
        .x_desc("false-positive rate: ham called spam (log scale)")
        .y_desc("spam recall (true-positive rate)")
        .x_label_formatter(&|v| percent(*v))
        .y_label_formatter(&|v| format!("{:.0}%", 100.0 * v))
        .light_line_style(TRANSPARENT)
        .draw()?;
    chart.draw_series(std::iter::once(PathElement::new(
        steps.to_vec(),
        SPAM.stroke_width(2),
    )))?;
    for (row, (name, c, color)) in marks.iter().enumerate() {
        let (fpr, tpr) = (c.fpr(), c.recall());
        let x = fpr.clamp(FPR_LO, FPR_HI);
        let y = tpr.max(y_lo);
        chart.draw_series(std::iter::once(Circle::new(
            (x, y),
            6,
            color.stroke_width(2),
        )))?;
        let label = format!(
            "{name}: FPR {}, recall {:.2}%",
            percent_exact(fpr),
            100.0 * tpr
        );
        let y_text = y_lo + (1.0 - y_lo) * (0.08 + 0.08 * row as f64);
        chart.draw_series(std::iter::once(Text::new(
            label,
            (FPR_HI / 1.1, y_text),
            svg::text(14, *color, HPos::Right, VPos::Center),
        )))?;
    }
    Ok(())
}

/// A rate in percent to two decimals, for the marks' labels.
fn percent_exact(rate: f64) -> String {
    format!("{:.2}%", 100.0 * rate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_keep_the_best_recall_at_each_rate() {
        let point = |fpr, tpr| RocPoint {
            threshold: 0.0,
            fpr,
            tpr,
        };
        let curve = [
            point(0.0, 0.0),
            point(0.0, 0.5),
            point(0.001, 0.6),
            point(0.001, 0.7),
            point(0.5, 1.0),
        ];
        assert_eq!(
            steps(&curve),
            vec![(FPR_LO, 0.5), (0.001, 0.5), (0.001, 0.7), (FPR_HI, 0.7)]
        );
    }
}
