//! `scores.svg`: histograms of p(spam) for the ham and the spam of a corpus, counts on a
//! log axis (a good filter puts nearly all mail in the two end bins, and the few messages
//! in between are the ones to look at), the threshold and the unsure band marked.

use std::fmt::Write;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::Figure;
use super::roc::Decision;
use super::svg::{self, FONT, HAM, MARK, MARK2, SPAM};

/// Bins over p(spam) in [0, 1].
pub const BINS: usize = 50;

/// Counts of ham and spam per bin: bin `b` holds `b / BINS <= p < (b + 1) / BINS`, the last
/// bin also `p = 1`.
pub(super) fn counts(p: &[f64], labels: &[bool]) -> Vec<(u64, u64)> {
    let mut bins = vec![(0u64, 0u64); BINS];
    for (&p, &spam) in p.iter().zip(labels) {
        let b = ((p * BINS as f64).floor().max(0.0) as usize).min(BINS - 1);
        if spam {
            bins[b].1 += 1;
        } else {
            bins[b].0 += 1;
        }
    }
    bins
}

/// The histograms of `p` by `labels`, with `decision` marked.
pub(super) fn figure(p: &[f64], labels: &[bool], decision: Decision) -> Result<Figure, String> {
    let bins = counts(p, labels);
    let mut csv = String::from("p_low,p_high,ham,spam\n");
    for (b, (ham, spam)) in bins.iter().enumerate() {
        let (low, high) = (b as f64 / BINS as f64, (b + 1) as f64 / BINS as f64);
        let _ = writeln!(csv, "{low},{high},{ham},{spam}");
    }
    let title = "Scores of ham and spam".to_string();
    let svg = svg::render(svg::SIZE, |root| draw(root, &title, &bins, decision))?;
    Ok(Figure {
        name: "scores",
        title,
        svg,
        csv,
    })
}

fn draw(root: &svg::Area, title: &str, bins: &[(u64, u64)], decision: Decision) -> svg::DrawResult {
    let most = bins
        .iter()
        .map(|&(h, s)| h.max(s))
        .max()
        .unwrap_or(1)
        .max(1);
    // Counts from 1 up on a log axis; an empty bin draws nothing.
    let (y_lo, y_hi) = (0.7, most as f64 * 1.6);
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 20))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..1.0, (y_lo..y_hi).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("p(spam)")
        .y_desc("messages (log scale)")
        .y_label_formatter(&|v| format!("{v:.0}"))
        .light_line_style(TRANSPARENT)
        .draw()?;
    if let Some((low, high)) = decision.unsure {
        chart.draw_series(std::iter::once(Rectangle::new(
            [(low, y_lo), (high, y_hi)],
            MARK2.mix(0.15).filled(),
        )))?;
    }
    let width = 1.0 / BINS as f64;
    for (label, color, pick, shift) in [("ham", HAM, 0usize, 0.0), ("spam", SPAM, 1usize, 0.5)] {
        let bars = bins.iter().enumerate().filter_map(|(b, &(h, s))| {
            let n = [h, s][pick];
            let left = b as f64 * width + shift * width;
            (n > 0).then(|| {
                Rectangle::new(
                    [(left, y_lo), (left + width / 2.0, n as f64)],
                    color.filled(),
                )
            })
        });
        chart
            .draw_series(bars)?
            .label(label)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled()));
    }
    let t = decision.threshold;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(t, y_lo), (t, y_hi)],
        MARK.stroke_width(2),
    )))?;
    let band = decision.unsure.map_or(String::new(), |(low, high)| {
        format!(", unsure {low:.3} to {high:.3}")
    });
    chart.draw_series(std::iter::once(Text::new(
        format!("threshold {t:.3}{band}"),
        (0.5, (y_lo * y_hi).sqrt()),
        svg::text(14, MARK, HPos::Center, VPos::Center),
    )))?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperMiddle)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}
