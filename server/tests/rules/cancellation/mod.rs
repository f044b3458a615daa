//! Tests of the cancellation rule family: one module per rule.

mod async101;
mod async110;
mod async112;
mod async113;
mod async114;
mod async119;
mod async121;
mod async122;
mod async128;
