//! What every picture shares: the canvas, the colors of the two classes, the text styles,
//! and drawing into an SVG string with plotters' SVG backend.
//!
//! plotters is built without its font features: text goes into the SVG as `<text>`
//! elements for the viewer to set in its own sans-serif font, so no font file or system
//! library is read. Text widths are plotters' estimate, which is why labels keep clear of
//! each other by generous margins rather than measured ones.

use plotters::coord::Shift;
use plotters::data::float::FloatPrettyPrinter;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// A drawing area on the SVG canvas.
pub(super) type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// What drawing on the SVG canvas can fail with (writing into a string does not, but the
/// backend's type says it may).
pub(super) type DrawResult<T = ()> = Result<T, DrawingAreaErrorKind<std::io::Error>>;

/// The canvas of a one-panel picture, in pixels.
pub(super) const SIZE: (u32, u32) = (900, 560);

/// The font family every text asks for.
pub(super) const FONT: &str = "sans-serif";

/// Spam's color: a red that stays readable on white.
pub(super) const SPAM: RGBColor = RGBColor(200, 40, 40);
/// Ham's color: a blue of the same weight.
pub(super) const HAM: RGBColor = RGBColor(30, 90, 200);
/// Marks of chosen values (lambdas, thresholds).
pub(super) const MARK: RGBColor = RGBColor(20, 20, 20);
/// A second mark, told apart from the first.
pub(super) const MARK2: RGBColor = RGBColor(230, 140, 0);

/// Draws `draw` on a canvas of `size` and returns the SVG document, or what plotters
/// said when it could not lay the picture out.
pub(super) fn render(
    size: (u32, u32),
    draw: impl FnOnce(&Area) -> DrawResult,
) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE)
            .and_then(|()| draw(&root))
            .and_then(|()| root.present())
            .map_err(|e| format!("cannot draw the picture: {e}"))?;
    }
    Ok(svg)
}

/// A text style of `size` pixels in `color`, anchored at `pos`.
pub(super) fn text(size: u32, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle {
        font: (FONT, size).into_font(),
        color: color.to_backend_color(),
        pos: Pos::new(h, v),
    }
}

/// A lambda as the pictures print it: four significant digits.
pub(super) fn lambda_text(lambda: f64) -> String {
    format!("{lambda:.3e}")
}

/// A tick's number as plotters prints it, but a tick at zero reached by adding steps
/// (a rounding error away from it, on an axis `span` long) reads "0.0", not "-0.0".
pub(super) fn tick_text(value: f64, span: f64) -> String {
    let value = if value.abs() < span * 1e-9 {
        0.0
    } else {
        value
    };
    FloatPrettyPrinter {
        allow_scientific: false,
        min_decimal: 1,
        max_decimal: 5,
    }
    .print(value)
}

/// Labels placed at `wanted` heights, kept at least `gap` apart in the same order: each
/// pushed down from the one above, then, from the lowest up, each pushed up to stay at
/// least `floor` and `gap` above the one below.
pub(super) fn spread(wanted: &[f64], gap: f64, floor: f64) -> Vec<f64> {
    let mut order: Vec<usize> = (0..wanted.len()).collect();
    order.sort_by(|&a, &b| wanted[b].total_cmp(&wanted[a]));
    let mut placed = vec![0.0; wanted.len()];
    let mut above = f64::INFINITY;
    for &i in &order {
        placed[i] = wanted[i].min(above - gap);
        above = placed[i];
    }
    let mut below = floor - gap;
    for &i in order.iter().rev() {
        placed[i] = placed[i].max(below + gap);
        below = placed[i];
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_text_drops_the_sign_of_zero() {
        assert_eq!(tick_text(-1e-17, 2.0), "0.0");
        assert_eq!(tick_text(-0.2, 2.0), "-0.2");
        assert_eq!(tick_text(1.5, 2.0), "1.5");
    }

    #[test]
    fn spread_keeps_order_and_gap() {
        let placed = spread(&[1.0, 1.01, 0.5, 1.02], 0.1, 0.0);
        assert!((placed[3] - 1.02).abs() < 1e-12, "the top one stays");
        assert!((placed[1] - 0.92).abs() < 1e-12);
        assert!((placed[0] - 0.82).abs() < 1e-12);
        assert!((placed[2] - 0.5).abs() < 1e-12, "far enough already");
        let lifted = spread(&[0.0, 0.0, 5.0], 1.0, 0.0);
        assert_eq!(lifted, vec![1.0, 0.0, 5.0], "only the crowded ones move");
    }
}
