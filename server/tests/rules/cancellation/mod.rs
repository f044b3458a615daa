//! Tests of the cancellation rule family: one module per rule.
