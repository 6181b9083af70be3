//! `words.svg`: the model's strongest words of each side as a diverging bar chart: spam
//! evidence to the right in red, ham evidence to the left in blue, strongest at the top.

use std::fmt::Write;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::svg::{self, FONT, HAM, SPAM};
use super::{Figure, csv_field};
use crate::model::Model;

/// Words drawn on each side.
pub const PER_SIDE: usize = 20;

/// Words and their weights.
pub(super) type Words<'a> = Vec<(&'a str, f32)>;

/// The strongest spam words (weight descending) and ham words (weight ascending) of `model`.
pub(super) fn strongest(model: &Model) -> (Words<'_>, Words<'_>) {
    let words = model.words();
    let spam = (words.iter().filter(|w| w.1 > 0.0).take(PER_SIDE).copied()).collect();
    let ham = (words
        .iter()
        .rev()
        .filter(|w| w.1 < 0.0)
        .take(PER_SIDE)
        .copied())
    .collect();
    (spam, ham)
}

/// The bar chart of `model`'s strongest words.
pub(super) fn figure(model: &Model) -> Result<Figure, String> {
    let (spam, ham) = strongest(model);
    let mut csv = String::from("side,rank,term,weight\n");
    for (side, words) in [("spam", &spam), ("ham", &ham)] {
        for (rank, (term, weight)) in words.iter().enumerate() {
            let _ = writeln!(csv, "{side},{},{},{weight}", rank + 1, csv_field(term));
        }
    }
    let title = format!(
        "The strongest words: {} of spam, {} of ham",
        spam.len(),
        ham.len()
    );
    let rows = spam.len().max(ham.len()).max(1);
    let height = 120 + 22 * rows as u32;
    let svg = svg::render((svg::SIZE.0, height), |root| {
        draw(root, &title, &spam, &ham, rows)
    })?;
    Ok(Figure {
        name: "words",
        title,
        svg,
        csv,
    })
}

fn draw(
    root: &svg::Area,
    title: &str,
    spam: &[(&str, f32)],
    ham: &[(&str, f32)],
    rows: usize,
) -> svg::DrawResult {
    let reach = (spam.iter().chain(ham))
        .map(|w| f64::from(w.1.abs()))
        .fold(0.0f64, f64::max)
        .max(1e-3);
    // Room beyond each side's longest bar for the words written at the bars' ends.
    let x = reach * 1.9;
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 20))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(10)
        .build_cartesian_2d(-x..x, 0.0..rows as f64)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .disable_y_axis()
        .x_desc("weight: ham evidence <- 0 -> spam evidence")
        .x_label_formatter(&|v| format!("{v:+.1}"))
        .light_line_style(TRANSPARENT)
        .draw()?;
    for (words, color, h) in [(spam, SPAM, HPos::Left), (ham, HAM, HPos::Right)] {
        for (rank, (term, weight)) in words.iter().enumerate() {
            let w = f64::from(*weight);
            let top = (rows - rank) as f64 - 0.15;
            let bottom = top - 0.7;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, bottom), (w, top)],
                color.filled(),
            )))?;
            // Each word beyond its bar's end, away from zero.
            let end_x = w + w.signum() * reach * 0.02;
            chart.draw_series(std::iter::once(Text::new(
                format!("{term} ({w:+.2})"),
                (end_x, (top + bottom) / 2.0),
                svg::text(13, color, h, VPos::Center),
            )))?;
        }
    }
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, 0.0), (0.0, rows as f64)],
        BLACK.stroke_width(1),
    )))?;
    Ok(())
}
