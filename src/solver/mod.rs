//! Solver: to be written.
