//! asyncell: diagnostics and a persistent-loop cell runner for async Python.
//!
//! The crate is layered; see `docs/architecture.md` for the code map and the invariants
//! at each boundary. In short: `analysis` knows nothing about LSP or processes,
//! `positions` is the only place that converts offsets to line/column, `server` is the
//! LSP front end, and `exec` is the only code that talks to the Python host.

pub mod analysis;
pub mod cli;
pub mod config;
pub mod exec;
pub mod fnmatch;
pub mod kernel;
pub mod logging;
pub mod panics;
pub mod positions;
pub mod runtime;
pub mod schema;
pub mod selection;
pub mod server;
pub mod source;
