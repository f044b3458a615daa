//! Tests of the checkpoints rule family: one module per rule.

mod async100;
mod async124;
mod async900;
mod async910;
mod async911;
mod async912;
mod async913;
