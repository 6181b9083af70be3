//! Helpers shared by the solver's unit tests.

use super::design::Design;
use super::params::{Params, ValidParams};

/// The small real-mail fixture: 300 SpamAssassin messages (tests/data/solver).
pub(crate) fn real300() -> (Design, Vec<bool>) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/solver/real300.svm");
    let data = crate::svmlight::read(path.as_ref()).unwrap();
    (Design::from_csr(&data.x).unwrap(), data.y)
}

/// Checked parameters with the given mixing and tolerance.
pub(crate) fn params(alpha: f64, tol: f64) -> ValidParams {
    Params::new().alpha(alpha).tol(tol).check().unwrap()
}
