//! `cv.svg`: the cross-validation curve, as glmnet's `plot(cv.fit)` draws it: per lambda
//! the mean held-out deviance with one-standard-error bars, `lambda_min` and `lambda_1se`
//! marked (glmnet: R/plot.cv.glmnet.R); a second panel draws the held-out AUC the same
//! way.

use std::fmt::Write;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::svg::{self, FONT, MARK, MARK2, SPAM};
use super::{Figure, csv_field};
use crate::solver::CvResult;

/// Half the width of an error bar's cap, as a factor on lambda.
const CAP: f64 = 1.025;

/// The curves of `cv`; `chosen` is the model's index on its path.
pub(super) fn figure(cv: &CvResult, chosen: usize) -> Result<Figure, String> {
    let mut csv = String::from("lambda,nonzero,deviance_mean,deviance_se,auc_mean,auc_se,mark\n");
    for (k, &lambda) in cv.lambdas.iter().enumerate() {
        let nonzero = cv.path.fits.get(k).map_or(0, |f| f.weights.len());
        let _ = writeln!(
            csv,
            "{lambda},{nonzero},{},{},{},{},{}",
            cv.deviance_mean[k],
            cv.deviance_se[k],
            cv.auc_mean[k],
            cv.auc_se[k],
            csv_field(&marks(cv, chosen, k).join(" ")),
        );
    }
    let folds = cv.fold_paths.len();
    let title = format!("{folds}-fold cross-validation along the path");
    let svg = svg::render((svg::SIZE.0, 820), |root| {
        let (top, bottom) = root.split_vertically(430);
        let deviance = Panel {
            cv,
            mean: &cv.deviance_mean,
            se: &cv.deviance_se,
            y_desc: "held-out binomial deviance",
            caption: &title,
        };
        deviance.draw(&top, true)?;
        let auc = Panel {
            cv,
            mean: &cv.auc_mean,
            se: &cv.auc_se,
            y_desc: "held-out AUC",
            caption: "",
        };
        auc.draw(&bottom, false)
    })?;
    Ok(Figure {
        name: "cv",
        title,
        svg,
        csv,
    })
}

/// The names of the marks at index `k`: `lambda_min`, `lambda_1se`, `chosen`.
fn marks(cv: &CvResult, chosen: usize, k: usize) -> Vec<&'static str> {
    let mut marks = Vec::new();
    if k == cv.index_min {
        marks.push("lambda_min");
    }
    if k == cv.index_1se {
        marks.push("lambda_1se");
    }
    if k == chosen {
        marks.push("chosen");
    }
    marks
}

/// One panel: a mean and its standard error per lambda.
struct Panel<'a> {
    cv: &'a CvResult,
    mean: &'a [f64],
    se: &'a [f64],
    y_desc: &'a str,
    caption: &'a str,
}

impl Panel<'_> {
    fn draw(&self, area: &svg::Area, label_marks: bool) -> svg::DrawResult {
        let lambdas = &self.cv.lambdas;
        let smallest = lambdas.iter().copied().fold(f64::INFINITY, f64::min);
        let largest = lambdas.iter().copied().fold(0.0, f64::max);
        let decades = (largest / smallest).log10().max(0.5);
        let margin = 10f64.powf(0.03 * decades);
        let (x_lo, x_hi) = (smallest / margin, largest * margin);
        let (mut y_lo, mut y_hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for (m, s) in self.mean.iter().zip(self.se) {
            let s = if s.is_finite() { *s } else { 0.0 };
            if m.is_finite() {
                y_lo = y_lo.min(m - s);
                y_hi = y_hi.max(m + s);
            }
        }
        if !y_lo.is_finite() {
            (y_lo, y_hi) = (0.0, 1.0);
        }
        let pad = ((y_hi - y_lo) * 0.08).max(1e-3);
        let (y_lo, y_hi) = (y_lo - pad, y_hi + pad);

        let mut builder = ChartBuilder::on(area);
        builder
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(70);
        if !self.caption.is_empty() {
            builder.caption(self.caption, (FONT, 20));
        }
        let mut chart = builder.build_cartesian_2d((x_lo..x_hi).log_scale(), y_lo..y_hi)?;
        chart
            .configure_mesh()
            .x_desc("lambda (log scale)")
            .y_desc(self.y_desc)
            .x_label_formatter(&|v| format!("{v:.0e}"))
            .y_label_formatter(&|v| format!("{v:.3}"))
            .light_line_style(TRANSPARENT)
            .draw()?;

        for (k, &lambda) in lambdas.iter().enumerate() {
            let (m, s) = (self.mean[k], self.se[k]);
            if !m.is_finite() || !s.is_finite() {
                continue;
            }
            let bar = SPAM.mix(0.6).stroke_width(1);
            chart.draw_series([
                PathElement::new(vec![(lambda, m - s), (lambda, m + s)], bar),
                PathElement::new(vec![(lambda / CAP, m + s), (lambda * CAP, m + s)], bar),
                PathElement::new(vec![(lambda / CAP, m - s), (lambda * CAP, m - s)], bar),
            ])?;
        }
        let points = (lambdas.iter().zip(self.mean))
            .filter(|(_, m)| m.is_finite())
            .map(|(&l, &m)| Circle::new((l, m), 3, SPAM.filled()));
        chart.draw_series(points)?;

        let marked = [
            ("lambda_min", self.cv.lambda_min, MARK),
            ("lambda_1se", self.cv.lambda_1se, MARK2),
        ];
        for (row, (name, lambda, color)) in marked.into_iter().enumerate() {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(lambda, y_lo), (lambda, y_hi)],
                color.stroke_width(2),
            )))?;
            if label_marks {
                let y = y_hi - (y_hi - y_lo) * (0.06 + 0.07 * row as f64);
                chart.draw_series(std::iter::once(Text::new(
                    format!("{name} = {}", svg::lambda_text(lambda)),
                    (lambda * 1.04, y),
                    svg::text(13, color, HPos::Left, VPos::Center),
                )))?;
            }
        }
        Ok(())
    }
}
