//! `train --report` and `eval --report`: each SVG parses as XML and draws the series its
//! CSV holds (one line per kept feature over every lambda of the path, one CV point per
//! lambda, the ROC staircase), the marked lambdas are the model's, and the page needs no
//! script or network. The page in a real browser: bench/report.sh.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;

use sparsetext::report::{PATH_MAX_LINES, ROC_FPR_HI, ROC_FPR_LO, WORDS_PER_SIDE};

use crate::util::{Dir, assert_one_line_error, sample, shared_model, stderr, stdout};

/// A CSV file as its header and rows (RFC 4180 quoting: the report quotes terms).
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let mut rows = Vec::new();
    let (mut row, mut field) = (Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(
        field.is_empty() && row.is_empty(),
        "{path:?} ends with a newline"
    );
    let header = rows.remove(0);
    assert!(rows.iter().all(|r| r.len() == header.len()), "{path:?}");
    (header, rows)
}

fn column(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).expect(name)
}

fn number(text: &str) -> f64 {
    text.parse()
        .unwrap_or_else(|_| panic!("not a number: {text:?}"))
}

/// The SVG file, checked to parse as XML with an `svg` root.
fn read_svg(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    assert_eq!(doc.root_element().tag_name().name(), "svg", "{path:?}");
    text
}

/// The point counts of the SVG's polylines, but the axes' and ticks' (plotters draws them
/// in black; the series and marks have colors of their own).
fn polyline_lengths(svg: &str) -> Vec<usize> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("polyline") && n.attribute("stroke") != Some("#000000"))
        .map(|n| {
            n.attribute("points")
                .unwrap_or("")
                .split_whitespace()
                .count()
        })
        .collect()
}

/// The SVG's texts.
fn texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect()
}

/// Elements named `tag` with attribute `name` = `value`.
fn count_with(svg: &str, tag: &str, name: &str, value: &str) -> usize {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name(tag) && n.attribute(name) == Some(value))
        .count()
}

/// The model file's lambda, as `inspect --json` gives it.
fn model_lambda(dir: &Dir, model: &str) -> f64 {
    let out = dir.run(&["inspect", "--json", model]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    json["lambda"].as_f64().unwrap()
}

/// The page: every picture inline, no script, nothing fetched.
fn check_page(page: &Path, figures: &[&str]) -> String {
    let html = std::fs::read_to_string(page).unwrap();
    assert!(!html.contains("<script"), "no script");
    assert!(!html.contains("src="), "nothing loaded from elsewhere");
    let without_xmlns = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(!without_xmlns.contains("://"), "no network address");
    assert_eq!(
        html.matches("<svg").count(),
        figures.len(),
        "inline pictures"
    );
    for name in figures {
        assert!(html.contains(&format!("href=\"{name}.csv\"")), "{name}");
    }
    html
}

/// `train` on the sample with `extra` flags, the model m.model, the report in r/.
fn train_with_report(dir: &Dir, extra: &[&str]) -> Output {
    let sample = sample().display().to_string();
    let mut args = vec![
        "train",
        &sample,
        "--no-store",
        "-o",
        "m.model",
        "--report",
        "r",
    ];
    args.extend_from_slice(extra);
    dir.run(&args)
}

/// The ROC picture draws the staircase of roc.csv's points inside the axis.
fn check_roc(dir: &Path) {
    let (header, rows) = read_csv(&dir.join("roc.csv"));
    let (fpr, tpr) = (column(&header, "fpr"), column(&header, "tpr"));
    let points: Vec<(f64, f64)> = rows
        .iter()
        .map(|r| (number(&r[fpr]), number(&r[tpr])))
        .collect();
    assert_eq!(points[0], (0.0, 0.0));
    assert_eq!(*points.last().unwrap(), (1.0, 1.0));
    assert!(
        points
            .windows(2)
            .all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1)
    );
    // One step across and up per distinct rate inside the axis, and the two ends.
    let rates: BTreeSet<u64> = (points.iter())
        .filter(|p| p.0 > ROC_FPR_LO && p.0 <= ROC_FPR_HI)
        .map(|p| p.0.to_bits())
        .collect();
    let svg = read_svg(&dir.join("roc.svg"));
    let curve = polyline_lengths(&svg);
    assert_eq!(curve, vec![2 * rates.len() + 2], "{svg}");
}

#[test]
fn train_report_draws_the_path_and_the_cv_curve_with_the_models_lambda() {
    let dir = Dir::new();
    let out = train_with_report(&dir, &["--cv", "5", "--nlambda", "30"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("report:      r/index.html"));
    let lambda = model_lambda(&dir, "m.model");
    let r = dir.path("r");

    // path.csv: every drawn feature at every lambda; the chosen lambda is the model's.
    let (header, rows) = read_csv(&r.join("path.csv"));
    let (l, chosen, term) = (
        column(&header, "lambda"),
        column(&header, "chosen"),
        column(&header, "term"),
    );
    let lambdas: BTreeSet<u64> = rows.iter().map(|r| number(&r[l]).to_bits()).collect();
    let terms: BTreeSet<&str> = rows.iter().map(|r| r[term].as_str()).collect();
    assert!(
        lambdas.len() > 5 && lambdas.len() <= 30,
        "{}",
        lambdas.len()
    );
    assert!(!terms.is_empty() && terms.len() <= PATH_MAX_LINES);
    assert_eq!(rows.len(), lambdas.len() * terms.len());
    let marked: BTreeSet<u64> = (rows.iter())
        .filter(|r| r[chosen] == "1")
        .map(|r| number(&r[l]).to_bits())
        .collect();
    assert_eq!(marked, BTreeSet::from([lambda.to_bits()]));

    // path.svg: a line per feature through every lambda; the mark names the model's lambda.
    let svg = read_svg(&r.join("path.svg"));
    let lines = polyline_lengths(&svg);
    let full = lines.iter().filter(|&&n| n == lambdas.len()).count();
    assert_eq!(full, terms.len(), "one line per feature");
    assert!(lines.contains(&2), "the chosen lambda's mark");
    let mark = format!("lambda = {lambda:.3e} (lambda_min of 5-fold CV)");
    assert!(texts(&svg).contains(&mark), "{mark}");

    // cv.csv: one row per lambda of the path, lambda_min and lambda_1se marked once each.
    let (header, cv) = read_csv(&r.join("cv.csv"));
    assert_eq!(cv.len(), lambdas.len());
    let (l, marks) = (column(&header, "lambda"), column(&header, "mark"));
    let marked = |name: &str| -> Vec<f64> {
        (cv.iter())
            .filter(|r| r[marks].split(' ').any(|m| m == name))
            .map(|r| number(&r[l]))
            .collect()
    };
    let (lambda_min, lambda_1se) = (marked("lambda_min"), marked("lambda_1se"));
    assert_eq!(lambda_min, vec![lambda], "--rule min chose lambda_min");
    assert_eq!(marked("chosen"), vec![lambda]);
    assert_eq!(lambda_1se.len(), 1);
    assert!(lambda_1se[0] >= lambda_min[0]);
    let summary = stdout(&out);
    assert!(
        summary.contains(&format!("lambda_1se {:.4e}", lambda_1se[0])),
        "{summary}"
    );

    // cv.svg: a point per lambda in each panel, both marks labelled with their lambdas.
    let svg = read_svg(&r.join("cv.svg"));
    let points = count_with(&svg, "circle", "r", "3");
    assert_eq!(points, 2 * lambdas.len());
    let labels = texts(&svg);
    for (name, value) in [("lambda_min", lambda_min[0]), ("lambda_1se", lambda_1se[0])] {
        let label = format!("{name} = {value:.3e}");
        assert!(labels.contains(&label), "{label}: {labels:?}");
    }

    check_roc(&r);
    let roc = read_svg(&r.join("roc.svg"));
    let roc_texts = texts(&roc);
    assert!(roc_texts.iter().any(|t| t.contains("out-of-fold")));
    // The marks are the model's spam cut and the low end of its unsure band.
    let out = dir.run(&["inspect", "--json", "m.model"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let unsure = json["unsure"]
        .as_array()
        .expect("a CV model has an unsure band");
    for (name, cut) in [
        ("spam at p >= ", &unsure[1]),
        ("unsure from p >= ", &unsure[0]),
    ] {
        let mark = format!("{name}{:.3}: FPR ", cut.as_f64().unwrap());
        assert!(
            roc_texts.iter().any(|t| t.starts_with(&mark)),
            "{mark}: {roc_texts:?}"
        );
    }

    // words.csv: the strongest words as `words` lists them; a bar each.
    let (header, words) = read_csv(&r.join("words.csv"));
    let (side, term, weight) = (
        column(&header, "side"),
        column(&header, "term"),
        column(&header, "weight"),
    );
    let listed = dir.run(&["words", "-m", "m.model"]);
    let listed: Vec<(String, f64)> = stdout(&listed)
        .lines()
        .map(|l| {
            let (w, t) = l.split_once('\t').unwrap();
            (t.to_string(), number(w))
        })
        .collect();
    let spam: Vec<(String, f64)> = (words.iter())
        .filter(|r| r[side] == "spam")
        .map(|r| (r[term].clone(), number(&r[weight])))
        .collect();
    assert_eq!(spam.len(), WORDS_PER_SIDE);
    for ((t, w), (lt, lw)) in spam.iter().zip(&listed) {
        assert_eq!(t, lt);
        assert!((w - lw).abs() < 1e-4, "{t}: {w} vs {lw}");
    }
    let svg = read_svg(&r.join("words.svg"));
    assert_eq!(count_with(&svg, "rect", "fill", "#C82828"), spam.len());
    assert_eq!(
        count_with(&svg, "rect", "fill", "#1E5AC8"),
        words.len() - spam.len()
    );

    let html = check_page(&r.join("index.html"), &["path", "cv", "roc", "words"]);
    assert!(html.contains("corpora/sample/spam"), "the folders read");
    assert!(!html.contains("fixed lambda"));
}

#[test]
fn fixed_lambda_report_draws_the_way_down_and_says_so() {
    let dir = Dir::new();
    let out = train_with_report(&dir, &["--lambda", "0.003"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r = dir.path("r");
    assert!(!r.join("cv.svg").exists() && !r.join("cv.csv").exists());

    let (header, rows) = read_csv(&r.join("path.csv"));
    let (l, chosen) = (column(&header, "lambda"), column(&header, "chosen"));
    let lambdas: Vec<f64> = rows.iter().map(|r| number(&r[l])).collect();
    let smallest = lambdas.iter().copied().fold(f64::INFINITY, f64::min);
    assert_eq!(smallest, 0.003, "the path ends at the lambda");
    assert_eq!(smallest, model_lambda(&dir, "m.model"));
    assert!(
        rows.iter()
            .all(|r| (r[chosen] == "1") == (number(&r[l]) == 0.003))
    );
    let largest = lambdas.iter().copied().fold(0.0, f64::max);
    let weight = column(&header, "weight");
    assert!(
        (rows.iter())
            .filter(|r| number(&r[l]) == largest)
            .all(|r| number(&r[weight]) == 0.0),
        "the way down starts at lambda_max, where every weight is 0"
    );
    let distinct: BTreeSet<u64> = lambdas.iter().map(|x| x.to_bits()).collect();
    let terms: BTreeSet<&str> = rows
        .iter()
        .map(|r| r[column(&header, "term")].as_str())
        .collect();
    let svg = read_svg(&r.join("path.svg"));
    let full = (polyline_lengths(&svg).iter())
        .filter(|&&n| n == distinct.len())
        .count();
    assert_eq!(full, terms.len(), "one line per feature down to the lambda");

    check_roc(&r);
    let roc = read_svg(&r.join("roc.svg"));
    assert!(texts(&roc).iter().any(|t| t.contains("training messages")));
    let html = check_page(&r.join("index.html"), &["path", "roc", "words"]);
    assert!(
        html.contains("fixed lambda"),
        "the page says why there is no CV"
    );
}

#[test]
fn eval_report_draws_the_scores_and_lists_the_nearest_messages() {
    let dir = Dir::new();
    let model = shared_model().display().to_string();
    let sample = sample().display().to_string();
    let out = dir.run(&["eval", "-m", &model, &sample, "--json", "--report", "r"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let r = dir.path("r");
    check_roc(&r);

    // scores.csv: every message in one bin; a bar per non-empty bin and class.
    let (header, bins) = read_csv(&r.join("scores.csv"));
    let (ham, spam) = (column(&header, "ham"), column(&header, "spam"));
    let total = |c: usize| bins.iter().map(|b| number(&b[c])).sum::<f64>();
    assert_eq!(total(spam), json["spam"].as_f64().unwrap());
    assert_eq!(total(ham), json["ham"].as_f64().unwrap());
    let bars = |c: usize| bins.iter().filter(|b| b[c] != "0").count();
    let svg = read_svg(&r.join("scores.svg"));
    // The legend draws one more of each color.
    assert_eq!(count_with(&svg, "rect", "fill", "#C82828"), bars(spam) + 1);
    assert_eq!(count_with(&svg, "rect", "fill", "#1E5AC8"), bars(ham) + 1);

    let html = check_page(&r.join("index.html"), &["roc", "scores"]);
    let c = &json["confusion"];
    for (row, a, b) in [("spam", "tp", "fn"), ("ham", "fp", "tn")] {
        let cells = format!(
            "<tr><th>{row}</th><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            c[a], c[b]
        );
        assert!(html.contains(&cells), "{cells}");
    }
    let after = html.split("nearest the threshold").nth(1).unwrap();
    let nearest = after.split("</table>").next().unwrap();
    let listed = nearest.matches("corpora/sample/").count();
    assert_eq!(listed, 20, "the messages by name");
}

#[test]
fn report_into_a_file_fails_before_training() {
    let dir = Dir::new();
    dir.write("taken", "a file, not a folder");
    let sample = sample().display().to_string();
    let out = dir.run(&["train", &sample, "-o", "m.model", "--report", "taken"]);
    assert_one_line_error(&out, &["taken"]);
    assert!(!dir.path("m.model").exists(), "no model from a failed run");
}
