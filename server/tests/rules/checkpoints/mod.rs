//! Tests of the checkpoints rule family: one module per rule.
