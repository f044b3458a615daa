//! Tests of the cancellation rule family: one module per rule.

mod async101;
mod async102;
mod async103;
mod async104;
mod async110;
mod async111;
mod async112;
mod async113;
mod async114;
mod async119;
mod async120;
mod async121;
mod async122;
mod async128;
