//! `sparsetext certify`: a model's weights on a matrix -> objective, duality gap,
//! KKT violations ([`sparsetext::solver::certify`]).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use sparsetext::dataset::{Dataset, Matrix};
use sparsetext::model::logistic;
use sparsetext::model::{Model, TermKind};
use sparsetext::solver::{self, Design};
use sparsetext::vocab::Vocabulary;
use sparsetext::{Error, Result, atomic, shards, svmlight};

use super::args::CertifyArgs;
use super::{outln, stdout_error};

/// A matrix with the terms of its columns: column `j` is the term `terms[j]`.
struct Columns {
    data: Dataset,
    /// The term of each column, or `None` when terms are bare feature ids
    /// (column `j` is then id `first_id + j`).
    vocab: Option<Vocabulary>,
    first_id: u32,
    /// What the matrix is, for messages.
    source: PathBuf,
}

/// Runs the command.
pub fn run(args: CertifyArgs) -> Result<ExitCode> {
    let model_path = args.model.path()?;
    if let Some(path) = &args.scores {
        atomic::check_target(path)?;
    }
    let model = Model::load(&model_path)?;
    let lambda = args.lambda.unwrap_or(model.lambda());
    let alpha = args.alpha.unwrap_or(model.alpha());
    if args.lambda.is_none() && lambda == 0.0 {
        return Err(Error::Model {
            path: model_path,
            reason: "records no lambda: give --lambda".into(),
        });
    }
    let columns = match (&args.shards, &args.svmlight) {
        (Some(dir), _) => {
            let s = shards::read(dir)?;
            Columns {
                data: s.data,
                vocab: Some(s.vocab),
                first_id: 1,
                source: dir.clone(),
            }
        }
        (None, Some(path)) => from_svmlight(path, args.vocab.as_deref(), &model)?,
        (None, None) => unreachable!("clap requires --svmlight or --shards"),
    };
    let weights = model_columns(&model, &model_path, &columns)?;
    let design = Design::from_csr(&columns.data.x)?;
    let c = solver::certify(
        &design,
        &columns.data.y,
        None,
        lambda,
        alpha,
        model.intercept(),
        &weights,
    )?;
    if let Some(path) = &args.scores {
        write_scores(path, &design, &columns.data.y, model.intercept(), &weights)?;
    }
    let worst = match c.kkt_feature {
        None => "the intercept".to_string(),
        Some(j) => column_name(&columns, j),
    };
    let mut out = super::stdout();
    if args.json {
        let json = serde_json::json!({
            "objective": c.objective,
            "objective_optimal_intercept": c.objective_optimal_intercept,
            "dual": c.dual,
            "relative_gap": c.rel_gap,
            "max_kkt_violation": c.kkt,
            "max_kkt_at": worst,
            "nnz": c.nnz,
            "lambda": lambda,
            "alpha": alpha,
            "rows": columns.data.x.rows(),
            "features": columns.data.x.cols(),
        });
        outln!(out, "{json}")?;
    } else {
        outln!(
            out,
            "matrix:        {} x {} ({})",
            columns.data.x.rows(),
            columns.data.x.cols(),
            columns.source.display()
        )?;
        outln!(
            out,
            "model:         {} ({} non-zero weights)",
            model_path.display(),
            c.nnz
        )?;
        outln!(out, "penalty:       lambda {lambda:e}, alpha {alpha}")?;
        outln!(out, "objective:     {:.12e}", c.objective)?;
        outln!(out, "dual:          {:.12e}", c.dual)?;
        outln!(out, "relative gap:  {:.3e}", c.rel_gap)?;
        outln!(out, "max KKT:       {:.3e} (at {worst:?})", c.kkt)?;
    }
    out.flush().map_err(stdout_error)?;
    Ok(ExitCode::SUCCESS)
}

/// An svmlight file as a matrix with a column per feature id from its first
/// (0 or 1) up to the largest the file or the vocabulary needs.
fn from_svmlight(path: &Path, vocab_path: Option<&Path>, model: &Model) -> Result<Columns> {
    let file = svmlight::read(path)?;
    let vocab = vocab_path.map(Vocabulary::read).transpose()?;
    let cols = match (&vocab, vocab_path) {
        (Some(v), Some(vp)) => {
            let needed = (file.max_id - file.first_id) as usize + 1;
            if v.len() < needed {
                return Err(Error::Corpus {
                    path: vp.to_path_buf(),
                    reason: format!(
                        "{} terms, but {} uses feature ids up to {} ({needed} terms needed)",
                        v.len(),
                        path.display(),
                        file.max_id
                    ),
                });
            }
            v.len()
        }
        _ => {
            // Bare ids: as wide as the largest id of the file or of the model.
            let model_max = model
                .terms()
                .iter()
                .filter_map(|t| t.parse::<u32>().ok())
                .max()
                .unwrap_or(0);
            (file.max_id.max(model_max) - file.first_id) as usize + 1
        }
    };
    let (indptr, indices, values) = file.x.into_raw_storage();
    let indices = indices
        .iter()
        .map(|&c| file.ids[c as usize] - file.first_id)
        .collect();
    let x = Matrix::new((file.y.len(), cols), indptr, indices, values);
    Ok(Columns {
        data: Dataset { x, y: file.y },
        vocab,
        first_id: file.first_id,
        source: path.to_path_buf(),
    })
}

/// The model's weights as `(column, weight)`: each term's column by the
/// vocabulary, or its id. A term the matrix has no column for is an error:
/// the model was made for other features.
fn model_columns(model: &Model, model_path: &Path, columns: &Columns) -> Result<Vec<(u32, f64)>> {
    let cols = columns.data.x.cols();
    let mut missing = Vec::new();
    let mut weights = Vec::with_capacity(model.len());
    for (term, &w) in model.terms().iter().zip(model.weights()) {
        let column = match &columns.vocab {
            Some(vocab) => vocab.id(term),
            None => term
                .parse::<u32>()
                .ok()
                .and_then(|id| id.checked_sub(columns.first_id))
                .filter(|&c| (c as usize) < cols),
        };
        match column {
            Some(c) => weights.push((c, f64::from(w))),
            None => missing.push(term.as_str()),
        }
    }
    if let Some(first) = missing.first() {
        let what = match (&columns.vocab, model.term_kind()) {
            (Some(_), _) => "the matrix's vocabulary",
            (None, TermKind::Tokens) => "the matrix's feature ids (give --vocab)",
            (None, TermKind::FeatureIds) => "the matrix's feature ids",
        };
        return Err(Error::Model {
            path: model_path.to_path_buf(),
            reason: format!(
                "{} of its {} terms are not in {what} ({}), e.g. {first:?}: \
                 a model for other features",
                missing.len(),
                model.len(),
                columns.source.display()
            ),
        });
    }
    weights.sort_unstable_by_key(|&(c, _)| c);
    Ok(weights)
}

/// How a column is named in messages: its term, or its feature id.
fn column_name(columns: &Columns, j: u32) -> String {
    match &columns.vocab {
        Some(vocab) => vocab.term(j).to_string(),
        None => format!("feature id {}", j + columns.first_id),
    }
}

/// Writes `LABEL<TAB>P_SPAM` per row: the model's probability of spam,
/// `logistic(b0 + x_i w)`, as `classify` computes it for mail.
fn write_scores(
    path: &Path,
    design: &Design,
    y: &[bool],
    intercept: f64,
    weights: &[(u32, f64)],
) -> Result<()> {
    let margins = design.margins(intercept, weights);
    atomic::write_atomic(path, |file| {
        let mut out = std::io::BufWriter::new(file);
        for (&label, &margin) in y.iter().zip(&margins) {
            let label = if label { "+1" } else { "-1" };
            writeln!(out, "{label}\t{:?}", logistic(margin))?;
        }
        out.flush()
    })
}
