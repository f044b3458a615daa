//! One file per LSP method.

pub mod notifications;
pub mod requests;
