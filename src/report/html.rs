//! `index.html`: the report's page. Plain HTML with the SVGs inline and a few lines of
//! CSS: no script, no network, no other file needed to read it.

use std::fmt::Write;

use super::{Evaluation, Figure, words};
use crate::corpus::Source;
use crate::metrics::{Confusion, auc};
use crate::model::{Model, Verdict};
use crate::train::{Columns, Trained};

/// Messages listed as nearest the threshold.
pub(super) const NEAREST: usize = 20;

const STYLE: &str = "body{font-family:sans-serif;max-width:960px;margin:1em auto;padding:0 1em;\
color:#222}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;\
padding:.2em .6em;text-align:left}td.n{text-align:right}svg{max-width:100%;height:auto}\
.note{background:#fff4d6;border:1px solid #e0b040;padding:.5em 1em}";

/// What the training page shows.
pub(super) struct TrainingPage<'a> {
    pub set: &'a Columns,
    pub trained: &'a Trained,
    pub sources: &'a [Source],
    pub figures: &'a [Figure],
    pub roc_scores: &'a str,
    pub fixed_lambda: bool,
}

/// The training report's page.
pub(super) fn training(page: &TrainingPage) -> String {
    let TrainingPage { set, trained, .. } = page;
    let model = &trained.model;
    let fit = &trained.fit;
    let mut h = head("sparsetext: training report");
    if page.fixed_lambda {
        h.push_str(
            "<p class=\"note\">This model was fitted at a fixed lambda (<code>--lambda</code>): \
             no cross-validation ran, so there is no cross-validation picture, the path runs \
             from lambda_max down to that lambda, and the ROC curve scores the training \
             messages themselves, which flatters the model.</p>\n",
        );
    }
    let (spam, ham) = set.class_counts();
    let mut rows = vec![
        (
            "messages",
            format!(
                "{} ({spam} spam, {ham} ham), {} skipped",
                set.y.len(),
                set.skipped
            ),
        ),
        ("vocabulary", format!("{} terms", set.vocab.len())),
        (
            "lambda",
            format!("{:.4e} = {}", fit.lambda, model.summary().lambda_rule),
        ),
        ("alpha", format!("{}", model.alpha())),
        (
            "features",
            format!("{} of {} kept", fit.weights.len(), set.vocab.len()),
        ),
        (
            "certificate",
            format!(
                "relative duality gap {:.1e}, largest KKT violation {:.1e}{}",
                fit.rel_gap,
                fit.kkt,
                if fit.converged {
                    ""
                } else {
                    " (not converged)"
                }
            ),
        ),
    ];
    if let Some(choice) = &trained.cv {
        let cv = &choice.result;
        let k = choice.index;
        rows.push((
            "cross-validation",
            format!(
                "lambda_max {:.4e}, lambda_min {:.4e}, lambda_1se {:.4e}; at the chosen \
                 lambda: AUC {:.5} ± {:.5}, deviance {:.4} ± {:.4}",
                cv.path.lambda_max,
                cv.lambda_min,
                cv.lambda_1se,
                cv.auc_mean[k],
                cv.auc_se[k],
                cv.deviance_mean[k],
                cv.deviance_se[k]
            ),
        ));
    }
    rows.push(("decision", decision_text(model)));
    rows.push(("ROC curve of", page.roc_scores.to_string()));
    for warning in &trained.warnings {
        rows.push(("warning", warning.clone()));
    }
    summary_table(&mut h, &rows);
    figures(&mut h, page.figures);
    strongest_words(&mut h, model);
    folders(&mut h, page.sources);
    h.push_str("</body>\n</html>\n");
    h
}

/// The evaluation report's page.
pub(super) fn evaluation(eval: &Evaluation, figs: &[Figure]) -> String {
    let model = eval.model;
    let mut h = head("sparsetext: evaluation report");
    let c = Confusion::new(eval.scores, eval.labels, model.threshold());
    let (spam, ham) = (c.tp + c.fn_, c.fp + c.tn);
    let area = auc(eval.scores, eval.labels).map_or("- (needs both classes)".into(), |a| {
        format!("{a:.5} (1-AUC {:.3}%)", 100.0 * (1.0 - a))
    });
    let pct = |x: f64| format!("{:.2}%", 100.0 * x);
    let rows = [
        ("model", eval.model_path.display().to_string()),
        (
            "messages",
            format!(
                "{} ({spam} spam, {ham} ham), {} skipped",
                c.total(),
                eval.skipped
            ),
        ),
        ("AUC", area),
        ("decision", decision_text(model)),
        (
            "at the threshold",
            format!(
                "accuracy {}, precision {}, recall {}, FPR {} ({} of {ham} ham called spam), \
                 FNR {} ({} of {spam} spam missed)",
                pct(c.accuracy()),
                pct(c.precision()),
                pct(c.recall()),
                pct(c.fpr()),
                c.fp,
                pct(c.fnr()),
                c.fn_
            ),
        ),
    ];
    summary_table(&mut h, &rows);
    confusion(&mut h, eval);
    figures(&mut h, figs);
    nearest(&mut h, eval);
    folders(&mut h, eval.sources);
    h.push_str("</body>\n</html>\n");
    h
}

fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n"
    )
}

fn decision_text(model: &Model) -> String {
    let rule = &model.summary().decision_rule;
    match model.unsure() {
        Some((low, high)) => {
            format!("spam at p ≥ {high:.4}, ham below {low:.4}, unsure between ({rule})")
        }
        None => format!("spam at p ≥ {:.4} ({rule})", model.threshold()),
    }
}

/// Rows of (name, value); values are escaped here.
fn summary_table(h: &mut String, rows: &[(&str, String)]) {
    h.push_str("<table>\n");
    for (name, value) in rows {
        let _ = writeln!(h, "<tr><th>{name}</th><td>{}</td></tr>", escape(value));
    }
    h.push_str("</table>\n");
}

fn figures(h: &mut String, figures: &[Figure]) {
    for f in figures {
        let _ = writeln!(
            h,
            "<h2 id=\"{name}\">{}</h2>\n<figure>\n{}\n<figcaption><a href=\"{name}.svg\">\
             {name}.svg</a>, the numbers: <a href=\"{name}.csv\">{name}.csv</a></figcaption>\n\
             </figure>",
            escape(&f.title),
            inline_svg(&f.svg),
            name = f.name,
        );
    }
}

/// An SVG document as an element of the page: the XML declaration dropped.
fn inline_svg(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(start) => &svg[start..],
        None => svg,
    }
}

fn strongest_words(h: &mut String, model: &Model) {
    let (spam, ham) = words::strongest(model);
    h.push_str("<h2>The strongest words of each side</h2>\n<table>\n");
    h.push_str("<tr><th>spam</th><th>weight</th><th>ham</th><th>weight</th></tr>\n");
    for i in 0..spam.len().max(ham.len()) {
        let cell = |w: Option<&(&str, f32)>| match w {
            Some((term, weight)) => {
                format!("<td>{}</td><td class=\"n\">{weight:+.4}</td>", escape(term))
            }
            None => "<td></td><td></td>".into(),
        };
        let _ = writeln!(h, "<tr>{}{}</tr>", cell(spam.get(i)), cell(ham.get(i)));
    }
    h.push_str("</table>\n");
}

fn folders(h: &mut String, sources: &[Source]) {
    if sources.is_empty() {
        return;
    }
    h.push_str("<h2>Folders read</h2>\n<table>\n");
    h.push_str("<tr><th>path</th><th>label</th><th>messages</th></tr>\n");
    for s in sources {
        let label = s.label.map_or("-".to_string(), |l| l.to_string());
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{label}</td><td class=\"n\">{}</td></tr>",
            escape(&s.path.display().to_string()),
            s.messages
        );
    }
    h.push_str("</table>\n");
}

/// The confusion matrix by the model's verdict, with an unsure column when it has a band.
fn confusion(h: &mut String, eval: &Evaluation) {
    let verdicts = [Verdict::Spam, Verdict::Unsure, Verdict::Ham];
    let shown: Vec<Verdict> = verdicts
        .into_iter()
        .filter(|v| *v != Verdict::Unsure || eval.model.unsure().is_some())
        .collect();
    h.push_str("<h2>Confusion matrix</h2>\n<table>\n<tr><th></th>");
    for v in &shown {
        let _ = write!(h, "<th>called {}</th>", v.as_str());
    }
    h.push_str("</tr>\n");
    for (name, spam) in [("spam", true), ("ham", false)] {
        let _ = write!(h, "<tr><th>{name}</th>");
        for v in &shown {
            let n = (eval.scores.iter().zip(eval.labels))
                .filter(|&(&p, &l)| l == spam && eval.model.verdict(p) == *v)
                .count();
            let _ = write!(h, "<td class=\"n\">{n}</td>");
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
}

/// The messages nearest the threshold: the ones a person should look at first.
fn nearest(h: &mut String, eval: &Evaluation) {
    let t = eval.model.threshold();
    let mut order: Vec<usize> = (0..eval.scores.len()).collect();
    order.sort_by(|&a, &b| {
        let d = |i: usize| (eval.scores[i] - t).abs();
        d(a).total_cmp(&d(b)).then(a.cmp(&b))
    });
    order.truncate(NEAREST);
    let _ = writeln!(
        h,
        "<h2>The {} messages nearest the threshold</h2>\n<table>\n\
         <tr><th>message</th><th>label</th><th>p(spam)</th><th>verdict</th></tr>",
        order.len()
    );
    for i in order {
        let p = eval.scores[i];
        let label = if eval.labels[i] { "spam" } else { "ham" };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{label}</td><td class=\"n\">{p:.4}</td><td>{}</td></tr>",
            escape(&eval.names[i]),
            eval.model.verdict(p).as_str()
        );
    }
    h.push_str("</table>\n");
}

/// Text as HTML: the five characters with a meaning in markup replaced.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
